"""Learners, cohorts and results (enrolments): reads scoped by vet.permissions, writes through
certificates.services, which decides what is allowed and answers 400 or 403."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from certificates import services
from certificates.models import Cohort, Enrolment, Learner
from curricula.api.views.curricula import ScopedViewSetMixin
from vet import permissions
from vet import services as vet_services

from .. import filters, serializers
from .common import REFUSED, WRITE_METHODS, refused

ENROLMENT_JOINS = ("cohort__curriculum_version__curriculum__institution",)


class LearnerPermission(BasePermission):
    """A learner belongs to no institution: those who may read enrolments read learners (the queryset keeps them to
    the learners enrolled where they may look), those who may add enrolments register and correct them (the service
    decides on each learner)."""

    def has_permission(self, request, view) -> bool:
        action = permissions.VIEW if request.method in SAFE_METHODS else permissions.ADD
        return permissions.has_permission(request.user, action, Enrolment)


@extend_schema_view(
    list=extend_schema(
        description="Learners enrolled in the cohorts you may see: a school's staff see the learners enrolled at "
        "their school, provincial officers those enrolled in their province. Citizen IDs are personal data: "
        "never public."
    ),
    retrieve=extend_schema(description="One learner, with the enrolments you may see."),
    create=extend_schema(
        description="Register a learner and enrol them in a cohort of your school (school staff). One learner per "
        "citizen ID: a learner already registered by another school is found again (the same name and date of "
        "birth are required, else 400 on `citizen_id`) and enrolled, never duplicated.",
        responses={201: serializers.LearnerSerializer, **REFUSED},
    ),
    update=extend_schema(
        description="Correct a learner's record (staff of the school the learner is enrolled at; a learner also "
        "enrolled at another school is corrected by an administrator). Issued diplomas keep their printed data.",
        responses={200: serializers.LearnerSerializer, **REFUSED},
    ),
    partial_update=extend_schema(
        description="Correct some fields of a learner's record.",
        responses={200: serializers.LearnerSerializer, **REFUSED},
    ),
)
class LearnerViewSet(viewsets.ModelViewSet):
    """Learners (one per citizen ID across every school), with their enrolments."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Learner.objects.all()
    serializer_class = serializers.LearnerSerializer
    permission_classes = [LearnerPermission]
    filterset_class = filters.LearnerFilter
    ordering_fields = ["full_name", "date_of_birth", "modified_at"]
    ordering = ["full_name", "pk"]

    def get_queryset(self):
        user = self.request.user
        enrolments = permissions.scope_queryset(user, Enrolment.objects.select_related(*ENROLMENT_JOINS))
        return serializers.visible_learners(user).prefetch_related(
            Prefetch(
                "enrolments", queryset=enrolments.order_by("-cohort__intake_year", "pk"), to_attr="visible_enrolments"
            )
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.LearnerUpdateSerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrolment = services.register_learner(user=request.user, **body.validated_data)
        learner = self.get_queryset().get(pk=enrolment.learner_id)
        return Response(self.get_serializer(learner).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        services.update_learner(user=self.request.user, learner=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


@extend_schema_view(
    list=extend_schema(description="Cohorts (classes) of the institutions you may see, with their enrolment count."),
    retrieve=extend_schema(description="One cohort."),
    create=extend_schema(
        description="Create a cohort of your school on an approved curriculum version of your school (school "
        "staff). A title (practical engineer or bachelor) only for college programs.",
        responses={201: serializers.CohortSerializer, **REFUSED},
    ),
    update=extend_schema(
        description="Change a cohort. Once a diploma is issued, its curriculum version, grading scale and title "
        "are fixed; the grading scale is fixed once a result is recorded.",
        responses={200: serializers.CohortSerializer, **REFUSED},
    ),
    partial_update=extend_schema(
        description="Change some fields of a cohort.", responses={200: serializers.CohortSerializer, **REFUSED}
    ),
    destroy=extend_schema(description="Delete a cohort that has no enrolment."),
)
class CohortViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Cohorts of learners following one approved curriculum version (staff of the school write; officers of the
    province read)."""

    http_method_names = WRITE_METHODS
    queryset = Cohort.objects.all()
    serializer_class = serializers.CohortSerializer
    filterset_class = filters.CohortFilter
    ordering_fields = ["intake_year", "code", "modified_at"]
    ordering = ["-intake_year", "code", "pk"]

    def select(self):
        return Cohort.objects.select_related(
            "curriculum_version__curriculum__institution", "curriculum_version__curriculum__occupation"
        ).annotate(enrolment_count=Count("enrolments"))

    def perform_create(self, serializer):
        cohort = services.save_cohort(user=self.request.user, cohort=Cohort(**serializer.validated_data))
        serializer.instance = self.select().get(pk=cohort.pk)

    def perform_update(self, serializer):
        cohort = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(cohort, name, value)
        services.save_cohort(user=self.request.user, cohort=cohort)
        serializer.instance = self.select().get(pk=cohort.pk)

    def perform_destroy(self, instance):
        vet_services.delete_registry_object(user=self.request.user, instance=instance)


ENROLMENT = serializers.EnrolmentSerializer


@extend_schema_view(
    list=extend_schema(
        description="Enrolments of learners in the cohorts you may see, with the final result, the graduation "
        "decision and the classification (computed by the service from the bands in force, read-only)."
    ),
    retrieve=extend_schema(description="One enrolment and its result."),
    create=extend_schema(
        description="Enrol a learner you can see in a cohort of your school (school staff); 201 when new, 200 "
        "when the learner was already enrolled in that cohort (the enrolment is returned). New learners are "
        "registered and enrolled with POST /learners/.",
        responses={201: ENROLMENT, 200: ENROLMENT, **REFUSED},
    ),
    update=extend_schema(
        request=serializers.EnrolmentUpdateSerializer,
        responses={200: ENROLMENT, **REFUSED},
        description="Change the student number (results and graduation have their own actions).",
    ),
    partial_update=extend_schema(
        request=serializers.EnrolmentUpdateSerializer,
        responses={200: ENROLMENT, **REFUSED},
        description="Change the student number.",
    ),
    destroy=extend_schema(description="Remove an enrolment that has no diploma."),
)
class EnrolmentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Learners in cohorts with their results: record the final result, then the graduation decision."""

    http_method_names = WRITE_METHODS
    queryset = Enrolment.objects.all()
    serializer_class = ENROLMENT
    filterset_class = filters.EnrolmentFilter
    ordering_fields = ["learner__full_name", "student_number", "final_score", "modified_at"]
    ordering = ["cohort_id", "learner__full_name", "pk"]

    def select(self):
        return Enrolment.objects.select_related("learner", "cohort").prefetch_related("diplomas")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.EnrolmentUpdateSerializer
        return super().get_serializer_class()

    def _answer(self, enrolment: Enrolment, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.select().get(pk=enrolment.pk)
        return Response(ENROLMENT(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        cohort, learner = body.validated_data["cohort"], body.validated_data["learner"]
        existed = Enrolment.objects.filter(cohort=cohort, learner=learner).exists()
        enrolment = services.enrol_learner(
            user=request.user,
            cohort=cohort,
            learner=learner,
            student_number=body.validated_data.get("student_number", ""),
        )
        return self._answer(enrolment, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        enrolment = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(enrolment, name, value)
        vet_services.save_registry_object(user=self.request.user, instance=enrolment)
        serializer.instance = self.select().get(pk=enrolment.pk)

    def perform_destroy(self, instance):
        vet_services.delete_registry_object(user=self.request.user, instance=instance)

    @extend_schema(
        request=serializers.ResultSerializer,
        responses={200: ENROLMENT, **REFUSED},
        description="Record the final score (on the cohort's scale) and the flags that decide the classification "
        "(school staff). Refused once a diploma is issued.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def result(self, request, pk=None):
        enrolment = self.get_object()
        body = serializers.ResultSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.record_result(user=request.user, enrolment=enrolment, **body.validated_data)
        except DjangoValidationError as exc:
            return refused(exc)
        return self._answer(enrolment)

    @extend_schema(
        request=serializers.GraduationSerializer,
        responses={200: ENROLMENT, **REFUSED},
        description="Recognise graduation by decision (school staff): the classification follows the bands in "
        "force on the decision date (Circular 04/2022), one step lower for discipline or retakes where the band "
        "says so. Refused, with the reason and its code (no_score, no_rule, no_band, score_too_low, "
        "credits_missing), when the learner does not meet the conditions.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def graduation(self, request, pk=None):
        enrolment = self.get_object()
        body = serializers.GraduationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.record_graduation(user=request.user, enrolment=enrolment, **body.validated_data)
        except DjangoValidationError as exc:
            return refused(exc)
        return self._answer(enrolment)
