"""Curricula in the Wagtail back-office: the registry's views (`vet.admin_views`) saving through
`curricula.services`, the version page with its validation report, workflow, diff and comments, and the
dashboard panel. Every decision is made by `vet.permissions` and every write by one service call."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column

from vet import permissions
from vet.admin_views import RegistryAdminForm, RegistryCreateView, RegistryEditView, RegistryInspectView
from vet.permissions import ADD, APPROVE, CHANGE, VIEW

from . import choices, diff, selectors, services
from .models import Curriculum, CurriculumComponent, CurriculumVersion, VersionComment

# How long before its review date an approved version starts to show a (soft) notice. A screen's choice, not law.
REVIEW_NOTICE_DAYS = 180
WORKFLOW_URL_NAME = "wagtailsnippets_curricula_curriculumversion:workflow"
HOURS = ("theory_hours", "practice_hours", "internship_hours", "exam_hours")


# ------------------------------------------------------------------------------------ service adapters


def save_curriculum(user, instance):
    return services.save_curriculum(user=user, curriculum=instance)


def delete_curriculum(user, instance):
    services.delete_curriculum(user=user, curriculum=instance)


def save_version(user, instance):
    return services.save_curriculum_version(user=user, version=instance)


def delete_version(user, instance):
    services.delete_curriculum_version(user=user, version=instance)


def save_component(user, instance):
    return services.save_curriculum_component(user=user, component=instance)


def delete_component(user, instance):
    services.delete_curriculum_component(user=user, component=instance)


# ------------------------------------------------------------------------------------------------ forms


class CurriculaAdminForm(RegistryAdminForm):
    """Offers only the curricula and (draft) versions the user may edit, as plain selects."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        for field in self.fields.values():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if field.queryset.model is Curriculum:
                field.widget = forms.Select()
                field.queryset = permissions.scope_queryset(user, selectors.list_curricula(), CHANGE)
            elif field.queryset.model is CurriculumVersion:
                field.widget = forms.Select()
                field.queryset = permissions.scope_queryset(
                    user, selectors.list_curriculum_versions().filter(status=choices.VersionStatus.DRAFT), CHANGE
                )


class ApproveForm(forms.Form):
    decision_number = forms.CharField(label=gettext_lazy("Decision number"), max_length=64)
    decision_date = forms.DateField(label=gettext_lazy("Decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    signer = forms.CharField(label=gettext_lazy("Signed by"), max_length=120, required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


# ----------------------------------------------------------------------------------------- list columns


class ReviewColumn(Column):
    """Next review date, marked when it has passed."""

    cell_template_name = "curricula/admin/review_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["overdue"] = instance.is_review_overdue
        return context


# ------------------------------------------------------------------------------------------ edit views


class FrozenAwareEditView(RegistryEditView):
    """A frozen version (or a component of one) offers no form, only the service's reason and a way on."""

    def get_version(self) -> CurriculumVersion:
        return self.object

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.get_version()
        context["version"] = version
        context["frozen_reason"] = services.frozen_reason(version)
        context["version_url"] = reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(version.pk,))
        context["can_start_version"] = permissions.has_object_permission(
            self.request.user, ADD, CurriculumVersion(curriculum=version.curriculum)
        )
        if context["frozen_reason"] is None:
            context["validation"] = validation_report(version)
        return context


class VersionEditView(FrozenAwareEditView):
    def get_success_url(self):
        return reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(self.object.pk,))


class VersionCreateView(RegistryCreateView):
    def get_initial(self):
        initial = super().get_initial()
        if curriculum := _scoped_or_none(self.request, Curriculum, "curriculum", CHANGE):
            initial["curriculum"] = curriculum.pk
        return initial

    def get_success_url(self):
        return reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(self.object.pk,))


class ComponentCreateView(RegistryCreateView):
    """Reached from the version page with ?version=<id>; goes back there after saving."""

    def get_initial(self):
        initial = super().get_initial()
        if version := _scoped_or_none(self.request, CurriculumVersion, "version", CHANGE):
            initial["version"] = version.pk
        return initial

    def get_success_url(self):
        return _version_url(self.object.version_id)


class ComponentEditView(FrozenAwareEditView):
    def get_version(self) -> CurriculumVersion:
        return self.object.version

    def get_success_url(self):
        return _version_url(self.object.version_id)


def _scoped_or_none(request, model, param: str, action: str):
    pk = request.GET.get(param, "")
    if not pk.isdigit():
        return None
    return permissions.scope_queryset(request.user, model.objects.all(), action).filter(pk=pk).first()


def _version_url(pk: int) -> str:
    return reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(pk,))


# ------------------------------------------------------------------------------------------ the version page


