"""Registry API: filters, free text without diacritics, pagination, ordering, modified_since, errors,
token authentication and login throttling, history of writes, and query counts."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.conftest import client_for
from vet.models import Institution, Teacher


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read messages in English; Vietnamese, the default, is tested in tests/test_translations.py."""


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _codes(response, key="code"):
    assert response.status_code == 200, response.content[:300]
    return [row[key] for row in response.json()["results"]]


def test_free_text_matches_without_diacritics(world, api):
    factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp", name_en="Industrial electricity")
    factories.OccupationFactory(code="6810201", name_vi="Quản trị khách sạn", name_en="Hotel management")
    assert _codes(api.get("/api/v1/occupations/", {"q": "dien"})) == ["6520227"]
    assert _codes(api.get("/api/v1/occupations/", {"q": "Điện công"})) == ["6520227"]
    assert _codes(api.get("/api/v1/occupations/", {"q": "DIEN CONG NGHIEP"})) == ["6520227"]
    assert _codes(api.get("/api/v1/occupations/", {"q": "khach san"})) == ["6810201"]
    assert _codes(api.get("/api/v1/institutions/", {"q": "dien luc"})) == ["SCH-A"]


def test_institution_filters(world, api):
    occupation = factories.OccupationFactory(code="5520227")
    factories.KeyOccupationDesignationFactory(institution=world.school_b, occupation=occupation,
                                              tier="international")
    world.school_a2.type = "vet_centre"
    world.school_a2.ownership = "private"
    world.school_a2.save()
    assert sorted(_codes(api.get("/api/v1/institutions/", {"province": "82"}))) == ["SCH-A", "SCH-A2"]
    assert _codes(api.get("/api/v1/institutions/", {"type": "vet_centre"})) == ["SCH-A2"]
    assert _codes(api.get("/api/v1/institutions/", {"ownership": "private"})) == ["SCH-A2"]
    assert _codes(api.get("/api/v1/institutions/", {"tier": "international"})) == ["SCH-B"]
    assert _codes(api.get("/api/v1/institutions/", {"occupation": "5520227"})) == ["SCH-B"]
    assert _codes(api.get("/api/v1/institutions/", {"level": "intermediate"})) == ["SCH-B"]


def test_key_occupation_filters(world, api):
    electric = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    cooking = factories.OccupationFactory(code="5810207", name_vi="Kỹ thuật chế biến món ăn")
    factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=electric, tier="asean",
                                              period_start=2016, period_end=2020)
    factories.KeyOccupationDesignationFactory(institution=world.school_b, occupation=cooking, tier="national")
    get = lambda **p: _codes(api.get("/api/v1/key-occupations/", p), key="occupation")  # noqa: E731
    assert get(tier="asean") == ["6520227"]
    assert get(province="31") == ["5810207"]
    assert get(level="intermediate") == ["5810207"]
    assert get(occupation="6520227") == ["6520227"]
    assert get(q="che bien") == ["5810207"]
    assert get(year=2018) == ["6520227"]
    assert get(institution="SCH-B") == ["5810207"]


def test_pagination_and_ordering(world, api):
    for n in range(7):
        factories.OccupationFactory(code=f"64802{n:02d}", name_vi=f"Nghề {chr(ord('A') + 6 - n)}")
    body = api.get("/api/v1/occupations/", {"page_size": 3, "ordering": "-code"}).json()
    assert body["count"] == 7
    assert [r["code"] for r in body["results"]] == ["6480206", "6480205", "6480204"]
    assert body["next"] and "page=2" in body["next"]
    by_name = _codes(api.get("/api/v1/occupations/", {"ordering": "name_vi", "page_size": 2}))
    assert by_name == ["6480206", "6480205"]


def test_modified_since(world, api):
    old = factories.OccupationFactory(code="6520205")
    Teacher.objects.none()
    type(old).objects.filter(pk=old.pk).update(modified_at=timezone.now() - datetime.timedelta(days=10))
    new = factories.OccupationFactory(code="6520263")
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert _codes(api.get("/api/v1/occupations/", {"modified_since": since})) == [new.code]


def test_bad_filter_value_is_a_400_naming_the_parameter(world, api):
    response = api.get("/api/v1/occupations/", {"modified_since": "yesterday"})
    assert response.status_code == 400
    assert "modified_since" in response.json()
    response = api.get("/api/v1/institutions/", {"tier": "galactic"})
    assert response.status_code == 400
    assert "tier" in response.json()


