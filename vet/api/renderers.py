"""Every list endpoint also answers as CSV (`?format=csv`) and XLSX (`?format=xlsx`): the page of results as rows,
nested objects flattened into dotted columns ("province.code"). Use `page_size` (up to 200) and the `next` link
(in the `Link` header) to take a whole list."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook
from rest_framework import renderers

from vet.downloads import xlsx_cell


def _flatten(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    if isinstance(value, list):
        return {prefix[:-1]: json.dumps(value, ensure_ascii=False) if value else ""}
    return {prefix[:-1]: value}


def _rows(data) -> tuple[list[str], list[dict]]:
    if isinstance(data, dict) and "results" in data:
        data = data["results"]
    if isinstance(data, dict):  # one object, or an error body
        data = [data]
    rows = [_flatten(item) if isinstance(item, dict) else {"value": item} for item in data or []]
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)
    return header, rows


def _link_header(renderer_context) -> None:
    response = (renderer_context or {}).get("response")
    data = getattr(response, "data", None)
    if response is not None and isinstance(data, dict) and data.get("next"):
        response["Link"] = f'<{data["next"]}>; rel="next"'


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        _link_header(renderer_context)
        header, rows = _rows(data)
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads UTF-8 (Vietnamese) only with the byte-order mark
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")


def _cell(value):
    """A value Excel can hold: nested data as JSON, control characters removed from text."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return xlsx_cell(value)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        _link_header(renderer_context)
        header, rows = _rows(data)
        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(row.get(key)) for key in header])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
