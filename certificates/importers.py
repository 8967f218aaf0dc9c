"""XLSX imports of a cohort's learners and results (the only module of certificates that imports pandas).

Two kinds of file, one row per learner, the headers on the first filled row: the keys of LEARNER_COLUMNS or
RESULT_COLUMNS, or their Vietnamese headers (HEADERS_VI). Every cell is checked first, and the learners and
enrolments the file names are looked up in one query each; a file with any bad row is rejected whole, every
problem named by the row number Excel shows and the column header as written in the file. The rows are then
written through the services (`save_learner` and `enrol_learner`; `record_result` and `record_graduation`) in
one transaction, so nothing is half-written. A dry run does the same and rolls back: that is how the admin preview
and `--dry-run` know what an import will do, refusals of the services included.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from curricula.importers import choice_aliases
from vet import permissions
from vet.importers import ImportRejected, RowError
from vet.text import fold

from . import choices, services
from .models import Cohort, Enrolment, Learner

__all__ = [
    "KINDS",
    "LEARNERS",
    "RESULTS",
    "ImportPlan",
    "ImportRejected",
    "ImportSummary",
    "RowError",
    "apply_plan",
    "check_file",
    "import_file",
    "require_import_permission",
    "template_xlsx",
]

LEARNERS, RESULTS = "learners", "results"
KINDS = (LEARNERS, RESULTS)
COLUMNS = {
    LEARNERS: ("citizen_id", "full_name", "date_of_birth", "sex", "place_of_birth", "ethnicity", "student_number"),
    RESULTS: (
        "citizen_id",
        "final_score",
        "all_credits_completed",
        "disciplined",
        "retaken",
        "decision_number",
        "decision_date",
    ),
}
REQUIRED_COLUMNS = {
    LEARNERS: ("citizen_id", "full_name", "date_of_birth", "sex", "place_of_birth"),
    RESULTS: ("citizen_id", "final_score", "all_credits_completed"),
}
# Cells that may not be empty (an empty yes/no cell means no).
REQUIRED_CELLS = {LEARNERS: REQUIRED_COLUMNS[LEARNERS], RESULTS: ("citizen_id", "final_score")}
# The Vietnamese header the instructions name first, then other spellings found in school registers.
HEADERS_VI = {
    "citizen_id": ("Số định danh cá nhân", "Số CCCD", "CCCD", "Số căn cước", "Số căn cước công dân"),
    "full_name": ("Họ và tên", "Họ tên"),
    "date_of_birth": ("Ngày sinh",),
    "sex": ("Giới tính",),
    "place_of_birth": ("Nơi sinh",),
    "ethnicity": ("Dân tộc",),
    "student_number": ("Mã học sinh, sinh viên", "Mã sinh viên", "Mã số sinh viên", "MSSV"),
    "final_score": ("Điểm tổng kết", "Điểm trung bình chung tích lũy", "Điểm trung bình"),
    "all_credits_completed": ("Hoàn thành chương trình", "Đủ tín chỉ, mô-đun"),
    "disciplined": ("Bị kỷ luật", "Kỷ luật"),
    "retaken": ("Học lại, thi lại", "Thi lại"),
    "decision_number": ("Số quyết định tốt nghiệp", "Số quyết định"),
    "decision_date": ("Ngày quyết định tốt nghiệp", "Ngày quyết định"),
}
# Numbering and notes columns that school spreadsheets always have; left alone (any other column is an error).
IGNORED_HEADERS = {"stt", "tt", "so thu tu", "ghi chu", "note", "notes"}
YES = {"yes", "y", "true", "1", "x", "co", "c"}  # compared folded: "Có" is "co"
NO = {"no", "n", "false", "0", "khong", "k", ""}
EMPTY = {"all_credits_completed": False, "disciplined": False, "retaken": False, "decision_date": None}  # else ""
MAX_ROWS = 5000
# A citizen ID opens with its province code, 001–096: a cell that Excel turned into a number lost one or two zeros.
MAX_LOST_ZEROS = 2
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")
EARLIEST = datetime.date(1900, 1, 1)
TWO_DECIMALS = Decimal("0.01")
# Service refusals about the cohort as a whole: reported once for the file, not on every row.
COHORT_CODES = {"version_not_approved"}
# Where a service's refusal belongs: by the field it names, else by its code.
SERVICE_FIELDS = {
    "citizen_id": "citizen_id",
    "full_name": "full_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "place_of_birth": "place_of_birth",
    "ethnicity": "ethnicity",
    "student_number": "student_number",
    "final_score": "final_score",
    "all_credits_completed": "all_credits_completed",
    "disciplined": "disciplined",
    "retaken_modules": "retaken",
    "graduation_decision_number": "decision_number",
    "graduation_date": "decision_date",
}
SERVICE_CODES = {
    "score_too_low": "final_score",
    "no_band": "final_score",
    "no_score": "final_score",
    "credits_missing": "all_credits_completed",
    "no_rule": "decision_date",
    "issued": "citizen_id",
    "citizen_id_conflict": "citizen_id",
}


@dataclass(frozen=True)
class LearnerRow:
    row: int
    citizen_id: str
    full_name: str
    date_of_birth: datetime.date
    sex: str
    place_of_birth: str
    ethnicity: str
    student_number: str


@dataclass(frozen=True)
class ResultRow:
    row: int
    citizen_id: str
    final_score: Decimal
    all_credits_completed: bool
    disciplined: bool
    retaken: bool
    decision_number: str
    decision_date: datetime.date | None


@dataclass
class ImportPlan:
    """A checked file: its rows, the headers as the file spells them, and what the database already holds."""

    kind: str
    cohort: Cohort
    rows: list
    headers: dict[str, str]
    learners: dict[str, Learner] = field(default_factory=dict)  # citizen ID → learner already registered
    enrolments: dict[str, Enrolment] = field(default_factory=dict)  # citizen ID → enrolment in the cohort

    def error(self, row: int, column: str, message) -> RowError:
        return RowError(row, self.headers.get(column, column), str(message))


@dataclass
class ImportSummary:
    kind: str
    rows: int = 0
    enrolled: int = 0  # learners: new enrolments in the cohort
    new_learners: int = 0  # learners: of those, learners registered for the first time
    already_enrolled: int = 0  # learners: in the cohort already, left as they were
    recorded: int = 0  # results: results written
    graduated: int = 0  # results: of those, with a graduation decision
    unchanged: int = 0  # results: the same as recorded already
    dry_run: bool = False

    def describe(self) -> str:
        values = {
            "rows": self.rows,
            "enrolled": self.enrolled,
            "new": self.new_learners,
            "skipped": self.already_enrolled,
            "recorded": self.recorded,
            "graduated": self.graduated,
            "unchanged": self.unchanged,
        }
        if self.kind == LEARNERS and self.dry_run:
            text = _(
                "%(rows)s rows checked: %(enrolled)s learners will be enrolled (%(new)s of them registered for "
                "the first time); %(skipped)s already enrolled will be left as they are."
            )
        elif self.kind == LEARNERS:
            text = _(
                "%(rows)s rows imported: %(enrolled)s learners enrolled (%(new)s of them registered for the "
                "first time); %(skipped)s already enrolled were left as they were."
            )
        elif self.dry_run:
            text = _(
                "%(rows)s rows checked: %(recorded)s results will be recorded, %(graduated)s of them with a "
                "graduation decision; %(unchanged)s are already recorded as in the file."
            )
        else:
            text = _(
                "%(rows)s rows imported: %(recorded)s results recorded, %(graduated)s of them with a graduation "
                "decision; %(unchanged)s were already recorded as in the file."
            )
        return text % values


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary):
        self.summary = summary


# ------------------------------------------------------------------------------------------------ cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _header_key(value) -> str:
    return fold(_text(value).replace("_", " "))


def _citizen_id(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value)) if float(value).is_integer() and value >= 0 else ""
        if 12 - MAX_LOST_ZEROS <= len(digits) <= 12:
            return digits.zfill(12)  # Excel stored the ID as a number and dropped its leading zeros
        raise ValueError(
            _(
                "%(value)s is not a citizen ID: it has 12 digits (format the column as text so that Excel "
                "keeps the leading zeros)"
            )
            % {"value": _text(value)}
        )
    text = _text(value).replace(" ", "")
    if not re.fullmatch(r"\d{12}", text):
        raise ValueError(_("'%(value)s' is not a citizen ID: it has exactly 12 digits") % {"value": _text(value)})
    return text


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    try:
        if match := DAY_FIRST.match(text):
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
        if ISO_DATE.match(text):
            return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass  # 31/02/2004: the same answer as any other text that is not a date
    raise ValueError(
        _("'%(value)s' is not a date; write dd/mm/yyyy (e.g. 05/09/2004) or yyyy-mm-dd, or enter an Excel date")
        % {"value": text}
    )


def _birth_date(value) -> datetime.date:
    day = _date(value)
    if day < EARLIEST or day >= timezone.localdate():
        raise ValueError(_("%(date)s is not a possible date of birth") % {"date": day.strftime("%d/%m/%Y")})
    return day


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(_text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError(_("write yes or no (có/không, x or empty, 1/0), not '%(value)s'") % {"value": _text(value)})


def _score(value, maximum: Decimal) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("'%(value)s' is not a number") % {"value": value})
    text = repr(value) if isinstance(value, float) else _text(value)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("'%(value)s' is not a number") % {"value": _text(value)}) from None
    if not score.is_finite() or not Decimal(0) <= score <= maximum:
        raise ValueError(
            _("%(value)s is outside the cohort's scale: the score is between 0 and %(max)s")
            % {"value": _text(value), "max": maximum}
        )
    rounded = score.quantize(TWO_DECIMALS)
    if abs(score - rounded) > Decimal("1e-9"):  # the float noise of a spreadsheet, not a third decimal
        raise ValueError(_("%(value)s has more than two decimals") % {"value": _text(value)})
    return rounded


def _words(limit: int):
    def convert(value) -> str:
        text = _text(value)
        if len(text) > limit:
            raise ValueError(_("longer than %(limit)s characters") % {"limit": limit})
        return text

    return convert


def _sex_converter():
    aliases = {fold(key): value for key, value in choice_aliases(choices.Sex).items()}
    aliases |= {"nam": choices.Sex.MALE, "nu": choices.Sex.FEMALE, "m": choices.Sex.MALE, "f": choices.Sex.FEMALE}

    def convert(value) -> str:
        sex = aliases.get(fold(_text(value)))
        if sex is None:
            raise ValueError(_("'%(value)s' is not a sex; write Nam or Nữ (male or female)") % {"value": _text(value)})
        return str(sex)

    return convert


def _converters(kind: str, cohort: Cohort) -> dict:
    if kind == LEARNERS:
        length = {
            name: Learner._meta.get_field(name).max_length for name in ("full_name", "place_of_birth", "ethnicity")
        }
        return {
            "citizen_id": _citizen_id,
            "full_name": _words(length["full_name"]),
            "date_of_birth": _birth_date,
            "sex": _sex_converter(),
            "place_of_birth": _words(length["place_of_birth"]),
            "ethnicity": _words(length["ethnicity"]),
            "student_number": _words(Enrolment._meta.get_field("student_number").max_length),
        }
    maximum = services.SCALE_MAX[cohort.grading_scale]
    return {
        "citizen_id": _citizen_id,
        "final_score": lambda value: _score(value, maximum),
        "all_credits_completed": _flag,
        "disciplined": _flag,
        "retaken": _flag,
        "decision_number": _words(Enrolment._meta.get_field("graduation_decision_number").max_length),
        "decision_date": _date,
    }


# ------------------------------------------------------------------------------------------------ reading


def _read(file, *, filename: str, sheet: str) -> list[list]:
    """The cells of the sheet named `sheet` (else the first), as Excel typed them, or of a CSV file as text; list
    index + 1 = the row a spreadsheet shows."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(file, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
            raise ImportRejected(
                [RowError(0, "-", _("The file could not be read as a %(kind)s table.") % {"kind": "CSV"})]
            ) from exc
        return frame.values.tolist()
    if suffix not in (".xlsx", ".xlsm"):
        raise ImportRejected(
            [RowError(0, "-", _("Unsupported file type %(suffix)s; use .csv or .xlsx.") % {"suffix": suffix or "?"})]
        )
    try:
        with pd.ExcelFile(file, engine="openpyxl") as book:
            names = {str(name).strip().casefold(): name for name in book.sheet_names}
            # header=None and object cells: pandas neither guesses types nor drops leading zeros or blank rows
            frame = pd.read_excel(book, sheet_name=names.get(sheet, book.sheet_names[0]), header=None, dtype=object)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl says, the file is not a readable workbook
        raise ImportRejected(
            [RowError(0, "-", _("The file could not be read as a %(kind)s table.") % {"kind": "XLSX"})]
        ) from exc
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def _headers(raw: list[list], kind: str) -> tuple[int, dict[str, int], dict[str, str]]:
    """Row number of the headers, column key → position, column key → header as the file spells it."""
    start = next((i for i, values in enumerate(raw) if any(_text(v) for v in values)), None)
    if start is None:
        raise ImportRejected(
            [RowError(0, "-", _("The sheet is empty; the first row must hold the column headers of the template."))]
        )
    columns = COLUMNS[kind]
    aliases = {_header_key(key): key for key in columns}
    aliases |= {_header_key(header): key for key in columns for header in HEADERS_VI[key]}
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    shown: dict[str, str] = {}
    for position, value in enumerate(raw[start]):
        header = _text(value)
        if not header:
            if any(position < len(values) and _text(values[position]) for values in raw[start + 1 :]):
                errors.append(
                    RowError(start + 1, get_column_letter(position + 1), _("this column holds data but has no header"))
                )
            continue
        key = aliases.get(_header_key(header))
        if key is None:
            if _header_key(header) not in IGNORED_HEADERS:
                errors.append(
                    RowError(
                        start + 1,
                        header,
                        _("unknown column; the columns of this file are %(columns)s") % {"columns": ", ".join(columns)},
                    )
                )
        elif key in positions:
            errors.append(
                RowError(
                    start + 1,
                    header,
                    _("column %(column)s is given twice (also as %(other)s)") % {"column": key, "other": shown[key]},
                )
            )
        else:
            positions[key], shown[key] = position, header
    errors += [
        RowError(start + 1, key, _("required column is missing"))
        for key in REQUIRED_COLUMNS[kind]
        if key not in positions
    ]
    if errors:
        raise ImportRejected(errors)
    return start + 1, positions, shown


