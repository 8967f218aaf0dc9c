"""Wagtail's generic snippet views, checked per row and saving through `vet.services`."""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.snippets.views import snippets as snippet_views

from .. import permissions, services
from ..models import EnterprisePartner, KeyOccupationDesignation, Membership, ScopeEntry, Teacher
from ..permissions import ADD, CHANGE, DELETE, VIEW, WRITE_ACTIONS
from .forms import add_service_errors, search_queryset
from .policy import ObjectPermissionMixin


class RegistryIndexView(snippet_views.IndexView):
    """Lists only the rows the user may view; searches the folded `search_text` columns."""

    def get_base_queryset(self):
        return permissions.scope_queryset(self.request.user, super().get_base_queryset(), VIEW)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_queryset(queryset, self.search_query, self.search_fields)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        self._page_pks = [obj.pk for obj in object_list]
        return paginator, page, object_list, is_paginated

    @cached_property
    def _permitted_pks(self) -> dict[str, set]:
        return {}

    def _permitted(self, action: str, instance: Model) -> bool:
        # One query per action for the whole page instead of one per row and button.
        if not self.user_has_permission(action):
            return False
        page_pks = getattr(self, "_page_pks", None)
        if page_pks is None or instance.pk not in page_pks:
            return self.permission_policy.user_has_permission_for_instance(self.request.user, action, instance)
        if action not in self._permitted_pks:
            allowed = self.permission_policy.instances_user_has_permission_for(self.request.user, action)
            self._permitted_pks[action] = set(allowed.filter(pk__in=page_pks).values_list("pk", flat=True))
        return instance.pk in self._permitted_pks[action]

    def get_edit_url(self, instance):
        if self.edit_url_name and self._permitted(CHANGE, instance):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))

    def get_delete_url(self, instance):
        if self.delete_url_name and self._permitted(DELETE, instance):
            return reverse(self.delete_url_name, args=(quote(instance.pk),))

    def get_inspect_url(self, instance):
        if self.inspect_url_name and self._permitted(VIEW, instance):
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))


class ServiceSaveMixin:
    """Saves through `save_service` (by default `services.save_registry_object`): its ValidationError goes on the
    form, PermissionDenied is 403."""

    log_action = "wagtail.edit"
    save_service = None  # another app's `(user, instance) -> instance`, set by its viewset

    def save_object(self, instance: Model) -> Model:
        if self.save_service is not None:
            return self.save_service(self.request.user, instance)
        return services.save_registry_object(user=self.request.user, instance=instance)

    def save_instance(self):
        with transaction.atomic():
            instance = self.save_object(self.form.instance)
            log(
                instance=instance,
                action=self.log_action,
                user=self.request.user,
                content_changed=self.form.has_changed(),
            )
        return instance

    def form_valid(self, form):
        # Replaces Wagtail's form_valid, which would turn a PermissionDenied from the save into a form error.
        self.form = form
        try:
            self.object = self.save_instance()
        except ValidationError as exc:
            add_service_errors(form, exc)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class RegistryCreateView(ServiceSaveMixin, snippet_views.CreateView):
    log_action = "wagtail.create"


class MembershipCreateView(RegistryCreateView):
    """A new membership is a role grant: `services.grant_role` also gives admin access."""

    def save_object(self, instance: Membership) -> Membership:
        services.require_permission(self.request.user, ADD, instance)  # grant_role itself does not check
        return services.grant_role(
            user=instance.user,
            role=instance.role,
            authority=instance.authority,
            institution=instance.institution,
            by=self.request.user,
        )


class RegistryEditView(ObjectPermissionMixin, ServiceSaveMixin, snippet_views.EditView):
    object_actions = (CHANGE,)

    def get_inspect_url(self):
        return self.url_if_permitted(self.inspect_url_name, VIEW, self.object)


class RegistryDeleteView(ObjectPermissionMixin, snippet_views.DeleteView):
    """Deletes through `delete_service` (by default `services.delete_registry_object`); a refusal is shown on the
    confirmation page."""

    object_actions = (DELETE,)
    delete_service = None  # another app's `(user, instance) -> None`, set by its viewset

    def delete_action(self):
        with transaction.atomic():
            log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)
            if self.delete_service is not None:
                self.delete_service(self.request.user, self.object)
            else:
                services.delete_registry_object(user=self.request.user, instance=self.object)

    def form_valid(self, form):
        # Wagtail would refuse from its reference index; the service is the one that knows what blocks a deletion.
        success_url = self.get_success_url()
        try:
            self.delete_action()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(self.request, message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, self.get_success_message())
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else redirect(success_url)


class RegistryUsageView(ObjectPermissionMixin, snippet_views.UsageView):
    object_actions = (CHANGE,)


class RegistryInspectView(ObjectPermissionMixin, snippet_views.InspectView):
    object_actions = (VIEW,)
    history_url_name = None

    def get_edit_url(self):
        return self.url_if_permitted(self.edit_url_name, CHANGE, self.object)

    def get_delete_url(self):
        return self.url_if_permitted(self.delete_url_name, DELETE, self.object)

    def get_history_url(self):
        if self.history_url_name and self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, WRITE_ACTIONS, self.object
        ):
            return reverse(self.history_url_name, args=(quote(self.object.pk),))

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if history_url := self.get_history_url():
            buttons.append(Button(_("History"), url=history_url, icon_name="history", priority=30))
        return buttons

    def get_field_display_value(self, field_name=None, field=None):
        if field_name is None:
            # Wagtail first tries `get_<name>_display_value()`: for Occupation.field that is this very method.
            value = self.object.field
        else:
            value = super().get_field_display_value(field_name, field)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return "—" if value is None or value == "" else value


class InstitutionInspectView(RegistryInspectView):
    """An institution with its scope, key occupations, teachers and partners."""

    related_limit = 10

    def get_related_sections(self) -> list[dict]:
        institution = self.object
        related = [
            (ScopeEntry, ScopeEntry.objects.select_related("occupation")),
            (KeyOccupationDesignation, KeyOccupationDesignation.objects.select_related("occupation")),
            (Teacher, Teacher.objects.all()),
            (EnterprisePartner, EnterprisePartner.objects.all()),
        ]
        sections = []
        for model, queryset in related:
            if not permissions.has_permission(self.request.user, VIEW, model):
                continue
            rows = permissions.scope_queryset(self.request.user, queryset.filter(institution=institution), VIEW)
            viewset = model.snippet_viewset
            sections.append(
                {
                    "title": capfirst(model._meta.verbose_name_plural),
                    "count": rows.count(),
                    "items": [
                        {"label": _related_label(row), "url": reverse(viewset.get_url_name("inspect"), args=(row.pk,))}
                        for row in rows[: self.related_limit]
                    ],
                    "index_url": f"{reverse(viewset.get_url_name('list'))}?institution={institution.pk}",
                }
            )
        return sections

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_sections"] = self.get_related_sections()
        return context


def _related_label(row: Model) -> str:
    # The institution is the page's subject: name the row without repeating it.
    if hasattr(row, "occupation"):
        extra = f" · {row.get_tier_display()} · {row.period}" if hasattr(row, "tier") else ""
        return f"{row.occupation} · {row.get_level_display()}{extra}"
    return str(row)


class RolePanel(Component):
    """Dashboard panel naming the user's roles, with the authority's short name (DOLISA, DOET) users know."""

    name = "vet_roles"
    order = 50
    template_name = "vet/admin/role_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        user = parent_context["request"].user
        context["memberships"] = Membership.objects.filter(user=user).select_related(
            "authority__province", "institution__province"
        )
        return context
