"""Wagtail's permission questions about registry rows, answered by `vet.permissions`."""

from __future__ import annotations

from functools import reduce, wraps
from operator import or_

from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.shortcuts import render
from django.urls import reverse
from wagtail.permission_policies.base import BasePermissionPolicy

from .. import permissions
from ..permissions import VIEW


class RegistryPermissionPolicy(BasePermissionPolicy):
    """Wagtail's questions about a registry model, answered by `vet.permissions`."""

    def user_has_permission(self, user, action):
        return permissions.has_permission(user, action, self.model)

    def user_has_any_permission(self, user, actions):
        return any(permissions.has_permission(user, action, self.model) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return permissions.has_object_permission(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        return reduce(or_, (permissions.scope_queryset(user, queryset, action) for action in actions))

    def users_with_any_permission(self, actions):
        return self._users_where(lambda user: self.user_has_any_permission(user, actions))

    def users_with_any_permission_for_instance(self, actions, instance):
        return self._users_where(
            lambda user: any(permissions.has_object_permission(user, a, instance) for a in actions)
        )

    @staticmethod
    def _users_where(allowed) -> QuerySet:
        # Only for Wagtail's rare "who may …" questions (notifications): exact, not fast.
        users = get_user_model().objects.filter(is_active=True)
        candidates = users.filter(Q(is_superuser=True) | Q(memberships__isnull=False)).distinct()
        return users.filter(pk__in=[user.pk for user in candidates if allowed(user)])


class ObjectPermissionMixin:
    """Refuses (403) a row the user may not act on; Wagtail's generic views check the model only."""

    object_actions: tuple[str, ...] = (VIEW,)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is not None and not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, self.object_actions, obj
        ):
            raise PermissionDenied
        return obj

    def user_has_permission_for(self, action: str, obj: Model) -> bool:
        return self.permission_policy.user_has_permission_for_instance(self.request.user, action, obj)

    def url_if_permitted(self, url_name: str | None, action: str, obj: Model) -> str | None:
        if url_name and self.user_has_permission_for(action, obj):
            return reverse(url_name, args=(quote(obj.pk),))
        return None


def forbidden_as_403(view):
    """Wagtail answers a refusal with a redirect to the dashboard; the registry answers 403, as its API does."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return render(request, "vet/admin/permission_denied.html", status=403)

    return wrapped
