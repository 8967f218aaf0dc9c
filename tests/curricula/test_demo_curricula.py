"""`manage.py load_sample_frameworks` and `manage.py load_demo_curricula`."""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from curricula import choices, selectors, services
from curricula.models import Curriculum, CurriculumVersion, SkillFramework
from vet.choices import Level
from vet.models import ScopeEntry

pytestmark = pytest.mark.django_db

GENERAL_SUBJECTS = {
    "MH01": "political_education", "MH02": "law", "MH03": "physical_education", "MH04": "defence_security",
    "MH05": "it", "MH06": "foreign_language",
}


def run(command: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(command, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo registry, the rules, the sample frameworks and the demo curricula, loaded once for the module
    inside a transaction rolled back after its last test (each test still runs in its own savepoint)."""
    with django_db_blocker.unblock(), override_settings(VETTRACK_DEMO=True), transaction.atomic():
        outputs = {command: run(command) for command in (
            "load_demo_data", "load_curriculum_rules", "load_sample_frameworks", "load_demo_curricula")}
        yield outputs
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, settings) -> dict[str, str]:
    settings.VETTRACK_DEMO = True
    return loaded


def row_counts() -> dict[str, int]:
    """Rows of every curricula model, their history tables included."""
    return {model._meta.label: model._default_manager.count()
            for model in apps.get_app_config("curricula").get_models()}


def approved(curriculum: Curriculum) -> CurriculumVersion:
    return curriculum.versions.get(status=choices.VersionStatus.APPROVED)


def test_load_demo_curricula_refused_outside_demo_mode(settings):
    settings.VETTRACK_DEMO = False
    before = row_counts()

    with pytest.raises(CommandError, match="VETTRACK_DEMO"):
        run("load_demo_curricula")
    assert row_counts() == before


def test_load_demo_curricula_spreads_over_schools_levels_and_provinces(demo):
    curricula = selectors.list_curricula().select_related("institution__province")

    assert curricula.count() >= 8
    assert len({c.institution_id for c in curricula}) >= 4
    provinces = {c.institution.province.code for c in curricula}
    assert provinces & {"82", "87"} and provinces & {"30", "31"}
    assert {c.level for c in curricula} == {Level.INTERMEDIATE, Level.COLLEGE}
    assert {c.entry_requirement for c in curricula} == set(choices.EntryRequirement.values)
    for curriculum in curricula:
        assert curriculum.institution.code.startswith("DEMO-")
        statuses = sorted(curriculum.versions.values_list("status", flat=True))
        assert len(statuses) == 2, curriculum
        assert choices.VersionStatus.APPROVED in statuses
        assert set(statuses) - {choices.VersionStatus.APPROVED} <= {choices.VersionStatus.DRAFT,
                                                                   choices.VersionStatus.SUBMITTED}
    statuses = set(CurriculumVersion.objects.values_list("status", flat=True))
    assert {choices.VersionStatus.DRAFT, choices.VersionStatus.SUBMITTED} <= statuses


def test_load_demo_curricula_every_curriculum_inside_its_school_scope(demo):
    for curriculum in Curriculum.objects.all():
        assert ScopeEntry.objects.filter(institution=curriculum.institution_id, occupation=curriculum.occupation_id,
                                         level=curriculum.level).exists(), curriculum


def test_load_demo_curricula_approved_versions_pass_and_revisions_fail(demo):
    versions = CurriculumVersion.objects.select_related("curriculum")
    for version in versions:
        report = services.validate_curriculum(version)
        if version.status == choices.VersionStatus.APPROVED:
            assert report.passed and not report.warnings, (version, [str(r.message) for r in report.results])
            assert version.decision_number and version.signer and version.approved_on == version.decision_date
        else:
            assert report.failures, version
            assert version.curriculum.versions.filter(status=choices.VersionStatus.APPROVED).exists()
    failed_rules = {(r.code, r.general_subject_type) for v in versions.exclude(status=choices.VersionStatus.APPROVED)
                    for r in services.validate_curriculum(v).failures}
    assert len(failed_rules) >= 2  # not the same mistake everywhere


def test_load_demo_curricula_versions_carry_the_six_general_subjects(demo):
    for version in CurriculumVersion.objects.prefetch_related("components"):
        general = {c.code: c for c in version.components.all() if c.group == choices.ComponentGroup.GENERAL}
        assert {code: c.general_subject_type for code, c in general.items()} == GENERAL_SUBJECTS, version
        assert general["MH01"].name_vi == "Giáo dục chính trị"
        modules = [c for c in version.components.all() if c.kind == choices.ComponentKind.MODULE]
        assert modules and all(c.code.startswith("MĐ") and c.name_vi and c.name_en for c in modules)


# The demo's dates are fixed data; as seen on the day it was written, some reviews are overdue and some are not.
# (A run of the demo years later shows every review overdue, which the data would then need to move forward.)
DEMO_WRITTEN_ON = datetime.date(2026, 11, 22)


def test_load_demo_curricula_some_approved_versions_overdue_for_review(demo):
    overdue = set(selectors.review_overdue_versions(DEMO_WRITTEN_ON).values_list("pk", flat=True))
    approved_versions = CurriculumVersion.objects.filter(status=choices.VersionStatus.APPROVED)

    assert overdue
    assert approved_versions.exclude(pk__in=overdue).exists()
    for version in approved_versions:
        assert version.next_review_on is not None and version.approved_on < DEMO_WRITTEN_ON
        assert (version.next_review_on < DEMO_WRITTEN_ON) == (version.pk in overdue)
    today = datetime.date.today()
    assert {v.pk for v in approved_versions if v.is_review_overdue} == set(
        selectors.review_overdue_versions(today).values_list("pk", flat=True))


@pytest.mark.parametrize("kind", [choices.FrameworkKind.FOREIGN, choices.FrameworkKind.ASEAN,
                                  choices.FrameworkKind.NATIONAL])
def test_load_demo_curricula_mapped_versions_cover_part_of_the_framework(demo, kind):
    framework = SkillFramework.objects.get(kind=kind)
    versions = CurriculumVersion.objects.filter(components__unit_mappings__unit__framework=framework).distinct()

    assert versions.count() == 1
    version = versions.get()
    report = services.get_coverage(version, framework)
    assert 0 < report.share < 1
    assert report.missing and report.covered_fully and report.covered_partially
    assert version.status == choices.VersionStatus.APPROVED
    if kind == choices.FrameworkKind.FOREIGN:
        assert version.origin == choices.Origin.TRANSFERRED
        assert version.partner_country and version.awarding_body
        assert version.curriculum.occupation == framework.occupation
    if kind == choices.FrameworkKind.ASEAN:
        assert version.curriculum.occupation.code[1:3] == "81"  # tourism and hospitality
    if kind == choices.FrameworkKind.NATIONAL:
        assert version.curriculum.occupation.code[1:] == framework.occupation.code[1:]


def test_load_sample_frameworks_are_flagged_as_samples(demo):
    frameworks = SkillFramework.objects.all()

    assert {f.kind for f in frameworks} == set(choices.FrameworkKind.values)
    for framework in frameworks:
        assert framework.is_sample
        assert "(mẫu)" in framework.name_vi and "(sample)" in framework.name_en
        assert framework.version and framework.country_or_body
        units = list(framework.units.prefetch_related("criteria"))
        assert len(units) >= (10 if framework.kind == choices.FrameworkKind.FOREIGN else 12)
        for unit in units:
            assert unit.name_vi and unit.name_en and unit.nominal_hours
            criteria = list(unit.criteria.all())
            assert 2 <= len(criteria) <= 4, unit
            assert all(c.text_vi and c.text_en for c in criteria)
    national = frameworks.get(kind=choices.FrameworkKind.NATIONAL).units.all()
    assert {u.group for u in national} == set(choices.UnitGroup.values)
    assert {u.level for u in national} == {1, 2, 3, 4, 5}


def test_load_demo_curricula_second_run_changes_nothing(demo):
    before = row_counts()
    modified = dict(CurriculumVersion.objects.values_list("pk", "modified_at"))

    frameworks = run("load_sample_frameworks")
    curricula = run("load_demo_curricula")

    assert row_counts() == before
    assert dict(CurriculumVersion.objects.values_list("pk", "modified_at")) == modified
    assert "Sample frameworks loaded: 0 created, 0 updated." in frameworks
    assert "Demo curricula loaded: 0 created, 0 updated." in curricula


def test_load_demo_curricula_first_run_reports_what_it_created(demo):
    output = demo["load_demo_curricula"]

    assert re.search(rf"^curricula\s+{Curriculum.objects.count()} created\s+0 updated", output, re.M)
    assert re.search(rf"^curriculum versions\s+{CurriculumVersion.objects.count()} created", output, re.M)
    assert "Demo curricula loaded: 0 created" not in output
