"""The register book (sổ gốc cấp văn bằng, chứng chỉ) of one institution and year, as rows, XLSX and PDF.

The book of a year holds every register entry of the diplomas numbered in that year, in register order: the
issue, and later the revocation of the same diploma or the re-issue that replaced it (Circular 10/2017). The
columns come from the entry's own frozen data (what its hash covers), never from the learner's current record.
Every book states whether the institution's hash chain verifies (`services.verify_register`). Labels follow the
active language; the register's data stays as it was written (in Vietnamese)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from vet import permissions
from vet import rendering as vet_rendering
from vet.models import Institution
from vet.text import fold

from . import choices
from .models import Diploma, RegisterEntry
from .services import ChainProblem, verify_register

PDF_TEMPLATE = "certificates/register_book.html"
MAX_WIDTH = 60


@dataclass(frozen=True)
class RegisterRow:
    """One line of the book: one register entry, with the diploma's status and what later happened to it."""

    position: int
    register_number: str
    serial: str
    full_name: str
    date_of_birth: datetime.date | None
    place_of_birth: str
    sex: str
    ethnicity: str
    occupation_code: str
    occupation: str
    level: str
    classification: str
    graduation_decision: str
    graduation_date: datetime.date | None
    issued_on: datetime.date | None
    status: str  # the diploma's status now
    status_display: str
    notes: str  # re-issue and revocation cross-references
    action: str
    action_display: str
    reason: str
    recorded_by: str
    recorded_at: datetime.datetime  # local time, without time zone (spreadsheets keep none)


@dataclass(frozen=True)
class RegisterBook:
    institution: Institution
    year: int
    rows: list[RegisterRow]
    problems: list[ChainProblem]  # of the institution's whole chain: one break makes every later entry doubtful
    entries_checked: int
    generated_at: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)  # per action

    @property
    def chain_intact(self) -> bool:
        return not self.problems


# --- who may read it --------------------------------------------------------------------------------------------


def register_book_institutions(user) -> QuerySet:
    """Institutions whose register book `user` may read: an administrator every one, an officer those of the
    provinces of their jurisdiction, school staff their own school (as for the diplomas themselves)."""
    roles = permissions.get_roles(user)
    institutions = Institution.objects.select_related("province").order_by("name_vi")
    if roles.is_admin:
        return institutions
    return institutions.filter(Q(pk__in=roles.institution_ids) | Q(province_id__in=roles.province_ids))


def check_register_book_access(user, institution: Institution) -> None:
    """Refuse (PermissionDenied) unless `user` may read the diplomas of `institution`."""
    if not permissions.has_object_permission(user, permissions.VIEW, Diploma(institution=institution)):
        raise PermissionDenied(
            _("You may only read the register book of your own school or of the schools of your province.")
        )


# --- rows -------------------------------------------------------------------------------------------------------


def list_register_entries(institution: Institution, year: int) -> QuerySet:
    """The register entries of the diplomas numbered in `year` by `institution`, in register order."""
    return (
        RegisterEntry.objects.filter(institution=institution, diploma__year=year)
        .select_related("diploma", "diploma__replaces", "diploma__replaced_by")
        .defer("diploma__snapshot", "diploma__replaces__snapshot", "diploma__replaced_by__snapshot")
        .order_by("position")
    )


