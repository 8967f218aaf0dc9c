from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from . import assessment, views

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
router.register("accreditation-frameworks", views.AccreditationFrameworkViewSet, basename="accreditationframework")
router.register("self-assessments", assessment.SelfAssessmentViewSet, basename="selfassessment")
router.register("self-assessment-ratings", assessment.SelfAssessmentRatingViewSet, basename="selfassessmentrating")
router.register("council-members", assessment.CouncilMemberViewSet, basename="councilmember")


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token-obtain"),
    path("", include(router.urls)),
]
