"""API of yearly outcomes and equipment checklists (with their items), and their spreadsheet import/template
actions. Reads are scoped by vet.permissions; writes go through vet.services (one row) or vet.data_services
(a file, all or nothing)."""

from __future__ import annotations

from functools import partial

import django_filters as filters
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from vet import data_services, exports, importers, permissions
from vet.models import EquipmentChecklist, EquipmentItem, Institution, LegalDocument, Occupation, OccupationOutcome

from .filters import InstitutionOwnedFilter, ModifiedSinceFilterSet
from .serializers import READ_ONLY, _slug
from .spreadsheets import (
    XLSX,
    FileUploadSerializer,
    ImportRejectedSerializer,
    parsed_upload,
    xlsx_response,
)
from .views import RegistryViewSet

MAX_ID = 2**63 - 1

# ------------------------------------------------------------------------------------------- serializers


class OutcomeSerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")
    occupation = _slug(Occupation, "code")
    occupation_name = serializers.CharField(source="occupation.name_vi", read_only=True)

    class Meta:
        model = OccupationOutcome
        fields = ("id", "institution", "occupation", "occupation_name", "level", "year", "enrolment", "graduates",
                  "employed_6m", "skill_level_1", "skill_level_2", "skill_level_3", "skill_level_4",
                  "skill_level_5", "source", "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []  # uniqueness and the constraints are checked by the service, naming the fields


class EquipmentItemInlineSerializer(serializers.ModelSerializer):
    is_held_in_full = serializers.BooleanField(read_only=True)

    class Meta:
        model = EquipmentItem
        fields = ("id", "name", "unit", "required_quantity", "held_quantity", "is_held_in_full")
        read_only_fields = fields


class EquipmentChecklistSerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")
    occupation = _slug(Occupation, "code")
    source_document = _slug(LegalDocument, "number", required=False, allow_null=True)
    items = EquipmentItemInlineSerializer(many=True, read_only=True,
                                          help_text=gettext_lazy("Read only: write items at equipment-items/."))

    class Meta:
        model = EquipmentChecklist
        fields = ("id", "institution", "occupation", "level", "reference", "source_document", "checked_on", "items",
                  "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []


class ChecklistField(serializers.PrimaryKeyRelatedField):
    """A checklist by id, among those the user may see; ids no database holds are simply not found."""

    def get_queryset(self):
        request = self.context.get("request")
        return permissions.scope_queryset(getattr(request, "user", None), EquipmentChecklist.objects.all(),
                                          permissions.VIEW)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not str(data).lstrip("-").isdigit() or not 0 < int(str(data)) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class EquipmentItemSerializer(serializers.ModelSerializer):
    checklist = ChecklistField()
    is_held_in_full = serializers.BooleanField(read_only=True)

    class Meta:
        model = EquipmentItem
        fields = ("id", "checklist", "name", "unit", "required_quantity", "held_quantity", "is_held_in_full",
                  "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []


class UpsertSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class EquipmentImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    checklists = UpsertSummarySerializer()
    items = UpsertSummarySerializer()


# --------------------------------------------------------------------------------------------- filters


class OutcomeFilter(InstitutionOwnedFilter):
    occupation = filters.CharFilter(field_name="occupation__code", label=gettext_lazy("Occupation code"))
    year = filters.NumberFilter(field_name="year", min_value=2000, max_value=2100)
    text_paths = ["occupation__search_text", "institution__search_text"]

    class Meta:
        model = OccupationOutcome
        fields = ["level"]


class EquipmentChecklistFilter(InstitutionOwnedFilter):
    occupation = filters.CharFilter(field_name="occupation__code", label=gettext_lazy("Occupation code"))
    text_paths = ["occupation__search_text", "institution__search_text"]
    changed_at = ("modified_at", "items__modified_at")

    class Meta:
        model = EquipmentChecklist
        fields = ["level"]


class EquipmentItemFilter(ModifiedSinceFilterSet):
    checklist = filters.NumberFilter(field_name="checklist_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = EquipmentItem
        fields: list = []


# ------------------------------------------------------------------------------------------- viewsets


def _outcomes():
    return OccupationOutcome.objects.select_related("institution", "occupation").order_by(
        "institution__code", "occupation__code", "level", "-year")


def _checklists():
    return (EquipmentChecklist.objects.select_related("institution", "occupation", "source_document")
            .prefetch_related("items").order_by("institution__code", "occupation__code", "level"))


def _items():
    return EquipmentItem.objects.select_related("checklist").order_by("checklist", "name")


IMPORT_SCHEMA = {
    "request": {"multipart/form-data": FileUploadSerializer},
    "responses": {400: ImportRejectedSerializer},
}


@extend_schema_view(
    list=extend_schema(description="Yearly outcomes (enrolment, graduates, employment within 6 months, exit skill "
                                   "levels) of an institution's occupation at a level; its staff and provincial "
                                   "authority read them, its staff write them."),
)
class OutcomeViewSet(RegistryViewSet):
    """Yearly outcomes of key occupations."""

    select = staticmethod(_outcomes)
    queryset = _outcomes()
    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    ordering_fields = ["year", "occupation__code", "modified_at"]
    ordering = ["institution__code", "occupation__code", "level", "-year"]

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY},
                   description="The empty outcomes workbook with an instructions sheet.")
    @action(detail=False, url_path="template", filter_backends=[], pagination_class=None)
    def template(self, request):
        return xlsx_response(exports.outcomes_template_xlsx(), "outcomes-template.xlsx")

    @extend_schema(request=IMPORT_SCHEMA["request"],
                   responses={200: UpsertSummarySerializer, **IMPORT_SCHEMA["responses"]},
                   description="Create or update yearly outcomes from an XLSX or CSV file in the template's format. "
                               "A file with any bad row is rejected whole, every problem named by row and column.")
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser], filter_backends=[], pagination_class=None)
    def import_file(self, request):
        rows, refusal = parsed_upload(request, partial(importers.parse_outcomes, user=request.user))
        if refusal is not None:
            return refusal
        summary = data_services.import_outcomes(user=request.user, rows=rows)
        return Response({"rows": len(rows), "created": summary.created, "updated": summary.updated,
                         "unchanged": summary.unchanged})


