"""Forms of the skill-standard screens and filters of the authority's reports."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from vet import permissions
from vet.models import Province

from .. import choices
from ..models import CurriculumComponent, CurriculumVersion, SkillFramework, SkillUnit


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX file"),
        help_text=_("Two sheets: units (code, name_vi, name_en, group, level, nominal_hours) and criteria "
                    "(unit_code, number, text_vi, text_en)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm"}),
    )


class CoverageChoiceForm(forms.Form):
    """Which framework (and level) the mapping page maps against and reports coverage of."""

    framework = forms.ModelChoiceField(label=_("Skill framework"), queryset=SkillFramework.objects.none(),
                                       required=False, empty_label=_("Choose a skill framework"))
    level = forms.TypedChoiceField(label=_("Skill level"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("All levels"))] + [(n, str(n)) for n in range(1, 9)])

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks


class MappingForm(forms.Form):
    """Map one component of `version` to one unit of `framework` (of `level`, when given), by unit code."""

    component = forms.ModelChoiceField(queryset=CurriculumComponent.objects.none(), widget=forms.HiddenInput)
    unit = forms.CharField(label=_("Competency unit"), max_length=40)
    coverage = forms.ChoiceField(label=_("Coverage"), choices=choices.Coverage.choices, required=False)

    def __init__(self, *args, version: CurriculumVersion, framework: SkillFramework, level: int | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = CurriculumComponent.objects.filter(version=version)
        self.units = SkillUnit.objects.filter(framework=framework)
        if level is not None:
            self.units = self.units.filter(level=level)

    def clean_unit(self) -> SkillUnit:
        code = self.cleaned_data["unit"].strip()
        # The field shows "code · name"; the code is what identifies the unit.
        code = code.split(" · ", 1)[0].strip()
        unit = self.units.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No competency unit %(code)s in this framework and level.")
                                        % {"code": code}, code="unknown_unit")
        return unit

    def clean_coverage(self) -> str:
        return self.cleaned_data.get("coverage") or choices.Coverage.FULL


def _provinces(request):
    return Province.objects.filter(pk__in=permissions.institutions_for(request.user).values("province_id"))


def _institutions(request):
    return permissions.institutions_for(request.user).order_by("name_vi")


class JurisdictionFilterSet(WagtailFilterSet):
    """Province and institution, offering only those in the user's jurisdiction."""

    province = django_filters.ModelChoiceFilter(
        label=_("Province"), field_name="curriculum__institution__province", queryset=_provinces,
        empty_label=_("All provinces"))
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"), field_name="curriculum__institution", queryset=_institutions,
        empty_label=_("All institutions"))

    class Meta:
        model = CurriculumVersion
        fields = []


DUE_WITHIN_CHOICES = [("30", _("30 days")), ("90", _("90 days")), ("180", _("180 days")), ("365", _("one year"))]


class ReviewDueFilterSet(JurisdictionFilterSet):
    # Read by the view, which takes the overdue versions and, with this toggle, those due soon.
    due_within = django_filters.ChoiceFilter(
        label=_("Also due for review within"), choices=DUE_WITHIN_CHOICES, empty_label=_("Overdue only"),
        method="keep")

    def keep(self, queryset, name, value):
        return queryset


class ValidationFilterSet(JurisdictionFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=choices.VersionStatus.choices,
        empty_label=_("Approved and newest draft or submitted"), method="keep")
    failing = django_filters.ChoiceFilter(
        label=_("Result"), choices=[("1", _("Failing only"))], empty_label=_("Passing and failing"),
        method="keep")

    def keep(self, queryset, name, value):
        # The view reads these: status picks the base rows, "failing only" needs the validation reports.
        return queryset
