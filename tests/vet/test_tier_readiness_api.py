"""The readiness API: profiles with their indicators, and one readiness row per designation with filters."""

import datetime

import pytest

from tests import factories
from tests.conftest import client_for
from vet import choices
from vet.loaders import load_readiness_profiles
from vet.models import EquipmentChecklist, EquipmentItem, OccupationOutcome

pytestmark = pytest.mark.django_db
M = choices.IndicatorMetric


@pytest.fixture
def profiles(db):
    load_readiness_profiles()


def test_profiles_are_public_with_nested_indicators_and_the_unconfirmed_label(profiles, api):
    response = api.get("/api/v1/readiness-profiles/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = {r["tier"]: r for r in response.json()["results"]}
    assert set(rows) == {"national", "asean", "international"}
    indicators = rows["national"]["indicators"]
    employment = next(i for i in indicators if i["metric"] == M.EMPLOYMENT_6M)
    assert employment["confirmed"] and employment["confirmed_label"] == ""
    assert employment["source_document"] == "761/QĐ-TTg"
    coverage = next(i for i in indicators if i["metric"] == M.CURRICULUM_COVERAGE)
    assert not coverage["confirmed"] and coverage["confirmed_label"] == "unconfirmed"
    one = api.get("/api/v1/readiness-profiles/ASEAN-2021/", HTTP_ACCEPT_LANGUAGE="en")
    assert one.status_code == 200 and one.json()["tier"] == "asean"
    assert api.get("/api/v1/readiness-profiles/?on=2019-01-01").json()["count"] == 0
    assert api.get("/api/v1/readiness-profiles/?on=nonsense").status_code == 400


def _designation(world, school, code, tier=choices.Tier.NATIONAL, enrolment=100):
    d = factories.KeyOccupationDesignationFactory(institution=school, occupation=factories.OccupationFactory(code=code),
                                                  tier=tier)
    OccupationOutcome.objects.create(institution=school, occupation=d.occupation, level=d.level, year=2025,
                                     enrolment=enrolment, graduates=10, employed_6m=9)
    checklist = EquipmentChecklist.objects.create(institution=school, occupation=d.occupation, level=d.level)
    EquipmentItem.objects.create(checklist=checklist, name="Máy", required_quantity=1, held_quantity=1)
    return d


def test_readiness_rows_with_indicators_and_filters(world, profiles):
    a = _designation(world, world.school_a, "6520227")
    b = _designation(world, world.school_b, "5520227", tier=choices.Tier.ASEAN, enrolment=10)
    client = client_for(world.officer_a)
    response = client.get("/api/v1/readiness/?on=2026-06-01", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = {r["designation"]: r for r in response.json()["results"]}
    assert set(rows) == {a.pk, b.pk}  # designations are public
    row = rows[a.pk]
    assert (row["institution"], row["occupation"], row["level"], row["tier"]) == ("SCH-A", "6520227", "college",
                                                                                  "national")
    assert row["profile"] == "NAT-2021" and row["status"] == "not_yet"
    employment = next(i for i in row["indicators"] if i["metric"] == M.EMPLOYMENT_6M)
    assert employment["value"] == "90.00" and employment["met"] and employment["confirmed"]
    coverage = next(i for i in row["indicators"] if i["metric"] == M.CURRICULUM_COVERAGE)
    assert coverage["value"] is None and coverage["gap"] == "100.00" and coverage["confirmed_label"] == "unconfirmed"
    assert M.CURRICULUM_COVERAGE in row["missing"] and M.EMPLOYMENT_6M not in row["missing"]
    assert row["projected_date"] is None

    def pks(query):
        response = client.get(f"/api/v1/readiness/?{query}")
        assert response.status_code == 200, response.content
        return {r["designation"] for r in response.json()["results"]}

    assert pks("province=82") == {a.pk}
    assert pks("institution=SCH-B") == {b.pk}
    assert pks("tier=asean") == {b.pk}
    assert pks("occupation=6520227") == {a.pk}
    assert pks("status=not_yet") == {a.pk, b.pk}
    assert pks("status=ready") == set()
    assert pks("on=2019-01-01") == {a.pk, b.pk}  # no profile in force then: status null
    assert client.get("/api/v1/readiness/?on=2019-01-01").json()["results"][0]["status"] is None
    assert client.get("/api/v1/readiness/?status=bogus").status_code == 400
    assert client.get("/api/v1/readiness/?on=bogus").status_code == 400


def test_readiness_is_readable_anonymously(world, profiles, api):
    _designation(world, world.school_a, "6520227")
    assert api.get("/api/v1/readiness/").status_code == 200


def test_readiness_list_query_count_is_bounded(world, profiles, django_assert_max_num_queries):
    for i in range(15):
        _designation(world, world.school_a if i % 2 else world.school_b, f"652{i:04d}")
    client = client_for(world.admin)
    with django_assert_max_num_queries(25):
        response = client.get("/api/v1/readiness/?page_size=50")
    assert response.json()["count"] == 15
    with django_assert_max_num_queries(25):
        assert client.get("/api/v1/readiness-profiles/").status_code == 200


def test_projected_date_from_open_action_items(world, profiles):
    from vet.models import ActionItem

    d = _designation(world, world.school_a, "6520227")
    ActionItem.objects.create(institution=world.school_a, designation=d, title="Mua máy", owner="Khoa",
                              due_date=datetime.date(2027, 3, 1))
    row = client_for(world.staff_a).get("/api/v1/readiness/?on=2026-06-01").json()["results"][0]
    assert row["projected_date"] == "2027-03-01"
