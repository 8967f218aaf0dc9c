from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurriculaConfig(AppConfig):
    name = "curricula"
    verbose_name = _("Curricula")

    def ready(self) -> None:
        from django.db.models import Q

        from vet import choices as vet_choices
        from vet import permissions

        from . import choices
        from .models import (
            ComponentUnitMapping,
            Curriculum,
            CurriculumComponent,
            CurriculumRule,
            CurriculumRuleSet,
            CurriculumVersion,
            PerformanceCriterion,
            SkillFramework,
            SkillUnit,
            VersionComment,
        )

        approved = choices.VersionStatus.APPROVED
        everything = (permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE)
        # Officers read (and comment on) the curricula of their province; school staff keep their own.
        # The public sees approved versions only, and the curricula that have one.
        permissions.register_institution_model(
            Curriculum,
            institution_path="institution_id",
            province_path="institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            public_rows=Q(pk__in=CurriculumVersion.objects.filter(status=approved).values("curriculum_id")),
        )
        permissions.register_institution_model(
            CurriculumVersion,
            institution_path="curriculum__institution_id",
            province_path="curriculum__institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            head_actions={permissions.APPROVE},
            public_rows=Q(status=approved),
        )
        # Officers and the school comment on a version; comments are kept as written (no change, no delete).
        permissions.register_institution_model(
            VersionComment,
            institution_path="version__curriculum__institution_id",
            province_path="version__curriculum__institution__province_id",
            officer_actions={permissions.VIEW, permissions.ADD},
            staff_actions={permissions.VIEW, permissions.ADD},
        )
        permissions.register_institution_model(
            CurriculumComponent,
            institution_path="version__curriculum__institution_id",
            province_path="version__curriculum__institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            public_rows=Q(version__status=approved),
        )
        # Mappings are the institution's analysis of its own version: staff keep them, officers read them,
        # the public reads those of approved versions, like the components themselves.
        permissions.register_institution_model(
            ComponentUnitMapping,
            institution_path="component__version__curriculum__institution_id",
            province_path="component__version__curriculum__institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            public_rows=Q(component__version__status=approved),
        )
        # Skill standards and curriculum rules are reference data: everyone reads them, administrators edit them.
        for model in (SkillFramework, SkillUnit, PerformanceCriterion, CurriculumRuleSet, CurriculumRule):
            permissions.register_public_model(model)

        # The readiness of key occupations toward their tier reads the coverage of their approved curriculum.
        from vet import tier_readiness

        from .services import best_tier_coverages

        def coverage_source(requests, on):
            subjects = {s for group in requests.values() for s in group}
            best = best_tier_coverages({(s.institution_id, s.occupation_id, s.level, s.tier) for s in subjects})
            return {(params, s): best.get((s.institution_id, s.occupation_id, s.level, s.tier))
                    for params, group in requests.items() for s in group}

        tier_readiness.register_metric_source(vet_choices.IndicatorMetric.CURRICULUM_COVERAGE, coverage_source)

        # Plan targets: curricula overdue for review at the end of each year (their version approved by then,
        # with its next review before then).
        import datetime
        from collections import Counter, defaultdict

        from vet import target_actuals

        def overdue_counts(scope, years):
            rows = list(CurriculumVersion.objects.filter(
                curriculum__institution__in=scope.institutions(), approved_on__isnull=False,
                status__in=[choices.VersionStatus.APPROVED, choices.VersionStatus.SUPERSEDED],
            ).order_by("approved_on", "pk").values_list("curriculum__institution_id", "curriculum_id", "approved_on",
                                                        "next_review_on"))
            counts = defaultdict(Counter)
            for year in years:
                end = min(datetime.date(year, 12, 31), datetime.date.today())
                current = {}
                for institution_id, curriculum_id, approved_on, next_review_on in rows:
                    if approved_on <= end:
                        current[curriculum_id] = (institution_id, next_review_on)
                for institution_id, due in current.values():
                    if due is not None and due < end:
                        counts[institution_id][year] += 1
            return counts

        target_actuals.register_count_source(vet_choices.TargetMetric.CURRICULA_REVIEW_OVERDUE, overdue_counts)
