"""Reading and checking a spreadsheet column by column (pandas; with the kinds, the only code that imports it).

A file is read as text cells (CSV in UTF-8, or the first sheet of an XLSX workbook, read with calamine). Its headers
are matched to the kind's columns by key, by the Vietnamese header of the template, or by an alias, ignoring case,
diacritics and spacing. Each column is then converted as a whole (numbers, dates, yes/no, choices), and every bad
cell is recorded with the row number a spreadsheet shows and the header as the file spells it. Nothing here writes
to the database: the kinds look references up in one query per column and write only a file without errors.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vet.text import fold

TEXT, CODE, INT, DECIMAL, DATE, BOOL, CHOICE, EMAIL, URL = (
    "text", "code", "int", "decimal", "date", "bool", "choice", "email", "url")
YES = {"yes", "y", "true", "1", "x", "co", "c", "dung"}  # compared folded: "Có" is "co"
NO = {"no", "n", "false", "0", "khong", "k", "sai", ""}
# Numbering and notes columns that school spreadsheets always have; left alone (any other unknown column is an error).
IGNORED_HEADERS = {"stt", "tt", "so thu tu", "ghi chu", "note", "notes"}
MAX_STORED_ERRORS = 1000
EARLIEST = datetime.date(1900, 1, 1)
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
NUMBER_CELL = re.compile(r"^\d+\.0$")  # a code that a spreadsheet stored as a number


@dataclass(frozen=True)
class Column:
    """One column of an import: how it is headed, what it holds and how it is checked."""

    key: str
    header: str  # the Vietnamese header of the template
    help: object  # what to write, translatable (shown in the instructions)
    type: str = TEXT
    required: bool = False
    max_length: int | None = None
    minimum: float | datetime.date | None = None  # dates: EARLIEST and ten years from today unless given
    maximum: float | datetime.date | None = None
    places: int | None = None  # decimals allowed
    choices: Callable[[], Mapping[str, str]] | None = None  # folded spelling → value
    example: str = ""
    aliases: tuple[str, ...] = ()
    default: object = ""  # the value of an empty optional cell

    @property
    def empty_value(self):
        """The value of an empty optional cell: the default given, else "", no, or None for numbers and dates."""
        if self.default != "" or self.type in (TEXT, CODE, CHOICE, EMAIL, URL):
            return self.default
        return False if self.type == BOOL else None

    def spellings(self) -> set[str]:
        return {fold(self.key), fold(self.header), *(fold(a) for a in self.aliases)}


@dataclass
class CellError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Errors:
    """Every problem of a file, by row and column; the first MAX_STORED_ERRORS are kept, all are counted."""

    shown: dict[str, str] = field(default_factory=dict)  # column key → header as the file spells it
    items: list[CellError] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, message) -> None:
        self.count += 1
        if len(self.items) < MAX_STORED_ERRORS:
            self.items.append(CellError(int(row), self.shown.get(column, column), str(message)))

    def add_rows(self, table: Table, mask: pd.Series, column: str, message) -> None:
        """An error on every row of `mask`; `message` is a text, or a function of the row's raw cell."""
        if not mask.any():
            return
        raw = table.raw.get(column, None)
        for index in mask[mask].index:
            text = message(raw.at[index] if raw is not None else "") if callable(message) else message
            self.add(table.rows.at[index], column, text)

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[CellError]:
        return sorted(self.items, key=lambda e: e.row)


class FileRejected(Exception):
    """The file cannot be read or checked at all (its type, its headers): nothing more is checked."""

    def __init__(self, errors: Errors):
        super().__init__(str(errors.count))
        self.errors = errors


