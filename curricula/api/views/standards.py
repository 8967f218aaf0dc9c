"""Skill-standards API: frameworks and units are read-only reference data (administrators load them by import);
mappings of components to units are kept by the school's staff through curricula.services."""

from django.db.models import Count, Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from curricula import services
from curricula.models import ComponentUnitMapping, PerformanceCriterion, SkillFramework, SkillUnit

from .. import filters, serializers
from .curricula import WRITE_METHODS, ReadOnlyRegistryViewSet, ScopedViewSetMixin


class SkillFrameworkViewSet(ReadOnlyRegistryViewSet):
    """Skill standards (national, ASEAN, foreign) with their number of competency units; reference data that
    administrators load through imports."""

    queryset = SkillFramework.objects.all()
    serializer_class = serializers.SkillFrameworkSerializer
    filterset_class = filters.SkillFrameworkFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering_fields = ["code", "kind", "modified_at"]
    ordering = ["code"]

    def select(self):
        return SkillFramework.objects.select_related("occupation", "source_document").annotate(
            unit_count=Count("units"))


class SkillUnitViewSet(ReadOnlyRegistryViewSet):
    """Competency units of skill standards, each with its performance criteria."""

    queryset = SkillUnit.objects.all()
    serializer_class = serializers.SkillUnitSerializer
    filterset_class = filters.SkillUnitFilter
    ordering_fields = ["code", "level", "modified_at"]
    ordering = ["framework__code", "code"]

    def select(self):
        return SkillUnit.objects.select_related("framework").prefetch_related(
            Prefetch("criteria", queryset=PerformanceCriterion.objects.order_by("number")))


MAPPING = serializers.ComponentUnitMappingSerializer


@extend_schema_view(
    create=extend_schema(
        responses={201: MAPPING, 200: OpenApiResponse(MAPPING, description="The mapping existed already (its "
                                                                           "coverage updated if it changed).")},
        description="Map a subject or module to a competency unit (by `unit` id, or `framework` + `unit_code`)."),
    update=extend_schema(request=serializers.MappingCoverageSerializer, responses=MAPPING,
                         description="Change how much of the unit the component covers."),
    partial_update=extend_schema(request=serializers.MappingCoverageSerializer, responses=MAPPING,
                                 description="Change how much of the unit the component covers."),
)
class ComponentUnitMappingViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Which subjects and modules cover which competency units; the school's staff keep them, officers read."""

    http_method_names = WRITE_METHODS
    queryset = ComponentUnitMapping.objects.all()
    serializer_class = MAPPING
    filterset_class = filters.ComponentUnitMappingFilter
    ordering_fields = ["modified_at"]
    ordering = ["component__version", "component__position", "component__code", "unit__code"]

    def select(self):
        return ComponentUnitMapping.objects.select_related("component", "unit__framework")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        component, unit = serializer.validated_data["component"], serializer.validated_data["unit"]
        existed = ComponentUnitMapping.objects.filter(component=component, unit=unit).exists()
        mapping = services.map_component_to_unit(user=request.user, component=component, unit=unit,
                                                 coverage=serializer.validated_data["coverage"])
        return Response(self.get_serializer(mapping).data, status=status.HTTP_200_OK if existed else
                        status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        mapping = self.get_object()
        body = serializers.MappingCoverageSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        coverage = body.validated_data.get("coverage", mapping.coverage)
        mapping = services.map_component_to_unit(user=request.user, component=mapping.component, unit=mapping.unit,
                                                 coverage=coverage)
        return Response(self.get_serializer(mapping).data)

    def perform_destroy(self, instance):
        services.unmap_component_from_unit(user=self.request.user, component=instance.component, unit=instance.unit)
