"""Serializers of the certificates API. Learners, cohorts, enrolments, diplomas and batches are named by id (they
have no public natural key; the public sees a diploma only through its verification code). They only read and
shape input: every rule lives in certificates.services and certificates.batches."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates import choices, services
from certificates.models import Cohort, Diploma, Enrolment, Learner, RegisterEntry, citizen_id_validator
from curricula.api.serializers import VisibleRelatedField
from curricula.models import CurriculumVersion
from vet import permissions
from vet.choices import Level

READ_ONLY = ("id", "created_at", "modified_at")


def visible_learners(user):
    """Learners enrolled where `user` may look (a learner belongs to no institution: a school sees those enrolled in
    its cohorts, an officer those enrolled in its province); administrators see every learner."""
    if permissions.get_roles(user).is_admin:
        return Learner.objects.all()
    enrolments = permissions.scope_queryset(user, Enrolment.objects.all(), permissions.VIEW)
    return Learner.objects.filter(pk__in=enrolments.values("learner_id"))


class VisibleLearnerField(VisibleRelatedField):
    """A learner written as an id, among the learners the requesting user may see."""

    def get_queryset(self):
        request = self.context.get("request")
        return visible_learners(getattr(request, "user", None))


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --------------------------------------------------------------------------------------------- learners


class LearnerEnrolmentSerializer(serializers.ModelSerializer):
    """An enrolment of the learner, among those the user may see."""

    cohort_code = serializers.CharField(source="cohort.code", read_only=True)
    institution = serializers.CharField(source="cohort.curriculum_version.curriculum.institution.code", read_only=True)

    class Meta:
        model = Enrolment
        fields = ("id", "cohort", "cohort_code", "institution", "student_number", "graduated")
        read_only_fields = fields


class LearnerSerializer(serializers.ModelSerializer):
    citizen_id = serializers.CharField(
        max_length=12,
        validators=[citizen_id_validator],
        help_text=_("The 12-digit number of the citizen identity card (căn cước); one learner per number."),
    )
    sex = serializers.ChoiceField(choices=choices.Sex.choices)
    cohort = VisibleRelatedField(
        queryset=Cohort.objects.all(),
        write_only=True,
        help_text=_("On registration: the cohort of your school the learner is enrolled in."),
    )
    student_number = serializers.CharField(
        max_length=40, write_only=True, required=False, allow_blank=True, help_text=_("On registration.")
    )
    enrolments = LearnerEnrolmentSerializer(source="visible_enrolments", many=True, read_only=True)

    class Meta:
        model = Learner
        fields = (
            "id",
            "citizen_id",
            "full_name",
            "date_of_birth",
            "sex",
            "place_of_birth",
            "ethnicity",
            "cohort",
            "student_number",
            "enrolments",
            "created_at",
            "modified_at",
        )
        read_only_fields = READ_ONLY
        validators: list = []  # one learner per citizen ID: the service finds the existing one


class LearnerUpdateSerializer(LearnerSerializer):
    """A correction of the learner's record; enrolments change through /results/."""

    class Meta(LearnerSerializer.Meta):
        fields = tuple(f for f in LearnerSerializer.Meta.fields if f not in ("cohort", "student_number"))


# --------------------------------------------------------------------------------------------- cohorts


