"""Curricula API: curricula, their versions (workflow, comments, validation, coverage, diff) and components.
Reads are scoped by vet.permissions; every write calls curricula.services, which decides what is allowed (frozen
versions, approval by the head of school, scope) and answers 400 or 403."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from curricula import choices, exports, importers, selectors, services
from curricula.diff import ComponentSnapshot, diff_versions
from curricula.models import (
    Curriculum,
    CurriculumComponent,
    CurriculumVersion,
    SkillFramework,
    VersionComment,
)
from vet import permissions
from vet.downloads import XLSX, xlsx_response

from .. import filters, serializers

WRITE_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


class ServiceDecides(BasePermission):
    """For workflow actions (submit, approve, comment, …): the row must be visible (the queryset sees to it) and
    the user logged in to write; the service then decides, and refuses with 403 or 400."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_authenticated)


class ScopedViewSetMixin:
    """List and retrieve what the user may see; `select()` gives the rows with their joins."""

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


class ReadOnlyRegistryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def _report(version: CurriculumVersion) -> dict:
    report = services.validate_curriculum(version)  # ValidationError (no rule set in force) answers 400
    return {"version": version.pk, **report.as_dict()}


REPORT_RESPONSES = {200: serializers.ValidationReportSerializer}


# --------------------------------------------------------------------------------------------- curricula


class CurriculumViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Curricula of institutions (occupation × level × entry requirement), with the versions the user may see.
    School staff create, change and delete their own school's curricula (inside its registered scope)."""

    http_method_names = WRITE_METHODS
    queryset = selectors.list_curricula()
    serializer_class = serializers.CurriculumSerializer
    filterset_class = filters.CurriculumFilter
    ordering_fields = ["occupation__code", "level", "modified_at"]
    ordering = ["institution__code", "occupation__code", "level", "entry_requirement"]

    def select(self):
        versions = self._visible_versions().select_related(None).order_by("-decision_date", "-pk")
        return selectors.list_curricula().prefetch_related(Prefetch("versions", queryset=versions))

    def perform_create(self, serializer):
        curriculum = Curriculum(**serializer.validated_data)
        serializer.instance = services.save_curriculum(user=self.request.user, curriculum=curriculum)

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        services.save_curriculum(user=self.request.user, curriculum=serializer.instance)

    def perform_destroy(self, instance):
        services.delete_curriculum(user=self.request.user, curriculum=instance)

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


def _summary_row(version: CurriculumVersion, report) -> dict:
    curriculum = version.curriculum
    return {
        "id": version.pk,
        "curriculum": curriculum.pk,
        "institution": curriculum.institution.code,
        "institution_name": curriculum.institution.name_vi,
        "province": curriculum.institution.province.code,
        "occupation": curriculum.occupation.code,
        "occupation_name": curriculum.occupation.name_vi,
        "level": curriculum.level,
        "status": version.status,
        "decision_number": version.decision_number,
        "rule_set": report.rule_set if report else None,
        "passed": report.passed if report else None,
        "failures": len(report.failures) if report else None,
        "warnings": len(report.warnings) if report else None,
        "review_overdue": version.is_review_overdue,
        "next_review_on": version.next_review_on,
    }


VERSION = serializers.CurriculumVersionSerializer
WORKFLOW_ERRORS = {400: OpenApiResponse(description="Refused by the workflow; the body names the reason."),
                   403: OpenApiResponse(description="Not allowed for this user.")}


