from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LegalDocumentKind(models.TextChoices):
    LAW = "law", _("Law")
    RESOLUTION = "resolution", _("Resolution")
    DECREE = "decree", _("Decree")
    DECISION = "decision", _("Decision")
    CIRCULAR = "circular", _("Circular")
    REGISTRATION = "registration", _("VET activity registration certificate")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    """Socio-economic regions used in national statistics."""

    NORTHERN_MIDLANDS = "northern_midlands", _("Northern midlands and mountains")
    RED_RIVER_DELTA = "red_river_delta", _("Red River Delta")
    NORTH_CENTRAL = "north_central", _("North Central and Central Coast")
    CENTRAL_HIGHLANDS = "central_highlands", _("Central Highlands")
    SOUTH_EAST = "south_east", _("South East")
    MEKONG_DELTA = "mekong_delta", _("Mekong Delta")


class AuthorityLevel(models.TextChoices):
    NATIONAL = "national", pgettext_lazy("authority level", "National")
    PROVINCIAL = "provincial", pgettext_lazy("authority level", "Provincial")


class InstitutionType(models.TextChoices):
    COLLEGE = "college", pgettext_lazy("institution type", "College")
    INTERMEDIATE = "intermediate", _("Intermediate school")
    VET_CENTRE = "vet_centre", _("VET centre")
    OTHER = "other", _("Other organisation with VET activity")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    FOREIGN_INVESTED = "foreign_invested", _("Foreign-invested")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")


class Level(models.TextChoices):
    """Training levels of the Vietnamese Qualifications Framework (Decision 1982/QĐ-TTg)."""

    ELEMENTARY_1 = "elementary_1", _("Elementary I")
    ELEMENTARY_2 = "elementary_2", _("Elementary II")
    ELEMENTARY_3 = "elementary_3", _("Elementary III")
    INTERMEDIATE = "intermediate", _("Intermediate")
    COLLEGE = "college", _("College")


# First digit of a 7-digit occupation code -> level (DOMAIN.md §3).
CODE_DIGIT_LEVEL = {"5": Level.INTERMEDIATE, "6": Level.COLLEGE}
DESIGNATION_LEVELS = (Level.INTERMEDIATE, Level.COLLEGE)
DESIGNATION_LEVEL_CHOICES = [(lv.value, lv.label) for lv in DESIGNATION_LEVELS]


class Tier(models.TextChoices):
    NATIONAL = "national", _("National")
    ASEAN = "asean", _("ASEAN")
    INTERNATIONAL = "international", _("International")


class Degree(models.TextChoices):
    NONE = "none", _("No degree")
    VOCATIONAL = "vocational", _("Vocational certificate")
    INTERMEDIATE = "intermediate", _("Intermediate diploma")
    COLLEGE = "college", _("College diploma")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctor")


class ITStandard(models.TextChoices):
    NONE = "none", _("None")
    BASIC = "basic", _("Basic IT skills")
    ADVANCED = "advanced", _("Advanced IT skills")


class AgreementType(models.TextChoices):
    COOPERATION = "cooperation", _("Cooperation agreement")
    INTERNSHIP = "internship", _("Internship placement")
    RECRUITMENT = "recruitment", _("Graduate recruitment")
    TRAINING_ORDER = "training_order", _("Enterprise-ordered training")
    CO_DELIVERY = "co_delivery", _("Joint delivery of training")
    EQUIPMENT = "equipment", _("Equipment sponsorship")


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    OFFICER = "officer", _("Provincial authority officer")
    SCHOOL_STAFF = "school_staff", _("School staff")
    SCHOOL_HEAD = "school_head", _("Head of school (approves curricula)")


# Roles held in an institution: a head of school is also staff of it, and approves its curricula.
INSTITUTION_ROLES = (Role.SCHOOL_STAFF, Role.SCHOOL_HEAD)


class AccreditationTarget(models.TextChoices):
    """What an accreditation framework assesses (DOMAIN.md §5)."""

    SCHOOL = "school", _("College or intermediate school")
    VET_CENTRE = "vet_centre", _("VET centre")
    PROGRAM = "program", _("Training program")


