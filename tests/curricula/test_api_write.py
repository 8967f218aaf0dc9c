"""The curricula and skill-standards API that writes: permission matrix (every endpoint × method × role),
the school's whole workflow through the API, errors naming the field, and query counts of every list."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curricula import services
from curricula.choices import Coverage
from curricula.choices import VersionStatus as S
from curricula.loaders import load_curriculum_rules
from curricula.models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumVersion,
    VersionComment,
)
from tests import factories
from tests.conftest import client_for
from vet.choices import Level

from .test_services import GENERAL, draft

ROLES = ("public", "admin", "officer_a", "officer_b", "staff_a", "staff_b", "head_a")


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are read in English; Vietnamese, the default, is tested in tests/test_translations.py."""


def user_of(world, role):
    return None if role == "public" else getattr(world, role)


class Objects:
    """Rows of school A (province A) and school B (province B) that the matrix acts on."""

    def __init__(self, world):
        self.occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
        self.new_occupation = factories.OccupationFactory(code="6520263", name_vi="Cơ điện tử")
        factories.ScopeEntryFactory(institution=world.school_a, occupation=self.new_occupation, level=Level.COLLEGE)
        self.curriculum_a = factories.CurriculumFactory(institution=world.school_a, occupation=self.occupation,
                                                        level=Level.COLLEGE)
        self.approved_a = factories.CurriculumVersionFactory(curriculum=self.curriculum_a, status=S.APPROVED,
                                                             approved_on=datetime.date(2025, 6, 2))
        self.approved_component = factories.CurriculumComponentFactory(version=self.approved_a, code="MĐ01")
        self.draft_a = factories.CurriculumVersionFactory(curriculum=self.curriculum_a, decision_number="")
        self.component_a = factories.CurriculumComponentFactory(version=self.draft_a, code="MĐ01")
        self.submitted_a = factories.CurriculumVersionFactory(curriculum=self.curriculum_a, status=S.SUBMITTED)
        factories.CurriculumComponentFactory(version=self.submitted_a)
        # A curriculum with drafts only: hidden from the public and from other schools.
        self.drafts_only_a = factories.CurriculumFactory(institution=world.school_a,
                                                         occupation=factories.OccupationFactory(code="6520205"),
                                                         level=Level.COLLEGE)
        factories.CurriculumVersionFactory(curriculum=self.drafts_only_a)
        self.framework = factories.SkillFrameworkFactory(code="TCKNN-DCN")
        self.unit_1 = factories.SkillUnitFactory(framework=self.framework, code="U01")
        self.unit_2 = factories.SkillUnitFactory(framework=self.framework, code="U02")
        factories.PerformanceCriterionFactory(unit=self.unit_1, number=1)
        self.mapping_a = factories.ComponentUnitMappingFactory(component=self.component_a, unit=self.unit_1)


@pytest.fixture
def objects(world):
    return Objects(world)


def passing_submitted(world, objects):
    """A submitted college version of another curriculum of school A that passes every rule."""
    load_curriculum_rules()
    curriculum = factories.CurriculumFactory(institution=world.school_a, occupation=objects.new_occupation,
                                             level=Level.COLLEGE)
    version = draft(curriculum, user=world.admin)
    return services.submit_curriculum_version(user=world.admin, version=version)


V = "/api/v1/curriculum-versions"
# Expected statuses by role, in the order of ROLES.
READ_ALL = dict.fromkeys(ROLES, 200)
SCHOOL_A_WRITES = {"public": 401, "admin": None, "officer_a": 403, "officer_b": 403, "staff_a": None,
                   "staff_b": None, "head_a": None}


def expect(ok, staff_b, officer_a=403, officer_b=403, public=401, staff_a=None, head_a=None):
    return {"public": public, "admin": ok, "officer_a": officer_a, "officer_b": officer_b,
            "staff_a": ok if staff_a is None else staff_a, "staff_b": staff_b,
            "head_a": ok if head_a is None else head_a}


