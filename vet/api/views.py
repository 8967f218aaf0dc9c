"""Registry API views: reads are scoped by vet.permissions, writes go through vet.services."""

from django.db import models
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from vet import data_services, exports, importers, permissions, selectors, services, tier_readiness
from vet.models import KeyOccupationDesignation, ReadinessProfile

from . import filters, serializers
from .spreadsheets import (
    XLSX,
    FileUploadSerializer,
    ImportRejectedSerializer,
    parsed_upload,
    xlsx_response,
)


class RegistryViewSet(viewsets.ModelViewSet):
    """Base: list/retrieve what the user may see; create/update/delete through the services."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    select = staticmethod(lambda: None)

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, self.select(), permissions.VIEW)

    def get_object(self):
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise Http404  # PostgreSQL cannot even compare text holding NUL
        return super().get_object()

    def perform_create(self, serializer):
        instance = serializer.Meta.model(**_plain(serializer.validated_data))
        serializer.instance = services.save_registry_object(user=self.request.user, instance=instance)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in _plain(serializer.validated_data).items():
            setattr(instance, name, value)
        serializer.instance = services.save_registry_object(user=self.request.user, instance=instance)

    def perform_destroy(self, instance):
        services.delete_registry_object(user=self.request.user, instance=instance)


def _plain(data: dict) -> dict:
    return {k: v for k, v in data.items() if not isinstance(v, list | models.Manager)}


def _viewset(name, model_select, serializer, filterset, ordering, lookup="pk", default_order=None, doc=""):
    attrs = {
        "select": staticmethod(model_select),
        "queryset": model_select(),
        "serializer_class": serializer,
        "filterset_class": filterset,
        "ordering_fields": ordering,
        "ordering": default_order or ordering[:1],
        "lookup_field": lookup,
        "__doc__": doc,
    }
    return type(name, (RegistryViewSet,), attrs)


LegalDocumentViewSet = _viewset(
    "LegalDocumentViewSet", selectors.list_legal_documents, serializers.LegalDocumentSerializer,
    filters.LegalDocumentFilter, ["number", "issued_on", "effective_from", "modified_at"], lookup="pk",
    default_order=["-issued_on"], doc="Laws, decrees, decisions and circulars the registry rests on.")
ProvinceViewSet = _viewset(
    "ProvinceViewSet", selectors.list_provinces, serializers.ProvinceSerializer, filters.ProvinceFilter,
    ["name_vi", "code", "modified_at"], lookup="code",
    doc="Provinces, with validity dates and the successor of merged provinces.")
AuthorityViewSet = _viewset(
    "AuthorityViewSet", selectors.list_authorities, serializers.AuthoritySerializer, filters.AuthorityFilter,
    ["name_vi", "level", "modified_at"], doc="National and provincial VET authorities, with successors.")
OccupationViewSet = _viewset(
    "OccupationViewSet", selectors.list_occupations, serializers.OccupationSerializer, filters.OccupationFilter,
    ["code", "name_vi", "modified_at"], lookup="code", doc="The level-IV occupation catalogue.")
InstitutionViewSet = _viewset(
    "InstitutionViewSet", selectors.list_institutions, serializers.InstitutionSerializer,
    filters.InstitutionFilter, ["name_vi", "code", "type", "modified_at"], lookup="code",
    doc="Colleges, intermediate schools, VET centres and other organisations with VET activity.")
ScopeEntryViewSet = _viewset(
    "ScopeEntryViewSet", selectors.list_scope_entries, serializers.ScopeEntrySerializer,
    filters.ScopeEntryFilter, ["occupation__code", "level", "annual_quota", "modified_at"],
    doc="Registered scope: occupation × level × annual quota of each institution.")
KeyOccupationViewSet = _viewset(
    "KeyOccupationViewSet", selectors.list_designations, serializers.KeyOccupationDesignationSerializer,
    filters.DesignationFilter, ["occupation__code", "tier", "period_start", "modified_at"],
    doc="Key-occupation designations: institution × occupation × level × tier × period × decision.")
TeacherViewSet = _viewset(
    "TeacherViewSet", selectors.list_teachers, serializers.TeacherSerializer, filters.TeacherFilter,
    ["full_name", "industry_years", "modified_at"],
    doc="Teachers of an institution (visible to its staff and its provincial authority).")
PartnerViewSet = _viewset(
    "PartnerViewSet", selectors.list_partners, serializers.EnterprisePartnerSerializer, filters.PartnerFilter,
    ["name", "since", "modified_at"], doc="Enterprise partners of an institution.")


def _frameworks_with_standards():
    return selectors.list_accreditation_frameworks().prefetch_related("criteria__standards")


@extend_schema_view(
    list=extend_schema(description="Accreditation frameworks (public reference data), each with its criteria and "
                                   "their standards. Empty pass rules are not applied; `thresholds_confirmed` "
                                   "false means the figures are not yet checked against the legal text."),
    retrieve=extend_schema(description="One accreditation framework by its code, with criteria and standards."),
)
class AccreditationFrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Accreditation frameworks with their criteria and standards; read-only (administrators edit them in the admin)."""

    select = staticmethod(_frameworks_with_standards)
    queryset = _frameworks_with_standards()
    serializer_class = serializers.AccreditationFrameworkSerializer
    filterset_class = filters.AccreditationFrameworkFilter
    ordering_fields = ["code", "effective_from", "modified_at"]
    ordering = ["-effective_from", "code"]
    lookup_field = "code"

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, self.select(), permissions.VIEW)

    def get_object(self):
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise Http404  # PostgreSQL cannot even compare text holding NUL
        return super().get_object()

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY},
                   description="The framework as an XLSX workbook (sheets framework, criteria, standards, "
                               "instructions) that imports back unchanged.")
    @action(detail=True, url_path="export", filter_backends=[])
    def export(self, request, code=None):
        framework = self.get_object()
        return xlsx_response(exports.framework_xlsx(framework), f"framework-{framework.code}.xlsx")

    @extend_schema(request={"multipart/form-data": FileUploadSerializer},
                   responses={200: serializers.AccreditationFrameworkSerializer, 400: ImportRejectedSerializer},
                   description="Administrators only: create or update a framework (matched on its code) from a "
                               "workbook in the export's format. Criteria and standards not in the workbook are "
                               "removed. A workbook with any bad cell is rejected whole, every problem named by "
                               "sheet, row and column; nothing is written.")
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser], filter_backends=[], pagination_class=None)
    def import_file(self, request):
        workbook, refusal = parsed_upload(request, importers.parse_framework)
        if refusal is not None:
            return refusal
        framework, _summary = data_services.import_framework(user=request.user, workbook=workbook)
        return Response(serializers.AccreditationFrameworkSerializer(_frameworks_with_standards().get(
            pk=framework.pk)).data)

