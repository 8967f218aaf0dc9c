"""The school's self-assessment (Circular 28/2017): create it with one rating per standard, rate the standards,
compose the council, check it, submit it. Every write asks `vet.permissions`; a submitted assessment is locked.

The council rule (chair, enterprise representatives) and the revocation window are law data:
`SelfAssessmentRule`, the rule in force on the assessment's date applies.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import choices, permissions
from .models import (
    AccreditationFramework,
    Campaign,
    CouncilMember,
    Evidence,
    Institution,
    KeyOccupationDesignation,
    SelfAssessment,
    SelfAssessmentRating,
    SelfAssessmentRule,
    Standard,
)
from .services import require_permission

Status = choices.AssessmentStatus

# The framework target that fits an institution-level assessment, by institution type.
INSTITUTION_TARGETS = {
    choices.InstitutionType.COLLEGE: choices.AccreditationTarget.SCHOOL,
    choices.InstitutionType.INTERMEDIATE: choices.AccreditationTarget.SCHOOL,
    choices.InstitutionType.VET_CENTRE: choices.AccreditationTarget.VET_CENTRE,
}


def _set_history_user(user, instance: Model) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


def _save(user, instance: Model) -> Model:
    """Validate (fields and constraints) and save, recording the acting user in the history."""
    instance.full_clean()
    _set_history_user(user, instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent write beat the validation
        raise ValidationError(_("This change conflicts with another record; reload and try again.")) from exc
    return instance


def require_open(sa: SelfAssessment) -> None:
    """Refuse any write to a submitted (locked) self-assessment, saying when it was submitted."""
    if sa.is_locked:
        when = date_format(timezone.localtime(sa.submitted_at), "SHORT_DATE_FORMAT") if sa.submitted_at else "—"
        raise ValidationError(
            _("This self-assessment was submitted on %(date)s: it is locked.") % {"date": when}, code="locked"
        )


# ----------------------------------------------------------------------------------------------- create


def check_framework_fits(institution: Institution, framework: AccreditationFramework,
                         designation: KeyOccupationDesignation | None) -> None:
    """The framework must assess this kind of subject.

    An institution-level assessment needs a `school` framework for a college or intermediate school and a
    `vet_centre` framework for a VET centre. A program (key-occupation designation) assessment accepts a
    `program` framework, or the framework that fits its institution: no program framework is recorded yet, so
    programs are assessed against their institution's criteria until one is.
    """
    fitting = INSTITUTION_TARGETS.get(institution.type)
    allowed = {fitting} if fitting else set()
    if designation is not None:
        allowed.add(choices.AccreditationTarget.PROGRAM)
    if framework.target not in allowed:
        if designation is not None:
            message = _("%(framework)s assesses %(target)s; a program of %(institution)s needs a training-program "
                        "framework or one for its institution.")
        elif fitting is None:
            message = _("%(framework)s assesses %(target)s; %(institution)s is not a college, intermediate school "
                        "or VET centre, so no framework fits it.")
        else:
            message = _("%(framework)s assesses %(target)s; %(institution)s needs a framework for %(needed)s.")
        raise ValidationError({"framework": message % {
            "framework": framework.code, "target": framework.get_target_display(), "institution": institution,
            "needed": choices.AccreditationTarget(fitting).label if fitting else "",
        }}, code="framework_target")


@transaction.atomic
def create_self_assessment(user, *, institution: Institution, framework: AccreditationFramework, year: int,
                           designation: KeyOccupationDesignation | None = None, campaign: Campaign | None = None,
                           summary: str = "") -> SelfAssessment:
    """A planned self-assessment with one unrated rating per standard of the framework, all or nothing."""
    sa = SelfAssessment(institution=institution, framework=framework, year=year, designation=designation,
                        campaign=campaign, summary=summary)
    require_permission(user, permissions.ADD, sa)
    if designation is not None and designation.institution_id != institution.pk:
        raise ValidationError(
            {"designation": _("This key-occupation program belongs to another institution.")}, code="designation"
        )
    check_framework_fits(institution, framework, designation)
    if campaign is not None and (campaign.framework_id != framework.pk or campaign.year != year):
        raise ValidationError(
            {"campaign": _("The campaign %(campaign)s is for %(framework)s in %(year)s.")
             % {"campaign": campaign.title, "framework": campaign.framework.code, "year": campaign.year}},
            code="campaign",
        )
    duplicates = SelfAssessment.objects.filter(framework=framework, year=year)
    duplicates = (duplicates.filter(designation=designation) if designation is not None
                  else duplicates.filter(institution=institution, designation__isnull=True))
    if duplicates.exists():
        raise ValidationError(
            _("%(subject)s already has a self-assessment against %(framework)s for %(year)s.")
            % {"subject": sa.subject, "framework": framework.code, "year": year},
            code="duplicate",
        )
    _save(user, sa)
    standards = Standard.objects.filter(criterion__framework=framework).order_by("criterion__number", "code")
    for standard in standards:
        rating = SelfAssessmentRating(self_assessment=sa, standard=standard)
        _set_history_user(user, rating)
        rating.save()
    return sa


@transaction.atomic
def update_self_assessment(user, sa: SelfAssessment, *, summary: str | None = None,
                           campaign: Campaign | None | type[Ellipsis] = ...) -> SelfAssessment:
    """Change the summary (and campaign) of an open self-assessment; subject, framework and year are fixed."""
    require_permission(user, permissions.CHANGE, sa)
    require_open(sa)
    if summary is not None:
        sa.summary = summary
    if campaign is not ...:
        if campaign is not None and (campaign.framework_id != sa.framework_id or campaign.year != sa.year):
            raise ValidationError({"campaign": _("The campaign is for another framework or year.")},
                                  code="campaign")
        sa.campaign = campaign
    return _save(user, sa)


@transaction.atomic
def delete_self_assessment(user, sa: SelfAssessment) -> None:
    """Only a planned self-assessment may be deleted (with its ratings and council)."""
    require_permission(user, permissions.DELETE, sa)
    if sa.status != Status.PLANNED:
        raise ValidationError(
            _("Only a planned self-assessment can be deleted; this one is %(status)s.")
            % {"status": sa.get_status_display().lower()}, code="not_planned",
        )
    _set_history_user(user, sa)
    sa.delete()


# --------------------------------------------------------------------------------------------- workflow


@transaction.atomic
def start(user, sa: SelfAssessment) -> SelfAssessment:
    """Planned → in progress."""
    require_permission(user, permissions.CHANGE, sa)
    require_open(sa)
    if sa.status != Status.PLANNED:
        raise ValidationError(_("Only a planned self-assessment can be started."), code="not_planned")
    sa.status = Status.IN_PROGRESS
    return _save(user, sa)


@transaction.atomic
def submit(user, sa: SelfAssessment, *, on: datetime.date | None = None) -> SelfAssessment:
    """In progress → submitted, refused while a blocking quality check fails; locked from then on."""
    require_permission(user, permissions.CHANGE, sa)
    require_open(sa)
    if sa.status != Status.IN_PROGRESS:
        raise ValidationError(_("Start the self-assessment before submitting it."), code="not_started")
    blocking = [c for c in quality_checks(sa, on=on) if c.blocking]
    if blocking:
        raise ValidationError(
            [_("The self-assessment cannot be submitted yet:")] + [c.message for c in blocking], code="checks_failed"
        )
    sa.status = Status.SUBMITTED
    sa.submitted_at = timezone.now()
    sa.submitted_by = user if getattr(user, "is_authenticated", False) else None
    return _save(user, sa)


# ---------------------------------------------------------------------------------------------- ratings


def _criterion_max(rating: SelfAssessmentRating) -> Decimal | None:
    return rating.standard.criterion.benchmark_points


@transaction.atomic
def save_rating(user, rating: SelfAssessmentRating, *, met: bool | None, years_met: int | None,
                points: Decimal | None, narrative: str, evidence: Iterable[Evidence]) -> SelfAssessmentRating:
    """Rate one standard: met or not (None: not rated), years met, points (frameworks without points per
    standard only), narrative and the institution's evidence."""
    sa = rating.self_assessment
    require_permission(user, permissions.CHANGE, rating)
    require_open(sa)
    evidence = list(evidence)
    errors: dict[str, list[str]] = {}
    foreign = [e.code for e in evidence if e.institution_id != sa.institution_id]
    if foreign:
        errors["evidence"] = [_("Evidence %(codes)s belongs to another institution.")
                              % {"codes": ", ".join(sorted(foreign))}]
    if years_met is not None and years_met < 0:
        errors["years_met"] = [_("Years met cannot be negative.")]
    if points is not None:
        if sa.framework.points_per_standard is not None:
            errors["points"] = [_("%(framework)s gives %(points)s points per standard met; do not enter points.")
                                % {"framework": sa.framework.code, "points": sa.framework.points_per_standard}]
        elif points < 0:
            errors["points"] = [_("Points cannot be negative.")]
        else:
            most = _criterion_max(rating)
            if most is not None and points > most:
                errors["points"] = [_("At most %(max)s points: the benchmark of criterion %(criterion)s.")
                                    % {"max": most, "criterion": rating.standard.criterion.number}]
    if errors:
        raise ValidationError(errors, code="invalid_rating")
    rating.met = met
    rating.years_met = years_met
    rating.points = points
    rating.narrative = narrative or ""
    _save(user, rating)
    rating.evidence.set(evidence)
    return rating


