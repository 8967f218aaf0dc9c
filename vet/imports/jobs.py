"""Running an import: upload → check → preview → confirm → write, all rows or none.

A file up to VETTRACK_IMPORT_INLINE_BYTES is checked (and, once confirmed, written) in the request; a larger one
by the task worker (vet.tasks), its progress kept on the job for the page to show. Writing checks the file again
first, inside the transaction that writes it: what changed in the database since the preview is caught, and a
refusal leaves nothing written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vet import permissions
from vet.models import ImportJob

from . import get_kind
from .base import Checked, Context, WriteRefused
from .engine import Errors

log = logging.getLogger(__name__)
SUFFIXES = (".csv", ".xlsx", ".xlsm")


def max_upload_bytes() -> int:
    return getattr(settings, "VETTRACK_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def inline_bytes() -> int:
    return getattr(settings, "VETTRACK_IMPORT_INLINE_BYTES", 256 * 1024)


def visible_jobs(user) -> QuerySet[ImportJob]:
    """Imports a user may see: their own and their institutions'; an administrator sees all."""
    jobs = ImportJob.objects.select_related("institution", "cohort", "created_by")
    roles = permissions.get_roles(user)
    if roles.is_admin:
        return jobs
    return jobs.filter(Q(created_by=user) | Q(institution__in=roles.institution_ids))


def start(*, user, kind: str, upload, institution=None, cohort=None) -> ImportJob:
    """Keep an uploaded file and check it (now, or in the background when it is large)."""
    import_kind = get_kind(kind)
    if not import_kind.may_import(user):
        raise PermissionDenied(_("You may not import %(kind)s.") % {"kind": import_kind.label})
    if import_kind.context == "institution" and institution is None:
        raise ValidationError({"institution": _("Choose the institution the file belongs to.")})
    if import_kind.context == "cohort":
        if cohort is None:
            raise ValidationError({"cohort": _("Choose the cohort the file belongs to.")})
        institution = cohort.institution
    import_kind.check_context(user, Context(user=user, institution=institution, cohort=cohort))
    name = Path(getattr(upload, "name", "") or "upload").name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")})
    if upload.size > max_upload_bytes():
        raise ValidationError({"file": _("The file is larger than %(max)s MB; split it.")
                                       % {"max": max_upload_bytes() // (1024 * 1024)}})
    job = ImportJob(kind=kind, institution=institution, cohort=cohort, filename=name[:255], size=upload.size,
                    created_by=user if getattr(user, "is_authenticated", False) else None,
                    step=_("Waiting for a worker"))
    job.file.save(name, upload, save=False)
    job.save()
    if job.size <= inline_bytes():
        check(job.pk)
        job.refresh_from_db()
    else:
        from vet.tasks import check_import

        transaction.on_commit(lambda: check_import.enqueue(job.pk))
    return job


def _context(job: ImportJob, low: int, high: int) -> Context:
    def progress(percent: int, step) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress=low + percent * (high - low) // 100, step=str(step)[:120])

    return Context(user=job.created_by, institution=job.institution, cohort=job.cohort, progress=progress)


def _store_errors(job: ImportJob, errors: Errors) -> None:
    job.errors = [e.as_dict() for e in errors.sorted()]
    job.error_count = errors.count


def _check(job: ImportJob, context: Context) -> Checked:
    return get_kind(job.kind).check(job.file.path, context, filename=job.filename)


def check(job_id: int) -> ImportJob:
    """Check a queued job's file: its errors, or what it will write."""
    job = ImportJob.objects.select_related("institution", "cohort", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, step=_("Reading the file"))
    try:
        checked = _check(job, _context(job, 0, 100))
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the job, and logged
        log.exception("checking import %s failed", job.pk)
        return _fail(job, exc)
    job.rows, job.counts, job.preview = checked.rows, checked.counts, checked.preview
    _store_errors(job, checked.errors)
    job.status = ImportJob.Status.REJECTED if checked.errors else ImportJob.Status.CHECKED
    job.progress, job.step, job.checked_at = 100, "", timezone.now()
    job.save()
    return job


def _fail(job: ImportJob, exc: Exception) -> ImportJob:
    job.status, job.step = ImportJob.Status.FAILED, ""
    job.message = _("The import stopped unexpectedly (%(error)s); nothing was written.") % {
        "error": exc.__class__.__name__}
    job.finished_at = timezone.now()
    job.save()
    return job


def confirm(*, user, job: ImportJob) -> ImportJob:
    """Write a checked file (now, or in the background when it is large)."""
    roles = permissions.get_roles(user)
    if job.created_by_id != user.pk and not roles.is_admin:
        raise PermissionDenied(_("Only the person who uploaded the file may confirm its import."))
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.WRITING, progress=0, step=_("Waiting for a worker"))
    if not updated:
        raise ValidationError(_("This import is not waiting for confirmation."))
    if job.size <= inline_bytes():
        return write(job.pk)
    from vet.tasks import write_import

    transaction.on_commit(lambda: write_import.enqueue(job.pk))
    job.refresh_from_db()
    return job


def write(job_id: int) -> ImportJob:
    """Check the file again and write every row, in one transaction; any refusal leaves nothing written."""
    job = ImportJob.objects.select_related("institution", "cohort", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.WRITING:
        return job
    kind = get_kind(job.kind)
    context = _context(job, 0, 50)
    try:
        with transaction.atomic():
            kind.check_context(job.created_by, context)
            checked = _check(job, context)
            if not checked.errors:
                ImportJob.objects.filter(pk=job.pk).update(progress=50, step=_("Writing %(rows)s rows") % {
                    "rows": checked.rows})
                counts = kind.write(checked, context)
    except WriteRefused as refused:
        checked = Checked(rows=job.rows, errors=refused.errors)
    except (PermissionDenied, IntegrityError) as exc:
        errors = Errors()
        errors.add(0, "-", str(exc) if isinstance(exc, PermissionDenied) else
                   _("The data changed while the file was imported; import it again."))
        checked = Checked(rows=job.rows, errors=errors)
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the job, and logged
        log.exception("writing import %s failed", job.pk)
        return _fail(job, exc)
    job.refresh_from_db(fields=["progress", "step"])
    job.finished_at, job.step = timezone.now(), ""
    if checked.errors:
        _store_errors(job, checked.errors)
        job.status = ImportJob.Status.REJECTED
        job.message = _("The database changed since the preview: the file was checked again and nothing was "
                        "written.")
    else:
        job.status, job.counts, job.progress = ImportJob.Status.DONE, counts, 100
    job.save()
    return job


def cancel(*, user, job: ImportJob) -> ImportJob:
    """Drop a checked or rejected file without importing it."""
    roles = permissions.get_roles(user)
    if job.created_by_id != user.pk and not roles.is_admin:
        raise PermissionDenied(_("Only the person who uploaded the file may cancel its import."))
    if job.status not in (ImportJob.Status.CHECKED, ImportJob.Status.REJECTED):
        raise ValidationError(_("Only a checked or rejected import can be cancelled."))
    job.status, job.finished_at = ImportJob.Status.CANCELLED, timezone.now()
    job.file.delete(save=False)
    job.save()
    return job
