"""Curricula (chương trình đào tạo) of institutions, their versions and components, and the rules they are
checked against, stored as dated data tied to the legal document they come from (DOMAIN.md §0, §2, §6)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vet.choices import Level
from vet.models import BilingualNameMixin, Institution, LegalDocument, Occupation, RegistryModel

from . import choices

ELEMENTARY_LEVELS = (Level.ELEMENTARY_1, Level.ELEMENTARY_2, Level.ELEMENTARY_3)


class Curriculum(RegistryModel):
    """A training program of one institution: occupation × level × entry requirement. Its content is versioned."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="curricula"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="curricula"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    entry_requirement = models.CharField(
        _("entry requirement"),
        max_length=16,
        choices=choices.EntryRequirement.choices,
        blank=True,
        help_text=_("Leave empty only for elementary programs, which have no schooling requirement."),
    )

    class Meta:
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        ordering = ["institution", "occupation__code", "level", "entry_requirement"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "occupation", "level", "entry_requirement"],
                name="curriculum_unique",
                violation_error_message=_(
                    "The institution already has a curriculum for this occupation, level and entry requirement."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(entry_requirement="") | Q(level__in=[lv.value for lv in ELEMENTARY_LEVELS]),
                name="curriculum_entry_requirement_needed",
                violation_error_message=_("Intermediate and college programs need an entry requirement."),
            ),
        ]

    def __str__(self) -> str:
        parts = [self.occupation.code, self.occupation.name, self.get_level_display()]
        if self.entry_requirement:
            parts.append(self.get_entry_requirement_display())
        return " · ".join(str(p) for p in parts)


