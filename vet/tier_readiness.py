"""Readiness of key-occupation designations toward their tier, from the database (DOMAIN.md §4).

`vet.tiers` is the pure evaluation; this module gathers its inputs in bulk. `designation_readiness` runs a fixed
number of queries whatever the number of designations: the designations, the profiles with their indicators, the
open action items, and one query per metric source, each grouped by institution × occupation × level.

A metric source is a function `(requests, on) -> {(params, subject): value}` where `requests` maps each distinct
indicator parameter set (`Params`: required degree, language level, exit skill level) to the subjects
(`Subject`: institution × occupation × level × tier) that need the metric with those parameters. Sources are
registered by metric with `register_metric_source`; `curricula` registers the curriculum coverage source in its
app config, as `vet` must not import `curricula`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from . import choices, tiers
from .models import (
    ActionItem,
    EnterprisePartner,
    EquipmentChecklist,
    ExternalAssessment,
    KeyOccupationDesignation,
    OccupationOutcome,
    ReadinessIndicator,
    ReadinessProfile,
    Teacher,
)

Metric = choices.IndicatorMetric
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DEGREE_ORDER = [d.value for d in choices.Degree]  # lowest first, as declared in vet.choices.Degree
THEORY_ROLES = (choices.TeachingRole.THEORY, choices.TeachingRole.BOTH)


@dataclass(frozen=True)
class Subject:
    """What a metric is measured on: an institution's occupation at a level, for a tier."""

    institution_id: int
    occupation_id: int
    level: str
    tier: str

    @property
    def program(self) -> tuple[int, int, str]:
        return (self.institution_id, self.occupation_id, self.level)


@dataclass(frozen=True)
class Params:
    """The parameters of an indicator that change its value (not its threshold)."""

    min_degree: str = ""
    min_language_level: int | None = None
    min_skill_level: int | None = None


Requests = Mapping[Params, set[Subject]]
MetricSource = Callable[[Requests, datetime.date], dict[tuple[Params, Subject], Decimal | None]]
_SOURCES: dict[str, MetricSource] = {}


def register_metric_source(metric: str, fn: MetricSource) -> None:
    """Let an app compute one metric (e.g. `curricula` the curriculum coverage). Replaces an earlier source."""
    _SOURCES[metric] = fn


def metric_sources() -> dict[str, MetricSource]:
    return dict(_SOURCES)


def params_of(indicator: ReadinessIndicator) -> Params:
    metric = indicator.metric
    return Params(
        min_degree=indicator.min_degree if metric == Metric.THEORY_TEACHER_DEGREE else "",
        min_language_level=indicator.min_language_level if metric == Metric.TEACHER_LANGUAGE else None,
        min_skill_level=indicator.min_skill_level if metric == Metric.EXIT_SKILL else None,
    )


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def _indicators_for(indicators: Iterable[ReadinessIndicator], level: str) -> list[ReadinessIndicator]:
    """The profile's indicators that apply at `level`: a row for the level replaces the row for both levels."""
    chosen: dict[str, ReadinessIndicator] = {}
    for ind in indicators:
        if ind.level == level or (ind.level == "" and ind.metric not in chosen):
            chosen[ind.metric] = ind
    return sorted(chosen.values(), key=lambda i: list(Metric.values).index(i.metric))


def indicator_label(indicator: ReadinessIndicator) -> str:
    return str(Metric(indicator.metric).label)


def indicator_source(indicator: ReadinessIndicator) -> str:
    parts = [str(indicator.source_document) if indicator.source_document_id else "", indicator.source_note]
    return " — ".join(p for p in parts if p)


def profile_facts(profile: ReadinessProfile, level: str) -> tiers.ProfileFacts:
    """The profile as the pure evaluator takes it, with the indicators that apply at `level`. Reads
    `profile.indicators.all()` (prefetch it, with their source documents, for many profiles)."""
    rules = tuple(
        tiers.IndicatorRule(ind.metric, ind.threshold, ind.weight, indicator_label(ind), ind.confirmed,
                            indicator_source(ind))
        for ind in _indicators_for(profile.indicators.all(), level)
    )
    return tiers.ProfileFacts(profile.code, profile.tier, rules, profile.close_gap_percent)


def profiles_on(on: datetime.date) -> dict[str, ReadinessProfile]:
    """The profile in force on `on` for each tier (the latest started one when several are)."""
    found: dict[str, ReadinessProfile] = {}
    qs = (ReadinessProfile.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
          .order_by("tier", "-valid_from", "-pk")
          .prefetch_related("indicators__source_document"))
    for profile in qs:
        found.setdefault(profile.tier, profile)
    return found


# --- metric sources ---------------------------------------------------------------------------------------------

def _institutions(requests: Requests) -> set[int]:
    return {s.institution_id for subjects in requests.values() for s in subjects}


