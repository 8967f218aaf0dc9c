"""Back-office of the self-assessment: list with the revocation-risk badge, create form, and the assessment page
(status and workflow, score, quality checks, criteria → standards with one rating form, council).

Every decision is `vet.permissions`'; every write `vet.services_assessment`'s (one POST, one service, back)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column

from .. import choices, permissions, selectors, services_external
from .. import services_assessment as sas
from ..models import (
    AccreditationFramework,
    Campaign,
    CouncilMember,
    Criterion,
    Evidence,
    Institution,
    KeyOccupationDesignation,
    SelfAssessment,
    SelfAssessmentRating,
)
from ..permissions import CHANGE, VIEW
from .accreditation import pass_rules_in_words
from .forms import RegistryAdminForm, _use_select
from .views import RegistryIndexView, RegistryInspectView

URL_PREFIX = "wagtailsnippets_vet_selfassessment"


def assessment_url(pk: int) -> str:
    return reverse(f"{URL_PREFIX}:inspect", args=(pk,))


def get_visible_assessment(user, pk: int) -> SelfAssessment:
    queryset = permissions.scope_queryset(user, selectors.list_self_assessments(), VIEW)
    return get_object_or_404(queryset, pk=pk)


# -------------------------------------------------------------------------------------------- create / edit


class SelfAssessmentForm(RegistryAdminForm):
    """Create: subject, framework, year. Afterwards only the summary and campaign change."""

    FIXED = ("institution", "designation", "framework", "year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        institutions = permissions.institutions_for(user)
        if "designation" in self.fields:
            _use_select(self.fields["designation"], KeyOccupationDesignation.objects.filter(
                institution__in=institutions).select_related("institution", "occupation"))
        if "framework" in self.fields:
            _use_select(self.fields["framework"], AccreditationFramework.objects.order_by("-effective_from", "code"))
        if "campaign" in self.fields:
            _use_select(self.fields["campaign"], permissions.scope_queryset(user, Campaign.objects.all(), VIEW))
        if self.instance.pk:
            for name in self.FIXED:
                if name in self.fields:
                    self.fields[name].disabled = True


def save_self_assessment(user, instance: SelfAssessment) -> SelfAssessment:
    if instance.pk is None:
        return sas.create_self_assessment(
            user, institution=instance.institution, framework=instance.framework, year=instance.year,
            designation=instance.designation, campaign=instance.campaign, summary=instance.summary,
        )
    return sas.update_self_assessment(user, instance, summary=instance.summary, campaign=instance.campaign)


def delete_self_assessment(user, instance: SelfAssessment) -> None:
    sas.delete_self_assessment(user, instance)


# ------------------------------------------------------------------------------------------------- listing


class RevocationRiskColumn(Column):
    """A badge when the institution missed its submitted self-assessment in the years the rule names."""

    cell_template_name = "vet/admin/revocation_risk_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["at_risk"] = getattr(instance, "revocation_risk", False)
        return context


class SelfAssessmentIndexView(RegistryIndexView):
    """Self-assessments the user may see; institutions at risk of revocation (this year) are marked."""

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        institution_ids = {obj.institution_id for obj in object_list}
        at_risk = selectors.revocation_risk_ids(
            Institution.objects.filter(pk__in=institution_ids), datetime.date.today().year
        ) if institution_ids else set()
        for obj in object_list:
            obj.revocation_risk = obj.institution_id in at_risk
        return paginator, page, object_list, is_paginated


# ------------------------------------------------------------------------------------------ the page itself

MET_CHOICES = [("", gettext_lazy("Not rated")), ("yes", gettext_lazy("Met")), ("no", gettext_lazy("Not met"))]


class RatingForm(forms.Form):
    """The rating of one standard; prefixed by the rating's id so one page form holds them all."""

    met = forms.ChoiceField(label=gettext_lazy("Met"), choices=MET_CHOICES, required=False)
    years_met = forms.IntegerField(label=gettext_lazy("Years met"), min_value=0, max_value=50, required=False)
    points = forms.DecimalField(label=gettext_lazy("Points"), min_value=0, max_digits=6, decimal_places=2,
                                required=False)
    narrative = forms.CharField(label=gettext_lazy("Narrative"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.MultipleChoiceField(label=gettext_lazy("Evidence"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 3}))

    def __init__(self, *args, rating: SelfAssessmentRating, evidence_choices, with_points: bool, **kwargs):
        kwargs.setdefault("prefix", f"r{rating.pk}")
        if not args and "data" not in kwargs:
            kwargs["initial"] = {
                "met": "" if rating.met is None else ("yes" if rating.met else "no"),
                "years_met": rating.years_met, "points": rating.points, "narrative": rating.narrative,
                "evidence": [str(e.pk) for e in rating.evidence.all()],
            }
        super().__init__(*args, **kwargs)
        self.rating = rating
        self.fields["evidence"].choices = evidence_choices
        if not with_points:
            del self.fields["points"]

    def to_input(self, evidence_by_pk: dict[int, Evidence]) -> sas.RatingInput:
        data = self.cleaned_data
        met = {"yes": True, "no": False}.get(data["met"])
        return sas.RatingInput(
            rating=self.rating, met=met, years_met=data["years_met"], points=data.get("points"),
            narrative=data["narrative"], evidence=tuple(evidence_by_pk[int(pk)] for pk in data["evidence"]),
        )


class CouncilMemberForm(forms.ModelForm):
    class Meta:
        model = CouncilMember
        fields = ["full_name", "position", "organisation", "council_role", "member_type"]


def _evidence_choices(institution_id: int, day: datetime.date):
    rows = list(Evidence.objects.filter(institution_id=institution_id).order_by("code"))
    labels = []
    for e in rows:
        label = f"{e.code} {e.title}"
        if e.is_expired_on(day):
            label += " " + _("(expired %(date)s)") % {"date": e.expires_on.isoformat()}
        labels.append((str(e.pk), label))
    return rows, labels


def _ratings(sa: SelfAssessment):
    return (
        SelfAssessmentRating.objects.filter(self_assessment=sa)
        .select_related("standard__criterion")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("code")))
        .order_by("standard__criterion__number", "standard__code")
    )


