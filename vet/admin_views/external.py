"""Back-office pages of the provincial authority's side of accreditation: external assessments (the school's
rating beside the authority's, differences with a bar chart, findings, decision), action items (list, add, edit,
close, cancel), the overdue report, campaigns (list, open, progress). Every write calls vet.services_external;
who may see what is vet.permissions'."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .. import choices, permissions, selectors
from .. import services_external as ext
from ..models import (
    AccreditationFramework,
    ActionItem,
    Authority,
    Campaign,
    Evidence,
    ExternalAssessment,
    ExternalRating,
    Institution,
    SelfAssessment,
    SelfAssessmentRating,
    Standard,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _require_view(user, obj) -> None:
    if not permissions.has_object_permission(user, permissions.VIEW, obj):
        raise PermissionDenied


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _refusal(request, exc: PermissionDenied) -> None:
    messages.error(request, str(exc) or _("Your role does not allow you to do this with this record."))


def _paginate(request, rows, per_page=50):
    return Paginator(rows, per_page).get_page(request.GET.get("p"))


# ------------------------------------------------------------------------------------ external assessments


def assessable_self_assessments(user):
    """Submitted self-assessments the user may see, with no external assessment in progress."""
    rows = SelfAssessment.objects.filter(status=choices.AssessmentStatus.SUBMITTED).exclude(
        external_assessments__status=choices.ExternalStatus.IN_PROGRESS
    ).select_related("institution__province", "framework", "designation__occupation").order_by(
        "-submitted_at", "pk")
    return permissions.scope_queryset(user, rows, permissions.VIEW)


class ExternalAssessmentListView(View):
    """Assessments in the user's scope and, for those who may assess, the submitted self-assessments waiting."""

    template_name = "vet/admin/external/assessment_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not permissions.has_permission(request.user, permissions.VIEW, ExternalAssessment):
            raise PermissionDenied
        rows = permissions.scope_queryset(request.user, ExternalAssessment.objects.select_related(
            "self_assessment__institution__province", "self_assessment__framework",
            "self_assessment__designation__occupation", "assessor"), permissions.VIEW)
        status = request.GET.get("status", "")
        if status in choices.ExternalStatus.values:
            rows = rows.filter(status=status)
        waiting = []
        if permissions.has_permission(request.user, permissions.ADD, ExternalAssessment):
            roles = permissions.get_roles(request.user)
            for sa in assessable_self_assessments(request.user)[:50]:
                if roles.is_admin or sa.institution.province_id in roles.province_ids:
                    waiting.append({"sa": sa, "refusal": ext.conflict_of_interest(request.user,
                                                                                   sa.institution_id)})
        return render(request, self.template_name, {
            "page": _paginate(request, rows), "waiting": waiting, "status": status,
            "statuses": choices.ExternalStatus.choices,
        })