CASES = {
    # name: (method, url, payload, expected by role)
    "curricula-list": (lambda o: ("get", "/api/v1/curricula/", None), READ_ALL),
    "curricula-retrieve": (lambda o: ("get", f"/api/v1/curricula/{o.curriculum_a.pk}/", None), READ_ALL),
    "curricula-retrieve-drafts-only": (
        lambda o: ("get", f"/api/v1/curricula/{o.drafts_only_a.pk}/", None),
        expect(200, 404, officer_a=200, officer_b=404, public=404)),
    "curricula-create": (
        lambda o: ("post", "/api/v1/curricula/", {"institution": "SCH-A", "occupation": "6520263",
                                                  "level": Level.COLLEGE, "entry_requirement": "upper_secondary"}),
        expect(201, 403)),
    "curricula-update": (
        lambda o: ("patch", f"/api/v1/curricula/{o.drafts_only_a.pk}/", {"entry_requirement": "lower_secondary"}),
        expect(200, 404)),
    "curricula-update-visible-of-other-school": (
        lambda o: ("patch", f"/api/v1/curricula/{o.curriculum_a.pk}/", {"level": Level.COLLEGE}),
        expect(200, 403)),
    "curricula-delete": (lambda o: ("delete", f"/api/v1/curricula/{o.drafts_only_a.pk}/", None), expect(204, 404)),
    "versions-list": (lambda o: ("get", f"{V}/", None), READ_ALL),
    "versions-retrieve-draft": (lambda o: ("get", f"{V}/{o.draft_a.pk}/", None),
                                expect(200, 404, officer_a=200, officer_b=404, public=404)),
    "versions-create": (lambda o: ("post", f"{V}/", {"curriculum": o.curriculum_a.pk}), expect(201, 403)),
    "versions-update": (lambda o: ("patch", f"{V}/{o.draft_a.pk}/", {"signer": "Nguyễn Văn A"}), expect(200, 404)),
    "versions-delete": (lambda o: ("delete", f"{V}/{o.draft_a.pk}/", None), expect(204, 404)),
    "versions-submit": (lambda o: ("post", f"{V}/{o.draft_a.pk}/submit/", None), expect(200, 404, officer_b=404)),
    "versions-return": (lambda o: ("post", f"{V}/{o.submitted_a.pk}/return/", None),
                        expect(200, 404, officer_b=404)),
    "versions-approve": (lambda o: ("post", f"{V}/{o.passing.pk}/approve/", {}),
                         expect(200, 404, officer_b=404, staff_a=403)),
    "versions-comments-list": (lambda o: ("get", f"{V}/{o.draft_a.pk}/comments/", None),
                               expect(200, 404, officer_a=200, officer_b=404, public=404)),
    "versions-comments-add": (lambda o: ("post", f"{V}/{o.draft_a.pk}/comments/", {"text": "Thiếu môn học chung."}),
                              expect(201, 404, officer_a=201, officer_b=404)),
    "versions-validation-summary": (lambda o: ("get", f"{V}/validation-summary/", None), READ_ALL),
    "versions-coverage": (lambda o: ("get", f"{V}/{o.approved_a.pk}/coverage/", {"framework": "TCKNN-DCN"}),
                          READ_ALL),
    "components-list": (lambda o: ("get", "/api/v1/curriculum-components/", None), READ_ALL),
    "components-create": (
        lambda o: ("post", "/api/v1/curriculum-components/", {
            "version": o.draft_a.pk, "kind": "module", "code": "MĐ09", "name_vi": "Mô-đun mới",
            "group": "specialised", "credits": "3.0", "theory_hours": 15, "practice_hours": 60}),
        expect(201, 400)),
    "components-update": (lambda o: ("patch", f"/api/v1/curriculum-components/{o.component_a.pk}/",
                                     {"credits": "4.0"}), expect(200, 404)),
    "components-delete": (lambda o: ("delete", f"/api/v1/curriculum-components/{o.component_a.pk}/", None),
                          expect(204, 404)),
    "frameworks-list": (lambda o: ("get", "/api/v1/standards/frameworks/", None), READ_ALL),
    "frameworks-retrieve": (lambda o: ("get", "/api/v1/standards/frameworks/TCKNN-DCN/", None), READ_ALL),
    "frameworks-create": (lambda o: ("post", "/api/v1/standards/frameworks/", {"code": "X"}),
                          expect(405, 403, staff_a=403, head_a=403)),
    "units-list": (lambda o: ("get", "/api/v1/standards/units/", None), READ_ALL),
    "units-retrieve": (lambda o: ("get", f"/api/v1/standards/units/{o.unit_1.pk}/", None), READ_ALL),
    "units-delete": (lambda o: ("delete", f"/api/v1/standards/units/{o.unit_1.pk}/", None),
                     expect(405, 403, staff_a=403, head_a=403)),
    "mappings-list": (lambda o: ("get", "/api/v1/component-mappings/", None), READ_ALL),
    "mappings-create": (lambda o: ("post", "/api/v1/component-mappings/", {
        "component": o.component_a.pk, "framework": "TCKNN-DCN", "unit_code": "U02", "coverage": "partial"}),
        expect(201, 400)),
    "mappings-update": (lambda o: ("patch", f"/api/v1/component-mappings/{o.mapping_a.pk}/",
                                   {"coverage": "partial"}), expect(200, 404)),
    "mappings-delete": (lambda o: ("delete", f"/api/v1/component-mappings/{o.mapping_a.pk}/", None),
                        expect(204, 404)),
}


