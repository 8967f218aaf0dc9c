"""Every write of the certificates app: learners, results and graduation, issuing, revocation, re-issue.

Numbers are taken under a row lock of the institution's counter for the year, so serials and register
entries never repeat or skip, however many workers issue at once. The register is append-only and
hash-chained per institution (`verify_register` checks the chain)."""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curricula.choices import VersionStatus
from vet import permissions
from vet.choices import Level
from vet.services import REFUSALS, require_permission, save_registry_object

from . import choices
from .classification import Band, classify
from .models import (
    ClassificationRule,
    Cohort,
    Diploma,
    DiplomaTemplate,
    Enrolment,
    IssuingProfile,
    Learner,
    RegisterEntry,
    SerialCounter,
    TemplateImage,
)

GENESIS_HASH = "0" * 64
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 16  # 80 bits of randomness: unguessable
LEVEL_KIND = {
    Level.ELEMENTARY_1: choices.DiplomaKind.ELEMENTARY_CERTIFICATE,
    Level.ELEMENTARY_2: choices.DiplomaKind.ELEMENTARY_CERTIFICATE,
    Level.ELEMENTARY_3: choices.DiplomaKind.ELEMENTARY_CERTIFICATE,
    Level.INTERMEDIATE: choices.DiplomaKind.INTERMEDIATE_DIPLOMA,
    Level.COLLEGE: choices.DiplomaKind.COLLEGE_DIPLOMA,
}
SCALE_MAX = {choices.GradingScale.CREDIT_4: Decimal(4), choices.GradingScale.YEAR_10: Decimal(10)}


# --- learners and results -------------------------------------------------------------------------------------


@transaction.atomic
def save_learner(
    *, user, citizen_id: str, full_name: str, date_of_birth: datetime.date, sex: str, place_of_birth: str,
    ethnicity: str = "Kinh",
) -> Learner:
    """The learner of this citizen ID: created once; a second school naming the same ID finds the same person,
    and a differing name or date of birth is refused rather than overwriting another school's record."""
    roles = permissions.get_roles(user)
    if not (roles.is_admin or roles.is_school_staff):
        raise PermissionDenied(_("Only school staff may register learners."))
    existing = Learner.objects.select_for_update().filter(citizen_id=citizen_id).first()
    if existing is not None:
        if existing.full_name != full_name or existing.date_of_birth != date_of_birth:
            raise ValidationError(
                {"citizen_id": ValidationError(_("A learner with citizen ID %(id)s is already registered under "
                                                 "another name or date of birth.") % {"id": citizen_id},
                                               code="citizen_id_conflict")},
            )
        return existing
    learner = Learner(citizen_id=citizen_id, full_name=full_name, date_of_birth=date_of_birth, sex=sex,
                      place_of_birth=place_of_birth, ethnicity=ethnicity)
    learner.full_clean()
    if user is not None and getattr(user, "is_authenticated", False):
        learner._history_user = user
    learner.save()
    return learner


@transaction.atomic
def enrol_learner(*, user, cohort, learner: Learner, student_number: str = "") -> Enrolment:
    """Enrol a learner in a cohort of an approved curriculum version (idempotent for the same pair)."""
    if cohort.curriculum_version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED):
        raise ValidationError(_("Learners are enrolled only in cohorts of an approved curriculum version."),
                              code="version_not_approved")
    existing = Enrolment.objects.filter(cohort=cohort, learner=learner).first()
    if existing is not None:
        return existing
    return save_registry_object(user=user, instance=Enrolment(cohort=cohort, learner=learner,
                                                              student_number=student_number))


def get_classification_bands(scale: str, on: datetime.date) -> list[Band]:
    """The classification bands of `scale` in force on `on` (Circular 04/2022 as loaded from data)."""
    rows = ClassificationRule.objects.filter(
        Q(effective_from__isnull=True) | Q(effective_from__lte=on),
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        scale=scale,
    )
    return [Band(r.classification, r.min_score, r.max_score, r.graduates, r.downgrades) for r in rows]


