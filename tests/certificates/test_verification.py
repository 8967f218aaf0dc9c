"""Public verification: the page a QR code opens, its JSON twin and the PDF, for valid, revoked and re-issued."""

import datetime

import pytest
from django.test import Client

from certificates import services
from tests.certificates.conftest import graduate
from vet.models import ScopeEntry


@pytest.fixture
def issued(world, cohort):
    return [services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort, full_name=name),
                                   issued_on=datetime.date(2026, 7, 15))
            for name in ("Nguyễn Thị Ánh Tuyết", "Trần Quốc Bảo", "Lê Hoàng Yến")]


def test_verify_page_valid_diploma(issued):
    response = Client().get(f"/verify/{issued[0].code}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Thị Ánh Tuyết" in text and issued[0].serial in text
    assert "Hợp lệ" in text  # Vietnamese by default


def test_verify_page_in_english(issued):
    text = Client().get(f"/en/verify/{issued[0].code}/").content.decode()
    assert "Valid: this diploma was issued and is in force." in text and "Industrial Electricity" in text


def test_verify_revoked_and_reissued(world, issued):
    revoked = services.revoke_diploma(user=world.staff_a, diploma=issued[1], reason="Sai sót hồ sơ")
    new = services.reissue_diploma(user=world.staff_a, diploma=issued[2], reason="Mất bằng")
    client = Client()
    assert "REVOKED" in client.get(f"/en/verify/{revoked.code}/").content.decode()
    data = client.get(f"/api/v1/verify/{revoked.code}/").json()
    assert data["status"] == "revoked"
    old = client.get(f"/api/v1/verify/{issued[2].code}/").json()
    assert old["status"] == "reissued" and old["current_code"] == new.code
    assert old["current_url"].endswith(f"/verify/{new.code}/")
    page = client.get(f"/en/verify/{issued[2].code}/").content.decode()
    assert f"/verify/{new.code}/" in page
    current = client.get(f"/api/v1/verify/{new.code}/").json()
    assert current["status"] == "valid" and current["is_reissue"] is True


def test_verify_api_shape_and_facts_on_issue_date(issued):
    data = Client().get(f"/api/v1/verify/{issued[0].code}/").json()
    assert data["holder_name"] == "Nguyễn Thị Ánh Tuyết"
    assert data["date_of_birth"] == "2004-03-15"
    assert data["kind"] == "college_diploma" and data["occupation_code"] == "6520227"
    assert data["classification"] == "very_good" and data["issued_on"] == "2026-07-15"
    assert data["scope_covered_on_issue"] is True and data["accredited_on_issue"] is None
    ScopeEntry.objects.filter(institution=issued[0].institution).delete()
    assert Client().get(f"/api/v1/verify/{issued[0].code}/").json()["scope_covered_on_issue"] is False


def test_verify_unknown_code_is_404_and_ids_are_not_codes(issued):
    client = Client()
    assert client.get("/verify/AAAAAAAAAAAAAAAA/").status_code == 404
    assert client.get(f"/api/v1/verify/{issued[0].pk}/").status_code == 404


def test_verify_pdf_of_a_revoked_diploma_is_marked(world, issued):
    import subprocess
    services.revoke_diploma(user=world.staff_a, diploma=issued[0], reason="Gian lận")
    response = Client().get(f"/verify/{issued[0].code}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    try:
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "REVOKED" in text.decode()


def test_verify_qr_code_opens_the_verification_page(issued, tmp_path):
    import shutil
    import subprocess

    import zxingcpp
    from PIL import Image
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    with issued[0].pdf.open("rb") as handle:
        (tmp_path / "d.pdf").write_bytes(handle.read())
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "d.pdf"), str(tmp_path / "d")],
                   check=True)
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "d.png"))
    urls = [r.text for r in results]
    assert urls == [issued[0].snapshot["verification_url"]]
    path = urls[0].split("://", 1)[1].split("/", 1)[1]
    response = Client().get("/" + path)
    assert response.status_code == 200 and "Nguyễn Thị Ánh Tuyết" in response.content.decode()


