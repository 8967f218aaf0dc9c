"""The registry in the Wagtail back-office: one snippet viewset per model, grouped under "Registry"."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from . import permissions, selectors, services_evidence
from .admin_views import (
    AccreditationFrameworkInspectView,
    EquipmentChecklistInspectView,
    EquipmentItemCreateView,
    FrameworkExportView,
    FrameworkImportView,
    FrameworkIndexView,
    InstitutionInspectView,
    MembershipCreateView,
    RegistryDeleteBulkAction,
    RegistryPermissionPolicy,
    RegistryViewSet,
    RolePanel,
    SpreadsheetImportView,
    SpreadsheetIndexView,
    TemplateView,
    boolean_column,
    forbidden_as_403,
    modified_column,
)
from .admin_views import evidence as evidence_admin
from .admin_views import self_assessment as sa_views
from .admin_views.dashboard import (
    DesignationReadinessView,
    ReadinessDashboardView,
    ReadinessPanel,
    SchoolReadinessView,
)
from .admin_views.targets import (
    NationalComparisonView,
    ReportDownloadView,
    ReportRequestView,
    ReportView,
    TargetsDashboardView,
    TargetsSchoolsView,
)
from .models import (
    AccreditationFramework,
    ActualValue,
    Authority,
    Criterion,
    EnterprisePartner,
    EquipmentChecklist,
    EquipmentItem,
    Evidence,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    OccupationOutcome,
    Province,
    ScopeEntry,
    SelfAssessment,
    SelfAssessmentRule,
    Standard,
    TargetIndicator,
    Teacher,
)

REGISTRY_MODELS = (
    TargetIndicator,
    ActualValue,
    LegalDocument,
    Province,
    Authority,
    OccupationField,
    Occupation,
    Institution,
    ScopeEntry,
    KeyOccupationDesignation,
    Teacher,
    EnterprisePartner,
    Membership,
    AccreditationFramework,
    Criterion,
    Standard,
    Evidence,
    OccupationOutcome,
    EquipmentChecklist,
    EquipmentItem,
    SelfAssessmentRule,
    SelfAssessment,
)

# Registered before the viewsets, which would otherwise create Wagtail's default (Django-permission) policies.
for _model in REGISTRY_MODELS:
    register_permission_policy(_model, RegistryPermissionPolicy(_model), exact_class=True)


class LegalDocumentViewSet(RegistryViewSet):
    model = LegalDocument
    icon = "doc-full"
    queryset_selector = staticmethod(selectors.list_legal_documents)
    list_display = [
        "number",
        "kind",
        "title_vi",
        "issuer",
        "issued_on",
        boolean_column(LegalDocument, "confirmed"),
        modified_column(),
    ]
    list_filter = ["kind", "confirmed"]


class ProvinceViewSet(RegistryViewSet):
    model = Province
    icon = "site"
    queryset_selector = staticmethod(selectors.list_provinces)
    list_display = ["name_vi", "code", "region", "successor", "valid_to", modified_column()]
    list_filter = ["region"]


class AuthorityViewSet(RegistryViewSet):
    model = Authority
    icon = "group"
    queryset_selector = staticmethod(selectors.list_authorities)
    list_display = ["name_vi", "short_name", "level", "province", "valid_from", "valid_to", modified_column()]
    list_filter = ["level", "province"]


class OccupationFieldViewSet(RegistryViewSet):
    model = OccupationField
    icon = "folder-open-1"
    search_fields = ["code", "name_vi", "name_en"]
    list_display = ["code", "name_vi", "name_en", boolean_column(OccupationField, "confirmed"), modified_column()]
    list_filter = ["confirmed"]


class OccupationViewSet(RegistryViewSet):
    model = Occupation
    icon = "tag"
    queryset_selector = staticmethod(selectors.list_occupations)
    list_display = ["code", "name_vi", "name_en", "field", "catalogue_document", modified_column()]
    list_filter = ["field"]


class InstitutionViewSet(RegistryViewSet):
    model = Institution
    icon = "home"
    queryset_selector = staticmethod(selectors.list_institutions)
    inspect_view_class = InstitutionInspectView
    inspect_template_name = "vet/admin/institution_inspect.html"
    list_display = ["name_vi", "code", "type", "ownership", "province", "managing_authority", modified_column()]
    list_filter = ["type", "ownership", "province"]


class ScopeEntryViewSet(RegistryViewSet):
    model = ScopeEntry
    icon = "list-ul"
    queryset_selector = staticmethod(selectors.list_scope_entries)
    search_fields = ["institution__search_text", "occupation__search_text"]
    list_display = ["institution", "occupation", "level", "annual_quota", "registration_document", modified_column()]
    list_filter = ["level", "institution__province", "institution"]


class KeyOccupationDesignationViewSet(RegistryViewSet):
    model = KeyOccupationDesignation
    icon = "pick"
    queryset_selector = staticmethod(selectors.list_designations)
    search_fields = ["institution__search_text", "occupation__search_text", "decision__search_text"]
    list_display = [
        "institution",
        "occupation",
        "level",
        "tier",
        "period_start",
        "period_end",
        "decision",
        modified_column(),
    ]
    list_filter = ["tier", "level", "institution__province", "institution"]


class TeacherViewSet(RegistryViewSet):
    model = Teacher
    icon = "user"
    queryset_selector = staticmethod(selectors.list_teachers)
    list_display = [
        "full_name",
        "institution",
        "degree",
        boolean_column(Teacher, "has_pedagogy_certificate", _("Pedagogy certificate")),
        "industry_years",
        boolean_column(Teacher, "is_active", _("Teaching")),
        modified_column(),
    ]
    list_filter = ["degree", "is_active", "has_pedagogy_certificate", "institution__province", "institution"]


class EnterprisePartnerViewSet(RegistryViewSet):
    model = EnterprisePartner
    icon = "clipboard-list"
    queryset_selector = staticmethod(selectors.list_partners)
    list_display = ["name", "institution", "sector", "agreement_type", "since", "until", modified_column()]
    list_filter = ["agreement_type", "institution__province", "institution"]


class MembershipViewSet(RegistryViewSet):
    model = Membership
    icon = "key"
    add_view_class = MembershipCreateView
    search_fields = ["user__username", "user__email", "authority__search_text", "institution__search_text"]
    list_display = ["user", "role", "authority", "institution", modified_column()]
    list_filter = ["role"]

    @staticmethod
    def queryset_selector():
        return Membership.objects.select_related("user", "authority", "institution").order_by("user__username")


class TargetIndicatorViewSet(RegistryViewSet):
    model = TargetIndicator
    icon = "pick"
    search_fields = ["text_vi", "text_en", "note"]
    list_display = ["province", "metric", "tier", "year", "target_value", "unit", "source_document",
                    boolean_column(TargetIndicator, "confirmed"), modified_column()]
    list_filter = ["metric", "province", "confirmed"]

    @staticmethod
    def queryset_selector():
        return TargetIndicator.objects.select_related("province", "source_document").order_by(
            "province__name_vi", "metric", "tier", "year")


class ActualValueViewSet(RegistryViewSet):
    model = ActualValue
    icon = "edit"
    search_fields = ["source"]
    list_display = ["province", "metric", "year", "value", "source", "entered_by", modified_column()]
    list_filter = ["metric", "province", "year"]

    @staticmethod
    def queryset_selector():
        return ActualValue.objects.select_related("province", "entered_by").order_by(
            "province__name_vi", "metric", "-year")


class RegistryViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Registry")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        InstitutionViewSet,
        ScopeEntryViewSet,
        KeyOccupationDesignationViewSet,
        TeacherViewSet,
        EnterprisePartnerViewSet,
        OccupationViewSet,
        OccupationFieldViewSet,
        LegalDocumentViewSet,
        ProvinceViewSet,
        AuthorityViewSet,
        MembershipViewSet,
        TargetIndicatorViewSet,
        ActualValueViewSet,
    )


register_snippet(RegistryViewSetGroup)


class AccreditationFrameworkViewSet(RegistryViewSet):
    model = AccreditationFramework
    icon = "doc-full-inverse"
    index_view_class = FrameworkIndexView
    queryset_selector = staticmethod(selectors.list_accreditation_frameworks)
    inspect_view_class = AccreditationFrameworkInspectView
    inspect_template_name = "vet/admin/accreditation_framework_inspect.html"
    search_fields = ["code", "name_vi", "name_en"]
    list_display = [
        "code",
        "name_vi",
        "target",
        "document",
        "effective_from",
        "effective_to",
        boolean_column(AccreditationFramework, "thresholds_confirmed"),
        modified_column(),
    ]
    list_filter = ["target", "thresholds_confirmed"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("export/<int:pk>/", forbidden_as_403(FrameworkExportView.as_view()), name="export"),
            path("import/", forbidden_as_403(FrameworkImportView.as_view()), name="import"),
        ]


class CriterionViewSet(RegistryViewSet):
    model = Criterion
    icon = "list-ol"
    search_fields = ["name_vi", "name_en", "framework__code"]
    list_display = ["framework", "number", "name_vi", "benchmark_points", boolean_column(Criterion, "is_core"),
                    modified_column()]
    list_filter = ["framework", "is_core"]

    @staticmethod
    def queryset_selector():
        return Criterion.objects.select_related("framework").order_by("framework__code", "number")


class StandardViewSet(RegistryViewSet):
    model = Standard
    icon = "tick-inverse"
    search_fields = ["code", "text_vi", "text_en", "criterion__framework__code"]
    list_display = ["code", "criterion", "text_vi", boolean_column(Standard, "is_sample"), modified_column()]
    list_filter = ["criterion__framework", "is_sample"]

    @staticmethod
    def queryset_selector():
        return Standard.objects.select_related("criterion__framework").order_by(
            "criterion__framework__code", "criterion__number", "code"
        )


def _evidence_panels(*, creating: bool) -> ObjectList:
    panels = [FieldPanel("institution")] if creating else []
    panels += [
        FieldRowPanel([FieldPanel("code"), FieldPanel("title")]),
        FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
        FieldRowPanel([FieldPanel("owner"), FieldPanel("expires_on")]),
    ]
    if creating:
        panels += [FieldPanel("file"), FieldPanel("url"), FieldPanel("note")]
    form = evidence_admin.EvidenceCreateForm if creating else evidence_admin.EvidenceForm
    return ObjectList(panels, base_form_class=form).bind_to_model(Evidence)


class EvidenceViewSet(RegistryViewSet):
    model = Evidence
    icon = "doc-full"
    queryset_selector = staticmethod(evidence_admin.evidence_queryset)
    add_view_class = evidence_admin.EvidenceCreateView
    inspect_view_class = evidence_admin.EvidenceInspectView
    inspect_template_name = "vet/admin/evidence_inspect.html"
    save_service = staticmethod(evidence_admin.save_evidence_metadata)
    delete_service = staticmethod(services_evidence.delete_evidence)
    filterset_class = evidence_admin.EvidenceFilterSet
    list_display = [
        "code",
        "title",
        "institution",
        "owner",
        Column("expires_on", label=_("Expires on"), accessor=evidence_admin.expiry_label, sort_key="expires_on"),
        Column("version_count", label=_("Versions"), sort_key="version_count"),
        modified_column(),
    ]

    def get_add_view_kwargs(self, **kwargs):
        panel = _evidence_panels(creating=True)
        return super().get_add_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        panel = _evidence_panels(creating=False)
        return super().get_edit_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("download/<int:pk>/<int:number>/", forbidden_as_403(evidence_admin.download_view), name="download"),
            path("add-version/<int:pk>/", forbidden_as_403(evidence_admin.add_version_view), name="add_version"),
        ]


class SelfAssessmentRuleViewSet(RegistryViewSet):
    """The council and revocation rules of the self-assessment (law data): read by all, edited by administrators."""

    model = SelfAssessmentRule
    icon = "list-ul"
    search_fields = ["document__number", "note"]
    list_display = ["document", "valid_from", "valid_to", boolean_column(SelfAssessmentRule, "chair_must_be_head"),
                    "min_enterprise_representatives", "missing_years_for_revocation",
                    boolean_column(SelfAssessmentRule, "confirmed"), modified_column()]
    list_filter = ["confirmed"]

    @staticmethod
    def queryset_selector():
        return SelfAssessmentRule.objects.select_related("document")


class SelfAssessmentViewSet(RegistryViewSet):
    model = SelfAssessment
    icon = "tasks"
    queryset_selector = staticmethod(selectors.list_self_assessments)
    index_view_class = sa_views.SelfAssessmentIndexView
    inspect_view_class = sa_views.SelfAssessmentInspectView
    inspect_template_name = "vet/admin/self_assessment_inspect.html"
    base_form_class = sa_views.SelfAssessmentForm
    save_service = staticmethod(sa_views.save_self_assessment)
    delete_service = staticmethod(sa_views.delete_self_assessment)
    exclude_form_fields = ["status", "submitted_at", "submitted_by"]
    search_fields = ["institution__search_text", "framework__code", "designation__occupation__search_text"]
    list_display = [
        "institution", "designation", "framework", "year", "status",
        sa_views.RevocationRiskColumn("revocation_risk", label=_("Revocation risk")),
        modified_column(),
    ]
    list_filter = ["year", "status", "framework"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("workflow/<int:pk>/<str:action>/", forbidden_as_403(sa_views.WorkflowView.as_view()),
                 name="workflow"),
            path("ratings/<int:pk>/", forbidden_as_403(sa_views.RatingsView.as_view()), name="ratings"),
            path("council/<int:pk>/add/", forbidden_as_403(sa_views.CouncilAddView.as_view()), name="council_add"),
            path("council/<int:pk>/remove/<int:member_pk>/", forbidden_as_403(sa_views.CouncilRemoveView.as_view()),
                 name="council_remove"),
        ]


class AccreditationViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Accreditation")
    menu_icon = "doc-full-inverse"
    menu_order = 240
    submenu_hook = "register_accreditation_menu_item"
    items = (SelfAssessmentViewSet, EvidenceViewSet, AccreditationFrameworkViewSet, CriterionViewSet, StandardViewSet,
             SelfAssessmentRuleViewSet)


register_snippet(AccreditationViewSetGroup)


class SpreadsheetViewSet(RegistryViewSet):
    """A registry model with an XLSX import page and a template download."""

    index_view_class = SpreadsheetIndexView

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", forbidden_as_403(SpreadsheetImportView.as_view(model=self.model)), name="import"),
            path("template/", forbidden_as_403(TemplateView.as_view(model=self.model)), name="template"),
        ]


class OccupationOutcomeViewSet(SpreadsheetViewSet):
    model = OccupationOutcome
    icon = "table"
    search_fields = ["institution__search_text", "occupation__search_text", "source"]
    list_display = ["institution", "occupation", "level", "year", "enrolment", "graduates", "employed_6m",
                    modified_column()]
    list_filter = ["year", "level", "institution__province", "institution"]

    @staticmethod
    def queryset_selector():
        return OccupationOutcome.objects.select_related("institution", "occupation").order_by(
            "institution__name_vi", "occupation__code", "level", "-year")


class EquipmentChecklistViewSet(SpreadsheetViewSet):
    model = EquipmentChecklist
    icon = "list-ul"
    inspect_view_class = EquipmentChecklistInspectView
    inspect_template_name = "vet/admin/equipment_checklist_inspect.html"
    search_fields = ["institution__search_text", "occupation__search_text", "reference"]
    list_display = ["institution", "occupation", "level", "reference", "checked_on", modified_column()]
    list_filter = ["level", "institution__province", "institution"]

    @staticmethod
    def queryset_selector():
        return EquipmentChecklist.objects.select_related("institution", "occupation").order_by(
            "institution__name_vi", "occupation__code", "level")


class EquipmentItemViewSet(RegistryViewSet):
    model = EquipmentItem
    icon = "tick"
    add_view_class = EquipmentItemCreateView
    search_fields = ["name", "checklist__occupation__search_text", "checklist__institution__search_text"]
    list_display = ["name", "checklist", "unit", "required_quantity", "held_quantity", modified_column()]
    list_filter = ["checklist__institution__province", "checklist__institution"]

    @staticmethod
    def queryset_selector():
        return EquipmentItem.objects.select_related(
            "checklist__institution", "checklist__occupation").order_by("checklist", "name")


# --- Readiness of key occupations toward their tier: the profiles and their indicators ---------------------------
from .admin_views.readiness import ReadinessProfileInspectView, threshold_column  # noqa: E402
from .models import ReadinessIndicator, ReadinessProfile  # noqa: E402

for _model in (ReadinessProfile, ReadinessIndicator):
    register_permission_policy(_model, RegistryPermissionPolicy(_model), exact_class=True)


class ReadinessProfileViewSet(RegistryViewSet):
    model = ReadinessProfile
    icon = "pick"
    inspect_view_class = ReadinessProfileInspectView
    inspect_template_name = "vet/admin/readiness_profile_inspect.html"
    search_fields = ["code", "name_vi", "name_en"]
    list_display = ["code", "name_vi", "tier", "valid_from", "valid_to", "source_document",
                    boolean_column(ReadinessProfile, "confirmed"), modified_column()]
    list_filter = ["tier", "confirmed"]

    @staticmethod
    def queryset_selector():
        return ReadinessProfile.objects.select_related("source_document").order_by("tier", "-valid_from")


class ReadinessIndicatorViewSet(RegistryViewSet):
    model = ReadinessIndicator
    icon = "list-ul"
    search_fields = ["profile__code", "metric", "source_note"]
    list_display = ["metric", "profile", "level", threshold_column(), "weight", "source_document",
                    boolean_column(ReadinessIndicator, "confirmed"), modified_column()]
    list_filter = ["profile", "metric", "level", "confirmed"]

    @staticmethod
    def queryset_selector():
        return ReadinessIndicator.objects.select_related("profile", "source_document").order_by(
            "profile__tier", "profile__code", "metric", "level")


class ReadinessViewSetGroup(SnippetViewSetGroup):
    """What the readiness of key occupations reads: outcomes, equipment, and the profiles per tier."""

    menu_label = _("Readiness")
    menu_icon = "pick"
    menu_order = 245
    items = (OccupationOutcomeViewSet, EquipmentChecklistViewSet, EquipmentItemViewSet, ReadinessProfileViewSet,
             ReadinessIndicatorViewSet)


register_snippet(ReadinessViewSetGroup)


@hooks.register("construct_homepage_panels")
def add_role_panel(request, panels):
    panels.append(RolePanel())
    panels.append(ReadinessPanel())


@hooks.register("register_admin_urls")
def register_readiness_urls():
    return [
        path("targets/", forbidden_as_403(TargetsDashboardView.as_view()), name="vet_targets"),
        path("targets/national/", forbidden_as_403(NationalComparisonView.as_view()), name="vet_targets_national"),
        path("targets/provinces/<int:pk>/schools/", forbidden_as_403(TargetsSchoolsView.as_view()),
             name="vet_targets_schools"),
        path("targets/reports/", forbidden_as_403(ReportRequestView.as_view()), name="vet_targets_report_request"),
        path("targets/reports/<int:pk>/", forbidden_as_403(ReportView.as_view()), name="vet_targets_report"),
        path("targets/reports/<int:pk>/<str:kind>/", forbidden_as_403(ReportDownloadView.as_view()),
             name="vet_targets_report_file"),
        path("readiness/", forbidden_as_403(ReadinessDashboardView.as_view()), name="vet_readiness_matrix"),
        path("readiness/matrix.xlsx", forbidden_as_403(ReadinessDashboardView.as_view(export="xlsx")),
             name="vet_readiness_matrix_xlsx"),
        path("readiness/matrix.pdf", forbidden_as_403(ReadinessDashboardView.as_view(export="pdf")),
             name="vet_readiness_matrix_pdf"),
        path("readiness/designations/<int:pk>/", forbidden_as_403(DesignationReadinessView.as_view()),
             name="vet_readiness_designation"),
        path("readiness/schools/<int:pk>/", forbidden_as_403(SchoolReadinessView.as_view()),
             name="vet_readiness_school"),
        path("readiness/schools/<int:pk>/assessment.xlsx",
             forbidden_as_403(SchoolReadinessView.as_view(export="xlsx")), name="vet_readiness_school_xlsx"),
        path("readiness/schools/<int:pk>/assessment.pdf",
             forbidden_as_403(SchoolReadinessView.as_view(export="pdf")), name="vet_readiness_school_pdf"),
    ]


class ReadinessMenuItem(MenuItem):
    """Shown to administrators and officers: the matrix covers their own jurisdiction."""

    def is_shown(self, request):
        roles = permissions.get_roles(request.user)
        return roles.is_admin or roles.is_officer


@hooks.register("register_accreditation_menu_item")
def register_targets_menu_item():
    return ReadinessMenuItem(_("Targets dashboard"), reverse("vet_targets"), name="targets-dashboard",
                             icon_name="pick", order=1010)


@hooks.register("register_accreditation_menu_item")
def register_readiness_menu_item():
    return ReadinessMenuItem(_("Readiness dashboard"), reverse("vet_readiness_matrix"), name="readiness-dashboard",
                             icon_name="pick", order=1000)


# The provincial authority's pages (external assessments, action items, campaigns) register their own hooks.
from .admin_views import external_hooks  # noqa: E402, F401
from .admin_views import imports as import_views  # noqa: E402, F401 - the bulk imports' pages and menu item

# After Wagtail's own snippet bulk delete (order 0), so that ours replaces it for the registry models.
hooks.register("register_bulk_action", RegistryDeleteBulkAction, order=1)
