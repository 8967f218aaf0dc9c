"""Benchmarks: each prints the time of VETtrack's way and of a naive baseline in the same run, and their
ratio. Run with `make bench`. Uses a throw-away test database (SQLite by default, or DATABASE_URL)."""

import datetime
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_INSTITUTIONS = 400
REPEAT = 5


def _timed(fn, repeat: int = REPEAT) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _report(name: str, ours: float, naive: float) -> None:
    print(f"{name:<58} ours {ours * 1000:8.1f} ms   naive {naive * 1000:8.1f} ms   speed-up ×{naive / ours:5.1f}")


def _populate():
    from tests import factories

    provinces = [factories.ProvinceFactory() for _ in range(8)]
    authorities = [factories.AuthorityFactory(province=p) for p in provinces]
    names = ["Điện công nghiệp", "Công nghệ ô tô", "Cơ điện tử", "Hàn", "Quản trị khách sạn", "Kế toán doanh nghiệp"]
    for i in range(N_INSTITUTIONS):
        factories.InstitutionFactory(
            province=provinces[i % 8], managing_authority=authorities[i % 8],
            name_vi=f"Trường Cao đẳng {names[i % len(names)]} số {i}",
        )


def bench_api_list():
    """List 200 institutions through the API: joins set once (ours) vs lazy per-row lookups (naive)."""
    from rest_framework.test import APIClient

    from vet.api import views
    from vet.models import Institution

    client = APIClient()

    def ours():
        assert client.get("/api/v1/institutions/", {"page_size": 200}).status_code == 200

    original = views.InstitutionViewSet.__dict__["select"]
    views.InstitutionViewSet.select = staticmethod(lambda: Institution.objects.all())

    def naive():
        assert client.get("/api/v1/institutions/", {"page_size": 200}).status_code == 200

    naive_time = _timed(naive)
    views.InstitutionViewSet.select = original
    _report("API list of 200 institutions (select_related vs N+1)", _timed(ours), naive_time)


def bench_search():
    """Free text without diacritics: indexed folded column in SQL (ours) vs folding every row in Python."""
    from vet.models import Institution
    from vet.text import fold

    def ours():
        return list(Institution.objects.filter(search_text__contains="dien cong nghiep").values_list("pk", flat=True))

    def naive():
        return [i.pk for i in Institution.objects.all() if "dien cong nghiep" in fold(i.name_vi)]

    assert sorted(ours()) == sorted(naive())
    _report("search 'dien cong nghiep' among institutions", _timed(ours), _timed(naive))


N_UNITS = 250
N_COMPONENTS = 60
N_PROVINCE_VERSIONS = 40


def _populate_curricula():
    """One framework of 250 units; 40 college versions of 60 components in one province, half of each
    version's components mapped to units (bulk inserts: this is fixture data, not what is measured)."""
    from decimal import Decimal

    from curricula.choices import ComponentGroup, ComponentKind, Coverage, EntryRequirement
    from curricula.loaders import load_curriculum_rules
    from curricula.models import ComponentUnitMapping, Curriculum, CurriculumComponent, CurriculumVersion, SkillUnit
    from tests import factories
    from vet.choices import Level
    from vet.models import Institution

    load_curriculum_rules()
    framework = factories.SkillFrameworkFactory(code="BENCH-FW")
    units = SkillUnit.objects.bulk_create(
        SkillUnit(framework=framework, code=f"U{i:03d}", name_vi=f"Đơn vị {i}", group="specialised",
                  level=1 + i % 5, nominal_hours=40) for i in range(N_UNITS))
    province = Institution.objects.order_by("pk").first().province
    schools = list(Institution.objects.filter(province=province).order_by("pk")[:N_PROVINCE_VERSIONS])
    versions = []
    for i, school in enumerate(schools):
        occupation = factories.OccupationFactory(code=f"6{i:06d}")
        curriculum = Curriculum.objects.create(institution=school, occupation=occupation, level=Level.COLLEGE,
                                               entry_requirement=EntryRequirement.UPPER_SECONDARY)
        versions.append(CurriculumVersion.objects.create(curriculum=curriculum, decision_number=f"{i}/QĐ",
                                                         decision_date=datetime.date(2025, 6, 1)))
    components = CurriculumComponent.objects.bulk_create(
        CurriculumComponent(version=v, position=n, kind=ComponentKind.MODULE, code=f"MĐ{n:02d}",
                            name_vi=f"Mô-đun {n}", group=ComponentGroup.SPECIALISED, credits=Decimal(2),
                            theory_hours=15, practice_hours=30)
        for v in versions for n in range(N_COMPONENTS))
    ComponentUnitMapping.objects.bulk_create(
        ComponentUnitMapping(component=c, unit=units[(c.position * 4 + k) % N_UNITS],
                             coverage=Coverage.FULL if k else Coverage.PARTIAL)
        for c in components if c.position % 2 == 0 for k in range(2))
    return framework, versions