def validation_report(version: CurriculumVersion) -> dict:
    """The version's validation report as rows a reader reads (rule, result, measured, required, unit, source);
    no report when no rule set is in force on the version's date."""
    report = services.validate_versions([version]).get(version.pk)
    rows = []
    for result in report.results if report else ():
        if result.code in choices.RuleCode.values:
            rule = str(choices.RuleCode(result.code).label)
        else:
            rule = _("Hours behind each credit")
        if result.general_subject_type in choices.GeneralSubjectType.values:
            rule = f"{rule} ({choices.GeneralSubjectType(result.general_subject_type).label})"
        unit = choices.RuleUnit(result.unit).label if result.unit in choices.RuleUnit.values else result.unit
        rows.append({
            "rule": rule, "status": result.status, "status_label": choices.RuleStatus(result.status).label,
            "measured": "—" if result.measured is None else f"{result.measured.normalize():f}",
            "required": result.required or "—", "unit": unit, "source": result.source,
            "confirmed": result.confirmed, "message": result.message,
        })
    return {"report": report, "rows": rows}


def group_components(components) -> list[dict]:
    """Components by group, in the groups' order, with the totals of each group."""
    by_group = defaultdict(list)
    for component in components:
        by_group[component.group].append(component)
    groups = []
    for value, label in choices.ComponentGroup.choices:
        rows = by_group.get(value)
        if rows:
            groups.append({"label": label, "rows": rows, "totals": _totals(rows)})
    return groups


def _totals(rows) -> dict:
    totals = {name: sum(getattr(c, name) for c in rows) for name in HOURS}
    totals["credits"] = sum((c.credits for c in rows), Decimal(0))
    totals["total_hours"] = sum(c.total_hours for c in rows)
    return totals


def _snapshot(component: CurriculumComponent) -> diff.ComponentSnapshot:
    return diff.ComponentSnapshot(**{name: getattr(component, name) for name in ("code", *diff.COMPARED)})


def _display(name: str, value) -> str:
    if name == "group":
        return str(dict(choices.ComponentGroup.choices).get(value, value) or "—")
    return str(value) if value not in (None, "") else "—"


def describe_diff(result: diff.VersionDiff) -> dict:
    """A diff with the compared fields named and their values shown as a reader reads them."""
    label = {name: capfirst(CurriculumComponent._meta.get_field(name).verbose_name) for name in diff.COMPARED}
    return {
        "added": result.added,
        "removed": result.removed,
        "changed": [
            {"code": change.code, "changes": [
                {"label": label[c.field], "old": _display(c.field, c.old), "new": _display(c.field, c.new)}
                for c in change.changes
            ]}
            for change in result.changed
        ],
        "is_empty": result.is_empty,
    }


class VersionInspectView(RegistryInspectView):
    """The version page: header, review banner, components, validation report, workflow, diff, comments."""

    def get_object(self, queryset=None):
        queryset = selectors.list_curriculum_versions().prefetch_related(
            Prefetch("components", queryset=CurriculumComponent.objects.order_by("position", "code"))
        )
        self.model = CurriculumVersion
        obj = get_object_or_404(queryset, pk=self.pk)
        if not permissions.has_object_permission(self.request.user, VIEW, obj):
            raise PermissionDenied
        return obj

    def get_edit_url(self):
        return None if self.object.is_frozen else super().get_edit_url()

    def get_delete_url(self):
        return None if self.object.is_frozen else super().get_delete_url()

    @cached_property
    def other_versions(self) -> list[CurriculumVersion]:
        return list(
            CurriculumVersion.objects.filter(curriculum_id=self.object.curriculum_id).exclude(pk=self.object.pk)
            .order_by("-decision_date", "-pk")
        )

    def get_compare_with(self) -> CurriculumVersion | None:
        wanted = self.request.GET.get("compare", "")
        for other in self.other_versions:
            if str(other.pk) == wanted:
                return other
        # By default, the version this one would replace: the approved one, else the latest superseded one.
        for status in (choices.VersionStatus.APPROVED, choices.VersionStatus.SUPERSEDED):
            for other in self.other_versions:
                if other.status == status:
                    return other
        return self.other_versions[0] if self.other_versions else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version, user = self.object, self.request.user
        components = list(version.components.all())
        compare_with = self.get_compare_with()
        version_diff = None
        if compare_with is not None:
            old = CurriculumComponent.objects.filter(version=compare_with).order_by("position", "code")
            version_diff = describe_diff(diff.diff_versions([_snapshot(c) for c in old],
                                                            [_snapshot(c) for c in components]))
        today = datetime.date.today()
        draft = version.status == choices.VersionStatus.DRAFT
        submitted = version.status == choices.VersionStatus.SUBMITTED
        may_change = permissions.has_object_permission(user, CHANGE, version)
        may_approve = permissions.has_object_permission(user, APPROVE, version)
        context.update(
            version=version,
            groups=group_components(components),
            totals=_totals(components),
            component_count=len(components),
            validation=validation_report(version),
            review_overdue=version.is_review_overdue,
            review_due_soon=(
                version.status == choices.VersionStatus.APPROVED and version.next_review_on is not None
                and today <= version.next_review_on <= today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
            ),
            can_submit=may_change and draft,
            can_return=may_change and submitted,
            can_approve=may_approve and submitted,
            can_start=permissions.has_object_permission(user, ADD, CurriculumVersion(curriculum=version.curriculum)),
            can_edit_components=draft and may_change,
            can_comment=permissions.has_object_permission(user, ADD, VersionComment(version=version)),
            approve_form=ApproveForm(initial={
                "decision_number": version.decision_number,
                "decision_date": version.decision_date or today,
                "signer": version.signer,
            }),
            comment_form=CommentForm(),
            comments=list(version.comments.select_related("author")),
            other_versions=self.other_versions,
            compare_with=compare_with,
            diff=version_diff,
            add_component_url=reverse("wagtailsnippets_curricula_curriculumcomponent:add") + f"?version={version.pk}",
            curriculum_url=reverse("wagtailsnippets_curricula_curriculum:inspect", args=(version.curriculum_id,)),
            workflow_urls={action: reverse(WORKFLOW_URL_NAME, args=(version.pk, action))
                           for action in WorkflowView.ACTIONS},
        )
        return context


