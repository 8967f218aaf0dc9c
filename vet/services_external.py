"""The provincial authority's side of accreditation (DOMAIN.md §5): external assessment of a submitted
self-assessment, findings, the decision, action items, and the campaigns that open a round of self-assessments.

Who may try is `vet.permissions`' business; what is allowed (a decided assessment is locked, an assessor must not
belong to the school, evidence must close an item) is decided here. Refusals are `ValidationError` (400, naming
the field) or `PermissionDenied` (403, with the reason)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import choices, permissions
from .models import (
    AccreditationFramework,
    ActionItem,
    Authority,
    Campaign,
    Criterion,
    Evidence,
    ExternalAssessment,
    ExternalRating,
    Finding,
    Institution,
    KeyOccupationDesignation,
    SelfAssessment,
    Standard,
)
from .services import require_permission

SEVERITY_PRIORITY = {
    choices.FindingSeverity.MAJOR: choices.Priority.HIGH,
    choices.FindingSeverity.MINOR: choices.Priority.MEDIUM,
    choices.FindingSeverity.OBSERVATION: choices.Priority.LOW,
}


def _write(user, instance: Model, reason: str | None = None) -> Model:
    instance.full_clean()
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance


def _locked(instance: Model) -> Model:
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


# ------------------------------------------------------------------------------------ external assessment


def conflict_of_interest(user, institution_id: int) -> str | None:
    """Why `user` may not assess this school (a membership at it), or None."""
    if institution_id in permissions.get_roles(user).institution_ids:
        return _("You hold a role at this school, so you may not assess it (conflict of interest).")
    return None


def _refuse_conflict(user, institution_id: int) -> None:
    if (reason := conflict_of_interest(user, institution_id)) is not None:
        raise PermissionDenied(reason)


def start_refusal(user, self_assessment: SelfAssessment) -> str | None:
    """Why `user` may not start an external assessment of this self-assessment now (None: they may)."""
    if self_assessment.status != choices.AssessmentStatus.SUBMITTED:
        return _("Only a submitted self-assessment can be assessed; this one is %(status)s.") % {
            "status": self_assessment.get_status_display().lower()}
    if (reason := conflict_of_interest(user, self_assessment.institution_id)) is not None:
        return reason
    if not permissions.has_object_permission(user, permissions.ADD, ExternalAssessment(
            self_assessment=self_assessment)):
        return _("Only an officer of the province that holds the school may assess it.")
    if self_assessment.external_assessments.filter(status=choices.ExternalStatus.IN_PROGRESS).exists():
        return _("An external assessment of this self-assessment is already in progress.")
    return None


@transaction.atomic
def start_external_assessment(user, self_assessment: SelfAssessment,
                              on: datetime.date | None = None) -> ExternalAssessment:
    """An officer of the school's province (not staff of the school) starts assessing a submitted
    self-assessment: one unrated rating per standard of the framework."""
    self_assessment = _locked(self_assessment)
    _refuse_conflict(user, self_assessment.institution_id)
    assessment = ExternalAssessment(self_assessment=self_assessment, assessor=user,
                                    started_on=on or datetime.date.today())
    if not permissions.has_object_permission(user, permissions.ADD, assessment):
        raise PermissionDenied(_("Only an officer of the province that holds the school may assess it."))
    if self_assessment.status != choices.AssessmentStatus.SUBMITTED:
        raise ValidationError(
            {"self_assessment": _("Only a submitted self-assessment can be assessed; this one is %(status)s.")
             % {"status": self_assessment.get_status_display().lower()}}, code="not_submitted")
    if self_assessment.external_assessments.filter(status=choices.ExternalStatus.IN_PROGRESS).exists():
        raise ValidationError(
            {"self_assessment": _("An external assessment of this self-assessment is already in progress.")},
            code="already_open")
    _write(user, assessment)
    standards = Standard.objects.filter(criterion__framework_id=self_assessment.framework_id)
    ExternalRating.objects.bulk_create([ExternalRating(assessment=assessment, standard=s) for s in standards])
    return assessment


def _require_open(user, assessment: ExternalAssessment) -> ExternalAssessment:
    """The assessment, locked, after checking the user may change it and it is not decided."""
    assessment = ExternalAssessment.objects.select_for_update().select_related("self_assessment").get(
        pk=assessment.pk)
    _refuse_conflict(user, assessment.self_assessment.institution_id)
    require_permission(user, permissions.CHANGE, assessment)
    if assessment.status != choices.ExternalStatus.IN_PROGRESS:
        raise ValidationError(_("This external assessment is decided and can no longer be changed."),
                              code="decided")
    return assessment


@transaction.atomic
def save_external_rating(user, rating: ExternalRating, *, met, years_met=None, points=None,
                         comment: str = "") -> ExternalRating:
    """The authority rates one standard: met or not, for how many years, points (when given directly)."""
    _require_open(user, rating.assessment)
    rating = _locked(rating)
    rating.met, rating.years_met, rating.points, rating.comment = met, years_met, points, comment or ""
    return _write(user, rating)


@transaction.atomic
def add_finding(user, assessment: ExternalAssessment, *, severity: str, text: str,
                criterion: Criterion | None = None, standard: Standard | None = None) -> Finding:
    """A finding about a standard (its criterion follows), a criterion, or the school as a whole."""
    assessment = _require_open(user, assessment)
    framework_id = assessment.self_assessment.framework_id
    if standard is not None:
        if standard.criterion.framework_id != framework_id:
            raise ValidationError({"standard": _("This standard is not in the assessed framework.")},
                                  code="other_framework")
        if criterion is not None and criterion.pk != standard.criterion_id:
            raise ValidationError({"criterion": _("The standard belongs to another criterion.")},
                                  code="criterion_mismatch")
        criterion = standard.criterion
    if criterion is not None and criterion.framework_id != framework_id:
        raise ValidationError({"criterion": _("This criterion is not in the assessed framework.")},
                              code="other_framework")
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the finding.")}, code="empty")
    finding = Finding(assessment=assessment, severity=severity, text=text.strip(), criterion=criterion,
                      standard=standard)
    return _write(user, finding)


@transaction.atomic
def update_finding(user, finding: Finding, *, severity: str, text: str) -> Finding:
    """Reword a finding or change its severity while the assessment is in progress."""
    _require_open(user, finding.assessment)
    finding = _locked(finding)
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the finding.")}, code="empty")
    finding.severity, finding.text = severity, text.strip()
    return _write(user, finding)


@transaction.atomic
def remove_finding(user, finding: Finding) -> None:
    """Remove a finding of an assessment still in progress."""
    _require_open(user, finding.assessment)
    require_permission(user, permissions.DELETE, finding)
    finding._history_user = user
    finding.delete()


def unrated_standards(assessment: ExternalAssessment) -> list[str]:
    return list(assessment.ratings.filter(met__isnull=True).order_by("standard__criterion__number",
                                                                      "standard__code")
                .values_list("standard__code", flat=True))


@transaction.atomic
def decide(user, assessment: ExternalAssessment, *, decision: str, decision_date: datetime.date | None,
           note: str = "") -> ExternalAssessment:
    """The officer decides pass or fail once every standard is rated; the assessment is locked from then on.
    The computed score is advice (shown beside the decision), not the decision."""
    assessment = _require_open(user, assessment)
    errors = {}
    if decision not in choices.ExternalDecision.values:
        errors["decision"] = _("Choose whether the school meets the standards.")
    if decision_date is None:
        errors["decision_date"] = _("Enter the date of the decision.")
    if errors:
        raise ValidationError(errors, code="decision_missing")
    unrated = unrated_standards(assessment)
    if unrated:
        raise ValidationError(
            _("Rate every standard before deciding; not yet rated: %(codes)s.") % {"codes": ", ".join(unrated)},
            code="unrated")
    assessment.decision, assessment.decision_date = decision, decision_date
    assessment.decision_note = note or ""
    assessment.status = choices.ExternalStatus.DECIDED
    return _write(user, assessment)


# ------------------------------------------------------------------------------------------- action items


ACTION_ITEM_FIELDS = ("title", "description", "owner", "due_date", "priority", "status", "designation")


def _check_action_item(item: ActionItem) -> None:
    if item.finding_id and item.finding.assessment.self_assessment.institution_id != item.institution_id:
        raise ValidationError({"finding": _("This finding concerns another institution.")}, code="other_school")
    if item.designation_id and item.designation.institution_id != item.institution_id:
        raise ValidationError({"designation": _("This key-occupation program belongs to another institution.")},
                              code="other_school")


@transaction.atomic
def create_action_item(user, *, institution: Institution, title: str, owner: str, due_date: datetime.date,
                       priority: str = choices.Priority.MEDIUM,
                       designation: KeyOccupationDesignation | None = None, finding: Finding | None = None,
                       description: str = "") -> ActionItem:
    """One step of the institution's action plan (its staff or its provincial authority)."""
    item = ActionItem(institution=institution, title=title, owner=owner, due_date=due_date, priority=priority,
                      designation=designation, finding=finding, description=description or "")
    require_permission(user, permissions.ADD, item)
    _check_action_item(item)
    return _write(user, item)


