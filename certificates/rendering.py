"""Diplomas drawn as PDF/A-3b by WeasyPrint from the frozen snapshot (the only module that imports WeasyPrint).

Everything printed comes from the snapshot and the images it names by SHA-256, so a diploma renders the same
years later. The document is bilingual by law whatever the reader's language, so its labels are not translated.
"""

from __future__ import annotations

import base64
import copy
import datetime
import functools
import gc
import hashlib
import io
import math
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from django.template.loader import render_to_string

TEMPLATE = "certificates/diploma.html"
STYLESHEET = "certificates/diploma.css"
PDF_VARIANT = "pdf/a-3b"
# In the HTML given to WeasyPrint an image is named by this scheme and found in the render's image cache; the
# URL fetcher refuses the scheme, so an image missing from the cache stops the render instead of going unprinted.
IMAGE_REF_SCHEME = "diploma-image"
LAYOUT_PAGES = 25  # diplomas laid out together by render_diploma_pdfs: the set-up shared, the memory bounded
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DEFAULT_PRIMARY, DEFAULT_ACCENT = "#8a1c1c", "#b08d2f"
MAX_IMAGE_PX = 900  # a seal or logo printed 30 mm wide needs no more; bigger uploads only slow the render down
PT_PER_MM = 72 / 25.4
# The width of one character in em, measured on DejaVu Serif Bold (upper case) and Bold (mixed case); used to
# pick a font size that keeps a long name or institution on the lines the layout has room for.
EM_UPPER, EM_MIXED, EM_MIXED_CONDENSED = 0.75, 0.66, 0.594
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")
DECISION_LABEL = {  # what the decision behind the document is called on it
    "skill_certificate": ("Quyết định cấp chứng chỉ", "Certification decision"),
    "elementary_certificate": ("Quyết định công nhận hoàn thành khóa học", "Completion decision"),
}
GRADUATION_DECISION = ("Quyết định công nhận tốt nghiệp", "Graduation decision")

_font_config = None


def _get_font_config():
    # One FontConfiguration for the process: building it scans the system fonts, which costs more than a page.
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration  # imported late: most requests never draw a PDF

        _font_config = FontConfiguration()
    return _font_config


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    # Only data: URIs: a diploma never reaches the network or the disk, and a broken image stops the render.
    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


@functools.cache
def _stylesheet():
    # The diploma's CSS parsed once per process: parsing it again for every page costs about a tenth of a render.
    from weasyprint import CSS

    return CSS(string=render_to_string(STYLESHEET), font_config=_get_font_config(), url_fetcher=_url_fetcher())


@functools.cache
def _memo_raster_class():
    import pydyf
    from weasyprint.images import RasterImage

    def fresh(stream):
        # Writing a PDF replaces the mask of an image by its reference: each PDF gets its own dictionaries.
        extra = pydyf.Dictionary(stream.extra)
        if "SMask" in extra:
            extra["SMask"] = fresh(extra["SMask"])
        return pydyf.Stream(list(stream.stream), extra, stream.compress)

    class MemoRasterImage(RasterImage):
        """A raster image that keeps the PDF image it builds. WeasyPrint decodes a PNG and encodes its colour
        and alpha again for every PDF it is drawn in; the same seal on the next diploma reuses those bytes."""

        def get_x_object(self, interpolate, dpi_ratio):
            key = (interpolate, dpi_ratio)
            if key not in self.built:
                self.built[key] = super().get_x_object(interpolate, dpi_ratio)
            return fresh(self.built[key])

    return MemoRasterImage


_RESOURCE_KINDS = ("ExtGState", "XObject", "Pattern", "Shading")


def _pdf_copy(value, color_space=None, default_color_space=None):
    """A copy of a recorded piece of PDF made of plain pydyf objects, bound to the colour space of the PDF it goes
    into (the only references a drawing of ours holds)."""
    import pydyf

    if isinstance(value, pydyf.Stream):
        extra = _pdf_copy(value.extra, color_space, default_color_space)
        return pydyf.Stream(list(value.stream), extra, value.compress)
    if isinstance(value, dict):
        copied = pydyf.Dictionary()
        for key, item in value.items():
            if key == "ColorSpace" and not isinstance(item, dict):
                copied[key] = color_space
            elif key == "CS":
                copied[key] = default_color_space
            else:
                copied[key] = _pdf_copy(item, color_space, default_color_space)
        return copied
    if isinstance(value, pydyf.Array):
        return pydyf.Array(_pdf_copy(item, color_space, default_color_space) for item in value)
    return value


