"""Curricula in the Wagtail back-office, grouped under "Curricula" just after the registry."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from vet.admin_views import RegistryPermissionPolicy, RegistryViewSet, forbidden_as_403, modified_column

from . import admin_views, selectors
from .models import Curriculum, CurriculumComponent, CurriculumVersion, VersionComment

# Registered before the viewsets, which would otherwise create Wagtail's default (Django-permission) policies.
for _model in (Curriculum, CurriculumVersion, CurriculumComponent, VersionComment):
    register_permission_policy(_model, RegistryPermissionPolicy(_model), exact_class=True)


class CurriculaViewSet(RegistryViewSet):
    base_form_class = admin_views.CurriculaAdminForm


class CurriculumViewSet(CurriculaViewSet):
    model = Curriculum
    icon = "doc-full-inverse"
    queryset_selector = staticmethod(selectors.list_curricula)
    save_service = staticmethod(admin_views.save_curriculum)
    delete_service = staticmethod(admin_views.delete_curriculum)
    inspect_view_class = admin_views.CurriculumInspectView
    inspect_template_name = "curricula/admin/curriculum_inspect.html"
    search_fields = ["institution__search_text", "occupation__search_text"]
    list_display = ["occupation", "level", "entry_requirement", "institution", modified_column()]
    list_filter = ["level", "institution__province", "institution"]


class CurriculumVersionViewSet(CurriculaViewSet):
    model = CurriculumVersion
    icon = "doc-full"
    queryset_selector = staticmethod(selectors.list_curriculum_versions)
    save_service = staticmethod(admin_views.save_version)
    delete_service = staticmethod(admin_views.delete_version)
    add_view_class = admin_views.VersionCreateView
    edit_view_class = admin_views.VersionEditView
    inspect_view_class = admin_views.VersionInspectView
    edit_template_name = "curricula/admin/version_edit.html"
    inspect_template_name = "curricula/admin/version_inspect.html"
    search_fields = ["curriculum__institution__search_text", "curriculum__occupation__search_text",
                     "decision_number"]
    list_display = [
        "curriculum",
        Column("institution", label=_("Institution"), accessor="curriculum.institution"),
        "status",
        "decision_number",
        "approved_on",
        admin_views.ReviewColumn("next_review_on", label=_("Next review on"), sort_key="next_review_on"),
        modified_column(),
    ]
    list_filter = ["status", "origin", "curriculum__level", "curriculum__institution__province",
                   "curriculum__institution"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("workflow/<int:pk>/<str:action>/", forbidden_as_403(admin_views.WorkflowView.as_view()),
                 name="workflow"),
            path("export/<int:pk>/", forbidden_as_403(admin_views.VersionExportView.as_view()), name="export"),
            path("import/<int:pk>/", forbidden_as_403(admin_views.VersionImportView.as_view()), name="import"),
            path("template/", forbidden_as_403(admin_views.ComponentTemplateView.as_view()), name="template"),
        ]


class CurriculumComponentViewSet(CurriculaViewSet):
    model = CurriculumComponent
    icon = "list-ol"
    save_service = staticmethod(admin_views.save_component)
    delete_service = staticmethod(admin_views.delete_component)
    add_view_class = admin_views.ComponentCreateView
    edit_view_class = admin_views.ComponentEditView
    edit_template_name = "curricula/admin/version_edit.html"
    search_fields = ["code", "name_vi", "name_en", "version__curriculum__occupation__search_text"]
    list_display = ["code", "name_vi", "kind", "group", "credits", "version", modified_column()]
    list_filter = ["group", "kind", "version__status", "version__curriculum__institution__province",
                   "version__curriculum__institution"]

    @staticmethod
    def queryset_selector():
        # The version's label names the occupation: join it, or the list costs a query a row.
        return selectors.list_curriculum_components().select_related("version__curriculum__occupation")


class CurriculaViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Curricula")
    menu_icon = "doc-full-inverse"
    menu_order = 210  # just after the registry (200)
    items = (CurriculumViewSet, CurriculumVersionViewSet, CurriculumComponentViewSet)


register_snippet(CurriculaViewSetGroup)


@hooks.register("construct_homepage_panels")
def add_my_curricula_panel(request, panels):
    admin_views.construct_panels(request, panels)


# Skill standards, the mapping + coverage page and the authority's reports register their own hooks.
from .admin_reports import wagtail_hooks  # noqa: E402, F401
