"""Public look-up of a diploma by serial and full name: both required, names matched with or without diacritics,
one neutral answer whatever was wrong, rate limits on the page and the API, revoked diplomas shown as revoked."""

import datetime
import re
import unicodedata

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from certificates import selectors, services, views
from certificates.models import IssuingProfile
from tests import factories
from tests.certificates.conftest import graduate

LOOKUP = "/verify/"
API = "/api/v1/verify/lookup/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(world, cohort):
    return [
        services.issue_diploma(
            user=world.staff_a, enrolment=graduate(cohort, full_name=name), issued_on=datetime.date(2026, 7, 15)
        )
        for name in ("Nguyễn Thị Ánh Tuyết", "Đào Văn Đức")
    ]


def _post(client, serial, full_name, path=LOOKUP, **extra):
    return client.post(path, {"serial": serial, "full_name": full_name}, **extra)


def _neutral(response) -> str:
    """The body with what differs between any two renders (CSRF tokens) and the values typed taken out."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return re.sub(r'(name="(?:serial|full_name)"[^>]*?value=")[^"]*"', r'\1"', body)


# --- name matching (no database) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Nguyễn Thị Ánh Tuyết",
        "nguyễn thị ánh tuyết",
        "  NGUYỄN   Thị  Ánh Tuyết ",
        unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết"),
        "Nguyen Thi Anh Tuyet",
        "nguyen thi anh tuyet",
    ],
)
def test_holder_name_matches_accepts_case_space_form_and_no_diacritics(typed):
    assert selectors.holder_name_matches(typed, "Nguyễn Thị Ánh Tuyết")


@pytest.mark.parametrize(
    "typed",
    [
        "Nguyên Thi Anh Tuyet",  # a wrong diacritic is a different name
        "Nguyễn Thị Ánh",
        "Nguyễn Thị Ánh Tuyết Hồng",
        "Tuyết Ánh Thị Nguyễn",
        "",
        "   ",
    ],
)
def test_holder_name_matches_refuses_other_names(typed):
    assert not selectors.holder_name_matches(typed, "Nguyễn Thị Ánh Tuyết")


def test_holder_name_matches_d_with_stroke_and_tone_placement():
    assert selectors.holder_name_matches("Dao Van Duc", "Đào Văn Đức")
    assert selectors.holder_name_matches("đào văn đức", "Đào Văn Đức")
    assert not selectors.holder_name_matches("Dào Văn Dức", "Đào Văn Đức")  # d typed where đ is printed
    assert selectors.holder_name_matches("Lê Thị Thúy", "Lê Thị Thuý")  # new and old tone placement
    assert selectors.holder_name_matches("Hòa", "Hoà")


def test_normalise_serial_trims_and_upper_cases():
    assert selectors.normalise_serial("  cđa/2026/00001 ") == "CĐA/2026/00001"


# --- the page --------------------------------------------------------------------------------------------------


def test_lookup_page_shows_the_form(issued):
    response = Client().get(LOOKUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="serial"' in html and 'name="full_name"' in html
    assert not any(d.code in html or d.serial in html for d in issued)  # nothing is listed


def test_lookup_exact_match_redirects_to_the_verification_page(issued):
    response = _post(Client(), "CĐA/2026/00001", "Nguyễn Thị Ánh Tuyết")
    assert response.status_code == 302 and response["Location"] == f"/verify/{issued[0].code}/"


def test_lookup_matches_without_diacritics_and_with_a_sloppy_serial(issued):
    response = _post(Client(), "  cđa/2026/00002 ", "dao  van DUC")
    assert response.status_code == 302 and response["Location"] == f"/verify/{issued[1].code}/"


def test_lookup_in_english_redirects_to_the_english_page(issued):
    response = _post(Client(), "CĐA/2026/00001", "Nguyen Thi Anh Tuyet", path="/en/verify/")
    assert response.status_code == 302 and response["Location"] == f"/en/verify/{issued[0].code}/"


def test_lookup_wrong_name_and_unknown_serial_give_the_same_answer(issued):
    client = Client()
    wrong_name = _post(client, "CĐA/2026/00001", "Trần Quốc Bảo")
    unknown_serial = _post(client, "CĐA/2026/99999", "Nguyễn Thị Ánh Tuyết")
    name_of_another_diploma = _post(client, "CĐA/2026/00001", "Đào Văn Đức")  # a holder who exists, of another serial
    assert wrong_name.status_code == unknown_serial.status_code == name_of_another_diploma.status_code == 200
    assert _neutral(wrong_name) == _neutral(unknown_serial) == _neutral(name_of_another_diploma)
    with translation.override("vi"):
        message = views._not_found_message()
    assert message in wrong_name.content.decode()
    assert issued[0].code not in wrong_name.content.decode()


def test_lookup_needs_both_fields(issued):
    client = Client()
    for data, missing in (
        ({"serial": "CĐA/2026/00001"}, "full_name"),
        ({"full_name": "Nguyễn Thị Ánh Tuyết"}, "serial"),
        ({"serial": "  ", "full_name": "Nguyễn Thị Ánh Tuyết"}, "serial"),
    ):
        response = client.post("/en/verify/", data)
        assert response.status_code == 200
        assert response.context["form"].errors.keys() == {missing}
        assert "This field is required." in response.content.decode()
        assert "No diploma matches" not in response.content.decode()


def test_lookup_revoked_diploma_shows_revoked(world, issued):
    services.revoke_diploma(user=world.staff_a, diploma=issued[0], reason="Gian lận")
    response = _post(Client(), "CĐA/2026/00001", "Nguyen Thi Anh Tuyet", path="/en/verify/", follow=True)
    assert response.redirect_chain == [(f"/en/verify/{issued[0].code}/", 302)]
    assert "REVOKED" in response.content.decode()


def test_lookup_reissued_diploma_points_to_the_current_one(world, issued):
    new = services.reissue_diploma(user=world.staff_a, diploma=issued[1], reason="Mất bằng")
    page = _post(Client(), "CĐA/2026/00002", "Đào Văn Đức", path="/en/verify/", follow=True).content.decode()
    assert "Re-issued" in page and f"/verify/{new.code}/" in page
    response = _post(Client(), new.serial, "Đào Văn Đức")
    assert response["Location"] == f"/verify/{new.code}/"


def test_lookup_page_is_rate_limited_per_client(issued):
    client = Client()
    for _ in range(views.LOOKUP_LIMIT):
        assert _post(client, "CĐA/2026/99999", "Ai Đó").status_code == 200
    limited = _post(client, "CĐA/2026/00001", "Nguyễn Thị Ánh Tuyết")  # even a right answer is refused now
    assert limited.status_code == 429 and limited["Retry-After"] == str(views.LOOKUP_WINDOW)
    assert 'lang="vi"' in limited.content.decode()
    with translation.override("vi"):
        assert (
            translation.gettext("Too many look-ups from your address. Wait a minute, then try again.")
            in limited.content.decode()
        )
    english = _post(client, "CĐA/2026/00001", "Nguyễn Thị Ánh Tuyết", path="/en/verify/")
    assert english.status_code == 429
    assert "Too many look-ups from your address." in english.content.decode()
    # Another address is not affected.
    other = _post(Client(REMOTE_ADDR="10.9.8.7"), "CĐA/2026/00001", "Nguyễn Thị Ánh Tuyết")
    assert other.status_code == 302
    # Opening the form is not a try.
    assert client.get(LOOKUP).status_code == 200


def test_lookup_when_two_institutions_share_a_serial(world, issued):
    occupation = issued[0].enrolment.cohort.curriculum_version.curriculum.occupation
    curriculum = factories.CurriculumFactory(institution=world.school_a2, occupation=occupation)
    version = factories.CurriculumVersionFactory(
        curriculum=curriculum, status="approved", approved_on=datetime.date(2025, 6, 1)
    )
    factories.DiplomaTemplateFactory(institution=world.school_a2)
    IssuingProfile.objects.create(institution=world.school_a2, prefix="CĐA", serial_format="{prefix}/{year}/{seq:05d}")
    other = services.issue_diploma(
        user=world.admin,
        issued_on=datetime.date(2026, 7, 20),
        enrolment=graduate(factories.CohortFactory(curriculum_version=version), full_name="Nguyễn Thị Ánh Tuyết"),
    )
    assert other.serial == issued[0].serial
    response = _post(Client(), "CĐA/2026/00001", "Nguyễn Thị Ánh Tuyết", path="/en/verify/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/verify/{issued[0].code}/" in html and f"/verify/{other.code}/" in html
    # The name tells them apart when it differs: only the matching holder's diploma is found.
    assert _post(Client(), "CĐA/2026/00002", "Đào Văn Đức")["Location"] == f"/verify/{issued[1].code}/"

    api = Client()
    ambiguous = api.post(
        API, {"serial": "CĐA/2026/00001", "full_name": "Nguyễn Thị Ánh Tuyết"}, content_type="application/json"
    )
    assert ambiguous.status_code == 400 and list(ambiguous.json()) == ["institution_code"]
    chosen = api.post(
        API,
        {"serial": "CĐA/2026/00001", "full_name": "Nguyễn Thị Ánh Tuyết", "institution_code": world.school_a2.code},
        content_type="application/json",
    )
    assert chosen.status_code == 200 and chosen.json()["code"] == other.code


# --- the API ---------------------------------------------------------------------------------------------------


def test_lookup_api_returns_the_verification_payload(issued):
    client = Client()
    response = client.post(
        API, {"serial": "cđa/2026/00001", "full_name": "nguyen thi anh tuyet"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == client.get(f"/api/v1/verify/{issued[0].code}/").json()


def test_lookup_api_neutral_404(issued):
    client = Client()
    wrong_name = client.post(
        API, {"serial": "CĐA/2026/00001", "full_name": "Trần Quốc Bảo"}, content_type="application/json"
    )
    unknown = client.post(
        API, {"serial": "CĐA/2026/99999", "full_name": "Nguyễn Thị Ánh Tuyết"}, content_type="application/json"
    )
    assert wrong_name.status_code == unknown.status_code == 404
    assert wrong_name.content == unknown.content
    assert set(wrong_name.json()) == {"detail"}


@pytest.mark.parametrize(
    "data, missing",
    [
        ({"serial": "CĐA/2026/00001"}, "full_name"),
        ({"full_name": "Nguyễn Thị Ánh Tuyết"}, "serial"),
        ({"serial": "", "full_name": ""}, None),
    ],
)
def test_lookup_api_names_the_missing_field(issued, data, missing):
    response = Client().post(API, data, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == ({missing} if missing else {"serial", "full_name"})


def test_lookup_api_revoked_diploma(world, issued):
    services.revoke_diploma(user=world.staff_a, diploma=issued[1], reason="Sai sót")
    data = (
        Client()
        .post(API, {"serial": "CĐA/2026/00002", "full_name": "Đào Văn Đức"}, content_type="application/json")
        .json()
    )
    assert data["status"] == "revoked" and data["code"] == issued[1].code


def test_lookup_api_is_throttled(issued):
    client = Client()
    for _ in range(10):
        assert client.post(API, {"serial": "X", "full_name": "Y"}, content_type="application/json").status_code == 404
    assert (
        client.post(
            API, {"serial": "CĐA/2026/00001", "full_name": "Nguyễn Thị Ánh Tuyết"}, content_type="application/json"
        ).status_code
        == 429
    )
    assert (
        Client(REMOTE_ADDR="10.1.2.3")
        .post(API, {"serial": "CĐA/2026/00001", "full_name": "Nguyễn Thị Ánh Tuyết"}, content_type="application/json")
        .status_code
        == 200
    )


def test_lookup_api_does_not_shadow_verification_by_code(issued):
    assert Client().get(f"/api/v1/verify/{issued[0].code}/").json()["code"] == issued[0].code
    assert Client().get(API).status_code == 405


def test_lookup_api_query_count(issued, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(8):
        assert (
            client.post(
                API, {"serial": "CĐA/2026/00001", "full_name": "Nguyễn Thị Ánh Tuyết"}, content_type="application/json"
            ).status_code
            == 200
        )