@transaction.atomic
def record_result(
    *, user, enrolment: Enrolment, final_score: Decimal, all_credits_completed: bool, disciplined: bool = False,
    retaken_modules: bool = False,
) -> Enrolment:
    """Record the final score and flags; a score outside the cohort's scale is refused."""
    scale = enrolment.cohort.grading_scale
    if not Decimal(0) <= Decimal(final_score) <= SCALE_MAX[scale]:
        raise ValidationError({"final_score": ValidationError(
            _("The score must be between 0 and %(max)s on this scale.") % {"max": SCALE_MAX[scale]},
            code="score_out_of_scale")})
    if enrolment.diplomas.exists():
        raise ValidationError(_("A diploma has been issued: the result can no longer change."), code="issued")
    enrolment.final_score = Decimal(final_score)
    enrolment.all_credits_completed = all_credits_completed
    enrolment.disciplined = disciplined
    enrolment.retaken_modules = retaken_modules
    return save_registry_object(user=user, instance=enrolment)


@transaction.atomic
def record_graduation(*, user, enrolment: Enrolment, decision_number: str, decision_date: datetime.date) -> Enrolment:
    """Recognise graduation by decision: the classification follows the bands in force on the decision date,
    one step lower for discipline or retakes where the band says so; refused (with the reason) when the
    learner does not meet the graduation conditions."""
    if enrolment.final_score is None:
        raise ValidationError({"final_score": ValidationError(_("Record the final score first."), code="no_score")})
    if enrolment.diplomas.exists():
        raise ValidationError(_("A diploma has been issued: the graduation can no longer change."), code="issued")
    bands = get_classification_bands(enrolment.cohort.grading_scale, decision_date)
    if not bands:
        raise ValidationError(_("No classification rule is in force on %(date)s.") % {"date": decision_date},
                              code="no_rule")
    result = classify(bands, score=enrolment.final_score, all_credits_completed=enrolment.all_credits_completed,
                      disciplined=enrolment.disciplined, retaken=enrolment.retaken_modules)
    if not result.graduates:
        messages = {
            "no_band": _("No classification band covers the score %(score)s."),
            "score_too_low": _("The score %(score)s is below the graduation score."),
            "credits_missing": _("Not every credit or module is completed."),
        }
        raise ValidationError(messages[result.reason] % {"score": enrolment.final_score}, code=result.reason)
    enrolment.classification = result.classification
    enrolment.graduated = True
    enrolment.graduation_decision_number = decision_number
    enrolment.graduation_date = decision_date
    return save_registry_object(user=user, instance=enrolment)


# --- issuing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


# Why a diploma cannot be issued, by code: reports keep the code and show the message in the reader's language.
REFUSAL_MESSAGES = {
    "version_not_approved": gettext_lazy("The curriculum version was never approved."),
    "no_title": gettext_lazy("The cohort does not say which title its college graduates hold."),
    "no_template": gettext_lazy("The institution has no diploma template in use."),
    "not_graduated": gettext_lazy("The learner has no graduation decision."),
}


def _refusal(code: str) -> Refusal:
    return Refusal(code, str(REFUSAL_MESSAGES[code]))


def refusal_message(code: str, default: str = "") -> str:
    """The message of a refusal code in the active language (a stored report may be read in another)."""
    return str(REFUSAL_MESSAGES[code]) if code in REFUSAL_MESSAGES else default


def issue_refusals(enrolment: Enrolment) -> list[Refusal]:
    """Why this enrolment cannot receive a diploma now (empty: it can). An existing diploma is not a refusal:
    issuing again returns it."""
    return cohort_refusals(enrolment.cohort) + enrolment_refusals(enrolment)


def cohort_refusals(cohort) -> list[Refusal]:
    """Why no learner of this cohort can receive a diploma now (the same for all of them)."""
    reasons = []
    version = cohort.curriculum_version
    if version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED):
        reasons.append(_refusal("version_not_approved"))
    kind = LEVEL_KIND[version.curriculum.level]
    if kind == choices.DiplomaKind.COLLEGE_DIPLOMA and not cohort.college_title:
        reasons.append(_refusal("no_title"))
    if get_template(version.curriculum.institution_id, kind) is None:
        reasons.append(_refusal("no_template"))
    return reasons


def enrolment_refusals(enrolment: Enrolment) -> list[Refusal]:
    """Why this learner in particular cannot receive one."""
    if not enrolment.graduated:
        return [_refusal("not_graduated")]
    return []


