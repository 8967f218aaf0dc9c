"""The targets dashboard in the back-office: a province's plan targets against their actuals by year, with charts
(inline SVG, no external service) and a status; VETtrack's own indicators; a drill-down to schools; the national
view comparing provinces. Reads come from `vet.target_dashboard`; who may see what from `vet.dashboard`."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from .. import choices, dashboard, permissions, target_dashboard
from ..models import Province


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
            row.chart = target_dashboard.target_chart(row)
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
            "lines": [(line.institution, [target_dashboard.fmt(line.values[m]) for m in metrics]) for line in lines],
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
            bars.append({"province": province, "value": target_dashboard.fmt(value), "width": width,
                         "label_x": width + 186})
        return render(request, "vet/admin/targets/national.html", {
            "year": year, "years": range(today.year - 4, today.year + 1), "metric": metric,
            "metrics": [(m, choices.TargetMetric(m).label) for m in target_dashboard.OWN_INDICATORS],
            "metric_label": choices.TargetMetric(metric).label, "bars": bars,
        })


class ReportRequestView(View):
    """POST: queue the yearly report of a province (officers: their jurisdiction; administrators: any)."""

    def post(self, request):
        from django.shortcuts import redirect

        from .. import province_reports

        _provinces(request.user)
        province = get_object_or_404(Province, pk=request.POST.get("province") or 0)
        today = datetime.date.today()
        asked = request.POST.get("year", "")
        year = int(asked) if asked.isdigit() else today.year
        year = min(max(year, target_dashboard.FIRST_YEAR), today.year)
        report = province_reports.request_report(user=request.user, province=province, year=year)
        return redirect("vet_targets_report", pk=report.pk)


def _report_for(request, pk: int):
    from ..models import ProvinceReport

    report = get_object_or_404(ProvinceReport.objects.select_related("province", "requested_by"), pk=pk)
    _provinces(request.user)
    dashboard.check_province(request.user, report.province)
    return report


class ReportView(View):
    """A report's progress (the page reloads itself while the report is built), then its downloads."""

    def get(self, request, pk: int):
        from ..models import ProvinceReport

        report = _report_for(request, pk)
        others = ProvinceReport.objects.filter(province=report.province).exclude(pk=report.pk)[:10]
        return render(request, "vet/admin/targets/report.html", {
            "report": report, "others": others,
            "working": report.status in (ProvinceReport.Status.QUEUED, ProvinceReport.Status.RUNNING),
        })


class ReportDownloadView(View):
    def get(self, request, pk: int, kind: str):
        from ..downloads import PDF, XLSX, attachment

        report = _report_for(request, pk)
        field = report.xlsx if kind == "xlsx" else report.pdf
        if not field:
            raise PermissionDenied(_("This report has no file yet."))
        with field.open("rb") as handle:
            content = handle.read()
        return attachment(content, XLSX if kind == "xlsx" else PDF, field.name.rsplit("/", 1)[-1])
