"""Bulk imports of the registry (vet.imports): institutions, teachers, outcomes and equipment through one job flow,
the engine's cell checks, and the admin pages (upload → preview → confirm; errors by row and column)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests import factories
from vet.imports import all_kinds, get_kind, jobs
from vet.imports.engine import BOOL, DATE, DECIMAL, INT, Column, load
from vet.models import ImportJob, Institution, OccupationOutcome, Teacher


def upload(rows, name="file.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"))


def start(user, kind, rows, **context):
    with translation.override("en"):
        return jobs.start(user=user, kind=kind, upload=upload(rows), **context)


def confirm(user, job):
    with translation.override("en"):
        return jobs.confirm(user=user, job=job)


def cells(job):
    return {(e["row"], e["column"]) for e in job.errors}


# ------------------------------------------------------------------------------------------------ engine


def test_engine_converts_columns_and_names_bad_cells(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("n,d,x,b\n3,04/03/2005,\"2,5\",có\n3.5,2005-13-01,abc,maybe\n,31/12/1899,1.234,\n",
                    encoding="utf-8")
    columns = (Column("n", "N", "", INT, required=True, minimum=0, maximum=10),
               Column("d", "D", "", DATE), Column("x", "X", "", DECIMAL, places=2), Column("b", "B", "", BOOL))
    with translation.override("en"):
        table = load(path, columns)
    assert table.values.loc[0].tolist()[:2] == [3, __import__("datetime").date(2005, 3, 4)]
    assert str(table.values.at[0, "x"]) == "2.50" and table.values.at[0, "b"] is True
    found = {(e.row, e.column): e.message for e in table.errors.items}
    assert set(found) == {(3, "n"), (3, "d"), (3, "x"), (3, "b"), (4, "n"), (4, "d"), (4, "x")}
    assert found[(3, "n")] == "'3.5' is not a whole number" and found[(4, "n")] == "required"
    assert "dd/mm/yyyy" in found[(3, "d")] and "more than 2 decimals" in found[(4, "x")]
    assert table.values.at[2, "b"] is False  # an empty yes/no cell means no


def test_unreadable_and_unknown_files_are_refused_whole(world, tmp_path):
    with translation.override("en"):
        job = jobs.start(user=world.officer_a, kind="institutions",
                         upload=SimpleUploadedFile("x.xlsx", b"not a workbook"))
    assert job.status == ImportJob.Status.REJECTED and "could not be read" in job.errors[0]["message"]
    with pytest.raises(Exception, match="csv or .xlsx"), translation.override("en"):
        jobs.start(user=world.officer_a, kind="institutions", upload=SimpleUploadedFile("x.pdf", b"%PDF"))
    latin = SimpleUploadedFile("x.csv", "Mã cơ sở,Tên cơ sở\nA,Trường\n".encode("utf-16"))
    with translation.override("en"):
        job = jobs.start(user=world.officer_a, kind="institutions", upload=latin)
    assert "UTF-8" in job.errors[0]["message"]


# ------------------------------------------------------------------------------------------------ institutions

INSTITUTION_HEADER = ["Mã cơ sở", "Tên cơ sở", "Loại hình cơ sở", "Loại hình sở hữu", "Mã tỉnh", "Thư điện tử"]


def test_institutions_are_created_and_updated_by_code(world):
    rows = [INSTITUTION_HEADER,
            ["CD-TG-99", "Trường Cao đẳng Mới", "Cao đẳng", "Công lập", "82", "info@moi.edu.vn"],
            ["SCH-A", "Trường Cao đẳng Điện lực A (đổi tên)", "college", "public", "82", ""]]
    job = start(world.officer_a, "institutions", rows)
    assert job.status == ImportJob.Status.CHECKED, job.errors
    assert job.counts == {"created": 1, "updated": 1, "unchanged": 0}
    job = confirm(world.officer_a, job)
    assert job.status == ImportJob.Status.DONE
    new = Institution.objects.get(code="CD-TG-99")
    assert (new.type, new.ownership, new.province, new.email) == ("college", "public", world.province_a,
                                                                  "info@moi.edu.vn")
    assert new.history.get().history_user == world.officer_a
    world.school_a.refresh_from_db()
    assert world.school_a.name_vi.endswith("(đổi tên)")


def test_institution_rows_are_checked_and_officers_keep_to_their_province(world):
    rows = [INSTITUTION_HEADER,
            ["bad code!", "Trường", "college", "public", "82", ""],
            ["CD-X", "Trường X", "university", "public", "82", "not-an-email"],
            ["CD-Y", "Trường Y", "college", "public", "31", ""],  # officer_a is not of Hải Phòng
            ["CD-Z", "", "college", "public", "99", ""],
            ["CD-X", "Trường X lần hai", "college", "public", "82", ""]]
    job = start(world.officer_a, "institutions", rows)
    assert job.status == ImportJob.Status.REJECTED
    assert cells(job) == {(2, "Mã cơ sở"), (3, "Loại hình cơ sở"), (3, "Thư điện tử"), (4, "Mã tỉnh"),
                          (5, "Tên cơ sở"), (5, "Mã tỉnh"), (6, "Mã cơ sở")}
    assert not Institution.objects.filter(code__in=["CD-X", "CD-Y", "CD-Z"]).exists()
    with pytest.raises(Exception, match="may not import"):
        start(world.staff_a, "institutions", rows)


# ------------------------------------------------------------------------------------------------ teachers

TEACHER_HEADER = ["Mã giáo viên", "Họ và tên", "Trình độ cao nhất", "Chứng chỉ sư phạm GDNN", "Bậc ngoại ngữ",
                  "Mã nghề giảng dạy"]


def test_teachers_are_matched_by_staff_number_or_name(world):
    occupation = factories.OccupationFactory(code="6520227")
    known = factories.TeacherFactory(institution=world.school_a, full_name="Trần Văn Cũ", degree="bachelor")
    rows = [TEACHER_HEADER,
            ["GV-01", "Nguyễn Thị Mới", "Thạc sĩ", "có", "3", "6520227"],
            ["", "Trần Văn Cũ", "master", "không", "", ""]]
    job = start(world.staff_a, "teachers", rows, institution=world.school_a)
    assert job.status == ImportJob.Status.CHECKED, job.errors
    assert job.counts == {"created": 1, "updated": 1, "unchanged": 0}
    confirm(world.staff_a, job)
    new = Teacher.objects.get(staff_number="GV-01")
    assert (new.degree, new.has_pedagogy_certificate, new.foreign_language_level) == ("master", True, 3)
    assert list(new.occupations.all()) == [occupation]
    known.refresh_from_db()
    assert known.degree == "master" and Teacher.objects.filter(institution=world.school_a).count() == 2
    again = start(world.staff_a, "teachers", rows, institution=world.school_a)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_teacher_rows_are_checked(world):
    rows = [TEACHER_HEADER,
            ["GV-01", "A", "professor", "có", "7", "9999999"],
            ["GV-01", "B", "master", "", "", ""],
            ["", "C", "master", "", "", ""],
            ["", "C", "master", "", "", ""]]
    job = start(world.staff_a, "teachers", rows, institution=world.school_a)
    assert cells(job) == {(2, "Trình độ cao nhất"), (2, "Bậc ngoại ngữ"), (2, "Mã nghề giảng dạy"), (3, "Mã giáo viên"),
                          (5, "Họ và tên")}
    with pytest.raises(Exception, match="may not import"):
        start(world.staff_b, "teachers", rows, institution=world.school_a)
    assert not Teacher.objects.exists()


# ------------------------------------------------------------------------------------------------ outcomes, equipment


def test_outcomes_go_through_the_same_jobs(world):
    factories.OccupationFactory(code="6520227")
    header = ["institution_code", "occupation_code", "level", "year", "enrolment", "graduates", "employed_6m"]
    job = start(world.staff_a, "outcomes", [header, ["SCH-A", "6520227", "college", "2025", "120", "95", "80"]])
    assert job.status == ImportJob.Status.CHECKED, job.errors
    assert job.counts["created"] == 1 and not OccupationOutcome.objects.exists()  # the preview was a dry run
    confirm(world.staff_a, job)
    assert OccupationOutcome.objects.get().graduates == 95
    job = start(world.staff_a, "outcomes", [header, ["SCH-B", "6520227", "college", "2025", "1", "x", "1"]])
    assert job.status == ImportJob.Status.REJECTED and {c for _r, c in cells(job)} >= {"institution_code"}


def test_every_kind_has_templates_with_instructions():
    assert {k.key for k in all_kinds()} == {"institutions", "teachers", "learners", "results", "outcomes",
                                            "equipment"}
    for kind in all_kinds():
        book = load_workbook(io.BytesIO(kind.template_xlsx()))
        assert len(book.sheetnames) >= 2, kind.key
        header = next(csv.reader(io.StringIO(kind.template_csv().decode("utf-8-sig"))))
        assert header and all(header), kind.key


# ------------------------------------------------------------------------------------------------ admin pages


def test_admin_flow_rejects_a_bad_file_then_imports_a_clean_one(client, world):
    client.force_login(world.officer_a)
    assert client.get(reverse("vet_imports")).status_code == 200
    url = reverse("vet_import_upload", args=("institutions",))
    assert client.get(url).status_code == 200
    bad = upload([INSTITUTION_HEADER, ["CD-N", "", "college", "public", "82", ""]])
    response = client.post(url, {"file": bad})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("vet_import_job", args=(job.pk,))
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"import-errors" in page.content and "Tên cơ sở" in page.content.decode()
    errors = client.get(reverse("vet_import_errors", args=(job.pk, "csv")))
    assert "Tên cơ sở" in errors.content.decode("utf-8-sig")
    assert client.get(reverse("vet_import_errors", args=(job.pk, "xlsx"))).status_code == 200
    good = upload([INSTITUTION_HEADER, ["CD-N", "Trường Mới", "college", "public", "82", ""]])
    client.post(url, {"file": good})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.CHECKED
    assert b"import-confirm" in client.get(reverse("vet_import_job", args=(job.pk,))).content
    response = client.post(reverse("vet_import_action", args=(job.pk, "confirm")))
    assert response.status_code == 302 and Institution.objects.filter(code="CD-N").exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    template = client.get(reverse("vet_import_template", args=("institutions", "xlsx")))
    assert template.status_code == 200 and template["Content-Disposition"].endswith('.xlsx"')


def test_admin_pages_keep_each_user_to_their_imports(client, world):
    job = start(world.staff_a, "teachers", [TEACHER_HEADER, ["", "A", "master", "", "", ""]],
                institution=world.school_a)
    client.force_login(world.staff_b)
    assert client.get(reverse("vet_import_job", args=(job.pk,))).status_code == 404
    assert client.post(reverse("vet_import_action", args=(job.pk, "confirm"))).status_code == 404
    response = client.post(reverse("vet_import_upload", args=("teachers",)),
                           {"target": world.school_a.pk, "file": upload([TEACHER_HEADER])})
    assert response.status_code == 400  # school A is not among staff B's choices
    client.force_login(world.officer_a)
    assert client.get(reverse("vet_import_upload", args=("teachers",))).status_code == 403
    client.force_login(world.staff_a)
    page = client.get(reverse("vet_imports")).content.decode()
    assert job.filename in page and "kind-institutions" not in page and "kind-learners" in page


def test_a_large_file_shows_its_progress(client, world, settings, django_capture_on_commit_callbacks):
    settings.VETTRACK_IMPORT_INLINE_BYTES = 10
    job = start(world.staff_a, "teachers", [TEACHER_HEADER, ["", "A", "master", "", "", ""]],
                institution=world.school_a)
    assert job.status == ImportJob.Status.QUEUED  # the worker checks it once the upload is committed
    client.force_login(world.staff_a)
    page = client.get(reverse("vet_import_job", args=(job.pk,))).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page
    jobs.check(job.pk)
    assert get_kind("teachers").may_import(world.staff_a)
