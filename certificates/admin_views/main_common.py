"""Pieces shared by the certificates back-office screens: the submenu's hooks, plain search, read-only viewsets,
the learner's permission policy and the scoped choices of the filters and forms."""

from __future__ import annotations

from functools import reduce
from operator import or_

import django_filters
from django.contrib.admin.utils import quote
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column

from vet import permissions
from vet.admin_views import RegistryPermissionPolicy, RegistryViewSet
from vet.models import Institution
from vet.permissions import ADD, VIEW

from ..models import Enrolment, Learner

# Other modules (imports, register book, batches) add their MenuItems to the "Certificates" submenu with
# `@hooks.register(MENU_HOOK)`; the hook CONSTRUCT_HOOK may reorder or remove items per request.
MENU_HOOK = "register_certificates_menu_item"
CONSTRUCT_HOOK = "construct_certificates_menu"
URL_PREFIX = "wagtailsnippets_certificates_"


def snippet_url(model: type[Model], view: str, *args) -> str:
    """The URL of one of the certificates viewsets' views, e.g. snippet_url(Diploma, "inspect", pk)."""
    return reverse(f"{URL_PREFIX}{model._meta.model_name}:{view}", args=args)


def plain_search(queryset: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """Rows where every word of `query` occurs in one of `fields`, as typed: these models keep no folded copy of
    their names (unlike the registry's `search_text`), so "Tuyết" finds "Tuyết" and codes match case-insensitively."""
    for word in query.split():
        queryset = queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)))
    return queryset


class PlainSearchMixin:
    """An index view searching its `search_fields` with `plain_search` (the registry's search folds diacritics
    and reads `search_text`, which these models do not have)."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return plain_search(queryset, self.search_query, self.search_fields).distinct()


def institutions_with_rows(user, model: type[Model]) -> QuerySet[Institution]:
    """Institutions owning at least one row of `model` that `user` may view: the choices of an institution
    filter, so that nobody is offered schools they cannot see."""
    path = permissions.INSTITUTION_PATH[model]
    rows = permissions.scope_queryset(user, model._default_manager.all(), VIEW)
    return Institution.objects.filter(pk__in=rows.values(path)).order_by("name_vi")


def writable_institutions(user) -> QuerySet[Institution]:
    """Institutions for which `user` keeps records: a school's staff their own school, administrators every one."""
    roles = permissions.get_roles(user)
    if roles.is_admin:
        return Institution.objects.order_by("name_vi")
    return Institution.objects.filter(pk__in=roles.institution_ids).order_by("name_vi")


def institution_filter(model: type[Model], field_name: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        label=_("Institution"),
        queryset=lambda request: institutions_with_rows(request.user, model) if request else Institution.objects.none(),
    )


def visible_enrolments(user) -> QuerySet[Enrolment]:
    return permissions.scope_queryset(user, Enrolment.objects.all(), VIEW)


class LearnerPermissionPolicy(RegistryPermissionPolicy):
    """A learner has no institution (one row per citizen ID across schools): `user` sees the learners enrolled in
    a cohort whose enrolments `vet.permissions` lets them see. Nobody edits a learner here: a school registers one
    by enrolling them (`services.save_learner`), and the service never overwrites another school's record."""

    def user_has_permission(self, user, action):
        return action == VIEW and permissions.has_permission(user, VIEW, Enrolment)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return action == VIEW and visible_enrolments(user).filter(learner_id=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if VIEW not in actions:
            return Learner.objects.none()
        return Learner.objects.filter(pk__in=visible_enrolments(user).values("learner_id"))

    def users_with_any_permission_for_instance(self, actions, instance):
        return self._users_where(
            lambda user: any(self.user_has_permission_for_instance(user, a, instance) for a in actions)
        )


def may_add(user, instance: Model) -> bool:
    return permissions.has_object_permission(user, ADD, instance)


class InspectURLFinder(ModelAdminURLFinder):
    """Read-only models have no edit view: Wagtail's "edit" links (search, logs) open the inspect page."""

    inspect_url_name = None

    def construct_edit_url(self, instance):
        return reverse(self.inspect_url_name, args=(quote(instance.pk),))

    def get_edit_url(self, instance):
        policy = self.permission_policy
        if self.user and not policy.user_has_permission_for_instance(self.user, VIEW, instance):
            return None
        return self.construct_edit_url(instance)


READ_ONLY_ROUTES = {"add", "edit", "delete", "usage", "history", "history_results"}


class ReadOnlyViewSetMixin:
    """A snippet viewset with a list and an inspect page only: its writes are a service's (issue, revoke,
    re-issue, enrol), reached from buttons of its own, never through a generic form."""

    add_to_reference_index = False

    def get_common_view_kwargs(self, **kwargs):
        names = {
            "add_url_name": None,
            "edit_url_name": None,
            "delete_url_name": None,
            "usage_url_name": None,
            "history_url_name": None,
        }
        return super().get_common_view_kwargs(**{**names, **kwargs})

    def get_inspect_view_kwargs(self, **kwargs):
        # Skips RegistryViewSet's, which links the history view these models do not have.
        return super(RegistryViewSet, self).get_inspect_view_kwargs(**{**kwargs, "history_url_name": None})

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in READ_ONLY_ROUTES]

    @property
    def url_finder_class(self):
        return type(
            "_InspectURLFinder",
            (InspectURLFinder,),
            {
                "inspect_url_name": self.get_url_name("inspect"),
                "permission_policy": self.permission_policy,
            },
        )


class NoBulkActionsMixin:
    """An index without the bulk-selection checkboxes (nothing of these rows may be deleted in bulk)."""

    @cached_property
    def columns(self):
        return [c for c in super().columns if c.name != "bulk_actions"]


def date_column(name: str, label) -> Column:
    """A date as a date ("15/07/2026"), not as Wagtail's "4 months ago": these dates are printed and cited."""

    def display(instance) -> str:
        value = getattr(instance, name)
        return date_format(value, "SHORT_DATE_FORMAT") if value else "—"

    return Column(name, label=label, accessor=display, sort_key=name)


class TemplateColumn(Column):
    """A column drawn by a template of this app, given the row as `instance`."""

    def __init__(self, name, template_name: str, **kwargs):
        super().__init__(name, **kwargs)
        self.cell_template_name = template_name