def get_template(institution_id: int, kind: str) -> DiplomaTemplate | None:
    """The active template of the institution for this kind, else its general one."""
    templates = DiplomaTemplate.objects.filter(institution_id=institution_id, is_active=True, kind__in=[kind, ""])
    return sorted(templates, key=lambda t: t.kind == "")[0] if templates else None


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_url(code: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/verify/{code}/"


def _freeze_image(field) -> str:
    if not field:
        return ""
    field.open("rb")
    try:
        content = field.read()
    finally:
        field.close()
    digest = hashlib.sha256(content).hexdigest()
    TemplateImage.objects.get_or_create(sha256=digest, defaults={"content": content})
    return digest


def _profile(institution) -> IssuingProfile:
    profile = IssuingProfile.objects.filter(institution=institution).first()
    return profile or IssuingProfile(institution=institution)


def frozen_template(template: DiplomaTemplate) -> dict:
    """The template as a snapshot prints it: version, colours, wording and its images by SHA-256 (the images
    themselves are kept once in TemplateImage)."""
    return {"id": template.pk, "version": template.version, "primary_color": template.primary_color,
            "accent_color": template.accent_color, "wording_vi": template.wording_vi,
            "wording_en": template.wording_en, "logo_sha256": _freeze_image(template.logo),
            "signature_sha256": _freeze_image(template.signature), "seal_sha256": _freeze_image(template.seal)}


def build_snapshot(*, enrolment: Enrolment, template: DiplomaTemplate, code: str, serial: str, register_number: str,
                   issued_on: datetime.date, replaces: Diploma | None, profile: IssuingProfile | None = None,
                   template_part: dict | None = None) -> dict:
    """The diploma's printed data in Vietnamese and English, frozen at issue (Circular 10/2017 fields).

    `profile` and `template_part` (frozen_template) may be given when many diplomas of one template are built."""
    version = enrolment.cohort.curriculum_version
    curriculum = version.curriculum
    institution, occupation, learner = curriculum.institution, curriculum.occupation, enrolment.learner
    kind = LEVEL_KIND[curriculum.level]
    kind_vi, kind_en = choices.KIND_PRINTED[kind]
    title_vi, title_en = choices.TITLE_PRINTED.get(enrolment.cohort.college_title, ("", ""))
    class_vi, class_en = choices.CLASSIFICATION_PRINTED[enrolment.classification]
    level_printed = {Level.INTERMEDIATE: ("Trung cấp", "Intermediate"), Level.COLLEGE: ("Cao đẳng", "College")}
    level_vi, level_en = level_printed.get(curriculum.level, ("Sơ cấp", "Elementary"))
    sex_vi, sex_en = {"male": ("Nam", "Male"), "female": ("Nữ", "Female")}[learner.sex]
    profile = profile or _profile(institution)
    return {
        "kind": kind, "kind_vi": kind_vi, "kind_en": kind_en, "title_vi": title_vi, "title_en": title_en,
        "institution": {"code": institution.code, "name_vi": institution.name_vi,
                        "name_en": institution.name_en or institution.name_vi},
        "occupation": {"code": occupation.code, "name_vi": occupation.name_vi,
                       "name_en": occupation.name_en or occupation.name_vi},
        "level": curriculum.level, "level_vi": level_vi, "level_en": level_en, "skill_level": None,
        "holder": {"full_name": learner.full_name, "date_of_birth": learner.date_of_birth.isoformat(),
                   "sex_vi": sex_vi, "sex_en": sex_en, "place_of_birth": learner.place_of_birth,
                   "ethnicity": learner.ethnicity},
        "classification": enrolment.classification, "classification_vi": class_vi, "classification_en": class_en,
        "high_quality": version.high_quality,
        "graduation": {"decision_number": enrolment.graduation_decision_number,
                       "date": enrolment.graduation_date.isoformat()},
        "curriculum_version": {"id": version.pk, "decision_number": version.decision_number},
        "place_vi": profile.place_vi or institution.province.name_vi,
        "place_en": profile.place_en or institution.province.name_en or institution.province.name_vi,
        "issued_on": issued_on.isoformat(), "serial": serial, "register_number": register_number,
        "verification_code": code, "verification_url": verification_url(code),
        "signer": {"title_vi": template.signer_title_vi, "title_en": template.signer_title_en,
                   "name": template.signer_name},
        "template": template_part or frozen_template(template),
        "is_reissue": replaces is not None, "reissue_of_serial": replaces.serial if replaces else "",
    }


def _register_columns(diploma: Diploma) -> dict:
    s = diploma.snapshot
    return {
        "full_name": s["holder"]["full_name"], "date_of_birth": s["holder"]["date_of_birth"],
        "sex": s["holder"]["sex_vi"], "place_of_birth": s["holder"]["place_of_birth"],
        "ethnicity": s["holder"]["ethnicity"], "occupation": s["occupation"]["name_vi"],
        "occupation_code": s["occupation"]["code"], "level": s["level_vi"],
        "classification": s["classification_vi"], "serial": diploma.serial,
        "register_number": diploma.register_number, "graduation_decision": s["graduation"]["decision_number"],
        "graduation_date": s["graduation"]["date"], "issued_on": diploma.issued_on.isoformat(),
        "pdf_sha256": diploma.pdf_sha256,
    }


def entry_hash(*, institution_code: str, position: int, diploma_code: str, action: str, reason: str,
               actor_name: str, recorded_at: datetime.datetime, data: dict, previous_hash: str) -> str:
    """SHA-256 over an entry's content in canonical JSON, the previous entry's hash included."""
    payload = json.dumps(
        {"institution": institution_code, "position": position, "diploma": diploma_code, "action": action,
         "reason": reason, "actor": actor_name, "recorded_at": recorded_at.isoformat(), "data": data,
         "previous": previous_hash},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _append_entry(*, user, diploma: Diploma, action: str, reason: str = "") -> RegisterEntry:
    """Append one register entry (the caller holds the institution's lock)."""
    last = RegisterEntry.objects.filter(institution_id=diploma.institution_id).order_by("-position").first()
    position = last.position + 1 if last else 1
    previous = last.entry_hash if last else GENESIS_HASH
    recorded_at = timezone.now()  # both databases keep microseconds, so the hash recomputes from what is stored
    actor = user if getattr(user, "is_authenticated", False) else None
    actor_name = actor.get_username() if actor else "system"
    data = _register_columns(diploma)
    entry = RegisterEntry(
        institution_id=diploma.institution_id, position=position, diploma=diploma, action=action, reason=reason,
        actor=actor, actor_name=actor_name, recorded_at=recorded_at, data=data, previous_hash=previous,
        entry_hash=entry_hash(institution_code=diploma.institution.code, position=position,
                              diploma_code=diploma.code, action=action, reason=reason, actor_name=actor_name,
                              recorded_at=recorded_at, data=data, previous_hash=previous),
    )
    entry.save()
    return entry


def _lock_institution(institution_id: int, year: int) -> SerialCounter:
    """Lock the institution's counter for the year (created on first use); it serialises numbering and the
    register chain of the institution."""
    SerialCounter.objects.get_or_create(institution_id=institution_id, year=year)
    return SerialCounter.objects.select_for_update().get(institution_id=institution_id, year=year)


def _take_numbers(counter: SerialCounter, institution) -> tuple[int, str, str]:
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, *_numbers(_profile(institution), institution, counter)


def _numbers(profile: IssuingProfile, institution, counter: SerialCounter) -> tuple[str, str]:
    """The serial and register number of the counter's current value, in the institution's formats."""
    values = {"institution": institution.code, "prefix": profile.prefix, "year": counter.year,
              "seq": counter.last_value}
    return profile.serial_format.format(**values), profile.register_format.format(**values)


def _render_and_store(diploma: Diploma) -> None:
    from .rendering import render_diploma_pdf

    pdf = render_diploma_pdf(diploma.snapshot, images=snapshot_images(diploma.snapshot),
                             revoked=diploma.status == choices.DiplomaStatus.REVOKED)
    diploma.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    diploma.pdf.save(f"{diploma.code}.pdf", ContentFile(pdf), save=False)


def snapshot_images(snapshot: dict) -> dict[str, bytes]:
    """The frozen images a snapshot names, by SHA-256."""
    return snapshot_images_many([snapshot])


@transaction.atomic
def issue_diploma(*, user, enrolment: Enrolment, issued_on: datetime.date | None = None) -> Diploma:
    """Issue the diploma of a graduate of an approved curriculum version (Law 74/2014, Circular 10/2017).

    Idempotent: the same enrolment never gets two; issuing again returns the first. Refused with the reasons
    otherwise. The PDF/A is rendered and its SHA-256 kept before the register entry is written."""
    enrolment = Enrolment.objects.select_related(
        "learner", "cohort__curriculum_version__curriculum__institution__province",
        "cohort__curriculum_version__curriculum__occupation",
    ).get(pk=enrolment.pk)
    institution = enrolment.cohort.curriculum_version.curriculum.institution
    probe = Diploma(enrolment=enrolment, institution=institution)
    require_permission(user, permissions.ADD, probe)
    existing = Diploma.objects.filter(enrolment=enrolment, replaces__isnull=True).first()
    if existing is not None:
        return existing
    refusals = issue_refusals(enrolment)
    if refusals:
        raise ValidationError([ValidationError(r.message, code=r.code) for r in refusals])
    issued_on = issued_on or timezone.localdate()
    counter = _lock_institution(institution.pk, issued_on.year)
    existing = Diploma.objects.filter(enrolment=enrolment, replaces__isnull=True).first()  # lost a race
    if existing is not None:
        return existing
    return _create(user=user, enrolment=enrolment, counter=counter, issued_on=issued_on, replaces=None,
                   action=choices.RegisterAction.ISSUE, reason="")


def _create(*, user, enrolment, counter, issued_on, replaces, action, reason) -> Diploma:
    institution = enrolment.cohort.curriculum_version.curriculum.institution
    kind = LEVEL_KIND[enrolment.cohort.curriculum_version.curriculum.level]
    template = get_template(institution.pk, kind)
    sequence, serial, register_number = _take_numbers(counter, institution)
    code = new_verification_code()
    diploma = Diploma(
        code=code, enrolment=enrolment, institution=institution, kind=kind, year=counter.year, sequence=sequence,
        serial=serial, register_number=register_number, issued_on=issued_on, replaces=replaces, template=template,
        issued_by=user if getattr(user, "is_authenticated", False) else None,
        snapshot=build_snapshot(enrolment=enrolment, template=template, code=code, serial=serial,
                                register_number=register_number, issued_on=issued_on, replaces=replaces),
    )
    _render_and_store(diploma)
    diploma.save()
    _append_entry(user=user, diploma=diploma, action=action, reason=reason)
    return diploma


@transaction.atomic
def revoke_diploma(*, user, diploma: Diploma, reason: str) -> Diploma:
    """Revoke a valid diploma (Circular 10/2017): a register entry with the reason; the PDF is re-rendered with a
    REVOKED mark, the printed data unchanged."""
    require_permission(user, permissions.CHANGE, diploma)
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Give the reason for the revocation."),
                                                         code="reason_required")})
    _lock_institution(diploma.institution_id, diploma.year)
    diploma = Diploma.objects.select_for_update().get(pk=diploma.pk)
    if diploma.status != choices.DiplomaStatus.VALID:
        raise ValidationError(_("Only a valid diploma can be revoked; this one is %(status)s.")
                              % {"status": diploma.get_status_display()}, code="not_valid")
    diploma.status = choices.DiplomaStatus.REVOKED
    _render_and_store(diploma)
    diploma.save(update_fields=["status", "pdf", "pdf_sha256"])
    _append_entry(user=user, diploma=diploma, action=choices.RegisterAction.REVOKE, reason=reason.strip())
    return diploma


