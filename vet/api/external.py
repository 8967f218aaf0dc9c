"""API of the provincial authority's side of accreditation: external assessments (ratings, findings, differences,
decision), action items, campaigns. Reads are scoped by vet.permissions; every write calls vet.services_external,
which decides and answers 400 (refused, with the reason) or 403 (not allowed, e.g. a conflict of interest)."""

import datetime

import django_filters as filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from vet import choices, permissions, selectors, services
from vet import services_external as ext
from vet.models import (
    AccreditationFramework,
    ActionItem,
    Authority,
    Campaign,
    Criterion,
    Evidence,
    ExternalAssessment,
    ExternalRating,
    Finding,
    Institution,
    KeyOccupationDesignation,
    SelfAssessment,
    Standard,
)

from .filters import ModifiedSinceFilterSet
from .serializers import NaturalKeyField

READ_ONLY = ("id", "created_at", "modified_at")
ERRORS = {400: OpenApiResponse(description="Refused; the body names the field or the reason."),
          403: OpenApiResponse(description="Not allowed for this user (or a conflict of interest).")}
MAX_DATE = datetime.date(2100, 12, 31)
MIN_DATE = datetime.date(2000, 1, 1)


class ServiceDecides(BasePermission):
    """Reads: the scoped queryset decides. Writes: a logged-in user, then the service decides (403 or 400)."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_authenticated)


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < int(value) < 2**62


class Pk(serializers.PrimaryKeyRelatedField):
    """A relation by id; ids no database can hold are invalid, not a crash."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not _is_id(str(data)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def _date(**kwargs):
    return serializers.DateField(**kwargs, validators=[_date_range])


def _date_range(value):
    if not MIN_DATE <= value <= MAX_DATE:
        raise serializers.ValidationError(_("Use a date between 2000 and 2100."))


class ScopedViewSet(viewsets.ModelViewSet):
    permission_classes = [ServiceDecides]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def select(self):
        raise NotImplementedError

    def get_queryset(self):
        return permissions.scope_queryset(self.request.user, self.select(), permissions.VIEW)

    def get_object(self):
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not _is_id(value):
            raise Http404
        return super().get_object()


# ------------------------------------------------------------------------------------ external assessments


class ActionItemSerializer(serializers.ModelSerializer):
    institution = NaturalKeyField(slug_field="code", queryset=Institution.objects.all())
    institution_name = serializers.CharField(source="institution.name_vi", read_only=True)
    designation = Pk(queryset=KeyOccupationDesignation.objects.all(), required=False, allow_null=True)
    finding = Pk(queryset=Finding.objects.all(), required=False, allow_null=True)
    closure_evidence = Pk(read_only=True)
    due_date = _date()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ("id", "institution", "institution_name", "designation", "finding", "title", "description",
                  "owner", "due_date", "priority", "status", "closed_on", "closure_evidence", "is_overdue",
                  "created_at", "modified_at")
        read_only_fields = (*READ_ONLY, "status", "closed_on")

    def get_is_overdue(self, item) -> bool:
        return item.is_overdue_on(datetime.date.today())


class OutcomeSummarySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    passed = serializers.BooleanField()


class CriterionDifferenceSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    self_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    external_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    difference = serializers.DecimalField(max_digits=8, decimal_places=2)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    standards_differing = serializers.ListField(child=serializers.CharField())


class DifferencesSerializer(serializers.Serializer):
    self_score = OutcomeSummarySerializer()
    external_score = OutcomeSummarySerializer()
    criteria = CriterionDifferenceSerializer(many=True)


class ExternalAssessmentSerializer(serializers.ModelSerializer):
    self_assessment = Pk(queryset=SelfAssessment.objects.all())
    institution = serializers.CharField(source="self_assessment.institution.code", read_only=True)
    institution_name = serializers.CharField(source="self_assessment.institution.name_vi", read_only=True)
    framework = serializers.CharField(source="self_assessment.framework.code", read_only=True)
    year = serializers.IntegerField(source="self_assessment.year", read_only=True)
    assessor = serializers.CharField(source="assessor.username", read_only=True)

    class Meta:
        model = ExternalAssessment
        fields = ("id", "self_assessment", "institution", "institution_name", "framework", "year", "assessor",
                  "status", "started_on", "summary", "decision", "decision_date", "decision_note", "created_at",
                  "modified_at")
        read_only_fields = (*READ_ONLY, "status", "started_on", "summary", "decision", "decision_date",
                            "decision_note")


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=choices.ExternalDecision.choices)
    decision_date = _date()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ItemsFromFindingsSerializer(serializers.Serializer):
    due_date = _date()
    owner = serializers.CharField(max_length=120)


