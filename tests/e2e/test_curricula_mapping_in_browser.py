"""What a school's staff member sees on the mapping + coverage page of a curriculum version."""

import pytest

from curricula import services
from curricula.choices import Coverage, UnitGroup
from tests import factories
from vet import choices
from vet import services as vet_services

from .conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("home_page")]


@pytest.fixture
def version():
    province = factories.ProvinceFactory(code="82", name_vi="Tiền Giang", name_en="Tien Giang")
    school = factories.InstitutionFactory(province=province, code="TG-01", name_vi="Trường Cao đẳng Tiền Giang")
    staff = factories.UserFactory(username="staff")
    vet_services.grant_role(user=staff, role=choices.Role.SCHOOL_STAFF, institution=school)
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp",
                                             name_en="Industrial electrics")
    framework = factories.SkillFrameworkFactory(code="TCKNN-6520227", occupation=occupation, is_sample=True,
                                                name_vi="Tiêu chuẩn kỹ năng nghề Điện công nghiệp")
    names = ["Tuân thủ an toàn lao động", "Đọc bản vẽ điện", "Đo lường điện", "Lắp đặt hệ thống điện chiếu sáng",
             "Lắp đặt tủ điện phân phối", "Vận hành động cơ điện", "Sửa chữa máy biến áp", "Lập trình PLC cơ bản"]
    groups = [UnitGroup.BASIC, UnitGroup.BASIC, UnitGroup.COMMON, UnitGroup.SPECIALISED, UnitGroup.SPECIALISED,
              UnitGroup.SPECIALISED, UnitGroup.SPECIALISED, UnitGroup.SPECIALISED]
    units = [factories.SkillUnitFactory(framework=framework, code=f"A{i + 1:02d}", name_vi=name, group=group,
                                        level=2 + i % 2)
             for i, (name, group) in enumerate(zip(names, groups, strict=True))]
    version = factories.CurriculumVersionFactory(
        curriculum=factories.CurriculumFactory(institution=school, occupation=occupation))
    modules = ["An toàn lao động", "Vẽ điện", "Đo lường điện", "Cung cấp điện", "Trang bị điện", "PLC cơ bản"]
    components = [factories.CurriculumComponentFactory(version=version, code=f"MĐ{i + 1:02d}", name_vi=name,
                                                       position=i) for i, name in enumerate(modules)]
    for component, unit, coverage in [(components[0], units[0], Coverage.FULL),
                                      (components[1], units[1], Coverage.FULL),
                                      (components[2], units[2], Coverage.PARTIAL),
                                      (components[3], units[3], Coverage.FULL),
                                      (components[4], units[4], Coverage.PARTIAL)]:
        services.map_component_to_unit(user=staff, component=component, unit=unit, coverage=coverage)
    return version


def test_staff_maps_a_module_and_sees_coverage(page, live_server, version):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/curricula/versions/{version.pk}/mapping/")
    assert page.locator("#coverage-share").inner_text() == "50.0%"  # 3 full + 2 × ½ of 8 units

    page.fill("#unit-" + str(version.components.get(code="MĐ06").pk), "A08")
    page.locator(f"#component-{version.components.get(code='MĐ06').pk} button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("#coverage-share").inner_text() == "62.5%"
    assert "A08" in page.locator(f"#component-{version.components.get(code='MĐ06').pk}").inner_text()
    page.set_viewport_size({"width": 1280, "height": 1500})  # the admin scrolls inside its layout, not the page
    shoot(page, "curricula-mapping")
