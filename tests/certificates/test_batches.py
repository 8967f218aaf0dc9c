"""Batch issuing of a cohort: validation report, chunks through the task queue, progress and downloads."""

import datetime
import io
import subprocess
import zipfile
from io import StringIO

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from certificates import batches, choices, selectors, services
from certificates.models import Diploma, IssueBatch, RegisterEntry, SerialCounter
from tests import factories
from tests.certificates.conftest import graduate

Outcome = choices.BatchItemOutcome
ISSUED_ON = datetime.date(2026, 7, 15)


@pytest.fixture
def mixed_cohort(cohort, world):
    """Four graduates, one learner without a graduation decision, one graduate who already holds a diploma."""
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung"]
    ready = [graduate(cohort, full_name=n) for n in names]
    not_graduated = factories.EnrolmentFactory(cohort=cohort, learner=factories.LearnerFactory(full_name="Võ Minh Em"),
                                               graduated=False, graduation_decision_number="", graduation_date=None)
    holder = graduate(cohort, full_name="Đặng Văn Giang")
    first = services.issue_diploma(user=world.staff_a, enrolment=holder, issued_on=ISSUED_ON)
    return cohort, ready, not_graduated, holder, first


def _run(batch, user, **kwargs):
    return batches.start_batch(user=user, batch=batch, **kwargs)


def test_prepare_batch_reports_who_can_be_issued_and_why_not_without_numbering(mixed_cohort, world):
    cohort, ready, not_graduated, holder, first = mixed_cohort
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=ISSUED_ON)
    outcomes = {i.enrolment_id: i for i in batch.items.all()}
    assert {e.pk for e in ready} == {k for k, i in outcomes.items() if i.outcome == Outcome.READY}
    assert outcomes[not_graduated.pk].outcome == Outcome.REFUSED
    assert [r["code"] for r in outcomes[not_graduated.pk].reasons] == ["not_graduated"]
    assert outcomes[holder.pk].outcome == Outcome.ALREADY_ISSUED and outcomes[holder.pk].diploma == first
    assert (batch.total, batch.status) == (4, choices.BatchStatus.VALIDATED)
    assert Diploma.objects.count() == 1 and SerialCounter.objects.get().last_value == 1
    summary = batches.batch_summary(batch)
    assert (summary["ready"], summary["refused"], summary["already_issued"], summary["percent"]) == (4, 1, 1, 0)


def test_prepare_batch_refuses_everyone_when_the_cohort_cannot_be_issued(cohort, world):
    graduate(cohort)
    cohort.curriculum_version.curriculum.institution.diploma_templates.update(is_active=False)
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort)
    item = batch.items.get()
    assert item.outcome == Outcome.REFUSED and [r["code"] for r in item.reasons] == ["no_template"]
    with pytest.raises(ValidationError) as error:
        _run(batch, world.staff_a)
    assert error.value.code == "nothing_to_issue"


def test_prepare_batch_of_an_empty_cohort_says_so(cohort, world):
    with pytest.raises(ValidationError) as error:
        batches.prepare_batch(user=world.staff_a, cohort=cohort)
    assert "cohort" in error.value.message_dict and error.value.error_dict["cohort"][0].code == "empty"


@pytest.mark.parametrize("who", ["staff_b", "officer_a", "officer_b"])
def test_only_the_schools_staff_prepare_and_start_a_batch(cohort, world, who):
    graduate(cohort)
    with pytest.raises(PermissionDenied):
        batches.prepare_batch(user=getattr(world, who), cohort=cohort)
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort)
    with pytest.raises(PermissionDenied):
        _run(batch, getattr(world, who))
    assert IssueBatch.objects.get().status == choices.BatchStatus.VALIDATED