class StartExternalAssessmentView(View):
    """Confirm and start the external assessment of a submitted self-assessment (URL `vet_external_start`)."""

    template_name = "vet/admin/external/start.html"

    def dispatch(self, request, pk):
        self.sa = get_object_or_404(SelfAssessment.objects.select_related("institution", "framework"), pk=pk)
        _require_view(request.user, self.sa)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return render(request, self.template_name, {"sa": self.sa,
                                                    "refusal": ext.start_refusal(request.user, self.sa)})

    def post(self, request, pk):
        try:
            assessment = ext.start_external_assessment(request.user, self.sa)
        except PermissionDenied as exc:
            _refusal(request, exc)
            return redirect("vet_external_start", pk=pk)
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("vet_external_start", pk=pk)
        messages.success(request, _("External assessment started."))
        return redirect("vet_external_detail", pk=assessment.pk)


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=choices.FindingSeverity.choices)
    standard = forms.ModelChoiceField(label=gettext_lazy("Standard"), queryset=Standard.objects.none(),
                                      required=False, empty_label=gettext_lazy("— the school as a whole —"))
    text = forms.CharField(label=gettext_lazy("Finding"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, framework_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = Standard.objects.filter(criterion__framework_id=framework_id)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=choices.ExternalDecision.choices,
                                 widget=forms.RadioSelect)
    decision_date = forms.DateField(label=gettext_lazy("Decision date"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Reasons for the decision"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ItemsFromFindingsForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=DATE)
    owner = forms.CharField(label=gettext_lazy("Owner"), max_length=120)


def _parse_met(value: str):
    return {"yes": True, "no": False}.get(value)


def _parse_int(value: str, field: str):
    value = (value or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > 50:
        raise ValidationError({field: _("Enter a whole number of years from 0 to 50.")})
    return int(value)


def _parse_points(value: str):
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        points = Decimal(value)
    except ArithmeticError:
        raise ValidationError({"points": _("Enter the points as a number.")}) from None
    if not points.is_finite() or points < 0 or points >= 10000:
        raise ValidationError({"points": _("Enter the points as a number from 0.")})
    return points


def bar_chart(rows) -> dict:
    """Geometry of a small horizontal bar chart (inline SVG): school and authority points per criterion."""
    top = max([Decimal(1), *(r.max_points or 0 for r in rows), *(r.self_points for r in rows),
               *(r.external_points for r in rows)])
    width, bar, gap, label = 360, 10, 8, 40
    bars = []
    for i, r in enumerate(rows):
        y = i * (2 * bar + gap)
        bars.append({"label": r.number, "y": y, "label_y": y + bar + 3,
                     "self": float(r.self_points / top * width), "external": float(r.external_points / top * width),
                     "self_y": y, "external_y": y + bar})
    return {"bars": bars, "width": width + label + 10, "height": max(len(rows), 1) * (2 * bar + gap),
            "offset": label, "bar": bar}


class ExternalAssessmentView(View):
    """One external assessment: per criterion and standard the school's rating beside the authority's form,
    the differences, findings, action items from findings, the decision."""

    template_name = "vet/admin/external/assessment.html"

    def dispatch(self, request, pk):
        self.assessment = get_object_or_404(ExternalAssessment.objects.select_related(
            "self_assessment__institution__province", "self_assessment__framework",
            "self_assessment__designation__occupation", "assessor"), pk=pk)
        _require_view(request.user, self.assessment)
        self.sa = self.assessment.self_assessment
        self.can_edit = (self.assessment.status == choices.ExternalStatus.IN_PROGRESS
                         and permissions.has_object_permission(request.user, permissions.CHANGE, self.assessment)
                         and ext.conflict_of_interest(request.user, self.sa.institution_id) is None)
        self.can_plan = permissions.has_object_permission(request.user, permissions.CHANGE, self.assessment)
        return super().dispatch(request, pk)

    def url(self):
        return reverse("vet_external_detail", args=(self.assessment.pk,))

    def get(self, request, pk):
        return self.render()

    def post(self, request, pk):
        action = request.POST.get("action", "")
        handler = {"ratings": self.save_ratings, "add_finding": self.add_finding,
                   "remove_finding": self.remove_finding, "items": self.items_from_findings,
                   "decide": self.decide}.get(action)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(self.url())
        try:
            response = handler(request)
        except PermissionDenied as exc:
            _refusal(request, exc)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if response is not None:
                return response
        return redirect(self.url())

    @transaction.atomic
    def save_ratings(self, request):
        changed = 0
        for rating in self.assessment.ratings.select_related("standard"):
            prefix = f"r{rating.pk}-"
            if prefix + "met" not in request.POST:
                continue
            try:
                values = {"met": _parse_met(request.POST.get(prefix + "met")),
                          "years_met": _parse_int(request.POST.get(prefix + "years"), "years_met"),
                          "points": _parse_points(request.POST.get(prefix + "points")),
                          "comment": request.POST.get(prefix + "comment", "").strip()}
            except ValidationError as exc:
                raise ValidationError(f"{rating.standard.code}: {' '.join(exc.messages)}") from None
            if values == {"met": rating.met, "years_met": rating.years_met, "points": rating.points,
                          "comment": rating.comment}:
                continue
            ext.save_external_rating(request.user, rating, **values)
            changed += 1
        messages.success(request, _("%(count)s rating(s) saved.") % {"count": changed})

    def add_finding(self, request):
        form = FindingForm(request.POST, framework_id=self.sa.framework_id)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(errs)}"
                                   for name, errs in form.errors.items()])
        ext.add_finding(request.user, self.assessment, **form.cleaned_data)
        messages.success(request, _("Finding added."))

    def remove_finding(self, request):
        finding = get_object_or_404(self.assessment.findings, pk=_pk(request.POST.get("finding")))
        ext.remove_finding(request.user, finding)
        messages.success(request, _("Finding removed."))

    def items_from_findings(self, request):
        form = ItemsFromFindingsForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(errs)}"
                                   for name, errs in form.errors.items()])
        items = ext.action_items_from_findings(request.user, self.assessment, **form.cleaned_data)
        messages.success(request, _("%(count)s action item(s) created.") % {"count": len(items)})

    def decide(self, request):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(errs)}"
                                   for name, errs in form.errors.items()])
        ext.decide(request.user, self.assessment, **form.cleaned_data)
        messages.success(request, _("Decision recorded; the assessment is now locked."))

    def render(self):
        assessment, sa = self.assessment, self.sa
        own = {r.standard_id: r for r in SelfAssessmentRating.objects.filter(self_assessment=sa).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("code")))}
        theirs = list(ExternalRating.objects.filter(assessment=assessment).select_related("standard__criterion"))
        criteria = defaultdict(list)
        for rating in theirs:
            criteria[rating.standard.criterion].append({"standard": rating.standard, "ours": rating,
                                                        "school": own.get(rating.standard_id)})
        differences = selectors.assessment_differences(assessment)
        external_score = selectors.external_assessment_score(assessment)
        findings = list(assessment.findings.select_related("standard", "criterion").annotate(
            items=Count("action_items")))
        return render(self.request, self.template_name, {
            "assessment": assessment, "sa": sa, "can_edit": self.can_edit, "can_plan": self.can_plan,
            "criteria": sorted(criteria.items(), key=lambda kv: kv[0].number),
            "direct_points": sa.framework.points_per_standard is None,
            "differences": differences, "chart": bar_chart(differences),
            "self_score": selectors.self_assessment_score(sa), "external_score": external_score,
            "findings": findings, "findings_without_items": sum(1 for f in findings if not f.items),
            "finding_form": FindingForm(framework_id=sa.framework_id),
            "items_form": ItemsFromFindingsForm(initial={"due_date": datetime.date.today()
                                                         + datetime.timedelta(days=90)}),
            "decision_form": DecisionForm(initial={"decision_date": datetime.date.today()}),
            "unrated": ext.unrated_standards(assessment),
            "action_items_url": reverse("vet_action_items") + "?" + urlencode({"institution": sa.institution_id}),
        })