@transaction.atomic
def action_items_from_findings(user, assessment: ExternalAssessment, due_date: datetime.date,
                               owner: str) -> list[ActionItem]:
    """One action item per finding that has none yet, all or none; priority follows the severity."""
    assessment = ExternalAssessment.objects.select_related("self_assessment").get(pk=assessment.pk)
    require_permission(user, permissions.CHANGE, assessment)
    sa = assessment.self_assessment
    created = []
    for finding in assessment.findings.filter(action_items__isnull=True).select_related("standard", "criterion"):
        label = finding.standard.code if finding.standard_id else (
            str(finding.criterion.number) if finding.criterion_id else "")
        text = " ".join(finding.text.split())
        title = f"{label}: {text}" if label else text
        created.append(create_action_item(
            user, institution=sa.institution, title=title[:255], owner=owner, due_date=due_date,
            priority=SEVERITY_PRIORITY.get(finding.severity, choices.Priority.MEDIUM),
            designation=sa.designation, finding=finding, description=finding.text))
    return created


def _require_item_open(user, item: ActionItem) -> ActionItem:
    item = _locked(item)
    require_permission(user, permissions.CHANGE, item)
    if not item.is_open:
        raise ValidationError(_("This action item is %(status)s and can no longer be changed.")
                              % {"status": item.get_status_display().lower()}, code="closed")
    return item


