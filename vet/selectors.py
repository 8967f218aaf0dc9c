"""Reads of the registry, with their joins already set."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from . import choices, readiness
from .choices import ExternalDecision, ExternalStatus
from .models import (
    AccreditationFramework,
    Authority,
    Criterion,
    EnterprisePartner,
    ExternalAssessment,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Occupation,
    Province,
    ScopeEntry,
    SelfAssessment,
    SelfAssessmentRule,
    Teacher,
)
from .tier_readiness import add_years


def list_institutions() -> QuerySet[Institution]:
    """Institutions with province and managing authority joined."""
    return Institution.objects.select_related("province", "managing_authority", "registration_document")


def list_provinces() -> QuerySet[Province]:
    """Provinces with their successor joined."""
    return Province.objects.select_related("successor", "merger_document")


def list_authorities() -> QuerySet[Authority]:
    """Authorities with province and successor joined."""
    return Authority.objects.select_related("province", "successor")


def list_occupations() -> QuerySet[Occupation]:
    """Catalogue entries with field and catalogue document joined."""
    return Occupation.objects.select_related("field", "catalogue_document")


def list_designations() -> QuerySet[KeyOccupationDesignation]:
    """Key-occupation designations with institution, occupation and decision joined."""
    return KeyOccupationDesignation.objects.select_related(
        "institution", "institution__province", "occupation", "decision"
    )


def list_scope_entries() -> QuerySet[ScopeEntry]:
    """Scope entries with institution, occupation and registration joined."""
    return ScopeEntry.objects.select_related("institution", "occupation", "registration_document")


def list_teachers() -> QuerySet[Teacher]:
    """Teachers with their institution joined."""
    return Teacher.objects.select_related("institution")


def list_partners() -> QuerySet[EnterprisePartner]:
    """Enterprise partners with their institution joined."""
    return EnterprisePartner.objects.select_related("institution")


def get_registry_summary() -> dict[str, object]:
    """Counts for the home page: institutions by type and designations by tier."""
    by_type = dict(Institution.objects.values_list("type").annotate(n=Count("pk")))
    by_tier = dict(KeyOccupationDesignation.objects.values_list("tier").annotate(n=Count("pk")))
    return {
        "institutions": [(label, by_type.get(value, 0)) for value, label in choices.InstitutionType.choices],
        "tiers": [(label, by_tier.get(value, 0)) for value, label in choices.Tier.choices],
        "occupations": Occupation.objects.count(),
        "provinces": Province.objects.filter(Q(valid_to__isnull=True)).count(),
    }


def list_legal_documents() -> QuerySet[LegalDocument]:
    """Legal documents with the document that replaced each joined."""
    return LegalDocument.objects.select_related("replaced_by")


def list_accreditation_frameworks() -> QuerySet[AccreditationFramework]:
    """Accreditation frameworks with their legal document joined and their criteria prefetched in order."""
    return AccreditationFramework.objects.select_related("document").prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.annotate(standard_count=Count("standards")).order_by("number"),
        )
    )


def framework_facts(framework: AccreditationFramework) -> readiness.FrameworkFacts:
    """The facts `vet.readiness.score` needs about a framework: criteria, points, compliance window, pass rules."""
    framework = list_accreditation_frameworks().get(pk=framework.pk)
    compliance = tuple(
        (level, years)
        for level, years in ((choices.Level.INTERMEDIATE.value, framework.compliance_years_intermediate),
                             (choices.Level.COLLEGE.value, framework.compliance_years_college))
        if years is not None
    )
    return readiness.FrameworkFacts(
        code=framework.code,
        criteria=tuple(
            readiness.CriterionFacts(
                number=c.number, benchmark_points=c.benchmark_points, is_core=c.is_core,
                standard_count=c.standard_count,
            )
            for c in framework.criteria.all()
        ),
        points_per_standard=framework.points_per_standard,
        compliance_years=compliance,
        rules=readiness.PassRules(
            min_total_points=framework.min_total_points,
            min_criterion_share=framework.min_criterion_share,
            min_core_criterion_share=framework.min_core_criterion_share,
        ),
        rules_confirmed=framework.thresholds_confirmed,
        source=framework.document.number,
    )


# ------------------------------------------------------------------------------ assessment scores


@dataclass(frozen=True)
class CriterionDifference:
    """One criterion's points in the self-assessment and in the external assessment."""

    number: int
    self_points: Decimal
    external_points: Decimal
    max_points: Decimal | None
    standards_differing: tuple[str, ...]  # codes of the standards rated differently (met / not met / points)

    @property
    def difference(self) -> Decimal:
        return self.external_points - self.self_points


