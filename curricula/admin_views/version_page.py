"""The curriculum and version pages, and the workflow buttons behind them (one POST, one service)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages

from vet import permissions
from vet.admin_views import RegistryInspectView
from vet.permissions import ADD, APPROVE, CHANGE, VIEW

from .. import choices, diff, selectors, services
from ..models import CurriculumComponent, CurriculumVersion, SkillFramework, VersionComment
from . import reports
from .editing import ApproveForm, CommentForm, get_visible_version, version_url

REVIEW_NOTICE_DAYS = 180  # how long before its review date a version shows a (soft) notice: a screen's choice
WORKFLOW_URL_NAME = "wagtailsnippets_curricula_curriculumversion:workflow"


class CurriculumInspectView(RegistryInspectView):
    """A curriculum with its versions (those the user may see) and a way to start the first draft."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, curriculum = self.request.user, self.object
        context["versions"] = [
            {"version": v, "url": version_url(v.pk)}
            for v in permissions.scope_queryset(
                user, CurriculumVersion.objects.filter(curriculum=curriculum).order_by("-decision_date", "-pk"), VIEW
            )
        ]
        if permissions.has_object_permission(user, ADD, CurriculumVersion(curriculum=curriculum)):
            context["add_version_url"] = (
                reverse("wagtailsnippets_curricula_curriculumversion:add") + f"?curriculum={curriculum.pk}"
            )
        return context




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
            version_diff = reports.describe_diff(diff.diff_versions([reports.snapshot(c) for c in old],
                                                            [reports.snapshot(c) for c in components]))
        today = datetime.date.today()
        draft = version.status == choices.VersionStatus.DRAFT
        submitted = version.status == choices.VersionStatus.SUBMITTED
        may_change = permissions.has_object_permission(user, CHANGE, version)
        may_approve = permissions.has_object_permission(user, APPROVE, version)
        context.update(
            version=version,
            groups=reports.group_components(components),
            totals=reports.totals(components),
            component_count=len(components),
            validation=reports.validation_report(version),
            review_overdue=version.is_review_overdue,
            review_due_soon=(
                version.status == choices.VersionStatus.APPROVED and version.next_review_on is not None
                and today <= version.next_review_on <= today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
            ),
            can_submit=may_change and draft,
            can_return=may_change and submitted,
            can_approve=may_approve and submitted,
            can_start=version.is_frozen and permissions.has_object_permission(
                user, ADD, CurriculumVersion(curriculum=version.curriculum)),
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
            export_url=reverse("wagtailsnippets_curricula_curriculumversion:export", args=(version.pk,)),
            import_url=reverse("wagtailsnippets_curricula_curriculumversion:import", args=(version.pk,)),
            template_url=reverse("wagtailsnippets_curricula_curriculumversion:template"),
            mapping_url=reverse("curricula_version_mapping", args=(version.pk,)),
            coverages=self.get_coverages(),
        )
        return context

    def get_coverages(self) -> list[dict]:
        """Coverage of this version against each framework it is mapped to (a handful: a query or three each)."""
        frameworks = SkillFramework.objects.filter(
            units__component_mappings__component__version=self.object).distinct().order_by("code")
        mapping_url = reverse("curricula_version_mapping", args=(self.object.pk,))
        return [{"framework": f, "report": services.get_coverage(self.object, f),
                 "url": f"{mapping_url}?framework={f.pk}"} for f in frameworks]


class WorkflowView(View):
    """One POST, one service: submit, return to draft, approve, start a new version or comment; then back."""

    ACTIONS = ("submit", "return", "approve", "start", "comment")
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        if action not in self.ACTIONS:
            raise Http404
        version = get_visible_version(request.user, pk)
        back = version_url(version.pk)
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
        return version_url(new.pk)

    def do_comment(self, request, version):
        services.add_version_comment(user=request.user, version=version, text=request.POST.get("text", ""))
        messages.success(request, _("Your comment was added."))
