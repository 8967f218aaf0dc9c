"""Registry spreadsheets written with openpyxl: the outcome and equipment templates, and an accreditation
framework as the workbook that `vet.importers.parse_framework` reads back unchanged. Data sheets hold
language-neutral keys and values; the instructions sheet follows the active language."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from . import choices
from .importers import (
    CRITERIA_SHEET,
    CRITERION_COLUMNS,
    EQUIPMENT_COLUMNS,
    EQUIPMENT_REQUIRED,
    EQUIPMENT_SHEET,
    FRAMEWORK_FIELDS,
    FRAMEWORK_REQUIRED,
    FRAMEWORK_SHEET,
    HEADERS_VI,
    OUTCOME_COLUMNS,
    OUTCOME_REQUIRED,
    OUTCOMES_SHEET,
    STANDARD_COLUMNS,
    STANDARDS_SHEET,
)
from .models import AccreditationFramework, Criterion, Standard

INSTRUCTIONS_SHEET = "instructions"
MAX_WIDTH = 60

COLUMN_HELP = {
    "institution_code": gettext_lazy("Code of the institution, as in the registry. It must be one you may edit."),
    "occupation_code": gettext_lazy("7-digit occupation code: 5… intermediate, 6… college."),
    "level": gettext_lazy("intermediate or college; it must match the first digit of the occupation code."),
    "year": gettext_lazy("Year of the outcomes (2000–2100)."),
    "enrolment": gettext_lazy("Students enrolled that year; a whole number, empty means 0."),
    "graduates": gettext_lazy("Graduates that year; a whole number, empty means 0."),
    "employed_6m": gettext_lazy("Graduates employed within 6 months; not more than the graduates."),
    "skill_level_1": gettext_lazy("Graduates at national skill level 1. Levels 1–5 together are not more than "
                                  "the graduates."),
    "skill_level_2": gettext_lazy("Graduates at national skill level 2."),
    "skill_level_3": gettext_lazy("Graduates at national skill level 3."),
    "skill_level_4": gettext_lazy("Graduates at national skill level 4."),
    "skill_level_5": gettext_lazy("Graduates at national skill level 5."),
    "source": gettext_lazy("Where the figures come from, e.g. the graduate tracer survey. Optional."),
    "reference": gettext_lazy("The minimum equipment list the items come from; the same on every row of a "
                              "checklist. Optional."),
    "item": gettext_lazy("Name of the equipment item, unique within its checklist."),
    "unit": gettext_lazy("Unit, e.g. set, piece. Optional."),
    "required": gettext_lazy("Quantity the training requires; a whole number from 1."),
    "held": gettext_lazy("Quantity the institution holds; a whole number, empty means 0."),
}
OUTCOME_EXAMPLE = ("CD-HN-01", "6520227", "college", "2025", "120", "95", "80", "0", "10", "60", "15", "0",
                   "Graduate tracer survey 2025")
EQUIPMENT_EXAMPLE = ("CD-HN-01", "6520227", "college", "Minimum equipment list, Circular …", "Oscilloscope", "set",
                     "10", "8")


def _style(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column in sheet.iter_cols():
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(longest + 2, 10), MAX_WIDTH)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(workbook: Workbook, intro: list[str], columns, required, example) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for line in intro:
        sheet.append([line])
    sheet.append([])
    sheet.append([_("Column"), _("Vietnamese header also accepted"), _("Required"), _("Meaning"), _("Example")])
    header_row = sheet.max_row
    for index, column in enumerate(columns):
        sheet.append([column, HEADERS_VI.get(column, ""), _("yes") if column in required else _("no"),
                      str(COLUMN_HELP.get(column, "")), example[index] if example else ""])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 10
    sheet.column_dimensions["D"].width = 80
    sheet.column_dimensions["E"].width = 30
    for row in sheet.iter_rows(min_row=header_row + 1):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")


def _template(sheet_name: str, columns, required, example, intro: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(list(columns))
    for index in range(1, len(columns) + 1):
        for row in range(2, 202):
            sheet.cell(row, index).number_format = "@"  # codes such as 01 stay text
    _style(sheet)
    _instructions(workbook, intro, columns, required, example)
    return _save(workbook)


def _common_intro() -> list[str]:
    return [
        _("Fill in one row per record on the first sheet, below the header row; keep the headers."),
        _("The whole file is checked first: if any row has a problem, nothing is written and every problem is "
          "listed by row and column."),
    ]


def outcomes_template_xlsx() -> bytes:
    intro = [_("Yearly outcomes of key occupations: one row per institution, occupation, level and year."),
             *_common_intro(),
             _("Importing again updates the outcomes already recorded for the same institution, occupation, level "
               "and year.")]
    return _template(OUTCOMES_SHEET, OUTCOME_COLUMNS, OUTCOME_REQUIRED, OUTCOME_EXAMPLE, intro)


def equipment_template_xlsx() -> bytes:
    intro = [_("Equipment checklists: one row per item; the rows with the same institution, occupation and level "
               "make one checklist."),
             *_common_intro(),
             _("Importing again updates the items already listed (same name) and adds the others; items not in the "
               "file are left alone.")]
    return _template(EQUIPMENT_SHEET, EQUIPMENT_COLUMNS, EQUIPMENT_REQUIRED, EQUIPMENT_EXAMPLE, intro)


# --------------------------------------------------------------------------------------------- frameworks


def _value(value) -> str | float | int:
    """Numbers as numbers (without trailing zeros), dates as ISO text, booleans as yes/no, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def framework_xlsx(framework: AccreditationFramework) -> bytes:
    """One framework with its criteria and standards, as the workbook that imports back unchanged."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = FRAMEWORK_SHEET
    sheet.append(["field", "value"])
    for name in FRAMEWORK_FIELDS:
        value = framework.document.number if name == "document" else getattr(framework, name)
        sheet.append([name, _value(value)])
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in ("code", "document", "effective_from", "effective_to", "name_vi", "name_en"):
            row[1].number_format = "@"
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    _style(sheet)
    sheet.column_dimensions["B"].width = MAX_WIDTH

    criteria = list(Criterion.objects.filter(framework=framework).order_by("number"))
    sheet = workbook.create_sheet(CRITERIA_SHEET)
    sheet.append(list(CRITERION_COLUMNS))
    for criterion in criteria:
        sheet.append([_value(getattr(criterion, c)) for c in CRITERION_COLUMNS])
    _style(sheet)

    sheet = workbook.create_sheet(STANDARDS_SHEET)
    sheet.append(list(STANDARD_COLUMNS))
    standards = Standard.objects.filter(criterion__framework=framework).select_related("criterion").order_by(
        "criterion__number", "code")
    for standard in standards:
        sheet.append([standard.criterion.number, *(_value(getattr(standard, c)) for c in STANDARD_COLUMNS[1:])])
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format = "@"  # 1.10 is not 1.1
        for cell in row[2:5]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _style(sheet)

    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for line in (
        _("Accreditation framework %(code)s: sheet framework holds one field per row, sheet criteria one row per "
          "criterion, sheet standards one row per standard, naming its criterion by number.")
        % {"code": framework.code},
        _("Importing this workbook creates the framework with this code, or updates it: criteria and standards "
          "are matched by number and code; those not in the workbook are removed (refused while assessments use "
          "them)."),
        _("The whole workbook is checked first: if any cell has a problem, nothing is written and every problem is "
          "listed by sheet, row and column."),
        _("Required framework fields: %(fields)s. The document is the number of a legal document already in the "
          "registry.") % {"fields": ", ".join(FRAMEWORK_REQUIRED)},
        _("target: %(values)s.") % {"values": "; ".join(f"{v} = {label}"
                                                       for v, label in choices.AccreditationTarget.choices)},
        _("Dates as YYYY-MM-DD; yes/no columns take yes or no; empty pass rules are not applied."),
        _("Empty benchmark points: the number of standards × points per standard."),
    ):
        sheet.append([line])
    sheet.column_dimensions["A"].width = 120
    return _save(workbook)
