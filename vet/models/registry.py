"""Registry of Vietnamese VET: legal documents, provinces, authorities, institutions,
occupations, scope, key-occupation designations, teachers, enterprise partners and roles."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import choices
from ..text import fold

occupation_code_validator = RegexValidator(
    r"^[56]\d{6}$",
    _("An occupation code has 7 digits and starts with 5 (intermediate) or 6 (college)."),
    code="invalid_occupation_code",
)
institution_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$",
    _("Use 2–32 letters, digits, dots, dashes or underscores."),
    code="invalid_institution_code",
)


class BilingualNameMixin:
    """`name` follows the active language; Vietnamese is the fallback."""

    @property
    def name(self) -> str:
        if get_language() and get_language().startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class RegistryModel(models.Model):
    """Common columns: timestamps for `modified_since`, and a full change history."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True, db_index=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class SearchableModel(RegistryModel):
    """Keeps a diacritic-free copy of the row's names for search on any database."""

    search_text = models.TextField(editable=False, blank=True, default="")
    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join(str(getattr(self, f) or "") for f in self.search_fields))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class ValidityMixin(models.Model):
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Leave empty while still in existence.")
    )

    class Meta:
        abstract = True

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def is_current(self) -> bool:
        return self.is_valid_on(datetime.date.today())


def _validity_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message=_("'Valid to' cannot be before 'valid from'."),
    )


