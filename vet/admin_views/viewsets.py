"""The base snippet viewset of a registry model, with its scoped choosers and bulk deletion."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.shortcuts import redirect
from django.utils.functional import cached_property, classproperty
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.panels import ObjectList, extract_panel_definitions_from_model_class
from wagtail.admin.ui.tables import BooleanColumn, DateColumn
from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import get_snippet_models
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from .. import permissions, services
from ..permissions import VIEW
from .forms import FoldedSearchFilterForm, RegistryAdminForm
from .history import RegistryHistoryView
from .policy import forbidden_as_403
from .views import (
    RegistryCreateView,
    RegistryDeleteView,
    RegistryEditView,
    RegistryIndexView,
    RegistryInspectView,
    RegistryUsageView,
)


class ScopedChooserMixin:
    """Chooser modals list only rows the user may view, searchable like the index."""

    def get_object_list(self):
        return permissions.scope_queryset(self.request.user, super().get_object_list(), VIEW)

    def get_filter_form_class(self):
        fields = self.model_class.snippet_viewset.search_fields
        return type("FilterForm", (FoldedSearchFilterForm,), {"search_fields": fields})


class RegistryChooseView(ScopedChooserMixin, snippet_chooser.ChooseView):
    pass


class RegistryChooseResultsView(ScopedChooserMixin, snippet_chooser.ChooseResultsView):
    pass


class RegistryChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return permissions.scope_queryset(self.request.user, self.model_class.objects.all(), VIEW).get(pk=pk)


class RegistryChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return permissions.scope_queryset(self.request.user, self.model_class.objects.filter(pk__in=pks), VIEW)


class RegistryChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = RegistryChooseView
    choose_results_view_class = RegistryChooseResultsView
    chosen_view_class = RegistryChosenView
    chosen_multiple_view_class = RegistryChosenMultipleView


class RegistryDeleteBulkAction(DeleteBulkAction):
    """Bulk deletion of registry rows, one service call each, all or nothing."""

    @classproperty
    def models(cls):
        return [m for m in get_snippet_models() if isinstance(m.snippet_viewset, RegistryViewSet)]

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        request = kwargs["self"].request
        for obj in objects:
            log(instance=obj, action="wagtail.delete", user=request.user, deleted=True)
            delete_service = obj.snippet_viewset.delete_service
            if delete_service is not None:
                delete_service(request.user, obj)
            else:
                services.delete_registry_object(user=request.user, instance=obj)
        return len(objects), 0

    def prepare_action(self, objects, objects_without_access):
        # The service decides what blocks a deletion, not Wagtail's reference index.
        return None

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(self.request, message)
            return redirect(self.next_url)


def boolean_column(model: type[Model], name: str, label: str | None = None) -> BooleanColumn:
    return BooleanColumn(name, label=label or capfirst(model._meta.get_field(name).verbose_name), sort_key=name)


def modified_column() -> DateColumn:
    return DateColumn("modified_at", label=_("Modified"), sort_key="modified_at")


class RegistryViewSet(snippet_views.SnippetViewSet):
    """A registry model in the back-office: list, create, edit, inspect, delete and history."""

    index_view_class = RegistryIndexView
    add_view_class = RegistryCreateView
    edit_view_class = RegistryEditView
    delete_view_class = RegistryDeleteView
    usage_view_class = RegistryUsageView
    history_view_class = RegistryHistoryView
    inspect_view_class = RegistryInspectView
    chooser_viewset_class = RegistryChooserViewSet
    inspect_view_enabled = True
    inspect_view_fields_exclude = ["search_text"]
    copy_view_enabled = False
    search_fields = ["search_text"]
    search_backend_name = None
    base_form_class = RegistryAdminForm
    list_per_page = 25
    queryset_selector = None  # staticmethod returning the rows with their joins, usually from vet.selectors
    # Another app's services, as staticmethods `(user, instance) -> instance` and `(user, instance) -> None`;
    # None saves and deletes through `vet.services`.
    save_service = None
    delete_service = None

    def get_queryset(self, request):
        return self.queryset_selector() if self.queryset_selector else None

    @cached_property
    def _export_columns(self) -> list[tuple[str, str]]:
        columns = []
        for name in [c for c in self.list_display if isinstance(c, str) and c != "__str__"] or ["__str__"]:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                columns.append((name, ""))
                continue
            attribute = f"get_{name}_display" if getattr(field, "choices", None) else name
            columns.append((attribute, str(field.verbose_name)))
        if any(f.name == "modified_at" for f in self.model._meta.get_fields()):
            columns.append(("modified_at", str(self.model._meta.get_field("modified_at").verbose_name)))
        return columns

    @cached_property
    def list_export(self):
        """Every registry list downloads as CSV and XLSX (the index view's export buttons): its columns, choices
        by their label, and when each row last changed. The rows are those the user may see."""
        return [attribute for attribute, _label in self._export_columns]

    @cached_property
    def export_headings(self):
        return {attribute: label for attribute, label in self._export_columns if label}

    def construct_view(self, view_class, **kwargs):
        return forbidden_as_403(super().construct_view(view_class, **kwargs))

    def get_edit_handler(self):
        panels = extract_panel_definitions_from_model_class(self.model, exclude=self.get_exclude_form_fields())
        return ObjectList(panels, base_form_class=self.base_form_class).bind_to_model(self.model)

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(save_service=self.save_service, **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(save_service=self.save_service, **kwargs)

    def get_delete_view_kwargs(self, **kwargs):
        return super().get_delete_view_kwargs(delete_service=self.delete_service, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(history_url_name=self.get_url_name("history"), **kwargs)
