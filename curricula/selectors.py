"""Reads of curricula and their rules, with their joins already set."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from . import choices
from .models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumRule,
    CurriculumRuleSet,
    CurriculumVersion,
    SkillFramework,
    SkillUnit,
)


def list_curricula() -> QuerySet[Curriculum]:
    """Curricula with institution and occupation joined."""
    return Curriculum.objects.select_related("institution", "occupation")


def list_curriculum_versions() -> QuerySet[CurriculumVersion]:
    """Versions with their curriculum, institution and occupation joined."""
    return CurriculumVersion.objects.select_related("curriculum__institution", "curriculum__occupation")


def list_curriculum_components() -> QuerySet[CurriculumComponent]:
    """Components with their version and curriculum joined."""
    return CurriculumComponent.objects.select_related("version__curriculum")


def list_curriculum_rule_sets() -> QuerySet[CurriculumRuleSet]:
    """Rule sets with their document and their rules (and each rule's source document) loaded."""
    return CurriculumRuleSet.objects.select_related("document").prefetch_related(
        Prefetch("rules", queryset=CurriculumRule.objects.select_related("source"))
    )


def list_skill_units(framework: SkillFramework) -> QuerySet[SkillUnit]:
    """Competency units of a framework, in code order."""
    return SkillUnit.objects.filter(framework=framework).order_by("code")


def list_component_unit_mappings(*, version: CurriculumVersion,
                                 framework: SkillFramework) -> QuerySet[ComponentUnitMapping]:
    """Mappings of the components of `version` to units of `framework`, with component and unit joined."""
    return ComponentUnitMapping.objects.filter(component__version=version, unit__framework=framework).select_related(
        "component", "unit"
    )


def review_overdue_versions(on: datetime.date | None = None) -> QuerySet[CurriculumVersion]:
    """Approved versions whose next review date is before `on` (today by default), most overdue first; scope
    them with `vet.permissions.scope_queryset` and filter by institution or province as needed."""
    on = on or datetime.date.today()
    return list_curriculum_versions().filter(
        status=choices.VersionStatus.APPROVED, next_review_on__lt=on
    ).order_by("next_review_on", "pk")


def review_due_versions(within_days: int, on: datetime.date | None = None) -> QuerySet[CurriculumVersion]:
    """Approved versions due for review within `within_days` of `on` but not yet overdue."""
    on = on or datetime.date.today()
    return list_curriculum_versions().filter(
        status=choices.VersionStatus.APPROVED, next_review_on__gte=on,
        next_review_on__lte=on + datetime.timedelta(days=within_days),
    ).order_by("next_review_on", "pk")


def count_skill_units(framework: SkillFramework) -> list[dict]:
    """Number of competency units of a framework per group and level, as rows {group, level, count}."""
    return list(
        SkillUnit.objects.filter(framework=framework).values("group", "level").annotate(count=Count("pk"))
        .order_by("group", "level")
    )


def list_current_versions() -> QuerySet[CurriculumVersion]:
    """Each curriculum's approved version and its newest draft or submitted one (the versions that matter now)."""
    newest_open = CurriculumVersion.objects.filter(
        curriculum=OuterRef("curriculum"),
        status__in=[choices.VersionStatus.DRAFT, choices.VersionStatus.SUBMITTED],
    ).order_by("-created_at", "-pk").values("pk")[:1]
    return list_curriculum_versions().filter(
        Q(status=choices.VersionStatus.APPROVED) | Q(pk=Subquery(newest_open))
    )