def test_write_errors_name_the_field(world):
    client = client_for(world.admin)
    response = client.post("/api/v1/occupations/", {"code": "4520227", "name_vi": "Sai"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    response = client.post("/api/v1/teachers/", {"institution": "SCH-A", "full_name": "A", "degree": "master",
                                                  "foreign_language_level": 7}, format="json")
    assert response.status_code == 400
    assert "foreign_language_level" in response.json()


def test_designation_outside_scope_is_refused_with_a_clear_error(world):
    occupation = factories.OccupationFactory(code="6520123", name_vi="Hàn")
    decision = factories.LegalDocumentFactory()
    response = client_for(world.officer_a).post("/api/v1/key-occupations/", {
        "institution": "SCH-A", "occupation": "6520123", "level": "college", "tier": "national",
        "period_start": 2021, "period_end": 2030, "decision": decision.number}, format="json")
    assert response.status_code == 400
    assert "scope" in response.json()["occupation"][0]
    assert not occupation.designations.exists()


def test_duplicate_designation_is_refused(world):
    designation = factories.KeyOccupationDesignationFactory(institution=world.school_a)
    payload = {"institution": "SCH-A", "occupation": designation.occupation.code, "level": designation.level,
               "tier": designation.tier, "period_start": designation.period_start,
               "period_end": designation.period_end, "decision": designation.decision.number}
    response = client_for(world.officer_a).post("/api/v1/key-occupations/", payload, format="json")
    assert response.status_code == 400
    assert "already exists" in str(response.json()) or "đã tồn tại" in str(response.json())


def test_token_authentication(world, api):
    response = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pass-word-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/teachers/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/teachers/").status_code == 401


def test_token_endpoint_is_throttled(world, api, settings):
    for _ in range(10):
        assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "nope"}).status_code == 400
    assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "nope"}).status_code == 429


def test_admin_login_is_locked_after_repeated_failures(world, client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/admin/login/", {"username": "staff_a", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "staff_a", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_api_write_is_recorded_in_history_with_user_and_change(world):
    response = client_for(world.staff_a).patch("/api/v1/institutions/SCH-A/", {"phone": "0273 123 456"},
                                               format="json")
    assert response.status_code == 200
    record = Institution.history.filter(id=world.school_a.pk).latest("history_date")
    assert record.history_user == world.staff_a
    assert record.history_type == "~"
    diff = record.diff_against(record.prev_record)
    assert [c.field for c in diff.changes] == ["phone"]
    assert diff.changes[0].new == "0273 123 456"


@pytest.mark.parametrize("endpoint", ["legal-documents", "provinces", "authorities", "occupations",
                                      "institutions", "scope", "key-occupations", "teachers", "partners"])
def test_list_query_count_does_not_grow_with_page_size(world, endpoint):
    for n in range(12):
        occupation = factories.OccupationFactory(code=f"6{n:02d}0000")
        factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=occupation)
        factories.TeacherFactory(institution=world.school_a)
        factories.EnterprisePartnerFactory(institution=world.school_a)
        factories.InstitutionFactory(province=world.province_a,
                                     managing_authority=world.authority_a,
                                     registration_document=factories.LegalDocumentFactory())
        factories.AuthorityFactory(province=world.province_a)
        factories.ProvinceFactory(successor=world.province_a)
    client = client_for(world.officer_a)

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/{endpoint}/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        return len(ctx.captured_queries)

    count(2)  # warm-up: the user's roles are read once per request object
    small, large = count(2), count(10)
    assert small == large, f"{endpoint}: {small} queries for 2 rows, {large} for 10"
    assert large <= 8


def test_openapi_schema_and_docs_are_served(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/institutions/" in paths and "/api/v1/key-occupations/" in paths
    assert not [p for p in paths if not p.startswith("/api/v1/")]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content


@pytest.mark.parametrize(("value", "status"), [("0093-02-12T20:57:40.9755-20:40", 200),
                                               ("0001-01-01T00:00:00+14:00", 400)])
def test_modified_since_with_extreme_offsets_is_answered_not_crashed(world, api, value, status):
    response = api.get("/api/v1/institutions/", {"modified_since": value})
    assert response.status_code == status
    if status == 400:
        assert "modified_since" in response.json()


def test_nul_characters_are_refused_not_crashing(world):
    client = client_for(world.admin)
    response = client.post("/api/v1/teachers/", {"institution": "SCH\x00A", "full_name": "A", "degree": "master"},
                           format="json")
    assert response.status_code == 400
    assert "institution" in response.json()
    assert client.get("/api/v1/institutions/SCH%00A/").status_code == 404