class AssessmentStatus(models.TextChoices):
    """A self-assessment's life: planned → in progress → submitted (then locked)."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class CouncilMemberType(models.TextChoices):
    HEAD = "head", _("Head of the institution")
    STAFF = "staff", _("Staff of the institution")
    ENTERPRISE = "enterprise", _("Enterprise representative")
    OTHER = "other", _("Other")


class ExternalStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DECIDED = "decided", _("Decided")


class ExternalDecision(models.TextChoices):
    PASS = "pass", _("Meets the standards")
    FAIL = "fail", _("Does not meet the standards")


class FindingSeverity(models.TextChoices):
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    OBSERVATION = "observation", _("Observation")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TeachingRole(models.TextChoices):
    THEORY = "theory", _("Theory")
    PRACTICE = "practice", _("Practice")
    BOTH = "both", _("Theory and practice")


class IndicatorMetric(models.TextChoices):
    """What a readiness indicator measures for one key-occupation designation (DOMAIN.md §4)."""

    ACCREDITATION = "accreditation", _("Accreditation passed")
    CURRICULUM_COVERAGE = "curriculum_coverage", _("Curriculum coverage of the tier's reference standard (%)")
    THEORY_TEACHER_DEGREE = "theory_teacher_degree", _("Theory teachers with the required degree (%)")
    TEACHER_LANGUAGE = "teacher_language", _("Teachers at the required foreign-language level (%)")
    EMPLOYMENT_6M = "employment_6m", _("Graduates employed within 6 months (%)")
    EXIT_SKILL = "exit_skill", _("Graduates at the required exit skill level (%)")
    EQUIPMENT = "equipment", _("Equipment list held in full (%)")
    ENTERPRISE_PARTNERS = "enterprise_partners", _("Enterprise partners")
    ENROLMENT = "enrolment", _("Enrolment")


class ReadinessStatus(models.TextChoices):
    READY = "ready", _("Ready")
    CLOSE = "close", _("Close")
    NOT_YET = "not_yet", _("Not yet")


class TargetMetric(models.TextChoices):
    """What a plan target measures (DOMAIN.md §10). VETtrack computes those it has a source for
    (vet.target_actuals); the authority enters the others, each figure with its source (ActualValue)."""

    KEY_OCCUPATIONS = "key_occupations", _("Key occupations designated")
    KEY_OCCUPATIONS_READY = "key_occupations_ready", _("Key occupations ready for their tier")
    ACCREDITED_INSTITUTIONS = "accredited_institutions", _("Institutions with accreditation in force")
    CURRICULA_REVIEW_OVERDUE = "curricula_review_overdue", _("Curricula overdue for review")
    ENROLMENT = "enrolment", _("Enrolment")
    GRADUATES = "graduates", _("Graduates")
    EMPLOYMENT_6M = "employment_6m", _("Graduates employed within 6 months (%)")
    DIPLOMAS_ISSUED = "diplomas_issued", _("Diplomas and certificates issued")
    JOBS_CREATED = "jobs_created", _("New jobs created")
    WORKERS_ABROAD = "workers_abroad", _("Workers sent abroad on contract")
    TRAINED_WORKER_RATIO = "trained_worker_ratio", _("Trained workers in the workforce (%)")
    QUALIFIED_WORKER_RATIO = "qualified_worker_ratio", _("Workers holding a degree or certificate (%)")
    HIGH_QUALITY_INSTITUTIONS = "high_quality_institutions", _("High-quality institutions")
    SECONDARY_INTO_VET = "secondary_into_vet", _("Secondary graduates entering VET (%)")
    FEMALE_LEARNERS = "female_learners", _("Female learners (%)")


class TargetUnit(models.TextChoices):
    COUNT = "count", pgettext_lazy("target unit", "number")
    PERCENT = "percent", pgettext_lazy("target unit", "%")
    PER_YEAR = "per_year", pgettext_lazy("target unit", "a year")
    CUMULATIVE = "cumulative", pgettext_lazy("target unit", "over the period")


class TargetStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BEHIND = "behind", _("Behind")
    MET = "met", _("Met")
    NO_DATA = "no_data", _("No data")
