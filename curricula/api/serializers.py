"""Serializers of the curricula API (read only). Relations are shown by their natural keys."""

from rest_framework import serializers

from curricula.choices import EntryRequirement, GeneralSubjectType, RuleStatus
from curricula.models import Curriculum, CurriculumComponent, CurriculumVersion
from vet.choices import Level

DECIMAL = {"max_digits": 12, "decimal_places": 2, "allow_null": True}


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = CurriculumVersion
        fields = ("id", "status", "decision_number", "decision_date")


class CurriculumSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code", read_only=True)
    institution_name = serializers.CharField(source="institution.name_vi", read_only=True)
    occupation = serializers.CharField(source="occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name_vi", read_only=True)
    entry_requirement = serializers.ChoiceField(choices=EntryRequirement.choices, allow_blank=True, read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Curriculum
        fields = ("id", "institution", "institution_name", "occupation", "occupation_name", "level",
                  "entry_requirement", "versions", "created_at", "modified_at")
        read_only_fields = fields


class CurriculumComponentSerializer(serializers.ModelSerializer):
    total_hours = serializers.IntegerField(read_only=True)
    general_subject_type = serializers.ChoiceField(choices=GeneralSubjectType.choices, allow_blank=True,
                                                   read_only=True)

    class Meta:
        model = CurriculumComponent
        fields = ("id", "position", "kind", "code", "name_vi", "name_en", "group", "compulsory", "credits",
                  "theory_hours", "practice_hours", "internship_hours", "exam_hours", "total_hours",
                  "general_subject_type")
        read_only_fields = fields


class CurriculumVersionSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="curriculum.institution.code", read_only=True)
    occupation = serializers.CharField(source="curriculum.occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="curriculum.occupation.name_vi", read_only=True)
    level = serializers.ChoiceField(source="curriculum.level", choices=Level.choices, read_only=True)
    entry_requirement = serializers.ChoiceField(source="curriculum.entry_requirement", choices=EntryRequirement.choices,
                                                allow_blank=True, read_only=True)
    components = CurriculumComponentSerializer(many=True, read_only=True)

    class Meta:
        model = CurriculumVersion
        fields = ("id", "curriculum", "institution", "occupation", "occupation_name", "level",
                  "entry_requirement", "status", "decision_number", "decision_date", "signer", "origin",
                  "partner_country", "awarding_body", "high_quality", "output_standard", "approved_on",
                  "next_review_on", "components", "created_at", "modified_at")
        read_only_fields = fields


# ----------------------------------------------------------------------------------------------- reports


class RuleResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    general_subject_type = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=RuleStatus.choices)
    measured = serializers.DecimalField(**DECIMAL)
    required = serializers.CharField(allow_blank=True)
    required_min = serializers.DecimalField(**DECIMAL)
    required_max = serializers.DecimalField(**DECIMAL)
    unit = serializers.CharField()
    confirmed = serializers.BooleanField()
    source = serializers.CharField(allow_blank=True)
    message = serializers.CharField()
    components = serializers.ListField(child=serializers.CharField())


class ValidationReportSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    on = serializers.DateField()
    rule_set = serializers.CharField(allow_blank=True)
    passed = serializers.BooleanField()
    failures = serializers.IntegerField()
    warnings = serializers.IntegerField()
    results = RuleResultSerializer(many=True)


class DiffComponentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField(allow_blank=True)
    name_en = serializers.CharField(allow_blank=True)
    group = serializers.CharField(allow_blank=True)
    credits = serializers.DecimalField(max_digits=5, decimal_places=1)
    theory_hours = serializers.IntegerField()
    practice_hours = serializers.IntegerField()
    internship_hours = serializers.IntegerField()
    exam_hours = serializers.IntegerField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class ComponentChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class VersionDiffSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    against = serializers.IntegerField()
    added = DiffComponentSerializer(many=True)
    removed = DiffComponentSerializer(many=True)
    changed = ComponentChangeSerializer(many=True)


class DiffQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
