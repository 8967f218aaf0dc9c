"""Serializers of the curricula API. Relations are shown by their natural keys where they have one
(institution, occupation, framework codes) and by id otherwise (curricula, versions, components, units).
They only read and shape input: every rule lives in curricula.services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from curricula.choices import (
    ComponentGroup,
    ComponentKind,
    Coverage,
    EntryRequirement,
    GeneralSubjectType,
    RuleStatus,
    VersionStatus,
)
from curricula.models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumVersion,
    PerformanceCriterion,
    SkillFramework,
    SkillUnit,
    VersionComment,
)
from vet import permissions
from vet.api.serializers import NaturalKeyField
from vet.choices import Level
from vet.models import Institution, Occupation

DECIMAL = {"max_digits": 12, "decimal_places": 2, "allow_null": True}
READ_ONLY = ("id", "created_at", "modified_at")
MAX_ID = 2**63 - 1


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A relation written as an id, among the rows the requesting user may see (a hidden row does not exist)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return permissions.scope_queryset(getattr(request, "user", None), queryset, permissions.VIEW)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, int | str) and str(data).lstrip("-").isdigit()
                                      and not 0 < int(data) <= MAX_ID):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def _slug(model, field, **kwargs):
    return NaturalKeyField(slug_field=field, queryset=model.objects.all(), **kwargs)


# --------------------------------------------------------------------------------------------- curricula


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = CurriculumVersion
        fields = ("id", "status", "decision_number", "decision_date")


class CurriculumSerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")
    institution_name = serializers.CharField(source="institution.name_vi", read_only=True)
    occupation = _slug(Occupation, "code")
    occupation_name = serializers.CharField(source="occupation.name_vi", read_only=True)
    level = serializers.ChoiceField(choices=Level.choices)
    entry_requirement = serializers.ChoiceField(choices=EntryRequirement.choices, allow_blank=True, required=False)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Curriculum
        fields = ("id", "institution", "institution_name", "occupation", "occupation_name", "level",
                  "entry_requirement", "versions", "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []  # uniqueness and scope are checked by the service, with its own messages


class CurriculumComponentSerializer(serializers.ModelSerializer):
    version = VisibleRelatedField(queryset=CurriculumVersion.objects.all())
    kind = serializers.ChoiceField(choices=ComponentKind.choices)
    group = serializers.ChoiceField(choices=ComponentGroup.choices)
    total_hours = serializers.IntegerField(read_only=True)
    general_subject_type = serializers.ChoiceField(choices=GeneralSubjectType.choices, allow_blank=True,
                                                   required=False)

    class Meta:
        model = CurriculumComponent
        fields = ("id", "version", "position", "kind", "code", "name_vi", "name_en", "group", "compulsory",
                  "credits", "theory_hours", "practice_hours", "internship_hours", "exam_hours", "total_hours",
                  "general_subject_type", "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []


class NestedComponentSerializer(CurriculumComponentSerializer):
    class Meta(CurriculumComponentSerializer.Meta):
        fields = ("id", "position", "kind", "code", "name_vi", "name_en", "group", "compulsory", "credits",
                  "theory_hours", "practice_hours", "internship_hours", "exam_hours", "total_hours",
                  "general_subject_type")
        read_only_fields = fields


class CurriculumVersionSerializer(serializers.ModelSerializer):
    curriculum = VisibleRelatedField(queryset=Curriculum.objects.all())
    based_on = VisibleRelatedField(
        queryset=CurriculumVersion.objects.all(), write_only=True, required=False, allow_null=True,
        help_text=_("On creation: a version of the same curriculum whose subjects and modules are copied."))
    institution = serializers.CharField(source="curriculum.institution.code", read_only=True)
    occupation = serializers.CharField(source="curriculum.occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="curriculum.occupation.name_vi", read_only=True)
    level = serializers.ChoiceField(source="curriculum.level", choices=Level.choices, read_only=True)
    entry_requirement = serializers.ChoiceField(source="curriculum.entry_requirement", choices=EntryRequirement.choices,
                                                allow_blank=True, read_only=True)
    status = serializers.ChoiceField(choices=VersionStatus.choices, read_only=True)
    review_overdue = serializers.BooleanField(source="is_review_overdue", read_only=True)
    components = NestedComponentSerializer(many=True, read_only=True)

    class Meta:
        model = CurriculumVersion
        fields = ("id", "curriculum", "based_on", "institution", "occupation", "occupation_name", "level",
                  "entry_requirement", "status", "decision_number", "decision_date", "signer", "origin",
                  "partner_country", "awarding_body", "high_quality", "duration_months", "output_standard",
                  "approved_on",
                  "next_review_on", "review_overdue", "components", "created_at", "modified_at")
        read_only_fields = (*READ_ONLY, "approved_on", "next_review_on")
        validators: list = []


class CurriculumVersionUpdateSerializer(CurriculumVersionSerializer):
    """A draft's fields; the curriculum it belongs to is fixed once created."""

    curriculum = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(CurriculumVersionSerializer.Meta):
        fields = tuple(f for f in CurriculumVersionSerializer.Meta.fields if f != "based_on")