def test_batch_issues_every_ready_learner_in_chunks_then_builds_the_downloads(
    mixed_cohort, world, django_capture_on_commit_callbacks, tmp_path
):
    cohort, ready, *_ = mixed_cohort
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=ISSUED_ON)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _run(batch, world.staff_a, chunk_size=3)
    batch.refresh_from_db()
    assert len(callbacks) >= 1
    assert (batch.status, batch.issued, batch.failed, batch.percent) == (choices.BatchStatus.DONE, 4, 0, 100)
    diplomas = Diploma.objects.filter(enrolment__in=ready).order_by("sequence")
    assert [d.status for d in diplomas] == [choices.DiplomaStatus.VALID] * 4
    # Gapless after the diploma issued before the batch, and one register entry each, chain intact.
    assert [d.sequence for d in diplomas] == [2, 3, 4, 5]
    assert RegisterEntry.objects.count() == 5 and services.verify_register() == []
    assert all(d.pdf and len(d.pdf_sha256) == 64 for d in diplomas)
    assert set(batch.items.filter(outcome=Outcome.ISSUED).values_list("diploma", flat=True)) == {
        d.pk for d in diplomas}
    assert batches.batch_summary(batch)["workers"]  # who issued each chunk is recorded
    # The ZIP holds one PDF per diploma, named by serial, byte for byte the stored files.
    with batch.archive.open("rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    assert sorted(archive.namelist()) == sorted(f"CĐA-2026-{d.sequence:05d}.pdf" for d in diplomas)
    for d in diplomas:
        with d.pdf.open("rb") as stored:
            assert archive.read(f"CĐA-2026-{d.sequence:05d}.pdf") == stored.read()
    # The print-ready PDF has one page per diploma with the holders' names in Vietnamese.
    with batch.print_pdf.open("rb") as f:
        (tmp_path / "print.pdf").write_bytes(f.read())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "print.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.count("\f") == 4
    for e in ready:
        assert e.learner.full_name.upper() in text.upper()
    with batch.print_pdf.open("rb") as f:
        assert pikepdf.open(io.BytesIO(f.read())).open_metadata().pdfa_status == "3B"


def test_the_print_ready_pdf_is_laid_out_in_parts_and_joined_in_register_order(
    mixed_cohort, world, monkeypatch, tmp_path
):
    cohort, ready, *_ = mixed_cohort
    monkeypatch.setattr(batches, "PRINT_PART", 3)  # four diplomas: a part of three and a part of one
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=ISSUED_ON)
    batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    for chunk in batches.pending_chunks(batch):
        batches.run_chunk(batch.pk, chunk, assemble_here=True)
    batch.refresh_from_db()
    with batch.print_pdf.open("rb") as f:
        content = f.read()
    pdf = pikepdf.open(io.BytesIO(content))
    assert len(pdf.pages) == 4 and pdf.open_metadata().pdfa_status == "3B" and "/OutputIntents" in pdf.Root
    assert pdf.open_metadata()["dc:title"].startswith("Diplomas CĐA/2026/00002 – CĐA/2026/00005")
    (tmp_path / "print.pdf").write_bytes(content)
    serials = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(tmp_path / "print.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout for n in range(1, 5)]
    for n, page in enumerate(serials, start=2):
        assert f"CĐA/2026/{n:05d}" in page
    fonts = subprocess.run(["pdffonts", str(tmp_path / "print.pdf")], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" for row in fonts)


def test_a_chunk_run_twice_issues_nothing_twice(mixed_cohort, world, django_capture_on_commit_callbacks):
    cohort, ready, *_ = mixed_cohort
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=ISSUED_ON)
    chunk = list(batch.items.filter(outcome=Outcome.READY).values_list("pk", flat=True))
    batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    assert batches.run_chunk(batch.pk, chunk, assemble_here=True) == 4
    assert batches.run_chunk(batch.pk, chunk, assemble_here=True) == 0
    assert Diploma.objects.count() == 5 and RegisterEntry.objects.count() == 5
    batch.refresh_from_db()
    assert (batch.issued, batch.status) == (4, choices.BatchStatus.DONE)


def test_a_worker_dying_while_rendering_leaves_numbers_that_the_next_run_completes(cohort, world):
    enrolments = [graduate(cohort) for _ in range(3)]
    ids = [e.pk for e in enrolments]

    def crash(diplomas):
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        services.issue_many(user=world.staff_a, enrolment_ids=ids, issued_on=ISSUED_ON, render=crash)
    pending = list(Diploma.objects.order_by("sequence"))
    assert [d.status for d in pending] == [choices.DiplomaStatus.PENDING] * 3
    assert RegisterEntry.objects.count() == 0
    assert selectors.get_diploma_by_code(pending[0].code) is None  # not public until complete
    results = services.issue_many(user=world.staff_a, enrolment_ids=ids, issued_on=ISSUED_ON)
    done = list(Diploma.objects.order_by("sequence"))
    assert [(d.pk, d.serial) for d in done] == [(d.pk, d.serial) for d in pending]  # same numbers, no gap
    assert [d.status for d in done] == [choices.DiplomaStatus.VALID] * 3
    assert RegisterEntry.objects.count() == 3 and services.verify_register() == []
    assert all(r.diploma and not r.already for r in results)
    # Once complete, issuing again returns the same diplomas.
    again = services.issue_many(user=world.staff_a, enrolment_ids=ids, issued_on=ISSUED_ON)
    assert all(r.already for r in again) and Diploma.objects.count() == 3


def test_a_failing_chunk_marks_its_items_failed_and_the_batch_still_ends(
    mixed_cohort, world, monkeypatch
):
    cohort, *_ = mixed_cohort
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=ISSUED_ON)
    batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    chunks = batches.pending_chunks(batch, chunk_size=2)
    real = services.issue_many
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "issue_many", flaky)
    for chunk in chunks:
        batches.run_chunk(batch.pk, chunk, assemble_here=True)
    batch.refresh_from_db()
    assert (batch.issued, batch.failed, batch.status) == (2, 2, choices.BatchStatus.DONE)
    failed = batch.items.filter(outcome=Outcome.FAILED)
    assert failed.count() == 2 and "disk full" in failed.first().reasons[0]["message"]