def register_years(institutions: QuerySet) -> list[int]:
    """The years in which these institutions numbered diplomas, latest first."""
    return sorted(
        set(
            Diploma.objects.filter(institution__in=institutions, register_entries__isnull=False).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _day(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _notes(entry: RegisterEntry, revocations: dict[int, RegisterEntry]) -> str:
    diploma, notes = entry.diploma, []
    if entry.action == choices.RegisterAction.REISSUE and diploma.replaces is not None:
        notes.append(
            _("Re-issue of serial %(serial)s (issued on %(date)s).")
            % {"serial": diploma.replaces.serial, "date": _day(diploma.replaces.issued_on)}
        )
    if entry.action == choices.RegisterAction.ISSUE or entry.action == choices.RegisterAction.REISSUE:
        replacement = getattr(diploma, "replaced_by", None)
        if replacement is not None:
            notes.append(
                _("Replaced by serial %(serial)s, register entry %(number)s, issued on %(date)s.")
                % {
                    "serial": replacement.serial,
                    "number": replacement.register_number,
                    "date": _day(replacement.issued_on),
                }
            )
        revocation = revocations.get(diploma.pk)
        if revocation is not None:
            notes.append(
                _("Revoked on %(date)s (entry no. %(position)s): %(reason)s")
                % {
                    "date": _day(timezone.localtime(revocation.recorded_at).date()),
                    "position": revocation.position,
                    "reason": revocation.reason,
                }
            )
    return " ".join(notes)


def build_rows(entries) -> list[RegisterRow]:
    """The book's rows of these entries (one more query finds the revocations of their diplomas)."""
    entries = list(entries)
    revocations = {
        e.diploma_id: e
        for e in RegisterEntry.objects.filter(
            diploma_id__in={e.diploma_id for e in entries}, action=choices.RegisterAction.REVOKE
        ).only("diploma_id", "position", "reason", "recorded_at")
    }
    rows = []
    for e in entries:
        data, diploma = e.data, e.diploma
        rows.append(
            RegisterRow(
                position=e.position,
                register_number=data.get("register_number", diploma.register_number),
                serial=data.get("serial", diploma.serial),
                full_name=data.get("full_name", ""),
                date_of_birth=_date(data.get("date_of_birth")),
                place_of_birth=data.get("place_of_birth", ""),
                sex=data.get("sex", ""),
                ethnicity=data.get("ethnicity", ""),
                occupation_code=data.get("occupation_code", ""),
                occupation=data.get("occupation", ""),
                level=data.get("level", ""),
                classification=data.get("classification", ""),
                graduation_decision=data.get("graduation_decision", ""),
                graduation_date=_date(data.get("graduation_date")),
                issued_on=_date(data.get("issued_on")),
                status=diploma.status,
                status_display=diploma.get_status_display(),
                notes=_notes(e, revocations),
                action=e.action,
                action_display=e.get_action_display(),
                reason=e.reason,
                recorded_by=e.actor_name,
                recorded_at=timezone.localtime(e.recorded_at).replace(tzinfo=None),
            )
        )
    return rows


def check_chain(institution: Institution) -> tuple[list[ChainProblem], int]:
    """The problems of the institution's whole hash chain, and how many entries were checked."""
    return (verify_register([institution.pk]), RegisterEntry.objects.filter(institution=institution).count())


def build_register_book(*, user, institution: Institution, year: int) -> RegisterBook:
    """The register book (sổ gốc) of `institution` for `year`, for school staff of that institution and officers
    of its province (Circular 10/2017); a bounded number of queries whatever the number of diplomas."""
    check_register_book_access(user, institution)
    rows = build_rows(list_register_entries(institution, year))
    problems, checked = check_chain(institution)
    counts = {action: sum(1 for r in rows if r.action == action) for action in choices.RegisterAction.values}
    return RegisterBook(
        institution=institution,
        year=year,
        rows=rows,
        problems=problems,
        entries_checked=checked,
        generated_at=timezone.localtime().replace(microsecond=0),
        counts=counts,
    )


def chain_summary(book: RegisterBook) -> str:
    """The chain check in one sentence, as the book prints it."""
    if book.chain_intact and not book.entries_checked:
        return _("The institution's register has no entries yet.")
    if book.chain_intact:
        return _("Hash chain verified: all %(count)s entries of the institution's register are intact.") % {
            "count": book.entries_checked
        }
    return _(
        "Hash chain BROKEN: %(problems)s problem(s) in the institution's register (%(count)s entries "
        "checked). Do not rely on this book until the institution has investigated."
    ) % {"problems": len(book.problems), "count": book.entries_checked}


def export_filename(book: RegisterBook, extension: str) -> str:
    code = re.sub(r"[^a-z0-9_-]+", "-", fold(book.institution.code)).strip("-") or "institution"
    return f"register-book-{code}-{book.year}.{extension}"


# --- XLSX ---------------------------------------------------------------------------------------------------------


def _columns() -> list[tuple[str, str, int]]:
    """(attribute, header, minimum width) of each column of the spreadsheet, in order."""
    return [
        ("position", _("Entry no."), 7),
        ("register_number", _("Register number (số vào sổ gốc)"), 14),
        ("serial", _("Serial (số hiệu)"), 14),
        ("full_name", _("Full name"), 22),
        ("date_of_birth", _("Date of birth"), 11),
        ("place_of_birth", _("Place of birth"), 14),
        ("sex", _("Sex"), 6),
        ("ethnicity", _("Ethnicity"), 9),
        ("occupation_code", _("Occupation code"), 10),
        ("occupation", _("Occupation"), 20),
        ("level", _("Level"), 10),
        ("classification", _("Classification"), 11),
        ("graduation_decision", _("Graduation decision number"), 14),
        ("graduation_date", _("Graduation decision date"), 11),
        ("issued_on", _("Issued on"), 11),
        ("status_display", _("Status"), 12),
        ("notes", _("Re-issue and revocation notes"), 30),
        ("action_display", _("Entry"), 10),
        ("reason", _("Reason"), 20),
        ("recorded_by", _("Recorded by"), 12),
        ("recorded_at", _("Recorded at"), 17),
    ]


DATE_COLUMNS = {"date_of_birth", "graduation_date", "issued_on"}
TEXT_COLUMNS = {"register_number", "serial", "occupation_code", "graduation_decision"}  # 00012 stays 00012
WRAP_COLUMNS = {"notes", "reason", "occupation", "place_of_birth"}
HEADER_FILL = PatternFill("solid", fgColor="E5E9F0")
BROKEN_FILL = PatternFill("solid", fgColor="FFCDD2")
INTACT_FILL = PatternFill("solid", fgColor="C8E6C9")
STATUS_FILL = {
    choices.DiplomaStatus.REVOKED: PatternFill("solid", fgColor="FDE8E8"),
    choices.DiplomaStatus.REISSUED: PatternFill("solid", fgColor="FFF4D6"),
}
THIN = Side(style="thin", color="9AA3B2")


def register_book_xlsx(book: RegisterBook) -> bytes:
    """The book as a workbook: title rows naming the institution and year, the chain check, then one row per
    register entry under a bold, frozen header; a second sheet lists the chain's problems, if any."""
    columns = _columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (_("Register %(year)s") % {"year": book.year})[:31]
    width = len(columns)
    titles = [
        (
            _("REGISTER OF ISSUED DIPLOMAS AND CERTIFICATES (SỔ GỐC) — %(year)s") % {"year": book.year},
            Font(bold=True, size=14),
        ),
        (f"{book.institution.name_vi} ({book.institution.code})", Font(bold=True, size=12)),
        (chain_summary(book), Font(bold=True, color="0B5B24" if book.chain_intact else "8A1010")),
        (
            _("Generated on %(date)s; %(count)s entries in this book.")
            % {"date": book.generated_at.strftime("%d/%m/%Y %H:%M"), "count": len(book.rows)},
            Font(italic=True),
        ),
    ]
    for text, font in titles:
        sheet.append([text])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
        sheet.cell(sheet.max_row, 1).font = font
    sheet.cell(3, 1).fill = INTACT_FILL if book.chain_intact else BROKEN_FILL
    header_row = len(titles) + 1
    sheet.append([header for _attr, header, _width in columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    sheet.row_dimensions[header_row].height = 45
    for row in book.rows:
        sheet.append([getattr(row, attr) for attr, _header, _width in columns])
        for cell, (attr, _header, _width) in zip(sheet[sheet.max_row], columns, strict=True):
            cell.alignment = Alignment(vertical="top", wrap_text=attr in WRAP_COLUMNS)
            if attr in DATE_COLUMNS:
                cell.number_format = "dd/mm/yyyy"
            elif attr == "recorded_at":
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
            elif attr in TEXT_COLUMNS:
                cell.number_format = "@"
            if attr == "status_display" and row.status in STATUS_FILL:
                cell.fill = STATUS_FILL[row.status]
    # As wide as the longest cell below the title rows, within reason (as the other exports do).
    for index, (_attr, _header, minimum) in enumerate(columns, start=1):
        longest = max(
            (len(str(c.value)) for c in sheet[get_column_letter(index)][header_row:] if c.value is not None), default=0
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, minimum), MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(header_row + 1, 5)  # titles, header and the entry/number/serial/name columns
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(width)}{max(sheet.max_row, header_row)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    if book.problems:
        problems = workbook.create_sheet(_("Chain problems")[:31])
        problems.append([_("Entry no."), _("Problem")])
        for problem in book.problems:
            problems.append([problem.position, problem.message])
        for cell in problems[1]:
            cell.font = Font(bold=True)
        problems.freeze_panes = "A2"
        problems.column_dimensions["A"].width = 10
        problems.column_dimensions["B"].width = MAX_WIDTH
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------------


def register_book_pdf(book: RegisterBook) -> bytes:
    """The book as an A4 landscape PDF: the table's header repeats on every page, pages are numbered, and the
    fonts (DejaVu, which covers Vietnamese) are embedded."""
    return vet_rendering.render_pdf(PDF_TEMPLATE, {"book": book, "chain_summary": chain_summary(book)})