def _pk(value) -> int:
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**62 else 0


# ------------------------------------------------------------------------------------------- action items


class ActionItemFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any")), *choices.ActionStatus.choices])
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), required=False,
                                 choices=[("", gettext_lazy("Any")), *choices.Priority.choices])
    overdue = forms.BooleanField(label=gettext_lazy("Overdue items only"), required=False)
    institution = forms.ModelChoiceField(label=gettext_lazy("Institution"), required=False,
                                         queryset=Institution.objects.none(), empty_label=gettext_lazy("Any"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            pk__in=visible_action_items(user).values("institution_id")).order_by("name_vi")


def visible_action_items(user):
    return permissions.scope_queryset(user, ActionItem.objects.select_related(
        "institution__province", "designation__occupation", "finding"), permissions.VIEW)


class ActionItemListView(View):
    template_name = "vet/admin/external/action_item_list.html"

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, ActionItem):
            raise PermissionDenied
        form = ActionItemFilterForm(request.GET or None, user=request.user)
        rows = visible_action_items(request.user)
        today = datetime.date.today()
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["status"]:
                rows = rows.filter(status=data["status"])
            if data["priority"]:
                rows = rows.filter(priority=data["priority"])
            if data["overdue"]:
                rows = ext.overdue_action_items(rows, today)
            if data["institution"]:
                rows = rows.filter(institution=data["institution"])
        return render(request, self.template_name, {
            "form": form, "page": _paginate(request, rows.order_by("due_date", "pk")), "today": today,
            "can_add": permissions.has_permission(request.user, permissions.ADD, ActionItem),
        })


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["institution", "title", "description", "owner", "due_date", "priority", "status"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = permissions.institutions_for(user).order_by("name_vi")
        self.fields["status"].choices = [(s.value, s.label) for s in choices.OPEN_ACTION_STATUSES]
        if self.instance.pk:
            del self.fields["institution"]
        else:
            del self.fields["status"]


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=gettext_lazy("Closed on"), widget=DATE)
    evidence = forms.ModelChoiceField(label=gettext_lazy("Evidence of closure"), queryset=Evidence.objects.none())

    def __init__(self, *args, institution_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = Evidence.objects.filter(institution_id=institution_id).order_by("code")


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000)


