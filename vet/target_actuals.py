"""Actuals of plan targets, by scope and year: computed from VETtrack's own data, else entered with a source.

A scope is a set of institutions (a province with the provinces merged into it, or the whole country). Each
computed metric has a source registered by metric (`register_actual_source`): vet registers its own here;
`curricula` (overdue curricula) and `certificates` (diplomas issued, female learners) register theirs in their
AppConfig.ready, since vet imports no other app. A source answers every year asked at once, in a fixed number of
queries; one that also answers by institution (`by_institution`, or a count of rows by institution registered with
`register_count_source`) gives the drill-down to schools in that same number of queries, whatever the number of
schools."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
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
# fn(scope, years) -> {institution_id: {year: value or None}} for every institution of scope.institution_ids
InstitutionSource = Callable[[Scope, list[int]], dict[int, dict[int, Decimal | None]]]
# fn(scope, years) -> {institution_id: {year: count}}; an institution or a year left out counts 0
CountSource = Callable[[Scope, list[int]], Mapping[int, Mapping[int, int]]]
_SOURCES: dict[str, ActualSource] = {}
_BY_INSTITUTION: dict[str, InstitutionSource] = {}


def register_actual_source(metric: str, fn: ActualSource, *, by_institution: InstitutionSource | None = None) -> None:
    """`fn` answers for a whole scope; `by_institution`, when given, for each school of a drill-down at once (without
    it the drill-down asks `fn` one school at a time)."""
    _SOURCES[metric] = fn
    if by_institution is None:
        _BY_INSTITUTION.pop(metric, None)
    else:
        _BY_INSTITUTION[metric] = by_institution


def counted(counts: CountSource, *, known: Callable[[int], bool] | None = None) -> tuple[ActualSource,
                                                                                        InstitutionSource]:
    """Both forms of a metric that counts rows by institution and year: a scope's figure is the sum of its
    institutions' counts. Years `known` refuses have no figure (None)."""

    def total(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
        found = counts(scope, years)
        return {y: Decimal(sum(c.get(y, 0) for c in found.values())) if known is None or known(y) else None
                for y in years}

    def by_institution(scope: Scope, years: list[int]) -> dict[int, dict[int, Decimal | None]]:
        found = counts(scope, years)
        return {i: {y: Decimal(found.get(i, {}).get(y, 0)) if known is None or known(y) else None for y in years}
                for i in scope.institution_ids}

    return total, by_institution


def register_count_source(metric: str, counts: CountSource) -> None:
    """A metric counted by institution and year (see `counted`), for the other apps' sources."""
    total, by_institution = counted(counts)
    register_actual_source(metric, total, by_institution=by_institution)


def actual_sources() -> dict[str, ActualSource]:
    return dict(_SOURCES)


def actuals_by_institution(metric: str, institution_ids: Iterable[int], years: list[int]) -> dict[int, dict]:
    """A computed metric for each institution apart, {institution_id: {year: value}}: in the source's fixed number
    of queries when it answers by institution, else one call of it per institution."""
    ids = frozenset(institution_ids)
    fn = _BY_INSTITUTION.get(metric)
    if fn is not None:
        return fn(Scope(None, "", institution_ids=ids), years)
    source = _SOURCES[metric]
    return {i: source(Scope(None, "", institution_ids=frozenset({i})), years) for i in ids}


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _designations(scope: Scope, years: list[int]):
    """Designations of the scope (of its tier, when it has one) in force during any of the years."""
    qs = KeyOccupationDesignation.objects.filter(
        institution__in=scope.institutions(), period_start__lte=max(years), period_end__gte=min(years))
    return qs.filter(tier=scope.tier) if scope.tier else qs


def key_occupation_counts(scope: Scope, years: list[int]) -> dict[int, Counter]:
    """Designations in force during the year (of the scope's tier, when it has one)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    if years:
        for institution_id, start, end in _designations(scope, years).values_list(
                "institution_id", "period_start", "period_end"):
            for year in years:
                if start <= year <= end:
                    counts[institution_id][year] += 1
    return counts


def _until_today(year: int) -> bool:
    return year <= datetime.date.today().year


def ready_key_occupation_counts(scope: Scope, years: list[int]) -> dict[int, Counter]:
    """Designations in force whose readiness toward their tier is READY at the end of the year (today for the
    current year), by the readiness profiles in force then."""
    from .tier_readiness import designation_readiness

    today = datetime.date.today()
    asked = [year for year in years if year <= today.year]
    counts: dict[int, Counter] = defaultdict(Counter)
    if not asked:
        return counts
    designations = list(_designations(scope, asked).only(
        "pk", "institution_id", "occupation_id", "level", "tier", "period_start", "period_end"))
    for year in asked:
        in_force = [d for d in designations if d.period_start <= year <= d.period_end]
        readiness = designation_readiness(in_force, on=min(_year_end(year), today))
        for d in in_force:
            result = readiness.get(d.pk)
            if result is not None and result.status == choices.ReadinessStatus.READY:
                counts[d.institution_id][year] += 1
    return counts


def accredited_counts(scope: Scope, years: list[int]) -> dict[int, Counter]:
    """Institutions whose latest decided external assessment by the end of the year is a pass still in force."""
    rows = list(
        ExternalAssessment.objects.filter(status=choices.ExternalStatus.DECIDED, decision_date__isnull=False,
                                          self_assessment__institution__in=scope.institutions(),
                                          self_assessment__designation__isnull=True)
        .order_by("decision_date", "pk")
        .values_list("self_assessment__institution_id", "decision", "decision_date",
                     "self_assessment__framework__certificate_validity_years")
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for year in years:
        end = _year_end(year)
        latest: dict[int, tuple] = {}
        for institution_id, decision, decided, validity in rows:
            if decided <= end:
                latest[institution_id] = (decision, decided, validity)
        for institution_id, (decision, decided, validity) in latest.items():
            if decision != choices.ExternalDecision.PASS:
                continue
            if validity and add_years(decided, validity) < end:
                continue
            counts[institution_id][year] += 1
    return counts


key_occupations_source, key_occupations_by_institution = counted(key_occupation_counts)
key_occupations_ready_source, key_occupations_ready_by_institution = counted(ready_key_occupation_counts,
                                                                             known=_until_today)
accredited_institutions_source, accredited_institutions_by_institution = counted(accredited_counts)


def _outcomes(scope: Scope, years: list[int], *, by_institution: bool = False):
    qs = OccupationOutcome.objects.filter(institution__in=scope.institutions(), year__in=years)
    if scope.tier:
        qs = qs.filter(Q(institution__designations__tier=scope.tier)).distinct()
    return qs.values(*(["institution_id"] if by_institution else []), "year").annotate(
        enrolment=Sum("enrolment"), graduates=Sum("graduates"), employed=Sum("employed_6m")).order_by()


def _outcome_forms(value: Callable[[dict], Decimal | None]) -> tuple[ActualSource, InstitutionSource]:
    """A figure of the yearly outcomes, from the sums of a scope's (or of each institution's) rows of the year;
    None without any row."""

    def total(scope: Scope, years: list[int]) -> dict[int, Decimal | None]:
        rows = {r["year"]: r for r in _outcomes(scope, years)}
        return {y: value(rows[y]) if y in rows else None for y in years}

    def by_institution(scope: Scope, years: list[int]) -> dict[int, dict[int, Decimal | None]]:
        rows = {(r["institution_id"], r["year"]): r for r in _outcomes(scope, years, by_institution=True)}
        return {i: {y: value(rows[(i, y)]) if (i, y) in rows else None for y in years}
                for i in scope.institution_ids}

    return total, by_institution


def _enrolment(row: dict) -> Decimal:
    """Enrolment recorded in the yearly outcomes."""
    return Decimal(row["enrolment"])


def _graduates(row: dict) -> Decimal:
    return Decimal(row["graduates"])


def _employment(row: dict) -> Decimal | None:
    """Graduates employed within 6 months, as a share of the year's graduates (%)."""
    return (Decimal(row["employed"] * 100) / row["graduates"]).quantize(Decimal("0.1")) if row["graduates"] else None


enrolment_source, enrolment_by_institution = _outcome_forms(_enrolment)
graduates_source, graduates_by_institution = _outcome_forms(_graduates)
employment_source, employment_by_institution = _outcome_forms(_employment)

register_actual_source(Metric.KEY_OCCUPATIONS, key_occupations_source, by_institution=key_occupations_by_institution)
register_actual_source(Metric.KEY_OCCUPATIONS_READY, key_occupations_ready_source,
                       by_institution=key_occupations_ready_by_institution)
register_actual_source(Metric.ACCREDITED_INSTITUTIONS, accredited_institutions_source,
                       by_institution=accredited_institutions_by_institution)
register_actual_source(Metric.ENROLMENT, enrolment_source, by_institution=enrolment_by_institution)
register_actual_source(Metric.GRADUATES, graduates_source, by_institution=graduates_by_institution)
register_actual_source(Metric.EMPLOYMENT_6M, employment_source, by_institution=employment_by_institution)


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
