"""Accreditation (DOMAIN.md §5): criteria frameworks as data, the school's self-assessment with evidence, the
provincial authority's external assessment, findings, action items and campaigns."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import choices
from ..storage import private_storage
from .registry import (
    Authority,
    BilingualNameMixin,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    RegistryModel,
    SearchableModel,
)

_year_validators = [MinValueValidator(2000), MaxValueValidator(2100)]

# ------------------------------------------------------------------------------- accreditation frameworks

_share_validators = [MinValueValidator(0), MaxValueValidator(100)]


class AccreditationFramework(BilingualNameMixin, RegistryModel):
    """A set of accreditation criteria and standards from one legal document, with its pass rules when it has them.

    Every pass rule may be empty: an empty rule is not applied (DOMAIN.md §5, Circular 14/2024's thresholds [U]).
    """

    document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal document"), on_delete=models.PROTECT,
        related_name="accreditation_frameworks",
    )
    code = models.CharField(
        _("code"), max_length=32, unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$",
                                   _("Use 2–32 letters, digits, dots, dashes or underscores."))],
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    target = models.CharField(_("assesses"), max_length=16, choices=choices.AccreditationTarget.choices)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    points_per_standard = models.DecimalField(
        _("points per standard"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Points a standard met earns; leave empty when assessors give points directly."),
    )
    compliance_years_intermediate = models.PositiveSmallIntegerField(
        _("compliance years (intermediate)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A standard counts only if met for at least this many years at intermediate level; "
                    "empty: no such window."),
    )
    compliance_years_college = models.PositiveSmallIntegerField(
        _("compliance years (college)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A standard counts only if met for at least this many years at college level; "
                    "empty: no such window."),
    )
    min_total_points = models.DecimalField(
        _("minimum total points"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Empty: no rule on the total."),
    )
    min_criterion_share = models.DecimalField(
        _("minimum share per criterion (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=_share_validators,
        help_text=_("Every criterion must reach this percentage of its benchmark points; empty: no such rule."),
    )
    min_core_criterion_share = models.DecimalField(
        _("minimum share per core criterion (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=_share_validators,
        help_text=_("Each core criterion must reach this percentage of its benchmark points; empty: no such rule."),
    )
    thresholds_confirmed = models.BooleanField(
        _("thresholds confirmed"), default=False,
        help_text=_("Tick once the points, compliance years and pass rules are checked against the legal text."),
    )
    thresholds_note = models.TextField(_("note on the thresholds"), blank=True)
    certificate_validity_years = models.PositiveSmallIntegerField(
        _("certificate validity (years)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How long an accreditation under this framework stays in force; empty: not known. "
                    "Unconfirmed data (commonly 5 years), edit when the legal text says otherwise."),
    )

    class Meta:
        verbose_name = _("accreditation framework")
        verbose_name_plural = _("accreditation frameworks")
        ordering = ["-effective_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True) | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="accreditationframework_effective_range",
                violation_error_message=_("'Effective to' cannot be before 'effective from'."),
            ),
            models.CheckConstraint(
                condition=Q(points_per_standard__isnull=True) | Q(points_per_standard__gt=0),
                name="accreditationframework_points_positive",
            ),
            models.CheckConstraint(
                condition=Q(min_total_points__isnull=True) | Q(min_total_points__gte=0),
                name="accreditationframework_min_total_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(min_criterion_share__isnull=True) | Q(min_criterion_share__range=(0, 100)),
                name="accreditationframework_criterion_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(min_core_criterion_share__isnull=True) | Q(min_core_criterion_share__range=(0, 100)),
                name="accreditationframework_core_share_0_100",
            ),
            models.CheckConstraint(
                condition=(Q(compliance_years_intermediate__isnull=True)
                           | Q(compliance_years_intermediate__range=(1, 10)))
                & (Q(compliance_years_college__isnull=True) | Q(compliance_years_college__range=(1, 10))),
                name="accreditationframework_compliance_years_1_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def has_pass_rule(self) -> bool:
        return any(v is not None for v in (self.min_total_points, self.min_criterion_share,
                                           self.min_core_criterion_share))


class Criterion(BilingualNameMixin, RegistryModel):
    """A criterion (tiêu chí) of an accreditation framework, with its benchmark points when the framework sets them."""

    framework = models.ForeignKey(
        AccreditationFramework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="criteria"
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    benchmark_points = models.DecimalField(
        _("benchmark points"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The most points the criterion can earn; empty: the number of standards × points per standard."),
    )
    is_core = models.BooleanField(
        _("core criterion"), default=False,
        help_text=_("Core criteria must reach the framework's minimum share for core criteria."),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="criterion_unique_number",
                violation_error_message=_("This framework already has a criterion with this number."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="criterion_number_positive"),
            models.CheckConstraint(
                condition=Q(benchmark_points__isnull=True) | Q(benchmark_points__gte=0),
                name="criterion_points_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Standard(RegistryModel):
    """A standard (tiêu chuẩn) of a criterion: what is checked, and the evidence that usually shows it."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="standards"
    )
    code = models.CharField(_("code"), max_length=16, help_text=_("E.g. 1.2: criterion 1, standard 2."))
    text_vi = models.TextField(_("text (Vietnamese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    typical_evidence = models.TextField(_("typical evidence"), blank=True)
    is_sample = models.BooleanField(
        _("sample"), default=False,
        help_text=_("Illustrative wording, not the legal text: replace it with the official standard."),
    )

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["criterion", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "code"], name="standard_unique_code",
                violation_error_message=_("This criterion already has a standard with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        if get_language() and get_language().startswith("en") and self.text_en:
            return self.text_en
        return self.text_vi


# ------------------------------------------------------------------------------------ self-assessment


class SelfAssessment(RegistryModel):
    """The annual self-assessment (Circular 28/2017) of an institution, or of one of its key-occupation programs,
    against a framework. Planned → in progress → submitted; once submitted it is locked."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="self_assessments"
    )
    designation = models.ForeignKey(
        KeyOccupationDesignation, verbose_name=_("key-occupation program"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="self_assessments",
        help_text=_("Empty: the institution as a whole; otherwise the key-occupation program assessed."),
    )
    framework = models.ForeignKey(
        AccreditationFramework, verbose_name=_("framework"), on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    status = models.CharField(
        _("status"), max_length=16, choices=choices.AssessmentStatus.choices, default=choices.AssessmentStatus.PLANNED
    )
    campaign = models.ForeignKey(
        "Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="self_assessments",
    )
    summary = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-year", "institution__name_vi", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "framework", "year"], condition=Q(designation__isnull=True),
                name="selfassessment_unique_institution_year",
                violation_error_message=_("This institution already has a self-assessment for this framework "
                                          "and year."),
            ),
            models.UniqueConstraint(
                fields=["designation", "framework", "year"], condition=Q(designation__isnull=False),
                name="selfassessment_unique_program_year",
                violation_error_message=_("This program already has a self-assessment for this framework and year."),
            ),
            models.CheckConstraint(condition=Q(year__range=(2000, 2100)), name="selfassessment_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.framework.code} · {self.year}"

    @property
    def subject(self) -> str:
        if self.designation_id:
            return f"{self.institution} · {self.designation.occupation.code} {self.designation.occupation.name}"
        return str(self.institution)

    @property
    def level(self) -> str:
        """The level whose compliance window applies: the program's level, or the institution's type."""
        if self.designation_id:
            return self.designation.level
        return {choices.InstitutionType.COLLEGE: choices.Level.COLLEGE,
                choices.InstitutionType.INTERMEDIATE: choices.Level.INTERMEDIATE}.get(self.institution.type, "")

    @property
    def is_locked(self) -> bool:
        return self.status == choices.AssessmentStatus.SUBMITTED


class SelfAssessmentRule(RegistryModel):
    """The legal rules of the self-assessment (Circular 28/2017, Decree 49/2018) as dated data: who chairs the
    council, how many enterprise representatives it needs, and after how many missing years running the
    accreditation certificate can be revoked. The rule in force on an assessment's date applies."""

    document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal document"), on_delete=models.PROTECT,
        related_name="self_assessment_rules",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    chair_must_be_head = models.BooleanField(
        _("chair must be the head"), default=True,
        help_text=_("The council is chaired by the head of the institution."),
    )
    min_enterprise_representatives = models.PositiveSmallIntegerField(
        _("minimum enterprise representatives"), default=2, validators=[MaxValueValidator(50)],
    )
    missing_years_for_revocation = models.PositiveSmallIntegerField(
        _("missing years before revocation"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("The certificate can be revoked when the annual self-assessment is missing this many years "
                    "running."),
    )
    confirmed = models.BooleanField(
        _("confirmed"), default=False, help_text=_("Tick once the figures are checked against the legal text."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("self-assessment rule")
        verbose_name_plural = _("self-assessment rules")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="selfassessmentrule_valid_range",
                violation_error_message=_("'Valid to' cannot be before 'valid from'."),
            ),
            models.UniqueConstraint(fields=["document", "valid_from"], name="selfassessmentrule_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.document.number} ({self.valid_from:%Y-%m-%d})"

    @classmethod
    def in_force_on(cls, day: datetime.date) -> "SelfAssessmentRule | None":
        """The rule in force on `day` (the latest to start), or None."""
        return (
            cls.objects.select_related("document")
            .filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .order_by("-valid_from")
            .first()
        )


class CouncilMember(RegistryModel):
    """A member of the self-assessment council: chaired by the head of the institution, with at least two
    enterprise representatives (Circular 28/2017)."""

    self_assessment = models.ForeignKey(
        SelfAssessment, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="council"
    )
    full_name = models.CharField(_("full name"), max_length=120)
    position = models.CharField(pgettext_lazy("council member", "position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    council_role = models.CharField(_("role in the council"), max_length=16, choices=choices.CouncilRole.choices)
    member_type = models.CharField(_("member type"), max_length=16, choices=choices.CouncilMemberType.choices)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["self_assessment", "council_role", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment"], condition=Q(council_role="chair"), name="council_one_chair",
                violation_error_message=_("The council already has a chair."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_council_role_display()})"


def evidence_upload_to(instance: "EvidenceVersion", filename: str) -> str:
    today = datetime.date.today()
    return f"evidence/{instance.evidence.institution_id}/{today:%Y/%m}/{filename}"


class Evidence(SearchableModel):
    """A piece of evidence (minh chứng) of an institution; its file or link is kept in versions, oldest first."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="evidence"
    )
    code = models.CharField(
        _("code"), max_length=32, help_text=_("The institution's own reference, e.g. H1.01.01.01."),
        validators=[RegexValidator(r"^\S{1,32}$", _("Use 1–32 characters without spaces."))],
    )
    title = models.CharField(_("title"), max_length=255)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=120, blank=True, help_text=_("The person or unit who keeps it."))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    search_fields = ("code", "title", "owner")

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["institution", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code"], name="evidence_unique_code",
                violation_error_message=_("This institution already has evidence with this code."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="evidence_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def is_expired_on(self, day: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < day


class EvidenceVersion(RegistryModel):
    """One version of a piece of evidence: an uploaded file (with its SHA-256) or a link. Never overwritten."""

    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1)])
    file = models.FileField(
        _("file"), upload_to=evidence_upload_to, storage=private_storage, blank=True, max_length=255
    )
    url = models.URLField(_("link"), blank=True, max_length=500)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("evidence version")
        verbose_name_plural = _("evidence versions")
        ordering = ["evidence", "number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidenceversion_unique_number"),
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="evidenceversion_file_or_link",
                violation_error_message=_("Give either a file or a link."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence.code} v{self.number}"


class SelfAssessmentRating(RegistryModel):
    """The school's rating of one standard: met or not, for how many years, the narrative and the evidence."""

    self_assessment = models.ForeignKey(
        SelfAssessment, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="ratings"
    )
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"), null=True, blank=True, help_text=_("Empty: not rated yet."))
    years_met = models.PositiveSmallIntegerField(
        _("years met"), null=True, blank=True, validators=[MaxValueValidator(50)],
        help_text=_("For how many consecutive years the standard has been met (the compliance window)."),
    )
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Only for frameworks whose assessors give points directly."),
    )
    narrative = models.TextField(_("narrative"), blank=True)
    evidence = models.ManyToManyField(Evidence, verbose_name=_("evidence"), blank=True, related_name="ratings")

    class Meta:
        verbose_name = _("self-assessment rating")
        verbose_name_plural = _("self-assessment ratings")
        ordering = ["self_assessment", "standard__criterion__number", "standard__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "standard"], name="selfrating_unique_standard",
                violation_error_message=_("This standard is already rated in this self-assessment."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.self_assessment_id} · {self.standard.code}"


# ------------------------------------------------------------------------------- external assessment


class ExternalAssessment(RegistryModel):
    """The provincial authority's assessment of a submitted self-assessment, by an officer of that province who
    is not staff of the school."""

    self_assessment = models.ForeignKey(
        SelfAssessment, verbose_name=_("self-assessment"), on_delete=models.PROTECT,
        related_name="external_assessments",
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT,
        related_name="external_assessments",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=choices.ExternalStatus.choices, default=choices.ExternalStatus.IN_PROGRESS
    )
    started_on = models.DateField(_("started on"), default=datetime.date.today)
    summary = models.TextField(_("summary"), blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=choices.ExternalDecision.choices, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        verbose_name = _("external assessment")
        verbose_name_plural = _("external assessments")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(decision="") & Q(decision_date__isnull=True))
                | (~Q(decision="") & Q(decision_date__isnull=False)),
                name="external_decision_with_date",
                violation_error_message=_("A decision needs its date, and a date its decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.self_assessment} · {self.assessor}"


class ExternalRating(RegistryModel):
    """The authority's own rating of one standard."""

    assessment = models.ForeignKey(
        ExternalAssessment, verbose_name=_("external assessment"), on_delete=models.CASCADE, related_name="ratings"
    )
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"), null=True, blank=True, help_text=_("Empty: not rated yet."))
    years_met = models.PositiveSmallIntegerField(
        _("years met"), null=True, blank=True, validators=[MaxValueValidator(50)]
    )
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("external rating")
        verbose_name_plural = _("external ratings")
        ordering = ["assessment", "standard__criterion__number", "standard__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "standard"], name="externalrating_unique_standard",
                violation_error_message=_("This standard is already rated in this assessment."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.standard.code}"


class Finding(RegistryModel):
    """A finding of an external assessment, about a standard or a criterion; it becomes action items."""

    assessment = models.ForeignKey(
        ExternalAssessment, verbose_name=_("external assessment"), on_delete=models.CASCADE, related_name="findings"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=16, choices=choices.FindingSeverity.choices)
    text = models.TextField(_("finding"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["assessment", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(SearchableModel):
    """One step of an institution's action plan: who does what by when, and the evidence that closed it."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="action_items"
    )
    designation = models.ForeignKey(
        KeyOccupationDesignation, verbose_name=_("key-occupation program"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="action_items",
        help_text=_("The key occupation whose readiness this item improves; empty: the whole institution."),
    )
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="action_items",
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("owner"), max_length=120, help_text=_("The person or unit responsible."))
    due_date = models.DateField(_("due date"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=choices.Priority.choices, default=choices.Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=16, choices=choices.ActionStatus.choices, default=choices.ActionStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence of closure"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="closed_action_items",
    )
    search_fields = ("title", "owner")

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["done", "cancelled"]) | Q(closed_on__isnull=True),
                name="actionitem_closed_only_when_closed",
                violation_error_message=_("Only a done or cancelled item has a closing date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(closed_on__isnull=False),
                name="actionitem_done_has_date",
                violation_error_message=_("A done item needs the date it was closed."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in choices.OPEN_ACTION_STATUSES

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.is_open and self.due_date < day


class Campaign(RegistryModel):
    """A self-assessment round the provincial authority opens for schools of its province."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=255)
    framework = models.ForeignKey(
        AccreditationFramework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="campaigns"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=choices.CampaignStatus.choices, default=choices.CampaignStatus.OPEN
    )
    institutions = models.ManyToManyField(
        Institution, verbose_name=_("institutions"), related_name="campaigns", blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "title"]
        constraints = [models.CheckConstraint(condition=Q(year__range=(2000, 2100)), name="campaign_year_range")]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"
