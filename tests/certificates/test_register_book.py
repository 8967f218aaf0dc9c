"""The register book (sổ gốc) per institution and year: rows in register order with re-issue and revocation,
XLSX and PDF read back, the hash chain check, permissions, the admin page and its downloads, the command, and a
query count that does not grow with the number of diplomas."""

import dataclasses
import datetime
import io
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from certificates import register_book, services
from certificates.models import RegisterEntry
from tests.certificates.conftest import graduate
from vet import permissions

ISSUED_ON = datetime.date(2026, 7, 15)


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English; the register's data stays Vietnamese whatever the language."""


def _issue(world, cohort, name, **learner):
    return services.issue_diploma(
        user=world.staff_a, enrolment=graduate(cohort, full_name=name, **learner), issued_on=ISSUED_ON
    )


@pytest.fixture
def book_world(world, cohort):
    """Three diplomas of 2026; the second is revoked, the third re-issued (a fourth diploma replaces it)."""
    first = _issue(world, cohort, "Nguyễn Thị Ánh Tuyết")
    second = _issue(world, cohort, "Trần Quốc Bảo", sex="male", place_of_birth="Mỹ Tho")
    third = _issue(world, cohort, "Lê Hoàng Yến", ethnicity="Khmer")
    services.revoke_diploma(user=world.staff_a, diploma=second, reason="Gian lận hồ sơ")
    new = services.reissue_diploma(user=world.staff_a, diploma=third, reason="Mất bằng", issued_on=ISSUED_ON)
    return {"first": first, "second": second, "third": third, "new": new}


def _book(world, user=None, year=2026):
    return register_book.build_register_book(user=user or world.staff_a, institution=world.school_a, year=year)


def _pdftotext(content: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_build_register_book_rows_in_register_order_with_reissue_and_revocation(world, book_world):
    book = _book(world)
    assert [r.position for r in book.rows] == [1, 2, 3, 4, 5]
    assert [r.action for r in book.rows] == ["issue", "issue", "issue", "revoke", "reissue"]
    assert [r.full_name for r in book.rows] == [
        "Nguyễn Thị Ánh Tuyết",
        "Trần Quốc Bảo",
        "Lê Hoàng Yến",
        "Trần Quốc Bảo",
        "Lê Hoàng Yến",
    ]
    first, revoked_issue, replaced_issue, revocation, reissue = book.rows
    assert first.serial == "CĐA/2026/00001" and first.register_number == "0001/2026/SG"
    assert first.date_of_birth == datetime.date(2004, 3, 15) and first.sex == "Nữ"
    assert first.occupation == "Điện công nghiệp" and first.occupation_code == "6520227"
    assert first.level == "Cao đẳng" and first.classification == "Giỏi"
    assert first.graduation_decision == "123/QĐ-CĐ" and first.graduation_date == datetime.date(2026, 6, 30)
    assert first.status == "valid" and first.notes == "" and first.recorded_by == "staff_a"
    assert revoked_issue.status == "revoked" and "Gian lận hồ sơ" in revoked_issue.notes
    assert "(4)" in revoked_issue.notes or " 4)" in revoked_issue.notes  # points at the revocation entry
    assert revocation.reason == "Gian lận hồ sơ" and revocation.sex == "Nam"
    assert replaced_issue.status == "reissued" and book_world["new"].serial in replaced_issue.notes
    assert reissue.serial == book_world["new"].serial and reissue.reason == "Mất bằng"
    assert book_world["third"].serial in reissue.notes and reissue.status == "valid"
    assert replaced_issue.ethnicity == "Khmer"
    assert book.counts == {"issue": 3, "reissue": 1, "revoke": 1}
    assert book.chain_intact and book.entries_checked == 5


def test_build_register_book_other_year_is_empty(world, book_world):
    book = _book(world, year=2025)
    assert book.rows == [] and book.chain_intact and book.entries_checked == 5


def test_build_register_book_reports_a_broken_chain(world, book_world):
    assert "verified" in register_book.chain_summary(_book(world))
    RegisterEntry.objects.filter(institution=world.school_a, position=2).update(reason="sửa lén")
    book = _book(world)
    assert not book.chain_intact and [p.position for p in book.problems] == [2]
    assert "BROKEN" in register_book.chain_summary(book)


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("staff_a", True),
        ("head_a", True),
        ("officer_a", True),
        ("admin", True),
        ("staff_b", False),
        ("officer_b", False),
    ],
)
def test_build_register_book_permissions(world, book_world, role, allowed):
    user = getattr(world, role)
    if allowed:
        assert len(_book(world, user).rows) == 5
    else:
        with pytest.raises(PermissionDenied):
            _book(world, user)