@transaction.atomic
def update_action_item(user, item: ActionItem, **fields) -> ActionItem:
    """Change an open item's title, description, owner, due date, priority, status (open / in progress) or
    program; closing and cancelling have their own steps."""
    unknown = sorted(set(fields) - set(ACTION_ITEM_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown}, code="unknown")
    item = _require_item_open(user, item)
    if "status" in fields and fields["status"] not in choices.OPEN_ACTION_STATUSES:
        raise ValidationError({"status": _("Close or cancel the item with its own action.")}, code="status")
    for name, value in fields.items():
        setattr(item, name, value)
    _check_action_item(item)
    return _write(user, item)


@transaction.atomic
def close_action_item(user, item: ActionItem, *, closed_on: datetime.date | None,
                      evidence: Evidence | None) -> ActionItem:
    """Done, with the evidence of the institution that shows it."""
    item = _require_item_open(user, item)
    errors = {}
    if evidence is None:
        errors["closure_evidence"] = _("Give the evidence that shows the item is done.")
    elif evidence.institution_id != item.institution_id:
        errors["closure_evidence"] = _("The evidence must belong to %(institution)s.") % {
            "institution": item.institution}
    if closed_on is None:
        errors["closed_on"] = _("Enter the date the item was done.")
    if errors:
        raise ValidationError(errors, code="closure")
    item.status, item.closed_on, item.closure_evidence = choices.ActionStatus.DONE, closed_on, evidence
    return _write(user, item)


