"""Many diplomas laid out at once and written one file each (render_diploma_pdfs), and the shortcuts the PDF
renderer takes (the stylesheet parsed once, images named in the HTML and built once): each file must be the very
bytes that WeasyPrint gives for the diploma's self-contained HTML on its own.

No database. Poppler's command-line tools read the files back."""

import hashlib
import io
import re
import subprocess

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from certificates import rendering
from tests.certificates.test_rendering import (
    IMAGES,
    LONG_NAME,
    Rendered,
    _run,
    _streams,
    needs_poppler,
    sample_snapshot,
    worst_case_snapshot,
)


def _seal(size: int = 400) -> bytes:
    """A seal the size of a real upload, with transparency, so the PDF gets an image and its alpha mask."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for inset, alpha in ((4, 230), (size // 8, 200), (size // 3, 170)):
        draw.ellipse((inset, inset, size - inset, size - inset), outline=(200, 20, 20, alpha), width=size // 30)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


SEAL = _seal()
SEAL_SHA = hashlib.sha256(SEAL).hexdigest()
IMAGES_WITH_SEAL = {**IMAGES, SEAL_SHA: SEAL}


def _diplomas() -> list[tuple[dict, dict]]:
    """Different holders, serials and codes, a worst case, a template of other colours with a large seal and a
    skill certificate without logo or seal."""
    items = [
        (
            sample_snapshot(
                holder={"full_name": name},
                serial=f"CĐMT/2026/{number:05d}",
                verification_code=f"K7QX3M9PZ2W4{number:04d}",
                verification_url=f"http://127.0.0.1:8000/verify/K7QX3M9PZ2W4{number:04d}/",
            ),
            IMAGES,
        )
        for number, name in enumerate(["Nguyễn Thị Ánh Tuyết", "Lê Văn Đức", LONG_NAME], start=1)
    ]
    items.append((worst_case_snapshot(), IMAGES))
    items.append(
        (
            sample_snapshot(
                serial="CĐMT/2026/00077",
                template={"primary_color": "#1c3f8a", "accent_color": "#2f8db0", "seal_sha256": SEAL_SHA},
            ),
            IMAGES_WITH_SEAL,
        )
    )
    items.append(
        (
            sample_snapshot(
                kind="skill_certificate",
                kind_vi="CHỨNG CHỈ KỸ NĂNG NGHỀ QUỐC GIA",
                kind_en="NATIONAL OCCUPATIONAL SKILL CERTIFICATE",
                skill_level=3,
                serial="KNN/2026/00005",
                template={"logo_sha256": "", "seal_sha256": ""},
            ),
            IMAGES,
        )
    )
    return items


def _plain_weasyprint(snapshot: dict, images) -> bytes:
    """The diploma as WeasyPrint draws its self-contained HTML with nothing shared between renders."""
    from weasyprint import HTML

    html = rendering.diploma_html(snapshot, images=images)
    return HTML(string=html, base_url=None, url_fetcher=rendering._url_fetcher()).write_pdf(
        font_config=rendering._get_font_config(), pdf_variant=rendering.PDF_VARIANT
    )


@pytest.fixture(scope="module")
def batch():
    items = _diplomas()
    return items, rendering.render_diploma_pdfs(items)


def test_render_diploma_pdf_is_what_weasyprint_gives_for_the_self_contained_html():
    snapshot = sample_snapshot(template={"seal_sha256": SEAL_SHA})

    first = rendering.render_diploma_pdf(snapshot, images=IMAGES_WITH_SEAL)
    again = rendering.render_diploma_pdf(snapshot, images=IMAGES_WITH_SEAL)  # the seal's PDF image now reused

    assert first == again == _plain_weasyprint(snapshot, IMAGES_WITH_SEAL)


def test_render_diploma_pdfs_gives_each_diploma_the_bytes_of_render_diploma_pdf(batch):
    items, pdfs = batch

    assert len(pdfs) == len(items)
    for (snapshot, images), pdf in zip(items, pdfs, strict=True):
        assert pdf == rendering.render_diploma_pdf(snapshot, images=images), snapshot["serial"]
    assert len(set(pdfs)) == len(pdfs)


def test_render_diploma_pdfs_across_several_layouts_keeps_the_order(monkeypatch, batch):
    items, pdfs = batch
    monkeypatch.setattr(rendering, "LAYOUT_PAGES", 2)

    assert rendering.render_diploma_pdfs(items) == pdfs


def test_render_diploma_pdfs_of_nothing_is_nothing():
    assert rendering.render_diploma_pdfs([]) == []


def test_render_diploma_pdfs_each_file_declares_pdf_a_3b_with_its_own_metadata(batch):
    items, pdfs = batch

    for (snapshot, _), pdf in zip(items, pdfs, strict=True):
        metadata = [stream for stream in _streams(pdf) if b"<x:xmpmeta" in stream]
        assert len(metadata) == 1
        assert b'pdfaid:part="3"' in metadata[0]
        assert b'pdfaid:conformance="B"' in metadata[0]
        assert f"{snapshot['kind_en']} {snapshot['serial']}".encode() in metadata[0]
        assert any(b"/GTS_PDFA1" in part for part in [pdf, *_streams(pdf)])


@needs_poppler
def test_render_diploma_pdfs_each_file_is_one_page_of_its_own_diploma(batch, tmp_path):
    items, pdfs = batch

    for index, ((snapshot, _), pdf) in enumerate(zip(items, pdfs, strict=True)):
        rendered = Rendered(pdf, tmp_path / f"{index}.pdf")
        info = rendered.info()
        assert info["Pages"] == "1"
        assert info["Title"] == f"{snapshot['kind_en']} {snapshot['serial']}"
        assert info["Author"] == snapshot["institution"]["name_en"]
        text = rendered.text()
        assert snapshot["holder"]["full_name"] in text
        assert snapshot["serial"] in text
        rows = _run("pdffonts", str(rendered.path)).splitlines()[2:]
        assert rows
        assert all(row.split()[-5] == "yes" for row in rows)


@needs_poppler
def test_render_diploma_pdfs_each_qr_code_decodes_to_its_own_verification_url(batch, tmp_path):
    items, pdfs = batch

    for index in (0, 2):
        path = tmp_path / f"qr{index}.pdf"
        path.write_bytes(pdfs[index])
        png = subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-singlefile", str(path)], check=True, capture_output=True
        ).stdout
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [code.text for code in codes] == [items[index][0]["verification_url"]]


def test_render_diplomas_pdf_is_what_weasyprint_gives_for_the_self_contained_html():
    from weasyprint import HTML

    items = _diplomas()[:3]
    pages = [rendering._page(snapshot, images, False) for snapshot, images in items]
    html = rendering._render(pages, "Diplomas CĐMT/2026/00001 – CĐMT/2026/00003 (3)", ["My Tho College of Technology"])
    plain = HTML(string=html, base_url=None, url_fetcher=rendering._url_fetcher()).write_pdf(
        font_config=rendering._get_font_config(), pdf_variant=rendering.PDF_VARIANT
    )

    assert rendering.render_diplomas_pdf(items) == plain


def test_layout_html_names_images_instead_of_carrying_them(monkeypatch):
    seen = {}
    original = rendering._render

    def spy(*args, **kwargs):
        seen["html"] = original(*args, **kwargs)
        return seen["html"]

    monkeypatch.setattr(rendering, "_render", spy)
    rendering.render_diploma_pdf(sample_snapshot(), images=IMAGES)

    assert "<style>" not in seen["html"]
    assert "data:" not in seen["html"]  # no image, drawing or QR code is carried in the HTML
    # the logo twice, the seal, the signature and the QR code; the rosettes and the border in style attributes
    assert len(re.findall(rf'src="{rendering.IMAGE_REF_SCHEME}:[0-9a-f]{{64}}"', seen["html"])) == 5
    assert len(re.findall(rf"url\('{rendering.IMAGE_REF_SCHEME}:[0-9a-f]{{64}}'\)", seen["html"])) == 3


def test_layout_an_image_name_missing_from_the_cache_stops_the_render():
    page = rendering._page(sample_snapshot(), IMAGES, False)
    html = rendering._render([page], "t", [], linked_css=True).replace(
        page["logo"], f"{rendering.IMAGE_REF_SCHEME}:{'0' * 64}"
    )
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError, match=rendering.IMAGE_REF_SCHEME):
        HTML(string=html, base_url=None, url_fetcher=rendering._url_fetcher()).write_pdf(
            font_config=rendering._get_font_config(), stylesheets=[rendering._stylesheet()], cache={}
        )


def test_render_diploma_pdfs_draws_the_template_drawings_once_and_replays_them(monkeypatch):
    from weasyprint.svg import SVG

    drawn = []
    original = SVG.draw

    def counting(self, *args, **kwargs):
        drawn.append(self.url)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SVG, "draw", counting)
    rendering._pdf_svg.cache_clear()
    items = _diplomas()[:3]

    rendering.render_diploma_pdfs(items)
    rendering.render_diploma_pdf(items[0][0], images=items[0][1])

    page = rendering._page(items[0][0], IMAGES, False)
    assert drawn.count(page["rosette"]) == 1  # recorded on the first page, replayed on the 7 others
    assert drawn.count(page["band"]) == 1
    assert len([url for url in drawn if "segno" in url]) == 4  # the QR codes differ: each is drawn


def test_warm_up_draws_its_sample_and_freezes_what_it_loaded():
    import gc

    gc.unfreeze()
    try:
        rendering.warm_up()

        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    [pdf] = rendering.render_diploma_pdfs([(rendering.WARM_UP_SNAPSHOT, {})])
    assert b'pdfaid:part="3"' in b"".join(_streams(pdf))