# ------------------------------------------------------------------------------------------------ checking


def require_import_permission(user, cohort: Cohort, kind: str) -> None:
    """Only those who may enrol learners in the cohort (ADD) or record their results (CHANGE) import them: staff of
    the cohort's school and administrators (vet.permissions)."""
    action = permissions.ADD if kind == LEARNERS else permissions.CHANGE
    if not permissions.has_object_permission(user, action, Enrolment(cohort=cohort)):
        raise PermissionDenied(
            _("You may not import the learners or results of cohort %(cohort)s.") % {"cohort": cohort.code}
        )


def check_file(file, *, cohort: Cohort, kind: str, filename: str | None = None) -> ImportPlan:
    """Read and check a learners or results file of `cohort` (an uploaded file, a path or bytes); raise
    ImportRejected listing every bad cell. The database is read in one query per lookup, whatever the rows."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    name = filename or str(getattr(file, "name", file))
    raw = _read(io.BytesIO(file) if isinstance(file, bytes) else file, filename=name, sheet=kind)
    header_row, positions, shown = _headers(raw, kind)
    if sum(1 for values in raw[header_row:] if any(_text(v) for v in values)) > MAX_ROWS:
        raise ImportRejected(
            [RowError(0, "-", _("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS})]
        )
    converters = _converters(kind, cohort)
    errors: list[RowError] = []
    records: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for row_no, values in enumerate(raw[header_row:], start=header_row + 1):
        cells = {key: values[position] if position < len(values) else None for key, position in positions.items()}
        if not any(_text(v) for v in cells.values()):
            continue  # a blank line, or one with only its number (STT) filled in
        bad = len(errors)
        converted = {}
        for key, convert in converters.items():
            value = cells.get(key)
            if _text(value) == "":
                if key in REQUIRED_CELLS[kind]:
                    errors.append(RowError(row_no, shown.get(key, key), _("required")))
                else:
                    converted[key] = EMPTY.get(key, "")
                continue
            try:
                converted[key] = convert(value)
            except ValueError as exc:
                errors.append(RowError(row_no, shown.get(key, key), str(exc)))
        citizen_id = converted.get("citizen_id")
        if citizen_id is not None:
            if citizen_id in seen:
                errors.append(
                    RowError(row_no, shown["citizen_id"], _("duplicate of row %(row)s") % {"row": seen[citizen_id]})
                )
            else:
                seen[citizen_id] = row_no
        if kind == RESULTS and "decision_number" in converted and "decision_date" in converted:
            if converted["decision_number"] and converted["decision_date"] is None:
                errors.append(
                    RowError(
                        row_no,
                        shown.get("decision_date", "decision_date"),
                        _("give the date of the graduation decision with its number"),
                    )
                )
            elif converted["decision_date"] is not None and not converted["decision_number"]:
                errors.append(
                    RowError(
                        row_no,
                        shown.get("decision_number", "decision_number"),
                        _("give the number of the graduation decision with its date"),
                    )
                )
        if len(errors) == bad:
            records.append((row_no, converted))
    if not records and not errors:
        raise ImportRejected([RowError(header_row + 1, "-", _("the file has no data rows"))])
    plan = ImportPlan(kind=kind, cohort=cohort, rows=[], headers=shown)
    ids = list(seen)
    plan.enrolments = {
        e.learner.citizen_id: e
        for e in Enrolment.objects.filter(cohort=cohort, learner__citizen_id__in=ids).select_related("learner")
    }
    for enrolment in plan.enrolments.values():
        enrolment.cohort = cohort  # the services read the cohort's scale and school: no query per row
    if kind == LEARNERS:
        plan.learners = {learner.citizen_id: learner for learner in Learner.objects.filter(citizen_id__in=ids)}
        _learner_rows(plan, records, errors)
    else:
        _result_rows(plan, records, errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return plan


def _learner_rows(plan: ImportPlan, records: list[tuple[int, dict]], errors: list[RowError]) -> None:
    for row_no, cells in records:
        row = LearnerRow(
            row=row_no,
            citizen_id=cells["citizen_id"],
            full_name=cells["full_name"],
            date_of_birth=cells["date_of_birth"],
            sex=cells["sex"],
            place_of_birth=cells["place_of_birth"],
            ethnicity=cells.get("ethnicity") or "Kinh",
            student_number=cells.get("student_number", ""),
        )
        known = plan.learners.get(row.citizen_id)
        # The same rule as save_learner, told before anything is written (another school's record is not shown).
        if known is not None and (known.full_name, known.date_of_birth) != (row.full_name, row.date_of_birth):
            errors.append(
                plan.error(
                    row_no,
                    "citizen_id",
                    _("A learner with citizen ID %(id)s is already registered under another name or date of birth.")
                    % {"id": row.citizen_id},
                )
            )
            continue
        plan.rows.append(row)


def _result_rows(plan: ImportPlan, records: list[tuple[int, dict]], errors: list[RowError]) -> None:
    for row_no, cells in records:
        row = ResultRow(
            row=row_no,
            citizen_id=cells["citizen_id"],
            final_score=cells["final_score"],
            all_credits_completed=cells["all_credits_completed"],
            disciplined=cells.get("disciplined", False),
            retaken=cells.get("retaken", False),
            decision_number=cells.get("decision_number", ""),
            decision_date=cells.get("decision_date"),
        )
        enrolment = plan.enrolments.get(row.citizen_id)
        if enrolment is None:
            errors.append(
                plan.error(
                    row_no,
                    "citizen_id",
                    _("citizen ID %(id)s is not enrolled in cohort %(cohort)s")
                    % {"id": row.citizen_id, "cohort": plan.cohort.code},
                )
            )
            continue
        # A graduate's classification is recomputed only with a new decision: the services keep the old one when
        # the same decision is recorded again.
        if enrolment.graduated and not _same_result(enrolment, row) and _same_decision(enrolment, row):
            errors.append(
                plan.error(
                    row_no,
                    "decision_number",
                    _(
                        "the learner graduated by decision %(number)s with another result: to change the result, "
                        "give the new graduation decision (number and date)"
                    )
                    % {"number": enrolment.graduation_decision_number},
                )
            )
            continue
        plan.rows.append(row)


def _same_result(enrolment: Enrolment, row: ResultRow) -> bool:
    return (
        enrolment.final_score == row.final_score
        and enrolment.all_credits_completed == row.all_credits_completed
        and enrolment.disciplined == row.disciplined
        and enrolment.retaken_modules == row.retaken
    )


def _same_decision(enrolment: Enrolment, row: ResultRow) -> bool:
    return not row.decision_number or (
        enrolment.graduated
        and enrolment.graduation_decision_number == row.decision_number
        and enrolment.graduation_date == row.decision_date
    )


# ------------------------------------------------------------------------------------------------ writing


def apply_plan(*, user, plan: ImportPlan, dry_run: bool = False) -> ImportSummary:
    """Write a checked file through the services in one transaction: every row, or (on any refusal, reported by
    row and column as ImportRejected) none. Each row costs the services' own queries; lookups were made once."""
    require_import_permission(user, plan.cohort, plan.kind)
    summary = ImportSummary(kind=plan.kind, rows=len(plan.rows), dry_run=dry_run)
    try:
        with transaction.atomic():
            errors: list[RowError] = []
            write = _write_learner if plan.kind == LEARNERS else _write_result
            for row in plan.rows:
                # Each service call is atomic (a savepoint): after a refusal the transaction goes on, so that every
                # refused row is reported, and is rolled back whole at the end.
                try:
                    write(user, plan, row, summary)
                except ValidationError as exc:
                    errors += _refusals(plan, row.row, exc)
                except IntegrityError:
                    errors.append(
                        plan.error(
                            row.row, "citizen_id", _("changed by someone else during the import; import the file again")
                        )
                    )
            if errors:
                raise ImportRejected(errors)
            if dry_run:
                raise _DryRun(summary)
    except _DryRun:
        pass  # rolled back: the summary says what the import would do
    return summary