@dataclass(frozen=True)
class RatingInput:
    """One row of a page of ratings."""

    rating: SelfAssessmentRating
    met: bool | None
    years_met: int | None
    points: Decimal | None
    narrative: str
    evidence: tuple[Evidence, ...]


@transaction.atomic
def save_ratings(user, sa: SelfAssessment, rows: Iterable[RatingInput]) -> int:
    """Save several ratings of one assessment at once: all or nothing, each error naming its standard."""
    require_permission(user, permissions.CHANGE, sa)
    require_open(sa)
    errors: list[str] = []
    count = 0
    for row in rows:
        if row.rating.self_assessment_id != sa.pk:
            raise PermissionDenied(_("This rating belongs to another self-assessment."))
        try:
            save_rating(user, row.rating, met=row.met, years_met=row.years_met, points=row.points,
                        narrative=row.narrative, evidence=row.evidence)
            count += 1
        except ValidationError as exc:
            errors += [_("Standard %(code)s: %(message)s") % {"code": row.rating.standard.code, "message": m}
                       for m in exc.messages]
    if errors:
        raise ValidationError(errors, code="invalid_ratings")
    return count


# ---------------------------------------------------------------------------------------------- council


@transaction.atomic
def save_council_member(user, member: CouncilMember) -> CouncilMember:
    """Add or change a council member of an open self-assessment (one chair at most)."""
    sa = member.self_assessment
    adding = member._state.adding or member.pk is None
    require_permission(user, permissions.ADD if adding else permissions.CHANGE, member)
    require_open(sa)
    if not adding:
        old = CouncilMember.objects.select_related("self_assessment").get(pk=member.pk)
        require_permission(user, permissions.CHANGE, old)
        require_open(old.self_assessment)
    return _save(user, member)


