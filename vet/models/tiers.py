"""Readiness of key occupations toward their tier (DOMAIN.md §4): profiles of indicators with thresholds, and the
yearly outcomes and equipment checklists they read."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .. import choices
from .registry import BilingualNameMixin, Institution, LegalDocument, Occupation, RegistryModel

_year_validators = [MinValueValidator(2000), MaxValueValidator(2100)]
_designation_levels = [(lv.value, lv.label) for lv in choices.DESIGNATION_LEVELS]


def _check_occupation_level(row, errors: dict) -> None:
    """An intermediate code (5xxxxxx) is not trained at college level, nor the reverse."""
    if row.occupation_id and row.level and "level" not in errors:
        code_level = row.occupation.level
        if code_level and code_level != row.level:
            errors["level"] = _("Occupation %(code)s is a %(code_level)s code, not %(level)s.") % {
                "code": row.occupation.code, "code_level": choices.Level(code_level).label,
                "level": choices.Level(row.level).label}


class ReadinessProfile(BilingualNameMixin, RegistryModel):
    """What a key occupation must show to be ready for a tier: a dated, sourced list of indicators.

    Per-tier criteria are not published in retrievable form (DOMAIN.md §4 [U]): the shipped profiles take what is
    confirmed (Decision 761/QĐ-TTg, Circular 21/2018) and mark the rest unconfirmed; the authority edits them."""

    tier = models.CharField(_("tier"), max_length=16, choices=choices.Tier.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    source_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal source"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="readiness_profiles",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    close_gap_percent = models.DecimalField(
        _("'close' when the weighted gap is at most (%)"), max_digits=5, decimal_places=2, default=30,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Unconfirmed: 30 % follows the Malaysian NOSS self-assessment practice; edit it if the "
                    "province sets another."),
    )
    confirmed = models.BooleanField(
        _("confirmed"), default=False, help_text=_("Tick once every indicator is checked against its source.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("readiness profile")
        verbose_name_plural = _("readiness profiles")
        ordering = ["tier", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="readinessprofile_valid_range",
                violation_error_message=_("'Valid to' cannot be before 'valid from'."),
            ),
            models.CheckConstraint(condition=Q(close_gap_percent__range=(0, 100)), name="readinessprofile_gap_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.name}"


class ReadinessIndicator(RegistryModel):
    """One indicator of a profile: the metric, its threshold (the value must reach it), weight and source."""

    profile = models.ForeignKey(
        ReadinessProfile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="indicators"
    )
    metric = models.CharField(_("metric"), max_length=32, choices=choices.IndicatorMetric.choices)
    level = models.CharField(
        _("level"), max_length=16, choices=_designation_levels, blank=True,
        help_text=_("Empty: both intermediate and college programs."),
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)],
        help_text=_("The value must be at least this. Percentages are 0–100; accreditation passed is 1."),
    )
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0)],
        help_text=_("Share of this indicator in the weighted gap."),
    )
    min_degree = models.CharField(
        _("required degree"), max_length=16, choices=choices.Degree.choices, blank=True,
        help_text=_("For the theory-teacher indicator: the lowest degree that counts."),
    )
    min_language_level = models.PositiveSmallIntegerField(
        _("required foreign-language level"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    min_skill_level = models.PositiveSmallIntegerField(
        _("required exit skill level"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    source_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal source"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    source_note = models.CharField(_("source note"), max_length=500, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"), default=False, help_text=_("Untick while the threshold is not checked against its source.")
    )

    class Meta:
        verbose_name = _("readiness indicator")
        verbose_name_plural = _("readiness indicators")
        ordering = ["profile", "metric", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "metric", "level"], name="readinessindicator_unique_metric_level",
                violation_error_message=_("This profile already has this indicator for that level."),
            ),
            models.CheckConstraint(condition=Q(threshold__gte=0) & Q(weight__gte=0),
                                   name="readinessindicator_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ≥ {self.threshold}"


class OccupationOutcome(RegistryModel):
    """One year's outcomes of an institution's occupation at a level: enrolment, graduates, employment, exit
    skill levels."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="outcomes"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="outcomes"
    )
    level = models.CharField(_("level"), max_length=16, choices=_designation_levels)
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    enrolment = models.PositiveIntegerField(_("enrolment"), default=0)
    graduates = models.PositiveIntegerField(_("graduates"), default=0)
    employed_6m = models.PositiveIntegerField(_("employed within 6 months"), default=0)
    skill_level_1 = models.PositiveIntegerField(_("graduates at skill level 1"), default=0)
    skill_level_2 = models.PositiveIntegerField(_("graduates at skill level 2"), default=0)
    skill_level_3 = models.PositiveIntegerField(_("graduates at skill level 3"), default=0)
    skill_level_4 = models.PositiveIntegerField(_("graduates at skill level 4"), default=0)
    skill_level_5 = models.PositiveIntegerField(_("graduates at skill level 5"), default=0)
    source = models.CharField(_("source"), max_length=255, blank=True, help_text=_("E.g. the graduate tracer survey."))

    class Meta:
        verbose_name = _("yearly outcome")
        verbose_name_plural = _("yearly outcomes")
        ordering = ["institution", "occupation__code", "level", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "occupation", "level", "year"], name="outcome_unique_year",
                violation_error_message=_("Outcomes for this occupation, level and year are already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(employed_6m__lte=F("graduates")), name="outcome_employed_le_graduates",
                violation_error_message=_("More graduates employed than graduated."),
            ),
            models.CheckConstraint(
                condition=Q(graduates__gte=F("skill_level_1") + F("skill_level_2") + F("skill_level_3")
                            + F("skill_level_4") + F("skill_level_5")),
                name="outcome_skill_levels_le_graduates",
                violation_error_message=_("More graduates at a skill level than graduated."),
            ),
            models.CheckConstraint(condition=Q(year__range=(2000, 2100)), name="outcome_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation.code} · {self.year}"

    def clean(self) -> None:
        """The constraints' messages on the fields they concern, and the occupation code's level."""
        errors = {}
        if self.employed_6m is not None and self.graduates is not None and self.employed_6m > self.graduates:
            errors["employed_6m"] = _("More graduates employed than graduated.")
        levels = [getattr(self, f"skill_level_{n}") for n in range(1, 6)]
        if self.graduates is not None and None not in levels and sum(levels) > self.graduates:
            errors["graduates"] = _("More graduates at a skill level than graduated.")
        _check_occupation_level(self, errors)
        if errors:
            raise ValidationError(errors)

    def graduates_at_or_above(self, level: int) -> int:
        return sum(getattr(self, f"skill_level_{n}") for n in range(level, 6))


class EquipmentChecklist(RegistryModel):
    """The equipment an occupation's training requires at a level, against what the institution holds."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="equipment_checklists"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="equipment_checklists"
    )
    level = models.CharField(_("level"), max_length=16, choices=_designation_levels)
    reference = models.CharField(
        _("reference list"), max_length=255, blank=True,
        help_text=_("The minimum equipment list the items come from, e.g. the ministry's list for the occupation."),
    )
    source_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal source"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("equipment checklist")
        verbose_name_plural = _("equipment checklists")
        ordering = ["institution", "occupation__code", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "occupation", "level"], name="equipment_unique_checklist",
                violation_error_message=_("This occupation and level already have an equipment checklist."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation.code} · {self.get_level_display()}"

    def clean(self) -> None:
        errors = {}
        _check_occupation_level(self, errors)
        if errors:
            raise ValidationError(errors)


class EquipmentItem(RegistryModel):
    checklist = models.ForeignKey(
        EquipmentChecklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    name = models.CharField(_("item"), max_length=255)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    required_quantity = models.PositiveIntegerField(_("required quantity"), validators=[MinValueValidator(1)])
    held_quantity = models.PositiveIntegerField(_("quantity held"), default=0)

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment items")
        ordering = ["checklist", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "name"], name="equipmentitem_unique_name",
                violation_error_message=_("This checklist already has an item with this name."),
            ),
            models.CheckConstraint(condition=Q(required_quantity__gte=1), name="equipmentitem_required_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_held_in_full(self) -> bool:
        return self.held_quantity >= self.required_quantity
