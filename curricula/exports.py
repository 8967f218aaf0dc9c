"""Curriculum spreadsheets written with openpyxl: a version's components (to edit and import back with
`curricula.importers.parse_curriculum_components`) and the empty template. Labels follow the active language;
the `components` sheet holds only language-neutral values, so that a file imports back whatever the language."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from . import choices, rules, services
from .importers import COMPONENT_COLUMNS, COMPONENT_HEADERS_VI, COMPONENTS_SHEET, NO, YES
from .models import CurriculumComponent, CurriculumVersion

VERSION_SHEET = "version"
INSTRUCTIONS_SHEET = "instructions"
HOURS = ("theory_hours", "practice_hours", "internship_hours", "exam_hours")
MAX_WIDTH = 60

COLUMN_HELP = {
    "code": gettext_lazy("Code of the subject or module as in the program, unique in the file. Required."),
    "kind": gettext_lazy("Subject or module. Required."),
    "name_vi": gettext_lazy("Name in Vietnamese. Required."),
    "name_en": gettext_lazy("Name in English. Optional."),
    "group": gettext_lazy("Group of the program the component belongs to. Required."),
    "compulsory": gettext_lazy("Whether the component is compulsory; an empty cell means yes."),
    "credits": gettext_lazy("Credits: a number from 0 with at most one decimal; empty means 0."),
    "theory_hours": gettext_lazy("Theory hours: a whole number from 0; empty means 0."),
    "practice_hours": gettext_lazy("Practice hours: a whole number from 0; empty means 0."),
    "internship_hours": gettext_lazy("Internship hours: a whole number from 0; empty means 0."),
    "exam_hours": gettext_lazy("Exam hours: a whole number from 0; empty means 0."),
    "general_subject_type": gettext_lazy(
        "Only for the group of general subjects: which compulsory general subject this is; else leave empty."),
}
EXAMPLE = {  # shown on the instructions sheet, never as a row of the components sheet
    "code": "MĐ07", "kind": choices.ComponentKind.MODULE.value, "name_vi": "Lắp đặt điện công trình",
    "name_en": "Electrical installation", "group": choices.ComponentGroup.SPECIALISED.value, "compulsory": "yes",
    "credits": "4", "theory_hours": "30", "practice_hours": "85", "internship_hours": "0", "exam_hours": "5",
    "general_subject_type": "",
}


def _choices_text(choice_class) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choice_class.choices)


def _allowed_values() -> dict[str, str]:
    yes, no = ", ".join(v for v in YES if v), ", ".join(NO)
    return {
        "kind": _choices_text(choices.ComponentKind),
        "group": _choices_text(choices.ComponentGroup),
        "compulsory": _("yes: %(yes)s or empty; no: %(no)s") % {"yes": yes, "no": no},
        "general_subject_type": _choices_text(choices.GeneralSubjectType),
    }


def _style(sheet: Worksheet, *, widths: dict[int, int] | None = None) -> None:
    """Bold header, frozen top row, columns as wide as their longest cell (within reason)."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column in sheet.iter_cols():
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = min(max(longest + 2, 8), (widths or {}).get(column[0].column,
                                                                                          MAX_WIDTH))