class CohortSerializer(serializers.ModelSerializer):
    curriculum_version = VisibleRelatedField(
        queryset=CurriculumVersion.objects.all(),
        help_text=_("An approved curriculum version of your school."),
    )
    institution = serializers.CharField(source="curriculum_version.curriculum.institution.code", read_only=True)
    occupation = serializers.CharField(source="curriculum_version.curriculum.occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="curriculum_version.curriculum.occupation.name_vi", read_only=True)
    level = serializers.ChoiceField(source="curriculum_version.curriculum.level", choices=Level.choices, read_only=True)
    grading_scale = serializers.ChoiceField(choices=choices.GradingScale.choices, required=False)
    college_title = serializers.ChoiceField(choices=choices.CollegeTitle.choices, allow_blank=True, required=False)
    enrolment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = (
            "id",
            "curriculum_version",
            "institution",
            "occupation",
            "occupation_name",
            "level",
            "code",
            "name",
            "intake_year",
            "grading_scale",
            "college_title",
            "enrolment_count",
            "created_at",
            "modified_at",
        )
        read_only_fields = READ_ONLY
        validators: list = []  # the code's uniqueness per version is checked by the model's constraint


# --------------------------------------------------------------------------------------------- results


class EnrolmentSerializer(serializers.ModelSerializer):
    cohort = VisibleRelatedField(queryset=Cohort.objects.all())
    learner = VisibleLearnerField(
        queryset=Learner.objects.all(),
        help_text=_("A learner you may see (enrolled at your school); register new learners with POST /learners/."),
    )
    learner_name = serializers.CharField(source="learner.full_name", read_only=True)
    cohort_code = serializers.CharField(source="cohort.code", read_only=True)
    grading_scale = serializers.ChoiceField(
        source="cohort.grading_scale", choices=choices.GradingScale.choices, read_only=True
    )
    classification = serializers.ChoiceField(choices=choices.Classification.choices, allow_blank=True, read_only=True)
    classification_display = serializers.CharField(source="get_classification_display", read_only=True)
    diplomas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = (
            "id",
            "cohort",
            "cohort_code",
            "grading_scale",
            "learner",
            "learner_name",
            "student_number",
            "final_score",
            "all_credits_completed",
            "disciplined",
            "retaken_modules",
            "classification",
            "classification_display",
            "graduated",
            "graduation_decision_number",
            "graduation_date",
            "diplomas",
            "created_at",
            "modified_at",
        )
        read_only_fields = (
            *READ_ONLY,
            "final_score",
            "all_credits_completed",
            "disciplined",
            "retaken_modules",
            "graduated",
            "graduation_decision_number",
            "graduation_date",
        )
        validators: list = []  # enrolling the same learner twice returns the first enrolment


class EnrolmentUpdateSerializer(EnrolmentSerializer):
    """Only the student number changes here; results and graduation have their own actions."""

    cohort = serializers.PrimaryKeyRelatedField(read_only=True)
    learner = serializers.PrimaryKeyRelatedField(read_only=True)


class ResultSerializer(serializers.Serializer):
    final_score = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=0,
        help_text=_("Cumulative GPA on 4 points (credit system) or average score on 10 points (year system)."),
    )
    all_credits_completed = serializers.BooleanField()
    disciplined = serializers.BooleanField(required=False, default=False)
    retaken_modules = serializers.BooleanField(required=False, default=False)


class GraduationSerializer(serializers.Serializer):
    decision_number = serializers.CharField(max_length=60)
    decision_date = serializers.DateField()


# --------------------------------------------------------------------------------------------- diplomas


class RegisterLineSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = RegisterEntry
        fields = ("position", "action", "action_display", "reason", "actor_name", "recorded_at", "entry_hash")
        read_only_fields = fields


class DiplomaSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.ChoiceField(choices=choices.DiplomaStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    verification_code = serializers.CharField(source="code", read_only=True)
    verification_url = serializers.SerializerMethodField()
    institution = serializers.CharField(source="institution.code", read_only=True)
    learner = serializers.IntegerField(source="enrolment.learner_id", read_only=True)
    cohort = serializers.IntegerField(source="enrolment.cohort_id", read_only=True)
    holder_name = serializers.SerializerMethodField()
    date_of_birth = serializers.SerializerMethodField()
    classification = serializers.SerializerMethodField()
    replaced_by = serializers.SerializerMethodField()
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    pdf_url = serializers.SerializerMethodField()
    register = RegisterLineSerializer(source="register_entries", many=True, read_only=True)

    class Meta:
        model = Diploma
        fields = (
            "id",
            "verification_code",
            "verification_url",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "serial",
            "register_number",
            "year",
            "issued_on",
            "institution",
            "enrolment",
            "learner",
            "cohort",
            "holder_name",
            "date_of_birth",
            "classification",
            "replaces",
            "replaced_by",
            "pdf_url",
            "pdf_sha256",
            "issued_by",
            "created_at",
            "register",
        )
        read_only_fields = fields

    def get_verification_url(self, diploma: Diploma) -> str:
        return services.verification_url(diploma.code)

    def get_holder_name(self, diploma: Diploma) -> str:
        return diploma.snapshot["holder"]["full_name"]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_date_of_birth(self, diploma: Diploma) -> str:
        return diploma.snapshot["holder"]["date_of_birth"]

    @extend_schema_field(serializers.ChoiceField(choices=choices.Classification.choices))
    def get_classification(self, diploma: Diploma) -> str:
        return diploma.snapshot["classification"]

    def get_replaced_by(self, diploma: Diploma) -> int | None:
        following = getattr(diploma, "replaced_by", None)
        return following.pk if following is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, diploma: Diploma) -> str | None:
        if not diploma.pdf:
            return None
        return _absolute(self, reverse("diploma-pdf", args=[diploma.pk]))