class ActionItemEditView(View):
    """Add an item (no pk) or edit, close and cancel one."""

    template_name = "vet/admin/external/action_item_edit.html"

    def dispatch(self, request, pk=None):
        self.item = None
        if pk is not None:
            self.item = get_object_or_404(ActionItem.objects.select_related("institution", "finding",
                                                                            "closure_evidence"), pk=pk)
            _require_view(request.user, self.item)
        elif not permissions.has_permission(request.user, permissions.ADD, ActionItem):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get(self, request, pk=None):
        return self.render(ActionItemForm(instance=self.item, user=request.user))

    def post(self, request, pk=None):
        action = request.POST.get("action", "save")
        item = self.item
        try:
            if action == "close" and item:
                form = CloseForm(request.POST, institution_id=item.institution_id)
                if not form.is_valid():
                    return self.render(ActionItemForm(instance=item, user=request.user), close_form=form)
                ext.close_action_item(request.user, item, **form.cleaned_data)
                messages.success(request, _("Action item closed."))
            elif action == "cancel" and item:
                form = CancelForm(request.POST)
                if not form.is_valid():
                    return self.render(ActionItemForm(instance=item, user=request.user), cancel_form=form)
                ext.cancel_action_item(request.user, item, **form.cleaned_data)
                messages.success(request, _("Action item cancelled."))
            else:
                form = ActionItemForm(request.POST, instance=item, user=request.user)
                if not form.is_valid():
                    return self.render(form)
                data = form.cleaned_data
                if item is None:
                    item = ext.create_action_item(request.user, **data)
                    messages.success(request, _("Action item added."))
                else:
                    ext.update_action_item(request.user, ActionItem.objects.get(pk=item.pk), **data)
                    messages.success(request, _("Action item saved."))
        except PermissionDenied as exc:
            _refusal(request, exc)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("vet_action_item_edit", pk=item.pk) if item else redirect("vet_action_items")

    def render(self, form, close_form=None, cancel_form=None):
        item = self.item
        can_change = item is None or (item.is_open and permissions.has_object_permission(
            self.request.user, permissions.CHANGE, item))
        return render(self.request, self.template_name, {
            "item": item, "form": form, "can_change": can_change, "today": datetime.date.today(),
            "close_form": close_form or (CloseForm(institution_id=item.institution_id,
                                                   initial={"closed_on": datetime.date.today()}) if item else None),
            "cancel_form": cancel_form or CancelForm(),
        })


class OverdueReportView(View):
    """Overdue action items counted per school and per province, in the user's scope (one query each)."""

    template_name = "vet/admin/external/overdue_report.html"

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, ActionItem):
            raise PermissionDenied
        today = datetime.date.today()
        items = permissions.scope_queryset(request.user, ActionItem.objects.all(), permissions.VIEW)
        return render(request, self.template_name, {
            "today": today, "per_school": ext.overdue_counts_by_institution(items, today),
            "per_province": ext.overdue_counts_by_province(items, today),
            "list_url": reverse("vet_action_items") + "?overdue=on",
        })