@extend_schema_view(
    create=extend_schema(description="Start a draft of a curriculum; with `based_on`, its subjects and modules "
                                     "are copied from that version."),
    update=extend_schema(description="Change a draft (submitted, approved and superseded versions are frozen)."),
    partial_update=extend_schema(description="Change some fields of a draft."),
    destroy=extend_schema(description="Delete a draft."),
)
class CurriculumVersionViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Versions of curricula with their subjects and modules; the public sees approved versions only.
    Workflow: draft → `submit/` → submitted → `approve/` (head of school) → approved, or `return/` → draft."""

    http_method_names = WRITE_METHODS
    queryset = selectors.list_curriculum_versions()
    serializer_class = VERSION
    filterset_class = filters.CurriculumVersionFilter
    ordering_fields = ["decision_date", "approved_on", "next_review_on", "status", "modified_at"]
    ordering = ["-decision_date", "-pk"]

    def select(self):
        return selectors.list_curriculum_versions().select_related("curriculum__institution__province") \
            .prefetch_related(Prefetch("components", queryset=CurriculumComponent.objects.order_by("position",
                                                                                                   "code")))

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.CurriculumVersionUpdateSerializer
        return super().get_serializer_class()

    def get_permissions(self):
        if self.action in ("submit", "return_to_draft", "approve", "comments", "import_components"):
            return [ServiceDecides()]
        return super().get_permissions()

    def _answer(self, version: CurriculumVersion) -> Response:
        return Response(VERSION(self.select().get(pk=version.pk), context=self.get_serializer_context()).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        curriculum, based_on = data.pop("curriculum"), data.pop("based_on", None)
        serializer.instance = services.start_curriculum_version(
            user=self.request.user, curriculum=curriculum, based_on=based_on, **data)

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        services.save_curriculum_version(user=self.request.user, version=serializer.instance)

    def perform_destroy(self, instance):
        services.delete_curriculum_version(user=self.request.user, version=instance)

    @extend_schema(request=None, responses={200: VERSION, **WORKFLOW_ERRORS},
                   description="Submit a draft for approval; it is frozen from then on (school staff).")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(services.submit_curriculum_version(user=request.user, version=self.get_object()))

    @extend_schema(request=None, responses={200: VERSION, **WORKFLOW_ERRORS},
                   description="Send a submitted version back to draft (school staff).")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_draft(self, request, pk=None):
        return self._answer(services.return_curriculum_version(user=request.user, version=self.get_object()))

    @extend_schema(request=serializers.ApproveSerializer, responses={200: VERSION, **WORKFLOW_ERRORS},
                   description="Approve a submitted version that fails no rule (head of school or administrator); "
                               "the previously approved version is superseded and the next review date set.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        version = self.get_object()
        body = serializers.ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.approve_curriculum_version(user=request.user, version=version,
                                                                **body.validated_data))

    @extend_schema(methods=["GET"], responses=serializers.VersionCommentSerializer(many=True),
                   description="Comments on the version (its school, its provincial authority).")
    @extend_schema(methods=["POST"], request=serializers.VersionCommentSerializer,
                   responses={201: serializers.VersionCommentSerializer, **WORKFLOW_ERRORS},
                   description="Comment on the version (the school's staff, the province's officers).")
    @action(detail=True, methods=["get", "post"], filter_backends=[],
            serializer_class=serializers.VersionCommentSerializer)
    def comments(self, request, pk=None):
        version = self.get_object()
        if request.method == "POST":
            body = serializers.VersionCommentSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            comment = services.add_version_comment(user=request.user, version=version,
                                                   text=body.validated_data["text"])
            return Response(serializers.VersionCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        if not permissions.has_permission(request.user, permissions.VIEW, VersionComment):
            self.permission_denied(request, message=_("You may not read the comments on curricula."))
        comments = permissions.scope_queryset(
            request.user, VersionComment.objects.filter(version=version).select_related("author"), permissions.VIEW)
        page = self.paginate_queryset(comments.order_by("created_at", "pk"))
        return self.get_paginated_response(serializers.VersionCommentSerializer(page, many=True).data)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY},
                   description="The version's subjects and modules as an XLSX workbook (sheets components, version, "
                               "instructions) that imports back unchanged.")
    @action(detail=True, url_path="export", filter_backends=[])
    def export(self, request, pk=None):
        version = self.get_object()
        name = f"curriculum-{version.curriculum.occupation.code}-{version.pk}.xlsx"
        return xlsx_response(exports.export_version_xlsx(version), name)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY},
                   description="An empty components workbook with instructions for every column.")
    @action(detail=False, url_path="template", filter_backends=[], pagination_class=None)
    def template(self, request):
        return xlsx_response(exports.component_template_xlsx(), "curriculum-components-template.xlsx")

    @extend_schema(request={"multipart/form-data": serializers.ComponentImportSerializer},
                   responses={200: serializers.ComponentImportSummarySerializer,
                              400: serializers.ImportErrorsSerializer, **WORKFLOW_ERRORS},
                   description="Replace the subjects and modules of a draft with those of an XLSX or CSV file "
                               "(the export's format). A file with any bad row is rejected whole, with every "
                               "problem named by row and column; nothing is written.")
    @action(detail=True, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser], filter_backends=[])
    def import_components(self, request, pk=None):
        version = self.get_object()
        body = serializers.ComponentImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            rows = importers.parse_curriculum_components(upload, filename=upload.name,
                                                         credit_rules=services.credit_rules_for(version))
        except importers.ImportRejected as exc:
            errors = [{"sheet": e.sheet, "row": e.row, "column": e.column, "message": str(e.message)}
                      for e in exc.errors]
            return Response({"detail": _("The file was rejected; nothing was written."), "errors": errors},
                            status=status.HTTP_400_BAD_REQUEST)
        summary = services.import_components(user=request.user, version=version, rows=rows)
        return Response({"rows": len(rows), **vars(summary)})

    @extend_schema(responses=REPORT_RESPONSES, description="The version checked against the curriculum rules "
                                                           "in force on its decision date.")
    @action(detail=True, url_path="validation")
    def validation(self, request, pk=None):
        return Response(serializers.ValidationReportSerializer(_report(self.get_object())).data)

    @extend_schema(
        parameters=[OpenApiParameter(
            "passed", OpenApiTypes.BOOL, description="true: only versions that pass every rule; false: failing ones.")],
        responses=serializers.ValidationSummarySerializer(many=True),
        description="Each visible version (filtered like the list; superseded versions only when `status` asks for "
                    "them) with its validation outcome and whether its review is overdue; `passed=false` lists "
                    "the failing programs. A version with no rule set in force has `passed` empty and is left out "
                    "by the `passed` filter.",
    )
    @action(detail=False, url_path="validation-summary", serializer_class=serializers.ValidationSummarySerializer)
    def validation_summary(self, request):
        query = serializers.SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        passed = query.validated_data["passed"]
        versions = self.filter_queryset(self.get_queryset())
        if "status" not in request.query_params:
            versions = versions.exclude(status=choices.VersionStatus.SUPERSEDED)
        if passed is None:
            page = self.paginate_queryset(versions)
            reports = services.validate_versions(page)
        else:  # the outcome is computed, not stored: check every matching version, then page (bounded queries)
            rows = list(versions)
            reports = services.validate_versions(rows)
            page = self.paginate_queryset([v for v in rows if v.pk in reports and reports[v.pk].passed == passed])
        data = [_summary_row(v, reports.get(v.pk)) for v in page]
        return self.get_paginated_response(serializers.ValidationSummarySerializer(data, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("framework", str, required=True, description="Code of the skill framework."),
            OpenApiParameter("level", int, description="Only the units of this skill level (1–8)."),
        ],
        responses={200: serializers.CoverageReportSerializer},
        description="How far the version's subjects and modules cover the framework's competency units "
                    "(full = 1, partial = ½), the units missing, the mapped hours and the unmapped components.",
    )
    @action(detail=True, url_path="coverage", filter_backends=[])
    def coverage(self, request, pk=None):
        version = self.get_object()
        query = serializers.CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        framework = SkillFramework.objects.filter(code=query.validated_data["framework"]).first()
        if framework is None:
            raise exceptions.ValidationError({"framework": [_("No skill framework has this code.")]})
        level = query.validated_data["level"]
        report = services.get_coverage(version, framework, level)
        data = {"version": version.pk, "framework": framework.code, **vars(report), "percent": report.percent}
        return Response(serializers.CoverageReportSerializer(data).data)

    @extend_schema(
        parameters=[OpenApiParameter("against", int, required=True,
                                     description="Id of the other version of the same curriculum (the old side).")],
        responses={200: serializers.VersionDiffSerializer},
        description="Subjects and modules added, removed and changed since the version `against`.",
    )
    @action(detail=True, url_path="diff", filter_backends=[])
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


class CurriculumComponentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Subjects and modules of curriculum versions; school staff add, change and remove them on drafts."""

    http_method_names = WRITE_METHODS
    queryset = selectors.list_curriculum_components()
    serializer_class = serializers.CurriculumComponentSerializer
    filterset_class = filters.CurriculumComponentFilter
    ordering_fields = ["position", "code", "credits", "modified_at"]
    ordering = ["version", "position", "code"]

    def select(self):
        return selectors.list_curriculum_components()

    def perform_create(self, serializer):
        component = CurriculumComponent(**serializer.validated_data)
        serializer.instance = services.save_curriculum_component(user=self.request.user, component=component)

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        services.save_curriculum_component(user=self.request.user, component=serializer.instance)

    def perform_destroy(self, instance):
        services.delete_curriculum_component(user=self.request.user, component=instance)
