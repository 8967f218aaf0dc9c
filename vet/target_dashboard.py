"""Reads for the targets dashboard: each plan target of a province (or of the country) against its actuals by year,
with a status; VETtrack's own indicators by year; a drill-down to schools; the provinces compared."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.conf import settings

from . import choices, permissions, target_actuals, targets
from .models import Institution, Province
from .models.targets import TargetIndicator

FIRST_YEAR = 2017  # the earliest year the dashboards show (the reference plans' baselines)


def at_risk_margin() -> Decimal:
    return Decimal(str(getattr(settings, "VETTRACK_TARGET_AT_RISK_MARGIN", "") or "0.10"))


@dataclasses.dataclass
class TargetRow:
    target: TargetIndicator
    years: list[int]
    actuals: dict[int, target_actuals.Actual]
    judgement: targets.Judgement
    series: list[tuple[int, Decimal | None]]  # what the chart draws (cumulated for a period target)
    computed: bool

    @property
    def status_label(self) -> str:
        return choices.TargetStatus(self.judgement.status).label


def _years(target: TargetIndicator, today: datetime.date) -> list[int]:
    return list(range(FIRST_YEAR, min(target.year, today.year) + 1))


def _scope_of(province: Province | None, tier: str = "") -> target_actuals.Scope:
    ids = None if province is None else frozenset(permissions.jurisdiction({province.pk}))
    return target_actuals.Scope(ids, tier)


def target_row(target: TargetIndicator, *, today: datetime.date | None = None) -> TargetRow:
    """One target, its actuals (computed, or entered for its province) and its status today."""
    today = today or datetime.date.today()
    years = _years(target, today)
    scope = _scope_of(target.province, target.tier)
    actuals = target_actuals.get_actuals(target.metric, scope, years, province_id=target.province_id)
    values = {y: a.value for y, a in actuals.items()}
    if target.unit == choices.TargetUnit.CUMULATIVE:  # a period total: what was reached so far
        start = target.baseline_year or FIRST_YEAR
        running, seen, cumulated = Decimal(0), False, {}
        for y in years:
            if y >= start and values.get(y) is not None:
                running, seen = running + values[y], True
            cumulated[y] = running if y >= start and seen else None
        values = cumulated
    facts = targets.TargetFacts(
        year=target.year, target=target.target_value, higher_is_better=target.higher_is_better,
        baseline_year=target.baseline_year, baseline=target.baseline_value,
        per_year=target.unit == choices.TargetUnit.PER_YEAR,
    )
    judgement = targets.judge(facts, values, on_year=today.year, margin=at_risk_margin())
    return TargetRow(target, years, actuals, judgement, [(y, values.get(y)) for y in years],
                     target.metric in target_actuals.actual_sources())


def list_targets(province: Province | None) -> list[TargetIndicator]:
    """The targets of a province's plans (and of the provinces merged into it), or the national ones."""
    qs = TargetIndicator.objects.select_related("source_document", "province")
    if province is None:
        qs = qs.filter(province__isnull=True)
    else:
        qs = qs.filter(province_id__in=permissions.jurisdiction({province.pk}))
    return list(qs.order_by("metric", "tier", "year"))


def province_targets(province: Province | None, *, today: datetime.date | None = None) -> list[TargetRow]:
    return [target_row(t, today=today) for t in list_targets(province)]


@dataclasses.dataclass
class IndicatorRow:
    metric: str
    label: str
    values: list[tuple[int, Decimal | None]]


OWN_INDICATORS = (
    choices.TargetMetric.KEY_OCCUPATIONS, choices.TargetMetric.KEY_OCCUPATIONS_READY,
    choices.TargetMetric.ACCREDITED_INSTITUTIONS, choices.TargetMetric.CURRICULA_REVIEW_OVERDUE,
    choices.TargetMetric.ENROLMENT, choices.TargetMetric.GRADUATES, choices.TargetMetric.EMPLOYMENT_6M,
    choices.TargetMetric.DIPLOMAS_ISSUED,
)


