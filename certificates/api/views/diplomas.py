"""Issued diplomas: list and read them, issue one, revoke and re-issue through the register, download the stored PDF.
Issuing for a whole cohort goes through batches (see batches.py)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certificates import services
from certificates.models import Diploma, RegisterEntry
from curricula.api.views.curricula import ScopedViewSetMixin
from vet.downloads import PDF

from .. import filters, serializers
from .batches import create_batch_response
from .common import NOT_YET, REFUSED, conflict, file_response, refused

DIPLOMA = serializers.DiplomaSerializer


@extend_schema_view(
    list=extend_schema(
        description="Diplomas and certificates issued by the institutions you may see (school staff: their school; "
        "officers: their province), with the verification code and URL printed on each and their register "
        "entries (issue, re-issue, revocation)."
    ),
    retrieve=extend_schema(description="One diploma with its register entries."),
)
class DiplomaViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Issued diplomas. The printed data is frozen at issue; only the status changes, through the register."""

    queryset = Diploma.objects.all()
    serializer_class = DIPLOMA
    filterset_class = filters.DiplomaFilter
    ordering_fields = ["issued_on", "serial", "year", "created_at"]
    ordering = ["institution__code", "year", "sequence"]

    def select(self):
        return Diploma.objects.select_related("institution", "enrolment", "replaced_by", "issued_by").prefetch_related(
            Prefetch("register_entries", queryset=RegisterEntry.objects.order_by("position"))
        )

    def _answer(self, diploma: Diploma, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.select().get(pk=diploma.pk)
        return Response(DIPLOMA(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=serializers.IssueSerializer,
        responses={201: DIPLOMA, 200: DIPLOMA, **REFUSED},
        description="Issue the diploma of a graduate (school staff): 201 with the new diploma; 200 with the existing "
        "one when it was issued before (issuing is idempotent). Refused with 400 and every reason with its code "
        "(version_not_approved, not_graduated, no_title, no_template).",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def issue(self, request):
        body = serializers.IssueSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        enrolment = body.validated_data["enrolment"]
        existed = Diploma.objects.filter(enrolment=enrolment, replaces__isnull=True).exists()
        try:
            diploma = services.issue_diploma(
                user=request.user, enrolment=enrolment, issued_on=body.validated_data.get("issued_on")
            )
        except DjangoValidationError as exc:
            return refused(exc)
        return self._answer(diploma, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.BatchRequestSerializer,
        responses={201: serializers.BatchReportSerializer, **REFUSED},
        description="Check a cohort for issuing all its diplomas at once (school staff): creates a batch and answers "
        "its validation report, an item per enrolment with the learner's name, the outcome (ready, refused, "
        "already issued) and the reasons with their codes. Nothing is numbered until POST /batches/{id}/start/.",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def batch(self, request):
        body = serializers.BatchRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return create_batch_response(request, body.validated_data["cohort"], body.validated_data.get("issued_on"))

    @extend_schema(
        request=serializers.RevokeSerializer,
        responses={200: DIPLOMA, **REFUSED},
        description="Revoke a valid diploma (school staff): a register entry with the reason; the stored PDF is "
        "marked REVOKED and the public verification shows the revocation.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request, pk=None):
        diploma = self.get_object()
        body = serializers.RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            diploma = services.revoke_diploma(user=request.user, diploma=diploma, reason=body.validated_data["reason"])
        except DjangoValidationError as exc:
            return refused(exc)
        return self._answer(diploma)

    @extend_schema(
        request=serializers.ReissueSerializer,
        responses={201: DIPLOMA, **REFUSED},
        description="Re-issue a valid diploma (lost, damaged, corrected; school staff): answers 201 with the new "
        "diploma (new serial, register entry marked as a re-issue); the old one becomes 're-issued' and its "
        "verification points to the new one.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reissue(self, request, pk=None):
        diploma = self.get_object()
        body = serializers.ReissueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            new = services.reissue_diploma(user=request.user, diploma=diploma, **body.validated_data)
        except DjangoValidationError as exc:
            return refused(exc)
        return self._answer(new, status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="The stored PDF/A."), 409: NOT_YET},
        description="The stored PDF/A of the diploma, as issued (a revoked one carries the REVOKED mark). Staff of "
        "the school and officers of its province; the public uses the verification code instead.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pdf(self, request, pk=None):
        diploma = self.get_object()
        if not diploma.pdf:
            return conflict(_("The PDF of this diploma is not stored yet."))
        return file_response(diploma.pdf, PDF, f"{diploma.code}.pdf")