@functools.cache
def _memo_svg_class():
    from weasyprint.images import SVGImage

    class MemoSVGImage(SVGImage):
        """A vector image that replays the drawing it recorded. The guilloche rosettes (two a page) and the border
        tile are the same on every diploma of a template, and WeasyPrint parses and draws their shapes again for
        each use, about a tenth of a page. Replayed only into a group of its own (a CSS background always gets
        one), so the names of what it draws cannot clash; the bytes are those of a fresh drawing."""

        def draw(self, stream, concrete_width, concrete_height, style):
            resources = stream._resources
            if any(resources.get(kind) for kind in _RESOURCE_KINDS):
                return super().draw(stream, concrete_width, concrete_height, style)
            key = (concrete_width, concrete_height)
            if key not in self.recorded:
                start = len(stream.stream)
                super().draw(stream, concrete_width, concrete_height, style)
                drawn = {kind: _pdf_copy(resources[kind]) for kind in _RESOURCE_KINDS if kind in resources}
                self.recorded[key] = (stream.stream[start:], drawn)
                return None
            operators, drawn = self.recorded[key]
            stream.stream.extend(operators)
            color_space, default_color_space = resources["ColorSpace"], stream._default_color_space
            for kind, objects in drawn.items():
                for name, value in objects.items():
                    resources[kind][name] = _pdf_copy(value, color_space, default_color_space)
            return None

    return MemoSVGImage


@functools.lru_cache(maxsize=64)
def _pdf_svg(data_uri: str):
    """A drawing of the template (rosette, border tile: shapes only, no text or image), parsed once per process."""
    from xml.etree import ElementTree

    from weasyprint.urls import fetch

    with fetch(_url_fetcher(), data_uri) as response:
        tree = ElementTree.fromstring(response.read())
    image = _memo_svg_class()(tree, data_uri, None, None)
    image.recorded = {}
    return f"{IMAGE_REF_SCHEME}:{hashlib.sha256(data_uri.encode()).hexdigest()}", image


@functools.lru_cache(maxsize=64)
def _pdf_image(data_uri: str):
    """The short name of an image in the HTML given to WeasyPrint, and the image itself, built once per process
    as WeasyPrint builds it (same id, so the same bytes as if the data URI were in the HTML)."""
    from PIL import Image
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf import VARIANTS

    content = base64.b64decode(data_uri.partition(",")[2])
    options = {**DEFAULT_OPTIONS, **VARIANTS[PDF_VARIANT][1]}
    image_id = hashlib.md5(data_uri.encode(), usedforsecurity=False).hexdigest()
    image = _memo_raster_class()(Image.open(io.BytesIO(content)), image_id, content, None, {}, "from-image", options)
    image.built = {}
    return f"{IMAGE_REF_SCHEME}:{hashlib.sha256(data_uri.encode()).hexdigest()}", image