@extend_schema_view(
    list=extend_schema(description="Readiness profiles per tier (public reference data), each with its indicators: "
                                   "threshold, weight, parameters and legal source. `confirmed` false (label "
                                   "'unconfirmed') means the threshold is not yet checked against its source."),
    retrieve=extend_schema(description="One readiness profile by its code, with its indicators."),
)
class ReadinessProfileViewSet(viewsets.ReadOnlyModelViewSet):
    """Readiness profiles with their indicators; read-only (administrators edit them in the admin)."""

    select = staticmethod(lambda: ReadinessProfile.objects.select_related("source_document").prefetch_related(
        "indicators__source_document"))
    queryset = ReadinessProfile.objects.all()
    serializer_class = serializers.ReadinessProfileSerializer
    filterset_class = filters.ReadinessProfileFilter
    ordering_fields = ["tier", "valid_from", "code", "modified_at"]
    ordering = ["tier", "-valid_from"]
    lookup_field = "code"

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, self.select(), permissions.VIEW)

    def get_object(self):
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise Http404  # PostgreSQL cannot even compare text holding NUL
        return super().get_object()


@extend_schema_view(
    list=extend_schema(
        description="Readiness of each key-occupation designation toward its tier, on `on` (default today): the "
                    "profile in force, status (ready / close / not_yet), weighted gap, every indicator with value, "
                    "threshold, met, gap and whether the threshold is confirmed, the metrics still missing and the "
                    "projected date from the open action items. Null status: no profile in force for the tier.",
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="Evaluate on this day (default today)")],
    ),
)
class ReadinessViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Readiness of key-occupation designations toward their tier (designations are public)."""

    queryset = KeyOccupationDesignation.objects.all()
    serializer_class = serializers.DesignationReadinessSerializer
    filterset_class = filters.ReadinessFilter
    ordering_fields = ["occupation__code", "institution__code", "tier", "period_start"]
    ordering = ["institution__code", "occupation__code", "level", "tier", "period_start"]

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, selectors.list_designations(), permissions.VIEW)

    def list(self, request, *args, **kwargs):
        params = filters.ReadinessFilter(request.query_params, queryset=KeyOccupationDesignation.objects.none(),
                                         request=request)
        if not params.is_valid():
            raise ValidationError(params.errors)
        on, status = params.form.cleaned_data.get("on"), params.form.cleaned_data.get("status")
        queryset = self.filter_queryset(self.get_queryset())
        readiness = tier_readiness.designation_readiness(queryset, on)
        if status:  # filtered in Python: a list of ids could exceed the database's parameter limit
            queryset = [d for d in queryset if (r := readiness.get(d.pk)) is not None and r.status == status]
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        serializer = self.get_serializer(rows, many=True, context={**self.get_serializer_context(),
                                                                  "readiness": readiness})
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)
