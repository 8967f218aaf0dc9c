"""Self-assessment API: assessments (workflow, quality checks, score), their ratings and council members.

Reads are scoped by `vet.permissions`; every write calls `vet.services_assessment`, which decides what is allowed
(a submitted assessment is locked) and answers 400 with the reason, or 403."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vet import permissions, selectors
from vet import services_assessment as sas
from vet.models import (
    AccreditationFramework,
    Campaign,
    CouncilMember,
    Evidence,
    Institution,
    KeyOccupationDesignation,
    SelfAssessment,
    SelfAssessmentRating,
)

from .filters import ModifiedSinceFilterSet
from .serializers import READ_ONLY, NaturalKeyField

# ---------------------------------------------------------------------------------------------- serializers


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A relation by id, limited to the rows the requesting user may see."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return permissions.scope_queryset(getattr(request, "user", None), queryset, permissions.VIEW)


class SelfAssessmentSerializer(serializers.ModelSerializer):
    institution = NaturalKeyField(slug_field="code", queryset=Institution.objects.all())
    framework = NaturalKeyField(slug_field="code", queryset=AccreditationFramework.objects.all())
    designation = ScopedPrimaryKeyField(queryset=KeyOccupationDesignation.objects.all(), required=False,
                                        allow_null=True)
    campaign = ScopedPrimaryKeyField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    subject = serializers.CharField(read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = SelfAssessment
        fields = ("id", "institution", "designation", "framework", "year", "status", "campaign", "summary",
                  "subject", "submitted_at", "submitted_by", "created_at", "modified_at")
        read_only_fields = (*READ_ONLY, "status", "submitted_at")
        validators = []  # duplicates are refused by the service, with its own message


class SelfAssessmentUpdateSerializer(SelfAssessmentSerializer):
    """Only the summary changes after creation; subject, framework and year are fixed."""

    class Meta(SelfAssessmentSerializer.Meta):
        read_only_fields = tuple(f for f in SelfAssessmentSerializer.Meta.fields if f != "summary")


class EvidenceCodesField(serializers.ListField):
    """Evidence written and read as the institution's evidence codes."""

    child = serializers.CharField(max_length=32)

    def to_representation(self, value):
        return sorted(e.code for e in value.all())


class SelfAssessmentRatingSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.code", read_only=True)
    criterion = serializers.IntegerField(source="standard.criterion.number", read_only=True)
    evidence = EvidenceCodesField(required=False, help_text=_("Codes of the institution's evidence."))

    class Meta:
        model = SelfAssessmentRating
        fields = ("id", "self_assessment", "criterion", "standard", "met", "years_met", "points", "narrative",
                  "evidence", "created_at", "modified_at")
        read_only_fields = (*READ_ONLY, "self_assessment")


class CouncilMemberSerializer(serializers.ModelSerializer):
    self_assessment = ScopedPrimaryKeyField(queryset=SelfAssessment.objects.all())

    class Meta:
        model = CouncilMember
        fields = ("id", "self_assessment", "full_name", "position", "organisation", "council_role",
                  "member_type", "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators = []  # one chair: the service answers with the model's own message


class QualityCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    standard = serializers.CharField(allow_null=True)
    blocking = serializers.BooleanField()


class CriterionScoreSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    standards_counted = serializers.IntegerField()
    is_core = serializers.BooleanField()


class FailureSerializer(serializers.Serializer):
    rule = serializers.CharField()
    criterion = serializers.IntegerField(allow_null=True)
    measured = serializers.DecimalField(max_digits=8, decimal_places=2)
    required = serializers.DecimalField(max_digits=8, decimal_places=2)
    message = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    framework = serializers.CharField()
    level = serializers.CharField()
    criteria = CriterionScoreSerializer(many=True)
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    failures = FailureSerializer(many=True)
    unmeasured = serializers.ListField(child=serializers.IntegerField())
    has_pass_rule = serializers.BooleanField()


# -------------------------------------------------------------------------------------------------- filters


class SelfAssessmentFilter(ModifiedSinceFilterSet):
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    framework = filters.CharFilter(field_name="framework__code", label=_("Framework code"))
    year = filters.NumberFilter(field_name="year", min_value=2000, max_value=2100, label=_("Year"))

    class Meta:
        model = SelfAssessment
        fields = ["status"]


class RatingFilter(ModifiedSinceFilterSet):
    self_assessment = filters.NumberFilter(field_name="self_assessment_id", min_value=1, max_value=2**31 - 1,
                                           label=_("Self-assessment id"))
    met = filters.BooleanFilter(field_name="met")

    class Meta:
        model = SelfAssessmentRating
        fields = []


class CouncilMemberFilter(ModifiedSinceFilterSet):
    self_assessment = filters.NumberFilter(field_name="self_assessment_id", min_value=1, max_value=2**31 - 1,
                                           label=_("Self-assessment id"))

    class Meta:
        model = CouncilMember
        fields = ["council_role", "member_type"]


# ---------------------------------------------------------------------------------------------------- views

REFUSED = {400: OpenApiResponse(description="Refused by a rule; the body says why."),
           403: OpenApiResponse(description="Not allowed for this user.")}


class _Scoped:
    select = staticmethod(lambda: None)

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, self.select(), permissions.VIEW)

    def get_object(self):
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise Http404
        return super().get_object()


