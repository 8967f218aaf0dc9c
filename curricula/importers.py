"""Skill-standard spreadsheets (the only module of curricula that imports pandas). An XLSX file has two sheets,
`units` (code, name_vi, name_en, group, level, nominal_hours) and `criteria` (unit_code, number, text_vi,
text_en); rows become the plain rows of `curricula.services`. A file with any bad row is rejected whole, every
problem named by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from vet.importers import ImportRejected

from . import choices
from .services import CriterionRow, SkillUnitRow

UNIT_COLUMNS = ("code", "name_vi", "name_en", "group", "level", "nominal_hours")
CRITERION_COLUMNS = ("unit_code", "number", "text_vi", "text_en")
MAX_LEVEL = 8

__all__ = ["ImportRejected", "SheetError", "check_skill_rows", "parse_skill_framework"]


@dataclass
class SheetError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
            "sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


def _text(value) -> str:
    return " ".join(str(value if value is not None else "").split())


def _integer(value: str) -> int | None:
    """An integer cell ("12", "12.0"); None when empty; ValueError otherwise."""
    if value == "":
        return None
    number = float(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def check_skill_rows(units: list[dict], criteria: list[dict]) -> tuple[list[SkillUnitRow], list[CriterionRow]]:
    """Check the records of both sheets (dicts of text cells, headers on row 1); raise ImportRejected listing
    every bad cell."""
    errors: list[SheetError] = []
    for sheet, records, columns in (("units", units, UNIT_COLUMNS), ("criteria", criteria, CRITERION_COLUMNS)):
        present = set(records[0]) if records else set(columns)
        errors += [SheetError(sheet, 1, c, _("required column is missing")) for c in columns if c not in present]
    if errors:
        raise ImportRejected(errors)
    groups = set(choices.UnitGroup.values)
    unit_rows: list[SkillUnitRow] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(units):
        row_no = index + 2
        cells = {c: _text(record.get(c)) for c in UNIT_COLUMNS}
        bad = len(errors)
        if not cells["code"]:
            errors.append(SheetError("units", row_no, "code", _("a code is required")))
        elif cells["code"] in seen:
            errors.append(SheetError("units", row_no, "code", _("code %(code)s already on row %(row)s")
                                     % {"code": cells["code"], "row": seen[cells["code"]]}))
        else:
            seen[cells["code"]] = row_no
        if not cells["name_vi"]:
            errors.append(SheetError("units", row_no, "name_vi", _("a Vietnamese name is required")))
        if cells["group"].lower() not in groups:
            errors.append(SheetError("units", row_no, "group", _("unknown group %(group)r; use %(choices)s")
                                     % {"group": cells["group"], "choices": ", ".join(sorted(groups))}))
        level = hours = None
        try:
            level = _integer(cells["level"])
            if level is not None and not 1 <= level <= MAX_LEVEL:
                raise ValueError(level)
        except ValueError:
            errors.append(SheetError("units", row_no, "level", _("a level is a whole number from 1 to 8")))
        try:
            hours = _integer(cells["nominal_hours"])
            if hours is not None and hours < 0:
                raise ValueError(hours)
        except ValueError:
            errors.append(SheetError("units", row_no, "nominal_hours", _("hours are a whole number, not %(value)r")
                                     % {"value": cells["nominal_hours"]}))
        if len(errors) == bad:
            unit_rows.append(SkillUnitRow(code=cells["code"], name_vi=cells["name_vi"], name_en=cells["name_en"],
                                          group=cells["group"].lower(), level=level, nominal_hours=hours))
    criterion_rows: list[CriterionRow] = []
    numbers: dict[tuple[str, int], int] = {}
    for index, record in enumerate(criteria):
        row_no = index + 2
        cells = {c: _text(record.get(c)) for c in CRITERION_COLUMNS}
        bad = len(errors)
        if cells["unit_code"] not in seen:
            errors.append(SheetError("criteria", row_no, "unit_code", _("no unit %(code)r in the units sheet")
                                     % {"code": cells["unit_code"]}))
        number = None
        try:
            number = _integer(cells["number"])
            if number is None or number < 1:
                raise ValueError(number)
        except ValueError:
            errors.append(SheetError("criteria", row_no, "number", _("a number is a whole number from 1")))
        if number is not None and (cells["unit_code"], number) in numbers:
            errors.append(SheetError("criteria", row_no, "number", _("criterion already on row %(row)s")
                                     % {"row": numbers[cells["unit_code"], number]}))
        elif number is not None:
            numbers[cells["unit_code"], number] = row_no
        if not cells["text_vi"]:
            errors.append(SheetError("criteria", row_no, "text_vi", _("a Vietnamese text is required")))
        if len(errors) == bad:
            criterion_rows.append(CriterionRow(unit_code=cells["unit_code"], number=number,
                                               text_vi=cells["text_vi"], text_en=cells["text_en"]))
    if errors:
        raise ImportRejected(errors)
    return unit_rows, criterion_rows


def parse_skill_framework(path: str | Path) -> tuple[list[SkillUnitRow], list[CriterionRow]]:
    """Read and check an XLSX file with sheets `units` and `criteria`."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ImportRejected([SheetError("-", 0, "-", _("Unsupported file type %(suffix)s; use .xlsx.")
                                         % {"suffix": path.suffix or "?"})])
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    missing = [name for name in ("units", "criteria") if name not in sheets]
    if missing:
        raise ImportRejected([SheetError(name, 0, "-", _("sheet is missing")) for name in missing])
    return check_skill_rows(*(sheets[name].rename(columns=lambda h: str(h).strip().lower()).to_dict("records")
                              for name in ("units", "criteria")))
