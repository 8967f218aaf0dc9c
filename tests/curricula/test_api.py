import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curricula.choices import RuleStatus
from curricula.choices import VersionStatus as S
from curricula.loaders import load_curriculum_rules
from tests import factories
from tests.conftest import client_for
from vet.choices import Level

from .test_services import draft


@pytest.fixture(autouse=True)
def _english(english):
    pass


@pytest.fixture
def curriculum(world):
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    return factories.CurriculumFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)


@pytest.fixture
def versions(curriculum):
    approved = factories.CurriculumVersionFactory(curriculum=curriculum, status=S.APPROVED,
                                                  approved_on=datetime.date(2025, 6, 2))
    factories.CurriculumComponentFactory(version=approved, code="MĐ01", name_vi="Điện cơ bản")
    factories.CurriculumComponentFactory(version=approved, code="MĐ02", credits=3)
    draft_version = factories.CurriculumVersionFactory(curriculum=curriculum)
    factories.CurriculumComponentFactory(version=draft_version, code="MĐ01", name_vi="Điện cơ bản",
                                         theory_hours=20)
    factories.CurriculumComponentFactory(version=draft_version, code="MĐ03")
    return approved, draft_version


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_public_sees_only_approved_versions(world, versions):
    approved, draft_version = versions
    client = client_for(None)
    assert ids(client.get("/api/v1/curriculum-versions/")) == {approved.pk}
    assert client.get(f"/api/v1/curriculum-versions/{draft_version.pk}/").status_code == 404
    body = client.get(f"/api/v1/curriculum-versions/{approved.pk}/").json()
    assert body["institution"] == "SCH-A" and body["occupation"] == "6520227" and body["status"] == "approved"
    assert [c["code"] for c in body["components"]] == ["MĐ01", "MĐ02"]
    curricula = client.get("/api/v1/curricula/").json()["results"]
    assert [[v["id"] for v in c["versions"]] for c in curricula] == [[approved.pk]]


def test_school_staff_sees_its_drafts(world, versions):
    approved, draft_version = versions
    client = client_for(world.staff_a)
    assert ids(client.get("/api/v1/curriculum-versions/")) == {approved.pk, draft_version.pk}
    assert ids(client.get("/api/v1/curriculum-versions/", {"status": "draft"})) == {draft_version.pk}
    assert client.get(f"/api/v1/curriculum-versions/{draft_version.pk}/").status_code == 200


def test_staff_of_another_school_does_not_see_drafts(world, versions):
    approved, draft_version = versions
    client = client_for(world.staff_b)
    assert client.get(f"/api/v1/curriculum-versions/{draft_version.pk}/").status_code == 404
    assert ids(client.get("/api/v1/curriculum-versions/")) == {approved.pk}


def test_curriculum_version_filters(world, versions):
    approved, _ = versions
    client = client_for(None)
    assert ids(client.get("/api/v1/curriculum-versions/", {"institution": "SCH-A"})) == {approved.pk}
    assert ids(client.get("/api/v1/curriculum-versions/", {"institution": "SCH-B"})) == set()
    assert ids(client.get("/api/v1/curriculum-versions/", {"occupation": "6520227", "level": Level.COLLEGE})) == {
        approved.pk}
    assert ids(client.get("/api/v1/curriculum-versions/", {"q": "dien cong nghiep"})) == {approved.pk}
    assert ids(client.get("/api/v1/curricula/", {"occupation": "6520227"})) == {approved.curriculum_id}


