"""The provincial authority's reports: curricula due for review and the validation of current versions.

Each lists only the versions of the user's jurisdiction: an officer's province(s), a school's own versions,
everything for an administrator (the institutions `vet.permissions.institutions_for` the user), among the
versions `vet.permissions.scope_queryset` lets the user view. CSV and XLSX export come from Wagtail's ReportView.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.reports import ReportView

from vet import permissions

from .. import choices, selectors, services
from ..admin_views.editing import version_url
from ..models import CurriculumComponent
from .forms import ReviewDueFilterSet, ValidationFilterSet


def jurisdiction_versions(user, queryset):
    """Versions of `queryset` the user may view, of the institutions in the user's jurisdiction."""
    return permissions.scope_queryset(user, queryset, permissions.VIEW).filter(
        curriculum__institution__in=permissions.institutions_for(user)
    )


class VersionReportView(ReportView):
    """What both reports share: the rows, their columns and their export."""

    header_icon = "doc-full"
    paginate_by = 50
    base_columns = [
        TitleColumn("school", label=_("School"), accessor="curriculum.institution.name_vi",
                    get_url=lambda v: version_url(v.pk)),
        Column("province", label=_("Province"), accessor="curriculum.institution.province"),
        Column("occupation", label=_("Occupation"), accessor="curriculum.occupation"),
        Column("level", label=_("Level"), accessor="curriculum.get_level_display"),
        Column("decision", label=_("Decision"), accessor="decision_number"),
    ]
    base_export = ["curriculum.institution.name_vi", "curriculum.institution.province", "curriculum.occupation",
                   "curriculum.get_level_display", "decision_number"]
    base_headings = {
        "curriculum.institution.name_vi": _("School"),
        "curriculum.institution.province": _("Province"),
        "curriculum.occupation": _("Occupation"),
        "curriculum.get_level_display": _("Level"),
        "decision_number": _("Decision"),
    }

    def get_base_versions(self):
        raise NotImplementedError

    def get_queryset(self):
        versions = self.get_base_versions().select_related("curriculum__institution__province",
                                                           "curriculum__occupation")
        return jurisdiction_versions(self.request.user, versions)

    @cached_property
    def filter_value(self):
        filters = self.filters
        if filters is None or not filters.is_valid():
            return {}
        return filters.form.cleaned_data

    def get_filename(self):
        return f"{self.export_filename}-{datetime.date.today():%Y-%m-%d}"


class ReviewDueReportView(VersionReportView):
    """Approved versions past their next review date and, with the toggle, those due within N days."""

    page_title = _("Curricula due for review")
    header_icon = "time"
    results_template_name = "curricula/admin/review_report_results.html"
    index_url_name = "curricula_review_report"
    index_results_url_name = "curricula_review_report_results"
    export_filename = "curricula-due-for-review"

    filterset_class = ReviewDueFilterSet

    columns = VersionReportView.base_columns + [
        DateColumn("approved_on", label=_("Approved on")),
        Column("next_review_on", label=_("Next review on")),
        Column("days_overdue", label=_("Days overdue")),
    ]
    list_export = VersionReportView.base_export + ["approved_on", "next_review_on", "days_overdue"]
    export_headings = {**VersionReportView.base_headings, "approved_on": _("Approved on"),
                       "next_review_on": _("Next review on"), "days_overdue": _("Days overdue")}

    def get_base_versions(self):
        within = self.filter_value.get("due_within")
        versions = selectors.review_overdue_versions()
        if within:
            versions = versions | selectors.review_due_versions(int(within))
        return versions.order_by("next_review_on", "pk")

    def decorate_paginated_queryset(self, object_list):
        today = datetime.date.today()
        for version in object_list:
            version.days_overdue = (today - version.next_review_on).days
        return object_list

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["per_school"] = (
            self.object_list.order_by().values("curriculum__institution__name_vi",
                                               "curriculum__institution__province__name_vi")
            .annotate(count=Count("pk")).order_by("-count", "curriculum__institution__name_vi")
        )
        return context


class ValidationReportView(VersionReportView):
    """Current versions (approved, and the newest draft or submitted one) checked against the rules in force."""

    page_title = _("Curriculum validation")
    header_icon = "warning"
    results_template_name = "curricula/admin/validation_report_results.html"
    index_url_name = "curricula_validation_report"
    index_results_url_name = "curricula_validation_report_results"
    export_filename = "curriculum-validation"

    filterset_class = ValidationFilterSet

    columns = VersionReportView.base_columns + [
        StatusTagColumn("status_label", label=_("Status"), primary=lambda v: v.status == "approved"),
        StatusTagColumn("result", label=_("Result"), primary=lambda v: v.report is not None and v.report.passed),
        Column("failure_count", label=_("Failures")),
        Column("warning_count", label=_("Warnings")),
    ]
    list_export = VersionReportView.base_export + ["status_label", "result", "failure_count", "warning_count"]
    export_headings = {**VersionReportView.base_headings, "status_label": _("Status"), "result": _("Result"),
                       "failure_count": _("Failures"), "warning_count": _("Warnings")}

    def get_base_versions(self):
        status = self.filter_value.get("status")
        if status:
            return selectors.list_curriculum_versions().filter(status=status)
        return selectors.list_current_versions()

    def get_queryset(self):
        return super().get_queryset().order_by("curriculum__institution__name_vi", "curriculum__occupation__code",
                                               "curriculum__level", "-pk")

    def get_filtered_queryset(self):
        versions = super().get_filtered_queryset()
        self.reports = None
        if self.filter_value.get("failing"):
            # Failing is known only after checking: check them all at once, keep the failing ones.
            self.reports = services.validate_versions(versions)
            versions = versions.filter(pk__in=[pk for pk, r in self.reports.items() if not r.passed])
        return versions

    def decorate_paginated_queryset(self, object_list):
        versions = list(object_list)
        if self.reports is None:
            self.reports = services.validate_versions(versions_with_components(versions))
        statuses = dict(choices.VersionStatus.choices)
        for version in versions:
            report = self.reports.get(version.pk)
            version.report = report
            version.status_label = statuses.get(version.status, version.status)
            if report is None:
                version.result = gettext("No rule set in force")
                version.failure_count = version.warning_count = None
            else:
                version.result = gettext("Passes") if report.passed else gettext("Fails")
                version.failure_count = len(report.failures)
                version.warning_count = len(report.warnings)
        return versions


def versions_with_components(versions):
    """The versions of one page with their components loaded in one query, for `services.validate_versions`."""
    prefetch_related_objects(
        versions, Prefetch("components", queryset=CurriculumComponent.objects.order_by("position", "code"))
    )
    return versions
