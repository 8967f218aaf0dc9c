"""Filters of the curricula API."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from curricula import choices, selectors
from curricula.models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumVersion,
    SkillFramework,
    SkillUnit,
)
from vet.api.filters import RegistryFilterSet
from vet.choices import Level


class IntegerFilter(filters.NumberFilter):
    """A whole number within the database's range (ids default to 1 … 2⁶³ − 1): others are a 400, not a crash."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value=1, max_value=2**63 - 1, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class CurriculumFilter(RegistryFilterSet):
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="institution__province__code", label=_("Province code"))
    occupation = filters.CharFilter(field_name="occupation__code", label=_("Occupation code"))
    level = filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    entry_requirement = filters.ChoiceFilter(choices=choices.EntryRequirement.choices,
                                             label=_("Entry requirement"))
    text_paths = ["occupation__search_text", "institution__search_text"]
    changed_at = ("modified_at", "versions__modified_at")

    class Meta:
        model = Curriculum
        fields: list[str] = []


class CurriculumVersionFilter(RegistryFilterSet):
    curriculum = IntegerFilter(field_name="curriculum_id", label=_("Curriculum id"))
    institution = filters.CharFilter(field_name="curriculum__institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="curriculum__institution__province__code", label=_("Province code"))
    occupation = filters.CharFilter(field_name="curriculum__occupation__code", label=_("Occupation code"))
    level = filters.ChoiceFilter(field_name="curriculum__level", choices=Level.choices, label=_("Level"))
    status = filters.ChoiceFilter(choices=choices.VersionStatus.choices, label=_("Status"))
    origin = filters.ChoiceFilter(choices=choices.Origin.choices, label=_("Origin"))
    review_overdue = filters.BooleanFilter(method="filter_review_overdue",
                                           label=_("Approved and past its next review date"))
    text_paths = ["curriculum__occupation__search_text", "curriculum__institution__search_text"]
    changed_at = ("modified_at", "components__modified_at")

    class Meta:
        model = CurriculumVersion
        fields: list[str] = []

    def filter_review_overdue(self, queryset, name, value):
        overdue = Q(pk__in=selectors.review_overdue_versions().values("pk"))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class _PlainTextFilterSet(RegistryFilterSet):
    """Free text over codes and names as written (these rows keep no diacritic-free copy)."""

    plain_paths = ["code", "name_vi", "name_en"]

    def filter_text(self, queryset, name, value):
        condition = Q()
        for token in value.split():
            token_q = Q()
            for path in self.plain_paths:
                token_q |= Q(**{f"{path}__icontains": token})
            condition &= token_q
        return queryset.filter(condition)


class CurriculumComponentFilter(_PlainTextFilterSet):
    version = IntegerFilter(field_name="version_id", label=_("Version id"))
    institution = filters.CharFilter(field_name="version__curriculum__institution__code",
                                     label=_("Institution code"))

    class Meta:
        model = CurriculumComponent
        fields = ["kind", "group"]


class SkillFrameworkFilter(_PlainTextFilterSet):
    occupation = filters.CharFilter(field_name="occupation__code", label=_("Occupation code"))
    changed_at = ("modified_at", "units__modified_at")  # its unit_count

    class Meta:
        model = SkillFramework
        fields = ["kind", "is_sample"]


class SkillUnitFilter(_PlainTextFilterSet):
    framework = filters.CharFilter(field_name="framework__code", label=_("Framework code"))
    level = IntegerFilter(min_value=1, max_value=8, label=_("Skill level"))
    changed_at = ("modified_at", "criteria__modified_at")

    class Meta:
        model = SkillUnit
        fields = ["group"]


class ComponentUnitMappingFilter(_PlainTextFilterSet):
    version = IntegerFilter(field_name="component__version_id", label=_("Version id"))
    component = IntegerFilter(field_name="component_id", label=_("Component id"))
    framework = filters.CharFilter(field_name="unit__framework__code", label=_("Framework code"))
    institution = filters.CharFilter(field_name="component__version__curriculum__institution__code",
                                     label=_("Institution code"))
    plain_paths = ["unit__code", "component__code"]

    class Meta:
        model = ComponentUnitMapping
        fields = ["coverage"]