def test_validation_endpoint_returns_report(world, curriculum):
    load_curriculum_rules()
    version = draft(curriculum, user=world.staff_a, skip=("MH01",))
    response = client_for(world.staff_a).get(f"/api/v1/curriculum-versions/{version.pk}/validation/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == version.pk and body["rule_set"] == "01/2024/TT-BLĐTBXH"
    assert body["passed"] is False and body["failures"] >= 1
    statuses = {(r["code"], r["general_subject_type"]): r["status"] for r in body["results"]}
    assert statuses[("general_subject_hours", "political_education")] == RuleStatus.FAIL
    assert statuses[("min_credits", "")] in (RuleStatus.PASS, RuleStatus.FAIL)
    first = body["results"][0]
    assert {"measured", "required", "unit", "confirmed", "source", "message", "components"} <= set(first)
    same = client_for(world.staff_a).get(f"/api/v1/curricula/{curriculum.pk}/validation/")
    assert same.status_code == 200 and same.json()["version"] == version.pk


def test_validation_without_rule_set_is_400(world, versions):
    approved, _ = versions
    response = client_for(None).get(f"/api/v1/curriculum-versions/{approved.pk}/validation/")
    assert response.status_code == 400
    assert "No curriculum rule set is in force" in response.json()["non_field_errors"][0]


def test_validation_of_hidden_version_is_404(world, versions):
    _, draft_version = versions
    assert client_for(world.staff_b).get(f"/api/v1/curriculum-versions/{draft_version.pk}/validation/").status_code \
        == 404


def test_diff_endpoint(world, versions):
    approved, draft_version = versions
    response = client_for(world.staff_a).get(f"/api/v1/curriculum-versions/{draft_version.pk}/diff/",
                                             {"against": approved.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["code"] for c in body["added"]] == ["MĐ03"]
    assert [c["code"] for c in body["removed"]] == ["MĐ02"]
    assert body["changed"] == [{"code": "MĐ01", "changes": [{"field": "theory_hours", "old": "15", "new": "20"}]}]


def test_diff_refuses_hidden_or_foreign_versions(world, versions):
    approved, draft_version = versions
    other = factories.CurriculumVersionFactory(status=S.APPROVED, approved_on=datetime.date(2025, 6, 2))
    public = client_for(None)
    hidden = public.get(f"/api/v1/curriculum-versions/{approved.pk}/diff/", {"against": draft_version.pk})
    assert hidden.status_code == 400 and "against" in hidden.json()
    foreign = public.get(f"/api/v1/curriculum-versions/{approved.pk}/diff/", {"against": other.pk})
    assert foreign.status_code == 400 and foreign.json()["against"] == ["Choose a version of the same curriculum."]
    missing = public.get(f"/api/v1/curriculum-versions/{approved.pk}/diff/")
    assert missing.status_code == 400 and "against" in missing.json()


@pytest.mark.parametrize("endpoint", ["curricula", "curriculum-versions"])
def test_list_query_count_does_not_grow_with_page_size(world, endpoint):
    for n in range(12):
        occupation = factories.OccupationFactory(code=f"6{n:02d}0000")
        curriculum = factories.CurriculumFactory(institution=world.school_a, occupation=occupation)
        version = factories.CurriculumVersionFactory(curriculum=curriculum)
        factories.CurriculumComponentFactory(version=version)
        factories.CurriculumComponentFactory(version=version)
    client = client_for(world.staff_a)

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/{endpoint}/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        return len(ctx.captured_queries)

    count(2)
    small, large = count(2), count(10)
    assert small == large, f"{endpoint}: {small} queries for 2 rows, {large} for 10"
    assert large <= 8


@pytest.mark.parametrize("url", [
    "/api/v1/component-mappings/?component=1.1107185787232744e%2B25&version=-6.8e%2B16",
    "/api/v1/curriculum-versions/?curriculum=1e30",
    "/api/v1/curriculum-versions/validation-summary/?curriculum=1e40",
    "/api/v1/curriculum-components/?version=99999999999999999999999",
    "/api/v1/standards/units/?level=9",
])
def test_id_and_level_filters_out_of_range_are_400_not_crashes(world, url):
    response = client_for(world.admin).get(url)
    assert response.status_code == 400, response.content


def test_read_endpoints_of_standards_and_components_are_in_the_schema(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"/api/v1/standards/frameworks/", "/api/v1/standards/frameworks/{code}/", "/api/v1/standards/units/",
            "/api/v1/curriculum-components/", "/api/v1/component-mappings/",
            "/api/v1/curriculum-versions/validation-summary/", "/api/v1/curriculum-versions/{id}/approve/",
            "/api/v1/curriculum-versions/{id}/coverage/", "/api/v1/curriculum-versions/{id}/comments/"} <= set(paths)
    assert set(paths["/api/v1/curriculum-components/{id}/"]) == {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/standards/units/{id}/"]) == {"get"}
