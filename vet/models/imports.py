"""Bulk import jobs: an uploaded file, its check (errors by row and column, or what it will write) and its writing."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vet.storage import private_storage

from .registry import Institution


class ImportJob(models.Model):
    """One uploaded file of one kind (vet.imports): checked, then written all or nothing once confirmed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        REJECTED = "rejected", _("Rejected: the file has errors")
        CHECKED = "checked", _("Checked: waiting for confirmation")
        WRITING = "writing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=32)
    institution = models.ForeignKey(Institution, verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="import_jobs")
    cohort = models.ForeignKey("certificates.Cohort", verbose_name=_("cohort"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="import_jobs")
    file = models.FileField(_("file"), upload_to="imports/", storage=private_storage, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(_("step"), max_length=120, blank=True)
    rows = models.PositiveIntegerField(_("data rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors by row and column"), default=list, blank=True)
    counts = models.JSONField(_("what the file holds or wrote"), default=dict, blank=True)
    preview = models.JSONField(_("first rows"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} · {self.filename}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.WRITING)