def _write_learner(user, plan: ImportPlan, row: LearnerRow, summary: ImportSummary) -> None:
    if row.citizen_id in plan.enrolments:
        summary.already_enrolled += 1  # importing the same file again changes nothing
        return
    learner = services.save_learner(
        user=user,
        citizen_id=row.citizen_id,
        full_name=row.full_name,
        date_of_birth=row.date_of_birth,
        sex=row.sex,
        place_of_birth=row.place_of_birth,
        ethnicity=row.ethnicity,
    )
    services.enrol_learner(user=user, cohort=plan.cohort, learner=learner, student_number=row.student_number)
    summary.enrolled += 1
    summary.new_learners += row.citizen_id not in plan.learners


def _write_result(user, plan: ImportPlan, row: ResultRow, summary: ImportSummary) -> None:
    enrolment = plan.enrolments[row.citizen_id]
    same_result, same_decision = _same_result(enrolment, row), _same_decision(enrolment, row)
    if same_result and same_decision:
        summary.unchanged += 1
        return
    if not same_result:
        enrolment = services.record_result(
            user=user,
            enrolment=enrolment,
            final_score=row.final_score,
            all_credits_completed=row.all_credits_completed,
            disciplined=row.disciplined,
            retaken_modules=row.retaken,
        )
    if row.decision_number:  # again after a changed result, so that the classification follows it
        services.record_graduation(
            user=user, enrolment=enrolment, decision_number=row.decision_number, decision_date=row.decision_date
        )
        summary.graduated += 1
    summary.recorded += 1