def snapshot():
    return (
        sorted(Curriculum.objects.values_list("pk", "entry_requirement")),
        sorted(CurriculumVersion.objects.values_list("pk", "status", "signer")),
        sorted(CurriculumComponent.objects.values_list("pk", "credits")),
        sorted(ComponentUnitMapping.objects.values_list("pk", "coverage")),
        VersionComment.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_api_permission_matrix(world, objects, case, role):
    request, expected = CASES[case]
    if case == "versions-approve":
        objects.passing = passing_submitted(world, objects)
    method, url, payload = request(objects)
    before = snapshot()
    client = client_for(user_of(world, role))
    response = getattr(client, method)(url, payload, format="json" if method != "get" else None)
    assert response.status_code == expected[role], (case, role, response.content)
    after = snapshot()
    if expected[role] >= 400 or method == "get":
        assert after == before, f"{case} as {role} changed the database"
    elif case != "curricula-update-visible-of-other-school":  # that PATCH keeps the same level
        assert after != before, f"{case} as {role} answered {expected[role]} but changed nothing"


# ------------------------------------------------------------------------------------------------ workflow


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_api_workflow_create_submit_approve_map_and_cover(world):
    load_curriculum_rules()
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    factories.ScopeEntryFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)
    staff, head = client_for(world.staff_a), client_for(world.head_a)

    curriculum = ok(staff.post("/api/v1/curricula/", {"institution": "SCH-A", "occupation": "6520227",
                                                      "level": Level.COLLEGE,
                                                      "entry_requirement": "upper_secondary"}, format="json"), 201)
    assert (curriculum["institution"], curriculum["occupation"], curriculum["versions"]) == ("SCH-A", "6520227", [])

    def build_version(number, decision_date):
        version = ok(staff.post(f"{V}/", {"curriculum": curriculum["id"], "decision_number": number,
                                          "decision_date": decision_date, "signer": "Hiệu trưởng"},
                                format="json"), 201)
        assert version["status"] == "draft"
        for code, kind, credits, theory, practice in GENERAL:
            ok(staff.post("/api/v1/curriculum-components/", {
                "version": version["id"], "kind": "subject", "code": code, "name_vi": code, "group": "general",
                "general_subject_type": kind, "credits": str(credits), "theory_hours": theory,
                "practice_hours": practice}, format="json"), 201)
        for i in range(7, 15):
            ok(staff.post("/api/v1/curriculum-components/", {
                "version": version["id"], "kind": "module", "code": f"MĐ{i:02d}", "name_vi": f"Mô-đun {i}",
                "group": "specialised", "credits": "5", "theory_hours": 30, "practice_hours": 90}, format="json"), 201)
        return version

    first = build_version("12/QĐ-CĐĐL", "2025-06-01")
    report = ok(staff.get(f"{V}/{first['id']}/validation/"))
    assert report["passed"] is True and report["rule_set"] == "01/2024/TT-BLĐTBXH"
    assert ok(staff.post(f"{V}/{first['id']}/submit/"))["status"] == "submitted"
    refused = staff.post(f"{V}/{first['id']}/approve/", {}, format="json")
    assert refused.status_code == 403
    approved = ok(head.post(f"{V}/{first['id']}/approve/", {}, format="json"))
    assert approved["status"] == "approved" and approved["approved_on"] and approved["next_review_on"]

    second = build_version("40/QĐ-CĐĐL", "2026-01-05")
    ok(staff.post(f"{V}/{second['id']}/submit/"))
    assert ok(head.post(f"{V}/{second['id']}/approve/", {"signer": "Phó Hiệu trưởng"},
                        format="json"))["signer"] == "Phó Hiệu trưởng"
    assert ok(staff.get(f"{V}/{first['id']}/"))["status"] == "superseded"

    framework = factories.SkillFrameworkFactory(code="TCKNN-DCN")
    for code in ("U01", "U02", "U03", "U04"):
        factories.SkillUnitFactory(framework=framework, code=code, level=3)
    components = {c["code"]: c["id"] for c in ok(staff.get(f"{V}/{second['id']}/"))["components"]}
    ok(staff.post("/api/v1/component-mappings/", {"component": components["MĐ07"], "framework": "TCKNN-DCN",
                                                  "unit_code": "U01"}, format="json"), 201)
    ok(staff.post("/api/v1/component-mappings/", {"component": components["MĐ08"], "framework": "TCKNN-DCN",
                                                  "unit_code": "U02", "coverage": "partial"}, format="json"), 201)
    coverage = ok(staff.get(f"{V}/{second['id']}/coverage/", {"framework": "TCKNN-DCN"}))
    assert coverage["covered_fully"] == ["U01"] and coverage["covered_partially"] == ["U02"]
    assert coverage["missing"] == ["U03", "U04"] and D(coverage["share"]) == D("0.375")
    assert D(coverage["percent"]) == D("37.5") and coverage["mapped_hours"] == 240
    assert "MĐ07" not in coverage["unmapped_components"] and "MH01" in coverage["unmapped_components"]
    assert ok(staff.get(f"{V}/{second['id']}/coverage/", {"framework": "TCKNN-DCN", "level": 2}))["units_total"] == 0