def image_mime(content: bytes) -> str:
    """The MIME type of an image from its first bytes (PNG, JPEG, SVG; GIF and WebP for completeness)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "image/svg+xml"
    raise ValueError("unknown image format: a diploma image must be PNG, JPEG or SVG")


@functools.lru_cache(maxsize=64)
def _image_data_uri(content: bytes) -> str:
    mime = image_mime(content)
    if mime != "image/svg+xml":
        content, mime = _shrink(content, mime)
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def _shrink(content: bytes, mime: str) -> tuple[bytes, str]:
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        if max(image.size) <= MAX_IMAGE_PX:
            return content, mime
        image.thumbnail((MAX_IMAGE_PX, MAX_IMAGE_PX))
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, "JPEG", quality=90)
        return out.getvalue(), "image/jpeg"


def _image(images: Mapping[str, bytes], digest: str) -> str:
    if not digest:
        return ""
    if digest not in images:
        # A diploma is never printed without the signature or seal its frozen snapshot names.
        raise ValueError(f"the snapshot names image {digest} but it was not given")
    return _image_data_uri(bytes(images[digest]))


@functools.lru_cache(maxsize=256)
def qr_svg_data_uri(url: str) -> str:
    """The URL as a vector QR code, error correction M exactly (not boosted, so every diploma looks alike)."""
    import segno

    qr = segno.make(url, error="m", boost_error=False, micro=False)
    return qr.svg_data_uri(scale=1, border=0, dark="#000")


@functools.lru_cache(maxsize=32)
def _rosette_data_uri(color: str) -> str:
    """A faint guilloche rosette drawn behind the text of each half, in the template's accent colour."""
    shapes = [f'<ellipse cx="0" cy="0" rx="48" ry="15" transform="rotate({angle})"/>' for angle in range(0, 180, 6)]
    shapes += [
        f'<circle cx="{30 * math.cos(math.radians(a)):.2f}" cy="{30 * math.sin(math.radians(a)):.2f}" r="19"/>'
        for a in range(0, 360, 15)
    ]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-50 -50 100 100" width="100" height="100">'
        f'<g fill="none" stroke="{color}" stroke-width="0.18" opacity="0.26">{"".join(shapes)}</g></svg>'
    )
    return "data:image/svg+xml," + quote(svg)


@functools.lru_cache(maxsize=32)
def _band_data_uri(primary: str, accent: str) -> str:
    """One tile of the patterned band of the border: a chain of diamonds."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
        f'<rect width="10" height="10" fill="{primary}"/>'
        f'<path d="M5 1.2 L8.8 5 L5 8.8 L1.2 5 Z" fill="none" stroke="{accent}" stroke-width="0.9"/>'
        f'<circle cx="5" cy="5" r="1.1" fill="{accent}"/>'
        f'<path d="M0 0 L1.2 0 L0 1.2 Z M10 0 L8.8 0 L10 1.2 Z M0 10 L1.2 10 L0 8.8 Z M10 10 L8.8 10 L10 8.8 Z"'
        f' fill="{accent}"/></svg>'
    )
    return "data:image/svg+xml," + quote(svg)


def _color(value: str, default: str) -> str:
    # The colour goes into CSS and SVG: anything but a plain hex colour is ignored.
    return value if isinstance(value, str) and HEX_COLOR.fullmatch(value) else default


def _fit(
    text: str,
    width_mm: float,
    *,
    largest: float,
    smallest: float,
    em: float,
    lines: int = 1,
    one_line_from: float | None = None,
) -> float:
    """The largest font size (pt, in half points) between the bounds at which the text fills at most `lines`;
    one line is preferred while it allows at least `one_line_from` pt."""
    if not text:
        return largest
    one_line = width_mm * PT_PER_MM * 0.96 / (len(text) * em)
    size = one_line if one_line_from is not None and one_line >= one_line_from else one_line * lines
    return max(smallest, min(largest, math.floor(size * 2) / 2))


def _dates(iso: str) -> dict:
    day = datetime.date.fromisoformat(iso)
    return {
        "vi": f"{day:%d/%m/%Y}",
        "vi_long": f"ngày {day:%d} tháng {day:%m} năm {day:%Y}",
        "en": f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}",
    }


def _page(snapshot: dict, images: Mapping[str, bytes], revoked: bool) -> dict:
    template = snapshot["template"]
    primary = _color(template.get("primary_color", ""), DEFAULT_PRIMARY)
    accent = _color(template.get("accent_color", ""), DEFAULT_ACCENT)
    name = snapshot["holder"]["full_name"]
    # The name stays on one line, centred: condensed letters before a smaller size.
    name_size = _fit(name, 104, largest=17, smallest=10, em=EM_MIXED)
    name_condensed = name_size < 13
    if name_condensed:
        name_size = _fit(name, 104, largest=13, smallest=10, em=EM_MIXED_CONDENSED)
    institution, occupation = snapshot["institution"], snapshot["occupation"]
    # Lines that may be added to the top of a half; with three of them the spacing tightens (see the CSS).
    extra_lines = [
        max(len(institution["name_vi"]), len(institution["name_en"])) > 52,
        max(len(occupation["name_vi"]), len(occupation["name_en"])) > 34,
        bool(snapshot.get("is_reissue")),
        bool(template.get("wording_vi") or template.get("wording_en")),
    ]
    decision_vi, decision_en = DECISION_LABEL.get(snapshot["kind"], GRADUATION_DECISION)
    return {
        "s": snapshot,
        "revoked": revoked,
        "primary": primary,
        "accent": accent,
        "band": _band_data_uri(primary, accent),
        "rosette": _rosette_data_uri(accent),
        "logo": _image(images, template.get("logo_sha256", "")),
        "signature": _image(images, template.get("signature_sha256", "")),
        "seal": _image(images, template.get("seal_sha256", "")),
        "qr": qr_svg_data_uri(snapshot["verification_url"]),
        "birth": _dates(snapshot["holder"]["date_of_birth"]),
        "issued": _dates(snapshot["issued_on"]),
        "graduated": _dates(snapshot["graduation"]["date"]),
        "decision_vi": decision_vi,
        "decision_en": decision_en,
        "name_condensed": name_condensed,
        "compact": sum(extra_lines) >= 3,
        # Sizes that keep every diploma on its one page: the half is 120 mm wide.
        "size": {
            "school": min(
                _fit(institution[key], 120, largest=12, smallest=8.5, em=EM_UPPER, lines=2, one_line_from=10)
                for key in ("name_vi", "name_en")
            ),
            "kind_vi": _fit(snapshot["kind_vi"], 118, largest=21, smallest=13, em=EM_UPPER),
            "kind_en": _fit(snapshot["kind_en"], 118, largest=21, smallest=13, em=EM_UPPER),
            "name": name_size,
        },
    }


def _render(pages: list[dict], title: str, authors: list[str], created: str = "", *, linked_css: bool = False) -> str:
    context = {"pages": pages, "title": title, "authors": authors, "created": created, "linked_css": linked_css}
    return render_to_string(TEMPLATE, context)


def _metadata(snapshot: dict) -> tuple[str, list[str], str]:
    """The title, authors and creation date of one diploma's PDF."""
    # The issue date as the creation date: the same snapshot always gives the same bytes (and SHA-256).
    return f"{snapshot['kind_en']} {snapshot['serial']}", [snapshot["institution"]["name_en"]], snapshot["issued_on"]


