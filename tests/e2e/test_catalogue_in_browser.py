"""What a visitor sees in the public catalogue, and how a head of school's approval puts a program in it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from curricula import services
from curricula.choices import VersionStatus
from curricula.loaders import load_curriculum_rules
from tests import factories
from tests.curricula.test_services import draft
from vet import choices
from vet import services as vet_services
from vet.choices import Level, Tier

from .conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("home_page")]

ELECTRICITY = "/chuong-trinh/6520227-college-upper_secondary-dt-01/"
ELECTRICITY_EN = "/en/programs/6520227-college-upper_secondary-dt-01/"


def _label(text, language: str) -> str:
    """A message or a lazy label as a person reading `language` sees it."""
    with translation.override(language):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _approve(curriculum, admin, number: str):
    version = draft(curriculum, user=admin, number=number)
    services.submit_curriculum_version(user=admin, version=version)
    return services.approve_curriculum_version(user=admin, version=version)


@pytest.fixture
def catalogue():
    """Four approved programs at three schools of two provinces, two of them key occupations; one draft."""
    load_curriculum_rules()
    admin = factories.UserFactory(username="admin")
    vet_services.grant_role(user=admin, role=choices.Role.ADMIN)
    dong_thap = factories.ProvinceFactory(code="87", name_vi="Đồng Tháp", name_en="Dong Thap")
    hai_phong = factories.ProvinceFactory(code="31", name_vi="Hải Phòng", name_en="Hai Phong")
    engineering = factories.OccupationFieldFactory(code="52", name_vi="Kỹ thuật", name_en="Engineering")
    tourism = factories.OccupationFieldFactory(code="81", name_vi="Du lịch", name_en="Tourism")
    electricity = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp",
                                              name_en="Industrial electricity", field=engineering)
    electricity_4 = factories.OccupationFactory(code="5520227", name_vi="Điện công nghiệp",
                                                name_en="Industrial electricity", field=engineering)
    cooling = factories.OccupationFactory(code="6520205", name_vi="Kỹ thuật máy lạnh và điều hòa không khí",
                                          name_en="Refrigeration and air-conditioning", field=engineering)
    hotels = factories.OccupationFactory(code="6810201", name_vi="Quản trị khách sạn", name_en="Hotel management",
                                         field=tourism)
    mechatronics = factories.OccupationFactory(code="6520263", name_vi="Cơ điện tử", name_en="Mechatronics",
                                               field=engineering)
    # The school's own name carries "Điện": a search for the occupation must not return its other programs.
    electric_college = factories.InstitutionFactory(province=dong_thap, code="DT-01",
                                                    name_vi="Trường Cao đẳng Điện Đồng Tháp",
                                                    name_en="Dong Thap Electrical College")
    tourism_college = factories.InstitutionFactory(province=hai_phong, code="HP-01",
                                                   name_vi="Trường Cao đẳng Du lịch Hải Phòng",
                                                   name_en="Hai Phong Tourism College")
    technical_school = factories.InstitutionFactory(province=hai_phong, code="HP-02",
                                                    name_vi="Trường Trung cấp Kỹ thuật Hải Phòng",
                                                    name_en="Hai Phong Technical School",
                                                    type=choices.InstitutionType.INTERMEDIATE)
    factories.KeyOccupationDesignationFactory(institution=electric_college, occupation=electricity,
                                              level=Level.COLLEGE, tier=Tier.NATIONAL)
    factories.KeyOccupationDesignationFactory(institution=tourism_college, occupation=hotels,
                                              level=Level.COLLEGE, tier=Tier.ASEAN)
    for number, (school, occupation) in enumerate([
        (electric_college, electricity), (electric_college, cooling), (tourism_college, hotels),
        (technical_school, electricity_4),
    ], start=1):
        curriculum = factories.CurriculumFactory(institution=school, occupation=occupation)
        version = _approve(curriculum, admin, f"{number}/QĐ-CĐ")
        assert version.status == VersionStatus.APPROVED
    draft(factories.CurriculumFactory(institution=electric_college, occupation=mechatronics), user=admin,
          number="9/QĐ-CĐ")


def _titles(page) -> list[str]:
    return page.locator(".program-list .program-card").all_inner_texts()


def _count(page) -> int:
    return int(re.search(r"\d+", page.locator("#results-heading").inner_text()).group())


def test_home_page_searches_without_diacritics_and_filters_by_level(browser, page, live_server, catalogue):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text().strip()
    tiers = page.locator("section[aria-labelledby=tiers-h]")
    assert tiers.locator("#tiers-h").inner_text() == _label("Key occupations by tier", "vi")
    badges = tiers.locator(".tier-card .badge").all_inner_texts()
    assert badges == [_label(Tier.ASEAN.label, "vi"), _label(Tier.NATIONAL.label, "vi")]  # highest tier first
    assert "Điện công nghiệp" in tiers.locator(".tier-card.tier-national").inner_text()
    shoot(page, "catalogue-home")

    page.fill("#home-q", "dien cong nghiep")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/chuong-trinh/\?q=dien\+cong\+nghiep"))
    found = _titles(page)
    assert len(found) == 2 and all("Điện công nghiệp" in card for card in found)
    assert not any(other in " ".join(found) for other in ("máy lạnh", "khách sạn", "Cơ điện tử"))
    assert _count(page) == 2
    assert page.locator("#catalogue-q").input_value() == "dien cong nghiep"
    shoot(page, "catalogue-search")

    page.locator("a[data-facet=level][data-value=college]").click()
    page.wait_for_url(re.compile(r"level=college"))
    assert _count(page) == 1
    narrowed = _titles(page)
    assert len(narrowed) == 1 and "Trường Cao đẳng Điện Đồng Tháp" in narrowed[0]
    assert page.locator("a[data-facet=level][data-value=college]").get_attribute("aria-current") == "true"
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["dien cong nghiep"] and query["level"] == ["college"]
    shoot(page, "catalogue-search-college")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    fresh = context.new_page()
    fresh.goto(page.url)  # the address is shareable: the same search, the same filter, the same results
    assert _titles(fresh) == narrowed and _count(fresh) == 1
    context.close()


def test_program_page_shows_its_tier_and_switches_language(page, live_server, catalogue):
    page.goto(live_server.url + "/chuong-trinh/")
    assert _count(page) == 4  # the draft is not published
    page.locator(f".program-list a[href$='{ELECTRICITY}']").click()
    page.wait_for_url(live_server.url + ELECTRICITY)
    assert "Điện công nghiệp" in page.locator("h1").inner_text()
    badge = page.get_by_test_id("tier-badge")
    assert _label(Tier.NATIONAL.label, "vi") in badge.inner_text()
    page.locator("details.modules summary").click()
    assert page.locator("details.modules li").count() == 14
    shoot(page, "catalogue-program-vi")

    page.locator("nav.lang a[hreflang=en]").click()
    page.wait_for_url(live_server.url + ELECTRICITY_EN)
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Industrial electricity" in page.locator("h1").inner_text()
    assert "National" in page.get_by_test_id("tier-badge").inner_text()
    shoot(page, "catalogue-program-en")

    page.locator("nav.lang a[hreflang=vi]").click()
    page.wait_for_url(live_server.url + ELECTRICITY)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Điện công nghiệp" in page.locator("h1").inner_text()


def test_public_pages_fit_a_phone(phone, live_server, catalogue):
    for name, path in [("home", "/"), ("list", "/chuong-trinh/"), ("search", "/chuong-trinh/?q=dien&level=college"),
                       ("program", ELECTRICITY), ("program-en", ELECTRICITY_EN), ("schools", "/truong/"),
                       ("school", "/truong/dt-01/"), ("news", "/tin-tuc/")]:
        response = phone.goto(live_server.url + path)
        assert response.status == 200
        # Not window.innerWidth: a mobile browser zooms out to show a page wider than the screen, and innerWidth
        # grows with it; the layout viewport (clientWidth) stays the phone's width.
        width, viewport = phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        shoot(phone, f"catalogue-phone-{name}")
        assert width <= viewport == 390, f"{path} scrolls sideways on a phone: {width} > {viewport}"


def test_head_approves_in_the_admin_and_the_program_appears(page, live_server):
    load_curriculum_rules()
    school = factories.InstitutionFactory(code="DT-02", name_vi="Trường Cao đẳng Cộng đồng Đồng Tháp",
                                          province=factories.ProvinceFactory(code="87", name_vi="Đồng Tháp"))
    staff = factories.UserFactory(username="staff")
    vet_services.grant_role(user=staff, role=choices.Role.SCHOOL_STAFF, institution=school)
    head = factories.UserFactory(username="head")
    vet_services.grant_role(user=head, role=choices.Role.SCHOOL_HEAD, institution=school)
    occupation = factories.OccupationFactory(code="6810201", name_vi="Quản trị khách sạn", name_en="Hotel management")
    version = draft(factories.CurriculumFactory(institution=school, occupation=occupation), user=staff)
    services.submit_curriculum_version(user=staff, version=version)
    program_path = "/chuong-trinh/6810201-college-upper_secondary-dt-02/"

    page.goto(live_server.url + "/chuong-trinh/")
    assert "Quản trị khách sạn" not in page.locator("main").inner_text()  # submitted is not yet published
    assert page.goto(live_server.url + program_path).status == 404

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "head")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.locator("#curricula-mine-section a", has_text="Quản trị khách sạn").click()  # "Waiting for your approval"
    page.wait_for_url(re.compile(rf"/inspect/{version.pk}/$"))
    page.fill("input[name=decision_number]", "45/QĐ-CĐCĐ")
    page.set_viewport_size({"width": 1280, "height": 2400})  # the admin scrolls inside <main>: show it all
    shoot(page, "catalogue-admin-approve")
    page.locator("form[action$='/approve/'] button").click()
    page.wait_for_load_state("networkidle")
    assert "45/QĐ-CĐCĐ" in page.locator("main").inner_text()
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/chuong-trinh/")
    assert _count(page) == 1
    page.get_by_role("link", name="Quản trị khách sạn").click()
    page.wait_for_url(live_server.url + program_path)
    assert "Quản trị khách sạn" in page.locator("h1").inner_text()
    assert "45/QĐ-CĐCĐ" in page.locator(".facts").inner_text()
    shoot(page, "catalogue-approved-program")
