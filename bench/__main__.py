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


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _populate()
        print(f"VETtrack benchmarks on {connection.vendor}, {N_INSTITUTIONS} institutions, median of {REPEAT}")
        bench_api_list()
        bench_search()
        bench_curriculum_checks(*_populate_curricula())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
