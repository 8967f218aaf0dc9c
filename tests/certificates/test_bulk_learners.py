"""Bulk import of a school's learners (certificates.bulk_importers through vet.imports.jobs): every row checked,
errors named by row and column, nothing written unless the whole file is clean, history kept."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from certificates.models import Enrolment, Learner
from tests import factories
from vet.imports import get_kind, jobs
from vet.models import ImportJob

HEADER = ["Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi sinh", "Dân tộc", "Mã lớp",
          "Mã học sinh, sinh viên"]


def row(n, cohort_code, **changes):
    values = {"citizen_id": f"0822050{n:05d}", "full_name": f"Lê Văn Học {n}", "date_of_birth": "04/03/2005",
              "sex": "Nam", "place_of_birth": "Tiền Giang", "ethnicity": "", "cohort_code": cohort_code,
              "student_number": f"SV{n:05d}"}
    return [*{**values, **changes}.values()]


def csv_file(rows, header=HEADER, name="learners.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"))


def xlsx_file(rows, header=HEADER, name="learners.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def start(user, upload, institution):
    with translation.override("en"):
        return jobs.start(user=user, kind="learners", upload=upload, institution=institution)


def confirm(user, job):
    with translation.override("en"):
        return jobs.confirm(user=user, job=job)


def errors_of(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def test_a_clean_csv_is_previewed_then_written_with_history(world, cohort):
    job = start(world.staff_a, csv_file([row(1, cohort.code), row(2, cohort.code)]), world.school_a)
    assert job.status == ImportJob.Status.CHECKED, job.errors
    assert job.counts == {"rows": 2, "enrolled": 2, "learners_new": 2, "already_enrolled": 0}
    assert job.preview[0][:3] == ["Row", "Số định danh cá nhân", "Họ và tên"] or job.preview[0][1] == HEADER[0]
    assert Learner.objects.count() == 0  # the preview writes nothing
    job = confirm(user=world.staff_a, job=job)
    assert job.status == ImportJob.Status.DONE
    learner = Learner.objects.get(citizen_id="082205000001")
    assert (learner.full_name, learner.sex, learner.ethnicity) == ("Lê Văn Học 1", "male", "Kinh")
    assert learner.history.get().history_user == world.staff_a
    enrolment = Enrolment.objects.get(learner=learner)
    assert (enrolment.cohort, enrolment.student_number) == (cohort, "SV00001")
    assert enrolment.history.get().history_user == world.staff_a
    again = start(world.staff_a, csv_file([row(1, cohort.code), row(2, cohort.code)]), world.school_a)
    assert again.counts == {"rows": 2, "enrolled": 0, "learners_new": 0, "already_enrolled": 2}


def test_every_bad_cell_is_named_and_nothing_is_written(world, cohort):
    factories.LearnerFactory(citizen_id="082205000009", full_name="Someone Else")
    rows = [
        row(1, cohort.code),
        row(2, cohort.code, citizen_id="12345"),
        row(3, cohort.code, date_of_birth="31/02/2005"),
        row(4, cohort.code, sex="?"),
        row(5, "NO-SUCH"),
        row(1, cohort.code),  # the same citizen ID as the first row
        row(9, cohort.code),  # registered under another name
        row(7, cohort.code, full_name=""),
    ]
    job = start(world.staff_a, csv_file(rows), world.school_a)
    assert job.status == ImportJob.Status.REJECTED
    found = {(r, c) for r, c, _m in errors_of(job)}
    assert found == {(3, "Số định danh cá nhân"), (4, "Ngày sinh"), (5, "Giới tính"), (6, "Mã lớp"),
                     (7, "Số định danh cá nhân"), (8, "Số định danh cá nhân"), (9, "Họ và tên")}
    messages = {(r, c): m for r, c, m in errors_of(job)}
    assert messages[(7, "Số định danh cá nhân")] == "duplicate of row 2"
    assert "another name" in messages[(8, "Số định danh cá nhân")]
    assert "NO-SUCH" in messages[(6, "Mã lớp")]
    assert job.error_count == 7
    with pytest.raises(Exception, match="not waiting"):
        confirm(user=world.staff_a, job=job)
    assert Learner.objects.count() == 1 and not Enrolment.objects.exists()


def test_xlsx_with_numbers_and_dates_as_excel_types(world, cohort):
    import datetime

    rows = [[82205000001, "Trần Thị Mai", datetime.date(2005, 3, 4), "Nữ", "Tiền Giang", "Khmer", cohort.code, ""]]
    job = start(world.staff_a, xlsx_file(rows), world.school_a)
    assert job.status == ImportJob.Status.CHECKED, job.errors
    confirm(user=world.staff_a, job=job)
    learner = Learner.objects.get()
    assert (learner.citizen_id, learner.date_of_birth, learner.sex, learner.ethnicity) == (
        "082205000001", datetime.date(2005, 3, 4), "female", "Khmer")


def test_headers_are_checked_first(world, cohort):
    job = start(world.staff_a, csv_file([row(1, cohort.code)[:6]], header=[*HEADER[:5], "Quê quán"]), world.school_a)
    assert job.status == ImportJob.Status.REJECTED
    assert {(r, c) for r, c, _m in errors_of(job)} == {(1, "Quê quán"), (1, "Mã lớp")}


def test_schools_import_only_their_own_learners(world, cohort):
    with pytest.raises(Exception, match="may not import"):
        start(world.staff_b, csv_file([row(1, cohort.code)]), world.school_a)
    with pytest.raises(Exception, match="may not import"):
        start(world.officer_a, csv_file([row(1, cohort.code)]), world.school_a)
    job = start(world.staff_a, csv_file([row(1, cohort.code)]), world.school_a)
    with pytest.raises(Exception, match="Only the person"):
        confirm(user=world.staff_b, job=job)
    assert confirm(user=world.admin, job=job).status == ImportJob.Status.DONE  # an administrator may


def test_a_cohort_of_an_unapproved_version_is_refused(world, cohort):
    draft = factories.CohortFactory(code="DRAFT-1", curriculum_version=factories.CurriculumVersionFactory(
        curriculum=cohort.curriculum_version.curriculum, status="draft"))
    job = start(world.staff_a, csv_file([row(1, draft.code)]), world.school_a)
    assert "not approved" in errors_of(job)[0][2]


def test_the_database_changing_after_the_preview_is_caught(world, cohort):
    job = start(world.staff_a, csv_file([row(1, cohort.code)]), world.school_a)
    factories.LearnerFactory(citizen_id="082205000001", full_name="Registered meanwhile")
    job = confirm(user=world.staff_a, job=job)
    assert job.status == ImportJob.Status.REJECTED and "another name" in job.errors[0]["message"]
    assert not Enrolment.objects.exists()


def test_large_files_are_checked_and_written_by_the_worker(world, cohort, settings, django_capture_on_commit_callbacks):
    settings.VETTRACK_IMPORT_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        job = start(world.staff_a, csv_file([row(n, cohort.code) for n in range(1, 301)]), world.school_a)
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows) == (ImportJob.Status.CHECKED, 100, 300)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(user=world.staff_a, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Enrolment.objects.filter(cohort=cohort).count() == 300


def test_queries_do_not_grow_with_the_rows(world, cohort, django_assert_max_num_queries):
    kind = get_kind("learners")
    from vet.imports.base import Context

    path = csv_file([row(n, cohort.code) for n in range(1, 401)])
    job = start(world.staff_a, path, world.school_a)  # keeps the file
    with django_assert_max_num_queries(12):
        checked = kind.check(job.file.path, Context(user=world.staff_a, institution=world.school_a),
                             filename=job.filename)
    assert checked.counts["enrolled"] == 400


def test_template_has_the_headers_and_instructions():
    kind = get_kind("learners")
    book = load_workbook(io.BytesIO(kind.template_xlsx()))
    assert [c.value for c in book["data"][1]] == HEADER
    text = " ".join(str(c.value) for r in book["instructions"].iter_rows() for c in r if c.value)
    assert "citizen_id" in text and "dd/mm/yyyy" in text
    assert next(csv.reader(io.StringIO(kind.template_csv().decode("utf-8-sig")))) == HEADER


def test_results_of_a_cohort_go_through_the_same_jobs_from_csv(world, cohort, rules):
    """The results kind delegates to certificates.importers (the services classify and recognise graduation);
    the job flow adds CSV, the preview as a dry run, and all-or-nothing writing."""
    enrolment = factories.EnrolmentFactory(cohort=cohort, final_score=None, classification="", graduated=False,
                                           graduation_decision_number="", graduation_date=None,
                                           learner=factories.LearnerFactory(citizen_id="082204000001"))
    header = ["Số định danh cá nhân", "Điểm tổng kết", "Hoàn thành chương trình", "Số quyết định tốt nghiệp",
              "Ngày quyết định tốt nghiệp"]
    with translation.override("en"):
        job = jobs.start(user=world.staff_a, kind="results", cohort=cohort,
                         upload=csv_file([["082204000001", "3,45", "có", "245/QĐ-CĐ", "30/06/2026"]], header=header))
    assert job.status == ImportJob.Status.CHECKED, job.errors
    assert job.counts == {"rows": 1, "recorded": 1, "graduated": 1, "unchanged": 0}
    enrolment.refresh_from_db()
    assert enrolment.final_score is None  # the preview was a dry run
    assert confirm(world.staff_a, job).status == ImportJob.Status.DONE
    enrolment.refresh_from_db()
    assert (str(enrolment.final_score), enrolment.graduated) == ("3.45", True)
    with translation.override("en"):
        bad = jobs.start(user=world.staff_a, kind="results", cohort=cohort,
                         upload=csv_file([["082204000009", "5", "có", "", ""]], header=header))
    assert bad.status == ImportJob.Status.REJECTED and bad.error_count >= 1
    with pytest.raises(Exception, match="may not import"), translation.override("en"):
        jobs.start(user=world.staff_b, kind="results", cohort=cohort, upload=csv_file([], header=header))
