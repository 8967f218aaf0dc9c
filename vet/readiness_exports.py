"""Readiness spreadsheets written with openpyxl: the province matrix (one sheet the matrix, one sheet every
indicator of every designation) and a school's assessment report (the tree criterion → standard). Labels follow
the active language."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from . import tiers
from .dashboard import NO_PROFILE, Matrix, SchoolReport

MAX_WIDTH = 60
FILLS = {  # the same colours as the admin matrix; the status is written in the cell too
    tiers.READY: PatternFill("solid", fgColor="C8E6C9"),
    tiers.CLOSE: PatternFill("solid", fgColor="FFE0B2"),
    tiers.NOT_YET: PatternFill("solid", fgColor="FFCDD2"),
    NO_PROFILE: PatternFill("solid", fgColor="E0E0E0"),
}


def _style(sheet: Worksheet, header_row: int = 1) -> None:
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    for column in sheet.iter_cols():
        longest = max((len(line) for c in column if c.value is not None for line in str(c.value).split("\n")),
                      default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(longest + 2, 8), MAX_WIDTH)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value):
    return None if value is None else float(value)


def matrix_workbook(matrix: Matrix) -> bytes:
    """The matrix (schools × occupation and level; status and weighted gap per cell) and the indicator detail."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Matrix")[:31]
    sheet.append([_("School")] + [f"{c.occupation.code} {c.occupation.name}\n{c.level_label}" for c in matrix.columns])
    for row in matrix.rows:
        values = [row.institution.name]
        for cell in row.cells:
            values.append("\n".join(
                f"{e.designation.get_tier_display()}: {e.status_label}"
                + ("" if e.weighted_gap is None else f" · {e.weighted_gap} %")
                for e in cell
            ))
        sheet.append(values)
        for entries, target in zip(row.cells, sheet[sheet.max_row][1:], strict=True):
            if entries:
                target.fill = FILLS[entries[0].status]
            target.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _style(sheet)

    detail = workbook.create_sheet(_("Indicators")[:31])
    detail.append([_("School"), _("Occupation code"), _("Occupation"), _("Level"), _("Tier"), _("Status"),
                   _("Weighted gap (%)"), _("Projected date"), _("Indicator"), _("Value"), _("Threshold"),
                   _("Met"), _("Gap (%)"), _("Confirmed"), _("Source")])
    for entry in matrix.entries:
        d = entry.designation
        head = [d.institution.name, d.occupation.code, d.occupation.name, d.get_level_display(),
                d.get_tier_display(), entry.status_label, _number(entry.weighted_gap),
                entry.readiness.projected_date if entry.readiness and entry.readiness.projected_date else None]
        if entry.readiness is None:
            detail.append([*head, _("No readiness profile of this tier is in force.")])
            continue
        for item in entry.readiness.indicators:
            detail.append([*head, item.label or item.metric, _number(item.value), _number(item.threshold),
                           _("yes") if item.met else _("no"), _number(item.gap),
                           _("yes") if item.confirmed else _("unconfirmed"), item.source])
    for row in detail.iter_rows(min_row=2, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _style(detail)
    return _save(workbook)


def school_workbook(report: SchoolReport) -> bytes:
    """A school's latest self-assessment and external assessment as the tree criterion → standard."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Assessment")[:31]
    sheet.append([_("Criterion / standard"), _("Text"), _("Self-assessment: met"), _("Self-assessment: points"),
                  _("External assessment: points"), _("Maximum points"), _("Evidence")])
    for block in report.criteria:
        sheet.append([f"{block.criterion.number}. {block.criterion.name}", "", "", _number(block.self_points),
                      _number(block.external_points), _number(block.max_points), ""])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for line in block.standards:
            met = "" if line.met is None else (_("met") if line.met else _("not met"))
            sheet.append([f"    {line.standard.code}", line.standard.text, met, _number(line.points), None, None,
                          "; ".join(line.evidence)])
    if report.self_score is not None:
        sheet.append([_("Total"), "", str(report.self_score.outcome_label), _number(report.self_score.total),
                      _number(report.external_score.total) if report.external_score else None, None, ""])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    else:
        sheet.append([_("No self-assessment recorded.")])
    _style(sheet)
    sheet.column_dimensions["B"].width = MAX_WIDTH
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return _save(workbook)
