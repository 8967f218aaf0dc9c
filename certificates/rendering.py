"""Diplomas drawn as PDF/A by WeasyPrint from the frozen snapshot (the only place certificates imports it).

The printed document is bilingual by law whatever the reader's language, so its labels are not translated."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Mapping, Sequence

from django.template.loader import render_to_string

PDF_VARIANT = "pdf/a-3b"
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
_FONT_CONFIG = None


def _mime(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if content.lstrip().startswith(b"<"):
        return "image/svg+xml"
    return "application/octet-stream"


def _data_uri(content: bytes | None) -> str:
    if not content:
        return ""
    return f"data:{_mime(content)};base64,{base64.b64encode(content).decode('ascii')}"


def qr_svg_data_uri(url: str) -> str:
    """The verification URL as a vector QR code (error correction M)."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(scale=1, border=0, dark="#000")


def _dates(iso: str) -> dict:
    day = datetime.date.fromisoformat(iso)
    return {"vi": f"{day:%d/%m/%Y}", "vi_long": f"ngày {day:%d} tháng {day:%m} năm {day:%Y}",
            "en": f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"}


def _context(snapshot: dict, images: Mapping[str, bytes], revoked: bool) -> dict:
    template = snapshot["template"]
    return {
        "s": snapshot, "revoked": revoked,
        "logo": _data_uri(images.get(template.get("logo_sha256") or "")),
        "signature": _data_uri(images.get(template.get("signature_sha256") or "")),
        "seal": _data_uri(images.get(template.get("seal_sha256") or "")),
        "qr": qr_svg_data_uri(snapshot["verification_url"]),
        "birth": _dates(snapshot["holder"]["date_of_birth"]),
        "issued": _dates(snapshot["issued_on"]),
        "graduated": _dates(snapshot["graduation"]["date"]),
    }


def diploma_html(snapshot: dict, *, images: Mapping[str, bytes], revoked: bool = False) -> str:
    """The diploma as HTML (the admin preview shows it as is)."""
    return render_to_string("certificates/diploma.html", {"pages": [_context(snapshot, images, revoked)]})


def _write(html: str, title: str, author: str) -> bytes:
    global _FONT_CONFIG
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    document = HTML(string=html).render(font_config=_FONT_CONFIG)
    document.metadata.title = title
    document.metadata.authors = [author]
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_diploma_pdf(snapshot: dict, *, images: Mapping[str, bytes], revoked: bool = False) -> bytes:
    """One diploma as a one-page A4 landscape PDF/A-3b, fonts embedded."""
    return _write(diploma_html(snapshot, images=images, revoked=revoked),
                  f"{snapshot['kind_en']} {snapshot['serial']}", snapshot["institution"]["name_en"])


def render_diplomas_pdf(items: Sequence[tuple[dict, Mapping[str, bytes]]]) -> bytes:
    """Many diplomas in one print-ready PDF/A, one page each."""
    html = render_to_string("certificates/diploma.html",
                            {"pages": [_context(snapshot, images, False) for snapshot, images in items]})
    first = items[0][0] if items else {"institution": {"name_en": ""}}
    return _write(html, f"Diplomas ({len(items)})", first["institution"]["name_en"])
