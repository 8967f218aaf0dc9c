"""Learners, cohorts and results; diploma templates; issued diplomas and the append-only register (sổ gốc).

An issued diploma's printed data lives in its frozen `snapshot`; the register is a hash chain per institution
(`RegisterEntry.entry_hash` covers the previous entry's hash), so a changed or removed entry is detectable.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from curricula.models import CurriculumVersion
from vet.models import Institution, LegalDocument
from vet.models.registry import RegistryModel
from vet.storage import private_storage

from . import choices

citizen_id_validator = RegexValidator(
    r"^\d{12}$", _("A citizen ID (căn cước) has exactly 12 digits."), code="invalid_citizen_id"
)


class ClassificationRule(RegistryModel):
    """One band of graduation classification on one grading scale, from a legal document (Circular 04/2022)."""

    scale = models.CharField(_("grading scale"), max_length=16, choices=choices.GradingScale.choices)
    classification = models.CharField(
        _("classification"), max_length=16, choices=choices.Classification.choices
    )
    min_score = models.DecimalField(_("from (inclusive)"), max_digits=4, decimal_places=2)
    max_score = models.DecimalField(_("to (inclusive)"), max_digits=4, decimal_places=2)
    graduates = models.BooleanField(
        pgettext_lazy("classification band", "graduates"), default=True,
        help_text=_("Whether a learner in this band meets the graduation score."),
    )
    downgrades = models.BooleanField(
        _("drops one step for discipline or retakes"),
        default=False,
        help_text=_("A learner disciplined or with retaken modules gets the next lower classification."),
    )
    source = models.ForeignKey(
        LegalDocument, verbose_name=_("legal source"), on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    confirmed = models.BooleanField(
        _("confirmed in the legal text"),
        default=True,
        help_text=_("Unconfirmed values are shown with a warning; check them against the text and edit them."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("classification rule")
        verbose_name_plural = _("classification rules")
        ordering = ["scale", "-min_score"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "classification", "source"], name="classification_rule_unique_band"
            ),
            models.CheckConstraint(
                condition=Q(min_score__lte=models.F("max_score")), name="classification_rule_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scale_display()}: {self.get_classification_display()} {self.min_score}–{self.max_score}"


class Learner(RegistryModel):
    """A person who studies at a school; one row per citizen ID across every institution."""

    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, unique=True, validators=[citizen_id_validator],
        help_text=_("The 12-digit number of the citizen identity card (căn cước)."),
    )
    full_name = models.CharField(_("full name"), max_length=120)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=choices.Sex.choices)
    place_of_birth = models.CharField(_("place of birth"), max_length=120)
    ethnicity = models.CharField(_("ethnicity"), max_length=60, default="Kinh")

    class Meta:
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.date_of_birth:%d/%m/%Y})"


class Cohort(RegistryModel):
    """A class of learners following one approved curriculum version."""

    curriculum_version = models.ForeignKey(
        CurriculumVersion, verbose_name=_("curriculum version"), on_delete=models.PROTECT, related_name="cohorts"
    )
    code = models.CharField(_("code"), max_length=40, help_text=_("The school's class code, e.g. CĐ-ĐCN-K23."))
    name = models.CharField(_("name"), max_length=200, blank=True)
    intake_year = models.PositiveSmallIntegerField(
        _("intake year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    grading_scale = models.CharField(
        _("grading scale"), max_length=16, choices=choices.GradingScale.choices,
        default=choices.GradingScale.CREDIT_4,
    )
    college_title = models.CharField(
        _("title conferred"), max_length=24, choices=choices.CollegeTitle.choices, blank=True,
        help_text=_("College programs only: practical engineer or practical bachelor (Law 74/2014)."),
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-intake_year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum_version", "code"], name="cohort_unique_code_per_version"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def institution(self) -> Institution:
        return self.curriculum_version.curriculum.institution


class Enrolment(RegistryModel):
    """A learner in a cohort, with the final result and the graduation decision."""

    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="enrolments")
    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="enrolments"
    )
    student_number = models.CharField(_("student number"), max_length=40, blank=True)
    final_score = models.DecimalField(
        _("final score"), max_digits=4, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("Cumulative GPA on 4 points (credit system) or average score on 10 points (year system)."),
    )
    all_credits_completed = models.BooleanField(_("all credits or modules completed"), default=False)
    disciplined = models.BooleanField(_("disciplined during the course"), default=False)
    retaken_modules = models.BooleanField(_("retook modules or exams"), default=False)
    classification = models.CharField(
        _("classification"), max_length=16, choices=choices.Classification.choices, blank=True, editable=False
    )
    graduated = models.BooleanField(_("graduated"), default=False, editable=False)
    graduation_decision_number = models.CharField(_("graduation decision number"), max_length=60, blank=True)
    graduation_date = models.DateField(_("graduation decision date"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("learner in a cohort", "enrolment")
        verbose_name_plural = pgettext_lazy("learners in cohorts", "enrolments")
        ordering = ["cohort", "learner__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="enrolment_unique_learner_per_cohort"),
            models.CheckConstraint(
                condition=Q(graduated=False) | (Q(graduation_date__isnull=False) & ~Q(classification="")),
                name="enrolment_graduated_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner.full_name} — {self.cohort.code}"


def template_image_upload_to(instance: DiplomaTemplate, filename: str) -> str:
    return f"diploma_templates/{instance.institution_id}/{filename}"


class DiplomaTemplate(RegistryModel):
    """How an institution's diplomas look: logo, signer, colours and wording, editable without code.

    Every saved change raises `version`; an issued diploma keeps the version and images it was printed with."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="diploma_templates"
    )
    kind = models.CharField(
        _("kind"), max_length=24, choices=choices.DiplomaKind.choices, blank=True,
        help_text=_("Empty: used for every kind that has no template of its own."),
    )
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    logo = models.FileField(_("logo"), upload_to=template_image_upload_to, storage=private_storage, blank=True)
    signer_title_vi = models.CharField(_("signer's title (Vietnamese)"), max_length=120, default="HIỆU TRƯỞNG")
    signer_title_en = models.CharField(_("signer's title (English)"), max_length=120, default="RECTOR")
    signer_name = models.CharField(_("signer's name"), max_length=120)
    signature = models.FileField(
        _("signature image"), upload_to=template_image_upload_to, storage=private_storage, blank=True
    )
    seal = models.FileField(_("seal image"), upload_to=template_image_upload_to, storage=private_storage, blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#8a1c1c",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #8a1c1c."))],
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default="#b08d2f",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #b08d2f."))],
    )
    wording_vi = models.CharField(_("extra line (Vietnamese)"), max_length=300, blank=True)
    wording_en = models.CharField(_("extra line (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("diploma template")
        verbose_name_plural = _("diploma templates")
        ordering = ["institution", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind"], condition=Q(is_active=True), name="diploma_template_one_active_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class TemplateImage(models.Model):
    """An image printed on a diploma, kept by its SHA-256 so that a later template edit never changes it."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("template image")
        verbose_name_plural = _("template images")

    def __str__(self) -> str:
        return self.sha256[:12]


class IssuingProfile(RegistryModel):
    """An institution's numbering of its diplomas: serial (số hiệu) and register entry (số vào sổ gốc) formats.

    Placeholders: {institution} (its code), {prefix}, {year}, {seq} (with a format such as {seq:05d})."""

    institution = models.OneToOneField(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="issuing_profile"
    )
    prefix = models.CharField(_("serial prefix"), max_length=20, blank=True, help_text=_("E.g. CĐMT."))
    serial_format = models.CharField(
        _("serial format"), max_length=80, default="{prefix}{year}{seq:06d}",
        help_text=_("Placeholders {institution}, {prefix}, {year}, {seq}; e.g. {prefix}/{year}/{seq:05d}."),
    )
    register_format = models.CharField(
        _("register entry format"), max_length=80, default="{seq:05d}/{year}",
        help_text=_("Placeholders {institution}, {prefix}, {year}, {seq}; e.g. {seq:05d}/{year}/SG."),
    )
    place_vi = models.CharField(
        _("place printed (Vietnamese)"), max_length=80, blank=True,
        help_text=_("Printed before the date, e.g. Đồng Tháp; empty: the institution's province."),
    )
    place_en = models.CharField(_("place printed (English)"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("issuing profile")
        verbose_name_plural = _("issuing profiles")

    def __str__(self) -> str:
        return str(self.institution)

    def clean(self) -> None:
        for name in ("serial_format", "register_format"):
            try:
                value = getattr(self, name).format(institution="X", prefix="P", year=2026, seq=1)
            except (KeyError, ValueError, IndexError):
                raise ValidationError(
                    {name: _("Use only the placeholders {institution}, {prefix}, {year} and {seq}.")},
                    code="invalid_format",
                ) from None
            if "{seq" not in getattr(self, name):
                raise ValidationError({name: _("The format must contain {seq}.")}, code="invalid_format")
            if not value.strip():
                raise ValidationError({name: _("The format gives an empty number.")}, code="invalid_format")


class SerialCounter(models.Model):
    """The last number given by an institution in a year; locked while a number is taken, so none is skipped."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("serial counter")
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="serial_counter_unique")]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.year}: {self.last_value}"


