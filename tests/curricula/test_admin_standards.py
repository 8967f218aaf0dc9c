"""Back-office of skill standards and curriculum rules, and the mapping + coverage page of a version."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from curricula import services
from curricula.choices import Coverage, UnitGroup
from curricula.loaders import load_curriculum_rules
from curricula.models import (
    ComponentUnitMapping,
    CurriculumRule,
    CurriculumRuleSet,
    PerformanceCriterion,
    SkillFramework,
    SkillUnit,
)
from tests import factories

OK, DENIED = 200, 403
ROLES = ("admin", "officer_a", "officer_b", "staff_a", "staff_b", "head_a")


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def snippet_url(model, view: str, obj=None) -> str:
    args = () if view in ("list", "add") else (obj.pk,)
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


@pytest.fixture
def standard(world):
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    framework = factories.SkillFrameworkFactory(code="TCKNN-DCN", occupation=occupation, is_sample=True)
    units = [
        factories.SkillUnitFactory(framework=framework, code="U01", group=UnitGroup.BASIC, level=1),
        factories.SkillUnitFactory(framework=framework, code="U02", group=UnitGroup.COMMON, level=2),
        factories.SkillUnitFactory(framework=framework, code="U03", group=UnitGroup.SPECIALISED, level=3,
                                   name_vi="Lắp đặt tủ điện"),
        factories.SkillUnitFactory(framework=framework, code="U04", group=UnitGroup.SPECIALISED, level=3),
    ]
    factories.PerformanceCriterionFactory(unit=units[2], number=1, text_vi="Đọc bản vẽ tủ điện")
    factories.PerformanceCriterionFactory(unit=units[2], number=2, text_vi="Đấu nối đúng sơ đồ")
    version = factories.CurriculumVersionFactory(
        curriculum=factories.CurriculumFactory(institution=world.school_a, occupation=occupation))
    components = [factories.CurriculumComponentFactory(version=version, code=f"MĐ{i:02d}", position=i)
                  for i in range(1, 4)]
    return framework, units, version, components


# ----------------------------------------------------------------------------------- standards and rules


STANDARD_VIEWS = ("list", "add", "edit", "inspect", "delete", "history")
READ_ONLY = {"list": OK, "add": DENIED, "edit": DENIED, "inspect": OK, "delete": DENIED, "history": DENIED}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", [SkillFramework, SkillUnit, PerformanceCriterion, CurriculumRuleSet,
                                   CurriculumRule], ids=lambda m: m.__name__)
def test_standard_screens_status_by_role(client, world, standard, role, model):
    if model in (CurriculumRuleSet, CurriculumRule):
        load_curriculum_rules()
    obj = model.objects.first()
    client.force_login(getattr(world, role))
    expected = dict.fromkeys(STANDARD_VIEWS, OK) if role == "admin" else READ_ONLY
    for view in STANDARD_VIEWS:
        assert client.get(snippet_url(model, view, obj)).status_code == expected[view], view


def test_standard_screens_need_login(client, standard):
    framework = standard[0]
    response = client.get(snippet_url(SkillFramework, "inspect", framework))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))


def test_skill_standards_menu_lists_the_screens(client, world):
    client.force_login(world.officer_a)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for label in ("Skill standards", "Skill frameworks", "Competency units", "Curriculum rules"):
        assert label in html


def test_framework_inspect_counts_units_per_group_and_level_and_flags_sample(client, world, standard):
    framework = standard[0]
    client.force_login(world.staff_a)

    response = client.get(snippet_url(SkillFramework, "inspect", framework))

    html = response.content.decode()
    assert "Sample data — not the official text" in html
    assert "Competency units (4)" in html
    counts = {(g["label"], tuple(g["counts"]), g["total"]) for g in response.context["unit_counts"]["groups"]}
    assert counts == {("Basic", (1, 0, 0), 1), ("Common", (0, 1, 0), 1), ("Specialised", (0, 0, 2), 2)}
    assert response.context["unit_counts"]["levels"] == [1, 2, 3]
    assert "Import units (XLSX)" not in html  # staff do not import


def test_framework_inspect_without_sample_flag_has_no_warning(client, world, standard):
    framework = standard[0]
    framework.is_sample = False
    framework.save()
    client.force_login(world.admin)

    html = client.get(snippet_url(SkillFramework, "inspect", framework)).content.decode()

    assert "not the official text" not in html
    assert "Import units (XLSX)" in html


def test_unit_inspect_lists_its_criteria(client, world, standard):
    unit = standard[1][2]
    client.force_login(world.officer_b)

    response = client.get(snippet_url(SkillUnit, "inspect", unit))

    html = response.content.decode()
    assert "Performance criteria (2)" in html
    assert html.index("Đọc bản vẽ tủ điện") < html.index("Đấu nối đúng sơ đồ")


def test_rule_list_shows_unconfirmed_tag_and_help(client, world):
    load_curriculum_rules()
    client.force_login(world.officer_a)

    response = client.get(snippet_url(CurriculumRule, "list") + "?confirmed=false")

    html = response.content.decode()
    assert response.status_code == 200
    assert "produce warnings, not errors" in html
    assert "Unconfirmed" in html
    assert CurriculumRule.objects.filter(confirmed=False).exists()


def test_rule_edit_by_admin_saves_through_the_service(client, world):
    load_curriculum_rules()
    rule = CurriculumRule.objects.filter(confirmed=False, min_value__isnull=False).first()
    client.force_login(world.admin)
    page = client.get(snippet_url(CurriculumRule, "edit", rule))
    data = {name: value for name, value in page.context["form"].initial.items() if value not in (None, False)}
    data.update({"confirmed": "on", "rule_set": rule.rule_set_id})
    if rule.source_id:
        data["source"] = rule.source_id

    response = client.post(snippet_url(CurriculumRule, "edit", rule), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else None
    rule.refresh_from_db()
    assert rule.confirmed
    assert rule.history.first().history_user == world.admin


def test_rule_edit_refused_to_officer(client, world):
    load_curriculum_rules()
    rule = CurriculumRule.objects.filter(confirmed=False).first()
    client.force_login(world.officer_a)

    response = client.post(snippet_url(CurriculumRule, "edit", rule), {"confirmed": "on"})

    assert response.status_code == 403
    rule.refresh_from_db()
    assert not rule.confirmed


# ------------------------------------------------------------------------------------------------ import


def workbook(units: list[list], criteria: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "units"
    sheet.append(["code", "name_vi", "name_en", "group", "level", "nominal_hours"])
    for row in units:
        sheet.append(row)
    sheet = book.create_sheet("criteria")
    sheet.append(["unit_code", "number", "text_vi", "text_en"])
    for row in criteria:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "framework.xlsx"
    return data


def import_url(framework) -> str:
    return reverse(SkillFramework.snippet_viewset.get_url_name("import"), args=(framework.pk,))


@pytest.mark.parametrize(("role", "expected"), [("admin", OK), ("officer_a", DENIED), ("officer_b", DENIED),
                                                ("staff_a", DENIED), ("staff_b", DENIED), ("head_a", DENIED)])
def test_framework_import_page_status_by_role(client, world, standard, role, expected):
    client.force_login(getattr(world, role))
    assert client.get(import_url(standard[0])).status_code == expected


def test_framework_import_creates_units_and_criteria(client, world):
    framework = factories.SkillFrameworkFactory()
    client.force_login(world.admin)
    upload = workbook([["K01", "An toàn điện", "Electrical safety", "basic", 1, 30],
                       ["K02", "Đo lường điện", "", "common", 2, ""]],
                      [["K01", 1, "Nhận biết nguy cơ", ""], ["K01", 2, "Sơ cứu", ""]])

    response = client.post(import_url(framework), {"file": upload})

    assert response.status_code == 302
    assert list(framework.units.order_by("code").values_list("code", "group", "level", "nominal_hours")) == [
        ("K01", "basic", 1, 30), ("K02", "common", 2, None)]
    assert PerformanceCriterion.objects.filter(unit__framework=framework).count() == 2


def test_framework_import_rejects_bad_file_and_writes_nothing(client, world):
    framework = factories.SkillFrameworkFactory()
    client.force_login(world.admin)
    upload = workbook([["K01", "An toàn điện", "", "basic", 1, 30], ["K02", "", "", "advanced", 12, ""]],
                      [["K09", 1, "Nhận biết nguy cơ", ""]])

    response = client.post(import_url(framework), {"file": upload})

    assert response.status_code == 400
    errors = {(e.sheet, e.row, e.column) for e in response.context["errors"]}
    assert errors == {("units", 3, "name_vi"), ("units", 3, "group"), ("units", 3, "level"),
                      ("criteria", 2, "unit_code")}
    html = response.content.decode()
    assert "The file was rejected: 4 errors. Nothing was imported." in html
    assert "<td>units</td><td>3</td><td>group</td>" in html
    assert not SkillUnit.objects.filter(framework=framework).exists()


def test_framework_import_post_refused_to_officer(client, world):
    framework = factories.SkillFrameworkFactory()
    client.force_login(world.officer_a)

    response = client.post(import_url(framework), {"file": workbook([["K01", "A", "", "basic", 1, 30]], [])})

    assert response.status_code == 403
    assert not SkillUnit.objects.filter(framework=framework).exists()


# ----------------------------------------------------------------------------------- mapping and coverage


def mapping_url(version, **query) -> str:
    url = reverse("curricula_version_mapping", args=(version.pk,))
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize(("role", "expected", "editable"), [
    ("admin", OK, True), ("officer_a", OK, False), ("officer_b", DENIED, None), ("staff_a", OK, True),
    ("staff_b", DENIED, None), ("head_a", OK, True)])
def test_mapping_page_status_by_role(client, world, standard, role, expected, editable):
    version = standard[2]
    client.force_login(getattr(world, role))

    response = client.get(mapping_url(version))

    assert response.status_code == expected
    if expected == OK:
        assert response.context["can_edit"] is editable
        assert ('name="action" value="map"' in response.content.decode()) is editable


def test_mapping_page_of_an_approved_version_is_readable_by_other_provinces(client, world, standard):
    version = standard[2]
    type(version).objects.filter(pk=version.pk).update(status="approved", approved_on="2025-07-01")
    client.force_login(world.officer_b)

    response = client.get(mapping_url(version))

    assert response.status_code == OK and response.context["can_edit"] is False


def test_mapping_page_defaults_to_the_occupations_framework_then_the_mapped_one(client, world, standard):
    framework, units, version, components = standard
    other = factories.SkillFrameworkFactory(code="ACCSTP")
    other_unit = factories.SkillUnitFactory(framework=other, code="D1.HFO")
    client.force_login(world.staff_a)

    assert client.get(mapping_url(version)).context["framework"] == framework

    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=other_unit)
    assert client.get(mapping_url(version)).context["framework"] == other
    assert client.get(mapping_url(version, framework=framework.pk)).context["framework"] == framework


def test_mapping_post_by_staff_maps_and_shows_in_coverage(client, world, standard):
    framework, units, version, components = standard
    client.force_login(world.staff_a)
    url = mapping_url(version, framework=framework.pk)

    first = client.post(url, {"action": "map", "component": components[0].pk, "unit": "U03 · Lắp đặt tủ điện",
                              "coverage": "full"})
    second = client.post(url, {"action": "map", "component": components[1].pk, "unit": "U04",
                               "coverage": "partial"})

    assert first.status_code == second.status_code == 302 and first.url == url
    assert set(ComponentUnitMapping.objects.values_list("component__code", "unit__code", "coverage")) == {
        ("MĐ01", "U03", Coverage.FULL), ("MĐ02", "U04", Coverage.PARTIAL)}
    page = client.get(url)
    report = page.context["report"]
    assert report == services.get_coverage(version, framework)
    assert (report.covered_fully, report.covered_partially, report.missing) == (("U03",), ("U04",), ("U01", "U02"))
    html = page.content.decode()
    assert f'id="coverage-share">{report.percent}%<' in html  # 1.5 of 4 units = 37.5%
    assert str(report.percent) == "37.5"
    assert f'id="coverage-hours">{report.mapped_hours}<' in html
    assert [c.code for c in page.context["unmapped_components"]] == ["MĐ03"]
    assert [u.code for u in page.context["missing_units"]] == ["U01", "U02"]


def test_mapping_post_unmap_removes_the_mapping(client, world, standard):
    framework, units, version, components = standard
    services.map_component_to_unit(user=world.staff_a, component=components[0], unit=units[0])
    client.force_login(world.staff_a)

    response = client.post(mapping_url(version, framework=framework.pk),
                           {"action": "unmap", "component": components[0].pk, "unit": "U01"})

    assert response.status_code == 302
    assert not ComponentUnitMapping.objects.exists()


def test_mapping_post_level_limits_the_units(client, world, standard):
    framework, units, version, components = standard
    client.force_login(world.staff_a)
    url = mapping_url(version, framework=framework.pk, level=3)

    page = client.get(url)
    response = client.post(url, {"action": "map", "component": components[0].pk, "unit": "U01"}, follow=True)

    assert [u.code for u in page.context["choosable_units"]] == ["U03", "U04"]
    assert page.context["report"] == services.get_coverage(version, framework, 3)
    assert "No competency unit U01 in this framework and level." in response.content.decode()
    assert not ComponentUnitMapping.objects.exists()


@pytest.mark.parametrize("role", ["officer_a", "officer_b", "staff_b"])
def test_mapping_post_refused_to_others(client, world, standard, role):
    framework, units, version, components = standard
    services.map_component_to_unit(user=world.staff_a, component=components[1], unit=units[1])
    client.force_login(getattr(world, role))
    url = mapping_url(version, framework=framework.pk)

    mapped = client.post(url, {"action": "map", "component": components[0].pk, "unit": "U01"})
    unmapped = client.post(url, {"action": "unmap", "component": components[1].pk, "unit": "U02"})

    assert mapped.status_code == unmapped.status_code == 403
    assert list(ComponentUnitMapping.objects.values_list("component__code", "unit__code")) == [("MĐ02", "U02")]


def test_mapping_post_refuses_a_component_of_another_version(client, world, standard):
    framework, units, version, components = standard
    stranger = factories.CurriculumComponentFactory(
        version=factories.CurriculumVersionFactory(curriculum=version.curriculum))
    client.force_login(world.staff_a)

    client.post(mapping_url(version, framework=framework.pk),
                {"action": "map", "component": stranger.pk, "unit": "U01"})

    assert not ComponentUnitMapping.objects.exists()


def test_mapping_page_queries_are_bounded(client, world, django_assert_max_num_queries):
    occupation = factories.OccupationFactory()
    framework = factories.SkillFrameworkFactory(occupation=occupation)
    units = SkillUnit.objects.bulk_create(
        SkillUnit(framework=framework, code=f"U{i:03d}", name_vi=f"Đơn vị {i}", group=UnitGroup.SPECIALISED,
                  level=1 + i % 5) for i in range(250))
    version = factories.CurriculumVersionFactory(
        curriculum=factories.CurriculumFactory(institution=world.school_a, occupation=occupation))
    components = [factories.CurriculumComponentFactory(version=version, code=f"M{i:02d}", position=i)
                  for i in range(60)]
    ComponentUnitMapping.objects.bulk_create(
        ComponentUnitMapping(component=c, unit=units[i * 3], coverage=Coverage.FULL if i % 2 else Coverage.PARTIAL)
        for i, c in enumerate(components))
    client.force_login(world.staff_a)
    client.get(mapping_url(version))  # warm caches (content types, site)

    with django_assert_max_num_queries(20):
        response = client.get(mapping_url(version, framework=framework.pk))

    assert response.status_code == 200
    assert response.context["report"].units_total == 250
    assert len(response.context["report"].covered_fully) == 30
