"""Spreadsheet imports (the only module that imports pandas). Rows become plain dataclasses;
a file with any bad row is rejected whole, with every problem named by row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from .services import OccupationRow

OCCUPATION_COLUMNS = {
    # canonical name -> accepted headers (case and spacing ignored)
    "code": {"code", "ma", "mã", "ma nghe", "mã ngành, nghề", "mã nghề"},
    "name_vi": {"name_vi", "name (vietnamese)", "ten", "tên", "tên ngành, nghề", "tên nghề"},
    "name_en": {"name_en", "name (english)", "english name", "tên tiếng anh"},
}
REQUIRED = ("code", "name_vi")
CODE_RE = re.compile(r"^[56]\d{6}$")


@dataclass
class RowError:
    row: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        params = {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}
        if self.sheet:
            return _("sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % params
        return _("row %(row)s, column %(column)s: %(message)s") % params


@dataclass
class ImportRejected(Exception):
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without BOM) or XLSX file as text cells."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    raise ImportRejected([RowError(0, "-", _("Unsupported file type %(suffix)s; use .csv or .xlsx.")
                                   % {"suffix": suffix or "?"})])


def _normalise_headers(frame: pd.DataFrame, spec: dict[str, set[str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in frame.columns:
        key = " ".join(str(header).strip().lower().split())
        for canonical, aliases in spec.items():
            if key in aliases and canonical not in found:
                found[canonical] = header
    return found


def parse_occupations(path: str | Path) -> list[OccupationRow]:
    """Parse and check an occupation catalogue file; raise ImportRejected listing every bad cell."""
    frame = read_table(path)
    columns = _normalise_headers(frame, OCCUPATION_COLUMNS)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportRejected([RowError(1, c, _("required column is missing")) for c in missing])
    errors: list[RowError] = []
    rows: list[OccupationRow] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row_no = index + 2  # row 1 holds the headers, as a spreadsheet numbers them
        code = str(record[columns["code"]]).strip()
        name_vi = " ".join(str(record[columns["name_vi"]]).split())
        name_en = " ".join(str(record[columns["name_en"]]).split()) if "name_en" in columns else ""
        if not code and not name_vi and not name_en:
            continue  # blank line
        if not CODE_RE.match(code):
            errors.append(RowError(row_no, "code", _(
                "'%(code)s' is not a 7-digit code starting with 5 (intermediate) or 6 (college)") % {"code": code}))
        elif code in seen:
            errors.append(RowError(row_no, "code", _("duplicate of row %(row)s") % {"row": seen[code]}))
        else:
            seen[code] = row_no
        if not name_vi:
            errors.append(RowError(row_no, "name_vi", _("the Vietnamese name is missing")))
        elif len(name_vi) > 255:
            errors.append(RowError(row_no, "name_vi", _("longer than 255 characters")))
        if len(name_en) > 255:
            errors.append(RowError(row_no, "name_en", _("longer than 255 characters")))
        rows.append(OccupationRow(row=row_no, code=code, name_vi=name_vi, name_en=name_en))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "-", _("the file has no data rows"))])
    return rows


# ------------------------------------------------------------------------- outcomes and equipment checklists
# Both files hold one row per record, with language-neutral headers (the keys below); the Vietnamese headers of
# the template are accepted too. Every cell is checked before anything is written, and every problem is named.

OUTCOMES_SHEET = "outcomes"
EQUIPMENT_SHEET = "equipment"
SKILL_LEVELS = tuple(f"skill_level_{n}" for n in range(1, 6))
OUTCOME_COUNTS = ("enrolment", "graduates", "employed_6m", *SKILL_LEVELS)
OUTCOME_COLUMNS = ("institution_code", "occupation_code", "level", "year", *OUTCOME_COUNTS, "source")
OUTCOME_REQUIRED = ("institution_code", "occupation_code", "level", "year")
EQUIPMENT_COLUMNS = ("institution_code", "occupation_code", "level", "reference", "item", "unit", "required",
                     "held")
EQUIPMENT_REQUIRED = ("institution_code", "occupation_code", "level", "item", "required")
HEADERS_VI = {
    "institution_code": "Mã cơ sở",
    "occupation_code": "Mã ngành, nghề",
    "level": "Trình độ",
    "year": "Năm",
    "enrolment": "Tuyển sinh",
    "graduates": "Tốt nghiệp",
    "employed_6m": "Có việc làm sau 6 tháng",
    **{f"skill_level_{n}": f"Bậc kỹ năng {n}" for n in range(1, 6)},
    "source": "Nguồn",
    "reference": "Danh mục tham chiếu",
    "item": "Thiết bị",
    "unit": "Đơn vị",
    "required": "Số lượng yêu cầu",
    "held": "Số lượng hiện có",
}
LEVEL_ALIASES = {
    "intermediate": "intermediate", "trung cấp": "intermediate", "trung cap": "intermediate", "5": "intermediate",
    "college": "college", "cao đẳng": "college", "cao dang": "college", "6": "college",
}
MAX_COUNT = 2_147_483_647  # the largest value of a PositiveIntegerField on every database


@dataclass(frozen=True)
class OutcomeRow:
    row: int
    institution: object  # vet.models.Institution
    occupation: object  # vet.models.Occupation
    level: str
    year: int
    counts: dict
    source: str


@dataclass(frozen=True)
class EquipmentRow:
    row: int
    institution: object
    occupation: object
    level: str
    reference: str
    item: str
    unit: str
    required: int
    held: int


def read_upload(file, *, filename: str | None = None, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or XLSX upload (a path or an open file) as text cells; in a workbook, `sheet` if it has one, else
    the first sheet."""
    name = filename or str(getattr(file, "name", file))
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if suffix in (".xlsx", ".xlsm"):
            sheets = pd.read_excel(file, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
            if not sheets:
                raise ValueError("no sheet")
            return sheets.get(sheet, next(iter(sheets.values())))
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the parser says, the file is not a readable table
        raise ImportRejected([RowError(0, "-", _("The file could not be read as a %(kind)s table.")
                                       % {"kind": suffix.lstrip(".").upper()})]) from exc
    raise ImportRejected([RowError(0, "-", _("Unsupported file type %(suffix)s; use .csv or .xlsx.")
                                   % {"suffix": suffix or "?"})])


def _cell(value) -> str:
    return " ".join(str(value if value is not None else "").split())


def _header_map(frame: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, str]:
    wanted = {}
    for key in columns:
        wanted[key] = key
        wanted[" ".join(HEADERS_VI.get(key, key).lower().split())] = key
    found: dict[str, str] = {}
    for header in frame.columns:
        key = wanted.get(" ".join(str(header).strip().lower().split()))
        if key and key not in found:
            found[key] = header
    return found


def _whole(text: str, *, minimum: int = 0, maximum: int = MAX_COUNT, empty: int | None = None) -> int:
    """A whole number cell ("12", "12.0"); `empty` when the cell is empty; ValueError with the reason otherwise."""
    if text == "":
        if empty is None:
            raise ValueError(_("required"))
        return empty
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(_("'%(value)s' is not a whole number") % {"value": text}) from None
    if not number.is_integer():
        raise ValueError(_("'%(value)s' is not a whole number") % {"value": text})
    if not minimum <= number <= maximum:
        raise ValueError(_("must be between %(min)s and %(max)s") % {"min": minimum, "max": maximum})
    return int(number)


class _RowChecker:
    """Looks up institutions and occupations once, and says whether the user may write for an institution."""

    def __init__(self, user, model, frame: pd.DataFrame, columns: dict[str, str]):
        from .models import Institution, Occupation

        self.user, self.model = user, model
        codes = {c for c in (_cell(v) for v in frame.get(columns["institution_code"], [])) if c}
        self.institutions = {i.code: i for i in Institution.objects.filter(code__in=codes)}
        codes = {c for c in (_cell(v) for v in frame.get(columns["occupation_code"], [])) if c}
        self.occupations = {o.code: o for o in Occupation.objects.filter(code__in=codes)}
        self.allowed: dict[int, bool] = {}

    def institution(self, code: str, error) -> object | None:
        from . import permissions

        if not code:
            error("institution_code", _("required"))
            return None
        institution = self.institutions.get(code)
        if institution is None:
            error("institution_code", _("no institution has the code '%(code)s'") % {"code": code})
            return None
        if institution.pk not in self.allowed:
            self.allowed[institution.pk] = permissions.has_object_permission(
                self.user, permissions.ADD, self.model(institution=institution))
        if not self.allowed[institution.pk]:
            error("institution_code", _("you may not record data of %(code)s") % {"code": code})
            return None
        return institution

    def occupation_and_level(self, code: str, level_text: str, error) -> tuple[object | None, str | None]:
        from . import choices

        occupation = None
        if not code:
            error("occupation_code", _("required"))
        else:
            occupation = self.occupations.get(code)
            if occupation is None:
                error("occupation_code", _("no occupation has the code '%(code)s'") % {"code": code})
        level = LEVEL_ALIASES.get(level_text.lower())
        if level is None:
            error("level", _("'%(value)s' is not a level; use intermediate or college") % {"value": level_text})
        elif occupation is not None and occupation.level and occupation.level != level:
            error("level", _("occupation %(code)s is a %(code_level)s code, not %(level)s") % {
                "code": code, "code_level": choices.Level(occupation.level).label,
                "level": choices.Level(level).label})
            level = None
        return occupation, level


def _start(frame: pd.DataFrame, columns: tuple[str, ...], required: tuple[str, ...]) -> dict[str, str]:
    found = _header_map(frame, columns)
    missing = [c for c in required if c not in found]
    if missing:
        raise ImportRejected([RowError(1, c, _("required column is missing")) for c in missing])
    return found


def parse_outcomes(file, *, user, filename: str | None = None) -> list[OutcomeRow]:
    """Read and check a yearly-outcomes file; raise ImportRejected listing every bad cell."""
    from .models import OccupationOutcome

    frame = read_upload(file, filename=filename, sheet=OUTCOMES_SHEET)
    columns = _start(frame, OUTCOME_COLUMNS, OUTCOME_REQUIRED)
    checker = _RowChecker(user, OccupationOutcome, frame, columns)
    errors: list[RowError] = []
    rows: list[OutcomeRow] = []
    seen: dict[tuple, int] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row_no = index + 2  # row 1 holds the headers
        cells = {key: _cell(record[header]) for key, header in columns.items()}
        if not any(cells.values()):
            continue

        def error(column: str, message: str, row_no=row_no) -> None:
            errors.append(RowError(row_no, column, str(message)))

        before = len(errors)
        institution = checker.institution(cells["institution_code"], error)
        occupation, level = checker.occupation_and_level(cells["occupation_code"], cells["level"], error)
        year = None
        try:
            year = _whole(cells["year"], minimum=2000, maximum=2100)
        except ValueError as exc:
            error("year", str(exc))
        counts = {}
        for name in OUTCOME_COUNTS:
            try:
                counts[name] = _whole(cells.get(name, ""), empty=0)
            except ValueError as exc:
                error(name, str(exc))
        source = cells.get("source", "")
        if len(source) > 255:
            error("source", _("longer than 255 characters"))
        if len(counts) == len(OUTCOME_COUNTS):
            if counts["employed_6m"] > counts["graduates"]:
                error("employed_6m", _("more graduates employed (%(employed)s) than graduated (%(graduates)s)")
                      % {"employed": counts["employed_6m"], "graduates": counts["graduates"]})
            skilled = sum(counts[n] for n in SKILL_LEVELS)
            if skilled > counts["graduates"]:
                error("skill_level_1", _("skill levels 1–5 add up to %(skilled)s, more than the %(graduates)s "
                                         "graduates") % {"skilled": skilled, "graduates": counts["graduates"]})
        if len(errors) > before:
            continue
        key = (institution.pk, occupation.pk, level, year)
        if key in seen:
            error("year", _("duplicate of row %(row)s (same institution, occupation, level and year)")
                  % {"row": seen[key]})
            continue
        seen[key] = row_no
        rows.append(OutcomeRow(row=row_no, institution=institution, occupation=occupation, level=level, year=year,
                               counts=counts, source=source))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "-", _("the file has no data rows"))])
    return rows