def _refusals(plan: ImportPlan, row_no: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        pairs = [(name, error) for name, errors in exc.error_dict.items() for error in errors]
    else:
        pairs = [(None, error) for error in exc.error_list]
    found = []
    for name, error in pairs:
        message = " ".join(error.messages)
        if error.code in COHORT_CODES:
            raise ImportRejected([RowError(0, "-", message)])
        column = SERVICE_FIELDS.get(name) or SERVICE_CODES.get(error.code) or "-"
        found.append(plan.error(row_no, column, message))
    return found


def import_file(
    file, *, user, cohort: Cohort, kind: str, filename: str | None = None, dry_run: bool = False
) -> ImportSummary:
    """Check and import a learners or results file of a cohort, all or nothing (see check_file, apply_plan)."""
    require_import_permission(user, cohort, kind)
    plan = check_file(file, cohort=cohort, kind=kind, filename=filename)
    return apply_plan(user=user, plan=plan, dry_run=dry_run)


# ------------------------------------------------------------------------------------------------ template

COLUMN_HELP = {
    "citizen_id": gettext_lazy(
        "The 12-digit number of the citizen identity card (căn cước). Format the column as "
        "text so that Excel keeps the leading zeros; a number that lost them is padded back."
    ),
    "full_name": gettext_lazy("Full name as on the identity card."),
    "date_of_birth": gettext_lazy("dd/mm/yyyy (e.g. 05/09/2004), yyyy-mm-dd, or an Excel date."),
    "sex": gettext_lazy("Nam or Nữ (male or female)."),
    "place_of_birth": gettext_lazy("Province or city of birth, as printed on the diploma."),
    "ethnicity": gettext_lazy("Ethnic group; empty means Kinh."),
    "student_number": gettext_lazy("The school's student number. Optional."),
    "final_score": gettext_lazy(
        "Cumulative GPA on 4 points (credit system) or average score on 10 points (year "
        "system), as the cohort's grading scale says; at most two decimals, a comma "
        "accepted."
    ),
    "all_credits_completed": gettext_lazy(
        "Every credit or module completed: yes or no (có/không, x or empty, true/false, 1/0)."
    ),
    "disciplined": gettext_lazy(
        "Disciplined during the course: yes or no; it may lower the classification one step (Circular 04/2022)."
    ),
    "retaken": gettext_lazy(
        "Retook modules or exams: yes or no; it may lower the classification one step (Circular 04/2022)."
    ),
    "decision_number": gettext_lazy(
        "Number of the graduation decision. With its date, the learner is recognised "
        "as a graduate and classified; leave both empty to record only the result."
    ),
    "decision_date": gettext_lazy(
        "Date of the graduation decision, written as the date of birth; given with the decision number or not at all."
    ),
}
EXAMPLE = {
    "citizen_id": "082204001234",
    "full_name": "Nguyễn Thị Ánh Tuyết",
    "date_of_birth": "15/03/2004",
    "sex": "Nữ",
    "place_of_birth": "Tiền Giang",
    "ethnicity": "Kinh",
    "student_number": "CĐ23001",
    "final_score": "3,25",
    "all_credits_completed": "có",
    "disciplined": "không",
    "retaken": "x",
    "decision_number": "245/QĐ-CĐ",
    "decision_date": "30/06/2026",
}
TEXT_COLUMNS = ("citizen_id", "student_number", "decision_number")
DATE_COLUMNS = ("date_of_birth", "decision_date")
TEMPLATE_ROWS = 500


def template_xlsx(kind: str) -> bytes:
    """The empty workbook of a kind: the header row on the first sheet, and an instructions sheet in the active
    language naming each column, its Vietnamese header, whether it is required, its meaning and an example."""
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(list(columns))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(len(column) + 4, 16)
        number_format = "@" if column in TEXT_COLUMNS else "DD/MM/YYYY" if column in DATE_COLUMNS else None
        if number_format:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row, index).number_format = number_format  # IDs keep their leading zeros
        sheet.cell(1, index).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("Instructions"))
    intro = [
        _(
            "Learners of a cohort: one row per learner. A learner already registered with the same citizen ID is "
            "reused, never created twice; a learner already in the cohort is left as is, so importing the same file "
            "again changes nothing."
        )
        if kind == LEARNERS
        else _(
            "Final results of a cohort: one row per learner already enrolled in it. With a graduation decision "
            "(number and date) the learner is recognised as a graduate, classified by the rules in force on the "
            "decision date; a learner who does not meet the conditions is refused with the reason."
        ),
        _("Fill in one row per record on the first sheet, below the header row; keep the headers."),
        _(
            "The whole file is checked first: if any row has a problem, nothing is written and every problem is listed "
            "by row and column."
        ),
        _("Columns STT (numbering) and Ghi chú (notes) are ignored; any other column not listed below is an error."),
    ]
    for line in intro:
        guide.append([line])
    guide.append([])
    guide.append([_("Column"), _("Vietnamese header also accepted"), _("Required"), _("Meaning"), _("Example")])
    header_row = guide.max_row
    for column in columns:
        guide.append(
            [
                column,
                HEADERS_VI[column][0],
                _("yes") if column in REQUIRED_COLUMNS[kind] else _("no"),
                str(COLUMN_HELP[column]),
                EXAMPLE[column],
            ]
        )
    for cell in guide[header_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (24, 30, 10, 80, 26), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=header_row + 1):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