@transaction.atomic
def reissue_diploma(*, user, diploma: Diploma, reason: str, issued_on: datetime.date | None = None) -> Diploma:
    """Re-issue a valid diploma (lost, damaged, corrected): a new serial and register entry marked as a re-issue;
    the old one becomes 're-issued' and points to the new one."""
    require_permission(user, permissions.CHANGE, diploma)
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Give the reason for the re-issue."),
                                                         code="reason_required")})
    issued_on = issued_on or timezone.localdate()
    counter = _lock_institution(diploma.institution_id, issued_on.year)
    diploma = Diploma.objects.select_for_update().get(pk=diploma.pk)
    if diploma.status != choices.DiplomaStatus.VALID:
        raise ValidationError(_("Only a valid diploma can be re-issued; this one is %(status)s.")
                              % {"status": diploma.get_status_display()}, code="not_valid")
    diploma.status = choices.DiplomaStatus.REISSUED
    diploma.save(update_fields=["status"])
    enrolment = Enrolment.objects.select_related(
        "learner", "cohort__curriculum_version__curriculum__institution__province",
        "cohort__curriculum_version__curriculum__occupation",
    ).get(pk=diploma.enrolment_id)
    return _create(user=user, enrolment=enrolment, counter=counter, issued_on=issued_on, replaces=diploma,
                   action=choices.RegisterAction.REISSUE, reason=reason.strip())