class LegalDocument(SearchableModel):
    """A law, decree, decision, circular or registration certificate that a rule or record rests on."""

    number = models.CharField(
        _("number"), max_length=64, unique=True, help_text=_("As printed, e.g. 14/2024/TT-BLĐTBXH.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=choices.LegalDocumentKind.choices)
    issuer = models.CharField(_("issuer"), max_length=200)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    url = models.URLField(_("URL"), blank=True, max_length=500)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("Untick when the number, date or content has not been checked against the official text."),
    )
    search_fields = ("number", "title_vi", "title_en", "issuer")

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="legaldocument_effective_range",
                violation_error_message=_("'Effective to' cannot be before 'effective from'."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def title(self) -> str:
        if get_language() and get_language().startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi

    def is_in_force_on(self, day: datetime.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )


class Province(BilingualNameMixin, ValidityMixin, SearchableModel):
    """A province or centrally-run city; merged provinces keep their row and point to a successor."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{2,3}$", _("Use the 2- or 3-digit administrative code."))],
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=32, choices=choices.Region.choices)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The province this one was merged into."),
    )
    merger_document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("merger document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    search_fields = ("code", "name_vi", "name_en")

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name_vi"]
        constraints = [
            _validity_constraint("province_validity_range"),
            models.CheckConstraint(condition=~Q(successor=F("pk")), name="province_not_own_successor"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("A province cannot be its own successor.")})


class Authority(BilingualNameMixin, ValidityMixin, SearchableModel):
    """A body that manages VET: the national ministry, or a provincial department (DOLISA, then DOET)."""

    level = models.CharField(pgettext_lazy("authority", "level"), max_length=16,
                             choices=choices.AuthorityLevel.choices)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, help_text=_("The label users know, e.g. DOLISA or DOET.")
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorities",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    search_fields = ("name_vi", "name_en", "short_name")

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["level", "name_vi"]
        constraints = [
            _validity_constraint("authority_validity_range"),
            models.CheckConstraint(
                condition=Q(level=choices.AuthorityLevel.NATIONAL, province__isnull=True)
                | Q(level=choices.AuthorityLevel.PROVINCIAL, province__isnull=False),
                name="authority_province_matches_level",
                violation_error_message=_("A provincial authority needs a province; a national one has none."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name and f"{self.name} ({self.short_name})" or self.name


class OccupationField(RegistryModel):
    """Field of an occupation, read from digits 2–3 of its code. The mapping is unconfirmed data."""

    code = models.CharField(
        _("code"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$", _("Two digits."))]
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Unconfirmed: the meaning of digits 2–3 is not confirmed in a legal text; edit as needed."),
    )

    class Meta:
        verbose_name = _("occupation field")
        verbose_name_plural = _("occupation fields")
        ordering = ["code"]

    def __str__(self) -> str:
        name = self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name_vi
        return f"{self.code} {name}"


class Occupation(BilingualNameMixin, SearchableModel):
    """An entry of the level-IV occupation catalogue: 7 digits, first = level, the other 6 = the occupation."""

    code = models.CharField(_("code"), max_length=7, unique=True, validators=[occupation_code_validator])
    stem = models.CharField(
        _("stem"),
        max_length=6,
        editable=False,
        db_index=True,
        help_text=_("Digits 2–7 of the code: the same occupation at intermediate and college level."),
    )
    field = models.ForeignKey(
        OccupationField,
        verbose_name=_("field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occupations",
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    catalogue_document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("catalogue document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occupations",
    )
    search_fields = ("code", "name_vi", "name_en")

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[56][0-9]{6}$"),
                name="occupation_code_format",
                violation_error_message=occupation_code_validator.message,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.stem = (self.code or "")[1:]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "stem"}
        super().save(*args, **kwargs)

    @property
    def level(self) -> str | None:
        return choices.CODE_DIGIT_LEVEL.get((self.code or " ")[0])

    @property
    def field_code(self) -> str:
        return (self.code or "")[1:3]

    def clean(self) -> None:
        if self.field_id and self.code and self.field.code != self.field_code:
            raise ValidationError(
                {"field": _("Digits 2–3 of the code (%(digits)s) do not match field %(field)s.")
                 % {"digits": self.field_code, "field": self.field.code}}
            )


class Institution(BilingualNameMixin, SearchableModel):
    """A college, intermediate school, VET centre or other organisation registered for VET activity."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[institution_code_validator])
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=choices.InstitutionType.choices)
    ownership = models.CharField(_("ownership"), max_length=20, choices=choices.Ownership.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="institutions"
    )
    managing_authority = models.ForeignKey(
        Authority,
        verbose_name=_("managing authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    registration_document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("VET activity registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_institutions",
        help_text=_("The certificate of registration of VET activity that lists the scope below."),
    )
    search_fields = ("code", "name_vi", "name_en", "short_name")

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name_vi"]

    def __str__(self) -> str:
        return self.name


class ScopeEntry(RegistryModel):
    """One line of an institution's registered scope: occupation × level × annual enrolment quota."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="scope"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="scope_entries"
    )
    level = models.CharField(_("level"), max_length=16, choices=choices.Level.choices)
    annual_quota = models.PositiveIntegerField(_("annual enrolment quota"), validators=[MinValueValidator(1)])
    registration_document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("registration document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty when it is the institution's main registration."),
    )

    class Meta:
        verbose_name = _("scope entry")
        verbose_name_plural = _("scope entries")
        ordering = ["institution", "occupation__code", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "occupation", "level"],
                name="scope_unique_institution_occupation_level",
                violation_error_message=_("This occupation and level are already in the institution's scope."),
            ),
            models.CheckConstraint(condition=Q(annual_quota__gte=1), name="scope_quota_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation.code} · {self.get_level_display()}"

    def clean(self) -> None:
        if self.occupation_id and self.level:
            code_level = self.occupation.level
            if self.level in choices.DESIGNATION_LEVELS and code_level != self.level:
                raise ValidationError(
                    {"level": _("Occupation %(code)s is a %(code_level)s code; it cannot be registered at %(level)s.")
                     % {"code": self.occupation.code,
                        "code_level": choices.Level(code_level).label if code_level else "?",
                        "level": self.get_level_display()}}
                )


class KeyOccupationDesignation(RegistryModel):
    """Designation of an occupation of an institution as a key occupation at a tier for a period."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="designations"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="designations"
    )
    level = models.CharField(
        _("level"),
        max_length=16,
        choices=[(lv.value, lv.label) for lv in choices.DESIGNATION_LEVELS],
    )
    tier = models.CharField(_("tier"), max_length=16, choices=choices.Tier.choices)
    period_start = models.PositiveSmallIntegerField(
        _("period start"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period_end = models.PositiveSmallIntegerField(
        _("period end"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    decision = models.ForeignKey(
        LegalDocument,
        verbose_name=_("approving decision"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("key-occupation designation")
        verbose_name_plural = _("key-occupation designations")
        ordering = ["institution", "occupation__code", "tier", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "occupation", "level", "tier", "period_start"],
                name="designation_unique",
                violation_error_message=_("This designation already exists for that period."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="designation_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=[lv.value for lv in choices.DESIGNATION_LEVELS]),
                name="designation_level_intermediate_or_college",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation.code} · {self.get_tier_display()} · {self.period}"

    @property
    def period(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class Teacher(SearchableModel):
    """A teacher of an institution, with the qualifications the readiness rules read."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="teachers"
    )
    full_name = models.CharField(_("full name"), max_length=120)
    staff_number = models.CharField(
        _("staff number"), max_length=40, blank=True,
        help_text=_("The school's own number for the teacher; imports match teachers by it."),
    )
    degree = models.CharField(_("highest degree"), max_length=16, choices=choices.Degree.choices)
    field_of_study = models.CharField(_("field of study"), max_length=200, blank=True)
    has_pedagogy_certificate = models.BooleanField(_("holds a VET pedagogy certificate"), default=False)
    foreign_language_level = models.PositiveSmallIntegerField(
        _("foreign-language level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("Level 1–6 of the Vietnamese six-level framework; empty when none."),
    )
    it_standard = models.CharField(
        _("IT standard"), max_length=16, choices=choices.ITStandard.choices, default=choices.ITStandard.NONE
    )
    national_skill_level = models.PositiveSmallIntegerField(
        _("national skill level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("National occupational skill certificate level 1–5; empty when none."),
    )
    industry_years = models.PositiveSmallIntegerField(
        _("years of industry experience"), default=0, validators=[MaxValueValidator(60)]
    )
    is_active = models.BooleanField(_("currently teaching"), default=True)
    teaching_role = models.CharField(
        _("teaches"), max_length=16, choices=choices.TeachingRole.choices, default=choices.TeachingRole.BOTH
    )
    occupations = models.ManyToManyField(
        Occupation, verbose_name=_("occupations taught"), blank=True, related_name="teachers",
        help_text=_("The readiness of a key occupation counts the teachers who teach it."),
    )
    search_fields = ("full_name", "staff_number", "field_of_study")

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["institution", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "staff_number"], condition=~Q(staff_number=""),
                name="teacher_unique_staff_number",
            ),
            models.CheckConstraint(
                condition=Q(foreign_language_level__isnull=True) | Q(foreign_language_level__range=(1, 6)),
                name="teacher_language_level_1_6",
            ),
            models.CheckConstraint(
                condition=Q(national_skill_level__isnull=True) | Q(national_skill_level__range=(1, 5)),
                name="teacher_skill_level_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class EnterprisePartner(SearchableModel):
    """An enterprise that cooperates with an institution."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=255)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    agreement_type = models.CharField(_("agreement type"), max_length=20, choices=choices.AgreementType.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    occupations = models.ManyToManyField(
        Occupation, verbose_name=_("occupations"), blank=True, related_name="partners",
        help_text=_("The occupations the cooperation concerns; empty: the whole institution."),
    )
    search_fields = ("name", "sector")

    class Meta:
        verbose_name = _("enterprise partner")
        verbose_name_plural = _("enterprise partners")
        ordering = ["institution", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="partner_until_after_since",
                violation_error_message=_("'Until' cannot be before 'since'."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(RegistryModel):
    """Gives a user a role: administrator, officer of an authority, or staff of an institution."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=choices.Role.choices)
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="memberships",
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=choices.Role.ADMIN, authority__isnull=True, institution__isnull=True)
                | Q(role=choices.Role.OFFICER, authority__isnull=False, institution__isnull=True)
                | Q(role__in=choices.INSTITUTION_ROLES, authority__isnull=True, institution__isnull=False),
                name="membership_role_target",
                violation_error_message=_(
                    "An officer belongs to an authority, school staff and heads to an institution, an administrator to "
                    "neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "authority", "institution"],
                name="membership_unique",
            ),
        ]

    def __str__(self) -> str:
        target = self.authority or self.institution or ""
        return f"{self.user} · {self.get_role_display()} {target}".strip()