class CurriculumVersion(RegistryModel):
    """One promulgated (or draft) text of a curriculum; status moves draft → submitted → approved → superseded."""

    curriculum = models.ForeignKey(
        Curriculum, verbose_name=_("curriculum"), on_delete=models.CASCADE, related_name="versions"
    )
    decision_number = models.CharField(
        _("decision number"),
        max_length=64,
        blank=True,
        help_text=_("Number of the head of institution's decision that promulgates this version."),
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=choices.VersionStatus.choices,
        default=choices.VersionStatus.DRAFT,
        editable=False,
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=choices.Origin.choices, default=choices.Origin.DOMESTIC
    )
    partner_country = models.CharField(
        _("partner country"), max_length=80, blank=True,
        help_text=_("For a transferred or joint program: the country it comes from."),
    )
    awarding_body = models.CharField(
        _("awarding body"), max_length=200, blank=True,
        help_text=_("For a transferred or joint program: the foreign body that awards or assesses."),
    )
    high_quality = models.BooleanField(_("high-quality program"), default=False)
    duration_months = models.PositiveSmallIntegerField(
        _("training duration (months)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("As the promulgating decision states it; shown on the public program page."),
    )
    output_standard = models.TextField(_("output standard"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("curriculum version")
        verbose_name_plural = _("curriculum versions")
        ordering = ["curriculum", "-decision_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["curriculum"],
                condition=Q(status=choices.VersionStatus.APPROVED),
                name="curriculumversion_one_approved",
                violation_error_message=_("A curriculum has at most one approved version."),
            ),
            models.UniqueConstraint(
                fields=["curriculum", "decision_number"],
                condition=~Q(decision_number=""),
                name="curriculumversion_unique_decision",
                violation_error_message=_("Another version of this curriculum has the same decision number."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[choices.VersionStatus.DRAFT, choices.VersionStatus.SUBMITTED])
                | Q(approved_on__isnull=False),
                name="curriculumversion_approved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(next_review_on__isnull=True) | Q(next_review_on__gte=F("approved_on")),
                name="curriculumversion_review_after_approval",
            ),
        ]

    def __str__(self) -> str:
        # Before its decision number is set, a version is named by its status and id (two drafts may coexist).
        label = self.decision_number or f"{self.get_status_display().lower()} #{self.pk or '—'}"
        return f"{self.curriculum} · {label}"

    @property
    def is_frozen(self) -> bool:
        return self.status in choices.FROZEN_STATUSES

    @property
    def is_review_overdue(self) -> bool:
        return (
            self.status == choices.VersionStatus.APPROVED
            and self.next_review_on is not None
            and self.next_review_on < datetime.date.today()
        )


class CurriculumComponent(RegistryModel):
    """A subject (môn học) or module (mô-đun) of a curriculum version."""

    version = models.ForeignKey(
        CurriculumVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="components"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        pgettext_lazy("curriculum component", "kind"), max_length=16, choices=choices.ComponentKind.choices
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("As in the program, e.g. MH01 or MĐ07."))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    group = models.CharField(_("group"), max_length=16, choices=choices.ComponentGroup.choices)
    compulsory = models.BooleanField(_("compulsory"), default=True)
    credits = models.DecimalField(
        _("credits"), max_digits=5, decimal_places=1, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    theory_hours = models.PositiveIntegerField(_("theory hours"), default=0)
    practice_hours = models.PositiveIntegerField(_("practice hours"), default=0)
    internship_hours = models.PositiveIntegerField(_("internship hours"), default=0)
    exam_hours = models.PositiveIntegerField(_("exam hours"), default=0)
    general_subject_type = models.CharField(
        _("general subject"),
        max_length=24,
        choices=choices.GeneralSubjectType.choices,
        blank=True,
        help_text=_("Only for general subjects: which of the compulsory general subjects this is."),
    )

    class Meta:
        verbose_name = _("curriculum component")
        verbose_name_plural = _("curriculum components")
        ordering = ["version", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="curriculumcomponent_unique_code",
                violation_error_message=_("This code is already used in this version."),
            ),
            models.CheckConstraint(
                condition=Q(credits__gte=0),
                name="curriculumcomponent_credits_not_negative",
                violation_error_message=_("Credits cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(general_subject_type="") | Q(group=choices.ComponentGroup.GENERAL),
                name="curriculumcomponent_general_type_only_for_general",
                violation_error_message=_("Only a general subject can have a general-subject type."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi}"

    @property
    def total_hours(self) -> int:
        return self.theory_hours + self.practice_hours + self.internship_hours + self.exam_hours


class VersionComment(RegistryModel):
    """A remark on a curriculum version by the provincial authority or the school (append-only)."""

    version = models.ForeignKey(
        CurriculumVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment on a curriculum version")
        verbose_name_plural = _("comments on curriculum versions")
        ordering = ["version", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author or '—'} · {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.author)


class CurriculumRuleSet(BilingualNameMixin, RegistryModel):
    """The curriculum rules of one legal document, in force for versions dated within its period."""

    document = models.OneToOneField(
        LegalDocument, verbose_name=_("legal document"), on_delete=models.PROTECT, related_name="curriculum_rules"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    effective_from = models.DateField(
        _("effective from"), null=True, blank=True,
        help_text=_("Leave empty when the set applies to every version dated before its end."),
    )
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        verbose_name = _("curriculum rule set")
        verbose_name_plural = _("curriculum rule sets")
        ordering = [F("effective_from").desc(nulls_last=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="curriculumruleset_effective_range",
                violation_error_message=_("'Effective to' cannot be before 'effective from'."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.document.number} · {self.name}"


class CurriculumRule(RegistryModel):
    """One threshold of a rule set, for a level (and entry requirement, general subject) or for all of them."""

    rule_set = models.ForeignKey(
        CurriculumRuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField(_("rule"), max_length=24, choices=choices.RuleCode.choices)
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, blank=True, help_text=_("Leave empty for every level.")
    )
    entry_requirement = models.CharField(
        _("entry requirement"),
        max_length=16,
        choices=choices.EntryRequirement.choices,
        blank=True,
        help_text=_("Leave empty for every entry requirement."),
    )
    general_subject_type = models.CharField(
        _("general subject"), max_length=24, choices=choices.GeneralSubjectType.choices, blank=True
    )
    value = models.DecimalField(
        _("value"), max_digits=8, decimal_places=2, null=True, blank=True,
        help_text=_("For a parameter (review cycle, hours per credit)."),
    )
    min_value = models.DecimalField(_("minimum"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=8, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=choices.RuleUnit.choices)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Unconfirmed rules are checked but only warn: tick once the value is checked in the legal text."),
    )
    source = models.ForeignKey(
        LegalDocument,
        verbose_name=_("legal source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty when the value comes from the rule set's own document."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("curriculum rule")
        verbose_name_plural = _("curriculum rules")
        ordering = ["rule_set", "code", "level", "entry_requirement", "general_subject_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "code", "level", "entry_requirement", "general_subject_type"],
                name="curriculumrule_unique",
                violation_error_message=_("This rule set already has this rule for that level."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(min_value__isnull=False) | Q(max_value__isnull=False),
                name="curriculumrule_has_value",
                violation_error_message=_("Give a value, a minimum or a maximum."),
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(max_value__gte=F("min_value")),
                name="curriculumrule_band_order",
                violation_error_message=_("The maximum cannot be below the minimum."),
            ),
            models.CheckConstraint(
                condition=Q(code=choices.RuleCode.GENERAL_SUBJECT_HOURS, general_subject_type__gt="")
                | (~Q(code=choices.RuleCode.GENERAL_SUBJECT_HOURS) & Q(general_subject_type="")),
                name="curriculumrule_general_subject_matches_code",
                violation_error_message=_("A general-subject rule names its subject; other rules name none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.document.number} · {self.get_code_display()}"


class SkillFramework(BilingualNameMixin, RegistryModel):
    """A skill standard curricula are mapped against: a national occupational skill standard (Circular 56/2015),
    an ASEAN standard such as ACCSTP, or a foreign program used for transfer (DOMAIN.md §9). Reference data."""

    kind = models.CharField(
        pgettext_lazy("skill framework", "kind"), max_length=16, choices=choices.FrameworkKind.choices
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    version = models.CharField(
        pgettext_lazy("skill framework", "version"), max_length=40, blank=True,
        help_text=_("Edition or year of the standard, as its publisher names it."),
    )
    country_or_body = models.CharField(
        _("country or body"), max_length=200, blank=True,
        help_text=_("Who publishes the standard, e.g. Viet Nam, ASEAN or a foreign awarding body."),
    )
    source_document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("legal source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="skill_frameworks",
        help_text=_("The decision that promulgates a national standard, when recorded."),
    )
    source_url = models.URLField(_("source URL"), blank=True)
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Ticked for illustrative units shipped with the demo, not the text of the real standard."),
    )
    occupation = models.ForeignKey(
        Occupation,
        verbose_name=_("occupation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="skill_frameworks",
    )

    class Meta:
        verbose_name = _("skill framework")
        verbose_name_plural = _("skill frameworks")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class SkillUnit(BilingualNameMixin, RegistryModel):
    """A competency unit (đơn vị năng lực) of a skill framework."""

    framework = models.ForeignKey(
        SkillFramework, verbose_name=_("skill framework"), on_delete=models.CASCADE, related_name="units"
    )
    code = models.CharField(_("code"), max_length=40)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    group = models.CharField(_("group"), max_length=16, choices=choices.UnitGroup.choices)
    level = models.PositiveSmallIntegerField(
        _("skill level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("1–5 in a national standard, 1–8 in some foreign frameworks; empty when not levelled."),
    )
    nominal_hours = models.PositiveIntegerField(_("nominal hours"), null=True, blank=True)

    class Meta:
        verbose_name = _("competency unit")
        verbose_name_plural = _("competency units")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"],
                name="skillunit_unique_code",
                violation_error_message=_("This code is already used in this skill framework."),
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=8),
                name="skillunit_level_range",
                violation_error_message=_("The skill level is between 1 and 8."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PerformanceCriterion(RegistryModel):
    """A performance criterion (tiêu chí thực hiện) of a competency unit."""

    unit = models.ForeignKey(
        SkillUnit, verbose_name=_("competency unit"), on_delete=models.CASCADE, related_name="criteria"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text_vi = models.TextField(_("text (Vietnamese)"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        verbose_name = _("performance criterion")
        verbose_name_plural = _("performance criteria")
        ordering = ["unit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"],
                name="performancecriterion_unique_number",
                violation_error_message=_("This competency unit already has a criterion with this number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code}.{self.number}"


class ComponentUnitMapping(RegistryModel):
    """A subject or module of a curriculum version covers (fully or partly) a competency unit."""

    component = models.ForeignKey(
        CurriculumComponent, verbose_name=_("curriculum component"), on_delete=models.CASCADE,
        related_name="unit_mappings",
    )
    unit = models.ForeignKey(
        SkillUnit, verbose_name=_("competency unit"), on_delete=models.PROTECT, related_name="component_mappings"
    )
    coverage = models.CharField(
        _("coverage"), max_length=8, choices=choices.Coverage.choices, default=choices.Coverage.FULL
    )

    class Meta:
        verbose_name = _("component–unit mapping")
        verbose_name_plural = _("component–unit mappings")
        ordering = ["component", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "unit"],
                name="componentunitmapping_unique",
                violation_error_message=_("This subject or module is already mapped to this competency unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component.code} → {self.unit.code}"
