"""File downloads of the admin and the API: one way to answer bytes as an attachment."""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return attachment(content, XLSX, filename)


def csv_bytes(header: list, rows: list[list]) -> bytes:
    """A table as CSV in UTF-8 with the byte-order mark, without which Excel misreads Vietnamese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_cell(value):
    """A value a cell can hold: control characters (which openpyxl refuses) removed from text."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_bytes(header: list, rows: list[list], *, title: str = "", widths: tuple[int, ...] = ()) -> bytes:
    """A table as a one-sheet workbook, the header in bold and frozen."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.title = title[:31]
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
    for cell, width in zip(sheet[1], widths, strict=False):
        sheet.column_dimensions[cell.column_letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
