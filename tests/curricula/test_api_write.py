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
