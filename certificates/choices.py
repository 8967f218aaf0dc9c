from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    MALE = "male", pgettext_lazy("sex", "Male")
    FEMALE = "female", pgettext_lazy("sex", "Female")


class GradingScale(models.TextChoices):
    """Circular 04/2022: credit-based training grades on 4 points, year-based training on 10 points."""

    CREDIT_4 = "credit_4", _("Credit system (4-point GPA)")
    YEAR_10 = "year_10", _("Year system (10-point score)")


class Classification(models.TextChoices):
    """Graduation classification (xếp loại tốt nghiệp), best first."""

    EXCELLENT = "excellent", _("Excellent")
    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    AVERAGE = "average", _("Average")
    WEAK = "weak", _("Weak")


# Best first: a one-step downgrade moves one place to the right (never below the lowest passing one).
CLASSIFICATION_ORDER = [c.value for c in Classification]
# Printed on the diploma in both languages whatever the reader's language (the document is bilingual by law).
CLASSIFICATION_PRINTED = {
    Classification.EXCELLENT: ("Xuất sắc", "Excellent"),
    Classification.VERY_GOOD: ("Giỏi", "Very good"),
    Classification.GOOD: ("Khá", "Good"),
    Classification.AVERAGE: ("Trung bình", "Average"),
    Classification.WEAK: ("Yếu", "Weak"),
}


class DiplomaKind(models.TextChoices):
    """Law 74/2014: elementary certificate, intermediate and college diplomas; national skill certificates."""

    ELEMENTARY_CERTIFICATE = "elementary_certificate", _("Elementary certificate")
    INTERMEDIATE_DIPLOMA = "intermediate_diploma", _("Intermediate diploma")
    COLLEGE_DIPLOMA = "college_diploma", _("College diploma")
    SKILL_CERTIFICATE = "skill_certificate", _("National occupational skill certificate")


KIND_PRINTED = {
    DiplomaKind.ELEMENTARY_CERTIFICATE: ("CHỨNG CHỈ SƠ CẤP", "ELEMENTARY CERTIFICATE"),
    DiplomaKind.INTERMEDIATE_DIPLOMA: ("BẰNG TỐT NGHIỆP TRUNG CẤP", "INTERMEDIATE DIPLOMA"),
    DiplomaKind.COLLEGE_DIPLOMA: ("BẰNG TỐT NGHIỆP CAO ĐẲNG", "COLLEGE DIPLOMA"),
    DiplomaKind.SKILL_CERTIFICATE: ("CHỨNG CHỈ KỸ NĂNG NGHỀ QUỐC GIA", "NATIONAL OCCUPATIONAL SKILL CERTIFICATE"),
}


class CollegeTitle(models.TextChoices):
    """Law 74/2014: a college graduate holds the title practical engineer or practical bachelor."""

    PRACTICAL_ENGINEER = "practical_engineer", _("Practical engineer (kỹ sư thực hành)")
    PRACTICAL_BACHELOR = "practical_bachelor", _("Practical bachelor (cử nhân thực hành)")


TITLE_PRINTED = {
    CollegeTitle.PRACTICAL_ENGINEER: ("Kỹ sư thực hành", "Practical Engineer"),
    CollegeTitle.PRACTICAL_BACHELOR: ("Cử nhân thực hành", "Practical Bachelor"),
}


class DiplomaStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("diploma", "Being issued")
    VALID = "valid", pgettext_lazy("diploma", "Valid")
    REISSUED = "reissued", pgettext_lazy("diploma", "Re-issued (replaced)")
    REVOKED = "revoked", pgettext_lazy("diploma", "Revoked")


class RegisterAction(models.TextChoices):
    """What an entry of the register (sổ gốc) records; Circular 10/2017."""

    ISSUE = "issue", pgettext_lazy("register", "Issued")
    REISSUE = "reissue", pgettext_lazy("register", "Re-issued")
    REVOKE = "revoke", pgettext_lazy("register", "Revoked")


class BatchStatus(models.TextChoices):
    VALIDATED = "validated", pgettext_lazy("batch", "Checked, not started")
    QUEUED = "queued", pgettext_lazy("batch", "Queued")
    RUNNING = "running", pgettext_lazy("batch", "Issuing")
    ASSEMBLING = "assembling", pgettext_lazy("batch", "Preparing the downloads")
    DONE = "done", pgettext_lazy("batch", "Done")
    FAILED = "failed", pgettext_lazy("batch", "Failed")


class BatchItemOutcome(models.TextChoices):
    READY = "ready", pgettext_lazy("batch item", "Can be issued")
    REFUSED = "refused", pgettext_lazy("batch item", "Cannot be issued")
    ALREADY_ISSUED = "already_issued", pgettext_lazy("batch item", "Already issued")
    ISSUED = "issued", pgettext_lazy("batch item", "Issued")
    FAILED = "failed", pgettext_lazy("batch item", "Failed")
