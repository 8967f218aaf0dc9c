"""What a school's staff sees on a curriculum version page in the back-office."""

import pytest

from curricula import services
from curricula.loaders import load_curriculum_rules
from tests import factories
from tests.curricula.test_services import draft
from vet import choices
from vet import services as vet_services
from vet.choices import Level

from .conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("home_page")]


def _school_with_draft():
    load_curriculum_rules()
    province = factories.ProvinceFactory(code="87", name_vi="Đồng Tháp", name_en="Dong Thap")
    school = factories.InstitutionFactory(province=province, code="DT-01", name_vi="Trường Cao đẳng Điện Đồng Tháp")
    staff = factories.UserFactory(username="staff", first_name="Lan", last_name="Trần")
    vet_services.grant_role(user=staff, role=choices.Role.SCHOOL_STAFF, institution=school)
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    curriculum = factories.CurriculumFactory(institution=school, occupation=occupation, level=Level.COLLEGE)
    version = draft(curriculum, user=staff)
    services.add_version_comment(user=staff, version=version, text="Đã cập nhật giờ thực hành.")
    head = factories.UserFactory(username="head")
    vet_services.grant_role(user=head, role=choices.Role.SCHOOL_HEAD, institution=school)
    return version


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_staff_opens_a_version_page_with_its_report(page, live_server):
    version = _school_with_draft()
    _login(page, live_server, "staff")
    page.goto(f"{live_server.url}/admin/snippets/curricula/curriculumversion/inspect/{version.pk}/")
    main = page.locator("main").inner_text()
    assert "MĐ07" in main and "01/2024/TT-BLĐTBXH" in main and "Đã cập nhật giờ thực hành." in main
    assert page.locator("form[action$='/submit/'] button").count() == 1
    assert page.locator("form[action$='/approve/']").count() == 0  # staff, not the head of school
    page.set_viewport_size({"width": 1280, "height": 3200})  # the admin scrolls inside <main>: show it all
    shoot(page, "curricula-version")


def test_staff_submits_and_the_head_approves_in_the_browser(browser, live_server):
    version = _school_with_draft()
    url = f"{live_server.url}/admin/snippets/curricula/curriculumversion/inspect/{version.pk}/"
    for username in ("staff", "head"):
        context = browser.new_context(viewport={"width": 1280, "height": 2400}, locale="vi-VN")
        page = context.new_page()
        _login(page, live_server, username)
        page.goto(url)
        if username == "staff":
            page.locator("form[action$='/submit/'] button").click()
            page.wait_for_load_state("networkidle")
        else:
            page.fill("input[name=decision_number]", "45/QĐ-CĐĐ")
            shoot(page, "curricula-version-approve")
            page.locator("form[action$='/approve/'] button").click()
            page.wait_for_load_state("networkidle")
            assert "45/QĐ-CĐĐ" in page.locator("main").inner_text()
        context.close()
        version.refresh_from_db()
        assert version.status == {"staff": "submitted", "head": "approved"}[username]
    assert version.decision_number == "45/QĐ-CĐĐ" and version.next_review_on is not None
