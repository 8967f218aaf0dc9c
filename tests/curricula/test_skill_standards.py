import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from curricula import services
from curricula.choices import Coverage, VersionStatus
from curricula.models import ComponentUnitMapping, SkillFramework, SkillUnit
from tests import factories
from vet import permissions


@pytest.fixture
def setup(world):
    version = factories.CurriculumVersionFactory(curriculum__institution=world.school_a)
    framework = factories.SkillFrameworkFactory()
    units = [factories.SkillUnitFactory(framework=framework, code=f"U{i}", level=2 if i < 3 else 3)
             for i in range(1, 5)]
    components = [factories.CurriculumComponentFactory(version=version, code=f"MĐ{i}", theory_hours=20,
                                                       practice_hours=40, exam_hours=0) for i in range(1, 4)]
    return world, version, framework, units, components


def test_map_component_to_unit_creates_then_changes_coverage(setup):
    world, _version, _framework, units, components = setup
    mapping = services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0],
                                             coverage=Coverage.PARTIAL)
    assert mapping.coverage == Coverage.PARTIAL
    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0],
                                   coverage=Coverage.FULL)
    assert ComponentUnitMapping.objects.get().coverage == Coverage.FULL
    assert ComponentUnitMapping.objects.get().history.count() == 2


@pytest.mark.parametrize("role", ["public", "officer", "staff_b"])
def test_map_component_to_unit_refuses_others(setup, role):
    world, _version, _framework, units, components = setup
    user = world.staff_b if role == "staff_b" else world.user(role)
    with pytest.raises(PermissionDenied):
        services.map_component_to_unit(user=user, component=components[0], unit=units[0])
    assert not ComponentUnitMapping.objects.exists()


def test_map_component_to_unit_allowed_on_frozen_version(setup):
    world, version, _framework, units, components = setup
    type(version).objects.filter(pk=version.pk).update(status=VersionStatus.APPROVED,
                                                      approved_on=datetime.date(2025, 6, 2))
    components[0].refresh_from_db()
    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0])
    assert ComponentUnitMapping.objects.count() == 1


def test_unmap_component_from_unit_removes_mapping(setup):
    world, _version, _framework, units, components = setup
    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0])
    services.unmap_component_from_unit(user=world.staff_a, component=components[0], unit=units[0])
    assert not ComponentUnitMapping.objects.exists()


def test_get_coverage_reads_the_database(setup, django_assert_max_num_queries):
    world, version, framework, units, components = setup
    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0])
    services.map_component_to_unit(user=world.staff_a, component=components[1], unit=units[2],
                                   coverage=Coverage.PARTIAL)
    other = factories.SkillUnitFactory(code="X1")  # another framework: ignored
    factories.ComponentUnitMappingFactory(component=components[2], unit=other)
    with django_assert_max_num_queries(3):
        report = services.get_coverage(version, framework)
    assert report.covered_fully == ("U1",)
    assert report.covered_partially == ("U3",)
    assert report.missing == ("U2", "U4")
    assert report.share == D("1.5") / 4
    assert report.mapped_hours == 120
    assert report.unmapped_components == ("MĐ3",)
    assert services.get_coverage(version, framework, level=2).missing == ("U2",)


def test_skill_standards_are_public_reads_and_admin_writes(setup):
    world, *_ = setup
    unit = SkillUnit.objects.first()
    for model in (SkillFramework, SkillUnit):
        assert permissions.has_permission(None, permissions.VIEW, model)
        assert not permissions.has_permission(world.staff_a, permissions.ADD, model)
        assert not permissions.has_permission(world.officer_a, permissions.CHANGE, model)
        assert permissions.has_permission(world.admin, permissions.CHANGE, model)
    assert permissions.has_object_permission(None, permissions.VIEW, unit)
    assert not permissions.has_object_permission(world.staff_a, permissions.CHANGE, unit)


def test_mappings_public_only_for_approved_versions(setup):
    world, version, _framework, units, components = setup
    mapping = factories.ComponentUnitMappingFactory(component=components[0], unit=units[0])
    assert not permissions.has_object_permission(None, permissions.VIEW, mapping)
    assert permissions.has_object_permission(world.officer_a, permissions.VIEW, mapping)
    assert not permissions.has_object_permission(world.officer_b, permissions.VIEW, mapping)
    type(version).objects.filter(pk=version.pk).update(status=VersionStatus.APPROVED,
                                                      approved_on=datetime.date(2025, 6, 2))
    assert permissions.has_object_permission(None, permissions.VIEW, mapping)


def test_get_coverages_equals_get_coverage_per_version_in_three_queries(setup, django_assert_num_queries):
    world, version, framework, units, components = setup
    other = factories.CurriculumVersionFactory(curriculum__institution=world.school_a)
    other_components = [factories.CurriculumComponentFactory(version=other, code=f"MH{i}") for i in range(1, 6)]
    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0])
    services.map_component_to_unit(user=world.staff_a, component=other_components[1], unit=units[1],
                                   coverage=Coverage.PARTIAL)
    services.map_component_to_unit(user=world.staff_a, component=other_components[2], unit=units[3])
    with django_assert_num_queries(3):
        reports = services.get_coverages([version, other], framework)
    assert reports == {version.pk: services.get_coverage(version, framework),
                       other.pk: services.get_coverage(other, framework)}
    assert reports[other.pk].covered_partially == ("U2",) and reports[other.pk].covered_fully == ("U4",)
    assert services.get_coverages([version, other], framework, level=3)[other.pk] == services.get_coverage(
        other, framework, level=3)


def test_save_skill_framework_creates_and_skips_unchanged(world):
    framework = services.save_skill_framework(user=world.admin, framework=SkillFramework(
        code="SAMPLE-X", kind="national", name_vi="Tiêu chuẩn mẫu (mẫu)", is_sample=True))
    services.save_skill_framework(user=world.admin, framework=SkillFramework.objects.get(pk=framework.pk))
    framework.name_en = "Sample standard (sample)"
    services.save_skill_framework(user=world.admin, framework=framework)

    stored = SkillFramework.objects.get(code="SAMPLE-X")
    assert stored.is_sample and stored.name_en == "Sample standard (sample)"
    assert stored.history.count() == 2


@pytest.mark.parametrize("role", ["public", "officer", "staff", "head"])
def test_save_skill_framework_refused_to_all_but_administrators(world, role):
    with pytest.raises(PermissionDenied):
        services.save_skill_framework(user=world.user(role), framework=SkillFramework(
            code="SAMPLE-X", kind="national", name_vi="Tiêu chuẩn mẫu"))
    assert not SkillFramework.objects.exists()
