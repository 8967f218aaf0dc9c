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

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message}


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