def test_a_batch_starts_once(mixed_cohort, world):
    cohort, *_ = mixed_cohort
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort)
    batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    with pytest.raises(ValidationError) as error:
        batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    assert error.value.code == "started"


def test_prepare_batch_queries_do_not_grow_with_the_cohort(cohort, world, django_assert_max_num_queries):
    for _ in range(25):
        graduate(cohort)
    with django_assert_max_num_queries(20):
        batch = batches.prepare_batch(user=world.staff_a, cohort=cohort)
    assert batch.total == 25


def test_issue_many_queries_per_diploma_are_bounded(cohort, world, django_assert_max_num_queries):
    """The numbering, snapshots and rows of a chunk are set up once; what remains per diploma is its register
    entry (the previous entry's hash, the insert) and its stored file."""
    ids = [graduate(cohort).pk for _ in range(10)]
    with django_assert_max_num_queries(30 + 2 * 10):
        services.issue_many(user=world.staff_a, enrolment_ids=ids, issued_on=ISSUED_ON, render=lambda ds: [
            b"%PDF-1.7 test" for _ in ds])


def test_issue_batch_command_reports_then_issues_with_a_progress_bar(mixed_cohort, world):
    cohort, ready, *_ = mixed_cohort
    out = StringIO()
    call_command("issue_batch", cohort=cohort.pk, user="staff_a", stdout=out)
    assert "4 can be issued, 1 cannot, 1 already issued" in out.getvalue()
    assert f"cannot: Võ Minh Em: {services.refusal_message('not_graduated')}" in out.getvalue()
    assert Diploma.objects.count() == 1
    out = StringIO()
    call_command("issue_batch", cohort=cohort.pk, user="staff_a", yes=True, here=True,
                 issued_on=ISSUED_ON, stdout=out)
    assert "100%" in out.getvalue() and "Issued 4, failed 0; status: done." in out.getvalue()
    assert Diploma.objects.filter(status=choices.DiplomaStatus.VALID).count() == 5


def test_issue_batch_command_errors_name_the_problem(cohort, world, english):
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_batch", cohort=cohort.pk, user="nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="no learners"):
        call_command("issue_batch", cohort=cohort.pk, user="staff_a", stdout=StringIO())
    graduate(cohort)
    with pytest.raises(CommandError, match="may not add"):
        call_command("issue_batch", cohort=cohort.pk, user="staff_b", stdout=StringIO())


def test_a_batch_whose_worker_was_stopped_is_resumed_without_issuing_twice(
    mixed_cohort, world, django_capture_on_commit_callbacks
):
    """A worker killed in the middle of a chunk (db_worker restarted): its diplomas hold numbers but are not
    complete, and the batch stays 'issuing'. Resuming completes them with the same numbers and issues the rest."""
    cohort, ready, *_ = mixed_cohort
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=ISSUED_ON)
    batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    first = batch.items.filter(outcome=Outcome.READY).order_by("pk")[:2]

    def killed(diplomas):
        raise SystemExit("worker stopped")

    with pytest.raises(SystemExit):
        services.issue_many(user=world.staff_a, enrolment_ids=[i.enrolment_id for i in first], issued_on=ISSUED_ON,
                            render=killed)
    held = dict(Diploma.objects.filter(status=choices.DiplomaStatus.PENDING).values_list("enrolment_id", "serial"))
    assert len(held) == 2
    with pytest.raises(PermissionDenied):
        batches.resume_batch(user=world.staff_b, batch=batch)
    with django_capture_on_commit_callbacks(execute=True):
        batches.resume_batch(user=world.staff_a, batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.issued, batch.failed) == (choices.BatchStatus.DONE, 4, 0)
    for enrolment_id, serial in held.items():
        assert Diploma.objects.get(enrolment_id=enrolment_id, replaces__isnull=True).serial == serial
    assert Diploma.objects.filter(enrolment__in=ready).count() == 4
    assert RegisterEntry.objects.count() == 5 and services.verify_register() == []
    assert sorted(Diploma.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError) as error:
        batches.resume_batch(user=world.staff_a, batch=batch)
    assert error.value.code == "nothing_to_resume"