def _naive_coverage(version, framework):
    """Coverage as straightforward ORM code would compute it: a query per unit and per component."""
    from curricula import coverage
    from curricula.models import ComponentUnitMapping

    units = list(framework.units.all())
    fully, partially, missing = [], [], []
    for unit in units:
        found = {m.coverage for m in ComponentUnitMapping.objects.filter(unit=unit, component__version=version)}
        (fully if coverage.FULL in found else partially if found else missing).append(unit.code)
    mapped_hours, unmapped = 0, []
    for component in version.components.all():
        if component.unit_mappings.filter(unit__framework=framework).exists():
            mapped_hours += component.total_hours
        else:
            unmapped.append(component.code)
    return len(fully), len(partially), len(missing), mapped_hours, tuple(unmapped)


def _naive_validate(version):
    """Validation re-reading the rule sets with lazy relations, as a loop over versions would."""
    from curricula import rules, services
    from curricula.models import CurriculumRuleSet

    day = version.decision_date
    rule_sets = []
    for rule_set in CurriculumRuleSet.objects.all():
        rule_sets.append(rules.RuleSet(
            document=rule_set.document.number, effective_from=rule_set.effective_from,
            effective_to=rule_set.effective_to,
            rules=tuple(rules.Rule(code=r.code, unit=r.unit, source=(r.source or rule_set.document).number,
                                   level=r.level, entry_requirement=r.entry_requirement,
                                   general_subject_type=r.general_subject_type, value=r.value,
                                   min_value=r.min_value, max_value=r.max_value, confirmed=r.confirmed)
                        for r in rule_set.rules.all())))
    rule_set = rules.select_rule_set(rule_sets, day)
    return rules.check_curriculum(services.version_facts(version), rule_set.rules, on=day,
                                  rule_set=rule_set.document)


def _queries(fn) -> int:
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def bench_curriculum_checks(framework, versions):
    """Validation + coverage of one 60-component version against a 250-unit framework, then of every version
    of a province: VETtrack's services (bounded queries) vs the naive per-row ORM code above."""
    from curricula import services
    from curricula.models import CurriculumVersion

    version = versions[0]
    expected = services.get_coverage(version, framework)
    assert _naive_coverage(version, framework) == (
        len(expected.covered_fully), len(expected.covered_partially), len(expected.missing),
        expected.mapped_hours, expected.unmapped_components)
    assert _naive_validate(version).as_dict() == services.validate_curriculum(version).as_dict()

    def ours_one():
        fresh = CurriculumVersion.objects.get(pk=version.pk)
        services.validate_curriculum(fresh)
        services.get_coverage(fresh, framework)

    def naive_one():
        fresh = CurriculumVersion.objects.get(pk=version.pk)
        _naive_validate(fresh)
        _naive_coverage(fresh, framework)

    label = f"validation + coverage, {N_COMPONENTS} components × {N_UNITS} units"
    _report(label, _timed(ours_one), _timed(naive_one))
    print(f"{'':<58} queries: ours {_queries(ours_one)}, naive {_queries(naive_one)}")

    province_versions = CurriculumVersion.objects.filter(pk__in=[v.pk for v in versions])

    def ours_all():
        services.validate_versions(province_versions)
        services.get_coverages(list(province_versions), framework)

    def naive_all():
        for fresh in province_versions.all():
            _naive_validate(fresh)
            _naive_coverage(fresh, framework)

    label = f"the same for all {len(versions)} versions of a province (naive: 2 runs)"
    _report(label, _timed(ours_all), _timed(naive_all, repeat=2))
    print(f"{'':<58} queries: ours {_queries(ours_all)}, naive {_queries(naive_all)}")