class WorkflowView(View):
    """One POST, one service: submit, return to draft, approve, start a new version or comment; then back."""

    ACTIONS = ("submit", "return", "approve", "start", "comment")
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        if action not in self.ACTIONS:
            raise Http404
        version = get_object_or_404(selectors.list_curriculum_versions(), pk=pk)
        if not permissions.has_object_permission(request.user, VIEW, version):
            raise PermissionDenied
        back = _version_url(version.pk)
        try:
            back = getattr(self, f"do_{action}")(request, version) or back
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(back)

    def do_submit(self, request, version):
        services.submit_curriculum_version(user=request.user, version=version)
        messages.success(request, _("The version was submitted for approval; it can no longer be edited."))

    def do_return(self, request, version):
        services.return_curriculum_version(user=request.user, version=version)
        messages.success(request, _("The version was returned to draft."))

    def do_approve(self, request, version):
        form = ApproveForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(errors)}"
                                   for name, errors in form.errors.items()])
        services.approve_curriculum_version(user=request.user, version=version, **form.cleaned_data)
        messages.success(request, _("The version was approved; it replaces the previously approved version."))

    def do_start(self, request, version):
        new = services.start_curriculum_version(user=request.user, curriculum=version.curriculum, based_on=version)
        messages.success(request, _("A new draft was started with a copy of the subjects and modules."))
        return _version_url(new.pk)

    def do_comment(self, request, version):
        form = CommentForm(request.POST)
        services.add_version_comment(user=request.user, version=version,
                                     text=form.data.get("text", ""))
        messages.success(request, _("Your comment was added."))


# ------------------------------------------------------------------------------------------ dashboard


class MyCurriculaPanel(Component):
    """Dashboard panel for school staff: their drafts, versions waiting for approval, overdue reviews."""

    name = "curricula_mine"
    order = 60
    template_name = "curricula/admin/my_curricula_panel.html"
    limit = 10

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        user = self.user
        roles = permissions.get_roles(user)
        versions = selectors.list_curriculum_versions()
        own = versions.filter(curriculum__institution_id__in=roles.institution_ids)
        sections = [
            (_("Drafts"), own.filter(status=choices.VersionStatus.DRAFT).order_by("-modified_at")),
            (_("Overdue reviews"), selectors.review_overdue_versions().filter(
                curriculum__institution_id__in=roles.institution_ids)),
        ]
        if roles.head_institution_ids:
            sections.insert(1, (_("Waiting for your approval"), versions.filter(
                status=choices.VersionStatus.SUBMITTED, curriculum__institution_id__in=roles.head_institution_ids
            ).order_by("modified_at")))
        else:
            sections.insert(1, (_("Submitted, waiting for approval"),
                                own.filter(status=choices.VersionStatus.SUBMITTED).order_by("modified_at")))
        context["sections"] = [
            {"title": title, "items": [{"label": str(v), "url": _version_url(v.pk), "version": v}
                                       for v in rows[: self.limit]]}
            for title, rows in sections
        ]
        context["list_url"] = reverse("wagtailsnippets_curricula_curriculumversion:list")
        return context


def construct_panels(request, panels) -> None:
    if permissions.get_roles(request.user).is_school_staff:
        panels.append(MyCurriculaPanel(request.user))