def _score(score) -> dict:
    return {"outcome": score.outcome, "outcome_label": str(score.outcome_label), "total": score.total,
            "passed": score.passed}


class ExternalAssessmentFilter(ModifiedSinceFilterSet):
    status = filters.ChoiceFilter(choices=choices.ExternalStatus.choices)
    decision = filters.ChoiceFilter(choices=choices.ExternalDecision.choices)
    institution = filters.CharFilter(field_name="self_assessment__institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="self_assessment__institution__province__code",
                                  label=_("Province code"))

    class Meta:
        model = ExternalAssessment
        fields = ["status", "decision"]


@extend_schema_view(
    list=extend_schema(description="External assessments the user may see (officers: their province; school "
                                   "staff: their school)."),
    create=extend_schema(description="Start the external assessment of a submitted self-assessment (an officer "
                                     "of the school's province who holds no role at the school), with one unrated "
                                     "rating per standard.", responses={201: ExternalAssessmentSerializer,
                                                                        **ERRORS}),
)
class ExternalAssessmentViewSet(ScopedViewSet):
    """The provincial authority's assessment of a submitted self-assessment: in progress → decided (locked)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = ExternalAssessment.objects.all()
    serializer_class = ExternalAssessmentSerializer
    filterset_class = ExternalAssessmentFilter
    ordering_fields = ["started_on", "decision_date", "modified_at"]
    ordering = ["-started_on", "-pk"]

    def select(self):
        return ExternalAssessment.objects.select_related(
            "self_assessment__institution", "self_assessment__framework", "assessor")

    def perform_create(self, serializer):
        serializer.instance = ext.start_external_assessment(self.request.user,
                                                            serializer.validated_data["self_assessment"])

    @extend_schema(responses={200: DifferencesSerializer},
                   description="Per criterion: the school's points, the authority's points, the difference and "
                               "the standards rated differently; both computed scores (advice for the decision).")
    @action(detail=True, filter_backends=[], pagination_class=None)
    def differences(self, request, pk=None):
        assessment = self.get_object()
        data = {
            "self_score": _score(selectors.self_assessment_score(assessment.self_assessment)),
            "external_score": _score(selectors.external_assessment_score(assessment)),
            "criteria": [{"number": d.number, "self_points": d.self_points, "external_points": d.external_points,
                          "difference": d.difference, "max_points": d.max_points,
                          "standards_differing": list(d.standards_differing)}
                         for d in selectors.assessment_differences(assessment)],
        }
        return Response(DifferencesSerializer(data).data)

    @extend_schema(request=DecideSerializer, responses={200: ExternalAssessmentSerializer, **ERRORS},
                   description="Decide pass or fail (refused while a standard is unrated); the assessment is "
                               "locked from then on.")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def decide(self, request, pk=None):
        assessment = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = ext.decide(request.user, assessment, **body.validated_data)
        return Response(ExternalAssessmentSerializer(self.select().get(pk=decided.pk)).data)

    @extend_schema(request=ItemsFromFindingsSerializer,
                   responses={201: ActionItemSerializer(many=True), **ERRORS},
                   description="Create one action item per finding that has none yet (all or none); the priority "
                               "follows the severity.")
    @action(detail=True, methods=["post"], url_path="action-items", url_name="action-items", filter_backends=[],
            pagination_class=None)
    def action_items(self, request, pk=None):
        assessment = self.get_object()
        body = ItemsFromFindingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = ext.action_items_from_findings(request.user, assessment, **body.validated_data)
        rows = ActionItemViewSet.select_items().filter(pk__in=[i.pk for i in items])
        return Response(ActionItemSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class ExternalRatingSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.code", read_only=True)
    criterion = serializers.IntegerField(source="standard.criterion.number", read_only=True)
    met = serializers.BooleanField(allow_null=True, required=False)

    class Meta:
        model = ExternalRating
        fields = ("id", "assessment", "standard", "criterion", "met", "years_met", "points", "comment",
                  "modified_at")
        read_only_fields = ("id", "assessment", "modified_at")


class ExternalRatingFilter(ModifiedSinceFilterSet):
    assessment = filters.NumberFilter(field_name="assessment_id", min_value=1, max_value=2**62)

    class Meta:
        model = ExternalRating
        fields = ["assessment"]


@extend_schema_view(
    partial_update=extend_schema(description="Rate one standard (met, years met, points, comment) while the "
                                             "assessment is in progress.",
                                 responses={200: ExternalRatingSerializer, **ERRORS}),
)
class ExternalRatingViewSet(ScopedViewSet):
    """The authority's rating of each standard; filter by `assessment`."""

    http_method_names = ["get", "patch", "head", "options"]
    queryset = ExternalRating.objects.all()
    serializer_class = ExternalRatingSerializer
    filterset_class = ExternalRatingFilter
    ordering_fields = ["standard__code", "modified_at"]
    ordering = ["assessment", "standard__criterion__number", "standard__code"]

    def select(self):
        return ExternalRating.objects.select_related("standard__criterion")

    def perform_update(self, serializer):
        rating, data = serializer.instance, serializer.validated_data
        serializer.instance = ext.save_external_rating(
            self.request.user, rating, met=data.get("met", rating.met),
            years_met=data.get("years_met", rating.years_met), points=data.get("points", rating.points),
            comment=data.get("comment", rating.comment))


