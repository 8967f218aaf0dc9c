"""The "My curricula" dashboard panel of school staff."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from vet import permissions

from .. import choices, selectors
from .editing import version_url


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
            {"title": title, "items": [{"label": str(v), "url": version_url(v.pk), "version": v}
                                       for v in rows[: self.limit]]}
            for title, rows in sections
        ]
        context["list_url"] = reverse("wagtailsnippets_curricula_curriculumversion:list")
        return context


def construct_panels(request, panels) -> None:
    if permissions.get_roles(request.user).is_school_staff:
        panels.append(MyCurriculaPanel(request.user))