def own_indicators(province: Province | None, years: list[int]) -> list[IndicatorRow]:
    """VETtrack's own figures for the scope, by year, whether or not a plan sets a target for them."""
    scope = _scope_of(province)
    sources = target_actuals.actual_sources()
    rows = []
    for metric in OWN_INDICATORS:
        if metric not in sources:
            continue
        values = sources[metric](scope, years)
        rows.append(IndicatorRow(metric, choices.TargetMetric(metric).label, [(y, values.get(y)) for y in years]))
    return rows


@dataclasses.dataclass
class SchoolLine:
    institution: Institution
    values: dict[str, Decimal | None]


def school_breakdown(province: Province, year: int) -> list[SchoolLine]:
    """Drill-down: each school of the province's jurisdiction with VETtrack's own figures for one year, in a fixed
    number of queries whatever the number of schools (for the sources that answer by institution)."""
    sources = target_actuals.actual_sources()
    institutions = list(Institution.objects.filter(province_id__in=permissions.jurisdiction({province.pk}))
                        .order_by("name_vi"))
    ids = [institution.pk for institution in institutions]
    by_metric = {m: target_actuals.actuals_by_institution(m, ids, [year]) for m in OWN_INDICATORS if m in sources}
    return [SchoolLine(institution, {m: values[institution.pk].get(year) for m, values in by_metric.items()})
            for institution in institutions]


def compare_provinces(metric: str, year: int) -> list[tuple[Province, Decimal | None]]:
    """The national view: one computed metric in every current province (with the provinces merged into it)."""
    source = target_actuals.actual_sources().get(metric)
    provinces = list(Province.objects.filter(valid_to__isnull=True).order_by("name_vi"))
    if source is None:
        return [(p, None) for p in provinces]
    return [(p, source(_scope_of(p), [year]).get(year)) for p in provinces]


# --- charts: inline SVG geometry, no chart library or external service -------------------------------------------

CHART_W, CHART_H, PAD = 320, 120, 24


def fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def line_chart(series: list[tuple[int, Decimal | None]], *, target: Decimal | None = None,
               target_year: int | None = None, baseline: tuple[int, Decimal] | None = None) -> dict:
    """Geometry of a small SVG chart: the actuals as a line with dots, the target as a dashed line (and the path
    from the baseline to it, when there is one). Years run left to right up to the target year."""
    years = [y for y, _v in series]
    if target_year and (not years or target_year > years[-1]):
        years = [*years, target_year]
    if not years:
        return {"empty": True}
    values = [float(v) for _y, v in series if v is not None]
    if target is not None:
        values.append(float(target))
    if baseline is not None:
        values.append(float(baseline[1]))
    top = max(values or [1.0]) * 1.1 or 1.0
    first, last = years[0], years[-1]

    def x(year: int) -> float:
        return round(PAD + (CHART_W - 2 * PAD) * ((year - first) / (last - first) if last > first else 0.5), 1)

    def y(value: float) -> float:
        return round(CHART_H - PAD - (CHART_H - 2 * PAD) * (value / top), 1)

    points = [{"x": x(yr), "y": y(float(v)), "year": yr, "label": fmt(v)} for yr, v in series if v is not None]
    chart = {
        "empty": False, "width": CHART_W, "height": CHART_H, "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "axis_y": CHART_H - PAD, "left": PAD, "right": CHART_W - PAD,
        "years": [{"x": x(yr), "label": yr} for yr in (first, last)],
        "top_label": fmt(Decimal(str(round(top / 1.1, 2)))),
    }
    if target is not None:
        chart["target_y"] = y(float(target))
        chart["target_label"] = fmt(target)
    if baseline is not None and target is not None and target_year:
        chart["path"] = f"{x(baseline[0])},{y(float(baseline[1]))} {x(target_year)},{y(float(target))}"
    return chart


def target_chart(row: TargetRow) -> dict:
    """The chart of one target row: its actuals, the target, and the path from its baseline when it has one."""
    target = row.target
    baseline = (target.baseline_year, target.baseline_value) \
        if target.baseline_year and target.baseline_value is not None else None
    return line_chart(row.series, target=target.target_value, target_year=target.year, baseline=baseline)