def diploma_html(snapshot: dict, *, images: Mapping[str, bytes], revoked: bool = False) -> str:
    """The diploma as one self-contained HTML page (images and QR code inline), as the PDF draws it."""
    title, authors, created = _metadata(snapshot)
    return _render([_page(snapshot, images, revoked)], title, authors, created=created)


def _layout(pages: list[dict], title: str, authors: list[str], created: str = ""):
    """Lay the pages out in one WeasyPrint document. The HTML links the stylesheet parsed once and names the
    raster images, which wait in the render's image cache, instead of carrying them: parsing hundreds of
    kilobytes of base64 again for every page would cost more than drawing them. The template's drawings wait
    there too, to be drawn once and replayed."""
    from weasyprint import HTML

    cache = {}
    for page in pages:
        for key in ("logo", "signature", "seal"):
            if page[key]:
                page[key], cache_image = _pdf_image(page[key])
                cache[page[key]] = cache_image
        for key in ("rosette", "band", "qr"):
            # Named, not carried: the HTML parser and the style attributes would read every drawing again.
            ref, drawing = _pdf_svg(page[key])
            page[key] = ref
            cache[ref] = drawing
    html = _render(pages, title, authors, created, linked_css=True)
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).render(
        font_config=_get_font_config(), pdf_variant=PDF_VARIANT, stylesheets=[_stylesheet()], cache=cache
    )


