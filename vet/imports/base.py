"""What every import kind is: its columns, its context, how it checks and writes a file, and its templates."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from vet.downloads import csv_bytes

from . import engine
from .engine import Column, Errors, FileRejected, Table

# What a check found, by the name of the count: the labels of the preview and of the summary.
COUNT_LABELS = {
    "rows": gettext_lazy("rows"),
    "created": gettext_lazy("new"),
    "updated": gettext_lazy("changed"),
    "unchanged": gettext_lazy("unchanged"),
    "learners_new": gettext_lazy("learners registered for the first time"),
    "enrolled": gettext_lazy("enrolments"),
    "already_enrolled": gettext_lazy("already enrolled, left as they are"),
    "items_created": gettext_lazy("new equipment items"),
    "items_updated": gettext_lazy("changed equipment items"),
    "items_unchanged": gettext_lazy("unchanged equipment items"),
    "recorded": gettext_lazy("results recorded"),
    "graduated": gettext_lazy("graduations recognised"),
}
PREVIEW_ROWS = 20
DATA_SHEET, INSTRUCTIONS_SHEET = "data", "instructions"
TYPE_HELP = {
    engine.TEXT: gettext_lazy("text"),
    engine.CODE: gettext_lazy("code, as text (keep leading zeros)"),
    engine.INT: gettext_lazy("whole number"),
    engine.DECIMAL: gettext_lazy("number (decimal point or comma)"),
    engine.DATE: gettext_lazy("date dd/mm/yyyy"),
    engine.BOOL: gettext_lazy("có / không (yes / no)"),
    engine.CHOICE: gettext_lazy("one of the values listed"),
    engine.EMAIL: gettext_lazy("e-mail address"),
    engine.URL: gettext_lazy("web address"),
}


@dataclass
class Context:
    """Who imports, for which institution or cohort (when the kind needs one), and where progress goes."""

    user: object
    institution: object | None = None
    cohort: object | None = None
    progress: Callable[[int, str], None] = lambda percent, step: None


@dataclass
class Checked:
    """A checked file: its errors, or what writing it will do (`counts`, a preview) and what to write (`payload`)."""

    rows: int = 0
    errors: Errors = field(default_factory=Errors)
    counts: dict[str, int] = field(default_factory=dict)
    preview: list[list[str]] = field(default_factory=list)  # the headers, then the first rows as read
    payload: object = None


class ImportKind:
    """A kind of file. Subclasses set the class attributes and implement `validate` and `write` (or override
    `check` to delegate to an older importer)."""

    key = ""
    order = 0
    label = ""
    description = ""
    columns: tuple[Column, ...] = ()
    context: str | None = None  # None, "institution" or "cohort"
    max_rows = 200_000

    # -------------------------------------------------------------------------------------------- who may
    def may_import(self, user) -> bool:
        """May `user` import this kind at all (the menu, the upload form)?"""
        raise NotImplementedError

    def check_context(self, user, context: Context) -> None:
        """PermissionDenied unless `user` may import into the context (the institution or cohort chosen)."""

    # -------------------------------------------------------------------------------------------- checking
    def check(self, path: str | Path, context: Context, *, filename: str | None = None) -> Checked:
        """Read, convert and check every row; the database is read, never written."""
        try:
            table = engine.load(path, self.columns, filename=filename, max_rows=self.max_rows,
                                progress=lambda p: context.progress(5 + p * 45 // 100, str(_("Reading the cells"))))
        except FileRejected as rejected:
            return Checked(errors=rejected.errors)
        context.progress(50, _("Checking references and duplicates"))
        checked = Checked(rows=len(table), errors=table.errors, preview=self._preview(table))
        self.validate(table, context, checked)
        return checked

    def validate(self, table: Table, context: Context, checked: Checked) -> None:
        """Add the errors that need the database or other rows, and set `counts` and `payload`."""
        raise NotImplementedError

    def write(self, checked: Checked, context: Context) -> dict[str, int]:
        """Write a checked file without errors (inside the caller's transaction); returns the counts written."""
        raise NotImplementedError

    def _preview(self, table: Table) -> list[list[str]]:
        keys = [c.key for c in self.columns if table.has(c.key)]
        head = [table.errors.shown.get(k, k) for k in keys]
        rows = table.raw[keys].head(PREVIEW_ROWS).values.tolist()
        numbers = table.rows.head(PREVIEW_ROWS).tolist()
        return [[_("Row"), *head], *[[str(n), *row] for n, row in zip(numbers, rows, strict=True)]]

    # -------------------------------------------------------------------------------------------- templates
    def template_xlsx(self) -> bytes:
        """An empty data sheet with the headers, and an instructions sheet (what each column holds)."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = DATA_SHEET
        sheet.append([c.header for c in self.columns])
        required = PatternFill("solid", fgColor="FFF2CC")
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(1, index)
            cell.font = Font(bold=True)
            if column.required:
                cell.fill = required
            if column.type in (engine.CODE, engine.TEXT, engine.DATE):
                for row in range(2, 502):
                    sheet.cell(row, index).number_format = "@"  # codes keep their zeros, dates their order
            sheet.column_dimensions[cell.column_letter].width = max(14, min(len(column.header) + 4, 40))
        sheet.freeze_panes = "A2"
        self._instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def _instructions(self, sheet) -> None:
        sheet.append([str(self.label)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([str(self.description)])
        for line in instructions_intro():
            sheet.append([line])
        sheet.append([])
        sheet.append([_("Header"), _("Also accepted"), _("Required"), _("Format"), _("Meaning"), _("Example")])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for column in self.columns:
            format_text = str(TYPE_HELP[column.type])
            if column.type == engine.CHOICE:
                format_text += ": " + ", ".join(sorted(set(column.choices().values())))
            if column.max_length:
                format_text += " " + _("(at most %(max)s characters)") % {"max": column.max_length}
            sheet.append([column.header, ", ".join([column.key, *column.aliases]),
                          _("yes") if column.required else _("no"), format_text, str(column.help), column.example])
        for letter, width in zip("ABCDEF", (30, 30, 10, 36, 70, 24), strict=True):
            sheet.column_dimensions[letter].width = width
        for row in sheet.iter_rows(min_row=header_row + 1):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    def template_csv(self) -> bytes:
        return csv_bytes([c.header for c in self.columns], [])


def instructions_intro() -> list[str]:
    return [
        _("Fill in one row per record on the first sheet, below the header row; keep the headers (Vietnamese or "
          "the keys in the second column below). Columns STT and Ghi chú are ignored."),
        _("Required columns are shaded. For a CSV file, save it as “CSV UTF-8 (comma delimited)”."),
        _("The whole file is checked first and a preview lists every problem by row and column; if any row has a "
          "problem nothing is written. After the preview, confirm to write every row at once."),
    ]


def rejected_errors(rejected) -> Errors:
    """The row errors of an older importer's ImportRejected (vet.importers.RowError) as the job's errors."""
    errors = Errors()
    for error in rejected.errors:
        errors.add(error.row, error.column, error.message)
    return errors


def refusal_messages(exc: Exception) -> list[tuple[str, str]]:
    """(field, message) pairs of a service's refusal: a ValidationError's fields, or a PermissionDenied."""
    if isinstance(exc, PermissionDenied):
        return [("-", str(exc) or _("permission denied"))]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [(name, message) for name, errors in exc.message_dict.items() for message in errors]
    return [("-", message) for message in getattr(exc, "messages", [str(exc)])]


class WriteRefused(Exception):
    """A service refused rows while the file was written: the transaction is rolled back, the rows named."""

    def __init__(self, errors: Errors):
        super().__init__(str(errors.count))
        self.errors = errors


def context_choices(kind: ImportKind, user):
    """The institutions (or, for a cohort kind, the cohorts) a user may choose to import into."""
    from vet import permissions
    from vet.models import Institution

    if kind.context == "cohort":
        return kind.cohorts_for(user)
    roles = permissions.get_roles(user)
    institutions = Institution.objects.order_by("name_vi")
    return institutions if roles.is_admin else institutions.filter(pk__in=roles.institution_ids)
