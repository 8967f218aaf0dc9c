"""Accreditation frameworks API: public, read-only, criteria nested with their standards, filter by target,
a fixed number of queries however many frameworks, criteria and standards there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from vet.loaders import load_accreditation_frameworks
from vet.models import AccreditationFramework, Criterion, Standard

pytestmark = pytest.mark.django_db

URL = "/api/v1/accreditation-frameworks/"
TT15, TT14 = "TT15-2017-SCHOOL", "TT14-2024-SCHOOL"


@pytest.fixture
def loaded(db):
    load_accreditation_frameworks()


def test_public_list_has_both_frameworks_with_nested_criteria(loaded, api):
    response = api.get(URL)
    assert response.status_code == 200, response.content[:300]
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {TT15, TT14}
    assert len(rows[TT15]["criteria"]) == 9
    assert len(rows[TT14]["criteria"]) == 8
    tt15 = rows[TT15]
    assert tt15["document"] == "15/2017/TT-BLĐTBXH"
    assert tt15["has_pass_rule"] is True and tt15["thresholds_confirmed"] is True
    assert [c["number"] for c in tt15["criteria"]] == list(range(1, 10))
    tt14 = rows[TT14]
    assert tt14["has_pass_rule"] is False and tt14["thresholds_confirmed"] is False
    for criterion in tt14["criteria"]:
        assert criterion["standard_count"] == len(criterion["standards"])
        assert 2 <= criterion["standard_count"] <= 3
        assert all(s["is_sample"] for s in criterion["standards"])


def test_detail_by_code_matches_the_database(loaded, api):
    response = api.get(f"{URL}{TT14}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"code", "name_vi", "name_en", "target", "document", "points_per_standard",
                         "compliance_years_intermediate", "compliance_years_college", "min_total_points",
                         "min_criterion_share", "min_core_criterion_share", "thresholds_note", "criteria"}
    assert body["code"] == TT14
    seventh = next(c for c in body["criteria"] if c["number"] == 7)
    assert seventh["name_en"] == "Learners and learner support"
    assert set(seventh["standards"][0]) == {"code", "text_vi", "text_en", "typical_evidence", "is_sample"}
    total = sum(c["standard_count"] for c in body["criteria"])
    assert total == Standard.objects.filter(criterion__framework__code=TT14).count()
    assert api.get(f"{URL}NOPE/").status_code == 404


def test_filter_by_target(loaded, api):
    target = AccreditationFramework.objects.get(code=TT15).target
    codes = [r["code"] for r in api.get(URL, {"target": target}).json()["results"]]
    assert set(codes) == set(AccreditationFramework.objects.filter(target=target).values_list("code", flat=True))
    assert TT15 in codes
    assert api.get(URL, {"target": "program"}).json()["results"] == []
    assert api.get(URL, {"target": "nonsense"}).status_code == 400


@pytest.mark.parametrize("role", ["admin", "officer", "staff"])
def test_read_only_for_everyone(loaded, world, role):
    client = client_for(world.user(role))
    assert client.get(URL).status_code == 200
    before = (AccreditationFramework.objects.count(), Criterion.objects.count(), Standard.objects.count())
    assert client.post(URL, {"code": "X-1"}, format="json").status_code in (403, 405)
    assert client.patch(f"{URL}{TT14}/", {"name_en": "x"}, format="json").status_code in (403, 405)
    assert client.delete(f"{URL}{TT14}/").status_code in (403, 405)
    assert (AccreditationFramework.objects.count(), Criterion.objects.count(), Standard.objects.count()) == before
    assert AccreditationFramework.objects.get(code=TT14).name_en != "x"


def test_listing_costs_a_fixed_number_of_queries(loaded, api):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    count()  # warm-up
    with_two, rows = count()
    assert rows == 2
    # One more criterion with standards must not cost more queries.
    framework = AccreditationFramework.objects.get(code=TT14)
    extra = Criterion.objects.create(framework=framework, number=99, name_vi="Thêm")
    Standard.objects.create(criterion=extra, code="99.1", text_vi="(mẫu) x", is_sample=True)
    with_more, _ = count()
    assert with_two == with_more
    assert with_two <= 6