@dataclass
class Issued:
    """What issuing one enrolment of a batch gave: the diploma (new or existing), or the refusals."""

    enrolment_id: int
    diploma: Diploma | None = None
    already: bool = False
    refusals: list[Refusal] | None = None


ENROLMENT_RELATED = ("learner", "cohort__curriculum_version__curriculum__institution__province",
                     "cohort__curriculum_version__curriculum__occupation")


def issue_many(*, user, enrolment_ids: list[int], issued_on: datetime.date, render=None) -> list[Issued]:
    """Issue the diplomas of several graduates of one institution, as issue_diploma does for one, in three steps so
    that rendering (the slow part) runs outside the institution's lock and several workers issue in parallel:

    1. under the lock: take the numbers, freeze the snapshots, save the diplomas as PENDING (no PDF, no register
       entry; the verification page does not show them yet);
    2. without the lock: render the PDF/A files and store them;
    3. under the lock again: keep each file's SHA-256, mark the diplomas VALID and append their register entries.

    A worker that dies between 1 and 3 leaves PENDING diplomas that keep their numbers (no gap, no repeat);
    issuing the same enrolments again completes them. `render(diplomas) -> list[bytes]` may replace the renderer."""
    enrolments = list(Enrolment.objects.select_related(*ENROLMENT_RELATED).filter(pk__in=enrolment_ids)
                      .order_by("learner__full_name", "pk"))
    if not enrolments:
        return []
    institutions = {e.cohort.curriculum_version.curriculum.institution_id for e in enrolments}
    if len(institutions) != 1:
        raise ValueError("issue_many issues for one institution at a time")
    institution = enrolments[0].cohort.curriculum_version.curriculum.institution
    require_permission(user, permissions.ADD, Diploma(enrolment=enrolments[0], institution=institution))
    results = {e.pk: Issued(e.pk) for e in enrolments}
    by_cohort: dict[int, list[Refusal]] = {}
    to_issue = []
    for e in enrolments:
        if e.cohort_id not in by_cohort:
            by_cohort[e.cohort_id] = cohort_refusals(e.cohort)
        refusals = by_cohort[e.cohort_id] + enrolment_refusals(e)
        if refusals:
            results[e.pk].refusals = refusals
        else:
            to_issue.append(e)
    pending = _reserve(user=user, institution=institution, enrolments=to_issue, issued_on=issued_on, results=results)
    if pending:
        render = render or _render_pdfs
        for diploma, pdf in zip(pending, render(pending), strict=True):
            diploma.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            diploma.pdf.save(f"{diploma.code}.pdf", ContentFile(pdf), save=False)
        _complete(user=user, institution=institution, diplomas=pending)
    return [results[e.pk] for e in enrolments]


