from django.urls import include, path
from rest_framework.routers import DefaultRouter

from certificates.views import DiplomaLookupView, DiplomaVerifyView

from . import views

router = DefaultRouter()
router.include_root_view = False  # the API root is vet's
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("results", views.EnrolmentViewSet, basename="enrolment")
router.register("diplomas", views.DiplomaViewSet, basename="diploma")
router.register("batches", views.IssueBatchViewSet, basename="issuebatch")

urlpatterns = [
    path("verify/lookup/", DiplomaLookupView.as_view(), name="diploma-lookup"),  # before verify/<code>/
    path("verify/<str:code>/", DiplomaVerifyView.as_view(), name="diploma-verify"),
    path("", include(router.urls)),
]
