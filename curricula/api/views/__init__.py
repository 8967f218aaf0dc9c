"""Views of the curricula API: curricula, versions and components; skill standards and mappings."""

from .curricula import CurriculumComponentViewSet, CurriculumVersionViewSet, CurriculumViewSet
from .standards import ComponentUnitMappingViewSet, SkillFrameworkViewSet, SkillUnitViewSet

__all__ = ["ComponentUnitMappingViewSet", "CurriculumComponentViewSet", "CurriculumVersionViewSet",
           "CurriculumViewSet", "SkillFrameworkViewSet", "SkillUnitViewSet"]
