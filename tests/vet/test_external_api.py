# ruff: noqa: F811 - the fixtures imported from external_fixtures are used as arguments
"""External assessment, findings, action items and campaigns over the API: scoping, refusals as 400/403 with the
reason, the decision, differences, action items from findings, closing, campaign progress; lists without N+1."""

import datetime

import pytest

from tests import factories
from tests.conftest import client_for
from tests.vet.external_fixtures import framework, make_submitted, submitted  # noqa: F401
from vet import services_external as ext
from vet.models import ActionItem, Evidence, ExternalAssessment

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def start(user, sa):
    return client_for(user).post("/api/v1/external-assessments/", {"self_assessment": sa.pk}, format="json",
                                 **EN)


def test_start_rate_findings_decide(world, submitted):
    officer = client_for(world.officer_a)
    response = start(world.officer_a, submitted)
    assert response.status_code == 201, response.content
    ea_id = response.json()["id"]
    ratings = officer.get(f"/api/v1/external-ratings/?assessment={ea_id}").json()["results"]
    assert [r["standard"] for r in ratings] == ["1.1", "1.2", "2.1"] and all(r["met"] is None for r in ratings)
    decide = f"/api/v1/external-assessments/{ea_id}/decide/"
    refused = officer.post(decide, {"decision": "pass", "decision_date": "2026-03-01"}, format="json", **EN)
    assert refused.status_code == 400 and "not yet rated" in str(refused.json())
    for r in ratings:
        patched = officer.patch(f"/api/v1/external-ratings/{r['id']}/", {"met": r["standard"] != "2.1",
                                                                          "years_met": 3}, format="json")
        assert patched.status_code == 200, patched.content
    standard_id = submitted.ratings.get(standard__code="2.1").standard_id
    finding = officer.post("/api/v1/findings/", {"assessment": ea_id, "standard": standard_id,
                                                 "severity": "major", "text": "No board"}, format="json")
    assert finding.status_code == 201, finding.content
    assert finding.json()["criterion"] is not None
    diff = officer.get(f"/api/v1/external-assessments/{ea_id}/differences/").json()
    assert diff["external_score"]["total"] == "4.00"
    assert diff["self_score"]["total"] == "4.00"
    assert [(c["number"], c["difference"]) for c in diff["criteria"]] == [(1, "0.00"), (2, "0.00")]
    items = officer.post(f"/api/v1/external-assessments/{ea_id}/action-items/",
                         {"due_date": "2026-09-30", "owner": "Ban giám hiệu"}, format="json")
    assert items.status_code == 201 and items.json()[0]["priority"] == "high"
    decided = officer.post(decide, {"decision": "fail", "decision_date": "2026-03-01", "note": "2.1"},
                           format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    locked = officer.post("/api/v1/findings/", {"assessment": ea_id, "severity": "minor", "text": "x"},
                          format="json", **EN)
    assert locked.status_code == 400 and "decided" in str(locked.json())


def test_conflict_of_interest_and_other_province_are_403_with_reason(world, submitted):
    response = start(world.staff_a, submitted)
    assert response.status_code == 403 and "conflict of interest" in response.json()["detail"]
    response = start(world.officer_b, submitted)
    assert response.status_code == 403 and "officer of the province" in response.json()["detail"]
    assert start(None, submitted).status_code in (401, 403)
    assert not ExternalAssessment.objects.exists()


def test_scoping_of_lists(world, framework):
    fw, standards = framework
    ext.start_external_assessment(world.officer_a, make_submitted(world.school_a, fw, standards))
    ext.start_external_assessment(world.officer_b, make_submitted(world.school_b, fw, standards))
    url = "/api/v1/external-assessments/"
    assert client_for(world.officer_a).get(url).json()["count"] == 1
    assert client_for(world.staff_b).get(url).json()["results"][0]["institution"] == "SCH-B"
    assert client_for(world.admin).get(url).json()["count"] == 2
    assert client_for(None).get(url).json()["count"] == 0
    assert client_for(world.staff_a).get("/api/v1/external-ratings/").json()["count"] == 3


def test_action_items_filters_close_and_cancel(world):
    staff = client_for(world.staff_a)
    created = staff.post("/api/v1/action-items/", {"institution": "SCH-A", "title": "Lab", "owner": "Khoa",
                                                   "due_date": "2020-01-01", "priority": "high"}, format="json")
    assert created.status_code == 201, created.content
    item = created.json()["id"]
    assert client_for(world.staff_b).post("/api/v1/action-items/", {
        "institution": "SCH-A", "title": "x", "owner": "o", "due_date": "2030-01-01"}, format="json"
    ).status_code == 403
    ActionItem.objects.create(institution=world.school_b, title="B", owner="o", due_date=datetime.date(2020, 1, 1))
    admin = client_for(world.admin)
    assert admin.get("/api/v1/action-items/?overdue=true").json()["count"] == 2
    assert admin.get("/api/v1/action-items/?overdue=true&province=82").json()["count"] == 1
    assert admin.get("/api/v1/action-items/?institution=SCH-B").json()["count"] == 1
    assert staff.get("/api/v1/action-items/").json()["count"] == 1
    refused = staff.post(f"/api/v1/action-items/{item}/close/", {"closed_on": "2026-01-05",
                                                                 "closure_evidence": Evidence.objects.create(
                                                                     institution=world.school_b, code="B",
                                                                     title="B").pk}, format="json", **EN)
    assert refused.status_code == 400 and "closure_evidence" in refused.json()
    evidence = Evidence.objects.create(institution=world.school_a, code="A", title="A")
    closed = staff.post(f"/api/v1/action-items/{item}/close/", {"closed_on": "2026-01-05",
                                                                "closure_evidence": evidence.pk}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "done"
    other = staff.post("/api/v1/action-items/", {"institution": "SCH-A", "title": "y", "owner": "o",
                                                 "due_date": "2030-01-01"}, format="json").json()["id"]
    assert staff.patch(f"/api/v1/action-items/{other}/", {"status": "in_progress"},
                       format="json").json()["status"] == "in_progress"
    cancelled = staff.post(f"/api/v1/action-items/{other}/cancel/", {"reason": "duplicate"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_campaign_create_progress_close(world, framework):
    fw, standards = framework
    officer = client_for(world.officer_a)
    body = {"authority": world.authority_a.pk, "title": "Round 2025", "framework": fw.code, "year": 2025,
            "due_date": "2025-06-30", "institutions": ["SCH-A", "SCH-B"]}
    refused = officer.post("/api/v1/campaigns/", body, format="json", **EN)
    assert refused.status_code == 400 and "Not in the province" in refused.json()["institutions"][0]
    body["institutions"] = ["SCH-A", "SCH-A2"]
    created = officer.post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    progress = officer.get(f"/api/v1/campaigns/{pk}/progress/").json()
    assert [(r["institution"], r["status"]) for r in progress] == sorted(
        [("SCH-A", "planned"), ("SCH-A2", "planned")], key=lambda r: {"SCH-A": world.school_a.name_vi,
                                                                      "SCH-A2": world.school_a2.name_vi}[r[0]])
    assert client_for(world.staff_a).get(f"/api/v1/campaigns/{pk}/").status_code == 200
    assert client_for(world.staff_b).get(f"/api/v1/campaigns/{pk}/").status_code == 404
    assert client_for(world.officer_b).post(f"/api/v1/campaigns/{pk}/close/").status_code == 404
    assert officer.post(f"/api/v1/campaigns/{pk}/close/").json()["status"] == "closed"


def test_lists_have_a_fixed_number_of_queries(world, framework, django_assert_max_num_queries):
    fw, standards = framework
    for i in range(5):
        school = factories.InstitutionFactory(province=world.province_a)
        sa = make_submitted(school, fw, standards, year=2020 + i)
        ea = ext.start_external_assessment(world.admin, sa)
        ext.add_finding(world.admin, ea, severity="minor", text=f"f{i}")
        ext.action_items_from_findings(world.admin, ea, datetime.date(2026, 1, 1), "o")
        ext.open_campaign(world.admin, authority=world.authority_a, title=f"c{i}", framework=fw, year=2020 + i,
                          due_date=datetime.date(2026, 1, 1), institutions=[school])
    admin = client_for(world.admin)
    for url in ("external-assessments", "external-ratings", "findings", "action-items", "campaigns"):
        with django_assert_max_num_queries(8):
            assert admin.get(f"/api/v1/{url}/").status_code == 200