def add_council_member(user, sa: SelfAssessment, *, full_name: str, council_role: str, member_type: str,
                       position: str = "", organisation: str = "") -> CouncilMember:
    member = CouncilMember(self_assessment=sa, full_name=full_name, council_role=council_role,
                           member_type=member_type, position=position, organisation=organisation)
    return save_council_member(user, member)


@transaction.atomic
def remove_council_member(user, member: CouncilMember) -> None:
    require_permission(user, permissions.DELETE, member)
    require_open(member.self_assessment)
    _set_history_user(user, member)
    member.delete()


# ------------------------------------------------------------------------------------------------ checks

NOT_RATED = "not_rated"
NO_EVIDENCE = "no_evidence"
EVIDENCE_EXPIRED = "evidence_expired"
NO_RULE = "no_rule"
NO_CHAIR = "no_chair"
CHAIR_NOT_HEAD = "chair_not_head"
TOO_FEW_ENTERPRISE = "too_few_enterprise"


@dataclass(frozen=True)
class QualityCheck:
    code: str
    message: str
    standard: str | None = None
    blocking: bool = True


def assessment_date(sa: SelfAssessment, on: datetime.date | None = None) -> datetime.date:
    """The date whose rules apply: when it was submitted, else `on` (today by default)."""
    if sa.submitted_at:
        return timezone.localtime(sa.submitted_at).date()
    return on or timezone.localdate()