class IssueSerializer(serializers.Serializer):
    enrolment = VisibleRelatedField(queryset=Enrolment.objects.all())
    issued_on = serializers.DateField(required=False, help_text=_("Default: today."))


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text=_("Recorded in the register."))


class ReissueSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text=_("Recorded in the register, e.g. lost, damaged or corrected.")
    )
    issued_on = serializers.DateField(required=False, help_text=_("Default: today."))


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable, e.g. not_graduated, no_template."))
    field = serializers.CharField(
        required=False, allow_null=True, help_text=_("The field the reason is about; null: the request as a whole.")
    )
    message = serializers.CharField()


class RefusalSerializer(serializers.Serializer):
    """A refused action: the messages (as every error of the API) and each reason with its code."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    reasons = ReasonSerializer(many=True, required=False)


# --------------------------------------------------------------------------------------------- batches


class BatchRequestSerializer(serializers.Serializer):
    cohort = VisibleRelatedField(queryset=Cohort.objects.all())
    issued_on = serializers.DateField(required=False, help_text=_("Default: today."))


class BatchItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrolment = serializers.IntegerField(source="enrolment_id")
    learner_name = serializers.CharField(source="enrolment.learner.full_name")
    student_number = serializers.CharField(source="enrolment.student_number", allow_blank=True)
    outcome = serializers.ChoiceField(choices=choices.BatchItemOutcome.choices)
    outcome_display = serializers.CharField(source="get_outcome_display")
    reasons = ReasonSerializer(many=True)
    diploma = serializers.IntegerField(source="diploma_id", allow_null=True)


class BatchSerializer(serializers.Serializer):
    """A batch and its progress, with the download links once it is done."""

    id = serializers.IntegerField()
    institution = serializers.CharField(source="batch.institution.code")
    cohort = serializers.IntegerField(source="batch.cohort_id")
    cohort_code = serializers.CharField(source="batch.cohort.code")
    issued_on = serializers.DateField(source="batch.issued_on")
    status = serializers.ChoiceField(choices=choices.BatchStatus.choices)
    status_display = serializers.CharField()
    total = serializers.IntegerField(help_text=_("Diplomas to issue (the ready items when the batch was checked)."))
    issued = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    ready = serializers.IntegerField(help_text=_("Items still to issue."))
    refused = serializers.IntegerField()
    already_issued = serializers.IntegerField()
    error = serializers.CharField(source="batch.error", allow_blank=True)
    created_by = serializers.CharField(source="batch.created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField(source="batch.created_at")
    started_at = serializers.DateTimeField(source="batch.started_at", allow_null=True)
    finished_at = serializers.DateTimeField(source="batch.finished_at", allow_null=True)
    zip_url = serializers.URLField(allow_null=True, help_text=_("The ZIP of the single PDFs, once done."))
    print_url = serializers.URLField(allow_null=True, help_text=_("One print-ready PDF, once written."))


class BatchDetailSerializer(BatchSerializer):
    """A batch's progress (certificates.batches.batch_summary)."""

    workers = serializers.ListField(child=serializers.CharField(), help_text=_("Workers that issued its chunks."))


class BatchReportSerializer(BatchDetailSerializer):
    """The validation report of a new batch: every enrolment of the cohort, whether it can be issued and why not."""

    items = BatchItemSerializer(many=True)
