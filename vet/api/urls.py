from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from . import assessment, dashboard, data_views, evidence, external, sync, views

app_name = "vet"

router = DefaultRouter()
router.register("legal-documents", views.LegalDocumentViewSet, basename="legaldocument")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("authorities", views.AuthorityViewSet, basename="authority")
router.register("occupations", views.OccupationViewSet, basename="occupation")
router.register("institutions", views.InstitutionViewSet, basename="institution")
router.register("scope", views.ScopeEntryViewSet, basename="scopeentry")
router.register("key-occupations", views.KeyOccupationViewSet, basename="keyoccupation")
router.register("teachers", views.TeacherViewSet, basename="teacher")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("evidence", evidence.EvidenceViewSet, basename="evidence")
router.register("outcomes", data_views.OutcomeViewSet, basename="outcome")
router.register("equipment-checklists", data_views.EquipmentChecklistViewSet, basename="equipmentchecklist")
router.register("equipment-items", data_views.EquipmentItemViewSet, basename="equipmentitem")
router.register("accreditation-frameworks", views.AccreditationFrameworkViewSet, basename="accreditationframework")
router.register("external-assessments", external.ExternalAssessmentViewSet, basename="externalassessment")
router.register("external-ratings", external.ExternalRatingViewSet, basename="externalrating")
router.register("findings", external.FindingViewSet, basename="finding")
router.register("action-items", external.ActionItemViewSet, basename="actionitem")
router.register("campaigns", external.CampaignViewSet, basename="campaign")
router.register("readiness-profiles", views.ReadinessProfileViewSet, basename="readinessprofile")
router.register("readiness", views.ReadinessViewSet, basename="readiness")
router.register("self-assessments", assessment.SelfAssessmentViewSet, basename="selfassessment")
router.register("self-assessment-ratings", assessment.SelfAssessmentRatingViewSet, basename="selfassessmentrating")
router.register("council-members", assessment.CouncilMemberViewSet, basename="councilmember")


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token-obtain"),
    path("deletions/", sync.DeletionsView.as_view(), name="deletions"),
    path("readiness-dashboard/", dashboard.ReadinessDashboardView.as_view(), name="readiness-dashboard"),
    path("readiness-dashboard/export/", dashboard.ReadinessDashboardExportView.as_view(),
         name="readiness-dashboard-export"),
    path("", include(router.urls)),
]