def read_table(path: str | Path, *, filename: str | None = None) -> pd.DataFrame:
    """A CSV (UTF-8, comma or semicolon) or XLSX file as text cells, every cell a str."""
    suffix = Path(filename or str(path)).suffix.lower()
    errors = Errors()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig") as handle:
                first = handle.readline()
            separator = ";" if first.count(";") > first.count(",") else ","
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=separator)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    except UnicodeDecodeError:
        errors.add(0, "-", _("The CSV file is not in UTF-8: in Excel, save it as “CSV UTF-8 (comma delimited)”."))
        raise FileRejected(errors) from None
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the parser says, the file is not a readable table
        errors.add(0, "-", _("The file could not be read as a %(kind)s table.") % {"kind": suffix.lstrip(".").upper()})
        raise FileRejected(errors) from exc
    errors.add(0, "-", _("Unsupported file type %(suffix)s; use .csv or .xlsx.") % {"suffix": suffix or "?"})
    raise FileRejected(errors)


@dataclass
class Table:
    """A file's data rows: `raw` (text cells, stripped) and `values` (converted) by column key; `rows` holds the
    row number a spreadsheet shows for each."""

    raw: pd.DataFrame
    values: pd.DataFrame
    rows: pd.Series
    errors: Errors
    columns: tuple[Column, ...]

    def __len__(self) -> int:
        return len(self.raw)

    def has(self, key: str) -> bool:
        return key in self.raw.columns

    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors.items}

    def duplicates(self, keys: list[str], message: Callable[[int], str], *, column: str | None = None,
                   mask: pd.Series | None = None) -> None:
        """An error on every row repeating the values of `keys` of an earlier row (naming that row)."""
        frame = self.values[keys]
        usable = frame.notna().all(axis=1) & (frame != "").all(axis=1)
        if mask is not None:
            usable &= mask
        frame = frame[usable]
        repeated = frame.duplicated(keep="first")
        if not repeated.any():
            return
        first_rows = self.rows[usable].groupby([frame[k] for k in keys]).transform("first")
        for index in repeated[repeated].index:
            self.errors.add(self.rows.at[index], column or keys[0], message(int(first_rows.at[index])))


def check_headers(frame: pd.DataFrame, columns: tuple[Column, ...]) -> dict[str, str]:
    """Column key → header as written in the file; FileRejected naming every unknown, repeated or missing one."""
    errors = Errors()
    spellings = {spelling: column.key for column in columns for spelling in column.spellings()}
    found: dict[str, str] = {}
    for header in frame.columns:
        text = " ".join(str(header).split())
        if not text or text.startswith("Unnamed:"):
            if (frame[header].astype(str).str.strip() != "").any():
                errors.add(1, str(header), _("this column holds data but has no header"))
            continue
        key = spellings.get(fold(text))
        if key is None:
            if fold(text) not in IGNORED_HEADERS:
                errors.add(1, text, _("unknown column; the columns of this file are %(columns)s")
                           % {"columns": ", ".join(c.header for c in columns)})
        elif key in found:
            errors.add(1, text, _("column %(column)s is given twice (also as %(other)s)")
                       % {"column": key, "other": found[key]})
        else:
            found[key] = header
    for column in columns:
        if column.required and column.key not in found:
            errors.add(1, column.header, _("required column is missing"))
    if errors:
        raise FileRejected(errors)
    return found


