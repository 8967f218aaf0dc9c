"""Issuing a cohort's diplomas in one batch through the task queue (docs/decisions/0001-task-queue.md).

1. `prepare_batch` writes the validation report: one item per enrolment, ready, refused (with the reasons) or
   already issued. Nothing is numbered yet.
2. `start_batch` queues the ready items in chunks (`tasks.issue_batch_chunk`); any number of workers take chunks
   (on Redis with `TASKS_BACKEND=rq`, several `rqworker` processes share one batch). Each chunk goes through
   `services.issue_many`, so numbering stays gapless and the register chained however many workers run.
3. The worker that finishes the last chunk queues `tasks.assemble_batch`: the ZIP of the single PDFs; the batch
   is then DONE, and `tasks.build_batch_print_pdf` writes one print-ready PDF of the valid diplomas.

Progress is the batch's `issued` and `failed` counters against `total`, updated as each chunk ends."""

from __future__ import annotations

import datetime
import io
import logging
import os
import re
import socket
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from vet import permissions
from vet.services import require_permission

from . import choices, services
from .models import Cohort, Diploma, Enrolment, IssueBatch, IssueBatchItem

logger = logging.getLogger(__name__)

CHUNK_SIZE = 20  # diplomas per task: small enough for visible progress, large enough to amortise the set-up
PRINT_PART = 100  # pages laid out at once for the print-ready PDF (about 2 MB of memory a page while it lasts)
Outcome = choices.BatchItemOutcome
Status = choices.BatchStatus


def _reasons(refusals) -> list[dict]:
    return [{"code": r.code, "message": str(r.message)} for r in refusals]


