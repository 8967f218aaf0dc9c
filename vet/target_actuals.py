"""Actuals of plan targets, by scope and year: computed from VETtrack's own data, else entered with a source.

A scope is a set of institutions (a province with the provinces merged into it, or the whole country). Each
computed metric has a source registered by metric (`register_actual_source`): vet registers its own here;
`curricula` (overdue curricula) and `certificates` (diplomas issued, female learners) register theirs in their
AppConfig.ready, since vet imports no other app. A source answers every year asked at once, in a fixed number of
queries."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db.models import Q, Sum

from . import choices
from .models import ExternalAssessment, Institution, KeyOccupationDesignation, OccupationOutcome
from .models.targets import ActualValue
from .tier_readiness import add_years

Metric = choices.TargetMetric


@dataclasses.dataclass(frozen=True)
class Scope:
    """Whose actuals: the institutions of some provinces (None: the whole country), optionally of one tier."""

    province_ids: frozenset[int] | None
    tier: str = ""
    institution_ids: frozenset[int] | None = None  # a drill-down to some schools

    def institutions(self):
        qs = Institution.objects.all()
        if self.province_ids is not None:
            qs = qs.filter(province_id__in=self.province_ids)
        if self.institution_ids is not None:
            qs = qs.filter(pk__in=self.institution_ids)
        return qs


# fn(scope, years) -> {year: value or None}
ActualSource = Callable[[Scope, list[int]], dict[int, Decimal | None]]
_SOURCES: dict[str, ActualSource] = {}


def register_actual_source(metric: str, fn: ActualSource) -> None:
    _SOURCES[metric] = fn


def actual_sources() -> dict[str, ActualSource]:
    return dict(_SOURCES)


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _designations(scope: Scope, year: int):
    qs = KeyOccupationDesignation.objects.filter(
        institution__in=scope.institutions(), period_start__lte=year, period_end__gte=year)
    return qs.filter(tier=scope.tier) if scope.tier else qs


def key_occupations_source(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
    """Designations in force during the year (of the scope's tier, when it has one)."""
    return {year: Decimal(_designations(scope, year).count()) for year in years}


def key_occupations_ready_source(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
    """Designations in force whose readiness toward their tier is READY at the end of the year (today for the
    current year), by the readiness profiles in force then."""
    from .tier_readiness import designation_readiness

    today = datetime.date.today()
    result: dict[int, Decimal | None] = {}
    for year in years:
        if year > today.year:
            result[year] = None
            continue
        on = min(_year_end(year), today)
        readiness = designation_readiness(_designations(scope, year), on=on)
        result[year] = Decimal(sum(1 for r in readiness.values() if r and r.status == choices.ReadinessStatus.READY))
    return result


def accredited_institutions_source(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
    """Institutions whose latest decided external assessment by the end of the year is a pass still in force."""
    rows = list(
        ExternalAssessment.objects.filter(status=choices.ExternalStatus.DECIDED, decision_date__isnull=False,
                                          self_assessment__institution__in=scope.institutions(),
                                          self_assessment__designation__isnull=True)
        .order_by("decision_date", "pk")
        .values_list("self_assessment__institution_id", "decision", "decision_date",
                     "self_assessment__framework__certificate_validity_years")
    )
    result = {}
    for year in years:
        end = _year_end(year)
        latest: dict[int, tuple] = {}
        for institution_id, decision, decided, validity in rows:
            if decided <= end:
                latest[institution_id] = (decision, decided, validity)
        count = 0
        for decision, decided, validity in latest.values():
            if decision != choices.ExternalDecision.PASS:
                continue
            if validity and add_years(decided, validity) < end:
                continue
            count += 1
        result[year] = Decimal(count)
    return result


def _outcomes(scope: Scope, years: list[int]):
    qs = OccupationOutcome.objects.filter(institution__in=scope.institutions(), year__in=years)
    if scope.tier:
        qs = qs.filter(Q(institution__designations__tier=scope.tier)).distinct()
    return qs.values("year").annotate(enrolment=Sum("enrolment"), graduates=Sum("graduates"),
                                      employed=Sum("employed_6m")).order_by()


def enrolment_source(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
    """Enrolment recorded in the yearly outcomes of the scope's institutions."""
    rows = {r["year"]: r for r in _outcomes(scope, years)}
    return {y: Decimal(rows[y]["enrolment"]) if y in rows else None for y in years}


def graduates_source(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
    rows = {r["year"]: r for r in _outcomes(scope, years)}
    return {y: Decimal(rows[y]["graduates"]) if y in rows else None for y in years}


def employment_source(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
    """Graduates employed within 6 months, as a share of the year's graduates (%)."""
    rows = {r["year"]: r for r in _outcomes(scope, years)}
    result = {}
    for y in years:
        row = rows.get(y)
        result[y] = (Decimal(row["employed"] * 100) / row["graduates"]).quantize(Decimal("0.1")) \
            if row and row["graduates"] else None
    return result


register_actual_source(Metric.KEY_OCCUPATIONS, key_occupations_source)
register_actual_source(Metric.KEY_OCCUPATIONS_READY, key_occupations_ready_source)
register_actual_source(Metric.ACCREDITED_INSTITUTIONS, accredited_institutions_source)
register_actual_source(Metric.ENROLMENT, enrolment_source)
register_actual_source(Metric.GRADUATES, graduates_source)
register_actual_source(Metric.EMPLOYMENT_6M, employment_source)


@dataclasses.dataclass(frozen=True)
class Actual:
    value: Decimal | None
    source: str  # "VETtrack" for a computed figure, else the source the authority named
    computed: bool


def get_actuals(metric: str, scope: Scope, years: Iterable[int], *, province_id: int | None) -> dict[int, Actual]:
    """The actual of a metric in each year: computed when VETtrack has a source for it, else the entered figure
    of that province (or the national one when `province_id` is None)."""
    years = sorted(set(years))
    source = _SOURCES.get(metric)
    if source is not None:
        return {y: Actual(v, "VETtrack", True) for y, v in source(scope, years).items()}
    entered = {a.year: a for a in ActualValue.objects.filter(metric=metric, province_id=province_id, year__in=years)}
    return {y: Actual(entered[y].value, entered[y].source, False) if y in entered else Actual(None, "", False)
            for y in years}
