"""The certificates REST API: learners, cohorts, results, diplomas and batches, for every role; scoping, refusals
with their codes, idempotent issuing, the register, downloads, bounded queries and the OpenAPI schema."""

import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from certificates import choices, services
from certificates.models import Cohort, Diploma, Enrolment, IssueBatch, Learner, RegisterEntry
from tests import factories
from tests.certificates.conftest import graduate
from tests.conftest import client_for

ISSUED_ON = datetime.date(2026, 7, 15)
IDENTITY = {
    "citizen_id": "082204001234",
    "full_name": "Lê Văn Hùng",
    "date_of_birth": "2003-01-02",
    "sex": "male",
    "place_of_birth": "Tiền Giang",
}


@pytest.fixture(autouse=True)
def _english(english):
    pass


@pytest.fixture
def cohort_b(world):
    """A cohort of school B (province B) with an approved version and a template."""
    version = factories.CurriculumVersionFactory(
        curriculum__institution=world.school_b, status="approved", approved_on=datetime.date(2025, 6, 1)
    )
    factories.DiplomaTemplateFactory(institution=world.school_b)
    return factories.CohortFactory(curriculum_version=version)


@pytest.fixture
def issued(cohort, world):
    """A diploma of school A, issued through the service."""
    return services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort), issued_on=ISSUED_ON)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def codes(response) -> list[str]:
    return [r["code"] for r in response.json()["reasons"]]


# --------------------------------------------------------------------------------------------- learners


def test_learners_list_is_scoped_to_where_the_learner_is_enrolled(cohort, cohort_b, world):
    at_a, at_b = graduate(cohort).learner, graduate(cohort_b).learner
    factories.LearnerFactory()  # enrolled nowhere: only administrators see it
    assert ids(client_for(world.staff_a).get("/api/v1/learners/")) == {at_a.pk}
    assert ids(client_for(world.officer_a).get("/api/v1/learners/")) == {at_a.pk}
    assert ids(client_for(world.staff_b).get("/api/v1/learners/")) == {at_b.pk}
    assert ids(client_for(world.officer_b).get("/api/v1/learners/")) == {at_b.pk}
    assert len(ids(client_for(world.admin).get("/api/v1/learners/"))) == 3
    row = client_for(world.staff_a).get("/api/v1/learners/").json()["results"][0]
    assert row["citizen_id"] == at_a.citizen_id
    assert [e["cohort"] for e in row["enrolments"]] == [cohort.pk]


def test_learners_are_never_public(cohort, api):
    learner = graduate(cohort).learner
    assert api.get("/api/v1/learners/").status_code == 401
    assert api.get(f"/api/v1/learners/{learner.pk}/").status_code == 401
    assert api.post("/api/v1/learners/", {**IDENTITY, "cohort": cohort.pk}, format="json").status_code == 401


def test_learner_of_another_school_is_not_found(cohort, cohort_b, world):
    learner = graduate(cohort).learner
    assert client_for(world.staff_b).get(f"/api/v1/learners/{learner.pk}/").status_code == 404
    assert client_for(world.officer_b).get(f"/api/v1/learners/{learner.pk}/").status_code == 404
    response = client_for(world.staff_b).patch(f"/api/v1/learners/{learner.pk}/", {"ethnicity": "Tày"}, format="json")
    assert response.status_code == 404
    assert client_for(world.officer_a).get(f"/api/v1/learners/{learner.pk}/").status_code == 200


