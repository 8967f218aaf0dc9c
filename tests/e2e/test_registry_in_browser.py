"""What a person sees: the officer's back-office, the public home page in both languages, the API docs."""

import pytest

from tests import factories
from vet import choices, services

from .conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("home_page")]


@pytest.fixture
def registry():
    home = factories.ProvinceFactory(code="87", name_vi="Đồng Tháp", name_en="Dong Thap")
    away = factories.ProvinceFactory(code="31", name_vi="Hải Phòng", name_en="Hai Phong")
    authority = factories.AuthorityFactory(province=home, short_name="DOET")
    mine = factories.InstitutionFactory(province=home, code="DT-01", name_vi="Trường Cao đẳng Điện Đồng Tháp")
    factories.InstitutionFactory(province=away, code="HP-01", name_vi="Trường Cao đẳng Hàng hải Hải Phòng")
    officer = factories.UserFactory(username="officer", first_name="Mai", last_name="Nguyễn")
    services.grant_role(user=officer, role=choices.Role.OFFICER, authority=authority)
    return mine


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_officer_logs_in_and_edits_a_school_of_its_province(page, live_server, registry):
    _login(page, live_server, "officer")
    sidebar = page.locator("aside").inner_text()
    assert "Sổ đăng ký" in sidebar  # the Registry menu, in Vietnamese by default
    assert "Cán bộ cơ quan quản lý cấp tỉnh" in page.locator("main").inner_text()  # the role panel
    shoot(page, "admin-dashboard-officer")

    page.goto(f"{live_server.url}/admin/snippets/vet/institution/")
    page.fill("input[name=q]", "dien dong thap")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    results = page.locator("table.listing")
    assert "Trường Cao đẳng Điện Đồng Tháp" in results.inner_text()
    assert "Hàng hải" not in results.inner_text()
    shoot(page, "admin-institutions-search")

    page.get_by_role("link", name="Trường Cao đẳng Điện Đồng Tháp").first.click()
    page.fill("input[name=phone]", "0277 385 1234")
    page.locator("main button[type=submit], footer button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    registry.refresh_from_db()
    assert registry.phone == "0277 385 1234"

    page.goto(f"{live_server.url}/admin/snippets/vet/institution/history/{registry.pk}/")
    history = page.locator("main").inner_text()
    assert "0277 385 1234" in history and "Nguyễn" in history
    shoot(page, "admin-institution-history")


def test_public_home_page_switches_language_and_fits_a_phone(phone, live_server, registry):
    phone.goto(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert "Cơ sở giáo dục nghề nghiệp" in phone.locator("main").inner_text()
    shoot(phone, "home-vi-phone")
    phone.click("nav.lang a[hreflang=en]")
    phone.wait_for_url(f"{live_server.url}/en/")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert "Key occupations by tier" in phone.locator("main").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    shoot(phone, "home-en-phone")


def test_api_docs_render_without_any_external_request(page, live_server):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    institutions = page.locator(".opblock-summary-path").filter(has_text="/api/v1/institutions/")
    for _ in range(60):  # Swagger UI renders the operations as they scroll into view
        if institutions.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(150)
    assert institutions.count() >= 1
    assert outside == []
    shoot(page, "api-docs")