# ---------------------------------------------------------------------------------------------- campaigns


class CampaignForm(forms.Form):
    authority = forms.ModelChoiceField(label=gettext_lazy("Authority"), queryset=Authority.objects.none())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    framework = forms.ModelChoiceField(label=gettext_lazy("Framework"), queryset=AccreditationFramework.objects
                                       .filter(target=choices.AccreditationTarget.SCHOOL).order_by("code"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=DATE)
    institutions = forms.ModelMultipleChoiceField(label=gettext_lazy("Schools"), queryset=Institution.objects.none(),
                                                  widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = permissions.get_roles(user)
        authorities = Authority.objects.filter(level=choices.AuthorityLevel.PROVINCIAL, valid_to__isnull=True)
        if not roles.is_admin:
            authorities = authorities.filter(province_id__in=roles.province_ids)
        self.fields["authority"].queryset = authorities.order_by("name_vi")
        if authorities.count() == 1:
            self.fields["authority"].initial = authorities.first()
        self.fields["institutions"].queryset = permissions.institutions_for(user).filter(
            type__in=[choices.InstitutionType.COLLEGE, choices.InstitutionType.INTERMEDIATE]
        ).select_related("province").order_by("name_vi")


class CampaignListView(View):
    template_name = "vet/admin/external/campaign_list.html"

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, Campaign):
            raise PermissionDenied
        rows = permissions.scope_queryset(request.user, Campaign.objects.select_related(
            "authority", "framework").annotate(
            schools=Count("institutions", distinct=True),
            submitted=Count("self_assessments", distinct=True,
                            filter=Q(self_assessments__status=choices.AssessmentStatus.SUBMITTED)),
        ).order_by("-year", "title", "pk"),
            permissions.VIEW)
        roles = permissions.get_roles(request.user)
        return render(request, self.template_name, {
            "page": _paginate(request, rows), "can_add": roles.is_admin or roles.is_officer})


class CampaignCreateView(View):
    template_name = "vet/admin/external/campaign_form.html"

    def dispatch(self, request):
        roles = permissions.get_roles(request.user)
        if not (roles.is_admin or roles.is_officer):
            raise PermissionDenied
        return super().dispatch(request)

    def get(self, request):
        today = datetime.date.today()
        return render(request, self.template_name, {"form": CampaignForm(user=request.user, initial={
            "year": today.year, "due_date": today + datetime.timedelta(days=60)})})

    def post(self, request):
        form = CampaignForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                campaign = ext.open_campaign(request.user, **form.cleaned_data)
            except PermissionDenied as exc:
                _refusal(request, exc)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errs in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("Campaign opened for %(count)s school(s).")
                                 % {"count": campaign.institutions.count()})
                return redirect("vet_campaign_detail", pk=campaign.pk)
        return render(request, self.template_name, {"form": form})


class CampaignProgressView(View):
    template_name = "vet/admin/external/campaign_progress.html"

    def dispatch(self, request, pk):
        self.campaign = get_object_or_404(Campaign.objects.select_related("authority", "framework"), pk=pk)
        _require_view(request.user, self.campaign)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        rows = ext.campaign_progress(self.campaign)
        counts = defaultdict(int)
        for row in rows:
            counts[row.timeliness] += 1
        return render(request, self.template_name, {
            "campaign": self.campaign, "rows": rows, "counts": dict(counts),
            "submitted": sum(1 for r in rows if r.status == choices.AssessmentStatus.SUBMITTED),
            "can_close": self.campaign.status == choices.CampaignStatus.OPEN and permissions.has_object_permission(
                request.user, permissions.CHANGE, self.campaign),
            "can_assess": permissions.has_permission(request.user, permissions.ADD, ExternalAssessment),
        })

    def post(self, request, pk):
        try:
            ext.close_campaign(request.user, self.campaign)
            messages.success(request, _("Campaign closed."))
        except PermissionDenied as exc:
            _refusal(request, exc)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("vet_campaign_detail", pk=pk)