@transaction.atomic
def _reserve(*, user, institution, enrolments: list[Enrolment], issued_on, results) -> list[Diploma]:
    """Step 1 of issue_many: numbers and snapshots under the lock; returns the diplomas still to render (new ones
    and PENDING ones a dead worker left)."""
    counter = _lock_institution(institution.pk, issued_on.year)
    existing = {d.enrolment_id: d for d in Diploma.objects.select_related("institution").filter(
        enrolment__in=enrolments, replaces__isnull=True)}
    profile = _profile(institution)
    templates: dict[str, tuple[DiplomaTemplate, dict]] = {}
    pending, creating = [], []
    for e in enrolments:
        if (diploma := existing.get(e.pk)) is not None:
            results[e.pk].diploma = diploma
            if diploma.status == choices.DiplomaStatus.PENDING:
                pending.append(diploma)
            else:
                results[e.pk].already = True
            continue
        kind = LEVEL_KIND[e.cohort.curriculum_version.curriculum.level]
        if kind not in templates:
            template = get_template(institution.pk, kind)
            templates[kind] = (template, frozen_template(template))
        template, template_part = templates[kind]
        counter.last_value += 1
        serial, register_number = _numbers(profile, institution, counter)
        code = new_verification_code()
        diploma = Diploma(
            code=code, enrolment=e, institution=institution, kind=kind, year=counter.year,
            sequence=counter.last_value, serial=serial, register_number=register_number, issued_on=issued_on,
            template=template, status=choices.DiplomaStatus.PENDING,
            issued_by=user if getattr(user, "is_authenticated", False) else None,
            snapshot=build_snapshot(enrolment=e, template=template, code=code, serial=serial,
                                    register_number=register_number, issued_on=issued_on, replaces=None,
                                    profile=profile, template_part=template_part),
        )
        creating.append(diploma)
        results[e.pk].diploma = diploma
    if creating:
        counter.save(update_fields=["last_value"])
        Diploma.objects.bulk_create(creating)
        # bulk_create leaves the primary keys unset on some databases: read them back by their unique code.
        ids = dict(Diploma.objects.filter(code__in=[d.code for d in creating]).values_list("code", "pk"))
        for d in creating:
            d.pk = d.id = ids[d.code]
    return pending + creating


