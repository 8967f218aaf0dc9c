"""The diploma PDF drawn from a frozen snapshot: fields, PDF/A, fonts, QR code, revocation and re-issue.

No database: the renderer reads only the snapshot and the images it names. Poppler's command-line tools read
the PDFs back the way a person or an archive would."""

import base64
import copy
import hashlib
import io
import re
import shutil
import subprocess
import zlib

import pytest
import zxingcpp
from django.utils import translation
from PIL import Image, ImageDraw

from certificates import rendering

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm", "pdffonts")),
    reason="poppler-utils (pdftotext, pdfinfo, pdftoppm, pdffonts) is not installed",
)

LONG_NAME = "Công Tôn Nữ Phương Thảo Nguyên Hạnh"


def _png(size: tuple[int, int], color: tuple[int, int, int, int], shape: str = "ellipse") -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    box = (2, 2, size[0] - 3, size[1] - 3)
    if shape == "ellipse":
        draw.ellipse(box, outline=color, width=max(2, size[0] // 20))
    else:
        draw.line(
            [(4, size[1] * 2 // 3), (size[0] // 2, size[1] // 3), (size[0] - 4, size[1] // 2)], fill=color, width=3
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


LOGO = _png((64, 64), (138, 28, 28, 255))
SIGNATURE = _png((90, 36), (20, 40, 120, 255), shape="line")
SEAL = _png((72, 72), (200, 20, 20, 220))
IMAGES = {hashlib.sha256(content).hexdigest(): content for content in (LOGO, SIGNATURE, SEAL)}


def sample_snapshot(**overrides) -> dict:
    """A frozen diploma snapshot; a dict override is merged into the nested dict of the same key."""
    snapshot = {
        "kind": "college_diploma",
        "kind_vi": "BẰNG TỐT NGHIỆP CAO ĐẲNG",
        "kind_en": "COLLEGE DIPLOMA",
        "title_vi": "Kỹ sư thực hành",
        "title_en": "Practical Engineer",
        "institution": {
            "code": "CDMT",
            "name_vi": "Trường Cao đẳng Kỹ thuật Công nghệ Mỹ Tho",
            "name_en": "My Tho College of Technology",
        },
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
        "graduation": {"decision_number": "123/QĐ-CĐKTCN", "date": "2026-06-30"},
        "place_vi": "Đồng Tháp",
        "place_en": "Dong Thap",
        "issued_on": "2026-07-15",
        "serial": "CĐMT/2026/00012",
        "register_number": "00012/2026",
        "verification_code": "K7QX3M9PZ2W4T8RD",
        "verification_url": "http://127.0.0.1:8000/verify/K7QX3M9PZ2W4T8RD/",
        "signer": {"title_vi": "HIỆU TRƯỞNG", "title_en": "RECTOR", "name": "Trần Văn Bình"},
        "template": {
            "id": 3,
            "version": 2,
            "primary_color": "#8a1c1c",
            "accent_color": "#b08d2f",
            "wording_vi": "",
            "wording_en": "",
            "logo_sha256": hashlib.sha256(LOGO).hexdigest(),
            "signature_sha256": hashlib.sha256(SIGNATURE).hexdigest(),
            "seal_sha256": hashlib.sha256(SEAL).hexdigest(),
        },
        "is_reissue": False,
        "reissue_of_serial": "",
    }
    for key, value in overrides.items():
        snapshot[key] = {**snapshot[key], **value} if isinstance(value, dict) else value
    return copy.deepcopy(snapshot)


def worst_case_snapshot() -> dict:
    """Everything long at once: the name, the institution, the occupation, a re-issue and extra wording."""
    return sample_snapshot(
        holder={"full_name": LONG_NAME, "place_of_birth": "Thành phố Hồ Chí Minh"},
        institution={
            "name_vi": "Trường Cao đẳng Kỹ thuật Công nghệ và Du lịch Quốc tế Đồng bằng sông Cửu Long",
            "name_en": "Mekong Delta International College of Technology, Engineering and Tourism",
        },
        occupation={
            "name_vi": "Công nghệ kỹ thuật điều khiển và tự động hóa",
            "name_en": "Control and Automation Engineering Technology",
        },
        is_reissue=True,
        serial="CĐMT/2026/00031",
        reissue_of_serial="CĐMT/2026/00012",
        template={
            "wording_vi": "Đào tạo theo chương trình liên kết với doanh nghiệp Omega",
            "wording_en": "Trained under a programme run jointly with industry Omega",
        },
    )


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


class Rendered:
    """A PDF written to disk, read back with poppler."""

    def __init__(self, pdf: bytes, path):
        self.pdf = pdf
        self.path = path
        path.write_bytes(pdf)

    def text(self, page: int | None = None) -> str:
        pages = ["-f", str(page), "-l", str(page)] if page else []
        return _run("pdftotext", "-layout", *pages, str(self.path), "-")

    def info(self) -> dict[str, str]:
        lines = _run("pdfinfo", str(self.path)).splitlines()
        return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}

    def words(self) -> list[tuple[str, float, float]]:
        """Each word with the top and bottom of its box, in points from the top of the page."""
        html = _run("pdftotext", "-bbox", str(self.path), "-")
        return [
            (word, float(y_min), float(y_max))
            for y_min, y_max, word in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html
            )
        ]


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    directory = tmp_path_factory.mktemp("diplomas")
    cache = {}

    def _render(snapshot: dict | None = None, *, revoked: bool = False, name: str = "diploma") -> Rendered:
        if name not in cache:
            pdf = rendering.render_diploma_pdf(snapshot or sample_snapshot(), images=IMAGES, revoked=revoked)
            cache[name] = Rendered(pdf, directory / f"{name}.pdf")
        return cache[name]

    return _render


def _streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, inflated where it is compressed."""
    found = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        body = pdf[match.end() : pdf.find(b"endstream", match.end())]
        try:
            found.append(zlib.decompress(body))
        except zlib.error:
            found.append(body)
    return found


@needs_poppler
def test_render_diploma_pdf_prints_every_field_in_both_languages(render):
    text = render().text()

    for printed in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập – Tự do – Hạnh phúc",
        "SOCIALIST REPUBLIC OF VIET NAM",
        "Independence – Freedom – Happiness",
        "TRƯỜNG CAO ĐẲNG KỸ THUẬT CÔNG NGHỆ MỸ THO",
        "MY THO COLLEGE OF TECHNOLOGY",
        "BẰNG TỐT NGHIỆP CAO ĐẲNG",
        "COLLEGE DIPLOMA",
        "Kỹ sư thực hành",
        "Practical Engineer",
        "Điện công nghiệp",
        "Industrial Electricity",
        "6520227",
        "Nguyễn Thị Ánh Tuyết",
        "15/03/2004",
        "15 March 2004",
        "Nữ",
        "Female",
        "Tiền Giang",
        "Giỏi",
        "Very good",
        "Chương trình chất lượng cao",
        "High-quality programme",
        "Đồng Tháp, ngày 15 tháng 07 năm 2026",
        "Dong Thap, 15 July 2026",
        "HIỆU TRƯỞNG",
        "RECTOR",
        "Trần Văn Bình",
        "Số hiệu:",
        "CĐMT/2026/00012",
        "Số vào sổ gốc cấp văn bằng:",
        "00012/2026",
        "Serial No.:",
        "Register No.:",
        "123/QĐ-CĐKTCN",
        "30/06/2026",
        "30 June 2026",
        "Mã tra cứu",
        "Verification code",
        "K7QX3M9PZ2W4T8RD",
    ):
        assert printed in text, printed
    assert "REVOKED" not in text
    assert "RE-ISSUED" not in text


@needs_poppler
def test_render_diploma_pdf_is_one_a4_landscape_page_with_metadata(render):
    info = render().info()

    assert info["Pages"] == "1"
    width, height = (float(number) for number in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width), round(height)) == (842, 595)
    assert info["Title"] == "COLLEGE DIPLOMA CĐMT/2026/00012"
    assert info["Author"] == "My Tho College of Technology"


def test_render_diploma_pdf_declares_pdf_a_3b(render):
    streams = _streams(render().pdf)

    metadata = [stream for stream in streams if b"<x:xmpmeta" in stream]
    assert len(metadata) == 1
    assert re.search(rb'pdfaid:part="3"', metadata[0])
    assert re.search(rb'pdfaid:conformance="B"', metadata[0])
    # PDF/A also needs an output intent with its ICC profile.
    assert any(b"/GTS_PDFA1" in part for part in [render().pdf, *streams])


@needs_poppler
def test_render_diploma_pdf_embeds_every_font(render):
    rows = _run("pdffonts", str(render().path)).splitlines()[2:]

    assert rows
    for row in rows:
        name, embedded = row.split()[0], row.split()[-5]
        assert embedded == "yes", f"{name} is not embedded"
        assert "DejaVu" in name


@needs_poppler
def test_render_diploma_pdf_qr_code_decodes_to_the_verification_url(render, tmp_path):
    png = subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(render().path)], check=True, capture_output=True
    ).stdout

    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))

    assert [(code.format, code.text) for code in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, "http://127.0.0.1:8000/verify/K7QX3M9PZ2W4T8RD/")
    ]
    assert codes[0].ec_level == "M"


def test_render_diploma_pdf_is_the_same_bytes_for_the_same_snapshot(render):
    again = rendering.render_diploma_pdf(sample_snapshot(), images=IMAGES)

    assert again == render().pdf


@needs_poppler
def test_render_diploma_pdf_revoked_has_a_watermark(render):
    text = render(revoked=True, name="revoked").text()

    assert "REVOKED" in text
    assert "ĐÃ THU HỒI" in text
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert render(revoked=True, name="revoked").info()["Pages"] == "1"


@needs_poppler
def test_render_diploma_pdf_reissue_names_the_serial_it_replaces(render):
    snapshot = sample_snapshot(is_reissue=True, serial="CĐMT/2026/00031", reissue_of_serial="CĐMT/2026/00012")

    text = render(snapshot, name="reissue").text()

    assert "RE-ISSUED" in text
    assert "BẢN CẤP LẠI" in text
    assert "replaces Serial No. CĐMT/2026/00012" in text
    assert "CĐMT/2026/00031" in text


@needs_poppler
def test_render_diploma_pdf_keeps_everything_long_on_one_page_without_overlap(render):
    rendered = render(worst_case_snapshot(), revoked=False, name="worst")
    text = rendered.text()
    words = rendered.words()

    assert rendered.info()["Pages"] == "1"
    assert text.count(LONG_NAME) == 2  # on one line in each half
    assert "ĐỒNG BẰNG SÔNG CỬU LONG" in text
    # The last line of the upper part stays above the signer's place and date in both halves.
    last_of_top = max(bottom for word, _, bottom in words if word == "Omega")
    first_of_foot = min(top for word, top, _ in words if word in ("Tháp,", "Thap,"))
    assert last_of_top < first_of_foot


@needs_poppler
def test_render_diploma_pdf_skill_certificate_prints_the_skill_level(render):
    snapshot = sample_snapshot(
        kind="skill_certificate",
        kind_vi="CHỨNG CHỈ KỸ NĂNG NGHỀ QUỐC GIA",
        kind_en="NATIONAL OCCUPATIONAL SKILL CERTIFICATE",
        title_vi="",
        title_en="",
        level_vi="Kỹ năng nghề quốc gia",
        level_en="National occupational skill",
        skill_level=3,
        classification_vi="",
        classification_en="",
        high_quality=False,
        template={"logo_sha256": "", "seal_sha256": ""},
    )

    text = render(snapshot, name="skill").text()

    assert "Bậc 3" in text
    assert "Level 3" in text
    assert "Xếp loại" not in text
    assert "Classification" not in text
    assert "chất lượng cao" not in text
    assert "Quyết định cấp chứng chỉ" in text


@needs_poppler
def test_render_diplomas_pdf_prints_one_page_per_diploma_in_order(tmp_path):
    names = ["Nguyễn Thị Ánh Tuyết", "Lê Văn Đức", LONG_NAME]
    items = [
        (sample_snapshot(holder={"full_name": name}, serial=f"CĐMT/2026/{number:05d}"), IMAGES)
        for number, name in enumerate(names, start=1)
    ]

    rendered = Rendered(rendering.render_diplomas_pdf(items), tmp_path / "batch.pdf")

    info = rendered.info()
    assert info["Pages"] == "3"
    assert info["Page size"].startswith("841.89 x 595.27")
    assert info["Title"] == "Diplomas CĐMT/2026/00001 – CĐMT/2026/00003 (3)"
    for page, name in enumerate(names, start=1):
        text = rendered.text(page)
        assert name in text
        assert f"CĐMT/2026/{page:05d}" in text
    assert b'pdfaid:part="3"' in b"".join(_streams(rendered.pdf))


def test_render_diplomas_pdf_refuses_an_empty_batch():
    with pytest.raises(ValueError):
        rendering.render_diplomas_pdf([])


def test_render_diploma_pdf_refuses_a_named_image_that_is_missing():
    with pytest.raises(ValueError, match="names image"):
        rendering.render_diploma_pdf(sample_snapshot(), images={})


def test_diploma_html_is_self_contained():
    html = rendering.diploma_html(sample_snapshot(), images=IMAGES)

    sources = re.findall(r'(?:src="|url\(\')([^"\']*)', html)
    assert len(sources) >= 6  # logo twice, signature, seal, QR code, border band, rosettes
    assert all(source.startswith("data:") for source in sources)
    assert "<title>COLLEGE DIPLOMA CĐMT/2026/00012</title>" in html
    assert "@font-face" not in html


def test_diploma_html_is_bilingual_whatever_the_active_language():
    with translation.override("en"):
        english = rendering.diploma_html(sample_snapshot(), images=IMAGES)
    with translation.override("vi"):
        vietnamese = rendering.diploma_html(sample_snapshot(), images=IMAGES)

    assert english == vietnamese
    assert "Xếp loại tốt nghiệp:" in vietnamese
    assert "Classification:" in vietnamese
    # Vietnamese formats decimals with a comma, which CSS would reject.
    assert not re.search(r"font-size: \d+,\d", vietnamese)


def test_diploma_html_ignores_a_colour_that_is_not_a_hex_colour():
    html = rendering.diploma_html(
        sample_snapshot(template={"primary_color": "red; } body { display: none"}), images=IMAGES
    )

    assert "display: none" not in html
    assert f"--primary: {rendering.DEFAULT_PRIMARY};" in html


def test_diploma_html_shrinks_a_huge_image():
    huge = io.BytesIO()
    Image.new("RGB", (3000, 2000), (200, 20, 20)).save(huge, "JPEG")
    digest = hashlib.sha256(huge.getvalue()).hexdigest()
    images = {**IMAGES, digest: huge.getvalue()}

    html = rendering.diploma_html(sample_snapshot(template={"seal_sha256": digest}), images=images)

    seal = re.search(r'class="seal" src="data:image/jpeg;base64,([^"]+)"', html)
    assert max(Image.open(io.BytesIO(base64.b64decode(seal[1]))).size) == rendering.MAX_IMAGE_PX


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (LOGO, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        (b'\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    ],
)
def test_image_mime_reads_the_magic_bytes(content, mime):
    assert rendering.image_mime(content) == mime


def test_image_mime_refuses_an_unknown_format():
    with pytest.raises(ValueError):
        rendering.image_mime(b"%PDF-1.7")