def parse_equipment(file, *, user, filename: str | None = None) -> list[EquipmentRow]:
    """Read and check an equipment file (one row per item); raise ImportRejected listing every bad cell."""
    from .models import EquipmentChecklist

    frame = read_upload(file, filename=filename, sheet=EQUIPMENT_SHEET)
    columns = _start(frame, EQUIPMENT_COLUMNS, EQUIPMENT_REQUIRED)
    checker = _RowChecker(user, EquipmentChecklist, frame, columns)
    errors: list[RowError] = []
    rows: list[EquipmentRow] = []
    seen: dict[tuple, int] = {}
    references: dict[tuple, tuple[str, int]] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row_no = index + 2
        cells = {key: _cell(record[header]) for key, header in columns.items()}
        if not any(cells.values()):
            continue

        def error(column: str, message: str, row_no=row_no) -> None:
            errors.append(RowError(row_no, column, str(message)))

        before = len(errors)
        institution = checker.institution(cells["institution_code"], error)
        occupation, level = checker.occupation_and_level(cells["occupation_code"], cells["level"], error)
        item, unit, reference = cells["item"], cells.get("unit", ""), cells.get("reference", "")
        if not item:
            error("item", _("required"))
        elif len(item) > 255:
            error("item", _("longer than 255 characters"))
        if len(unit) > 40:
            error("unit", _("longer than 40 characters"))
        if len(reference) > 255:
            error("reference", _("longer than 255 characters"))
        required = held = 0
        try:
            required = _whole(cells["required"], minimum=1)
        except ValueError as exc:
            error("required", str(exc))
        try:
            held = _whole(cells.get("held", ""), empty=0)
        except ValueError as exc:
            error("held", str(exc))
        if len(errors) > before:
            continue
        checklist = (institution.pk, occupation.pk, level)
        if reference:
            first = references.setdefault(checklist, (reference, row_no))
            if first[0] != reference:
                error("reference", _("differs from row %(row)s of the same checklist") % {"row": first[1]})
                continue
        key = (*checklist, item.casefold())
        if key in seen:
            error("item", _("duplicate of row %(row)s (same checklist and item)") % {"row": seen[key]})
            continue
        seen[key] = row_no
        rows.append(EquipmentRow(row=row_no, institution=institution, occupation=occupation, level=level,
                                 reference=reference, item=item, unit=unit, required=required, held=held))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "-", _("the file has no data rows"))])
    return rows