@transaction.atomic
def prepare_batch(*, user, cohort: Cohort, issued_on: datetime.date | None = None) -> IssueBatch:
    """The validation report of issuing a cohort's diplomas: who can be issued, who cannot and why, who already
    holds one. Numbers are taken only when the batch starts."""
    institution = cohort.curriculum_version.curriculum.institution
    require_permission(user, permissions.ADD, IssueBatch(institution=institution, cohort=cohort))
    enrolments = list(Enrolment.objects.select_related("learner").filter(cohort=cohort).order_by(
        "learner__full_name", "pk"))
    if not enrolments:
        raise ValidationError({"cohort": ValidationError(_("The cohort has no learners to issue diplomas to."),
                                                         code="empty")})
    common = services.cohort_refusals(cohort)
    existing = {d.enrolment_id: d for d in Diploma.objects.filter(enrolment__cohort=cohort, replaces__isnull=True)}
    batch = IssueBatch.objects.create(
        institution=institution, cohort=cohort, issued_on=issued_on or timezone.localdate(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    items = []
    for e in enrolments:
        diploma = existing.get(e.pk)
        if diploma is not None and diploma.status != choices.DiplomaStatus.PENDING:
            items.append(IssueBatchItem(batch=batch, enrolment=e, outcome=Outcome.ALREADY_ISSUED, diploma=diploma))
        elif refusals := common + services.enrolment_refusals(e):
            items.append(IssueBatchItem(batch=batch, enrolment=e, outcome=Outcome.REFUSED, reasons=_reasons(refusals)))
        else:
            items.append(IssueBatchItem(batch=batch, enrolment=e, outcome=Outcome.READY))
    IssueBatchItem.objects.bulk_create(items)
    batch.total = sum(1 for i in items if i.outcome == Outcome.READY)
    batch.save(update_fields=["total"])
    return batch


def start_batch(*, user, batch: IssueBatch, chunk_size: int = CHUNK_SIZE, enqueue: bool = True) -> IssueBatch:
    """Queue the ready items of a checked batch in chunks; the workers do the rest. With enqueue=False the caller
    runs the chunks itself (`pending_chunks`, `run_chunk`), as `manage.py issue_batch --here` does."""
    from . import tasks

    require_permission(user, permissions.CHANGE, batch)
    with transaction.atomic():
        batch = IssueBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != Status.VALIDATED:
            raise ValidationError(_("This batch has already been started."), code="started")
        ids = list(batch.items.filter(outcome=Outcome.READY).order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("No learner of this batch can be issued a diploma."), code="nothing_to_issue")
        batch.status, batch.started_at = Status.QUEUED, timezone.now()
        batch.save(update_fields=["status", "started_at"])
        if enqueue:
            chunks = _chunks(ids, chunk_size)
            transaction.on_commit(lambda: [tasks.issue_batch_chunk.enqueue(batch.pk, chunk) for chunk in chunks])
    return batch


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def pending_chunks(batch: IssueBatch, chunk_size: int = CHUNK_SIZE) -> list[list[int]]:
    """The items of a batch still to issue, in chunks."""
    ids = batch.items.filter(outcome=Outcome.READY).order_by("pk").values_list("pk", flat=True)
    return _chunks(list(ids), chunk_size)


def resume_batch(*, user, batch: IssueBatch) -> IssueBatch:
    """Queue again what a started batch still has to do, when a worker was stopped in the middle (a restart, a
    crash): the items still ready, or the downloads. Items already issued are skipped and diplomas left half-done
    are completed with the numbers they hold, so nothing is issued twice and no number is lost."""
    from . import tasks

    require_permission(user, permissions.CHANGE, batch)
    batch = IssueBatch.objects.get(pk=batch.pk)
    if batch.status in (Status.QUEUED, Status.RUNNING):
        chunks = pending_chunks(batch)
        if chunks:
            transaction.on_commit(lambda: [tasks.issue_batch_chunk.enqueue(batch.pk, chunk) for chunk in chunks])
        else:
            _finish_if_complete(batch.pk)
    elif batch.status == Status.ASSEMBLING:
        transaction.on_commit(lambda: tasks.assemble_batch.enqueue(batch.pk))
    elif batch.status == Status.DONE and not batch.print_pdf and batch.archive:
        transaction.on_commit(lambda: tasks.build_batch_print_pdf.enqueue(batch.pk))
    else:
        raise ValidationError(_("This batch has nothing left to do."), code="nothing_to_resume")
    return batch


def worker_name() -> str:
    """Who runs this chunk: the RQ worker's name (its work horses are short-lived forks), else host and process."""
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - not under RQ, or no Redis connection to ask
        job = None
    if job is not None and getattr(job, "worker_name", None):
        return job.worker_name
    return f"{socket.gethostname()}:{os.getpid()}"


def run_chunk(batch_id: int, item_ids: list[int], render=None, assemble_here: bool = False) -> int:
    """Issue one chunk of a batch (the body of tasks.issue_batch_chunk). Items already done are skipped, so a
    chunk run twice (a retried job) issues nothing twice. Returns how many diplomas this run issued. The run that
    ends the batch queues its downloads (or builds them itself with assemble_here)."""
    batch = IssueBatch.objects.select_related("created_by").get(pk=batch_id)
    IssueBatch.objects.filter(pk=batch_id, status=Status.QUEUED).update(status=Status.RUNNING)
    items = list(IssueBatchItem.objects.filter(pk__in=item_ids, batch_id=batch_id, outcome=Outcome.READY))
    if not items:
        _finish_if_complete(batch_id, assemble_here)
        return 0
    worker = worker_name()
    try:
        results = services.issue_many(user=batch.created_by, enrolment_ids=[i.enrolment_id for i in items],
                                      issued_on=batch.issued_on, render=render)
    except Exception as error:  # noqa: BLE001 - a broken chunk must not leave its items "ready" for ever
        logger.exception("batch %s: chunk %s failed", batch_id, item_ids)
        message = _("Unexpected error while issuing: %(error)s") % {"error": error}
        for item in items:
            item.outcome, item.reasons, item.worker = Outcome.FAILED, [{"code": "error", "message": message}], worker
    else:
        by_enrolment = {r.enrolment_id: r for r in results}
        for item in items:
            result = by_enrolment.get(item.enrolment_id)
            item.worker = worker
            if result is None:
                item.outcome = Outcome.FAILED
                item.reasons = [{"code": "missing", "message": _("The enrolment no longer exists.")}]
            elif result.refusals:
                item.outcome, item.reasons = Outcome.FAILED, _reasons(result.refusals)
            else:
                item.outcome, item.diploma = Outcome.ISSUED, result.diploma
    issued = failed = 0
    with transaction.atomic():
        # Only items still ready are recorded: a chunk queued again (resume_batch) while the first run was still
        # going counts each item once.
        for item in items:
            if IssueBatchItem.objects.filter(pk=item.pk, outcome=Outcome.READY).update(
                    outcome=item.outcome, reasons=item.reasons, diploma=item.diploma, worker=item.worker):
                issued += item.outcome == Outcome.ISSUED
                failed += item.outcome != Outcome.ISSUED
        IssueBatch.objects.filter(pk=batch_id).update(issued=F("issued") + issued, failed=F("failed") + failed)
    _finish_if_complete(batch_id, assemble_here)
    return issued


def _finish_if_complete(batch_id: int, assemble_here: bool = False) -> None:
    """When no item is left to issue, exactly one worker (the one whose update wins) queues the downloads."""
    from . import tasks

    if IssueBatchItem.objects.filter(batch_id=batch_id, outcome=Outcome.READY).exists():
        return
    won = IssueBatch.objects.filter(pk=batch_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.ASSEMBLING)
    if won and assemble_here:
        assemble(batch_id, print_here=True)
    elif won:
        transaction.on_commit(lambda: tasks.assemble_batch.enqueue(batch_id))


def _file_name(serial: str) -> str:
    return re.sub(r"[^\w.-]+", "-", serial).strip("-") or "diploma"


def assemble(batch_id: int, print_here: bool = False) -> IssueBatch:
    """The ZIP of a finished batch (the body of tasks.assemble_batch): one PDF/A per diploma, as stored. The batch
    is then DONE; the print-ready PDF follows in its own task (build_print_pdf), as it lays out every page again."""
    from . import tasks

    batch = IssueBatch.objects.get(pk=batch_id)
    try:
        diplomas = _issued(batch)
        if diplomas:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed
                for d in diplomas:
                    with d.pdf.open("rb") as pdf:
                        archive.writestr(f"{_file_name(d.serial)}.pdf", pdf.read())
            batch.archive.save(f"batch-{batch.pk}.zip", ContentFile(buffer.getvalue()), save=False)
        batch.status, batch.finished_at = Status.DONE, timezone.now()
    except Exception as error:  # noqa: BLE001 - shown on the batch page; the diplomas themselves are issued
        logger.exception("batch %s: the ZIP failed", batch_id)
        batch.status, batch.error, batch.finished_at = Status.FAILED, str(error), timezone.now()
    batch.save(update_fields=["archive", "status", "error", "finished_at"])
    if batch.status == Status.DONE and any(d.status == choices.DiplomaStatus.VALID for d in diplomas):
        if print_here:
            build_print_pdf(batch.pk)
        else:
            transaction.on_commit(lambda: tasks.build_batch_print_pdf.enqueue(batch.pk))
    return batch


def _issued(batch: IssueBatch) -> list[Diploma]:
    issued = batch.items.filter(outcome=Outcome.ISSUED).values("diploma")
    return list(Diploma.objects.filter(pk__in=issued).order_by("year", "sequence"))


def build_print_pdf(batch_id: int) -> IssueBatch:
    """One print-ready PDF/A of the batch's valid diplomas in register order (tasks.build_batch_print_pdf). Laid
    out PRINT_PART pages at a time and joined, so memory stays bounded however large the cohort."""
    from .pdfs import merge_pdfs
    from .rendering import render_diplomas_pdf

    batch = IssueBatch.objects.get(pk=batch_id)
    valid = [d for d in _issued(batch) if d.status == choices.DiplomaStatus.VALID]
    if not valid:
        return batch
    try:
        images = services.snapshot_images_many([d.snapshot for d in valid])
        parts = [render_diplomas_pdf([(d.snapshot, images) for d in valid[i : i + PRINT_PART]])
                 for i in range(0, len(valid), PRINT_PART)]
        title = f"Diplomas {valid[0].serial} – {valid[-1].serial} ({len(valid)})"
        batch.print_pdf.save(f"batch-{batch.pk}-print.pdf", ContentFile(merge_pdfs(parts, title=title)), save=False)
        batch.save(update_fields=["print_pdf"])
    except Exception as error:  # noqa: BLE001 - shown on the batch page
        logger.exception("batch %s: the print-ready PDF failed", batch_id)
        batch.error = _("The print-ready PDF could not be made: %(error)s") % {"error": error}
        batch.save(update_fields=["error"])
    return batch


def batch_summary(batch: IssueBatch) -> dict:
    """Progress and the counts of each outcome, for the admin page, the API and the command."""
    counts = dict(batch.items.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    return {
        "status": batch.status, "status_display": str(batch.get_status_display()), "total": batch.total,
        "issued": batch.issued, "failed": batch.failed, "percent": batch.percent,
        **{outcome: counts.get(outcome, 0) for outcome in (Outcome.READY, Outcome.REFUSED, Outcome.ALREADY_ISSUED)},
        "workers": sorted(set(batch.items.exclude(worker="").values_list("worker", flat=True))),
    }
