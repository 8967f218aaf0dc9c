"""The targets dashboard in the back-office: a province's plan targets against their actuals by year, with charts
(inline SVG, no external service) and a status; VETtrack's own indicators; a drill-down to schools; the national
view comparing provinces. Reads come from `vet.target_dashboard`; who may see what from `vet.dashboard`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from .. import choices, dashboard, permissions, target_dashboard
from ..models import Province

CHART_W, CHART_H, PAD = 320, 120, 24


def _fmt(value: Decimal | None) -> str:
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

    points = [{"x": x(yr), "y": y(float(v)), "year": yr, "label": _fmt(v)} for yr, v in series if v is not None]
    chart = {
        "empty": False, "width": CHART_W, "height": CHART_H, "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "axis_y": CHART_H - PAD, "left": PAD, "right": CHART_W - PAD,
        "years": [{"x": x(yr), "label": yr} for yr in (first, last)],
        "top_label": _fmt(Decimal(str(round(top / 1.1, 2)))),
    }
    if target is not None:
        chart["target_y"] = y(float(target))
        chart["target_label"] = _fmt(target)
    if baseline is not None and target is not None and target_year:
        chart["path"] = f"{x(baseline[0])},{y(float(baseline[1]))} {x(target_year)},{y(float(target))}"
    return chart


def _provinces(user):
    provinces = dashboard.dashboard_provinces(user)
    if not provinces.exists():
        raise PermissionDenied(_("The targets dashboard is for provincial officers and administrators."))
    return provinces


class TargetsDashboardView(View):
    """One province (of the user's jurisdiction) or, for administrators, the national targets."""

    def get(self, request):
        provinces = _provinces(request.user)
        roles = permissions.get_roles(request.user)
        asked = request.GET.get("province", "")
        province = None
        if asked == "national":
            if not roles.is_admin:
                raise PermissionDenied(_("Only administrators see the national targets."))
        else:
            province = provinces.filter(pk=int(asked)).first() if asked.isdigit() else provinces.first()
            if province is None:
                raise PermissionDenied(_("You may only see the provinces of your jurisdiction."))
            dashboard.check_province(request.user, province)
        today = datetime.date.today()
        rows = target_dashboard.province_targets(province, today=today)
        for row in rows:
            baseline = (row.target.baseline_year, row.target.baseline_value) \
                if row.target.baseline_year and row.target.baseline_value is not None else None
            row.chart = line_chart(row.series, target=row.target.target_value, target_year=row.target.year,
                                   baseline=baseline)
        years = list(range(today.year - 4, today.year + 1))
        indicators = target_dashboard.own_indicators(province, years)
        counts = {status: sum(1 for r in rows if r.judgement.status == status) for status in choices.TargetStatus}
        return render(request, "vet/admin/targets/dashboard.html", {
            "provinces": provinces, "province": province, "is_admin": roles.is_admin, "rows": rows,
            "indicators": indicators, "years": years, "today": today,
            "status_counts": [(choices.TargetStatus(s).label, s, n) for s, n in counts.items() if n],
            "margin": int(target_dashboard.at_risk_margin() * 100),
        })


class TargetsSchoolsView(View):
    """Drill-down: the schools of a province with VETtrack's own figures for one year."""

    def get(self, request, pk: int):
        province = get_object_or_404(Province, pk=pk)
        _provinces(request.user)
        dashboard.check_province(request.user, province)
        today = datetime.date.today()
        year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
        year = min(max(year, target_dashboard.FIRST_YEAR), today.year)
        lines = target_dashboard.school_breakdown(province, year)
        metrics = [m for m in target_dashboard.OWN_INDICATORS if lines and m in lines[0].values]
        return render(request, "vet/admin/targets/schools.html", {
            "province": province, "year": year, "years": range(today.year - 4, today.year + 1),
            "metrics": [(m, choices.TargetMetric(m).label) for m in metrics],
            "lines": [(line.institution, [_fmt(line.values[m]) for m in metrics]) for line in lines],
        })


class NationalComparisonView(View):
    """The provinces compared on each of VETtrack's own figures for one year (administrators and officers: the
    figures are counts and shares, no school's detail)."""

    def get(self, request):
        _provinces(request.user)
        today = datetime.date.today()
        year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
        year = min(max(year, target_dashboard.FIRST_YEAR), today.year)
        metric = request.GET.get("metric") or choices.TargetMetric.KEY_OCCUPATIONS
        if metric not in target_dashboard.OWN_INDICATORS:
            metric = choices.TargetMetric.KEY_OCCUPATIONS
        pairs = target_dashboard.compare_provinces(metric, year)
        top = max((float(v) for _p, v in pairs if v is not None), default=0) or 1.0
        bars = []
        for province, value in pairs:
            width = 0 if value is None else round(360 * float(value) / top, 1)
            bars.append({"province": province, "value": _fmt(value), "width": width, "label_x": width + 186})
        return render(request, "vet/admin/targets/national.html", {
            "year": year, "years": range(today.year - 4, today.year + 1), "metric": metric,
            "metrics": [(m, choices.TargetMetric(m).label) for m in target_dashboard.OWN_INDICATORS],
            "metric_label": choices.TargetMetric(metric).label, "bars": bars,
        })
