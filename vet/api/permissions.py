"""DRF adapter over vet.permissions: the API asks the same module as the admin."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from vet import permissions

METHOD_ACTIONS = {"POST": permissions.ADD, "PUT": permissions.CHANGE, "PATCH": permissions.CHANGE,
                  "DELETE": permissions.DELETE}


def action_for(method: str) -> str:
    return permissions.VIEW if method in SAFE_METHODS else METHOD_ACTIONS.get(method, permissions.CHANGE)


class RegistryPermission(BasePermission):
    """Model-level and row-level checks, both from vet.permissions."""

    def has_permission(self, request, view) -> bool:
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            return True
        return permissions.has_permission(request.user, action_for(request.method), queryset.model)

    def has_object_permission(self, request, view, obj) -> bool:
        return permissions.has_object_permission(request.user, action_for(request.method), obj)