def _occupations(requests: Requests) -> set[int]:
    return {s.occupation_id for subjects in requests.values() for s in subjects}


def accreditation_source(requests: Requests, on: datetime.date) -> dict:
    """1 when the latest decided external assessment of the program's self-assessment (else of the institution's)
    is a pass still in force on `on` (decision date + the framework's certificate validity ≥ on; a framework
    with no validity recorded does not expire here), else 0."""
    rows = (
        ExternalAssessment.objects.filter(
            status=choices.ExternalStatus.DECIDED, decision_date__lte=on,
            self_assessment__institution_id__in=_institutions(requests),
        )
        .order_by("decision_date", "pk")
        .values_list("self_assessment__institution_id", "self_assessment__designation__occupation_id",
                     "self_assessment__designation__level", "decision", "decision_date",
                     "self_assessment__framework__certificate_validity_years")
    )
    program_latest: dict[tuple, tuple] = {}
    institution_latest: dict[int, tuple] = {}
    for institution_id, occupation_id, level, decision, decided, validity in rows:  # oldest first: last wins
        if occupation_id is None:
            institution_latest[institution_id] = (decision, decided, validity)
        else:
            program_latest[(institution_id, occupation_id, level)] = (decision, decided, validity)

    def in_force(latest: tuple | None) -> Decimal:
        if latest is None:
            return Decimal(0)
        decision, decided, validity = latest
        if decision != choices.ExternalDecision.PASS:
            return Decimal(0)
        if validity and add_years(decided, validity) < on:
            return Decimal(0)
        return Decimal(1)

    return {
        (params, s): in_force(program_latest.get(s.program, institution_latest.get(s.institution_id)))
        for params, subjects in requests.items() for s in subjects
    }


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _degrees_from(min_degree: str) -> list[str]:
    if min_degree not in DEGREE_ORDER:
        return DEGREE_ORDER[:]
    return DEGREE_ORDER[DEGREE_ORDER.index(min_degree):]


def _teacher_source(metric: str) -> MetricSource:
    def source(requests: Requests, on: datetime.date) -> dict:
        params_list = list(requests)
        annotations = {"total": Count("pk")}
        for n, params in enumerate(params_list):
            if metric == Metric.THEORY_TEACHER_DEGREE:
                condition = Q(degree__in=_degrees_from(params.min_degree))
            else:
                condition = Q(foreign_language_level__gte=params.min_language_level or 0)
            annotations[f"ok_{n}"] = Count("pk", filter=condition)
        rows = (
            Teacher.objects.filter(is_active=True, teaching_role__in=THEORY_ROLES,
                                   institution_id__in=_institutions(requests), occupations__in=_occupations(requests))
            .values("institution_id", "occupations").order_by().annotate(**annotations)
        )
        by_pair = {(r["institution_id"], r["occupations"]): r for r in rows}
        result = {}
        for n, (params, subjects) in enumerate(requests.items()):
            for s in subjects:
                row = by_pair.get((s.institution_id, s.occupation_id))
                result[(params, s)] = percent(row[f"ok_{n}"], row["total"]) if row else None
        return result

    return source


_OUTCOME_FIELDS = ("institution_id", "occupation_id", "level", "enrolment", "graduates", "employed_6m",
                   "skill_level_1", "skill_level_2", "skill_level_3", "skill_level_4", "skill_level_5")


def _latest_outcomes(requests: Requests, on: datetime.date) -> dict[tuple[int, int, str], OccupationOutcome]:
    """The latest outcome up to `on`'s year per program, as unsaved instances built from plain rows (cheaper)."""
    latest: dict[tuple[int, int, str], OccupationOutcome] = {}
    rows = OccupationOutcome.objects.filter(
        institution_id__in=_institutions(requests), occupation_id__in=_occupations(requests), year__lte=on.year
    ).order_by("year").values_list(*_OUTCOME_FIELDS)
    for row in rows:  # oldest first: last wins
        latest[row[:3]] = row
    return {key: OccupationOutcome(**dict(zip(_OUTCOME_FIELDS, row, strict=True))) for key, row in latest.items()}


def employment_source(requests: Requests, on: datetime.date) -> dict:
    latest = _latest_outcomes(requests, on)
    return {
        (params, s): (percent(o.employed_6m, o.graduates) if (o := latest.get(s.program)) else None)
        for params, subjects in requests.items() for s in subjects
    }


def exit_skill_source(requests: Requests, on: datetime.date) -> dict:
    latest = _latest_outcomes(requests, on)
    return {
        (params, s): (percent(o.graduates_at_or_above(params.min_skill_level or 1), o.graduates)
                      if (o := latest.get(s.program)) else None)
        for params, subjects in requests.items() for s in subjects
    }


def enrolment_source(requests: Requests, on: datetime.date) -> dict:
    latest = _latest_outcomes(requests, on)
    return {
        (params, s): (Decimal(o.enrolment) if (o := latest.get(s.program)) else None)
        for params, subjects in requests.items() for s in subjects
    }


