"""Issuing a cohort's diplomas in one batch (certificates.batches): the validation report, the start, progress and
the downloads (a ZIP of the single PDFs, one print-ready PDF) once done."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certificates import batches, choices
from certificates.models import IssueBatch, IssueBatchItem
from curricula.api.views.curricula import ScopedViewSetMixin
from vet.downloads import PDF

from .. import filters, serializers
from .common import FORBIDDEN, NOT_YET, REFUSED, conflict, file_response, refused

Outcome = choices.BatchItemOutcome
ZIP = "application/zip"
COUNTED = (Outcome.READY, Outcome.REFUSED, Outcome.ALREADY_ISSUED)


def _links(batch: IssueBatch, request) -> dict:
    done = batch.status == choices.BatchStatus.DONE
    return {
        "zip_url": request.build_absolute_uri(reverse("issuebatch-zip", args=[batch.pk]))
        if done and batch.archive
        else None,
        "print_url": request.build_absolute_uri(reverse("issuebatch-print", args=[batch.pk]))
        if done and batch.print_pdf
        else None,
    }


def batch_data(batch: IssueBatch, request, items: bool = False) -> dict:
    """A batch's progress (batches.batch_summary) and links; with its items for the validation report."""
    data = {"id": batch.pk, "batch": batch, **batches.batch_summary(batch), **_links(batch, request)}
    if items:
        data["items"] = batch.items.select_related("enrolment__learner").order_by("pk")
    return data


def _listed(batch: IssueBatch, request) -> dict:
    """The list's row: the counts come from the queryset's annotations (one query for the page)."""
    return {
        "id": batch.pk,
        "batch": batch,
        "status": batch.status,
        "status_display": batch.get_status_display(),
        "total": batch.total,
        "issued": batch.issued,
        "failed": batch.failed,
        "percent": batch.percent,
        **{outcome: getattr(batch, f"n_{outcome}") for outcome in COUNTED},
        **_links(batch, request),
    }


def create_batch_response(request, cohort, issued_on) -> Response:
    """POST /diplomas/batch/: check a cohort and answer the validation report (201)."""
    try:
        batch = batches.prepare_batch(user=request.user, cohort=cohort, issued_on=issued_on)
    except DjangoValidationError as exc:
        return refused(exc)
    batch = IssueBatch.objects.select_related("institution", "cohort", "created_by").get(pk=batch.pk)
    report = serializers.BatchReportSerializer(batch_data(batch, request, items=True))
    return Response(report.data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        description="Issuing batches of the institutions you may see, newest first, with their progress. A batch is "
        "created with POST /diplomas/batch/.",
        responses=serializers.BatchSerializer(many=True),
    ),
    retrieve=extend_schema(
        description="A batch's progress: status, how many of `total` are issued or failed, the percentage, the "
        "counts of ready, refused and already issued items. Poll it after `start/`.",
        responses=serializers.BatchDetailSerializer,
    ),
)
class IssueBatchViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Batches of diplomas issued for a cohort (staff of the school start them; officers of the province read)."""

    queryset = IssueBatch.objects.all()
    serializer_class = serializers.BatchSerializer
    filterset_class = filters.BatchFilter
    ordering_fields = ["created_at", "issued_on"]
    ordering = ["-created_at", "-pk"]

    def select(self):
        counts = {f"n_{o}": Count("items", filter=Q(items__outcome=o)) for o in COUNTED}
        return IssueBatch.objects.select_related("institution", "cohort", "created_by").annotate(**counts)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = serializers.BatchSerializer([_listed(b, request) for b in page], many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(serializers.BatchDetailSerializer(batch_data(self.get_object(), request)).data)

    @extend_schema(
        responses=serializers.BatchItemSerializer(many=True),
        description="The batch's items: every enrolment of the cohort with its outcome (ready, refused, already "
        "issued, then issued or failed), the reasons with their codes, and the diploma.",
    )
    @action(detail=True, filter_backends=[])
    def items(self, request, pk=None):
        batch = self.get_object()
        items = IssueBatchItem.objects.filter(batch=batch).select_related("enrolment__learner").order_by("pk")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializers.BatchItemSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={202: serializers.BatchDetailSerializer, **REFUSED},
        description="Start a checked batch (school staff): its ready items are queued in chunks for the workers; "
        "answers 202 with the progress. Refused (400, code started or nothing_to_issue) when it was started "
        "already or no learner can be issued.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request, pk=None):
        batch = self.get_object()
        try:
            batches.start_batch(user=request.user, batch=batch)
        except DjangoValidationError as exc:
            return refused(exc)
        batch = self.select().get(pk=batch.pk)
        return Response(
            serializers.BatchDetailSerializer(batch_data(batch, request)).data, status=status.HTTP_202_ACCEPTED
        )

    def _download(self, field_name: str, content_type: str, filename: str):
        batch = self.get_object()
        field = getattr(batch, field_name)
        if batch.status != choices.BatchStatus.DONE or not field:
            return conflict(_("The batch is not done yet: its downloads are not ready."))
        return file_response(field, content_type, filename)

    @extend_schema(
        responses={(200, ZIP): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP."), 409: NOT_YET, **FORBIDDEN},
        description="The ZIP of the batch's single PDF/A files, named by serial, once the batch is done (409 before).",
    )
    @action(detail=True, url_path="zip", url_name="zip", filter_backends=[])
    def archive(self, request, pk=None):
        return self._download("archive", ZIP, f"batch-{pk}.zip")

    @extend_schema(
        responses={(200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."), 409: NOT_YET, **FORBIDDEN},
        description="One print-ready PDF of the batch's valid diplomas in register order. It is written after the "
        "batch is done (by its own task): 409 until then; `print_url` appears in the progress once it exists.",
    )
    @action(detail=True, url_path="print", url_name="print", filter_backends=[])
    def print_pdf(self, request, pk=None):
        return self._download("print_pdf", PDF, f"batch-{pk}-print.pdf")
