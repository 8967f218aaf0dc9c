"""Curricula API: read only. Reads are scoped by vet.permissions; every change goes through curricula.services."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from curricula import choices, selectors, services
from curricula.diff import ComponentSnapshot, diff_versions
from curricula.models import CurriculumComponent, CurriculumVersion
from vet import permissions

from . import filters, serializers


class ReadOnlyRegistryViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve what the user may see."""

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, self.select(), permissions.VIEW)

    def select(self):
        raise NotImplementedError

    def get_object(self):
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise Http404  # PostgreSQL cannot even compare text holding NUL
        return super().get_object()

    def _visible_versions(self):
        return permissions.scope_queryset(self.request.user, selectors.list_curriculum_versions(), permissions.VIEW)


def _report(version: CurriculumVersion) -> dict:
    report = services.validate_curriculum(version)  # ValidationError (no rule set in force) answers 400
    return {"version": version.pk, **report.as_dict()}


REPORT_RESPONSES = {200: serializers.ValidationReportSerializer}


class CurriculumViewSet(ReadOnlyRegistryViewSet):
    """Curricula of institutions (occupation × level × entry requirement), with the versions the user may see."""

    queryset = selectors.list_curricula()
    serializer_class = serializers.CurriculumSerializer
    filterset_class = filters.CurriculumFilter
    ordering_fields = ["occupation__code", "level", "modified_at"]
    ordering = ["institution__code", "occupation__code", "level", "entry_requirement"]

    def select(self):
        versions = self._visible_versions().select_related(None).order_by("-decision_date", "-pk")
        return selectors.list_curricula().prefetch_related(Prefetch("versions", queryset=versions))

    @extend_schema(responses=REPORT_RESPONSES,
                   description="Validation report of the curriculum's approved version, or else of its latest "
                               "version the user may see.")
    @action(detail=True, url_path="validation")
    def validation(self, request, pk=None):
        curriculum = self.get_object()
        visible = self._visible_versions().filter(curriculum=curriculum)
        version = (visible.filter(status=choices.VersionStatus.APPROVED).first()
                   or visible.order_by("-pk").first())
        if version is None:
            raise exceptions.NotFound(_("This curriculum has no version to check."))
        return Response(serializers.ValidationReportSerializer(_report(version)).data)


def _snapshots(version: CurriculumVersion) -> list[ComponentSnapshot]:
    return [
        ComponentSnapshot(code=c.code, name_vi=c.name_vi, name_en=c.name_en, group=c.group, credits=c.credits,
                          theory_hours=c.theory_hours, practice_hours=c.practice_hours,
                          internship_hours=c.internship_hours, exam_hours=c.exam_hours)
        for c in version.components.all()
    ]


class CurriculumVersionViewSet(ReadOnlyRegistryViewSet):
    """Versions of curricula with their subjects and modules; the public sees approved versions only."""

    queryset = selectors.list_curriculum_versions()
    serializer_class = serializers.CurriculumVersionSerializer
    filterset_class = filters.CurriculumVersionFilter
    ordering_fields = ["decision_date", "approved_on", "status", "modified_at"]
    ordering = ["-decision_date", "-pk"]

    def select(self):
        return selectors.list_curriculum_versions().prefetch_related(
            Prefetch("components", queryset=CurriculumComponent.objects.order_by("position", "code"))
        )

    @extend_schema(responses=REPORT_RESPONSES, description="The version checked against the curriculum rules "
                                                           "in force on its decision date.")
    @action(detail=True, url_path="validation")
    def validation(self, request, pk=None):
        return Response(serializers.ValidationReportSerializer(_report(self.get_object())).data)

    @extend_schema(
        parameters=[OpenApiParameter("against", int, required=True,
                                     description="Id of the other version of the same curriculum (the old side).")],
        responses={200: serializers.VersionDiffSerializer},
        description="Subjects and modules added, removed and changed since the version `against`.",
    )
    @action(detail=True, url_path="diff")
    def diff(self, request, pk=None):
        version = self.get_object()
        query = serializers.DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        other = self.get_queryset().filter(pk=query.validated_data["against"]).first()
        if other is None:
            raise exceptions.ValidationError({"against": [_("No version with this id is visible to you.")]})
        if other.curriculum_id != version.curriculum_id:
            raise exceptions.ValidationError({"against": [_("Choose a version of the same curriculum.")]})
        result = diff_versions(_snapshots(other), _snapshots(version))
        data = {
            "version": version.pk,
            "against": other.pk,
            "added": [vars(c) for c in result.added],
            "removed": [vars(c) for c in result.removed],
            "changed": [
                {"code": c.code, "changes": [{"field": f.field, "old": str(f.old), "new": str(f.new)}
                                             for f in c.changes]}
                for c in result.changed
            ],
        }
        return Response(serializers.VersionDiffSerializer(data).data)
