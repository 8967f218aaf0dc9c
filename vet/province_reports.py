"""A province's yearly report: an XLSX workbook (targets, readiness by school and occupation, accreditation,
curricula, diplomas) and a PDF (WeasyPrint, charts as inline SVG, Vietnamese), built in the background through
django-tasks (`vet.tasks.build_province_report`) with its progress on the ProvinceReport row."""

from __future__ import annotations

import datetime
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from . import choices, dashboard, rendering, target_dashboard
from .models import ProvinceReport
from .selectors import list_accreditation_on

STATUS_FILLS = {
    choices.TargetStatus.ON_TRACK: "D8F0E0", choices.TargetStatus.MET: "D8F0E0",
    choices.TargetStatus.AT_RISK: "FFF0C2", choices.TargetStatus.BEHIND: "F9D6D5",
    choices.TargetStatus.NO_DATA: "EEEEEE",
}


def request_report(*, user, province, year: int) -> ProvinceReport:
    """Queue the report of a province the user may see (officers: their jurisdiction; administrators: any)."""
    dashboard.check_province(user, province)
    report = ProvinceReport.objects.create(province=province, year=year, requested_by=user,
                                           step=_("Waiting for a worker"))
    from .tasks import build_province_report

    transaction.on_commit(lambda: build_province_report.enqueue(report.pk))
    return report


def _progress(report: ProvinceReport, percent: int, step: str) -> None:
    ProvinceReport.objects.filter(pk=report.pk).update(progress=percent, step=step,
                                                       status=ProvinceReport.Status.RUNNING)


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([str(v) if isinstance(v, Promise) else v for v in row])  # lazy labels as text
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max((len(str(c.value or "")) for c in column), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)


def _number(value):
    return None if value is None else float(value)


def collect(report: ProvinceReport, *, progress=None) -> dict:
    """Everything the report shows, read once for both files."""
    step = progress or (lambda percent, label: None)
    province, year = report.province, report.year
    today = min(datetime.date(year, 12, 31), datetime.date.today())
    step(10, _("Targets"))
    rows = target_dashboard.province_targets(province, today=today)
    for row in rows:
        row.chart = target_dashboard.target_chart(row)
    years = list(range(year - 4, year + 1))
    indicators = target_dashboard.own_indicators(province, years)
    step(35, _("Readiness of key occupations"))
    matrix = dashboard.build_matrix(province)
    step(60, _("Accreditation, curricula and diplomas by school"))
    schools = target_dashboard.school_breakdown(province, year)
    metric = choices.TargetMetric
    accredited = list_accreditation_on([line.institution.pk for line in schools], today)
    school_rows = [{
        "institution": line.institution, "accredited": accredited[line.institution.pk],
        "overdue": line.values.get(metric.CURRICULA_REVIEW_OVERDUE),
        "diplomas": line.values.get(metric.DIPLOMAS_ISSUED), "graduates": line.values.get(metric.GRADUATES),
        "employment": line.values.get(metric.EMPLOYMENT_6M),
    } for line in schools]
    return {"report": report, "province": province, "year": year, "rows": rows, "years": years,
            "indicators": indicators, "matrix": matrix, "schools": school_rows, "generated": timezone.localtime()}


def workbook(data: dict) -> bytes:
    """The XLSX: one formatted sheet per part, figures as numbers."""
    book = Workbook()
    book.remove(book.active)
    metric = choices.TargetMetric
    _sheet(book, _("Targets"), [_("Target"), _("Metric"), _("Tier"), _("Target year"), _("Target"), _("Unit"),
                                _("Latest actual"), _("Year of the actual"), _("Status"), _("Progress (%)"),
                                _("Source document"), _("Confirmed")],
           [[r.target.text, r.target.get_metric_display(), r.target.get_tier_display(), r.target.year,
             _number(r.target.target_value), r.target.get_unit_display(), _number(r.judgement.actual),
             r.judgement.year, r.status_label, _number(r.judgement.progress), r.target.source_document.number,
             _("yes") if r.target.confirmed else _("no")] for r in data["rows"]])
    sheet = book[_("Targets")[:31]]
    for index, row in enumerate(data["rows"], start=2):
        sheet.cell(index, 9).fill = PatternFill("solid", fgColor=STATUS_FILLS[row.judgement.status])
    _sheet(book, _("VETtrack figures"), [_("Indicator"), *[str(y) for y in data["years"]]],
           [[i.label, *[_number(v) for _y, v in i.values]] for i in data["indicators"]])
    matrix = data["matrix"]
    _sheet(book, _("Readiness"), [_("School"), _("Occupation code"), _("Occupation"), _("Level"), _("Tier"),
                                  _("Status"), _("Weighted gap (%)")],
           [[e.designation.institution.name, e.designation.occupation.code, e.designation.occupation.name,
             e.designation.get_level_display(), e.designation.get_tier_display(), e.status_label,
             _number(e.weighted_gap)] for e in matrix.entries])
    accreditation_label = {True: _("in force"), False: _("not in force"), None: _("never assessed")}
    schools = data["schools"]
    _sheet(book, _("Accreditation"), [_("School"), _("Code"), _("Accreditation on the report date")],
           [[s["institution"].name, s["institution"].code, accreditation_label[s["accredited"]]] for s in schools])
    _sheet(book, _("Curricula"), [_("School"), _("Code"), str(metric.CURRICULA_REVIEW_OVERDUE.label)],
           [[s["institution"].name, s["institution"].code, _number(s["overdue"])] for s in schools])
    _sheet(book, _("Diplomas"), [_("School"), _("Code"), str(metric.DIPLOMAS_ISSUED.label),
                                 str(metric.GRADUATES.label), str(metric.EMPLOYMENT_6M.label)],
           [[s["institution"].name, s["institution"].code, _number(s["diplomas"]), _number(s["graduates"]),
             _number(s["employment"])] for s in schools])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_report(report_id: int) -> ProvinceReport:
    """Build both files of a queued report, in Vietnamese, keeping the progress on the row; a failure is kept on
    the row with its message (the files of a failed report are never half-written)."""
    report = ProvinceReport.objects.select_related("province").get(pk=report_id)
    try:
        with translation.override("vi"):
            data = collect(report, progress=lambda percent, step: _progress(report, percent, step))
            _progress(report, 80, _("Workbook"))
            xlsx = workbook(data)
            _progress(report, 90, _("PDF"))
            pdf = rendering.render_pdf("vet/pdf/province_report.html", data)
        name = f"report-{report.province.code}-{report.year}"
        report.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
        report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        report.status, report.progress, report.step = ProvinceReport.Status.DONE, 100, ""
        report.finished_at = timezone.now()
        report.save()
    except Exception as exc:
        ProvinceReport.objects.filter(pk=report.pk).update(status=ProvinceReport.Status.FAILED, error=repr(exc),
                                                           finished_at=timezone.now())
        raise
    return report
