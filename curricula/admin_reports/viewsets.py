"""Snippet viewsets of the skill standards and the curriculum rules: reference data, edited by administrators."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import StatusFlagColumn
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from vet.admin_views import RegistryViewSet, boolean_column, forbidden_as_403, modified_column

from ..models import CurriculumRule, CurriculumRuleSet, PerformanceCriterion, SkillFramework, SkillUnit
from .views import FrameworkImportView, FrameworkInspectView, SkillUnitInspectView


class SkillFrameworkViewSet(RegistryViewSet):
    model = SkillFramework
    icon = "doc-full-inverse"
    search_fields = ["code", "name_vi", "name_en"]
    inspect_view_class = FrameworkInspectView
    inspect_template_name = "curricula/admin/framework_inspect.html"
    list_display = ["code", "name_vi", "kind", "version", "country_or_body", "occupation",
                    boolean_column(SkillFramework, "is_sample"), modified_column()]
    list_filter = ["kind", "is_sample"]

    @staticmethod
    def queryset_selector():
        return SkillFramework.objects.select_related("occupation", "source_document")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/<int:pk>/", forbidden_as_403(FrameworkImportView.as_view(viewset=self)), name="import"),
        ]


class SkillUnitViewSet(RegistryViewSet):
    model = SkillUnit
    icon = "list-ul"
    search_fields = ["code", "name_vi", "name_en"]
    inspect_view_class = SkillUnitInspectView
    inspect_template_name = "curricula/admin/unit_inspect.html"
    list_display = ["code", "name_vi", "framework", "group", "level", "nominal_hours", modified_column()]
    list_filter = ["framework", "group", "level"]

    @staticmethod
    def queryset_selector():
        return SkillUnit.objects.select_related("framework")


class PerformanceCriterionViewSet(RegistryViewSet):
    model = PerformanceCriterion
    icon = "tick"
    search_fields = ["unit__code", "text_vi", "text_en"]
    list_display = ["unit", "number", "text_vi", modified_column()]
    list_filter = ["unit__framework"]

    @staticmethod
    def queryset_selector():
        return PerformanceCriterion.objects.select_related("unit")


class CurriculumRuleSetViewSet(RegistryViewSet):
    model = CurriculumRuleSet
    icon = "doc-full"
    search_fields = ["name_vi", "name_en", "document__number"]
    list_display = ["name_vi", "document", "effective_from", "effective_to", modified_column()]

    @staticmethod
    def queryset_selector():
        return CurriculumRuleSet.objects.select_related("document")


class CurriculumRuleViewSet(RegistryViewSet):
    model = CurriculumRule
    icon = "cogs"
    search_fields = ["code", "note", "rule_set__document__number"]
    index_template_name = "curricula/admin/rule_index.html"
    list_display = [
        "code",
        "rule_set",
        "level",
        "entry_requirement",
        "general_subject_type",
        "min_value",
        "max_value",
        "value",
        "unit",
        StatusFlagColumn("confirmed", label=_("Confirmed"), false_label=_("Unconfirmed"), sort_key="confirmed"),
        "source",
    ]
    list_filter = ["rule_set", "code", "level", "confirmed"]
    list_per_page = 50

    @staticmethod
    def queryset_selector():
        return CurriculumRule.objects.select_related("rule_set__document", "source")


class SkillStandardsViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Skill standards")
    menu_icon = "form"
    menu_order = 220
    items = (
        SkillFrameworkViewSet,
        SkillUnitViewSet,
        PerformanceCriterionViewSet,
        CurriculumRuleSetViewSet,
        CurriculumRuleViewSet,
    )
