"""Self-assessment API: scoped lists, create through the service, workflow actions answering 400 with the reason,
ratings PATCH with evidence codes, council CRUD, checks and score, bounded queries."""

import datetime
from decimal import Decimal

import pytest

from tests import factories
from tests.conftest import client_for
from vet import choices
from vet import services_assessment as sas
from vet.models import CouncilMember, Evidence, SelfAssessment, SelfAssessmentRule

pytestmark = pytest.mark.django_db

SA, RATINGS, COUNCIL = "/api/v1/self-assessments/", "/api/v1/self-assessment-ratings/", "/api/v1/council-members/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def framework(db):
    document = factories.LegalDocumentFactory(number="28/2017/TT-BLĐTBXH", kind=choices.LegalDocumentKind.CIRCULAR)
    SelfAssessmentRule.objects.create(document=document, valid_from=datetime.date(2018, 2, 1))
    fw = factories.AccreditationFrameworkFactory(code="FW-T", points_per_standard=Decimal(2))
    for number in (1, 2):
        criterion = factories.CriterionFactory(framework=fw, number=number, benchmark_points=Decimal(4))
        for s in (1, 2):
            factories.StandardFactory(criterion=criterion, code=f"{number}.{s}")
    return fw


@pytest.fixture
def sa(world, framework):
    return sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=framework, year=2026)


def test_create_list_and_scope(world, framework):
    staff = client_for(world.staff_a)
    response = staff.post(SA, {"institution": "SCH-A", "framework": "FW-T", "year": 2026}, format="json", **EN)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert SelfAssessment.objects.get(pk=pk).ratings.count() == 4
    again = staff.post(SA, {"institution": "SCH-A", "framework": "FW-T", "year": 2026}, format="json", **EN)
    assert again.status_code == 400 and "already has a self-assessment" in str(again.json())
    refused = client_for(world.staff_b).post(SA, {"institution": "SCH-A", "framework": "FW-T", "year": 2027},
                                             format="json", **EN)
    assert refused.status_code == 403
    assert [r["id"] for r in client_for(world.officer_a).get(SA).json()["results"]] == [pk]
    assert client_for(world.officer_b).get(SA).json()["results"] == []
    assert client_for(world.staff_b).get(f"{SA}{pk}/").status_code == 404
    assert client_for(None).get(SA).status_code in (401, 403) or client_for(None).get(SA).json()["results"] == []
    assert staff.get(SA, {"year": 2026, "status": "planned", "framework": "FW-T",
                          "institution": "SCH-A"}).json()["count"] == 1
    assert staff.get(SA, {"year": 2025}).json()["count"] == 0


def test_update_changes_only_the_summary(sa, world):
    staff = client_for(world.staff_a)
    response = staff.patch(f"{SA}{sa.pk}/", {"summary": "Our year", "year": 2030}, format="json")
    assert response.status_code == 200, response.content
    sa.refresh_from_db()
    assert sa.summary == "Our year" and sa.year == 2026


def test_workflow_actions_answer_400_with_the_reasons(sa, world):
    staff = client_for(world.staff_a)
    assert staff.post(f"{SA}{sa.pk}/start/", **EN).json()["status"] == "in_progress"
    refused = staff.post(f"{SA}{sa.pk}/submit/", **EN)
    assert refused.status_code == 400
    text = " ".join(refused.json()["non_field_errors"])
    assert "cannot be submitted yet" in text and "Standard 1.1 is not rated" in text and "no chair" in text
    checks = staff.get(f"{SA}{sa.pk}/checks/", **EN).json()
    assert {"code": "not_rated", "message": "Standard 1.1 is not rated.", "standard": "1.1",
            "blocking": True} in checks
    assert client_for(world.officer_a).post(f"{SA}{sa.pk}/start/").status_code == 403

    ev = Evidence.objects.create(institution=world.school_a, code="E1", title="Minutes")
    for rating in sa.ratings.all():
        r = staff.patch(f"{RATINGS}{rating.pk}/", {"met": True, "years_met": 2, "evidence": ["E1"]}, format="json")
        assert r.status_code == 200, r.content
        assert r.json()["evidence"] == ["E1"]
    for name, role, kind in (("Head", "chair", "head"), ("E1", "member", "enterprise"),
                             ("E2", "member", "enterprise")):
        r = staff.post(COUNCIL, {"self_assessment": sa.pk, "full_name": name, "council_role": role,
                                 "member_type": kind}, format="json")
        assert r.status_code == 201, r.content
    response = staff.post(f"{SA}{sa.pk}/submit/", **EN)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["submitted_by"] == "staff_a"
    assert ev.pk

    locked = staff.patch(f"{RATINGS}{sa.ratings.first().pk}/", {"met": False}, format="json", **EN)
    assert locked.status_code == 400 and "locked" in str(locked.json())
    member = CouncilMember.objects.filter(self_assessment=sa).first()
    assert staff.delete(f"{COUNCIL}{member.pk}/", **EN).status_code == 400
    assert staff.delete(f"{SA}{sa.pk}/", **EN).status_code == 400