def diploma_upload_to(instance: Diploma, filename: str) -> str:
    return f"diplomas/{instance.institution_id}/{instance.year}/{instance.code}.pdf"


class Diploma(models.Model):
    """An issued diploma or certificate. Its printed data is frozen in `snapshot`; only `status` changes later,
    and only through the register (revoke, re-issue)."""

    code = models.CharField(_("verification code"), max_length=20, unique=True, editable=False)
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=pgettext_lazy("learner in a cohort", "enrolment"), on_delete=models.PROTECT,
        related_name="diplomas",
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="diplomas"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=choices.DiplomaKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    serial = models.CharField(_("serial (số hiệu)"), max_length=80)
    register_number = models.CharField(_("register entry (số vào sổ gốc)"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(
        _("status"), max_length=16, choices=choices.DiplomaStatus.choices, default=choices.DiplomaStatus.VALID
    )
    replaces = models.OneToOneField(
        "self", verbose_name=_("replaces"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="replaced_by",
    )
    template = models.ForeignKey(
        DiplomaTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="diplomas"
    )
    snapshot = models.JSONField(_("printed data"), editable=False)
    pdf = models.FileField(_("PDF"), upload_to=diploma_upload_to, storage=private_storage, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("diploma")
        verbose_name_plural = _("diplomas")
        ordering = ["institution", "year", "sequence"]
        # The public look-up finds a diploma by its serial alone (then checks the holder's name).
        indexes = [models.Index(Upper("serial"), name="diploma_serial_upper"),
                   models.Index(fields=["serial"], name="diploma_serial")]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year", "sequence"], name="diploma_unique_sequence"),
            models.UniqueConstraint(fields=["institution", "serial"], name="diploma_unique_serial"),
            models.UniqueConstraint(fields=["institution", "register_number"], name="diploma_unique_register"),
            # Issuing is idempotent: one first issue per enrolment; re-issues replace it one by one.
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(replaces__isnull=True), name="diploma_one_first_issue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} — {self.snapshot.get('holder', {}).get('full_name', '')}"


class RegisterEntry(models.Model):
    """One line of the register (sổ gốc): issue, re-issue or revocation. Append-only and hash-chained per
    institution: `entry_hash` = SHA-256 of the entry's content and the previous entry's hash."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="register_entries")
    position = models.PositiveIntegerField(_("position"))
    diploma = models.ForeignKey(Diploma, on_delete=models.PROTECT, related_name="register_entries")
    action = models.CharField(_("action"), max_length=16, choices=choices.RegisterAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    data = models.JSONField(_("register columns"))
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        ordering = ["institution", "position"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "position"], name="register_entry_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.get_action_display()} {self.diploma_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The register is append-only: an entry is never changed."), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The register is append-only: an entry is never deleted."), code="append_only")


def batch_upload_to(instance: IssueBatch, filename: str) -> str:
    return f"diploma-batches/{instance.institution_id}/{instance.pk}/{filename}"


class IssueBatch(models.Model):
    """Issuing the diplomas of a cohort in one go: a validation report first (the items), then the issue in
    chunks through the task queue, then the downloads (a ZIP of the single PDFs and one print-ready PDF)."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="diploma_batches"
    )
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="batches")
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(
        _("status"), max_length=16, choices=choices.BatchStatus.choices, default=choices.BatchStatus.VALIDATED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("to issue"), default=0)
    issued = models.PositiveIntegerField(_("issued"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    archive = models.FileField(_("ZIP of the PDFs"), upload_to=batch_upload_to, storage=private_storage, blank=True)
    print_pdf = models.FileField(
        _("print-ready PDF"), upload_to=batch_upload_to, storage=private_storage, blank=True
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("issuing batch")
        verbose_name_plural = _("issuing batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cohort} — {self.issued_on:%d/%m/%Y}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == choices.BatchStatus.DONE else 0
        return min(100, (self.issued + self.failed) * 100 // self.total)


class IssueBatchItem(models.Model):
    """One enrolment of a batch: whether it can be issued (and why not), then what happened."""

    batch = models.ForeignKey(IssueBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="items")
    enrolment = models.ForeignKey(Enrolment, verbose_name=pgettext_lazy("learner in a cohort", "enrolment"),
                                  on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=choices.BatchItemOutcome.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    diploma = models.ForeignKey(
        Diploma, verbose_name=_("diploma"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    worker = models.CharField(_("worker"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("batch item")
        verbose_name_plural = _("batch items")
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "enrolment"], name="batch_item_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.enrolment_id}: {self.outcome}"