# --------------------------------------------------------------------------------- accreditation frameworks
# One framework per workbook: sheet `framework` (field, value), sheet `criteria` (one row per criterion), sheet
# `standards` (one row per standard, naming its criterion by number). `vet.exports.framework_xlsx` writes it.

FRAMEWORK_SHEET, CRITERIA_SHEET, STANDARDS_SHEET = "framework", "criteria", "standards"
FRAMEWORK_FIELDS = ("code", "name_vi", "name_en", "target", "document", "effective_from", "effective_to",
                    "points_per_standard", "compliance_years_intermediate", "compliance_years_college",
                    "min_total_points", "min_criterion_share", "min_core_criterion_share", "thresholds_confirmed",
                    "thresholds_note", "certificate_validity_years")
FRAMEWORK_REQUIRED = ("code", "name_vi", "target", "document")
FRAMEWORK_DATES = ("effective_from", "effective_to")
FRAMEWORK_DECIMALS = ("points_per_standard", "min_total_points", "min_criterion_share", "min_core_criterion_share")
FRAMEWORK_WHOLES = ("compliance_years_intermediate", "compliance_years_college", "certificate_validity_years")
CRITERION_COLUMNS = ("number", "name_vi", "name_en", "benchmark_points", "is_core")
STANDARD_COLUMNS = ("criterion", "code", "text_vi", "text_en", "typical_evidence", "is_sample")
LONG_TEXTS = ("value", "text_vi", "text_en", "typical_evidence")  # line breaks kept
BOOLEAN_TRUE = ("yes", "y", "true", "1", "x", "có", "co")
BOOLEAN_FALSE = ("no", "n", "false", "0", "", "không", "khong")