def test_score(sa, world):
    staff = client_for(world.staff_a)
    rating = sa.ratings.get(standard__code="1.1")
    staff.patch(f"{RATINGS}{rating.pk}/", {"met": True}, format="json")
    data = staff.get(f"{SA}{sa.pk}/score/", **EN).json()
    assert Decimal(data["total"]) == 2
    first = data["criteria"][0]
    assert first["number"] == 1 and Decimal(first["points"]) == 2 and Decimal(first["share"]) == 50
    assert data["outcome"] == "undetermined" and data["has_pass_rule"] is False


def test_rating_refusals(sa, world):
    staff = client_for(world.staff_a)
    rating = sa.ratings.first()
    Evidence.objects.create(institution=world.school_b, code="B1", title="Other school")
    r = staff.patch(f"{RATINGS}{rating.pk}/", {"evidence": ["B1"]}, format="json", **EN)
    assert r.status_code == 400 and "no evidence with code(s) B1" in str(r.json())
    r = staff.patch(f"{RATINGS}{rating.pk}/", {"points": "1.00"}, format="json", **EN)
    assert r.status_code == 400 and "do not enter points" in str(r.json()["points"])
    assert client_for(world.staff_b).patch(f"{RATINGS}{rating.pk}/", {"met": True}, format="json").status_code == 404
    assert client_for(world.officer_a).patch(f"{RATINGS}{rating.pk}/", {"met": True},
                                             format="json").status_code == 403
    assert client_for(world.officer_a).get(RATINGS, {"self_assessment": sa.pk}).json()["count"] == 4
    assert staff.post(RATINGS, {}, format="json").status_code == 405
    assert staff.delete(f"{RATINGS}{rating.pk}/").status_code == 405


def test_council_crud_and_one_chair(sa, world):
    staff = client_for(world.staff_a)
    r = staff.post(COUNCIL, {"self_assessment": sa.pk, "full_name": "A", "council_role": "chair",
                             "member_type": "head"}, format="json", **EN)
    assert r.status_code == 201
    second = staff.post(COUNCIL, {"self_assessment": sa.pk, "full_name": "B", "council_role": "chair",
                                  "member_type": "staff"}, format="json", **EN)
    assert second.status_code == 400 and "already has a chair" in str(second.json())
    pk = r.json()["id"]
    assert staff.patch(f"{COUNCIL}{pk}/", {"position": "Rector"}, format="json").json()["position"] == "Rector"
    other = sas.create_self_assessment(world.staff_b, institution=world.school_b, framework=sa.framework, year=2026)
    hidden = staff.post(COUNCIL, {"self_assessment": other.pk, "full_name": "X", "council_role": "member",
                                  "member_type": "staff"}, format="json")
    assert hidden.status_code == 400  # not a self-assessment this user can see
    assert staff.delete(f"{COUNCIL}{pk}/").status_code == 204


def test_lists_have_bounded_queries(world, framework, django_assert_max_num_queries):
    for school in (world.school_a, world.school_a2):
        for year in (2024, 2025, 2026):
            sa = sas.create_self_assessment(world.admin, institution=school, framework=framework, year=year)
            sas.add_council_member(world.admin, sa, full_name="Head", council_role="chair", member_type="head")
            for r in sa.ratings.all():
                r.evidence.add(Evidence.objects.get_or_create(institution=school, code="E1",
                                                              defaults={"title": "t"})[0])
    officer = client_for(world.officer_a)
    with django_assert_max_num_queries(10):
        assert officer.get(SA).json()["count"] == 6
    with django_assert_max_num_queries(10):
        assert officer.get(RATINGS, {"page_size": 100}).json()["count"] == 24
    with django_assert_max_num_queries(10):
        assert officer.get(COUNCIL).json()["count"] == 6