class SelfAssessmentInspectView(RegistryInspectView):
    """The assessment page. Read-only for officers of the province and once submitted."""

    def get_object(self, queryset=None):
        self.model = SelfAssessment
        return get_visible_assessment(self.request.user, self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sa, user = self.object, self.request.user
        today = datetime.date.today()
        may_change = permissions.has_object_permission(user, CHANGE, sa)
        editable = may_change and not sa.is_locked
        context.update(
            sa=sa, editable=editable,
            can_start=editable and sa.status == choices.AssessmentStatus.PLANNED,
            can_submit=editable and sa.status == choices.AssessmentStatus.IN_PROGRESS,
            workflow_urls={a: reverse(f"{URL_PREFIX}:workflow", args=(sa.pk, a)) for a in WorkflowView.ACTIONS},
            ratings_url=reverse(f"{URL_PREFIX}:ratings", args=(sa.pk,)),
            council_add_url=reverse(f"{URL_PREFIX}:council_add", args=(sa.pk,)),
        )
        # score
        try:
            score = selectors.self_assessment_score(sa)
        except ValueError as exc:
            context["score_error"] = str(exc)
            score = None
        criteria = list(Criterion.objects.filter(framework_id=sa.framework_id).order_by("number"))
        context["score"] = score
        if score is not None:
            names = {c.number: c.name for c in criteria}
            context["score_rows"] = [{"criterion": c, "name": names.get(c.number, "")} for c in score.criteria]
        # the authority's assessments of it, and whether this user may start one
        context["external_assessments"] = list(permissions.scope_queryset(
            user, sa.external_assessments.select_related("assessor"), permissions.VIEW))
        context["can_start_external"] = sa.is_locked and services_external.start_refusal(user, sa) is None
        context["pass_rules"] = pass_rules_in_words(sa.framework)
        context["has_pass_rule"] = sa.framework.has_pass_rule
        # checks
        context["checks"] = sas.quality_checks(sa)
        context["blocking_checks"] = [c for c in context["checks"] if c.blocking]
        # criteria → standards → rating
        ratings = list(_ratings(sa))
        evidence_rows, evidence_choices = _evidence_choices(sa.institution_id, today)
        with_points = sa.framework.points_per_standard is None
        by_criterion: dict[int, list] = {}
        for r in ratings:
            item = {"rating": r, "expired": [e for e in r.evidence.all() if e.is_expired_on(today)]}
            if editable:
                item["form"] = RatingForm(rating=r, evidence_choices=evidence_choices, with_points=with_points)
            by_criterion.setdefault(r.standard.criterion_id, []).append(item)
        context["tree"] = [{"criterion": c, "items": by_criterion.get(c.pk, [])} for c in criteria]
        context["with_points"] = with_points
        context["has_evidence"] = bool(evidence_rows)
        # council
        context["council"] = [
            {"member": m, "remove_url": reverse(f"{URL_PREFIX}:council_remove", args=(sa.pk, m.pk))}
            for m in sa.council.order_by("council_role", "full_name")
        ]
        if editable:
            context["council_form"] = CouncilMemberForm()
        return context


# ----------------------------------------------------------------------------------------------- POST views


class WorkflowView(View):
    """Start or submit, then back to the page with the service's answer."""

    ACTIONS = ("start", "submit")
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        if action not in self.ACTIONS:
            raise Http404
        sa = get_visible_assessment(request.user, pk)
        try:
            if action == "start":
                sas.start(request.user, sa)
                messages.success(request, _("The self-assessment was started."))
            else:
                sas.submit(request.user, sa)
                messages.success(request, _("The self-assessment was submitted; it can no longer be changed."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(assessment_url(sa.pk))


class RatingsView(View):
    """Save the page's rating forms at once: all or nothing, every error naming its standard."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        sa = get_visible_assessment(request.user, pk)
        evidence_rows, evidence_choices = _evidence_choices(sa.institution_id, datetime.date.today())
        evidence_by_pk = {e.pk: e for e in evidence_rows}
        with_points = sa.framework.points_per_standard is None
        rows, errors = [], []
        for rating in _ratings(sa):
            if f"r{rating.pk}-met" not in request.POST:
                continue
            form = RatingForm(request.POST, rating=rating, evidence_choices=evidence_choices,
                              with_points=with_points)
            if form.is_valid():
                rows.append(form.to_input(evidence_by_pk))
            else:
                errors += [_("Standard %(code)s: %(message)s") % {
                    "code": rating.standard.code,
                    "message": f"{form.fields[name].label if name in form.fields else name}: {' '.join(errs)}"}
                    for name, errs in form.errors.items()]
        try:
            if errors:
                raise ValidationError(errors)
            count = sas.save_ratings(request.user, sa, rows)
            messages.success(request, _("%(count)s ratings saved.") % {"count": count})
        except ValidationError as exc:
            messages.error(request, _("Nothing was saved."))
            for message in exc.messages:
                messages.error(request, message)
        return redirect(assessment_url(sa.pk) + "#ratings")


class CouncilAddView(View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        sa = get_visible_assessment(request.user, pk)
        form = CouncilMemberForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([f"{form.fields[n].label}: {' '.join(e)}" if n in form.fields else " ".join(e)
                                       for n, e in form.errors.items()])
            sas.add_council_member(request.user, sa, **form.cleaned_data)
            messages.success(request, _("The council member was added."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(assessment_url(sa.pk) + "#council")


class CouncilRemoveView(View):
    http_method_names = ["post"]

    def post(self, request, pk: int, member_pk: int):
        sa = get_visible_assessment(request.user, pk)
        member = get_object_or_404(CouncilMember.objects.select_related("self_assessment"), pk=member_pk,
                                   self_assessment=sa)
        try:
            sas.remove_council_member(request.user, member)
            messages.success(request, _("The council member was removed."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(assessment_url(sa.pk) + "#council")

