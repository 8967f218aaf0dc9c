"""Curricula in the Wagtail back-office: the registry's views (`vet.admin_views`) saving through
`curricula.services`, the version page with its validation report, workflow, diff and comments, and the
dashboard panel. Every decision is made by `vet.permissions` and every write by one service call."""

from .dashboard import MyCurriculaPanel, construct_panels
from .editing import (
    ApproveForm,
    CommentForm,
    ComponentCreateView,
    ComponentEditView,
    CurriculaAdminForm,
    ReviewColumn,
    VersionCreateView,
    VersionEditView,
    delete_component,
    delete_curriculum,
    delete_version,
    save_component,
    save_curriculum,
    save_version,
    version_url,
)
from .reports import describe_diff, group_components, validation_report
from .spreadsheets import ComponentTemplateView, VersionExportView, VersionImportView
from .version_page import CurriculumInspectView, VersionInspectView, WorkflowView

__all__ = [
    "ApproveForm",
    "CommentForm",
    "ComponentTemplateView",
    "ComponentCreateView",
    "ComponentEditView",
    "CurriculaAdminForm",
    "CurriculumInspectView",
    "MyCurriculaPanel",
    "ReviewColumn",
    "VersionCreateView",
    "VersionEditView",
    "VersionExportView",
    "VersionImportView",
    "VersionInspectView",
    "WorkflowView",
    "construct_panels",
    "delete_component",
    "delete_curriculum",
    "delete_version",
    "describe_diff",
    "group_components",
    "save_component",
    "save_curriculum",
    "save_version",
    "validation_report",
    "version_url",
]