class FindingSerializer(serializers.ModelSerializer):
    assessment = Pk(queryset=ExternalAssessment.objects.all())
    criterion = Pk(queryset=Criterion.objects.all(), required=False, allow_null=True)
    standard = Pk(queryset=Standard.objects.all(), required=False, allow_null=True)
    text = serializers.CharField(max_length=5000)

    class Meta:
        model = Finding
        fields = ("id", "assessment", "criterion", "standard", "severity", "text", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class FindingUpdateSerializer(FindingSerializer):
    class Meta(FindingSerializer.Meta):
        read_only_fields = (*READ_ONLY, "assessment", "criterion", "standard")


class FindingFilter(ModifiedSinceFilterSet):
    assessment = filters.NumberFilter(field_name="assessment_id", min_value=1, max_value=2**62)

    class Meta:
        model = Finding
        fields = ["assessment", "severity"]


class FindingViewSet(ScopedViewSet):
    """Findings of external assessments; added, changed and removed while the assessment is in progress."""

    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    ordering_fields = ["created_at", "modified_at"]
    ordering = ["assessment", "pk"]

    def select(self):
        return Finding.objects.all()

    def get_serializer_class(self):
        if self.action == "partial_update":
            return FindingUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        assessment = data.pop("assessment")
        if not permissions.has_object_permission(self.request.user, permissions.VIEW, assessment):
            raise Http404
        serializer.instance = ext.add_finding(self.request.user, assessment, **data)

    def perform_update(self, serializer):
        finding, data = serializer.instance, serializer.validated_data
        serializer.instance = ext.update_finding(self.request.user, finding,
                                                 severity=data.get("severity", finding.severity),
                                                 text=data.get("text", finding.text))

    def perform_destroy(self, instance):
        ext.remove_finding(self.request.user, instance)


# ------------------------------------------------------------------------------------------- action items


class ActionItemUpdateSerializer(ActionItemSerializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in choices.OPEN_ACTION_STATUSES],
                                     required=False)

    class Meta(ActionItemSerializer.Meta):
        read_only_fields = (*READ_ONLY, "institution", "finding", "closed_on")


class CloseSerializer(serializers.Serializer):
    closed_on = _date()
    closure_evidence = Pk(queryset=Evidence.objects.all())


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ActionItemFilter(ModifiedSinceFilterSet):
    status = filters.ChoiceFilter(choices=choices.ActionStatus.choices)
    priority = filters.ChoiceFilter(choices=choices.Priority.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Overdue today"))
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="institution__province__code", label=_("Province code"))

    class Meta:
        model = ActionItem
        fields = ["status", "priority"]

    def filter_overdue(self, queryset, name, value):
        overdue = ext.overdue_action_items(queryset, datetime.date.today())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


