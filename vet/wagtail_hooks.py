"""The registry in the Wagtail back-office: one snippet viewset per model, grouped under "Registry"."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from . import selectors
from .admin_views import (
    AccreditationFrameworkInspectView,
    InstitutionInspectView,
    MembershipCreateView,
    RegistryDeleteBulkAction,
    RegistryPermissionPolicy,
    RegistryViewSet,
    RolePanel,
    boolean_column,
    modified_column,
)
from .admin_views import self_assessment as sa_views
from .admin_views.policy import forbidden_as_403
from .models import (
    AccreditationFramework,
    Authority,
    Criterion,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    Province,
    ScopeEntry,
    SelfAssessment,
    SelfAssessmentRule,
    Standard,
    Teacher,
)

REGISTRY_MODELS = (
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
    )


register_snippet(RegistryViewSetGroup)


class AccreditationFrameworkViewSet(RegistryViewSet):
    model = AccreditationFramework
    icon = "doc-full-inverse"
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
    items = (SelfAssessmentViewSet, AccreditationFrameworkViewSet, CriterionViewSet, StandardViewSet,
             SelfAssessmentRuleViewSet)


register_snippet(AccreditationViewSetGroup)


@hooks.register("construct_homepage_panels")
def add_role_panel(request, panels):
    panels.append(RolePanel())


# After Wagtail's own snippet bulk delete (order 0), so that ours replaces it for the registry models.
hooks.register("register_bulk_action", RegistryDeleteBulkAction, order=1)