def _render_pdfs(diplomas: list[Diploma]) -> list[bytes]:
    """One PDF/A per diploma, laid out together (rendering.render_diploma_pdfs: the same bytes as one by one)."""
    from .rendering import render_diploma_pdfs

    images = snapshot_images_many([d.snapshot for d in diplomas])
    return render_diploma_pdfs([(d.snapshot, images) for d in diplomas])


def snapshot_images_many(snapshots: list[dict]) -> dict[str, bytes]:
    """The frozen images of several snapshots in one query."""
    digests = {d for s in snapshots for key, d in s["template"].items() if key.endswith("_sha256") and d}
    return {row.sha256: bytes(row.content) for row in TemplateImage.objects.filter(sha256__in=digests)}


@transaction.atomic
def _complete(*, user, institution, diplomas: list[Diploma]) -> None:
    """Step 3 of issue_many: the PDFs' hashes, VALID, and the register entries, under the lock."""
    for y in sorted({d.year for d in diplomas}):
        _lock_institution(institution.pk, y)
    # Another worker given the same enrolments may have completed some meanwhile: each is completed once.
    still_pending = set(Diploma.objects.filter(pk__in=[d.pk for d in diplomas], status=choices.DiplomaStatus.PENDING)
                        .values_list("pk", flat=True))
    diplomas = [d for d in diplomas if d.pk in still_pending]
    for d in diplomas:
        d.status = choices.DiplomaStatus.VALID
        d.institution = institution
    Diploma.objects.bulk_update(diplomas, ["status", "pdf", "pdf_sha256"])
    for d in diplomas:
        _append_entry(user=user, diploma=d, action=choices.RegisterAction.ISSUE)


@dataclass(frozen=True)
class ChainProblem:
    institution_code: str
    position: int
    message: str


def verify_register(institution_ids: list[int] | None = None) -> list[ChainProblem]:
    """Recompute every register entry's hash and its link to the previous one; a changed, removed or inserted
    entry shows as a problem at its position."""
    entries = RegisterEntry.objects.select_related("institution", "diploma").order_by("institution_id", "position")
    if institution_ids is not None:
        entries = entries.filter(institution_id__in=institution_ids)
    problems, previous, expected_position, current = [], GENESIS_HASH, 1, None
    for e in entries.iterator():
        if e.institution_id != current:
            current, previous, expected_position = e.institution_id, GENESIS_HASH, 1
        code = e.institution.code
        if e.position != expected_position:
            problems.append(ChainProblem(code, e.position, _("Entry %(n)s is missing.") % {"n": expected_position}))
        if e.previous_hash != previous:
            problems.append(ChainProblem(code, e.position, _("The link to the previous entry is broken.")))
        recomputed = entry_hash(institution_code=code, position=e.position, diploma_code=e.diploma.code,
                                action=e.action, reason=e.reason, actor_name=e.actor_name,
                                recorded_at=e.recorded_at, data=e.data, previous_hash=e.previous_hash)
        if recomputed != e.entry_hash:
            problems.append(ChainProblem(code, e.position, _("The entry's content does not match its hash.")))
        previous, expected_position = e.entry_hash, e.position + 1
    return problems