@dataclass
class FrameworkWorkbook:
    framework: dict
    criteria: list[dict]
    standards: list[dict]


def _long_text(value) -> str:
    return "\n".join(line.rstrip() for line in str(value if value is not None else "").strip().splitlines())


def _boolean(text: str) -> bool:
    key = text.strip().lower()
    if key in BOOLEAN_TRUE:
        return True
    if key in BOOLEAN_FALSE:
        return False
    raise ValueError(_("'%(value)s' is not yes or no") % {"value": text})


def _decimal(text: str, *, max_digits: int, places: int = 2):
    from decimal import Decimal, InvalidOperation

    if text == "":
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("'%(value)s' is not a number") % {"value": text}) from None
    if not value.is_finite() or value < 0:
        raise ValueError(_("must be a number from 0"))
    value = value.quantize(Decimal(1).scaleb(-places))
    if len(value.as_tuple().digits) > max_digits:
        raise ValueError(_("too large"))
    return value


def _date(text: str):
    import datetime

    if text == "":
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(_("'%(value)s' is not a date (YYYY-MM-DD)") % {"value": text}) from None


def _records(frame: pd.DataFrame, sheet: str, columns: tuple[str, ...], required: tuple[str, ...],
             errors: list[RowError]) -> list[tuple[int, dict]]:
    headers = {" ".join(str(h).strip().lower().split()): h for h in frame.columns}
    missing = [c for c in required if c not in headers]
    for column in missing:
        errors.append(RowError(1, column, _("required column is missing"), sheet))
    if missing:
        return []
    result = []
    for index, record in enumerate(frame.to_dict("records")):
        cells = {c: _long_text(record[headers[c]]) if c in LONG_TEXTS else _cell(record[headers[c]])
                 for c in columns if c in headers}
        cells.update({c: "" for c in columns if c not in headers})
        if any(cells.values()):
            result.append((index + 2, cells))
    return result