N_TIER_INSTITUTIONS = 2000
N_TIER_DESIGNATIONS = 10000
N_NAIVE_SAMPLE = 400


def _populate_tiers():
    """2,000 institutions × 5 key occupations (10,000 designations), each with 2 teachers, 2 years of outcomes, an
    equipment checklist of 3 items, half with an open action item; 2 partners per institution; a decided
    institution-level accreditation for every fourth institution. Bulk inserts only."""
    from tests import factories
    from vet import choices
    from vet.loaders import load_readiness_profiles
    from vet.models import (
        ActionItem,
        EnterprisePartner,
        EquipmentChecklist,
        EquipmentItem,
        ExternalAssessment,
        Institution,
        KeyOccupationDesignation,
        OccupationOutcome,
        SelfAssessment,
        Teacher,
    )

    load_readiness_profiles()
    province = factories.ProvinceFactory()
    decision = factories.LegalDocumentFactory()
    framework = factories.AccreditationFrameworkFactory(certificate_validity_years=5)
    assessor = factories.UserFactory()
    occupations = [factories.OccupationFactory(code=f"{5 + n % 2}52{n:04d}") for n in range(10)]
    per_school = N_TIER_DESIGNATIONS // N_TIER_INSTITUTIONS
    Institution.objects.bulk_create(
        Institution(code=f"TIER-{i:05d}", name_vi=f"Trường thử {i}", type=choices.InstitutionType.COLLEGE,
                    ownership=choices.Ownership.PUBLIC, province=province)
        for i in range(N_TIER_INSTITUTIONS))
    schools = list(Institution.objects.filter(code__startswith="TIER-").order_by("code"))
    tiers_ = list(choices.Tier.values)
    KeyOccupationDesignation.objects.bulk_create(
        KeyOccupationDesignation(institution=school, occupation=occupations[(i + k) % 10],
                                 level=occupations[(i + k) % 10].level, tier=tiers_[(i + k) % 3], period_start=2021,
                                 period_end=2030, decision=decision)
        for i, school in enumerate(schools) for k in range(per_school))
    designations = list(KeyOccupationDesignation.objects.filter(institution__code__startswith="TIER-")
                        .select_related("occupation").order_by("pk"))
    degrees = [choices.Degree.COLLEGE, choices.Degree.BACHELOR, choices.Degree.MASTER]
    Teacher.objects.bulk_create(
        Teacher(institution_id=d.institution_id, full_name=f"Giáo viên {n}-{j}", degree=degrees[(n + j) % 3],
                foreign_language_level=(n + j) % 6 + 1, teaching_role=[choices.TeachingRole.THEORY,
                                                                      choices.TeachingRole.PRACTICE][j])
        for n, d in enumerate(designations) for j in range(2))
    teachers = list(Teacher.objects.filter(institution__code__startswith="TIER-").order_by("pk"))
    Teacher.occupations.through.objects.bulk_create(
        Teacher.occupations.through(teacher_id=t.pk, occupation_id=designations[n // 2].occupation_id)
        for n, t in enumerate(teachers))
    OccupationOutcome.objects.bulk_create(
        OccupationOutcome(institution_id=d.institution_id, occupation_id=d.occupation_id, level=d.level, year=year,
                          enrolment=20 + n % 40, graduates=20, employed_6m=15 + n % 6, skill_level_2=5,
                          skill_level_3=10 + n % 6)
        for n, d in enumerate(designations) for year in (2024, 2025))
    EquipmentChecklist.objects.bulk_create(
        EquipmentChecklist(institution_id=d.institution_id, occupation_id=d.occupation_id, level=d.level)
        for d in designations)
    EquipmentItem.objects.bulk_create(
        EquipmentItem(checklist=c, name=f"Thiết bị {j}", required_quantity=2, held_quantity=(c.pk + j) % 3)
        for c in EquipmentChecklist.objects.filter(institution__code__startswith="TIER-") for j in range(3))
    EnterprisePartner.objects.bulk_create(
        EnterprisePartner(institution=school, name=f"Công ty {i}-{j}", agreement_type=choices.AgreementType.INTERNSHIP,
                          since=datetime.date(2020, 1, 1))
        for i, school in enumerate(schools) for j in range(2))
    partners = list(EnterprisePartner.objects.filter(institution__code__startswith="TIER-", name__endswith="-1")
                    .order_by("pk"))
    EnterprisePartner.occupations.through.objects.bulk_create(
        EnterprisePartner.occupations.through(enterprisepartner_id=p.pk, occupation_id=occupations[n % 10].pk)
        for n, p in enumerate(partners))
    ActionItem.objects.bulk_create(
        ActionItem(institution_id=d.institution_id, designation=d, title="Bổ sung thiết bị", owner="Khoa",
                   due_date=datetime.date(2026, 12, 1) + datetime.timedelta(days=n % 200))
        for n, d in enumerate(designations) if n % 2 == 0)
    SelfAssessment.objects.bulk_create(
        SelfAssessment(institution=school, framework=framework, year=2023,
                       status=choices.AssessmentStatus.SUBMITTED)
        for school in schools[::4])
    ExternalAssessment.objects.bulk_create(
        ExternalAssessment(self_assessment=sa, assessor=assessor, status=choices.ExternalStatus.DECIDED,
                           decision=choices.ExternalDecision.PASS, decision_date=datetime.date(2023, 6, 1))
        for sa in SelfAssessment.objects.filter(institution__code__startswith="TIER-"))
    return KeyOccupationDesignation.objects.filter(institution__code__startswith="TIER-")


def _naive_readiness(designation, on):
    """One designation's readiness the straightforward way: a handful of ORM queries per indicator."""
    from django.db.models import Q

    from vet import choices, tier_readiness, tiers
    from vet.models import (
        ActionItem,
        EnterprisePartner,
        EquipmentChecklist,
        ExternalAssessment,
        OccupationOutcome,
        ReadinessProfile,
        Teacher,
    )

    M = choices.IndicatorMetric
    profile = (ReadinessProfile.objects.filter(tier=designation.tier, valid_from__lte=on)
               .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("-valid_from", "-pk").first())
    if profile is None:
        return None
    facts = tier_readiness.profile_facts(profile, designation.level)
    indicators = {i.metric: i for i in tier_readiness._indicators_for(profile.indicators.all(), designation.level)}
    inst, occ, level = designation.institution_id, designation.occupation_id, designation.level
    values = {}
    for metric, ind in indicators.items():
        if metric == M.ACCREDITATION:
            decided = ExternalAssessment.objects.filter(status=choices.ExternalStatus.DECIDED, decision_date__lte=on)
            latest = (decided.filter(self_assessment__designation__institution_id=inst,
                                     self_assessment__designation__occupation_id=occ,
                                     self_assessment__designation__level=level).order_by("-decision_date", "-pk")
                      .select_related("self_assessment__framework").first()
                      or decided.filter(self_assessment__institution_id=inst,
                                        self_assessment__designation__isnull=True)
                      .order_by("-decision_date", "-pk").select_related("self_assessment__framework").first())
            ok = latest is not None and latest.decision == choices.ExternalDecision.PASS
            years = latest.self_assessment.framework.certificate_validity_years if latest else None
            if ok and years:
                ok = tier_readiness.add_years(latest.decision_date, years) >= on
            values[metric] = 1 if ok else 0
        elif metric in (M.THEORY_TEACHER_DEGREE, M.TEACHER_LANGUAGE):
            teachers = Teacher.objects.filter(institution_id=inst, is_active=True, occupations=occ,
                                              teaching_role__in=tier_readiness.THEORY_ROLES)
            if metric == M.THEORY_TEACHER_DEGREE:
                ok = teachers.filter(degree__in=tier_readiness._degrees_from(ind.min_degree)).count()
            else:
                ok = teachers.filter(foreign_language_level__gte=ind.min_language_level or 0).count()
            values[metric] = tier_readiness.percent(ok, teachers.count())
        elif metric in (M.EMPLOYMENT_6M, M.EXIT_SKILL, M.ENROLMENT):
            o = OccupationOutcome.objects.filter(institution_id=inst, occupation_id=occ, level=level,
                                                 year__lte=on.year).order_by("-year").first()
            if o is None:
                values[metric] = None
            elif metric == M.EMPLOYMENT_6M:
                values[metric] = tier_readiness.percent(o.employed_6m, o.graduates)
            elif metric == M.EXIT_SKILL:
                values[metric] = tier_readiness.percent(o.graduates_at_or_above(ind.min_skill_level or 1), o.graduates)
            else:
                values[metric] = o.enrolment
        elif metric == M.EQUIPMENT:
            checklist = EquipmentChecklist.objects.filter(institution_id=inst, occupation_id=occ, level=level).first()
            items = list(checklist.items.all()) if checklist else []
            values[metric] = tier_readiness.percent(sum(i.is_held_in_full for i in items), len(items))
        elif metric == M.ENTERPRISE_PARTNERS:
            values[metric] = (EnterprisePartner.objects.filter(institution_id=inst, since__lte=on)
                              .filter(Q(until__isnull=True) | Q(until__gte=on))
                              .filter(Q(occupations=occ) | Q(occupations__isnull=True)).distinct().count())
        else:  # another app's metric (curriculum coverage): its registered source, for this one designation
            subject = tier_readiness.Subject(inst, occ, level, designation.tier)
            params = tier_readiness.params_of(ind)
            values[metric] = tier_readiness.metric_sources()[metric]({params: {subject}}, on)[(params, subject)]
    due = ActionItem.objects.filter(designation=designation, status__in=choices.OPEN_ACTION_STATUSES).values_list(
        "due_date", flat=True)
    return tiers.evaluate(facts, values, list(due))


def bench_tier_readiness(designations):
    """Readiness of 10,000 key-occupation designations toward their tier: `designation_readiness` (a fixed number
    of grouped queries) vs a naive per-designation ORM loop, timed on a sample and extrapolated."""
    from vet import tier_readiness

    on = datetime.date(2026, 6, 1)
    total = designations.count()
    ours = tier_readiness.designation_readiness(designations, on)
    sample = list(designations.order_by("pk")[:: max(1, total // N_NAIVE_SAMPLE)][:N_NAIVE_SAMPLE])
    for d in sample[:100]:
        assert _naive_readiness(d, on) == ours[d.pk], d.pk
    statuses = sorted({r.status for r in ours.values() if r})
    ours_time = _timed(lambda: tier_readiness.designation_readiness(designations, on), repeat=3)

    def naive_sample():
        for d in sample:
            _naive_readiness(d, on)

    naive_sample_time = _timed(naive_sample, repeat=1)
    naive_time = naive_sample_time / len(sample) * total
    _report(f"tier readiness of {total} designations (naive extrapolated)", ours_time, naive_time)
    print(f"{'':<58} naive measured on {len(sample)} designations: {naive_sample_time * 1000:.0f} ms "
          f"({naive_sample_time / len(sample) * 1000:.2f} ms each) × {total}; statuses seen: {', '.join(statuses)}")
    print(f"{'':<58} queries: ours {_queries(lambda: tier_readiness.designation_readiness(designations, on))}, "
          f"naive {_queries(lambda: _naive_readiness(sample[0], on))} per designation")


def main(only: str = ""):
    """All the benches, or only the one named (`python -m bench certificates`)."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if only in ("", "registry"):
            _populate()
            print(f"VETtrack benchmarks on {connection.vendor}, {N_INSTITUTIONS} institutions, median of {REPEAT}")
            bench_api_list()
            bench_search()
            bench_curriculum_checks(*_populate_curricula())
            bench_tier_readiness(_populate_tiers())
        if only in ("", "certificates"):
            from bench.certificates import bench_certificates

            bench_certificates(_report)
        if only in ("", "imports"):
            from bench.imports import bench_imports

            bench_imports(_report)
        if only in ("", "reports"):
            from bench.reports import bench_province_report

            bench_province_report(_report)
        if only in ("", "catalogue"):
            from bench.catalogue import bench_catalogue

            bench_catalogue(_report)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    import sys

    main(*sys.argv[1:2])