def render_diploma_pdf(snapshot: dict, *, images: Mapping[str, bytes], revoked: bool = False) -> bytes:
    """One diploma as a one-page A4 landscape PDF/A-3b with every font embedded (Circular 10/2017 fields)."""
    document = _layout([_page(snapshot, images, revoked)], *_metadata(snapshot))
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_diploma_pdfs(items: Sequence[tuple[dict, Mapping[str, bytes]]]) -> list[bytes]:
    """Many diplomas, one PDF/A-3b each, byte for byte what render_diploma_pdf gives for each: they are laid out
    together, a few dozen pages at a time, then each page is written as its own file with its own metadata."""
    from weasyprint.html import parse_w3c_date

    pdfs = []
    for start in range(0, len(items), LAYOUT_PAGES):
        part = items[start : start + LAYOUT_PAGES]
        document = _layout([_page(snapshot, images, False) for snapshot, images in part], "", [])
        if len(document.pages) != len(part):  # every sheet is one page; anything else would mislabel the files
            raise ValueError(f"{len(part)} diplomas were laid out on {len(document.pages)} pages")
        for (snapshot, _), page in zip(part, document.pages, strict=True):
            single = document.copy([page])
            single.metadata = copy.copy(document.metadata)
            title, authors, created = _metadata(snapshot)
            single.metadata.title, single.metadata.authors = title, authors
            single.metadata.created = parse_w3c_date("dcterms.created", created)
            pdfs.append(single.write_pdf(pdf_variant=PDF_VARIANT))
    return pdfs


def render_diplomas_pdf(items: Sequence[tuple[dict, Mapping[str, bytes]]]) -> bytes:
    """Many diplomas in one print-ready PDF/A-3b, one page each, in the order given."""
    if not items:
        raise ValueError("no diplomas to print")
    snapshots = [snapshot for snapshot, _ in items]
    title = f"{snapshots[0]['kind_en']} {snapshots[0]['serial']}"
    if len(snapshots) > 1:
        title = f"Diplomas {snapshots[0]['serial']} – {snapshots[-1]['serial']} ({len(snapshots)})"
    authors = list(dict.fromkeys(snapshot["institution"]["name_en"] for snapshot in snapshots))
    document = _layout([_page(snapshot, images, False) for snapshot, images in items], title, authors)
    return document.write_pdf(pdf_variant=PDF_VARIANT)


WARM_UP_SNAPSHOT = {  # a diploma with every printed field and no image: what warm_up() draws
    "kind": "college_diploma",
    "kind_vi": "BẰNG TỐT NGHIỆP CAO ĐẲNG",
    "kind_en": "COLLEGE DIPLOMA",
    "title_vi": "Kỹ sư thực hành",
    "title_en": "Practical Engineer",
    "institution": {"code": "X", "name_vi": "Trường Cao đẳng Mẫu", "name_en": "Sample College"},
    "occupation": {"code": "6520227", "name_vi": "Điện công nghiệp", "name_en": "Industrial Electricity"},
    "level_vi": "Cao đẳng",
    "level_en": "College",
    "skill_level": None,
    "holder": {
        "full_name": "Nguyễn Thị Ánh Tuyết",
        "date_of_birth": "2004-03-15",
        "sex_vi": "Nữ",
        "sex_en": "Female",
        "place_of_birth": "Tiền Giang",
        "ethnicity": "Kinh",
    },
    "classification_vi": "Giỏi",
    "classification_en": "Very good",
    "high_quality": True,
    "graduation": {"decision_number": "1/QĐ", "date": "2026-06-30"},
    "place_vi": "Đồng Tháp",
    "place_en": "Dong Thap",
    "issued_on": "2026-07-15",
    "serial": "X/2026/00001",
    "register_number": "00001/2026",
    "verification_code": "23456789ABCDEFGH",
    "verification_url": "http://localhost/verify/23456789ABCDEFGH/",
    "signer": {"title_vi": "HIỆU TRƯỞNG", "title_en": "RECTOR", "name": "Trần Văn Bình"},
    "template": {
        "primary_color": "",
        "accent_color": "",
        "wording_vi": "",
        "wording_en": "",
        "logo_sha256": "",
        "signature_sha256": "",
        "seal_sha256": "",
    },
    "is_reissue": False,
    "reissue_of_serial": "",
}


def warm_up() -> None:
    """Load what every render needs (WeasyPrint, the fonts, the parsed stylesheet) by drawing one sample diploma,
    then keep those objects out of the garbage collector's way. A queue worker calls this before it forks the
    processes that run the jobs, so that none of them pays the first render's second or so again."""
    render_diploma_pdfs([(WARM_UP_SNAPSHOT, {})])
    gc.collect()
    gc.freeze()  # long-lived objects stop being scanned, and forked children do not copy their pages