def test_build_register_book_refuses_the_public(world, book_world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        _book(world, AnonymousUser())


def test_register_book_institutions_follow_roles(world):
    def codes(user):
        return sorted(register_book.register_book_institutions(user).values_list("code", flat=True))

    assert codes(world.staff_a) == ["SCH-A"]
    assert codes(world.officer_a) == ["SCH-A", "SCH-A2"]
    assert codes(world.officer_b) == ["SCH-B"]
    assert set(codes(world.admin)) >= {"SCH-A", "SCH-A2", "SCH-B"}


def test_register_book_xlsx_read_back(world, book_world):
    book = _book(world)
    sheet = load_workbook(io.BytesIO(register_book.register_book_xlsx(book))).active
    assert "2026" in sheet["A1"].value
    assert sheet["A2"].value == "Trường Cao đẳng Điện lực A (SCH-A)"
    assert "5" in sheet["A3"].value  # the chain check names the entries checked
    header = [c.value for c in sheet[5]]
    assert header[:4] == ["Entry no.", "Register number (số vào sổ gốc)", "Serial (số hiệu)", "Full name"]
    assert all(c.font.bold for c in sheet[5])
    assert sheet.freeze_panes == "E6"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    column = {name: i for i, name in enumerate(header)}
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert [r[column["Full name"]] for r in rows][:3] == ["Nguyễn Thị Ánh Tuyết", "Trần Quốc Bảo", "Lê Hoàng Yến"]
    assert rows[0][column["Serial (số hiệu)"]] == "CĐA/2026/00001"
    assert rows[0][column["Date of birth"]] == datetime.datetime(2004, 3, 15)  # a real date cell
    assert sheet.cell(6, column["Date of birth"] + 1).number_format == "dd/mm/yyyy"
    assert [r[column["Entry"]] for r in rows] == ["Issued", "Issued", "Issued", "Revoked", "Re-issued"]
    assert rows[3][column["Reason"]] == "Gian lận hồ sơ"
    assert rows[4][column["Reason"]] == "Mất bằng"
    notes = column["Re-issue and revocation notes"]
    assert "Gian lận hồ sơ" in rows[1][notes] and book_world["new"].serial in rows[2][notes]
    assert book_world["third"].serial in rows[4][notes]
    assert rows[1][column["Status"]] == "Revoked"
    assert sheet.column_dimensions["D"].width >= 22
    assert len(load_workbook(io.BytesIO(register_book.register_book_xlsx(book))).sheetnames) == 1


def test_register_book_xlsx_lists_chain_problems(world, book_world):
    RegisterEntry.objects.filter(institution=world.school_a, position=3).update(actor_name="someone")
    workbook = load_workbook(io.BytesIO(register_book.register_book_xlsx(_book(world))))
    assert len(workbook.sheetnames) == 2
    problems = workbook[workbook.sheetnames[1]]
    assert [row[0].value for row in problems.iter_rows(min_row=2)] == [3]


def test_register_book_pdf_text(world, book_world):
    pdf = register_book.register_book_pdf(_book(world))
    assert pdf.startswith(b"%PDF")
    text = _pdftotext(pdf)
    for expected in (
        "TRƯỜNG CAO ĐẲNG ĐIỆN LỰC A",
        "Nguyễn Thị Ánh Tuyết",
        "Trần Quốc Bảo",
        "Lê Hoàng Yến",
        "Điện công nghiệp",
        "Gian lận hồ sơ",
        "Mất bằng",
        "CĐA/2026/00001",
        "0001/2026/SG",
        "15/03/2004",
        "Tiền Giang",
        "Mỹ Tho",
        book_world["new"].serial,
    ):
        assert expected in text, expected
    assert "1 / 1" in text  # page numbers
    fonts = (
        subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
        if shutil.which("pdffonts")
        else ""
    )
    if fonts:
        assert "DejaVu" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_register_book_pdf_repeats_the_header_on_every_page(world, book_world):
    book = _book(world)
    # A long book without issuing 60 diplomas: the real rows again, with their own entry numbers.
    rows = [
        dataclasses.replace(book.rows[n % 5], position=n + 1, full_name=f"Phạm Minh Đức {n + 1}") for n in range(60)
    ]
    text = _pdftotext(register_book.register_book_pdf(dataclasses.replace(book, rows=rows)))
    pages = [page for page in text.split("\f") if page.strip()]
    with_rows = [page for page in pages if "Phạm Minh Đức" in page]
    assert len(with_rows) >= 3
    assert all("Register number" in page and "Full name" in page for page in with_rows)
    assert all("Trường Cao đẳng Điện lực A (SCH-A)" in page for page in pages[1:])  # the running head
    assert "Phạm Minh Đức 60" in pages[-1] or "Phạm Minh Đức 60" in pages[-2]
    assert f"{len(pages)} / {len(pages)}" in pages[-1]


def test_build_register_book_query_count_is_bounded(world, cohort, django_assert_max_num_queries):
    for n in range(2):
        _issue(world, cohort, f"Võ Thị Hạnh {n}")
    permissions.get_roles(world.staff_a)  # roles are read once per request
    with django_assert_max_num_queries(6) as few:
        small = _book(world)
    for n in range(2, 8):
        _issue(world, cohort, f"Võ Thị Hạnh {n}")
    services.revoke_diploma(
        user=world.staff_a,
        diploma=services.issue_diploma(
            user=world.staff_a, enrolment=graduate(cohort, full_name="Đặng Văn Lâm"), issued_on=ISSUED_ON
        ),
        reason="Sai sót",
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = _book(world)
    assert len(small.rows) == 2 and len(large.rows) == 10


def test_export_register_book_command(world, book_world, tmp_path):
    out = tmp_path / "book.xlsx"
    call_command(
        "export_register_book", "--institution", "SCH-A", "--year", "2026", "--format", "xlsx", "--output", str(out)
    )
    sheet = load_workbook(out).active
    assert [row[0].value for row in sheet.iter_rows(min_row=6)] == [1, 2, 3, 4, 5]
    pdf = tmp_path / "book.pdf"
    call_command(
        "export_register_book", "--institution", "SCH-A", "--year", "2026", "--format", "pdf", "--output", str(pdf)
    )
    assert "Lê Hoàng Yến" in _pdftotext(pdf.read_bytes())


def test_export_register_book_command_unknown_institution(world, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE"):
        call_command(
            "export_register_book",
            "--institution",
            "NOPE",
            "--year",
            "2026",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.pdf"),
        )


# --- admin page -------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_register_book_admin_page_lists_entries_and_chain(admin_client, world, book_world):
    admin_client.force_login(world.staff_a)
    response = admin_client.get(reverse("certificates_register_book"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Nguyễn Thị Ánh Tuyết", "Trần Quốc Bảo", "Lê Hoàng Yến", "Gian lận hồ sơ", "Mất bằng"):
        assert name in html
    assert 'id="chain-check"' in html and "Hash chain verified" in html
    assert reverse("certificates_register_book_xlsx") in html and reverse("certificates_register_book_pdf") in html
    assert html.index("CĐA/2026/00001") < html.index("CĐA/2026/00002") < html.index("CĐA/2026/00003")


def test_register_book_admin_page_shows_a_broken_chain(admin_client, world, book_world):
    RegisterEntry.objects.filter(institution=world.school_a, position=1).update(reason="x")
    admin_client.force_login(world.officer_a)
    html = admin_client.get(
        reverse("certificates_register_book"), {"institution": world.school_a.pk, "year": 2026}
    ).content.decode()
    assert "Hash chain BROKEN" in html and "Entry no. 1" in html


def test_register_book_admin_page_paginates(admin_client, world, book_world, monkeypatch):
    from certificates.admin_views import register_book as admin_view

    monkeypatch.setattr(admin_view, "PER_PAGE", 2)
    admin_client.force_login(world.staff_a)
    html = admin_client.get(reverse("certificates_register_book"), {"p": 3}).content.decode()
    assert "Lê Hoàng Yến" in html and "Nguyễn Thị Ánh Tuyết" not in html  # entry 5 alone on page 3
    assert "Page 3 of 3" in html


def test_register_book_admin_downloads(admin_client, world, book_world):
    admin_client.force_login(world.officer_a)
    query = {"institution": world.school_a.pk, "year": 2026}
    xlsx = admin_client.get(reverse("certificates_register_book_xlsx"), query)
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    assert 'filename="register-book-sch-a-2026.xlsx"' in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=6)] == [1, 2, 3, 4, 5]
    pdf = admin_client.get(reverse("certificates_register_book_pdf"), query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Trần Quốc Bảo" in _pdftotext(pdf.content)


@pytest.mark.parametrize(
    "name", ["certificates_register_book", "certificates_register_book_xlsx", "certificates_register_book_pdf"]
)
def test_register_book_admin_refuses_another_school(admin_client, world, book_world, name):
    admin_client.force_login(world.staff_b)
    response = admin_client.get(reverse(name), {"institution": world.school_a.pk, "year": 2026})
    assert response.status_code == 403
    assert "Nguyễn Thị Ánh Tuyết" not in response.content.decode(errors="ignore")


def test_register_book_admin_refuses_an_officer_of_another_province(admin_client, world, book_world):
    admin_client.force_login(world.officer_b)
    response = admin_client.get(
        reverse("certificates_register_book_xlsx"), {"institution": world.school_a.pk, "year": 2026}
    )
    assert response.status_code == 403
    # Their own province's school opens (empty book).
    assert (
        admin_client.get(reverse("certificates_register_book"), {"institution": world.school_b.pk}).status_code == 200
    )


def test_register_book_admin_refuses_a_user_without_role(admin_client, world):
    from tests import factories

    nobody = factories.UserFactory(username="nobody", is_staff=True)
    admin_client.force_login(nobody)
    assert admin_client.get(reverse("certificates_register_book")).status_code in (302, 403)


def test_register_book_admin_menu_item(admin_client, world):
    from certificates.admin_views.register_book import register_book_menu_item

    item = register_book_menu_item()
    assert item.url == reverse("certificates_register_book")
    request = type("R", (), {"user": world.staff_a})()
    assert item.is_shown(request)
    request.user = world.admin
    assert item.is_shown(request)


def test_register_book_admin_page_query_count_is_bounded(admin_client, world, cohort, django_assert_max_num_queries):
    for n in range(3):
        _issue(world, cohort, f"Bùi Thu Trang {n}")
    admin_client.force_login(world.staff_a)
    url = reverse("certificates_register_book")
    admin_client.get(url)  # warm the caches (site, menus, content types)
    with django_assert_max_num_queries(60) as few:
        admin_client.get(url)
    for n in range(3, 9):
        _issue(world, cohort, f"Bùi Thu Trang {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Bùi Thu Trang 8" in admin_client.get(url).content.decode()
