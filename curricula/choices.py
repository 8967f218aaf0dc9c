from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EntryRequirement(models.TextChoices):
    """The schooling an entrant must have completed (DOMAIN.md §2, §6)."""

    LOWER_SECONDARY = "lower_secondary", _("Lower-secondary graduates")
    UPPER_SECONDARY = "upper_secondary", _("Upper-secondary graduates")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


# A version in one of these states is frozen: its fields and components cannot change.
FROZEN_STATUSES = (VersionStatus.SUBMITTED, VersionStatus.APPROVED, VersionStatus.SUPERSEDED)


class Origin(models.TextChoices):
    DOMESTIC = "domestic", _("Developed by the institution")
    TRANSFERRED = "transferred", _("Transferred from abroad")
    JOINT = "joint", _("Joint with a foreign partner")
    ENTERPRISE_ORDERED = "enterprise_ordered", _("Ordered by an enterprise")


# Origins for which a partner country and awarding body are meaningful.
FOREIGN_ORIGINS = (Origin.TRANSFERRED, Origin.JOINT)


class ComponentKind(models.TextChoices):
    SUBJECT = "subject", _("Subject")
    MODULE = "module", _("Module")


class ComponentGroup(models.TextChoices):
    GENERAL = "general", _("General subjects")
    FOUNDATION = "foundation", pgettext_lazy("curriculum component group", "Foundation")
    SPECIALISED = "specialised", _("Specialised")
    ELECTIVE = "elective", _("Elective")


class GeneralSubjectType(models.TextChoices):
    POLITICAL_EDUCATION = "political_education", _("Political education")
    LAW = "law", pgettext_lazy("general subject", "Law")
    PHYSICAL_EDUCATION = "physical_education", _("Physical education")
    DEFENCE_SECURITY = "defence_security", _("Defence and security education")
    IT = "it", _("Information technology")
    FOREIGN_LANGUAGE = "foreign_language", _("Foreign language")


class RuleCode(models.TextChoices):
    """What a curriculum rule measures. The thresholds are data (CurriculumRule rows), the measures are code."""

    MIN_CREDITS = "min_credits", _("Minimum total credits")
    MIN_COMPONENTS = "min_components", _("Minimum number of modules or subjects")
    THEORY_SHARE = "theory_share", _("Share of theory hours")
    PRACTICE_SHARE = "practice_share", _("Share of practice hours")
    GENERAL_SUBJECT_HOURS = "general_subject_hours", _("Hours of a general subject")
    # Parameters: read by the credit-hours check and by services, not checks of their own.
    CREDIT_THEORY_HOURS = "credit_theory_hours", _("Theory hours per credit")
    CREDIT_PRACTICE_HOURS = "credit_practice_hours", _("Practice hours per credit")
    REVIEW_CYCLE_YEARS = "review_cycle_years", _("Review cycle")


class RuleUnit(models.TextChoices):
    CREDITS = "credits", _("credits")
    COMPONENTS = "components", _("modules or subjects")
    PERCENT = "percent", _("per cent")
    HOURS = "hours", _("hours")
    YEARS = "years", _("years")


class RuleStatus(models.TextChoices):
    PASS = "pass", _("Pass")
    WARNING = "warning", _("Warning")
    FAIL = "fail", _("Fail")


class FrameworkKind(models.TextChoices):
    """What a skill framework is (DOMAIN.md §9)."""

    NATIONAL = "national", _("National occupational skill standard")
    ASEAN = "asean", _("ASEAN standard (e.g. ACCSTP)")
    FOREIGN = "foreign", _("Foreign program used for transfer")


class UnitGroup(models.TextChoices):
    """Groups of competency units in a national skill standard (Circular 56/2015)."""

    BASIC = "basic", pgettext_lazy("skill unit group", "Basic")
    COMMON = "common", pgettext_lazy("skill unit group", "Common")
    SPECIALISED = "specialised", pgettext_lazy("skill unit group", "Specialised")


class Coverage(models.TextChoices):
    """How much of a competency unit a subject or module covers."""

    FULL = "full", _("Full coverage")
    PARTIAL = "partial", _("Partial coverage")