@transaction.atomic
def cancel_action_item(user, item: ActionItem, *, reason: str, on: datetime.date | None = None) -> ActionItem:
    """Cancel an open item; the reason is kept in its description and history."""
    item = _require_item_open(user, item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")}, code="no_reason")
    item.status, item.closed_on = choices.ActionStatus.CANCELLED, on or datetime.date.today()
    note = _("Cancelled: %(reason)s") % {"reason": reason}
    item.description = f"{item.description}\n\n{note}".strip()
    return _write(user, item, reason=note[:100])


def overdue_action_items(queryset: QuerySet[ActionItem], on: datetime.date) -> QuerySet[ActionItem]:
    """Open or in-progress items whose due date is before `on`."""
    return queryset.filter(status__in=choices.OPEN_ACTION_STATUSES, due_date__lt=on)


def overdue_counts_by_institution(queryset: QuerySet[ActionItem], on: datetime.date) -> list[dict]:
    """Per school (one query): institution id, name, province name, number of overdue items."""
    return list(
        overdue_action_items(queryset, on)
        .values("institution_id", "institution__name_vi", "institution__code", "institution__province__name_vi")
        .annotate(overdue=Count("pk"))
        .order_by("institution__province__name_vi", "institution__name_vi")
    )


def overdue_counts_by_province(queryset: QuerySet[ActionItem], on: datetime.date) -> list[dict]:
    """Per province (one query): province id, name, number of overdue items, number of schools concerned."""
    return list(
        overdue_action_items(queryset, on)
        .values("institution__province_id", "institution__province__name_vi")
        .annotate(overdue=Count("pk"), schools=Count("institution_id", distinct=True))
        .order_by("institution__province__name_vi")
    )


# ---------------------------------------------------------------------------------------------- campaigns


@transaction.atomic
def open_campaign(user, *, authority: Authority, title: str, framework: AccreditationFramework, year: int,
                  due_date: datetime.date, institutions, note: str = "") -> Campaign:
    """The authority opens a self-assessment round for schools of its province: a planned institution-level
    self-assessment for each school that has none for the framework and year; existing ones are linked."""
    campaign = Campaign(authority=authority, title=title, framework=framework, year=year, due_date=due_date,
                        note=note or "")
    require_permission(user, permissions.ADD, campaign)
    institutions = list(institutions)
    if not institutions:
        raise ValidationError({"institutions": _("Choose at least one school.")}, code="empty")
    covered = permissions.jurisdiction({authority.province_id}) if authority.province_id else set()
    outside = sorted(str(i) for i in institutions if i.province_id not in covered)
    if outside:
        raise ValidationError(
            {"institutions": _("Not in the province of %(authority)s: %(names)s.")
             % {"authority": authority, "names": "; ".join(outside)}}, code="outside_province")
    _write(user, campaign)
    campaign.institutions.set(institutions)
    existing = {
        sa.institution_id: sa
        for sa in SelfAssessment.objects.select_for_update().filter(
            institution__in=institutions, framework=framework, year=year, designation__isnull=True)
    }
    for institution in institutions:
        sa = existing.get(institution.pk) or SelfAssessment(institution=institution, framework=framework,
                                                            year=year, status=choices.AssessmentStatus.PLANNED)
        sa.campaign = campaign
        _write(user, sa)
    return campaign


@transaction.atomic
def close_campaign(user, campaign: Campaign) -> Campaign:
    campaign = _locked(campaign)
    require_permission(user, permissions.CHANGE, campaign)
    if campaign.status == choices.CampaignStatus.CLOSED:
        raise ValidationError(_("This campaign is already closed."), code="closed")
    campaign.status = choices.CampaignStatus.CLOSED
    return _write(user, campaign)


@dataclass(frozen=True)
class CampaignRow:
    """One school of a campaign: its self-assessment and the authority's assessment, and its action items."""

    institution: Institution
    self_assessment: SelfAssessment | None
    status: str  # self-assessment status, "" when it has none
    status_label: str
    submitted_on: datetime.date | None
    timeliness: str  # "on_time", "late", "overdue" (not submitted after the due date), "pending"
    external: ExternalAssessment | None
    open_items: int
    overdue_items: int

    @property
    def timeliness_label(self) -> str:
        return str(TIMELINESS.get(self.timeliness, ""))


TIMELINESS = {"on_time": gettext_lazy("On time"), "late": gettext_lazy("Late"),
              "overdue": gettext_lazy("Overdue"), "pending": gettext_lazy("Not yet due")}


def campaign_progress(campaign: Campaign, on: datetime.date | None = None) -> list[CampaignRow]:
    """Per school of the campaign, in a fixed number of queries (4) however many schools it names."""
    on = on or datetime.date.today()
    institutions = list(campaign.institutions.select_related("province").order_by("name_vi"))
    ids = [i.pk for i in institutions]
    externals = ExternalAssessment.objects.order_by("-started_on", "-pk").select_related("assessor")
    assessments = {
        sa.institution_id: sa
        for sa in SelfAssessment.objects.filter(
            institution_id__in=ids, framework_id=campaign.framework_id, year=campaign.year,
            designation__isnull=True,
        ).prefetch_related(Prefetch("external_assessments", queryset=externals, to_attr="externals"))
    }
    counts = {
        row["institution_id"]: row
        for row in ActionItem.objects.filter(institution_id__in=ids).values("institution_id").annotate(
            open=Count("pk", filter=Q(status__in=choices.OPEN_ACTION_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=choices.OPEN_ACTION_STATUSES, due_date__lt=on)),
        )
    }
    rows = []
    for institution in institutions:
        sa = assessments.get(institution.pk)
        submitted_on = timezone.localdate(sa.submitted_at) if sa and sa.submitted_at else None
        if sa is not None and sa.status == choices.AssessmentStatus.SUBMITTED:
            timeliness = "late" if submitted_on and submitted_on > campaign.due_date else "on_time"
        else:
            timeliness = "overdue" if on > campaign.due_date else "pending"
        count = counts.get(institution.pk, {})
        rows.append(CampaignRow(
            institution=institution, self_assessment=sa, status=sa.status if sa else "",
            status_label=sa.get_status_display() if sa else _("No self-assessment"),
            submitted_on=submitted_on, timeliness=timeliness,
            external=sa.externals[0] if sa and sa.externals else None,
            open_items=count.get("open", 0), overdue_items=count.get("overdue", 0),
        ))
    return rows