def _assessments():
    return selectors.list_self_assessments()


@extend_schema_view(
    list=extend_schema(description="Self-assessments the user may see (its school's, its province's)."),
    create=extend_schema(description="Create a planned self-assessment with one unrated rating per standard.",
                         responses={201: SelfAssessmentSerializer, **REFUSED}),
    update=extend_schema(request=SelfAssessmentUpdateSerializer, responses={200: SelfAssessmentSerializer, **REFUSED},
                         description="Change the summary of an open self-assessment."),
    partial_update=extend_schema(request=SelfAssessmentUpdateSerializer,
                                 responses={200: SelfAssessmentSerializer, **REFUSED},
                                 description="Change the summary of an open self-assessment."),
    destroy=extend_schema(description="Delete a planned self-assessment.", responses={204: None, **REFUSED}),
)
class SelfAssessmentViewSet(_Scoped, viewsets.ModelViewSet):
    """The annual self-assessment of an institution or key-occupation program (Circular 28/2017)."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    select = staticmethod(_assessments)
    queryset = _assessments()
    serializer_class = SelfAssessmentSerializer
    filterset_class = SelfAssessmentFilter
    ordering_fields = ["year", "status", "modified_at"]
    ordering = ["-year", "pk"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SelfAssessmentUpdateSerializer
        return SelfAssessmentSerializer

    def perform_create(self, serializer):
        serializer.instance = sas.create_self_assessment(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        summary = serializer.validated_data.get("summary")
        serializer.instance = sas.update_self_assessment(self.request.user, serializer.instance, summary=summary)

    def perform_destroy(self, instance):
        sas.delete_self_assessment(self.request.user, instance)

    def _answer(self, sa):
        return Response(SelfAssessmentSerializer(sa, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: SelfAssessmentSerializer, **REFUSED},
                   description="Start a planned self-assessment (school staff).")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(sas.start(request.user, self.get_object()))

    @extend_schema(request=None, responses={200: SelfAssessmentSerializer, **REFUSED},
                   description="Submit the self-assessment; refused while a blocking quality check fails (the "
                               "reasons are listed). Locked from then on.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(sas.submit(request.user, self.get_object()))

    @extend_schema(responses=QualityCheckSerializer(many=True),
                   description="Quality checks: unrated standards, met without evidence, expired evidence, the "
                               "council against the rule in force. `blocking` ones prevent submission.")
    @action(detail=True, filter_backends=[], pagination_class=None)
    def checks(self, request, pk=None):
        return Response(QualityCheckSerializer(sas.quality_checks(self.get_object()), many=True).data)

    @extend_schema(responses={200: ScoreSerializer, 400: OpenApiResponse(description="Cannot be scored.")},
                   description="Points per criterion and in total, and the outcome under the framework's pass "
                               "rules (undetermined when the framework has none).")
    @action(detail=True, filter_backends=[], pagination_class=None)
    def score(self, request, pk=None):
        sa = self.get_object()
        try:
            score = selectors.self_assessment_score(sa)
        except ValueError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        data = {
            "framework": score.framework, "level": score.level, "total": score.total, "outcome": score.outcome,
            "outcome_label": score.outcome_label, "unmeasured": list(score.unmeasured),
            "has_pass_rule": sa.framework.has_pass_rule,
            "criteria": [{"number": c.number, "points": c.points, "max_points": c.max_points, "share": c.share,
                          "standards_counted": c.standards_counted, "is_core": c.is_core} for c in score.criteria],
            "failures": [{"rule": f.rule, "criterion": f.criterion, "measured": f.measured, "required": f.required,
                          "message": f.message} for f in score.failures],
        }
        return Response(ScoreSerializer(data).data)


def _ratings():
    return SelfAssessmentRating.objects.select_related(
        "standard__criterion", "self_assessment__framework", "self_assessment__institution"
    ).prefetch_related(Prefetch("evidence", queryset=Evidence.objects.only("pk", "code")))


@extend_schema_view(
    list=extend_schema(description="Ratings of standards; filter by `self_assessment`."),
    partial_update=extend_schema(responses={200: SelfAssessmentRatingSerializer, **REFUSED},
                                 description="Rate a standard of an open self-assessment; `evidence` is a list of "
                                             "the institution's evidence codes."),
)
class SelfAssessmentRatingViewSet(_Scoped, viewsets.ModelViewSet):
    """The school's rating of each standard; created with the assessment, never added or deleted one by one."""

    http_method_names = ["get", "patch", "head", "options"]
    select = staticmethod(_ratings)
    queryset = _ratings()
    serializer_class = SelfAssessmentRatingSerializer
    filterset_class = RatingFilter
    ordering_fields = ["standard__code", "modified_at"]
    ordering = ["self_assessment", "standard__criterion__number", "standard__code"]

    def perform_update(self, serializer):
        rating = serializer.instance
        data = serializer.validated_data
        if "evidence" in data:
            codes = set(data["evidence"])
            found = list(Evidence.objects.filter(institution_id=rating.self_assessment.institution_id,
                                                 code__in=codes))
            unknown = sorted(codes - {e.code for e in found})
            if unknown:
                raise exceptions.ValidationError(
                    {"evidence": [_("The institution has no evidence with code(s) %(codes)s.")
                                  % {"codes": ", ".join(unknown)}]})
        else:
            found = list(rating.evidence.all())
        serializer.instance = sas.save_rating(
            self.request.user, rating,
            met=data.get("met", rating.met), years_met=data.get("years_met", rating.years_met),
            points=data.get("points", rating.points), narrative=data.get("narrative", rating.narrative),
            evidence=found,
        )
        serializer.instance = self.select().get(pk=rating.pk)