def load(path: str | Path, columns: tuple[Column, ...], *, filename: str | None = None,
         max_rows: int | None = None, progress: Callable[[int], None] | None = None) -> Table:
    """Read and convert a file column by column. Bad cells become errors on the table (their value None); a file
    that cannot be read, or whose headers are wrong, raises FileRejected."""
    frame = read_table(path, filename=filename)
    found = check_headers(frame, columns)
    raw = pd.DataFrame({key: frame[header].astype(str).str.strip() for key, header in found.items()})
    raw = raw[(raw != "").any(axis=1)] if len(raw.columns) else raw  # blank lines, or only their number (STT)
    errors = Errors(shown={key: " ".join(str(header).split()) for key, header in found.items()})
    if raw.empty:
        errors.add(2, "-", _("the file has no data rows"))
        raise FileRejected(errors)
    if max_rows is not None and len(raw) > max_rows:
        errors.add(0, "-", _("The file has more than %(max)s rows; split it.") % {"max": max_rows})
        raise FileRejected(errors)
    rows = pd.Series(raw.index + 2, index=raw.index)  # row 1 holds the headers, as a spreadsheet numbers them
    table = Table(raw=raw, values=pd.DataFrame(index=raw.index), rows=rows, errors=errors, columns=columns)
    wanted = [c for c in columns if c.key in raw.columns]
    for done, column in enumerate(wanted, start=1):
        table.values[column.key] = _convert(table, column)
        if progress:
            progress(done * 100 // len(wanted))
    for column in columns:  # an optional column the file leaves out: its default on every row
        if column.key not in table.values.columns:
            table.values[column.key] = pd.Series([column.default] * len(raw), index=raw.index, dtype=object)
    return table


def _convert(table: Table, column: Column) -> pd.Series:
    text = table.raw[column.key]
    if column.type in (TEXT, EMAIL, URL):
        text = text.str.normalize("NFC").str.replace(r"\s+", " ", regex=True)
        table.raw[column.key] = text
    elif column.type == CODE:
        text = text.where(~text.str.fullmatch(NUMBER_CELL.pattern), text.str[:-2])
        table.raw[column.key] = text
    empty = text == ""
    if column.required:
        table.errors.add_rows(table, empty, column.key, _("required"))
    converter = CONVERTERS[column.type]
    values = converter(table, column, text, ~empty)
    return values.astype(object).where(~empty, None if column.required else column.empty_value)


def _text(table: Table, column: Column, text: pd.Series, filled: pd.Series) -> pd.Series:
    if column.max_length:
        long = filled & (text.str.len() > column.max_length)
        table.errors.add_rows(table, long, column.key,
                              _("longer than %(max)s characters") % {"max": column.max_length})
        text = text.where(~long, None)
    return text.astype(object)


def _number(table: Table, column: Column, text: pd.Series, filled: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False).where(filled, None), errors="coerce")
    bad = filled & numbers.isna()
    if column.type == INT:
        bad |= filled & numbers.notna() & (numbers % 1 != 0)
        message = _("'%(value)s' is not a whole number")
    else:
        message = _("'%(value)s' is not a number")
    table.errors.add_rows(table, bad, column.key, lambda value: message % {"value": value})
    ok = filled & ~bad
    if column.minimum is not None or column.maximum is not None:
        low = -float("inf") if column.minimum is None else column.minimum
        high = float("inf") if column.maximum is None else column.maximum
        outside = ok & ((numbers < low) | (numbers > high))
        table.errors.add_rows(table, outside, column.key, lambda value: _(
            "'%(value)s' must be between %(min)s and %(max)s") % {
            "value": value, "min": _plain(column.minimum), "max": _plain(column.maximum)})
        ok &= ~outside
    if column.type == DECIMAL and column.places is not None:
        scaled = numbers * 10**column.places
        fine = ok & ((scaled - scaled.round()).abs() > 1e-6)
        table.errors.add_rows(table, fine, column.key, lambda value: _(
            "'%(value)s' has more than %(places)s decimals") % {"value": value, "places": column.places})
        ok &= ~fine
    if column.type == INT:
        return numbers.where(ok).map(lambda n: None if pd.isna(n) else int(n), na_action=None)
    return text.str.replace(",", ".", regex=False).where(ok).map(
        lambda v: None if pd.isna(v) else Decimal(v).quantize(Decimal(1).scaleb(-(column.places or 0))))


def _plain(number) -> str:
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else str(number)


def _date(table: Table, column: Column, text: pd.Series, filled: pd.Series) -> pd.Series:
    iso = text.str.extract(ISO_DATE.pattern)
    day_first = text.str.extract(DAY_FIRST.pattern)
    year = iso[0].fillna(day_first[2])
    month = iso[1].fillna(day_first[1])
    day = iso[2].fillna(day_first[0])
    parts = pd.DataFrame({"year": pd.to_numeric(year, errors="coerce"), "month": pd.to_numeric(month, errors="coerce"),
                          "day": pd.to_numeric(day, errors="coerce")})
    stamps = pd.to_datetime(parts, errors="coerce")
    bad = filled & stamps.isna()
    table.errors.add_rows(table, bad, column.key, lambda value: _(
        "'%(value)s' is not a date; write it as dd/mm/yyyy") % {"value": value})
    dates = pd.Series([s.date() if not pd.isna(s) else None for s in stamps], index=text.index, dtype=object)
    today = datetime.date.today()
    low = column.minimum if isinstance(column.minimum, datetime.date) else EARLIEST
    high = column.maximum if isinstance(column.maximum, datetime.date) else today.replace(year=today.year + 10)
    outside = filled & ~bad & dates.map(lambda d: d is not None and not low <= d <= high)
    table.errors.add_rows(table, outside, column.key, lambda value: _(
        "'%(value)s' is outside %(low)s–%(high)s") % {"value": value, "low": f"{low:%d/%m/%Y}",
                                                      "high": f"{high:%d/%m/%Y}"})
    dates = dates.where(~outside, None)
    return dates


