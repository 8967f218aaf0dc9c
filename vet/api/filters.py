"""Filters of the registry API. Free text (`q`) ignores diacritics on every database.

Every list endpoint's filter set derives from `ModifiedSinceFilterSet`, so that another system can mirror
VETtrack with `modified_since` plus the deletions feed (vet/api/sync.py); tests/test_api_sync.py walks the
routers to hold every list to it."""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from vet import choices
from vet.models import (
    AccreditationFramework,
    Authority,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Occupation,
    Province,
    ReadinessProfile,
    ScopeEntry,
    Teacher,
)
from vet.text import fold


class UTCDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time, converted to UTC: databases disagree on unusual offsets (PostgreSQL refuses > 15:59)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Date and time out of range."), code="out_of_range")


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


def _text_condition(paths: list[str], value: str) -> Q:
    condition = Q()
    for token in fold(value).split():
        token_q = Q()
        for path in paths:
            token_q |= Q(**{f"{path}__contains": token})
        condition &= token_q
    return condition


MODIFIED_SINCE_LABEL = _("Changed at or after (ISO 8601)")


class ModifiedSinceFilterSet(filters.FilterSet):
    """`modified_since`: the rows changed at or after that moment (a bad value is a 400 naming it). A row has changed
    when one of its `changed_at` date-times is that late: its own `modified_at` by default, plus those of the rows
    nested in it (a framework's criteria, a checklist's items), or, for a model without `modified_at`, whatever
    marks its changes."""

    modified_since = UTCDateTimeFilter(method="filter_modified_since", label=MODIFIED_SINCE_LABEL)
    changed_at: tuple[str, ...] = ("modified_at",)

    def filter_modified_since(self, queryset, name, value):
        changed = Q()
        for path in self.changed_at:
            if "__" in path:  # through a relation: a subquery of ids, so that no row comes twice
                related = queryset.model._base_manager.filter(**{f"{path}__gte": value})
                changed |= Q(pk__in=related.values("pk"))
            else:
                changed |= Q(**{f"{path}__gte": value})
        return queryset.filter(changed)


class RegistryFilterSet(ModifiedSinceFilterSet):
    q = filters.CharFilter(method="filter_text", label=_("Free text (diacritics optional)"))
    text_paths: list[str] = ["search_text"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(_text_condition(self.text_paths, value)).distinct()


class LegalDocumentFilter(RegistryFilterSet):
    class Meta:
        model = LegalDocument
        fields = ["kind", "confirmed"]


class ProvinceFilter(RegistryFilterSet):
    current = filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label=_("Still in existence"))

    class Meta:
        model = Province
        fields = ["region"]


class AuthorityFilter(RegistryFilterSet):
    province = filters.CharFilter(field_name="province__code", label=_("Province code"))
    current = filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label=_("Still in existence"))

    class Meta:
        model = Authority
        fields = ["level"]


class OccupationFilter(RegistryFilterSet):
    level = filters.ChoiceFilter(
        choices=[(lv.value, lv.label) for lv in choices.DESIGNATION_LEVELS], method="filter_level",
        label=_("Level (from the first digit of the code)"),
    )
    field = filters.CharFilter(field_name="field__code", label=_("Field code (digits 2–3)"))

    class Meta:
        model = Occupation
        fields = ["stem"]

    def filter_level(self, queryset, name, value):
        digit = {v: k for k, v in choices.CODE_DIGIT_LEVEL.items()}[value]
        return queryset.filter(code__startswith=digit)


class InstitutionFilter(RegistryFilterSet):
    province = filters.CharFilter(field_name="province__code", label=_("Province code"))
    tier = filters.ChoiceFilter(choices=choices.Tier.choices, method="filter_tier",
                                label=_("Has a key occupation at this tier"))
    occupation = filters.CharFilter(method="filter_occupation", label=_("Occupation code in scope"))
    level = filters.ChoiceFilter(choices=choices.Level.choices, method="filter_level",
                                 label=_("Level in scope"))

    class Meta:
        model = Institution
        fields = ["type", "ownership"]

    def filter_tier(self, queryset, name, value):
        return queryset.filter(pk__in=KeyOccupationDesignation.objects.filter(tier=value).values("institution"))

    def filter_occupation(self, queryset, name, value):
        return queryset.filter(pk__in=ScopeEntry.objects.filter(occupation__code=value).values("institution"))

    def filter_level(self, queryset, name, value):
        return queryset.filter(pk__in=ScopeEntry.objects.filter(level=value).values("institution"))


class InstitutionOwnedFilter(RegistryFilterSet):
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="institution__province__code", label=_("Province code"))


class ScopeEntryFilter(InstitutionOwnedFilter):
    occupation = filters.CharFilter(field_name="occupation__code", label=_("Occupation code"))
    text_paths = ["occupation__search_text", "institution__search_text"]

    class Meta:
        model = ScopeEntry
        fields = ["level"]


class DesignationFilter(InstitutionOwnedFilter):
    occupation = filters.CharFilter(field_name="occupation__code", label=_("Occupation code"))
    type = filters.ChoiceFilter(field_name="institution__type", choices=choices.InstitutionType.choices,
                                label=_("Institution type"))
    ownership = filters.ChoiceFilter(field_name="institution__ownership", choices=choices.Ownership.choices,
                                     label=_("Ownership"))
    year = filters.NumberFilter(method="filter_year", label=_("Designation in force in this year"))
    text_paths = ["occupation__search_text", "institution__search_text"]

    class Meta:
        model = KeyOccupationDesignation
        fields = ["tier", "level"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class TeacherFilter(InstitutionOwnedFilter):
    class Meta:
        model = Teacher
        fields = ["degree", "has_pedagogy_certificate", "is_active"]


class PartnerFilter(InstitutionOwnedFilter):
    class Meta:
        model = EnterprisePartner
        fields = ["agreement_type"]


class AccreditationFrameworkFilter(ModifiedSinceFilterSet):
    changed_at = ("modified_at", "criteria__modified_at", "criteria__standards__modified_at")

    class Meta:
        model = AccreditationFramework
        fields = ["target"]


class ReadinessProfileFilter(ModifiedSinceFilterSet):
    on = filters.DateFilter(method="filter_on", label=_("In force on this day"))
    changed_at = ("modified_at", "indicators__modified_at")

    class Meta:
        model = ReadinessProfile
        fields = ["tier"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value))


class ReadinessFilter(filters.FilterSet):
    """Filters of the readiness list; `status` and `on` are applied by the view (they need the evaluation). No
    `modified_since`: readiness is computed on the day asked for from rows that each have their own list (a
    status changes with the date alone), so a mirror reads it whole or computes it from what it mirrored."""

    province = filters.CharFilter(field_name="institution__province__code", label=_("Province code"))
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    occupation = filters.CharFilter(field_name="occupation__code", label=_("Occupation code"))
    status = filters.ChoiceFilter(choices=choices.ReadinessStatus.choices, method="keep",
                                  label=_("Readiness status"))
    on = filters.DateFilter(method="keep", label=_("Evaluate on this day (default today)"))

    class Meta:
        model = KeyOccupationDesignation
        fields = ["tier", "level"]

    def keep(self, queryset, name, value):
        return queryset