def test_create_version_based_on_copies_components(world, objects):
    body = ok(client_for(world.staff_a).post(f"{V}/", {"curriculum": objects.curriculum_a.pk,
                                                       "based_on": objects.approved_a.pk}, format="json"), 201)
    assert body["status"] == "draft" and [c["code"] for c in body["components"]] == ["MĐ01"]
    assert body["components"][0]["id"] != objects.approved_component.pk


def test_create_version_based_on_other_curriculum_names_the_field(world, objects):
    other = factories.CurriculumVersionFactory(curriculum__institution=world.school_a)
    response = client_for(world.staff_a).post(f"{V}/", {"curriculum": objects.curriculum_a.pk,
                                                        "based_on": other.pk}, format="json")
    assert response.status_code == 400 and response.json() == {"based_on": ["Choose a version of the same "
                                                                            "curriculum."]}


def test_return_sends_submitted_version_back_to_draft(world, objects):
    body = ok(client_for(world.staff_a).post(f"{V}/{objects.submitted_a.pk}/return/"))
    assert body["status"] == "draft"
    again = client_for(world.staff_a).post(f"{V}/{objects.submitted_a.pk}/return/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Only a submitted version can be returned to draft."]}


def test_comments_list_and_add(world, objects):
    ok(client_for(world.officer_a).post(f"{V}/{objects.draft_a.pk}/comments/", {"text": "  Thiếu giờ thực hành. "},
                                        format="json"), 201)
    ok(client_for(world.staff_a).post(f"{V}/{objects.draft_a.pk}/comments/", {"text": "Đã bổ sung."},
                                      format="json"), 201)
    body = ok(client_for(world.head_a).get(f"{V}/{objects.draft_a.pk}/comments/"))
    assert [(c["author"], c["text"]) for c in body["results"]] == [("officer_a", "Thiếu giờ thực hành."),
                                                                   ("staff_a", "Đã bổ sung.")]
    empty = client_for(world.staff_a).post(f"{V}/{objects.draft_a.pk}/comments/", {"text": "   "}, format="json")
    assert empty.status_code == 400 and list(empty.json()) == ["text"]
    # Another school reads the approved version, but not the comments on it.
    services.add_version_comment(user=world.officer_a, version=objects.approved_a, text="x")
    assert ok(client_for(world.staff_b).get(f"{V}/{objects.approved_a.pk}/comments/"))["results"] == []
    assert client_for(None).get(f"{V}/{objects.approved_a.pk}/comments/").status_code == 401