def _rule_source(rule: SelfAssessmentRule) -> str:
    return _("rule of %(document)s in force from %(date)s") % {
        "document": rule.document.number, "date": date_format(rule.valid_from, "SHORT_DATE_FORMAT")}


def council_checks(sa: SelfAssessment, members: list[CouncilMember], day: datetime.date) -> list[QualityCheck]:
    rule = SelfAssessmentRule.in_force_on(day)
    if rule is None:
        return [QualityCheck(NO_RULE, _("No self-assessment rule is in force on %(date)s: the council's "
                                         "composition was not checked.")
                             % {"date": date_format(day, "SHORT_DATE_FORMAT")}, blocking=False)]
    source = _rule_source(rule)
    checks = []
    chairs = [m for m in members if m.council_role == choices.CouncilRole.CHAIR]
    if not chairs:
        checks.append(QualityCheck(NO_CHAIR, _("The council has no chair (%(source)s).") % {"source": source}))
    elif rule.chair_must_be_head and chairs[0].member_type != choices.CouncilMemberType.HEAD:
        checks.append(QualityCheck(CHAIR_NOT_HEAD, _("The chair %(name)s is not the head of the institution; the "
                                                     "head must chair the council (%(source)s).")
                                   % {"name": chairs[0].full_name, "source": source}))
    enterprise = sum(1 for m in members if m.member_type == choices.CouncilMemberType.ENTERPRISE)
    if enterprise < rule.min_enterprise_representatives:
        checks.append(QualityCheck(TOO_FEW_ENTERPRISE, _("The council has %(count)s enterprise representatives; "
                                                         "at least %(min)s are required (%(source)s).")
                                   % {"count": enterprise, "min": rule.min_enterprise_representatives,
                                      "source": source}))
    return checks


def quality_checks(sa: SelfAssessment, on: datetime.date | None = None) -> list[QualityCheck]:
    """What stands in the way of submitting: unrated standards, met without evidence, expired evidence, and the
    council against the rule in force. Every check blocks except the notice that no rule is in force."""
    day = assessment_date(sa, on)
    ratings = (sa.ratings.select_related("standard__criterion")
               .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("code")))
               .order_by("standard__criterion__number", "standard__code"))
    checks: list[QualityCheck] = []
    for r in ratings:
        code = r.standard.code
        if r.met is None:
            checks.append(QualityCheck(NOT_RATED, _("Standard %(code)s is not rated.") % {"code": code}, code))
            continue
        evidence = list(r.evidence.all())
        if r.met and not evidence:
            checks.append(QualityCheck(NO_EVIDENCE, _("Standard %(code)s is rated met but has no evidence.")
                                       % {"code": code}, code))
        for e in evidence:
            if e.is_expired_on(day):
                checks.append(QualityCheck(
                    EVIDENCE_EXPIRED,
                    _("Standard %(code)s: evidence %(evidence)s expired on %(date)s.")
                    % {"code": code, "evidence": e.code, "date": date_format(e.expires_on, "SHORT_DATE_FORMAT")},
                    code))
    checks += council_checks(sa, list(sa.council.all()), day)
    return checks