def _members():
    return CouncilMember.objects.select_related("self_assessment__institution")


@extend_schema_view(
    create=extend_schema(responses={201: CouncilMemberSerializer, **REFUSED}),
    update=extend_schema(responses={200: CouncilMemberSerializer, **REFUSED}),
    partial_update=extend_schema(responses={200: CouncilMemberSerializer, **REFUSED}),
    destroy=extend_schema(responses={204: None, **REFUSED}),
)
class CouncilMemberViewSet(_Scoped, viewsets.ModelViewSet):
    """Members of a self-assessment council: chaired by the head of the institution, with enterprise
    representatives (the rule in force says how many). Locked once the assessment is submitted."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    select = staticmethod(_members)
    queryset = _members()
    serializer_class = CouncilMemberSerializer
    filterset_class = CouncilMemberFilter
    ordering_fields = ["full_name", "council_role", "modified_at"]
    ordering = ["self_assessment", "council_role", "full_name"]

    def perform_create(self, serializer):
        serializer.instance = sas.save_council_member(self.request.user, CouncilMember(**serializer.validated_data))

    def perform_update(self, serializer):
        member = serializer.instance
        data = dict(serializer.validated_data)
        if "self_assessment" in data and data["self_assessment"].pk != member.self_assessment_id:
            raise exceptions.ValidationError({"self_assessment": [_("A member cannot move to another "
                                                                    "self-assessment.")]})
        data.pop("self_assessment", None)
        for name, value in data.items():
            setattr(member, name, value)
        serializer.instance = sas.save_council_member(self.request.user, member)

    def perform_destroy(self, instance):
        sas.remove_council_member(self.request.user, instance)