def parse_framework(file, *, filename: str | None = None) -> FrameworkWorkbook:
    """Read and check a framework workbook; raise ImportRejected listing every bad cell by sheet, row, column."""
    from .choices import AccreditationTarget
    from .models import LegalDocument

    name = filename or str(getattr(file, "name", file))
    if Path(name).suffix.lower() not in (".xlsx", ".xlsm"):
        raise ImportRejected([RowError(0, "-", _("Unsupported file type %(suffix)s; use .xlsx.")
                                       % {"suffix": Path(name).suffix or "?"})])
    try:
        sheets = pd.read_excel(file, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - not a workbook at all
        raise ImportRejected([RowError(0, "-", _("The file could not be read as an XLSX workbook."))]) from exc
    missing = [s for s in (FRAMEWORK_SHEET, CRITERIA_SHEET, STANDARDS_SHEET) if s not in sheets]
    if missing:
        raise ImportRejected([RowError(0, "-", _("sheet is missing"), s) for s in missing])
    errors: list[RowError] = []

    # framework: one field per row
    framework: dict = {}
    field_rows: dict[str, int] = {}
    for row_no, cells in _records(sheets[FRAMEWORK_SHEET], FRAMEWORK_SHEET, ("field", "value"), ("field", "value"),
                                  errors):
        key = cells["field"].lower()
        if key not in FRAMEWORK_FIELDS:
            errors.append(RowError(row_no, "field", _("'%(value)s' is not a framework field") % {"value": key},
                                   FRAMEWORK_SHEET))
            continue
        if key in field_rows:
            errors.append(RowError(row_no, "field", _("duplicate of row %(row)s") % {"row": field_rows[key]},
                                   FRAMEWORK_SHEET))
            continue
        field_rows[key] = row_no
        value = cells["value"]
        try:
            if key in FRAMEWORK_DATES:
                value = _date(value)
            elif key in FRAMEWORK_DECIMALS:
                value = _decimal(value, max_digits=6 if key == "min_total_points" else 5)
            elif key in FRAMEWORK_WHOLES:
                value = None if value == "" else _whole(value, minimum=1, maximum=20)
            elif key == "thresholds_confirmed":
                value = _boolean(value)
            elif key == "target" and value not in AccreditationTarget.values:
                raise ValueError(_("'%(value)s' is not one of %(allowed)s")
                                 % {"value": value, "allowed": ", ".join(AccreditationTarget.values)})
            elif key == "document":
                document = LegalDocument.objects.filter(number=value).first()
                if document is None:
                    raise ValueError(_("no legal document numbered '%(value)s'; add it first") % {"value": value})
                value = document
            elif key in ("code", "name_vi", "name_en") and len(value) > (32 if key == "code" else 255):
                raise ValueError(_("too long"))
        except ValueError as exc:
            errors.append(RowError(row_no, "value", str(exc), FRAMEWORK_SHEET))
            continue
        framework[key] = value
    if not errors:
        for key in FRAMEWORK_REQUIRED:
            if not framework.get(key):
                errors.append(RowError(field_rows.get(key, 0), key, _("required"), FRAMEWORK_SHEET))

    # criteria
    criteria: list[dict] = []
    numbers: dict[int, int] = {}
    for row_no, cells in _records(sheets[CRITERIA_SHEET], CRITERIA_SHEET, CRITERION_COLUMNS,
                                  ("number", "name_vi"), errors):
        def error(column, message, row_no=row_no):
            errors.append(RowError(row_no, column, str(message), CRITERIA_SHEET))

        criterion = {"row": row_no, "name_vi": cells["name_vi"], "name_en": cells["name_en"]}
        try:
            criterion["number"] = _whole(cells["number"], minimum=1, maximum=32767)
        except ValueError as exc:
            error("number", exc)
        else:
            if criterion["number"] in numbers:
                error("number", _("duplicate of row %(row)s") % {"row": numbers[criterion["number"]]})
            numbers.setdefault(criterion["number"], row_no)
        if not cells["name_vi"]:
            error("name_vi", _("required"))
        for key in ("name_vi", "name_en"):
            if len(cells[key]) > 255:
                error(key, _("longer than 255 characters"))
        try:
            criterion["benchmark_points"] = _decimal(cells["benchmark_points"], max_digits=6)
        except ValueError as exc:
            error("benchmark_points", exc)
        try:
            criterion["is_core"] = _boolean(cells["is_core"])
        except ValueError as exc:
            error("is_core", exc)
        criteria.append(criterion)

    # standards
    standards: list[dict] = []
    codes: dict[tuple, int] = {}
    for row_no, cells in _records(sheets[STANDARDS_SHEET], STANDARDS_SHEET, STANDARD_COLUMNS,
                                  ("criterion", "code", "text_vi"), errors):
        def error(column, message, row_no=row_no):
            errors.append(RowError(row_no, column, str(message), STANDARDS_SHEET))

        standard = {"row": row_no, "code": cells["code"], "text_vi": cells["text_vi"], "text_en": cells["text_en"],
                    "typical_evidence": cells["typical_evidence"]}
        try:
            standard["criterion"] = _whole(cells["criterion"], minimum=1, maximum=32767)
            if standard["criterion"] not in numbers:
                error("criterion", _("no criterion numbered %(number)s in sheet criteria")
                      % {"number": standard["criterion"]})
        except ValueError as exc:
            error("criterion", exc)
        if not cells["code"]:
            error("code", _("required"))
        elif len(cells["code"]) > 16:
            error("code", _("longer than 16 characters"))
        if not cells["text_vi"]:
            error("text_vi", _("required"))
        key = (standard.get("criterion"), cells["code"])
        if cells["code"] and key in codes:
            error("code", _("duplicate of row %(row)s") % {"row": codes[key]})
        codes.setdefault(key, row_no)
        try:
            standard["is_sample"] = _boolean(cells["is_sample"])
        except ValueError as exc:
            error("is_sample", exc)
        standards.append(standard)
    if errors:
        raise ImportRejected(errors)
    return FrameworkWorkbook(framework=framework, criteria=criteria, standards=standards)