# ------------------------------------------------------------------------------------------------- errors


def test_create_curriculum_outside_scope_names_occupation(world, objects):
    factories.OccupationFactory(code="6480202")
    response = client_for(world.staff_a).post("/api/v1/curricula/", {
        "institution": "SCH-A", "occupation": "6480202", "level": Level.COLLEGE,
        "entry_requirement": "upper_secondary"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["occupation"] and "not in the registered scope" in response.json()[
        "occupation"][0]
    unknown = client_for(world.staff_a).post("/api/v1/curricula/", {
        "institution": "SCH-A", "occupation": "0000000", "level": Level.COLLEGE}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()) == ["occupation"]


def test_change_curriculum_identity_with_approved_versions_is_refused(world, objects):
    response = client_for(world.staff_a).patch(f"/api/v1/curricula/{objects.curriculum_a.pk}/",
                                               {"entry_requirement": "lower_secondary"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"entry_requirement": ["A curriculum with submitted or approved versions cannot "
                                                     "change this."]}


def test_delete_curriculum_with_approved_version_is_refused(world, objects):
    response = client_for(world.staff_a).delete(f"/api/v1/curricula/{objects.curriculum_a.pk}/")
    assert response.status_code == 400 and "cannot be deleted" in response.json()["non_field_errors"][0]
    assert Curriculum.objects.filter(pk=objects.curriculum_a.pk).exists()


@pytest.mark.parametrize(("method", "url", "payload"), [
    ("patch", "version", {"signer": "X"}),
    ("delete", "version", None),
    ("post", "components", {"kind": "module", "code": "MĐ50", "name_vi": "x", "group": "specialised"}),
    ("patch", "component", {"credits": "9"}),
    ("delete", "component", None),
])
def test_frozen_version_edits_are_refused_with_the_service_message(world, objects, method, url, payload):
    target = {"version": f"{V}/{objects.approved_a.pk}/",
              "components": "/api/v1/curriculum-components/",
              "component": f"/api/v1/curriculum-components/{objects.approved_component.pk}/"}[url]
    if url == "components":
        payload = {**payload, "version": objects.submitted_a.pk}
    before = snapshot()
    response = getattr(client_for(world.staff_a), method)(target, payload, format="json")
    assert response.status_code == 400, response.content
    message = response.json()["non_field_errors"][0]
    assert "can no longer be edited; start a new version instead" in message
    assert snapshot() == before


def test_component_errors_name_the_field(world, objects):
    client = client_for(world.staff_a)
    base = {"version": objects.draft_a.pk, "kind": "module", "code": "MĐ20", "name_vi": "x", "group": "specialised"}
    negative = client.post("/api/v1/curriculum-components/", {**base, "credits": "-1"}, format="json")
    assert negative.status_code == 400 and list(negative.json()) == ["credits"]
    general_type = client.post("/api/v1/curriculum-components/", {**base, "general_subject_type": "it"},
                               format="json")
    assert general_type.status_code == 400
    assert general_type.json() == {"non_field_errors": ["Only a general subject can have a general-subject type."]}
    duplicate = client.post("/api/v1/curriculum-components/", {**base, "code": "MĐ01"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"non_field_errors": ["This code is already used in this version."]}
    hidden = client_for(world.staff_b).post("/api/v1/curriculum-components/", base, format="json")
    assert hidden.status_code == 400 and list(hidden.json()) == ["version"]


def test_approve_without_decision_names_the_fields(world, objects):
    load_curriculum_rules()
    version = factories.CurriculumVersionFactory(curriculum=objects.curriculum_a, status=S.SUBMITTED,
                                                 decision_number="", decision_date=None)
    factories.CurriculumComponentFactory(version=version)
    response = client_for(world.head_a).post(f"{V}/{version.pk}/approve/", {}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"decision_number", "decision_date"}
    bad_date = client_for(world.head_a).post(f"{V}/{version.pk}/approve/", {"decision_date": "hôm qua"},
                                             format="json")
    assert bad_date.status_code == 400 and list(bad_date.json()) == ["decision_date"]


def test_approve_failing_version_is_refused(world, objects):
    load_curriculum_rules()
    response = client_for(world.head_a).post(f"{V}/{objects.submitted_a.pk}/approve/", {}, format="json")
    assert response.status_code == 400
    assert "cannot be approved" in response.json()["non_field_errors"][0]
    objects.submitted_a.refresh_from_db()
    assert objects.submitted_a.status == S.SUBMITTED


def test_submit_empty_draft_is_refused(world, objects):
    empty = factories.CurriculumVersionFactory(curriculum=objects.curriculum_a)
    response = client_for(world.staff_a).post(f"{V}/{empty.pk}/submit/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A version without subjects or modules cannot be submitted."]}


def test_coverage_needs_a_known_framework(world, objects):
    client = client_for(None)
    unknown = client.get(f"{V}/{objects.approved_a.pk}/coverage/", {"framework": "NOPE"})
    assert unknown.status_code == 400 and unknown.json() == {"framework": ["No skill framework has this code."]}
    missing = client.get(f"{V}/{objects.approved_a.pk}/coverage/")
    assert missing.status_code == 400 and list(missing.json()) == ["framework"]
    bad_level = client.get(f"{V}/{objects.approved_a.pk}/coverage/", {"framework": "TCKNN-DCN", "level": 9})
    assert bad_level.status_code == 400 and list(bad_level.json()) == ["level"]


# ----------------------------------------------------------------------------------------------- mappings


def test_map_component_is_idempotent_and_updates_coverage(world, objects):
    client = client_for(world.staff_a)
    payload = {"component": objects.component_a.pk, "unit": objects.unit_1.pk, "coverage": "full"}
    same = ok(client.post("/api/v1/component-mappings/", payload, format="json"), 200)
    assert same["id"] == objects.mapping_a.pk and same["coverage"] == "full"
    assert (same["framework"], same["unit_code"], same["component_code"]) == ("TCKNN-DCN", "U01", "MĐ01")
    changed = ok(client.post("/api/v1/component-mappings/", {**payload, "coverage": "partial"}, format="json"), 200)
    assert changed["id"] == objects.mapping_a.pk and changed["coverage"] == "partial"
    assert ComponentUnitMapping.objects.get().coverage == Coverage.PARTIAL
    put = ok(client.put(f"/api/v1/component-mappings/{objects.mapping_a.pk}/", {"coverage": "full"}, format="json"))
    assert put["coverage"] == "full"


def test_map_component_errors_name_the_field(world, objects):
    client = client_for(world.staff_a)
    no_unit = client.post("/api/v1/component-mappings/", {"component": objects.component_a.pk}, format="json")
    assert no_unit.status_code == 400 and list(no_unit.json()) == ["unit"]
    unknown = client.post("/api/v1/component-mappings/", {"component": objects.component_a.pk,
                                                          "framework": "TCKNN-DCN", "unit_code": "U99"},
                          format="json")
    assert unknown.status_code == 400 and unknown.json() == {"unit_code": ["The framework TCKNN-DCN has no unit U99."]}
    huge = client.post("/api/v1/component-mappings/", {"component": 2**70, "unit": 2**70}, format="json")
    assert huge.status_code == 400


def test_mapping_on_approved_version_is_allowed(world, objects):
    """Mappings are an analysis, not the text: they may be kept on a frozen version (see the service)."""
    body = ok(client_for(world.staff_a).post("/api/v1/component-mappings/", {
        "component": objects.approved_component.pk, "unit": objects.unit_2.pk}, format="json"), 201)
    assert body["version"] == objects.approved_a.pk
    assert client_for(world.staff_b).post("/api/v1/component-mappings/", {
        "component": objects.approved_component.pk, "unit": objects.unit_1.pk}, format="json").status_code == 403


def test_mapping_filters(world, objects):
    other = factories.ComponentUnitMappingFactory(component=objects.approved_component, unit=objects.unit_2)
    factories.ComponentUnitMappingFactory(component=objects.approved_component)  # another framework
    client = client_for(world.staff_a)
    assert ids(client.get("/api/v1/component-mappings/", {"version": objects.draft_a.pk})) == {objects.mapping_a.pk}
    assert ids(client.get("/api/v1/component-mappings/", {"framework": "TCKNN-DCN"})) == {objects.mapping_a.pk,
                                                                                        other.pk}
    assert ids(client.get("/api/v1/component-mappings/", {"component": objects.approved_component.pk,
                                                          "framework": "TCKNN-DCN"})) == {other.pk}
    assert ids(client_for(None).get("/api/v1/component-mappings/", {"framework": "TCKNN-DCN"})) == {other.pk}


# ---------------------------------------------------------------------------------------- standards, lists


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_frameworks_show_unit_count_and_filter(world, objects):
    occupation = objects.occupation
    asean = factories.SkillFrameworkFactory(code="ACCSTP-FO", kind="asean", name_en="Front office", is_sample=True,
                                            occupation=occupation)
    factories.SkillUnitFactory(framework=asean)
    client = client_for(None)
    rows = {r["code"]: r for r in client.get("/api/v1/standards/frameworks/").json()["results"]}
    assert (rows["TCKNN-DCN"]["unit_count"], rows["ACCSTP-FO"]["unit_count"]) == (2, 1)
    assert rows["ACCSTP-FO"]["is_sample"] is True and rows["ACCSTP-FO"]["occupation"] == "6520227"
    assert ids(client.get("/api/v1/standards/frameworks/", {"kind": "asean"})) == {asean.pk}
    assert ids(client.get("/api/v1/standards/frameworks/", {"occupation": "6520227"})) == {asean.pk}
    assert ids(client.get("/api/v1/standards/frameworks/", {"q": "front"})) == {asean.pk}
    assert client.get("/api/v1/standards/frameworks/ACCSTP-FO/").json()["unit_count"] == 1


def test_units_nest_criteria_and_filter(world, objects):
    basic = factories.SkillUnitFactory(framework=objects.framework, code="U10", group="basic", level=1)
    factories.SkillUnitFactory(code="U11", level=1)  # another framework
    client = client_for(None)
    assert ids(client.get("/api/v1/standards/units/", {"framework": "TCKNN-DCN"})) == {
        objects.unit_1.pk, objects.unit_2.pk, basic.pk}
    assert ids(client.get("/api/v1/standards/units/", {"framework": "TCKNN-DCN", "level": 1})) == {basic.pk}
    assert ids(client.get("/api/v1/standards/units/", {"group": "basic"})) == {basic.pk}
    body = client.get(f"/api/v1/standards/units/{objects.unit_1.pk}/").json()
    assert body["framework"] == "TCKNN-DCN" and body["criteria"] == [
        {"number": 1, "text_vi": "Thực hiện đúng quy trình", "text_en": ""}]


def test_components_list_filters_and_order(world, objects):
    later = factories.CurriculumComponentFactory(version=objects.draft_a, code="MĐ00", position=5)
    client = client_for(world.staff_a)
    rows = client.get("/api/v1/curriculum-components/", {"version": objects.draft_a.pk}).json()["results"]
    assert [r["id"] for r in rows] == [objects.component_a.pk, later.pk]
    assert ids(client_for(None).get("/api/v1/curriculum-components/", {"institution": "SCH-A"})) == {
        objects.approved_component.pk}
    assert ids(client.get("/api/v1/curriculum-components/", {"institution": "SCH-B"})) == set()


def test_version_filters_origin_and_review_overdue(world, objects):
    objects.approved_a.next_review_on = datetime.date.today() - datetime.timedelta(days=1)
    objects.approved_a.save()
    joint = factories.CurriculumVersionFactory(curriculum=objects.drafts_only_a, origin="joint")
    client = client_for(world.officer_a)
    assert ids(client.get(f"{V}/", {"review_overdue": "true"})) == {objects.approved_a.pk}
    assert objects.approved_a.pk not in ids(client.get(f"{V}/", {"review_overdue": "false"}))
    assert ids(client.get(f"{V}/", {"origin": "joint"})) == {joint.pk}
    assert ids(client.get(f"{V}/", {"province": "31"})) == set()
    assert client.get(f"{V}/{objects.approved_a.pk}/").json()["review_overdue"] is True


def test_validation_summary_lists_failing_programs_of_the_officers_province(world):
    load_curriculum_rules()
    def version(school, *, skip=(), status=S.DRAFT):
        curriculum = factories.CurriculumFactory(institution=school, occupation=factories.OccupationFactory(),
                                                 level=Level.COLLEGE)
        v = draft(curriculum, user=world.admin, skip=skip)
        if status != S.DRAFT:
            v = services.submit_curriculum_version(user=world.admin, version=v)
        return v

    failing_a = version(world.school_a, skip=("MH01",))
    failing_a2 = version(world.school_a2, skip=("MH02", "MH03"), status=S.SUBMITTED)
    passing_a = version(world.school_a, status=S.SUBMITTED)
    version(world.school_b, skip=("MH01",))
    client = client_for(world.officer_a)
    body = ok(client.get(f"{V}/validation-summary/", {"passed": "false"}))
    assert {r["id"] for r in body["results"]} == {failing_a.pk, failing_a2.pk} and body["count"] == 2
    row = next(r for r in body["results"] if r["id"] == failing_a2.pk)
    assert (row["institution"], row["province"], row["status"], row["passed"]) == ("SCH-A2", "82", "submitted", False)
    assert row["failures"] >= 1 and row["rule_set"] == "01/2024/TT-BLĐTBXH" and row["review_overdue"] is False
    assert ids(client.get(f"{V}/validation-summary/", {"passed": "true"})) == {passing_a.pk}
    assert ids(client.get(f"{V}/validation-summary/")) == {failing_a.pk, failing_a2.pk, passing_a.pk}
    assert ids(client.get(f"{V}/validation-summary/", {"passed": "false", "institution": "SCH-A"})) == {failing_a.pk}
    assert ids(client_for(world.officer_b).get(f"{V}/validation-summary/", {"passed": "false"})) == {
        v.pk for v in CurriculumVersion.objects.filter(curriculum__institution=world.school_b)}


def test_validation_summary_leaves_out_superseded_unless_asked(world, objects):
    objects.approved_a.status = S.SUPERSEDED
    objects.approved_a.save()
    client = client_for(world.staff_a)
    assert objects.approved_a.pk not in ids(client.get(f"{V}/validation-summary/"))
    assert ids(client.get(f"{V}/validation-summary/", {"status": "superseded"})) == {objects.approved_a.pk}
    row = client.get(f"{V}/validation-summary/", {"status": "superseded"}).json()["results"][0]
    assert row["passed"] is None  # no curriculum rules loaded


LISTS = {
    "curricula": "/api/v1/curricula/",
    "curriculum-versions": f"{V}/",
    "validation-summary": f"{V}/validation-summary/",
    "validation-summary-failing": f"{V}/validation-summary/?passed=false",
    "curriculum-components": "/api/v1/curriculum-components/",
    "component-mappings": "/api/v1/component-mappings/",
    "frameworks": "/api/v1/standards/frameworks/",
    "units": "/api/v1/standards/units/",
    "comments": "comments",
}


@pytest.mark.parametrize("endpoint", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(world, endpoint, django_assert_max_num_queries):
    load_curriculum_rules()
    version = None
    for n in range(22):
        occupation = factories.OccupationFactory(code=f"6{n:02d}0000")
        curriculum = factories.CurriculumFactory(institution=world.school_a, occupation=occupation)
        version = factories.CurriculumVersionFactory(curriculum=curriculum, decision_date=datetime.date(2025, 6, 1))
        component = factories.CurriculumComponentFactory(version=version)
        factories.CurriculumComponentFactory(version=version)
        framework = factories.SkillFrameworkFactory()
        unit = factories.SkillUnitFactory(framework=framework)
        factories.PerformanceCriterionFactory(unit=unit)
        factories.PerformanceCriterionFactory(unit=unit)
        factories.ComponentUnitMappingFactory(component=component, unit=unit)
        services.add_version_comment(user=world.officer_a, version=version, text=f"Nhận xét {n}")
    for n in range(22):
        services.add_version_comment(user=world.staff_a, version=version, text=f"Trả lời {n}")
    url = f"{V}/{version.pk}/comments/" if endpoint == "comments" else LISTS[endpoint]
    client = client_for(world.officer_a)

    def get(size):
        response = client.get(url, {"page_size": size})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == size
        return response

    get(2)  # warm-up
    with CaptureQueriesContext(connection) as small:
        get(2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        get(20)
    assert len(small.captured_queries) <= 10
