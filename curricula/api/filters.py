"""Filters of the curricula API."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from curricula import choices
from curricula.models import Curriculum, CurriculumVersion
from vet.api.filters import RegistryFilterSet
from vet.choices import Level


class CurriculumFilter(RegistryFilterSet):
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="institution__province__code", label=_("Province code"))
    occupation = filters.CharFilter(field_name="occupation__code", label=_("Occupation code"))
    level = filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    entry_requirement = filters.ChoiceFilter(choices=choices.EntryRequirement.choices,
                                             label=_("Entry requirement"))
    text_paths = ["occupation__search_text", "institution__search_text"]

    class Meta:
        model = Curriculum
        fields: list[str] = []


class CurriculumVersionFilter(RegistryFilterSet):
    curriculum = filters.NumberFilter(field_name="curriculum_id", label=_("Curriculum id"))
    institution = filters.CharFilter(field_name="curriculum__institution__code", label=_("Institution code"))
    province = filters.CharFilter(field_name="curriculum__institution__province__code", label=_("Province code"))
    occupation = filters.CharFilter(field_name="curriculum__occupation__code", label=_("Occupation code"))
    level = filters.ChoiceFilter(field_name="curriculum__level", choices=Level.choices, label=_("Level"))
    status = filters.ChoiceFilter(choices=choices.VersionStatus.choices, label=_("Status"))
    text_paths = ["curriculum__occupation__search_text", "curriculum__institution__search_text"]

    class Meta:
        model = CurriculumVersion
        fields: list[str] = []
