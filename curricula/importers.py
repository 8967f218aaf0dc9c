"""Spreadsheets of curricula (the only module of curricula that imports pandas).

Skill standards: an XLSX file has two sheets, `units` (code, name_vi, name_en, group, level, nominal_hours) and
`criteria` (unit_code, number, text_vi, text_en). Curriculum components: one sheet `components` (or a CSV file)
with the columns of COMPONENT_COLUMNS, written by `curricula.exports`. Rows become the plain rows of
`curricula.services`. A file with any bad row is rejected whole, every problem named by sheet, row and column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from django.utils import translation
from django.utils.translation import gettext as _

from vet.importers import ImportRejected

from . import choices, rules
from .models import CurriculumComponent
from .services import ComponentRow, CriterionRow, SkillUnitRow

UNIT_COLUMNS = ("code", "name_vi", "name_en", "group", "level", "nominal_hours")
CRITERION_COLUMNS = ("unit_code", "number", "text_vi", "text_en")
MAX_LEVEL = 8

__all__ = ["COMPONENT_COLUMNS", "COMPONENT_HEADERS_VI", "ImportRejected", "SheetError", "check_component_rows",
           "check_skill_rows", "parse_curriculum_components", "parse_skill_framework"]


@dataclass
class SheetError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0 and self.sheet == "-":  # the file as a whole
            return str(self.message)
        if self.row == 0:  # a sheet as a whole
            return _("sheet %(sheet)s: %(message)s") % {"sheet": self.sheet, "message": self.message}
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


# ------------------------------------------------------------------------------------ curriculum components

COMPONENTS_SHEET = "components"
COMPONENT_COLUMNS = ("code", "kind", "name_vi", "name_en", "group", "compulsory", "credits", "theory_hours",
                     "practice_hours", "internship_hours", "exam_hours", "general_subject_type")
# The one Vietnamese header accepted for each column besides its key (listed on the template's instructions).
COMPONENT_HEADERS_VI = {
    "code": "Mã",
    "kind": "Loại",
    "name_vi": "Tên (tiếng Việt)",
    "name_en": "Tên (tiếng Anh)",
    "group": "Nhóm",
    "compulsory": "Bắt buộc",
    "credits": "Số tín chỉ",
    "theory_hours": "Giờ lý thuyết",
    "practice_hours": "Giờ thực hành",
    "internship_hours": "Giờ thực tập",
    "exam_hours": "Giờ thi, kiểm tra",
    "general_subject_type": "Môn học chung",
}
# Compulsory: an empty cell means yes, as a new component is compulsory unless said otherwise.
YES = ("yes", "y", "có", "co", "1", "x", "true", "")
NO = ("no", "n", "không", "khong", "0", "false")
MAX_CREDITS = Decimal("9999.9")  # the model keeps 5 digits, one of them a decimal
MAX_HOURS = 2_147_483_647  # the largest value of a PositiveIntegerField on every database


def _key(text) -> str:
    """A header or value compared loosely: Unicode NFC, case, spacing and hyphens ignored."""
    text = unicodedata.normalize("NFC", str(text if text is not None else "")).casefold()
    return " ".join(text.replace("-", " ").replace("–", " ").split())


def choice_aliases(choice_class) -> dict[str, str]:
    """Accepted spellings of a choice (its value, its Vietnamese and English labels) → its value."""
    aliases = {}
    for language in ("en", "vi"):
        with translation.override(language):
            aliases |= {_key(label): value for value, label in choice_class.choices}
    return aliases | {_key(value): value for value in choice_class.values}


def _match_headers(headers, errors: list[SheetError]) -> dict[str, str]:
    """Column key → header as written in the file, for every known header."""
    aliases = {_key(column): column for column in COMPONENT_COLUMNS}
    aliases |= {_key(header): column for column, header in COMPONENT_HEADERS_VI.items()}
    found: dict[str, str] = {}
    for header in headers:
        column = aliases.get(_key(header))
        if column is None:
            continue  # other columns (notes, totals) are left alone
        if column in found:
            errors.append(SheetError(COMPONENTS_SHEET, 1, str(header).strip(), _(
                "column %(column)s is given twice (also as %(other)s)") % {"column": column, "other": found[column]}))
        else:
            found[column] = str(header).strip()
    return found


def _credits(text: str) -> Decimal:
    """Credits: a number ≥ 0 with at most one decimal, a comma accepted as decimal separator; empty is 0."""
    if text == "":
        return Decimal(0)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0 or value > MAX_CREDITS:
        raise ValueError(text)
    rounded = value.quantize(Decimal("0.1"))
    if abs(value - rounded) > Decimal("1e-9"):  # tolerate the float noise of a spreadsheet, not a second decimal
        raise ValueError(text)
    return rounded


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _hours(text: str) -> int:
    """Hours: a whole number ≥ 0; empty is 0."""
    value = _integer(text)
    if value is None:
        return 0
    if not 0 <= value <= MAX_HOURS:
        raise ValueError(text)
    return value


def check_component_rows(records: list[dict], *, credit_rules=(), headers=None) -> list[ComponentRow]:
    """Check the records of a components sheet (dicts of text cells keyed by header; headers on row 1, so the
    first record is row 2) and raise ImportRejected listing every bad cell. Headers are the keys of
    COMPONENT_COLUMNS or their Vietnamese headers, in any case; every column is required, since the file
    replaces the version's components. With hours-per-credit rules (`credit_rules`, see
    `services.credit_rules_for`), a row whose hours cannot carry its credits is refused, exactly as
    `rules.lacks_credit_hours` judges it, even when the conversion is unconfirmed (validation only warns on it,
    but a row that the conversion shows impossible is what the file check exists to catch; the instructions
    sheet names the source). Blank rows are skipped."""
    errors: list[SheetError] = []
    if headers is None:
        headers = list(records[0]) if records else list(COMPONENT_COLUMNS)
    found = _match_headers(headers, errors)
    errors += [SheetError(COMPONENTS_SHEET, 1, c, _("required column is missing"))
               for c in COMPONENT_COLUMNS if c not in found]
    if errors:
        raise ImportRejected(errors)
    kinds = choice_aliases(choices.ComponentKind)
    groups = choice_aliases(choices.ComponentGroup)
    general_types = choice_aliases(choices.GeneralSubjectType)
    conversion = rules.credit_conversion(credit_rules)
    max_lengths = {f: CurriculumComponent._meta.get_field(f).max_length for f in ("code", "name_vi", "name_en")}
    result: list[ComponentRow] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        row_no = index + 2
        cells = {c: unicodedata.normalize("NFC", _text(record.get(found[c]))) for c in COMPONENT_COLUMNS}
        if not any(cells.values()):
            continue

        def error(column: str, message: str, row_no=row_no) -> None:
            errors.append(SheetError(COMPONENTS_SHEET, row_no, found[column], message))

        bad = len(errors)
        code = cells["code"]
        if not code:
            error("code", _("a code is required"))
        elif code in seen:
            error("code", _("code %(code)s already on row %(row)s") % {"code": code, "row": seen[code]})
        else:
            seen[code] = row_no
        for column, limit in max_lengths.items():
            if len(cells[column]) > limit:
                error(column, _("longer than %(limit)s characters") % {"limit": limit})
        if not cells["name_vi"]:
            error("name_vi", _("a Vietnamese name is required"))
        kind = kinds.get(_key(cells["kind"]))
        if kind is None:
            error("kind", _("unknown kind %(value)r; use %(choices)s")
                  % {"value": cells["kind"], "choices": ", ".join(choices.ComponentKind.values)})
        group = groups.get(_key(cells["group"]))
        if group is None:
            error("group", _("unknown group %(group)r; use %(choices)s")
                  % {"group": cells["group"], "choices": ", ".join(choices.ComponentGroup.values)})
        general_type = ""
        if cells["general_subject_type"]:
            general_type = general_types.get(_key(cells["general_subject_type"]))
            if general_type is None:
                error("general_subject_type", _("unknown general subject %(value)r; use %(choices)s")
                      % {"value": cells["general_subject_type"],
                         "choices": ", ".join(choices.GeneralSubjectType.values)})
            elif group is not None and group != choices.ComponentGroup.GENERAL:
                error("general_subject_type", _("only a component of the group general can name a general subject"))
        compulsory = _key(cells["compulsory"])
        if compulsory not in YES + NO:
            error("compulsory", _("write yes or no, not %(value)r") % {"value": cells["compulsory"]})
        credits = None
        try:
            credits = _credits(cells["credits"])
        except ValueError:
            error("credits", _("credits are a number from 0 with at most one decimal, not %(value)r")
                  % {"value": cells["credits"]})
        hours = {}
        for column in ("theory_hours", "practice_hours", "internship_hours", "exam_hours"):
            try:
                hours[column] = _hours(cells[column])
            except ValueError:
                error(column, _("hours are a whole number from 0, not %(value)r") % {"value": cells[column]})
        if len(errors) > bad:
            continue
        row = ComponentRow(code=code, kind=kind, name_vi=cells["name_vi"], name_en=cells["name_en"], group=group,
                           compulsory=compulsory in YES, credits=credits, general_subject_type=general_type, **hours)
        if conversion is not None:
            theory, practice = conversion
            facts = rules.ComponentFacts(code=code, kind=kind, group=group, credits=credits, **hours)
            if rules.lacks_credit_hours(facts, theory.value, practice.value):
                error("credits", _(
                    "%(credits)s credits need more hours: at %(theory)s theory or %(practice)s practice hours a "
                    "credit (%(source)s), these hours make %(worth)s credits"
                ) % {"credits": _number(credits), "theory": _number(theory.value),
                     "practice": _number(practice.value), "source": theory.source,
                     "worth": _number(rules.credits_worth(facts, theory.value, practice.value)
                                      .quantize(Decimal("0.01")))})
                continue
        result.append(row)
    if errors:
        raise ImportRejected(errors)
    return result


def _read_components(file, suffix: str) -> pd.DataFrame:
    if suffix == ".csv":
        if hasattr(file, "seek"):
            file.seek(0)
        # blank lines are kept (and skipped later) so that row numbers stay those of the file
        return pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                           skip_blank_lines=False).fillna("")
    with pd.ExcelFile(file, engine="openpyxl") as workbook:
        names = {str(n).strip().casefold(): n for n in workbook.sheet_names}
        sheet = names.get(COMPONENTS_SHEET, workbook.sheet_names[0])
        return pd.read_excel(workbook, sheet_name=sheet, dtype=str, keep_default_na=False).fillna("")


def parse_curriculum_components(file, *, filename: str, credit_rules=()) -> list[ComponentRow]:
    """Read and check a components file: an uploaded file object or a path, named `filename`; .xlsx (the sheet
    `components`, else the first sheet) or .csv (UTF-8, with or without BOM). See `check_component_rows`."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise ImportRejected([SheetError("-", 0, "-", _("Unsupported file type %(suffix)s; use .xlsx or .csv.")
                                         % {"suffix": suffix or "?"})])
    try:
        frame = _read_components(file, suffix)
    except FileNotFoundError:
        raise
    except UnicodeDecodeError:
        raise ImportRejected([SheetError("-", 0, "-", _(
            "%(name)s is not a UTF-8 text file; save it as CSV UTF-8 or as .xlsx.") % {"name": filename})])
    except Exception:  # a damaged or mislabelled file: openpyxl and pandas raise many kinds
        raise ImportRejected([SheetError("-", 0, "-", _(
            "%(name)s could not be read; check that it is a valid %(suffix)s file.")
            % {"name": filename, "suffix": suffix})])
    headers = [h for h in frame.columns if not str(h).startswith("Unnamed:")]
    if not headers:
        raise ImportRejected([SheetError("-", 0, "-", _(
            "The sheet is empty; the first row must hold the column headers of the template."))])
    return check_component_rows(frame.to_dict("records"), credit_rules=credit_rules, headers=headers)