@extend_schema_view(
    list=extend_schema(description="Equipment checklists of an institution's occupation at a level, each with its "
                                   "items (required and held quantities). Items are written at equipment-items/."),
)
class EquipmentChecklistViewSet(RegistryViewSet):
    """Equipment checklists with their items."""

    select = staticmethod(_checklists)
    queryset = _checklists()
    serializer_class = EquipmentChecklistSerializer
    filterset_class = EquipmentChecklistFilter
    ordering_fields = ["occupation__code", "level", "checked_on", "modified_at"]
    ordering = ["institution__code", "occupation__code", "level"]

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY},
                   description="The empty equipment workbook (one row per item) with an instructions sheet.")
    @action(detail=False, url_path="template", filter_backends=[], pagination_class=None)
    def template(self, request):
        return xlsx_response(exports.equipment_template_xlsx(), "equipment-template.xlsx")

    @extend_schema(request=IMPORT_SCHEMA["request"],
                   responses={200: EquipmentImportSummarySerializer, **IMPORT_SCHEMA["responses"]},
                   description="Create or update checklists and their items from an XLSX or CSV file in the "
                               "template's format; items not in the file are left alone. A file with any bad row "
                               "is rejected whole, every problem named by row and column.")
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser], filter_backends=[], pagination_class=None)
    def import_file(self, request):
        rows, refusal = parsed_upload(request, partial(importers.parse_equipment, user=request.user))
        if refusal is not None:
            return refusal
        lists, items = data_services.import_equipment(user=request.user, rows=rows)

        def summary(s):
            return {"rows": s.created + s.updated + s.unchanged, "created": s.created, "updated": s.updated,
                    "unchanged": s.unchanged}
        return Response({"rows": len(rows), "checklists": summary(lists), "items": summary(items)})


class EquipmentItemViewSet(RegistryViewSet):
    """Items of equipment checklists: what the training requires and what the institution holds."""

    select = staticmethod(_items)
    queryset = _items()
    serializer_class = EquipmentItemSerializer
    filterset_class = EquipmentItemFilter
    ordering_fields = ["name", "modified_at"]
    ordering = ["checklist", "name"]
