"""Serializers of the registry API. Relations are written and read by their natural keys
(province code, institution code, occupation code, document number), never by database id."""

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vet import choices
from vet.models import (
    AccreditationFramework,
    Authority,
    Criterion,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Occupation,
    Province,
    ReadinessIndicator,
    ReadinessProfile,
    ScopeEntry,
    Standard,
    Teacher,
)

READ_ONLY = ("id", "created_at", "modified_at")
UNCONFIRMED = _("unconfirmed")


class NaturalKeyField(serializers.SlugRelatedField):
    """A relation written as its natural key; text no database can hold (NUL) is invalid, not a crash."""

    def to_internal_value(self, data):
        if "\x00" in str(data):
            self.fail("invalid")
        return super().to_internal_value(data)


def _slug(model, field, **kwargs):
    return NaturalKeyField(slug_field=field, queryset=model.objects.all(), **kwargs)


class LegalDocumentSerializer(serializers.ModelSerializer):
    replaced_by = _slug(LegalDocument, "number", required=False, allow_null=True)

    class Meta:
        model = LegalDocument
        fields = ("id", "number", "kind", "issuer", "title_vi", "title_en", "issued_on", "effective_from",
                  "effective_to", "replaced_by", "url", "confirmed", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class ProvinceSerializer(serializers.ModelSerializer):
    successor = _slug(Province, "code", required=False, allow_null=True)
    merger_document = _slug(LegalDocument, "number", required=False, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Province
        fields = ("id", "code", "name_vi", "name_en", "region", "valid_from", "valid_to", "successor",
                  "merger_document", "is_current", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class AuthoritySerializer(serializers.ModelSerializer):
    province = _slug(Province, "code", required=False, allow_null=True)
    successor = serializers.PrimaryKeyRelatedField(queryset=Authority.objects.all(), required=False,
                                                   allow_null=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Authority
        fields = ("id", "level", "name_vi", "name_en", "short_name", "province", "valid_from", "valid_to",
                  "successor", "is_current", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class OccupationSerializer(serializers.ModelSerializer):
    field = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    catalogue_document = _slug(LegalDocument, "number", required=False, allow_null=True)
    level = serializers.CharField(read_only=True)

    class Meta:
        model = Occupation
        fields = ("id", "code", "stem", "level", "field", "name_vi", "name_en", "catalogue_document",
                  "created_at", "modified_at")
        read_only_fields = (*READ_ONLY, "stem")


class InstitutionSerializer(serializers.ModelSerializer):
    province = _slug(Province, "code")
    province_name = serializers.CharField(source="province.name_vi", read_only=True)
    managing_authority = serializers.PrimaryKeyRelatedField(queryset=Authority.objects.all(), required=False,
                                                            allow_null=True)
    managing_authority_name = serializers.CharField(source="managing_authority.name_vi", read_only=True,
                                                    default=None, allow_null=True)
    registration_document = _slug(LegalDocument, "number", required=False, allow_null=True)

    class Meta:
        model = Institution
        fields = ("id", "code", "name_vi", "name_en", "short_name", "type", "ownership", "province",
                  "province_name", "managing_authority", "managing_authority_name", "address", "phone",
                  "email", "website", "registration_document", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class ScopeEntrySerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")
    occupation = _slug(Occupation, "code")
    occupation_name = serializers.CharField(source="occupation.name_vi", read_only=True)
    registration_document = _slug(LegalDocument, "number", required=False, allow_null=True)

    class Meta:
        model = ScopeEntry
        fields = ("id", "institution", "occupation", "occupation_name", "level", "annual_quota",
                  "registration_document", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class KeyOccupationDesignationSerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")
    institution_name = serializers.CharField(source="institution.name_vi", read_only=True)
    province = serializers.CharField(source="institution.province.code", read_only=True)
    occupation = _slug(Occupation, "code")
    occupation_name = serializers.CharField(source="occupation.name_vi", read_only=True)
    decision = _slug(LegalDocument, "number")

    class Meta:
        model = KeyOccupationDesignation
        fields = ("id", "institution", "institution_name", "province", "occupation", "occupation_name", "level",
                  "tier", "period_start", "period_end", "decision", "note", "created_at", "modified_at")
        read_only_fields = READ_ONLY
        validators: list = []  # uniqueness is checked by the service, with a message naming the fields


class TeacherSerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")

    class Meta:
        model = Teacher
        fields = ("id", "institution", "full_name", "degree", "field_of_study", "has_pedagogy_certificate",
                  "foreign_language_level", "it_standard", "national_skill_level", "industry_years",
                  "is_active", "created_at", "modified_at")
        read_only_fields = READ_ONLY


class EnterprisePartnerSerializer(serializers.ModelSerializer):
    institution = _slug(Institution, "code")

    class Meta:
        model = EnterprisePartner
        fields = ("id", "institution", "name", "sector", "agreement_type", "since", "until", "contact",
                  "created_at", "modified_at")
        read_only_fields = READ_ONLY


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ("code", "text_vi", "text_en", "typical_evidence", "is_sample")
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    standard_count = serializers.IntegerField(read_only=True, help_text=_("Number of standards of the criterion."))
    standards = StandardSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ("number", "name_vi", "name_en", "benchmark_points", "is_core", "standard_count", "standards")
        read_only_fields = fields


class AccreditationFrameworkSerializer(serializers.ModelSerializer):
    document = serializers.SlugRelatedField(slug_field="number", read_only=True)
    has_pass_rule = serializers.BooleanField(read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = AccreditationFramework
        fields = ("id", "code", "name_vi", "name_en", "target", "document", "effective_from", "effective_to",
                  "points_per_standard", "compliance_years_intermediate", "compliance_years_college",
                  "min_total_points", "min_criterion_share", "min_core_criterion_share", "has_pass_rule",
                  "thresholds_confirmed", "thresholds_note", "criteria", "created_at", "modified_at")
        read_only_fields = fields


class ReadinessIndicatorSerializer(serializers.ModelSerializer):
    source_document = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    level = serializers.ChoiceField(choices=choices.Level.choices, allow_blank=True, read_only=True,
                                    help_text=_("Empty: both intermediate and college programs."))
    min_degree = serializers.ChoiceField(choices=choices.Degree.choices, allow_blank=True, read_only=True,
                                         help_text=_("For the theory-teacher indicator: the lowest degree that "
                                                     "counts; empty otherwise."))
    confirmed_label = serializers.SerializerMethodField(
        help_text=_("'Unconfirmed' when the threshold is not yet checked against its legal source, else empty."))

    class Meta:
        model = ReadinessIndicator
        fields = ("metric", "level", "threshold", "weight", "min_degree", "min_language_level", "min_skill_level",
                  "source_document", "source_note", "confirmed", "confirmed_label")
        read_only_fields = fields

    def get_confirmed_label(self, obj) -> str:
        return "" if obj.confirmed else str(UNCONFIRMED)


class ReadinessProfileSerializer(serializers.ModelSerializer):
    source_document = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    indicators = ReadinessIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = ReadinessProfile
        fields = ("id", "code", "tier", "name_vi", "name_en", "source_document", "valid_from", "valid_to",
                  "close_gap_percent", "confirmed", "note", "indicators", "created_at", "modified_at")
        read_only_fields = fields


class IndicatorResultSerializer(serializers.Serializer):
    metric = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                     help_text=_("Null when no data is recorded: a full gap."))
    threshold = serializers.DecimalField(max_digits=8, decimal_places=2)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    met = serializers.BooleanField()
    gap = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=_("Percent of the threshold missing."))
    confirmed = serializers.BooleanField(help_text=_("False: the threshold is not yet checked against its source."))
    confirmed_label = serializers.SerializerMethodField()
    source = serializers.CharField()

    def get_confirmed_label(self, obj) -> str:
        return "" if obj.confirmed else str(UNCONFIRMED)


class DesignationReadinessSerializer(serializers.Serializer):
    """One key-occupation designation and how far it is from its tier."""

    designation = serializers.IntegerField(source="pk")
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name")
    province = serializers.CharField(source="institution.province.code")
    occupation = serializers.CharField(source="occupation.code")
    occupation_name = serializers.CharField(source="occupation.name")
    level = serializers.CharField()
    tier = serializers.CharField()
    period_start = serializers.IntegerField()
    period_end = serializers.IntegerField()
    profile = serializers.SerializerMethodField(help_text=_("Code of the readiness profile applied; null: none in "
                                                            "force for the tier."))
    status = serializers.SerializerMethodField(help_text=_("ready, close or not_yet; null without a profile."))
    weighted_gap = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(help_text=_("Metrics not met, largest gap first."))
    projected_date = serializers.SerializerMethodField(
        help_text=_("Latest due date of the open action items: when the plan, if kept, closes the gap."))

    def _readiness(self, obj):
        return self.context["readiness"].get(obj.pk)

    def get_profile(self, obj) -> str | None:
        r = self._readiness(obj)
        return r.profile if r else None

    def get_status(self, obj) -> str | None:
        r = self._readiness(obj)
        return r.status if r else None

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True))
    def get_weighted_gap(self, obj):
        r = self._readiness(obj)
        return None if r is None else f"{r.weighted_gap:.2f}"

    @extend_schema_field(IndicatorResultSerializer(many=True))
    def get_indicators(self, obj):
        r = self._readiness(obj)
        return IndicatorResultSerializer(r.indicators, many=True).data if r else []

    def get_missing(self, obj) -> list[str]:
        r = self._readiness(obj)
        return [i.metric for i in r.missing] if r else []

    def get_projected_date(self, obj) -> datetime.date | None:
        r = self._readiness(obj)
        return r.projected_date if r else None