# --- learners and cohorts through the API -----------------------------------------------------------------------


@transaction.atomic
def register_learner(
    *, user, cohort: Cohort, citizen_id: str, full_name: str, date_of_birth: datetime.date, sex: str,
    place_of_birth: str, ethnicity: str = "Kinh", student_number: str = "",
) -> Enrolment:
    """Register a learner (save_learner: one record per citizen ID) and enrol them in a cohort of the user's school
    in one step, so that the school sees the learner it registered."""
    require_permission(user, permissions.ADD, Enrolment(cohort=cohort))
    learner = save_learner(user=user, citizen_id=citizen_id, full_name=full_name, date_of_birth=date_of_birth,
                           sex=sex, place_of_birth=place_of_birth, ethnicity=ethnicity)
    return enrol_learner(user=user, cohort=cohort, learner=learner, student_number=student_number)


LEARNER_FIELDS = ("citizen_id", "full_name", "date_of_birth", "sex", "place_of_birth", "ethnicity")


@transaction.atomic
def update_learner(*, user, learner: Learner, **changes) -> Learner:
    """Correct a learner's record: staff of the school the learner is enrolled at, and only while no other school
    has enrolled them (a shared record is corrected by an administrator). Issued diplomas keep their frozen data."""
    unknown = set(changes) - set(LEARNER_FIELDS)
    if unknown:
        raise ValueError(f"not learner fields: {sorted(unknown)}")
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    roles = permissions.get_roles(user)
    if not roles.is_admin:
        schools = set(Enrolment.objects.filter(learner=learner).values_list(
            "cohort__curriculum_version__curriculum__institution_id", flat=True))
        if not schools & roles.institution_ids:
            raise PermissionDenied(_("You may change only the learners enrolled at your school."))
        if not schools <= roles.institution_ids:
            raise PermissionDenied(_("This learner is also enrolled at another school; ask an administrator to "
                                     "correct the record."))
    changed = {name: value for name, value in changes.items() if getattr(learner, name) != value}
    if not changed:
        return learner
    for name, value in changed.items():
        setattr(learner, name, value)
    learner.full_clean()
    if getattr(user, "is_authenticated", False):
        learner._history_user = user
    learner.save()
    return learner


@transaction.atomic
def save_cohort(*, user, cohort: Cohort) -> Cohort:
    """Create or change a cohort of the user's school: it follows a curriculum version that was approved (Circular
    01/2024), only a college program confers a title (Law 74/2014), and once a diploma is issued its version,
    grading scale and title no longer change (the diplomas print them)."""
    action = permissions.ADD if cohort.pk is None else permissions.CHANGE
    if not permissions.has_permission(user, action, Cohort):
        raise PermissionDenied(REFUSALS[action] % {"model": Cohort._meta.verbose_name})
    version = cohort.curriculum_version
    roles = permissions.get_roles(user)
    if not roles.is_admin and version.curriculum.institution_id not in roles.institution_ids:
        raise ValidationError({"curriculum_version": ValidationError(
            _("Choose a curriculum version of your own school."), code="other_institution")})
    if version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED):
        raise ValidationError({"curriculum_version": ValidationError(
            _("Choose an approved curriculum version."), code="version_not_approved")})
    if cohort.college_title and version.curriculum.level != Level.COLLEGE:
        raise ValidationError({"college_title": ValidationError(
            _("Only a college program confers a title."), code="title_not_college")})
    if cohort.pk is not None:
        old = Cohort.objects.get(pk=cohort.pk)
        printed = ("curriculum_version_id", "grading_scale", "college_title")
        if any(getattr(old, f) != getattr(cohort, f) for f in printed) and Diploma.objects.filter(
                enrolment__cohort=cohort).exists():
            raise ValidationError(_("Diplomas have been issued to this cohort: its curriculum version, grading "
                                    "scale and title can no longer change."), code="issued")
        if old.grading_scale != cohort.grading_scale and Enrolment.objects.filter(
                cohort=cohort, final_score__isnull=False).exists():
            raise ValidationError({"grading_scale": ValidationError(
                _("Results are recorded on the current scale; the grading scale can no longer change."),
                code="results_recorded")})
    return save_registry_object(user=user, instance=cohort)