def test_learner_registration_enrols_and_never_duplicates_a_citizen_id(cohort, cohort_b, world):
    first = client_for(world.staff_a).post(
        "/api/v1/learners/", {**IDENTITY, "cohort": cohort.pk, "student_number": "SV01"}, format="json"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["citizen_id"] == IDENTITY["citizen_id"] and body["ethnicity"] == "Kinh"
    assert [(e["cohort"], e["student_number"]) for e in body["enrolments"]] == [(cohort.pk, "SV01")]
    again = client_for(world.staff_b).post("/api/v1/learners/", {**IDENTITY, "cohort": cohort_b.pk}, format="json")
    assert again.status_code == 201
    assert again.json()["id"] == body["id"] and Learner.objects.count() == 1
    # School B sees its own enrolment of the shared learner, not school A's.
    assert [e["cohort"] for e in again.json()["enrolments"]] == [cohort_b.pk]
    assert Enrolment.objects.filter(learner_id=body["id"]).count() == 2


def test_learner_registration_refuses_another_name_for_the_same_citizen_id(cohort, cohort_b, world):
    client_for(world.staff_a).post("/api/v1/learners/", {**IDENTITY, "cohort": cohort.pk}, format="json")
    response = client_for(world.staff_b).post(
        "/api/v1/learners/", {**IDENTITY, "full_name": "Lê Văn Khác", "cohort": cohort_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert "citizen_id" in response.json()
    assert not Enrolment.objects.filter(cohort=cohort_b).exists()


@pytest.mark.parametrize(
    ("field", "value"), [("citizen_id", "08220400123"), ("sex", "other"), ("date_of_birth", "02/01/2003")]
)
def test_learner_registration_names_the_bad_field(cohort, world, field, value):
    response = client_for(world.staff_a).post(
        "/api/v1/learners/", {**IDENTITY, field: value, "cohort": cohort.pk}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Learner.objects.exists()


def test_learner_registration_only_by_staff_into_their_own_cohorts(cohort, world):
    assert (
        client_for(world.officer_a).post("/api/v1/learners/", {**IDENTITY, "cohort": cohort.pk}, format="json")
    ).status_code == 403
    other = client_for(world.staff_b).post("/api/v1/learners/", {**IDENTITY, "cohort": cohort.pk}, format="json")
    assert other.status_code == 400 and "cohort" in other.json()
    assert not Learner.objects.exists()


def test_learner_correction_by_the_school_and_shared_records_by_an_administrator(cohort, cohort_b, world):
    learner = graduate(cohort).learner
    url = f"/api/v1/learners/{learner.pk}/"
    response = client_for(world.staff_a).patch(url, {"place_of_birth": "Đồng Tháp"}, format="json")
    assert response.status_code == 200 and response.json()["place_of_birth"] == "Đồng Tháp"
    assert client_for(world.officer_a).patch(url, {"place_of_birth": "X"}, format="json").status_code == 403
    factories.EnrolmentFactory(cohort=cohort_b, learner=learner)
    shared = client_for(world.staff_a).patch(url, {"place_of_birth": "Hải Phòng"}, format="json")
    assert shared.status_code == 403
    assert client_for(world.admin).patch(url, {"place_of_birth": "Hải Phòng"}, format="json").status_code == 200
    learner.refresh_from_db()
    assert learner.place_of_birth == "Hải Phòng"


def test_learner_correction_keeps_citizen_ids_unique(cohort, world):
    learner, other = graduate(cohort).learner, graduate(cohort).learner
    response = client_for(world.staff_a).patch(
        f"/api/v1/learners/{learner.pk}/", {"citizen_id": other.citizen_id}, format="json"
    )
    assert response.status_code == 400 and "citizen_id" in response.json()


# --------------------------------------------------------------------------------------------- cohorts


def cohort_body(version, **extra):
    return {"curriculum_version": version.pk, "code": "ĐCN-2025-A", "intake_year": 2025, **extra}


def test_cohort_create_on_an_approved_version_of_the_school(cohort, world):
    version = cohort.curriculum_version
    response = client_for(world.staff_a).post("/api/v1/cohorts/", cohort_body(version), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["institution"], body["level"], body["enrolment_count"]) == ("SCH-A", "college", 0)
    assert body["grading_scale"] == "credit_4"


def test_cohort_create_refuses_a_draft_or_another_schools_version(cohort, cohort_b, world):
    draft = factories.CurriculumVersionFactory(curriculum=cohort.curriculum_version.curriculum)
    client = client_for(world.staff_a)
    response = client.post("/api/v1/cohorts/", cohort_body(draft), format="json")
    assert response.status_code == 400 and "curriculum_version" in response.json()
    # School B's approved version is public, but school A cannot open a cohort on it.
    response = client.post("/api/v1/cohorts/", cohort_body(cohort_b.curriculum_version), format="json")
    assert response.status_code == 400 and "curriculum_version" in response.json()
    assert Cohort.objects.count() == 2


def test_cohort_title_only_for_college_programs(world):
    version = factories.CurriculumVersionFactory(
        curriculum__institution=world.school_a,
        curriculum__occupation=factories.OccupationFactory(code="5520227"),
        status="approved",
        approved_on=datetime.date(2025, 6, 1),
    )
    response = client_for(world.staff_a).post(
        "/api/v1/cohorts/", cohort_body(version, college_title="practical_engineer"), format="json"
    )
    assert response.status_code == 400 and "college_title" in response.json()
    response = client_for(world.staff_a).post("/api/v1/cohorts/", cohort_body(version), format="json")
    assert response.status_code == 201 and response.json()["level"] == "intermediate"


def test_cohorts_scoped_and_written_only_by_the_schools_staff(cohort, cohort_b, world, api):
    assert ids(client_for(world.staff_a).get("/api/v1/cohorts/")) == {cohort.pk}
    assert ids(client_for(world.officer_a).get("/api/v1/cohorts/")) == {cohort.pk}
    assert ids(client_for(world.officer_b).get("/api/v1/cohorts/")) == {cohort_b.pk}
    assert api.get("/api/v1/cohorts/").status_code == 401
    url = f"/api/v1/cohorts/{cohort.pk}/"
    assert client_for(world.staff_b).get(url).status_code == 404
    assert client_for(world.staff_b).patch(url, {"name": "X"}, format="json").status_code == 404
    assert client_for(world.officer_a).patch(url, {"name": "X"}, format="json").status_code == 403
    body = cohort_body(cohort.curriculum_version)
    assert client_for(world.officer_a).post("/api/v1/cohorts/", body, format="json").status_code == 403
    response = client_for(world.staff_a).patch(url, {"name": "Lớp Điện K23"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Lớp Điện K23"


def test_cohort_printed_fields_are_fixed_once_a_diploma_is_issued(cohort, issued, world):
    url = f"/api/v1/cohorts/{cohort.pk}/"
    for change in ({"college_title": "practical_bachelor"}, {"grading_scale": "year_10"}):
        response = client_for(world.staff_a).patch(url, change, format="json")
        assert response.status_code == 400 and "non_field_errors" in response.json()
    assert client_for(world.staff_a).patch(url, {"name": "Lớp K23"}, format="json").status_code == 200
    cohort.refresh_from_db()
    assert (cohort.college_title, cohort.grading_scale, cohort.name) == ("practical_engineer", "credit_4", "Lớp K23")


def test_cohort_grading_scale_fixed_once_results_are_recorded(cohort, world):
    url = f"/api/v1/cohorts/{cohort.pk}/"
    enrolment = factories.EnrolmentFactory(
        cohort=cohort, final_score=None, graduated=False, classification="", graduation_date=None
    )
    assert client_for(world.staff_a).patch(url, {"grading_scale": "year_10"}, format="json").status_code == 200
    Enrolment.objects.filter(pk=enrolment.pk).update(final_score="7.50")
    response = client_for(world.staff_a).patch(url, {"grading_scale": "credit_4"}, format="json")
    assert response.status_code == 400 and "grading_scale" in response.json()


def test_cohort_delete_refused_while_learners_are_enrolled(cohort, world):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    client = client_for(world.staff_a)
    assert client.delete(f"/api/v1/cohorts/{cohort.pk}/").status_code == 400
    enrolment.delete()
    assert client_for(world.officer_a).delete(f"/api/v1/cohorts/{cohort.pk}/").status_code == 403
    assert client.delete(f"/api/v1/cohorts/{cohort.pk}/").status_code == 204
    assert not Cohort.objects.filter(pk=cohort.pk).exists()


# --------------------------------------------------------------------------------------------- results


def test_results_enrol_a_visible_learner_idempotently(cohort, world):
    learner = graduate(cohort).learner  # enrolled at school A, so school A may enrol them again
    second = factories.CohortFactory(curriculum_version=cohort.curriculum_version)
    client = client_for(world.staff_a)
    body = {"cohort": second.pk, "learner": learner.pk, "student_number": "SV9"}
    first = client.post("/api/v1/results/", body, format="json")
    assert first.status_code == 201, first.content
    assert (first.json()["learner_name"], first.json()["graduated"]) == (learner.full_name, False)
    again = client.post("/api/v1/results/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Enrolment.objects.filter(cohort=second).count() == 1


def test_results_enrolment_refused_outside_the_school(cohort, cohort_b, world):
    mine, theirs = graduate(cohort).learner, graduate(cohort_b).learner
    response = client_for(world.staff_a).post(
        "/api/v1/results/", {"cohort": cohort.pk, "learner": theirs.pk}, format="json"
    )
    assert response.status_code == 400 and "learner" in response.json()  # a learner of school B is not visible
    response = client_for(world.staff_b).post(
        "/api/v1/results/", {"cohort": cohort.pk, "learner": mine.pk}, format="json"
    )
    assert response.status_code == 400 and "cohort" in response.json()
    response = client_for(world.officer_a).post(
        "/api/v1/results/", {"cohort": cohort.pk, "learner": mine.pk}, format="json"
    )
    assert response.status_code == 403
    assert Enrolment.objects.count() == 2


def test_results_record_then_graduate_with_the_classification_from_the_bands(cohort, world, rules):
    enrolment = factories.EnrolmentFactory(
        cohort=cohort, final_score=None, classification="", graduated=False, graduation_date=None
    )
    client = client_for(world.staff_a)
    url = f"/api/v1/results/{enrolment.pk}/"
    response = client.post(
        url + "result/", {"final_score": "3.60", "all_credits_completed": True, "disciplined": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["final_score"], response.json()["classification"]) == ("3.60", "")
    response = client.post(
        url + "graduation/", {"decision_number": "45/QĐ-CĐA", "decision_date": "2026-06-30"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # Excellent by the score, one step lower for discipline (Circular 04/2022).
    assert (body["classification"], body["graduated"], body["graduation_date"]) == ("very_good", True, "2026-06-30")
    assert body["classification_display"] == "Very good"


def test_results_refusals_carry_their_codes(cohort, world, rules):
    enrolment = factories.EnrolmentFactory(
        cohort=cohort, final_score=None, classification="", graduated=False, graduation_date=None
    )
    client = client_for(world.staff_a)
    url = f"/api/v1/results/{enrolment.pk}/"
    graduation = {"decision_number": "45/QĐ-CĐA", "decision_date": "2026-06-30"}
    response = client.post(url + "graduation/", graduation, format="json")
    assert response.status_code == 400 and "final_score" in response.json()
    assert [r["field"] for r in response.json()["reasons"]] == ["final_score"]
    response = client.post(url + "result/", {"final_score": "5.00", "all_credits_completed": True}, format="json")
    assert response.status_code == 400 and [r["field"] for r in response.json()["reasons"]] == ["final_score"]
    client.post(url + "result/", {"final_score": "1.50", "all_credits_completed": True}, format="json")
    response = client.post(url + "graduation/", graduation, format="json")
    assert response.status_code == 400 and codes(response) == ["score_too_low"]
    assert response.json()["non_field_errors"] == [response.json()["reasons"][0]["message"]]
    assert response.json()["reasons"][0]["field"] is None
    enrolment.refresh_from_db()
    assert not enrolment.graduated


def test_results_actions_only_for_the_schools_staff(cohort, world):
    enrolment = graduate(cohort)
    body = {"final_score": "3.00", "all_credits_completed": True}
    url = f"/api/v1/results/{enrolment.pk}/result/"
    assert client_for(world.officer_a).post(url, body, format="json").status_code == 403
    assert client_for(world.staff_b).post(url, body, format="json").status_code == 404
    assert client_for(None).post(url, body, format="json").status_code == 401
    assert client_for(world.officer_a).get(f"/api/v1/results/{enrolment.pk}/").status_code == 200
    assert client_for(world.officer_b).get(f"/api/v1/results/{enrolment.pk}/").status_code == 404


def test_results_filters(cohort, world):
    done = graduate(cohort)
    pending = factories.EnrolmentFactory(cohort=cohort, graduated=False, classification="", graduation_date=None)
    other = factories.EnrolmentFactory(cohort=factories.CohortFactory(curriculum_version=cohort.curriculum_version))
    client = client_for(world.staff_a)
    assert ids(client.get("/api/v1/results/", {"cohort": cohort.pk})) == {done.pk, pending.pk}
    assert ids(client.get("/api/v1/results/", {"graduated": "false"})) == {pending.pk}
    assert ids(client.get("/api/v1/results/", {"graduated": "true", "cohort": cohort.pk})) == {done.pk}
    assert ids(client.get("/api/v1/results/")) == {done.pk, pending.pk, other.pk}


def test_result_locked_once_issued(cohort, issued, world):
    response = client_for(world.staff_a).post(
        f"/api/v1/results/{issued.enrolment_id}/result/",
        {"final_score": "2.00", "all_credits_completed": True},
        format="json",
    )
    assert response.status_code == 400 and codes(response) == ["issued"]


# --------------------------------------------------------------------------------------------- diplomas


def test_issue_is_idempotent_201_then_200(cohort, world):
    enrolment = graduate(cohort, full_name="Nguyễn Văn An")
    client = client_for(world.staff_a)
    first = client.post(
        "/api/v1/diplomas/issue/", {"enrolment": enrolment.pk, "issued_on": "2026-07-15"}, format="json"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["serial"] == "CĐA/2026/00001" and body["register_number"] == "0001/2026/SG"
    assert (
        body["holder_name"] == "Nguyễn Văn An" and body["status"] == "valid" and body["classification"] == "very_good"
    )
    assert body["verification_url"].endswith(f"/verify/{body['verification_code']}/")
    assert body["pdf_url"].endswith(f"/api/v1/diplomas/{body['id']}/pdf/")
    assert [(r["position"], r["action"]) for r in body["register"]] == [(1, "issue")]
    again = client.post("/api/v1/diplomas/issue/", {"enrolment": enrolment.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Diploma.objects.count() == 1 and RegisterEntry.objects.count() == 1


def test_issue_refused_with_every_reason_and_its_code(cohort, world):
    enrolment = factories.EnrolmentFactory(cohort=cohort, graduated=False, classification="", graduation_date=None)
    world.school_a.diploma_templates.update(is_active=False)
    response = client_for(world.staff_a).post("/api/v1/diplomas/issue/", {"enrolment": enrolment.pk}, format="json")
    assert response.status_code == 400
    assert sorted(codes(response)) == ["no_template", "not_graduated"]
    assert len(response.json()["non_field_errors"]) == 2
    assert not Diploma.objects.exists()


def test_issue_only_by_the_schools_staff(cohort, cohort_b, world, api):
    enrolment = graduate(cohort)
    body = {"enrolment": enrolment.pk}
    assert client_for(world.officer_a).post("/api/v1/diplomas/issue/", body, format="json").status_code == 403
    response = client_for(world.staff_b).post("/api/v1/diplomas/issue/", body, format="json")
    assert response.status_code == 400 and "enrolment" in response.json()  # school B cannot even see it
    assert api.post("/api/v1/diplomas/issue/", body, format="json").status_code == 401
    assert not Diploma.objects.exists()


def test_diplomas_scoped_by_role(cohort, cohort_b, issued, world, api):
    theirs = services.issue_diploma(user=world.staff_b, enrolment=graduate(cohort_b), issued_on=ISSUED_ON)
    assert ids(client_for(world.staff_a).get("/api/v1/diplomas/")) == {issued.pk}
    assert ids(client_for(world.officer_a).get("/api/v1/diplomas/")) == {issued.pk}
    assert ids(client_for(world.officer_b).get("/api/v1/diplomas/")) == {theirs.pk}
    assert ids(client_for(world.admin).get("/api/v1/diplomas/")) == {issued.pk, theirs.pk}
    assert api.get("/api/v1/diplomas/").status_code == 401
    assert api.get(f"/api/v1/diplomas/{issued.pk}/").status_code == 401
    assert client_for(world.staff_b).get(f"/api/v1/diplomas/{issued.pk}/").status_code == 404
    # The public verifies by code, never by id.
    assert api.get(f"/api/v1/verify/{issued.code}/").json()["status"] == "valid"


def test_diploma_filters(cohort, world):
    first = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort), issued_on=ISSUED_ON)
    second = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort), issued_on=ISSUED_ON)
    other_cohort = factories.CohortFactory(curriculum_version=cohort.curriculum_version)
    later = services.issue_diploma(
        user=world.staff_a, enrolment=graduate(other_cohort), issued_on=datetime.date(2027, 1, 5)
    )
    services.revoke_diploma(user=world.staff_a, diploma=second, reason="Cấp nhầm")
    client = client_for(world.staff_a)
    assert ids(client.get("/api/v1/diplomas/", {"status": "revoked"})) == {second.pk}
    assert ids(client.get("/api/v1/diplomas/", {"year": 2027})) == {later.pk}
    assert ids(client.get("/api/v1/diplomas/", {"cohort": cohort.pk})) == {first.pk, second.pk}
    assert ids(client.get("/api/v1/diplomas/", {"serial": first.serial})) == {first.pk}
    assert ids(client.get("/api/v1/diplomas/", {"kind": "college_diploma"})) == {first.pk, second.pk, later.pk}
    assert ids(client.get("/api/v1/diplomas/", {"kind": "intermediate_diploma"})) == set()
    assert client.get("/api/v1/diplomas/", {"status": "lost"}).status_code == 400


def test_revoke_writes_the_register_and_shows_on_verification(issued, world, api):
    url = f"/api/v1/diplomas/{issued.pk}/revoke/"
    assert client_for(world.staff_a).post(url, {"reason": "  "}, format="json").status_code == 400
    response = client_for(world.staff_a).post(url, {"reason": "Gian lận hồ sơ"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "revoked"
    assert [(r["action"], r["reason"]) for r in body["register"]] == [("issue", ""), ("revoke", "Gian lận hồ sơ")]
    assert RegisterEntry.objects.filter(diploma=issued, action="revoke", actor=world.staff_a).count() == 1
    assert api.get(f"/api/v1/verify/{issued.code}/").json()["status"] == "revoked"
    again = client_for(world.staff_a).post(url, {"reason": "Lần nữa"}, format="json")
    assert again.status_code == 400 and codes(again) == ["not_valid"]
    assert services.verify_register() == []


def test_revoke_and_reissue_only_by_the_schools_staff(issued, world, cohort_b):
    for action, body in (("revoke", {"reason": "X"}), ("reissue", {"reason": "Mất bằng"})):
        url = f"/api/v1/diplomas/{issued.pk}/{action}/"
        assert client_for(world.officer_a).post(url, body, format="json").status_code == 403
        assert client_for(world.staff_b).post(url, body, format="json").status_code == 404
        assert client_for(world.officer_b).post(url, body, format="json").status_code == 403
        assert client_for(None).post(url, body, format="json").status_code == 401
    issued.refresh_from_db()
    assert issued.status == "valid" and RegisterEntry.objects.count() == 1


def test_reissue_gives_a_new_serial_and_links_both(issued, world, api):
    response = client_for(world.staff_a).post(
        f"/api/v1/diplomas/{issued.pk}/reissue/", {"reason": "Mất bằng", "issued_on": "2026-09-01"}, format="json"
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["replaces"] == issued.pk and new["serial"] != issued.serial and new["issued_on"] == "2026-09-01"
    assert [(r["action"], r["reason"]) for r in new["register"]] == [("reissue", "Mất bằng")]
    old = client_for(world.staff_a).get(f"/api/v1/diplomas/{issued.pk}/").json()
    assert (old["status"], old["replaced_by"]) == ("reissued", new["id"])
    assert api.get(f"/api/v1/verify/{issued.code}/").json()["current_code"] == new["verification_code"]
    assert services.verify_register() == []


def test_pdf_download_for_staff_and_officers_only(issued, world, api):
    url = f"/api/v1/diplomas/{issued.pk}/pdf/"
    for user in (world.staff_a, world.officer_a):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(world.officer_b).get(url).status_code == 404
    assert client_for(world.staff_b).get(url).status_code == 404
    assert api.get(url).status_code == 401


def test_pdf_of_a_diploma_still_being_issued_is_a_conflict(issued, world):
    Diploma.objects.filter(pk=issued.pk).update(status=choices.DiplomaStatus.PENDING, pdf="")
    response = client_for(world.staff_a).get(f"/api/v1/diplomas/{issued.pk}/pdf/")
    assert response.status_code == 409 and "detail" in response.json()


# --------------------------------------------------------------------------------------------- batches


@pytest.fixture
def mixed_cohort(cohort, world):
    """Two graduates, one learner without a graduation decision, one graduate who already holds a diploma."""
    ready = [graduate(cohort, full_name=n) for n in ("Nguyễn Văn An", "Trần Thị Bình")]
    waiting = factories.EnrolmentFactory(
        cohort=cohort,
        learner=factories.LearnerFactory(full_name="Võ Minh Em"),
        graduated=False,
        classification="",
        graduation_date=None,
    )
    holder = graduate(cohort, full_name="Đặng Văn Giang")
    first = services.issue_diploma(user=world.staff_a, enrolment=holder, issued_on=ISSUED_ON)
    return cohort, ready, waiting, holder, first


def test_batch_report_then_start_then_download(mixed_cohort, world, django_capture_on_commit_callbacks):
    cohort, ready, waiting, holder, first = mixed_cohort
    client = client_for(world.staff_a)
    response = client.post("/api/v1/diplomas/batch/", {"cohort": cohort.pk, "issued_on": "2026-07-15"}, format="json")
    assert response.status_code == 201, response.content
    report = response.json()
    assert (report["status"], report["total"], report["ready"], report["refused"], report["already_issued"]) == (
        "validated",
        2,
        2,
        1,
        1,
    )
    items = {i["learner_name"]: i for i in report["items"]}
    assert items["Võ Minh Em"]["outcome"] == "refused"
    assert [r["code"] for r in items["Võ Minh Em"]["reasons"]] == ["not_graduated"]
    assert (items["Đặng Văn Giang"]["outcome"], items["Đặng Văn Giang"]["diploma"]) == ("already_issued", first.pk)
    assert report["zip_url"] is None and Diploma.objects.count() == 1
    url = f"/api/v1/batches/{report['id']}/"
    assert client.get(url + "zip/").status_code == 409
    assert client.get(url + "print/").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url + "start/")
    assert started.status_code == 202, started.content
    progress = client.get(url).json()
    assert (progress["status"], progress["issued"], progress["failed"], progress["percent"]) == ("done", 2, 0, 100)
    assert progress["zip_url"].endswith(url + "zip/") and progress["print_url"].endswith(url + "print/")
    archive = client.get(url + "zip/")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    printed = client.get(url + "print/")
    assert printed.status_code == 200 and b"".join(printed.streaming_content).startswith(b"%PDF")
    outcomes = {i["learner_name"]: i["outcome"] for i in client.get(url + "items/").json()["results"]}
    assert outcomes == {
        "Nguyễn Văn An": "issued",
        "Trần Thị Bình": "issued",
        "Võ Minh Em": "refused",
        "Đặng Văn Giang": "already_issued",
    }
    again = client.post(url + "start/")
    assert again.status_code == 400 and codes(again) == ["started"]
    assert Diploma.objects.count() == 3 and services.verify_register() == []


def test_batch_of_an_empty_cohort_and_nothing_to_issue_are_refused(cohort, world):
    client = client_for(world.staff_a)
    response = client.post("/api/v1/diplomas/batch/", {"cohort": cohort.pk}, format="json")
    assert response.status_code == 400 and "cohort" in response.json()
    assert [r["field"] for r in response.json()["reasons"]] == ["cohort"]
    factories.EnrolmentFactory(cohort=cohort, graduated=False, classification="", graduation_date=None)
    batch = client.post("/api/v1/diplomas/batch/", {"cohort": cohort.pk}, format="json").json()
    response = client.post(f"/api/v1/batches/{batch['id']}/start/")
    assert response.status_code == 400 and codes(response) == ["nothing_to_issue"]


def test_batches_only_by_the_schools_staff_and_read_by_the_province(mixed_cohort, world, api):
    cohort = mixed_cohort[0]
    body = {"cohort": cohort.pk}
    assert client_for(world.officer_a).post("/api/v1/diplomas/batch/", body, format="json").status_code == 403
    response = client_for(world.staff_b).post("/api/v1/diplomas/batch/", body, format="json")
    assert response.status_code == 400 and "cohort" in response.json()
    assert api.post("/api/v1/diplomas/batch/", body, format="json").status_code == 401
    batch = client_for(world.staff_a).post("/api/v1/diplomas/batch/", body, format="json").json()
    url = f"/api/v1/batches/{batch['id']}/"
    assert client_for(world.officer_a).get(url).status_code == 200
    assert ids(client_for(world.officer_a).get("/api/v1/batches/")) == {batch["id"]}
    assert client_for(world.officer_a).post(url + "start/").status_code == 403
    assert client_for(world.officer_b).get(url).status_code == 404
    assert ids(client_for(world.officer_b).get("/api/v1/batches/")) == set()
    assert client_for(world.staff_b).post(url + "start/").status_code == 404
    assert client_for(world.staff_b).get(url + "zip/").status_code == 404
    assert api.get(url).status_code == 401
    assert IssueBatch.objects.get().status == "validated"


# --------------------------------------------------------------------------------------------- queries, schema


def _rows(cohort, cohort_b, world, n):
    """n graduates of school A with an issued diploma, and a batch; school B's rows must not leak into A's lists."""
    for _ in range(n):
        services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort), issued_on=ISSUED_ON)
        factories.CohortFactory(curriculum_version=cohort.curriculum_version)
    services.issue_diploma(user=world.staff_b, enrolment=graduate(cohort_b), issued_on=ISSUED_ON)


@pytest.mark.parametrize("endpoint", ["learners", "cohorts", "results", "diplomas", "batches"])
def test_list_query_count_does_not_grow_with_rows(cohort, cohort_b, world, endpoint, django_assert_max_num_queries):
    from certificates import batches

    _rows(cohort, cohort_b, world, 6)
    for _ in range(6):
        batches.prepare_batch(user=world.staff_a, cohort=cohort)
    client = client_for(world.staff_a)

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/{endpoint}/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        return len(ctx.captured_queries)

    count(2)  # warm-up: the user's roles are read once per request object
    small, large = count(2), count(6)
    assert small == large, f"{endpoint}: {small} queries for 2 rows, {large} for 6"
    with django_assert_max_num_queries(6):
        client.get(f"/api/v1/{endpoint}/", {"page_size": 6})


CERTIFICATE_VIEWS = ("LearnerViewSet", "CohortViewSet", "EnrolmentViewSet", "DiplomaViewSet", "IssueBatchViewSet")


def test_openapi_schema_generates_without_warnings_for_the_certificates_api(api):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Ours name this app's files or views; collisions found after generation (enum names) name no file at all.
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    ours = [m for m in messages if "certificates" in m or any(v in m for v in CERTIFICATE_VIEWS)]
    unplaced = [m for m in messages if m.startswith(("Warning", "Error"))]
    assert ours == [] and unplaced == []
    validate_schema(schema)
    paths = schema["paths"]
    assert {
        "/api/v1/learners/",
        "/api/v1/cohorts/{id}/",
        "/api/v1/results/{id}/result/",
        "/api/v1/results/{id}/graduation/",
        "/api/v1/diplomas/issue/",
        "/api/v1/diplomas/batch/",
        "/api/v1/diplomas/{id}/revoke/",
        "/api/v1/diplomas/{id}/reissue/",
        "/api/v1/diplomas/{id}/pdf/",
        "/api/v1/batches/{id}/",
        "/api/v1/batches/{id}/start/",
        "/api/v1/batches/{id}/zip/",
        "/api/v1/batches/{id}/print/",
    } <= set(paths)
    assert set(paths["/api/v1/diplomas/{id}/"]) == {"get"}
    assert set(paths["/api/v1/learners/{id}/"]) == {"get", "put", "patch"}
    served = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200 and "/api/v1/diplomas/issue/" in served.json()["paths"]