def _score_ratings(framework: AccreditationFramework, ratings, level: str) -> readiness.Score:
    """Score rating rows (self or external: `standard`, `met`, `years_met`, `points`); unrated counts as not met."""
    facts = framework_facts(framework)
    return readiness.score(
        facts,
        [readiness.StandardRating(criterion=r.standard.criterion.number, code=r.standard.code, met=bool(r.met),
                                  years_met=r.years_met, points=r.points) for r in ratings],
        level=level if facts.compliance_years else "",
    )


def self_assessment_score(assessment: SelfAssessment) -> readiness.Score:
    ratings = assessment.ratings.select_related("standard__criterion")
    return _score_ratings(assessment.framework, ratings, assessment.level)


def external_assessment_score(assessment: ExternalAssessment) -> readiness.Score:
    ratings = assessment.ratings.select_related("standard__criterion")
    return _score_ratings(assessment.self_assessment.framework, ratings, assessment.self_assessment.level)


def assessment_differences(assessment: ExternalAssessment) -> list[CriterionDifference]:
    """Per criterion: the school's points, the authority's points, and the standards the two rated differently."""
    own = self_assessment_score(assessment.self_assessment)
    theirs = external_assessment_score(assessment)

    def key(r):
        return (bool(r.met), r.years_met, r.points)

    school = {r.standard_id: r for r in assessment.self_assessment.ratings.all()}
    differing: dict[int, list[str]] = {}
    for r in assessment.ratings.select_related("standard__criterion"):
        mine = school.get(r.standard_id)
        if mine is None or key(mine) != key(r):
            differing.setdefault(r.standard.criterion.number, []).append(r.standard.code)
    return [
        CriterionDifference(c.number, c.points, theirs.criterion(c.number).points, c.max_points,
                            tuple(sorted(differing.get(c.number, ()))))
        for c in own.criteria
    ]


# -------------------------------------------------------------------------------------- revocation risk


def revocation_risk_ids(institutions_qs, year: int) -> set[int]:
    """Institutions of `institutions_qs` with no submitted institution-level self-assessment in any of the last
    N years before `year` (N from the rule in force on 1 January of `year`; none in force: no one is flagged)."""
    rule = SelfAssessmentRule.in_force_on(datetime.date(year, 1, 1))
    if rule is None:
        return set()
    years = range(year - rule.missing_years_for_revocation, year)
    submitted = SelfAssessment.objects.filter(
        status=choices.AssessmentStatus.SUBMITTED, designation__isnull=True, year__in=list(years)
    ).values("institution_id")
    return set(institutions_qs.exclude(pk__in=submitted).values_list("pk", flat=True))


def list_self_assessments() -> QuerySet[SelfAssessment]:
    """Self-assessments with their institution, program and framework joined."""
    return SelfAssessment.objects.select_related(
        "institution", "framework", "designation__occupation", "campaign", "submitted_by"
    )


def accredited_on(institution_id: int, day: datetime.date) -> bool | None:
    """Whether the institution's latest decided external assessment on `day` is a pass still in force then
    (decision date + the framework's certificate validity); None when it has never been assessed."""
    return list_accreditation_on([institution_id], day)[institution_id]


def list_accreditation_on(institution_ids, day: datetime.date) -> dict[int, bool | None]:
    """`accredited_on` for several institutions at once, in one query: by institution id, None when never
    assessed."""
    latest = {}
    for institution_id, decision, decided, validity in (
        ExternalAssessment.objects.filter(status=ExternalStatus.DECIDED, decision_date__lte=day,
                                          self_assessment__institution_id__in=list(institution_ids))
        .order_by("decision_date", "pk")
        .values_list("self_assessment__institution_id", "decision", "decision_date",
                     "self_assessment__framework__certificate_validity_years")
    ):
        latest[institution_id] = (decision, decided, validity)  # the last one wins
    result: dict[int, bool | None] = {}
    for institution_id in institution_ids:
        if institution_id not in latest:
            result[institution_id] = None
            continue
        decision, decided, validity = latest[institution_id]
        if decision != ExternalDecision.PASS:
            result[institution_id] = False
        else:
            result[institution_id] = add_years(decided, validity) >= day if validity else True
    return result