def _component_sheet(workbook: Workbook, components=()) -> Worksheet:
    sheet = workbook.active
    sheet.title = COMPONENTS_SHEET
    sheet.append(list(COMPONENT_COLUMNS))
    for component in components:
        values = {c: getattr(component, c) for c in COMPONENT_COLUMNS}
        values["compulsory"] = "yes" if component.compulsory else "no"
        values["credits"] = float(component.credits)
        sheet.append([values[c] for c in COMPONENT_COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for cell, column in zip(row, COMPONENT_COLUMNS, strict=True):
            if column == "credits":
                cell.number_format = "0.0"
            elif column in HOURS:
                cell.number_format = "0"
            else:
                cell.number_format = "@"  # codes such as 01 stay text
    _style(sheet)
    for index, column in enumerate(COMPONENT_COLUMNS, start=1):
        if column in ("name_vi", "name_en"):  # room to type names, even in the empty template
            dimension = sheet.column_dimensions[sheet.cell(1, index).column_letter]
            dimension.width = max(dimension.width, 30)
    return sheet


def _credit_rule_text(credit_rules) -> str:
    conversion = rules.credit_conversion(credit_rules)
    if conversion is None:
        return _(
            "Credits and hours: the import checks each row against the hours per credit of the rule set in force on "
            "the version's decision date (theory hours, or practice hours, of one credit; internship and exam hours "
            "count as practice). A row whose hours cannot carry its credits rejects the file.")
    theory, practice = conversion
    params = {"theory": f"{theory.value.normalize():f}", "practice": f"{practice.value.normalize():f}",
              "source": theory.source}
    if theory.confirmed and practice.confirmed:
        return _(
            "Credits and hours (%(source)s): one credit needs at least %(theory)s theory hours or %(practice)s "
            "practice hours, or a mix (internship and exam hours count as practice). A row whose hours cannot carry "
            "its credits rejects the file.") % params
    return _(
        "Credits and hours (%(source)s, unconfirmed): one credit needs at least %(theory)s theory hours or "
        "%(practice)s practice hours, or a mix (internship and exam hours count as practice). A row whose hours "
        "cannot carry its credits rejects the file; the conversion itself is shipped as editable data still to be "
        "checked against the legal text."
    ) % params


def _instructions_sheet(workbook: Workbook, credit_rules=()) -> Worksheet:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append([_("Column"), _("Vietnamese header"), _("Meaning"), _("Allowed values"), _("Example")])
    allowed = _allowed_values()
    for column in COMPONENT_COLUMNS:
        sheet.append([column, COMPONENT_HEADERS_VI[column], str(COLUMN_HELP[column]), allowed.get(column, ""),
                      EXAMPLE[column]])
    sheet.append([])
    notes = [
        _("Fill in the sheet %(sheet)s: one row per subject or module, in the order of the program, below the "
          "header row. Keep the header row: write either the column names of the first column or the Vietnamese "
          "headers, in any case.") % {"sheet": COMPONENTS_SHEET},
        _("The file replaces the components of the draft version: codes already in the version are updated, new "
          "codes are added and components whose code is not in the file are removed, with their mappings to "
          "competency units. Rows left as they were are not changed."),
        _("A file with any bad cell is rejected whole and nothing is written; the report names the row and "
          "column of every bad cell. Blank rows are skipped. A CSV file (UTF-8) with the same columns is also "
          "accepted."),
        _credit_rule_text(credit_rules),
    ]
    _style(sheet, widths={1: 24, 2: 24})
    for note in notes:
        sheet.append([note])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=5)
        sheet.row_dimensions[sheet.max_row].height = 15 * (1 + len(note) // 150)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return sheet


def _display(version: CurriculumVersion) -> list[tuple[str, object]]:
    curriculum = version.curriculum
    components = list(version.components.all())
    total = {h: sum(getattr(c, h) for c in components) for h in HOURS}
    return [
        (_("institution"), str(curriculum.institution)),
        (_("occupation code"), curriculum.occupation.code),
        (_("occupation"), curriculum.occupation.name),
        (_("level"), curriculum.get_level_display()),
        (_("entry requirement"), curriculum.get_entry_requirement_display()),
        (_("status"), version.get_status_display()),
        (_("decision number"), version.decision_number),
        (_("decision date"), date_format(version.decision_date, "SHORT_DATE_FORMAT") if version.decision_date
         else ""),
        (_("signed by"), version.signer),
        (_("origin"), version.get_origin_display()),
        (_("subjects and modules"), len(components)),
        (_("total credits"), float(sum((c.credits for c in components), Decimal(0)))),
        (_("theory hours"), total["theory_hours"]),
        (_("practice hours"), total["practice_hours"]),
        (_("internship hours"), total["internship_hours"]),
        (_("exam hours"), total["exam_hours"]),
        (_("total hours"), sum(total.values())),
    ]


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_version_xlsx(version: CurriculumVersion) -> bytes:
    """A workbook of the version: its components (imports back unchanged), a summary and the instructions."""
    components = CurriculumComponent.objects.filter(version=version).order_by("position", "code")
    workbook = Workbook()
    _component_sheet(workbook, components)
    sheet = workbook.create_sheet(VERSION_SHEET)
    sheet.append([_("Field"), _("Value")])
    for label, value in _display(version):
        sheet.append([str(label), value])
        if isinstance(value, float):
            sheet.cell(sheet.max_row, 2).number_format = "0.0"
    _style(sheet)
    _instructions_sheet(workbook, services.credit_rules_for(version))
    return _to_bytes(workbook)


def component_template_xlsx() -> bytes:
    """An empty components sheet (headers only) and the instructions, with an example row among them."""
    workbook = Workbook()
    _component_sheet(workbook)
    _instructions_sheet(workbook)
    return _to_bytes(workbook)