def equipment_source(requests: Requests, on: datetime.date) -> dict:
    rows = (
        EquipmentChecklist.objects.filter(institution_id__in=_institutions(requests),
                                          occupation_id__in=_occupations(requests))
        .values("institution_id", "occupation_id", "level").order_by()
        .annotate(total=Count("items"),
                  full=Count("items", filter=Q(items__held_quantity__gte=F("items__required_quantity"))))
    )
    by_program = {(r["institution_id"], r["occupation_id"], r["level"]): percent(r["full"], r["total"]) for r in rows}
    return {(params, s): by_program.get(s.program) for params, subjects in requests.items() for s in subjects}


def partners_source(requests: Requests, on: datetime.date) -> dict:
    """Partners active on `on` whose occupations include the occupation, or who list none (the whole school)."""
    rows = (
        EnterprisePartner.objects.filter(institution_id__in=_institutions(requests), since__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .values_list("pk", "institution_id", "occupations")
    )
    whole_school: dict[int, set[int]] = defaultdict(set)
    by_occupation: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pk, institution_id, occupation_id in rows:
        if occupation_id is None:
            whole_school[institution_id].add(pk)
        else:
            by_occupation[(institution_id, occupation_id)].add(pk)
    return {
        (params, s): Decimal(len(whole_school[s.institution_id]) + len(by_occupation[(s.institution_id,
                                                                                       s.occupation_id)]))
        for params, subjects in requests.items() for s in subjects
    }


register_metric_source(Metric.ACCREDITATION, accreditation_source)
register_metric_source(Metric.THEORY_TEACHER_DEGREE, _teacher_source(Metric.THEORY_TEACHER_DEGREE))
register_metric_source(Metric.TEACHER_LANGUAGE, _teacher_source(Metric.TEACHER_LANGUAGE))
register_metric_source(Metric.EMPLOYMENT_6M, employment_source)
register_metric_source(Metric.EXIT_SKILL, exit_skill_source)
register_metric_source(Metric.EQUIPMENT, equipment_source)
register_metric_source(Metric.ENTERPRISE_PARTNERS, partners_source)
register_metric_source(Metric.ENROLMENT, enrolment_source)


# --- readiness --------------------------------------------------------------------------------------------------

def designation_readiness(
    designations: QuerySet[KeyOccupationDesignation] | Iterable[KeyOccupationDesignation],
    on: datetime.date | None = None,
) -> dict[int, tiers.Readiness | None]:
    """Readiness of each designation toward its tier on `on` (today by default), keyed by designation id; None
    when no readiness profile of the tier is in force on that day. A fixed number of queries whatever the
    number of designations."""
    on = on or timezone.localdate()
    if isinstance(designations, QuerySet):
        rows = list(designations.order_by().values_list("pk", "institution_id", "occupation_id", "level", "tier"))
    else:
        rows = [(d.pk, d.institution_id, d.occupation_id, d.level, d.tier) for d in designations]
    if not rows:
        return {}
    profiles = profiles_on(on)
    facts: dict[tuple[str, str], tiers.ProfileFacts] = {}
    params: dict[tuple[str, str], dict[str, Params]] = {}
    requests: dict[str, dict[Params, set[Subject]]] = defaultdict(lambda: defaultdict(set))
    subjects: dict[int, Subject] = {}
    for pk, institution_id, occupation_id, level, tier in rows:
        profile = profiles.get(tier)
        if profile is None:
            continue
        subject = Subject(institution_id, occupation_id, level, tier)
        subjects[pk] = subject
        if (tier, level) not in facts:
            facts[(tier, level)] = profile_facts(profile, level)
            params[(tier, level)] = {i.metric: params_of(i) for i in _indicators_for(profile.indicators.all(), level)}
        for metric, p in params[(tier, level)].items():
            requests[metric][p].add(subject)

    values: dict[str, dict] = {}
    for metric, metric_requests in requests.items():
        source = _SOURCES.get(metric)
        values[metric] = source(metric_requests, on) if source else {}

    due: dict[int, list[datetime.date]] = defaultdict(list)
    if subjects:
        for designation_id, due_date in ActionItem.objects.filter(
            designation_id__in=list(subjects), status__in=choices.OPEN_ACTION_STATUSES
        ).values_list("designation_id", "due_date"):
            due[designation_id].append(due_date)

    result: dict[int, tiers.Readiness | None] = {}
    for pk, _institution_id, _occupation_id, level, tier in rows:
        subject = subjects.get(pk)
        if subject is None:
            result[pk] = None
            continue
        metric_params = params[(tier, level)]
        metric_values = {metric: values[metric].get((p, subject)) for metric, p in metric_params.items()}
        result[pk] = tiers.evaluate(facts[(tier, level)], metric_values, due.get(pk, ()))
    return result
