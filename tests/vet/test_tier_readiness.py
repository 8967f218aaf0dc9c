"""Readiness of key-occupation designations from the database: every metric from hand-built rows, the status,
the projected date, and a query count that does not grow with the number of designations."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curricula import choices as curricula_choices
from tests import factories
from vet import choices, tier_readiness, tiers
from vet.models import (
    ActionItem,
    EquipmentChecklist,
    EquipmentItem,
    ExternalAssessment,
    OccupationOutcome,
    ReadinessIndicator,
    ReadinessProfile,
    SelfAssessment,
)

pytestmark = pytest.mark.django_db
M = choices.IndicatorMetric
ON = datetime.date(2026, 6, 1)


def make_profile(tier=choices.Tier.NATIONAL, indicators=(), **kwargs):
    profile = ReadinessProfile.objects.create(
        tier=tier, code=kwargs.pop("code", f"P-{tier}"), name_vi="Hồ sơ thử", valid_from=datetime.date(2021, 1, 1),
        **kwargs,
    )
    for metric, threshold, extra in indicators:
        ReadinessIndicator.objects.create(profile=profile, metric=metric, threshold=D(threshold), **extra)
    return profile


@pytest.fixture
def designation(db):
    return factories.KeyOccupationDesignationFactory(occupation=factories.OccupationFactory(code="6520227"))


def readiness(designation, on=ON):
    from vet.models import KeyOccupationDesignation

    return tier_readiness.designation_readiness(KeyOccupationDesignation.objects.filter(pk=designation.pk), on)[
        designation.pk
    ]


def value(designation, metric, threshold=1, on=ON, **extra):
    ReadinessProfile.objects.all().delete()
    make_profile(indicators=[(metric, threshold, extra)])
    return readiness(designation, on).indicator(metric).value


def test_no_profile_in_force_is_none(designation):
    assert readiness(designation) is None
    make_profile(valid_to=datetime.date(2025, 12, 31), indicators=[(M.ENROLMENT, 10, {})])
    assert readiness(designation) is None
    make_profile(tier=choices.Tier.ASEAN, indicators=[(M.ENROLMENT, 10, {})])
    assert readiness(designation) is None  # a profile of another tier does not apply


def test_level_specific_indicator_replaces_the_one_for_both_levels(designation):
    profile = make_profile(indicators=[(M.ENROLMENT, 10, {}), (M.EMPLOYMENT_6M, 90, {})])
    ReadinessIndicator.objects.create(profile=profile, metric=M.ENROLMENT, level=choices.Level.COLLEGE, threshold=50)
    ReadinessIndicator.objects.create(profile=profile, metric=M.EQUIPMENT, level=choices.Level.INTERMEDIATE,
                                      threshold=100)
    facts = tier_readiness.profile_facts(profile, choices.Level.COLLEGE)
    assert [(r.metric, r.threshold) for r in facts.indicators] == [(M.EMPLOYMENT_6M, 90), (M.ENROLMENT, 50)]
    assert [r.metric for r in tier_readiness.profile_facts(profile, choices.Level.INTERMEDIATE).indicators] == [
        M.EMPLOYMENT_6M, M.EQUIPMENT, M.ENROLMENT]


def test_teacher_metrics_count_active_theory_teachers_of_the_occupation(designation):
    school, occupation = designation.institution, designation.occupation

    def teacher(degree, language, role=choices.TeachingRole.THEORY, active=True, occupations=(occupation,),
                institution=school):
        t = factories.TeacherFactory(institution=institution, degree=degree, foreign_language_level=language,
                                     teaching_role=role, is_active=active)
        t.occupations.set(occupations)
        return t

    assert value(designation, M.THEORY_TEACHER_DEGREE, 100, min_degree=choices.Degree.BACHELOR) is None
    teacher(choices.Degree.MASTER, 4)
    teacher(choices.Degree.BACHELOR, 2, role=choices.TeachingRole.BOTH)
    teacher(choices.Degree.COLLEGE, None)
    teacher(choices.Degree.DOCTOR, 6)
    # not counted: practice only, inactive, another occupation, another school
    teacher(choices.Degree.NONE, None, role=choices.TeachingRole.PRACTICE)
    teacher(choices.Degree.NONE, None, active=False)
    teacher(choices.Degree.NONE, None, occupations=(factories.OccupationFactory(),))
    teacher(choices.Degree.NONE, None, institution=factories.InstitutionFactory())
    assert value(designation, M.THEORY_TEACHER_DEGREE, 100, min_degree=choices.Degree.BACHELOR) == D(75)
    assert value(designation, M.THEORY_TEACHER_DEGREE, 100, min_degree=choices.Degree.MASTER) == D(50)
    assert value(designation, M.TEACHER_LANGUAGE, 100, min_language_level=3) == D(50)
    assert value(designation, M.TEACHER_LANGUAGE, 100, min_language_level=5) == D(25)


def test_outcome_metrics_read_the_latest_year_up_to_the_day(designation):
    def outcome(year, **counts):
        return OccupationOutcome.objects.create(institution=designation.institution,
                                                occupation=designation.occupation, level=designation.level,
                                                year=year, **counts)

    assert value(designation, M.EMPLOYMENT_6M, 90) is None
    outcome(2024, enrolment=80, graduates=40, employed_6m=40, skill_level_3=40)
    outcome(2025, enrolment=120, graduates=50, employed_6m=45, skill_level_2=10, skill_level_3=20, skill_level_4=5)
    outcome(2027, enrolment=999, graduates=10, employed_6m=0)  # after the day: ignored
    assert value(designation, M.EMPLOYMENT_6M, 90) == D(90)
    assert value(designation, M.EXIT_SKILL, 100, min_skill_level=3) == D(50)
    assert value(designation, M.EXIT_SKILL, 100, min_skill_level=2) == D(70)
    assert value(designation, M.ENROLMENT, 100) == D(120)
    assert value(designation, M.ENROLMENT, 100, on=datetime.date(2024, 12, 31)) == D(80)
    outcome(2026, enrolment=5, graduates=0)
    assert value(designation, M.EMPLOYMENT_6M, 90) is None  # no graduates yet this year
    assert value(designation, M.ENROLMENT, 100) == D(5)


def test_equipment_is_the_share_of_items_held_in_full(designation):
    assert value(designation, M.EQUIPMENT, 100) is None
    checklist = EquipmentChecklist.objects.create(institution=designation.institution,
                                                  occupation=designation.occupation, level=designation.level)
    assert value(designation, M.EQUIPMENT, 100) is None  # no items yet
    EquipmentItem.objects.create(checklist=checklist, name="Máy tiện", required_quantity=4, held_quantity=4)
    EquipmentItem.objects.create(checklist=checklist, name="Máy phay", required_quantity=2, held_quantity=1)
    EquipmentItem.objects.create(checklist=checklist, name="Máy hàn", required_quantity=1, held_quantity=3)
    assert value(designation, M.EQUIPMENT, 100) == D("66.67")


def test_partners_active_on_the_day_for_the_occupation_or_the_whole_school(designation):
    school, occupation = designation.institution, designation.occupation

    def partner(since=datetime.date(2020, 1, 1), until=None, occupations=()):
        p = factories.EnterprisePartnerFactory(institution=school, since=since, until=until)
        p.occupations.set(occupations)

    assert value(designation, M.ENTERPRISE_PARTNERS, 3) == 0
    partner()  # whole school
    partner(occupations=(occupation, factories.OccupationFactory()))
    partner(occupations=(factories.OccupationFactory(),))  # another occupation
    partner(until=datetime.date(2025, 1, 1), occupations=(occupation,))  # ended
    partner(since=datetime.date(2026, 7, 1))  # not yet
    factories.EnterprisePartnerFactory()  # another school
    assert value(designation, M.ENTERPRISE_PARTNERS, 3) == 2


def _decided(designation, decision, decided_on, program=True, validity=5):
    framework = factories.AccreditationFrameworkFactory(certificate_validity_years=validity)
    sa = SelfAssessment.objects.create(institution=designation.institution,
                                       designation=designation if program else None, framework=framework,
                                       year=decided_on.year, status=choices.AssessmentStatus.SUBMITTED)
    return ExternalAssessment.objects.create(
        self_assessment=sa, assessor=factories.UserFactory(), status=choices.ExternalStatus.DECIDED,
        decision=decision, decision_date=decided_on)


def test_accreditation_reads_the_latest_decision_of_the_program_else_the_institution(designation):
    passed, failed = choices.ExternalDecision.PASS, choices.ExternalDecision.FAIL
    assert value(designation, M.ACCREDITATION) == 0
    _decided(designation, passed, datetime.date(2023, 5, 1), program=False)
    assert value(designation, M.ACCREDITATION) == 1
    assert value(designation, M.ACCREDITATION, on=datetime.date(2028, 5, 2)) == 0  # expired after 5 years
    _decided(designation, failed, datetime.date(2024, 5, 1))  # the program's own decision comes first
    assert value(designation, M.ACCREDITATION) == 0
    _decided(designation, passed, datetime.date(2025, 5, 1))
    assert value(designation, M.ACCREDITATION) == 1
    assert value(designation, M.ACCREDITATION, on=datetime.date(2024, 12, 1)) == 0  # the pass came later
    ExternalAssessment.objects.create(  # still in progress: not a decision
        self_assessment=SelfAssessment.objects.filter(designation=designation).first(),
        assessor=factories.UserFactory())
    assert value(designation, M.ACCREDITATION) == 1


def test_curriculum_coverage_of_the_approved_version_against_the_tier_s_kind_of_standard(designation):
    assert value(designation, M.CURRICULUM_COVERAGE, 80) is None
    curriculum = factories.CurriculumFactory(institution=designation.institution, occupation=designation.occupation,
                                             level=designation.level)
    version = factories.CurriculumVersionFactory(curriculum=curriculum, status=curricula_choices.VersionStatus.APPROVED,
                                                 approved_on=datetime.date(2025, 6, 1))
    draft = factories.CurriculumVersionFactory(curriculum=curriculum)
    national = factories.SkillFrameworkFactory(occupation=designation.occupation)
    asean = factories.SkillFrameworkFactory(kind=curricula_choices.FrameworkKind.ASEAN,
                                            occupation=designation.occupation)
    units = [factories.SkillUnitFactory(framework=national) for _ in range(4)]
    asean_unit = factories.SkillUnitFactory(framework=asean)
    component = factories.CurriculumComponentFactory(version=version)
    for unit in units[:3]:
        factories.ComponentUnitMappingFactory(component=component, unit=unit)
    factories.ComponentUnitMappingFactory(component=factories.CurriculumComponentFactory(version=draft), unit=units[3])
    factories.ComponentUnitMappingFactory(component=component, unit=asean_unit)
    assert value(designation, M.CURRICULUM_COVERAGE, 80) == D(75)  # national tier: national standard, 3 of 4
    designation.tier = choices.Tier.ASEAN
    designation.save()
    ReadinessProfile.objects.all().delete()
    make_profile(tier=choices.Tier.ASEAN, indicators=[(M.CURRICULUM_COVERAGE, 80, {})])
    assert readiness(designation).indicator(M.CURRICULUM_COVERAGE).value == D(100)


def test_status_gap_and_projected_date(designation):
    make_profile(indicators=[(M.ENROLMENT, 100, {"weight": 2}), (M.ENTERPRISE_PARTNERS, 2, {}),
                             (M.EQUIPMENT, 100, {})])
    OccupationOutcome.objects.create(institution=designation.institution, occupation=designation.occupation,
                                     level=designation.level, year=2025, enrolment=100)
    for _ in range(2):
        factories.EnterprisePartnerFactory(institution=designation.institution)
    checklist = EquipmentChecklist.objects.create(institution=designation.institution,
                                                  occupation=designation.occupation, level=designation.level)
    item = EquipmentItem.objects.create(checklist=checklist, name="Máy", required_quantity=10, held_quantity=10)
    result = readiness(designation)
    assert result.status == tiers.READY and result.weighted_gap == 0 and result.projected_date is None

    item.held_quantity = 1
    item.save()

    def action(due, status=choices.ActionStatus.OPEN):
        closed_on = due if status == choices.ActionStatus.DONE else None
        ActionItem.objects.create(institution=designation.institution, designation=designation, title="Mua máy",
                                  owner="Khoa Cơ khí", due_date=due, status=status, closed_on=closed_on)

    action(datetime.date(2026, 9, 1))
    action(datetime.date(2026, 12, 1), status=choices.ActionStatus.IN_PROGRESS)
    action(datetime.date(2027, 6, 1), status=choices.ActionStatus.DONE)
    result = readiness(designation)
    assert result.indicator(M.EQUIPMENT).gap == 100  # 0 of 1 item held in full
    assert result.weighted_gap == 25  # (2×0 + 1×0 + 1×100) / 4
    assert result.status == tiers.CLOSE
    assert result.projected_date == datetime.date(2026, 12, 1)
    assert [i.metric for i in result.missing] == [M.EQUIPMENT]

    OccupationOutcome.objects.update(enrolment=40)
    result = readiness(designation)
    assert result.status == tiers.NOT_YET  # (2×60 + 100) / 4 = 55


def _designations(n):
    from vet.models import KeyOccupationDesignation

    for i in range(n):
        d = factories.KeyOccupationDesignationFactory(
            tier=[choices.Tier.NATIONAL, choices.Tier.ASEAN, choices.Tier.INTERNATIONAL][i % 3],
            occupation=factories.OccupationFactory(code=f"{5 + i % 2}52{i:04d}"),
        )
        t = factories.TeacherFactory(institution=d.institution, teaching_role=choices.TeachingRole.THEORY)
        t.occupations.add(d.occupation)
        OccupationOutcome.objects.create(institution=d.institution, occupation=d.occupation, level=d.level,
                                         year=2025, enrolment=50, graduates=20, employed_6m=18, skill_level_3=15)
        factories.EnterprisePartnerFactory(institution=d.institution)
        checklist = EquipmentChecklist.objects.create(institution=d.institution, occupation=d.occupation,
                                                      level=d.level)
        EquipmentItem.objects.create(checklist=checklist, name="Máy", required_quantity=2, held_quantity=i % 3)
        ActionItem.objects.create(institution=d.institution, designation=d, title="Việc", owner="Khoa",
                                  due_date=datetime.date(2026, 12, 1))
    return KeyOccupationDesignation.objects.all()


def test_query_count_does_not_grow_with_the_designations(db):
    every_metric = [(m, 50, {"min_degree": choices.Degree.BACHELOR, "min_language_level": 3, "min_skill_level": 3})
                    for m in M.values]
    for tier in choices.Tier.values:
        make_profile(tier=tier, indicators=every_metric)
    counts = []
    for n in (2, 12):
        qs = _designations(n)
        with CaptureQueriesContext(connection) as ctx:
            result = tier_readiness.designation_readiness(qs, ON)
        assert len(result) == qs.count() and all(r is not None for r in result.values())
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_default_profiles_load_idempotently_with_confirmed_and_unconfirmed_thresholds(db):
    from vet.loaders import load_readiness_profiles

    first = load_readiness_profiles()
    assert first.total("created") > 0
    assert load_readiness_profiles().total("created") == 0
    assert load_readiness_profiles().total("updated") == 0
    profiles = {p.tier: p for p in ReadinessProfile.objects.all()}
    assert set(profiles) == set(choices.Tier.values)
    for profile in profiles.values():
        indicators = profile.indicators.all()
        assert {i.metric for i in indicators} == set(M.values)  # every metric, for both levels
        assert all(i.source_note for i in indicators)
        employment = indicators.get(metric=M.EMPLOYMENT_6M)
        assert employment.threshold == 90 and employment.confirmed
        assert indicators.get(metric=M.EXIT_SKILL, level=choices.Level.COLLEGE).min_skill_level == 3
        assert indicators.get(metric=M.THEORY_TEACHER_DEGREE, level=choices.Level.INTERMEDIATE).min_degree == "bachelor"
        assert not indicators.get(metric=M.TEACHER_LANGUAGE, level=choices.Level.COLLEGE).confirmed
        assert not indicators.get(metric=M.CURRICULUM_COVERAGE).confirmed
    coverage = [profiles[t].indicators.get(metric=M.CURRICULUM_COVERAGE).threshold for t in ("national", "asean",
                                                                                             "international")]
    assert coverage == [70, 80, 90]