@extend_schema_view(
    create=extend_schema(description="Add a step to an institution's action plan (its staff, its provincial "
                                     "authority).", responses={201: ActionItemSerializer, **ERRORS}),
    partial_update=extend_schema(description="Change an open item (close and cancel have their own actions).",
                                 request=ActionItemUpdateSerializer,
                                 responses={200: ActionItemSerializer, **ERRORS}),
)
class ActionItemViewSet(ScopedViewSet):
    """Action items of institutions; filters `status`, `priority`, `overdue=true`, `institution`, `province`."""

    queryset = ActionItem.objects.all()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_date", "priority", "modified_at"]
    ordering = ["due_date", "pk"]

    @staticmethod
    def select_items():
        return ActionItem.objects.select_related("institution")

    def select(self):
        return self.select_items()

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ActionItemUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        serializer.instance = ext.create_action_item(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = ext.update_action_item(self.request.user, serializer.instance,
                                                     **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_registry_object(user=self.request.user, instance=instance)

    def _answer(self, item):
        return Response(ActionItemSerializer(self.select().get(pk=item.pk)).data)

    @extend_schema(request=CloseSerializer, responses={200: ActionItemSerializer, **ERRORS},
                   description="Mark the item done, with the institution's evidence that shows it.")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def close(self, request, pk=None):
        item = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(ext.close_action_item(request.user, item, closed_on=body.validated_data["closed_on"],
                                                  evidence=body.validated_data["closure_evidence"]))

    @extend_schema(request=CancelSerializer, responses={200: ActionItemSerializer, **ERRORS},
                   description="Cancel an open item, giving the reason.")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def cancel(self, request, pk=None):
        item = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(ext.cancel_action_item(request.user, item, reason=body.validated_data["reason"]))


# ---------------------------------------------------------------------------------------------- campaigns


class CampaignSerializer(serializers.ModelSerializer):
    authority = Pk(queryset=Authority.objects.all())
    framework = NaturalKeyField(slug_field="code", queryset=AccreditationFramework.objects.all())
    institutions = NaturalKeyField(slug_field="code", queryset=Institution.objects.all(), many=True)
    due_date = _date()
    year = serializers.IntegerField(min_value=2000, max_value=2100)

    class Meta:
        model = Campaign
        fields = ("id", "authority", "title", "framework", "year", "due_date", "status", "institutions", "note",
                  "created_at", "modified_at")
        read_only_fields = (*READ_ONLY, "status")


class CampaignUpdateSerializer(CampaignSerializer):
    class Meta(CampaignSerializer.Meta):
        read_only_fields = (*READ_ONLY, "status", "authority", "framework", "year", "institutions")


class CampaignProgressSerializer(serializers.Serializer):
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name_vi")
    self_assessment = serializers.IntegerField(source="self_assessment.pk", allow_null=True, default=None)
    status = serializers.CharField()
    submitted_on = serializers.DateField(allow_null=True)
    timeliness = serializers.CharField()
    external_assessment = serializers.IntegerField(source="external.pk", allow_null=True, default=None)
    external_status = serializers.CharField(source="external.status", allow_null=True, default=None)
    decision = serializers.CharField(source="external.decision", allow_null=True, default=None)
    open_items = serializers.IntegerField()
    overdue_items = serializers.IntegerField()


class CampaignFilter(ModifiedSinceFilterSet):
    status = filters.ChoiceFilter(choices=choices.CampaignStatus.choices)
    year = filters.NumberFilter(min_value=2000, max_value=2100)
    province = filters.CharFilter(field_name="authority__province__code", label=_("Province code"))

    class Meta:
        model = Campaign
        fields = ["status", "year"]


@extend_schema_view(
    create=extend_schema(description="Open a self-assessment round for schools of the authority's province: a "
                                     "planned self-assessment is created for each school without one (framework, "
                                     "year), existing ones are linked.",
                         responses={201: CampaignSerializer, **ERRORS}),
    partial_update=extend_schema(request=CampaignUpdateSerializer,
                                 responses={200: CampaignSerializer, **ERRORS}),
)
class CampaignViewSet(ScopedViewSet):
    """Self-assessment rounds opened by provincial authorities; `progress/` shows each school's state."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["year", "due_date", "modified_at"]
    ordering = ["-year", "title"]

    def select(self):
        return Campaign.objects.select_related("framework", "authority").prefetch_related("institutions")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return CampaignUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        serializer.instance = ext.open_campaign(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        campaign = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(campaign, name, value)
        serializer.instance = services.save_registry_object(user=self.request.user, instance=campaign)

    def perform_destroy(self, instance):
        services.delete_registry_object(user=self.request.user, instance=instance)

    @extend_schema(responses={200: CampaignProgressSerializer(many=True)},
                   description="One row per school: self-assessment status, submitted on time or late, the "
                               "authority's assessment and decision, open and overdue action items.")
    @action(detail=True, filter_backends=[], pagination_class=None)
    def progress(self, request, pk=None):
        campaign = self.get_object()
        return Response(CampaignProgressSerializer(ext.campaign_progress(campaign), many=True).data)

    @extend_schema(request=None, responses={200: CampaignSerializer, **ERRORS},
                   description="Close the campaign.")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def close(self, request, pk=None):
        campaign = ext.close_campaign(request.user, self.get_object())
        return Response(CampaignSerializer(self.select().get(pk=campaign.pk)).data)