def _bool(table: Table, column: Column, text: pd.Series, filled: pd.Series) -> pd.Series:
    folded = _folded(text)
    yes, no = folded.isin(YES), folded.isin(NO)
    bad = filled & ~yes & ~no
    table.errors.add_rows(table, bad, column.key, lambda value: _(
        "'%(value)s' is not yes or no (write có or không)") % {"value": value})
    return yes.astype(object).where(~bad, None)


def _choice(table: Table, column: Column, text: pd.Series, filled: pd.Series) -> pd.Series:
    aliases = column.choices()
    values = _folded(text).map(aliases)
    bad = filled & values.isna()
    labels = getattr(column.choices, "labels", None)
    allowed = ", ".join(labels() if labels else sorted(set(aliases.values())))
    table.errors.add_rows(table, bad, column.key, lambda value: _(
        "'%(value)s' is not one of %(allowed)s") % {"value": value, "allowed": allowed})
    return values.astype(object).where(~bad, None)


def _validated(validator, message):
    def convert(table: Table, column: Column, text: pd.Series, filled: pd.Series) -> pd.Series:
        text = _text(table, column, text, filled)
        bad_values = set()
        for value in text[filled].dropna().unique():
            try:
                validator(value)
            except ValidationError:
                bad_values.add(value)
        bad = filled & text.isin(bad_values)
        table.errors.add_rows(table, bad, column.key, lambda value: str(message) % {"value": value})
        return text.where(~bad, None)
    return convert


def _folded(text: pd.Series) -> pd.Series:
    """Diacritic-free lower-case cells, folding each distinct value once."""
    return text.map({value: fold(value) for value in text.unique()})


CONVERTERS = {
    TEXT: _text,
    CODE: _text,
    INT: _number,
    DECIMAL: _number,
    DATE: _date,
    BOOL: _bool,
    CHOICE: _choice,
    EMAIL: _validated(EmailValidator(), gettext_lazy("'%(value)s' is not an e-mail address")),
    URL: _validated(URLValidator(), gettext_lazy("'%(value)s' is not a web address")),
}


class choice_map:  # noqa: N801 - used like a function in the column declarations
    """Accepted spellings of a TextChoices (its values, its labels in Vietnamese and English, and `extra` spellings
    → value), folded; `labels()` names the choices in the active language for the messages."""

    def __init__(self, choice_class, extra: Mapping[str, str] | None = None):
        self.choice_class, self.extra = choice_class, extra or {}

    def __call__(self) -> dict[str, str]:
        from django.utils import translation

        spelled = {fold(value): value for value in self.choice_class.values}
        spelled |= {fold(spelling): value for spelling, value in self.extra.items()}
        for language in ("vi", "en"):
            with translation.override(language):
                spelled |= {fold(str(label)): value for value, label in self.choice_class.choices}
        return spelled

    def labels(self) -> list[str]:
        return [str(label) for label in self.choice_class.labels]


def lookup(table: Table, key: str, known: Mapping[str, object], message: Callable[[str], str]) -> pd.Series:
    """The referenced objects of a code column (None where empty or unknown; the unknown ones are errors)."""
    codes = table.values[key]
    found = codes.map(lambda code: known.get(code) if code else None)
    unknown = codes.notna() & (codes != "") & found.isna()
    table.errors.add_rows(table, unknown, key, lambda value: message(value))
    return found
