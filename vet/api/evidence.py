"""The evidence library in the API: `/api/v1/evidence/` with its `versions/` and `download/` actions.

Evidence is not public: staff of the school read and write it, officers of its province read it. Every write goes
through `vet.services_evidence`; files are served only by `download/`, after the permission check."""

from __future__ import annotations

import datetime

import django_filters as filters
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from vet import permissions, services_evidence
from vet.admin_views.evidence import version_response
from vet.models import Evidence, EvidenceVersion, Institution

from .filters import RegistryFilterSet
from .serializers import NaturalKeyField

EXPIRING_DAYS = 60


class EvidenceVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceVersion
        fields = ["number", "has_file", "url", "original_name", "content_type", "size", "sha256", "note",
                  "uploaded_by", "created_at"]
        read_only_fields = fields

    def get_has_file(self, version) -> bool:
        return bool(version.file)


class EvidenceSerializer(serializers.ModelSerializer):
    institution = NaturalKeyField(slug_field="code", queryset=Institution.objects.all())
    latest_version = serializers.SerializerMethodField()
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "institution", "code", "title", "period_start", "period_end", "owner", "expires_on",
                  "version_count", "latest_version", "created_at", "modified_at"]
        read_only_fields = ["id", "version_count", "latest_version", "created_at", "modified_at"]
        validators = []  # the service names a duplicate code on the code field

    @extend_schema_field(EvidenceVersionSerializer(allow_null=True))
    def get_latest_version(self, evidence):
        versions = list(evidence.versions.all())
        return EvidenceVersionSerializer(versions[-1]).data if versions else None


class EvidenceUpdateSerializer(EvidenceSerializer):
    class Meta(EvidenceSerializer.Meta):
        read_only_fields = [*EvidenceSerializer.Meta.read_only_fields, "institution"]


def _one_source(attrs: dict) -> dict:
    if attrs.get("file") and attrs.get("url"):
        raise serializers.ValidationError({"url": _("Give either a file or a link, not both.")})
    if not attrs.get("file") and not attrs.get("url"):
        raise serializers.ValidationError({"file": _("Give a file or a link.")})
    return attrs


class VersionInputSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, allow_empty_file=True,
                                 help_text="The file (multipart only); give either it or `url`.")
    url = serializers.URLField(required=False, allow_blank=True, max_length=500,
                               help_text="A link instead of a file.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")

    def validate(self, attrs):
        return _one_source(attrs)


class VersionLinkSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="A link to the evidence.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class EvidenceCreateSerializer(EvidenceSerializer):
    file = serializers.FileField(required=False, allow_empty_file=True, write_only=True,
                                 help_text="Version 1 as a file (multipart only); give either it or `url`.")
    url = serializers.URLField(required=False, allow_blank=True, max_length=500, write_only=True,
                               help_text="Version 1 as a link.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="", write_only=True)

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "file", "url", "note"]

    def validate(self, attrs):
        return _one_source(attrs)


class EvidenceCreateLinkSerializer(EvidenceSerializer):
    url = serializers.URLField(max_length=500, write_only=True, help_text="Version 1 as a link.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="", write_only=True)

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "url", "note"]


class DownloadQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=32767)


class EvidenceFilter(RegistryFilterSet):
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    expiry = filters.ChoiceFilter(
        method="filter_expiry", label=_("Expiry"),
        choices=[("expired", _("Expired")), ("expiring", _("Expiring within 60 days"))],
    )
    changed_at = ("modified_at", "versions__modified_at")

    class Meta:
        model = Evidence
        fields = []

    def filter_expiry(self, queryset, name, value):
        today = datetime.date.today()
        if value == "expired":
            return queryset.filter(expires_on__lt=today)
        return queryset.filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(EXPIRING_DAYS))


def _evidence():
    return (
        Evidence.objects.select_related("institution")
        .annotate(version_count=Count("versions"))
        .prefetch_related(Prefetch(
            "versions", queryset=EvidenceVersion.objects.select_related("uploaded_by").order_by("number")
        ))
    )


BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The stored file, as an attachment with its type.")


@extend_schema_view(
    list=extend_schema(description="Evidence (minh chứng) of the institutions you may see, with its latest "
                                   "version. Not public: staff of the school and officers of its province."),
    retrieve=extend_schema(description="One piece of evidence with its latest version."),
    create=extend_schema(
        request={"multipart/form-data": EvidenceCreateSerializer, "application/json": EvidenceCreateLinkSerializer},
        responses={201: EvidenceSerializer},
        description="Create evidence with its version 1: a file (multipart) or a link (`url`). Files are checked "
                    "against the accepted types and size limit before anything is written.",
    ),
    update=extend_schema(request=EvidenceUpdateSerializer, responses=EvidenceSerializer,
                         description="Change the metadata; the content changes only by a new version."),
    partial_update=extend_schema(request=EvidenceUpdateSerializer, responses=EvidenceSerializer,
                                 description="Change some of the metadata."),
    destroy=extend_schema(description="Delete evidence and its versions; refused while a submitted "
                                      "self-assessment cites it."),
)
class EvidenceViewSet(viewsets.ModelViewSet):
    """The evidence library of the institutions (staff of the school write; officers of its province read)."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    queryset = _evidence()
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    ordering_fields = ["code", "expires_on", "modified_at"]
    ordering = ["institution__code", "code"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, _evidence(), permissions.VIEW)

    def get_object(self):
        if not str(self.kwargs.get("pk", "")).isdigit():
            raise Http404
        return super().get_object()

    def get_serializer_class(self):
        if self.action == "create":
            return EvidenceCreateSerializer
        if self.action in ("update", "partial_update"):
            return EvidenceUpdateSerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        body = EvidenceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        evidence = services_evidence.add_evidence(
            request.user,
            **{name: data.get(name) for name in ("institution", "code", "title", "period_start", "period_end",
                                                 "expires_on")},
            owner=data.get("owner") or "", file=data.get("file") or None, url=data.get("url") or None,
            note=data.get("note") or "",
        )
        return Response(EvidenceSerializer(self.get_queryset().get(pk=evidence.pk)).data,
                        status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k in services_evidence.METADATA_FIELDS}
        services_evidence.update_evidence(self.request.user, serializer.instance, **fields)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services_evidence.delete_evidence(self.request.user, instance)

    @extend_schema(
        methods=["GET"], responses=EvidenceVersionSerializer(many=True),
        description="Every version of the evidence, oldest first.",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": VersionInputSerializer, "application/json": VersionLinkSerializer},
        responses={201: EvidenceVersionSerializer},
        description="Append the next version (a file or a link); earlier versions are kept unchanged.",
    )
    @action(detail=True, methods=["get", "post"], url_path="versions", filter_backends=[],
            parser_classes=[JSONParser, MultiPartParser, FormParser])
    def versions(self, request, pk=None):
        evidence = self.get_object()
        if request.method == "POST":
            body = VersionInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            version = services_evidence.add_evidence_version(
                request.user, evidence, file=body.validated_data.get("file") or None,
                url=body.validated_data.get("url") or None, note=body.validated_data.get("note") or "",
            )
            return Response(EvidenceVersionSerializer(version).data, status=status.HTTP_201_CREATED)
        versions = evidence.versions.select_related("uploaded_by").order_by("number")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(EvidenceVersionSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="The version number; the latest if omitted.")],
        responses={(200, "*/*"): BINARY, 302: OpenApiResponse(description="A link version: redirect to the link."),
                   404: OpenApiResponse(description="No such evidence or version.")},
        description="Download the stored file of the latest version (or `?version=n`), with its recorded type.",
    )
    @action(detail=True, methods=["get"], url_path="download", filter_backends=[], pagination_class=None)
    def download(self, request, pk=None):
        evidence = self.get_object()
        query = DownloadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            version = services_evidence.version_for_download(request.user, evidence,
                                                             query.validated_data.get("version"))
        except EvidenceVersion.DoesNotExist as exc:
            raise Http404(str(exc)) from exc
        return version_response(version)