class ApproveSerializer(serializers.Serializer):
    decision_number = serializers.CharField(max_length=64, required=False,
                                            help_text=_("Leave out to keep the number already recorded."))
    decision_date = serializers.DateField(required=False, help_text=_("Leave out to keep the date already recorded."))
    signer = serializers.CharField(max_length=120, required=False,
                                   help_text=_("Leave out to keep the signer already recorded."))


class VersionCommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = VersionComment
        fields = ("id", "version", "author", "text", "created_at")
        read_only_fields = ("id", "version", "author", "created_at")


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


class ValidationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    curriculum = serializers.IntegerField()
    institution = serializers.CharField()
    institution_name = serializers.CharField()
    province = serializers.CharField()
    occupation = serializers.CharField()
    occupation_name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    decision_number = serializers.CharField(allow_blank=True)
    rule_set = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True, help_text=_("Empty when no rule set is in force on the "
                                                                   "version's date."))
    failures = serializers.IntegerField(allow_null=True)
    warnings = serializers.IntegerField(allow_null=True)
    review_overdue = serializers.BooleanField()
    next_review_on = serializers.DateField(allow_null=True)


class SummaryQuerySerializer(serializers.Serializer):
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)


class CoverageQuerySerializer(serializers.Serializer):
    framework = serializers.CharField(max_length=40)
    level = serializers.IntegerField(min_value=1, max_value=8, required=False, allow_null=True, default=None)


class CoverageReportSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    framework = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    units_total = serializers.IntegerField()
    covered_fully = serializers.ListField(child=serializers.CharField())
    covered_partially = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    share = serializers.DecimalField(max_digits=7, decimal_places=4)
    percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    partial_weight = serializers.DecimalField(max_digits=3, decimal_places=2)
    mapped_hours = serializers.IntegerField()
    unmapped_components = serializers.ListField(child=serializers.CharField())


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
    against = serializers.IntegerField(min_value=1, max_value=MAX_ID)


# ---------------------------------------------------------------------------------------- skill standards


class SkillFrameworkSerializer(serializers.ModelSerializer):
    occupation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    source_document = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    unit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SkillFramework
        fields = ("id", "code", "kind", "name_vi", "name_en", "version", "country_or_body", "source_document",
                  "source_url", "is_sample", "occupation", "unit_count", "created_at", "modified_at")
        read_only_fields = fields


class PerformanceCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PerformanceCriterion
        fields = ("number", "text_vi", "text_en")
        read_only_fields = fields


class SkillUnitSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="code", read_only=True)
    criteria = PerformanceCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = SkillUnit
        fields = ("id", "framework", "code", "name_vi", "name_en", "group", "level", "nominal_hours", "criteria",
                  "created_at", "modified_at")
        read_only_fields = fields


class _UnitPathField(serializers.CharField):
    """Written as plain text; read from the mapping's unit (its code, or its framework's code)."""

    def __init__(self, *path: str, **kwargs):
        self.path = path
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = instance.unit
        for step in self.path:
            value = getattr(value, step)
        return value


class ComponentUnitMappingSerializer(serializers.ModelSerializer):
    """Name the unit by id (`unit`) or by `framework` and `unit_code`."""

    component = VisibleRelatedField(queryset=CurriculumComponent.objects.all())
    component_code = serializers.CharField(source="component.code", read_only=True)
    version = serializers.IntegerField(source="component.version_id", read_only=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=SkillUnit.objects.all(), required=False)
    framework = _UnitPathField("framework", "code", max_length=40, required=False,
                               help_text=_("Framework code; with `unit_code`, instead of `unit`."))
    unit_code = _UnitPathField("code", max_length=40, required=False,
                               help_text=_("Unit code within `framework`, instead of `unit`."))
    coverage = serializers.ChoiceField(choices=Coverage.choices, default=Coverage.FULL)

    class Meta:
        model = ComponentUnitMapping
        fields = ("id", "component", "component_code", "version", "unit", "framework", "unit_code", "coverage",
                  "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []

    def to_internal_value(self, data):
        unit = data.get("unit") if hasattr(data, "get") else None
        if isinstance(unit, int) and not isinstance(unit, bool) and not 0 < unit <= MAX_ID:
            raise serializers.ValidationError({"unit": [_("No competency unit with this id.")]})
        return super().to_internal_value(data)

    def validate(self, attrs):
        framework, code = attrs.pop("framework", None), attrs.pop("unit_code", None)
        if attrs.get("unit") is None:
            if not (framework and code):
                raise serializers.ValidationError(
                    {"unit": [_("Give the unit's id, or the framework code and the unit code.")]})
            unit = SkillUnit.objects.filter(framework__code=framework, code=code).first()
            if unit is None:
                raise serializers.ValidationError(
                    {"unit_code": [_("The framework %(framework)s has no unit %(code)s.")
                                   % {"framework": framework, "code": code}]})
            attrs["unit"] = unit
        return attrs


class MappingCoverageSerializer(serializers.Serializer):
    coverage = serializers.ChoiceField(choices=Coverage.choices)


# ------------------------------------------------------------------------------------------ spreadsheets


class ComponentImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="XLSX (sheet 'components') or CSV in the format of the export.")


class ComponentImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    removed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ImportErrorSerializer(many=True)
