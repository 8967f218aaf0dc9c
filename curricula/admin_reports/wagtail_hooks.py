"""Registers the skill-standard menu, the mapping page and the authority's reports with Wagtail."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from vet import permissions
from vet.admin_views import RegistryPermissionPolicy, forbidden_as_403

from ..models import (
    ComponentUnitMapping,
    CurriculumRule,
    CurriculumRuleSet,
    PerformanceCriterion,
    SkillFramework,
    SkillUnit,
)
from .reports import ReviewDueReportView, ValidationReportView
from .views import VersionMappingView

STANDARD_MODELS = (SkillFramework, SkillUnit, PerformanceCriterion, ComponentUnitMapping, CurriculumRuleSet,
                   CurriculumRule)

# Registered before the viewsets, which would otherwise create Wagtail's default (Django-permission) policies.
for _model in STANDARD_MODELS:
    register_permission_policy(_model, RegistryPermissionPolicy(_model), exact_class=True)

from .viewsets import SkillStandardsViewSetGroup  # noqa: E402 - after the policies, see above

register_snippet(SkillStandardsViewSetGroup)


@hooks.register("register_admin_urls")
def register_curricula_admin_urls():
    return [
        path("curricula/versions/<int:pk>/mapping/", forbidden_as_403(VersionMappingView.as_view()),
             name="curricula_version_mapping"),
        path("reports/curricula-review/", forbidden_as_403(ReviewDueReportView.as_view()),
             name="curricula_review_report"),
        path("reports/curricula-review/results/",
             forbidden_as_403(ReviewDueReportView.as_view(results_only=True)),
             name="curricula_review_report_results"),
        path("reports/curricula-validation/", forbidden_as_403(ValidationReportView.as_view()),
             name="curricula_validation_report"),
        path("reports/curricula-validation/results/",
             forbidden_as_403(ValidationReportView.as_view(results_only=True)),
             name="curricula_validation_report_results"),
    ]


class JurisdictionMenuItem(MenuItem):
    """Shown to administrators, officers and school staff: the reports cover their own jurisdiction."""

    def is_shown(self, request):
        roles = permissions.get_roles(request.user)
        return roles.is_admin or roles.is_officer or roles.is_school_staff


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    return JurisdictionMenuItem(_("Curricula due for review"), reverse("curricula_review_report"),
                                name="curricula-review", icon_name="time", order=100)


@hooks.register("register_reports_menu_item")
def register_validation_report_menu_item():
    return JurisdictionMenuItem(_("Curriculum validation"), reverse("curricula_validation_report"),
                                name="curricula-validation", icon_name="warning", order=110)
