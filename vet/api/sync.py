"""Data exchange: which rows were deleted since a date, so that another system (a ministry's) can mirror VETtrack
with `modified_since` on the list endpoints plus this feed. Deletions are read from the change history every
registry model keeps (django-simple-history); only the model, id and time are given, never the deleted content."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from vet import permissions

from .filters import UTCDateTimeField

LIMIT = 5000


def _tracked_models():
    for model in apps.get_models():
        if getattr(model, "history", None) is not None and hasattr(model._meta, "simple_history_manager_attribute"):
            yield model


class DeletionsView(APIView):
    """Rows deleted since `since` (ISO 8601, required), oldest first, at most 5,000 a call: ask again from the last
    `deleted_at` while `truncated` is true. Anonymous callers see the deletions of public models; a signed-in user
    also those of the models they may read."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("since", str, required=True, description=str(_("ISO 8601 date and time.")))],
        responses=inline_serializer("Deletions", {
            "since": serializers.DateTimeField(), "truncated": serializers.BooleanField(),
            "results": inline_serializer("Deletion", {
                "model": serializers.CharField(), "id": serializers.IntegerField(),
                "deleted_at": serializers.DateTimeField(),
            }, many=True),
        }),
    )
    def get(self, request):
        raw = request.query_params.get("since", "")
        try:
            since = UTCDateTimeField().clean(raw) if raw else None
        except Exception:
            since = None
        if since is None:
            raise ValidationError({"since": [_("Give the date and time to start from, in ISO 8601.")]})
        rows = []
        for model in _tracked_models():
            if not permissions.has_permission(request.user, permissions.VIEW, model):
                continue
            history = getattr(model, model._meta.simple_history_manager_attribute)
            # One past the limit: a single model with more than LIMIT deletions must still say `truncated`.
            for pk, deleted_at in (history.filter(history_type="-", history_date__gte=since)
                                   .order_by("history_date").values_list("id", "history_date")[:LIMIT + 1]):
                rows.append({"model": model._meta.label_lower, "id": pk, "deleted_at": deleted_at})
        rows.sort(key=lambda r: (r["deleted_at"], r["model"], r["id"]))
        return Response({"since": since, "truncated": len(rows) > LIMIT, "results": rows[:LIMIT]})
