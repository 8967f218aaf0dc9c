"""Wagtail back-office for the registry: the pieces behind the snippet viewsets in `vet.wagtail_hooks`.

Every permission decision is delegated to `vet.permissions` and every write to `vet.services`; these classes
only adapt Wagtail's generic views to them. Wagtail checks permissions per model, so the views add the per-row
checks (edit, inspect, delete, history, usage) and scope lists and choosers to what the user may see.
"""

from .accreditation import AccreditationFrameworkInspectView
from .forms import RegistryAdminForm, add_service_errors, search_queryset
from .history import RegistryHistoryView, describe_changes
from .policy import ObjectPermissionMixin, RegistryPermissionPolicy, forbidden_as_403
from .readiness_data import (
    EquipmentChecklistInspectView,
    EquipmentItemCreateView,
    FrameworkExportView,
    FrameworkImportView,
    FrameworkIndexView,
    SpreadsheetImportView,
    SpreadsheetIndexView,
    TemplateView,
)
from .views import (
    InstitutionInspectView,
    MembershipCreateView,
    RegistryCreateView,
    RegistryDeleteView,
    RegistryEditView,
    RegistryIndexView,
    RegistryInspectView,
    RegistryUsageView,
    RolePanel,
)
from .viewsets import RegistryChooserViewSet, RegistryDeleteBulkAction, RegistryViewSet, boolean_column, modified_column

__all__ = [
    "EquipmentChecklistInspectView",
    "EquipmentItemCreateView",
    "FrameworkExportView",
    "FrameworkImportView",
    "FrameworkIndexView",
    "SpreadsheetImportView",
    "SpreadsheetIndexView",
    "TemplateView",
    "AccreditationFrameworkInspectView",
    "InstitutionInspectView",
    "MembershipCreateView",
    "ObjectPermissionMixin",
    "RegistryAdminForm",
    "RegistryChooserViewSet",
    "RegistryCreateView",
    "RegistryDeleteBulkAction",
    "RegistryDeleteView",
    "RegistryEditView",
    "RegistryHistoryView",
    "RegistryIndexView",
    "RegistryInspectView",
    "RegistryPermissionPolicy",
    "RegistryUsageView",
    "RegistryViewSet",
    "RolePanel",
    "add_service_errors",
    "boolean_column",
    "describe_changes",
    "forbidden_as_403",
    "modified_column",
    "search_queryset",
]
