from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "curricula"

router = DefaultRouter()
router.include_root_view = False
router.register("curricula", views.CurriculumViewSet, basename="curriculum")
router.register("curriculum-versions", views.CurriculumVersionViewSet, basename="curriculumversion")
router.register("curriculum-components", views.CurriculumComponentViewSet, basename="curriculumcomponent")
router.register("component-mappings", views.ComponentUnitMappingViewSet, basename="componentunitmapping")
router.register("standards/frameworks", views.SkillFrameworkViewSet, basename="skillframework")
router.register("standards/units", views.SkillUnitViewSet, basename="skillunit")

urlpatterns = [
    path("", include(router.urls)),
]
