"""Permission matrix of the REST API: every endpoint × every role × every verb, with refused writes
leaving the database exactly as it was."""

import datetime

import pytest
from django.forms.models import model_to_dict

from tests import factories
from tests.conftest import client_for
from vet import choices


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read messages in English; Vietnamese, the default, is tested in tests/test_translations.py."""


ROLES = ("public", "admin", "officer", "staff")
ALLOW = {"list": 200, "retrieve": 200, "create": 201, "update": 200, "delete": 204}


def _objects(world):
    """For each endpoint: (object in province A / school A, object in province B / school B, create payload
    for A, create payload for B, a field to change)."""
    occ_a = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    occ_b = factories.OccupationFactory(code="6520205", name_vi="Kỹ thuật máy lạnh và điều hòa không khí")
    occ_new = factories.OccupationFactory(code="6520263", name_vi="Cơ điện tử")
    decision = factories.LegalDocumentFactory(number="999/QĐ-TEST")
    for school in (world.school_a, world.school_b):
        factories.ScopeEntryFactory(institution=school, occupation=occ_new, level="college")
    des_a = factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=occ_a)
    des_b = factories.KeyOccupationDesignationFactory(institution=world.school_b, occupation=occ_b)
    scope_a = factories.ScopeEntryFactory(institution=world.school_a, occupation=factories.OccupationFactory(
        code="6510216"), level="college")
    scope_b = factories.ScopeEntryFactory(institution=world.school_b, occupation=factories.OccupationFactory(
        code="6480202"), level="college")
    occ_scope_new = factories.OccupationFactory(code="6810201")

    def inst_payload(code, province):
        return {"code": code, "name_vi": f"Trường {code}", "type": "college", "ownership": "public",
                "province": province.code}

    def teacher(school):
        return {"institution": school.code, "full_name": "Trần Thị Mới", "degree": "master"}

    def partner(school):
        return {"institution": school.code, "name": "Công ty Mới", "agreement_type": "internship",
                "since": "2024-01-01"}

    def designation(school):
        return {"institution": school.code, "occupation": occ_new.code, "level": "college", "tier": "asean",
                "period_start": 2021, "period_end": 2030, "decision": decision.number}

    def scope(school):
        return {"institution": school.code, "occupation": occ_scope_new.code, "level": "college",
                "annual_quota": 50}

    doc = factories.LegalDocumentFactory()
    return {
        "legal-documents": (doc, doc, {"number": "1/2099/TT-TEST", "kind": "circular", "issuer": "Bộ",
                                       "title_vi": "Thông tư thử"}, None, "title_vi"),
        "provinces": (world.province_a, world.province_b,
                      {"code": "99", "name_vi": "Tỉnh Mới", "region": "south_east"}, None, "name_en"),
        "authorities": (world.authority_a, world.authority_b,
                        {"level": "national", "name_vi": "Bộ Mới"}, None, "name_en"),
        "occupations": (occ_a, occ_b, {"code": "6520123", "name_vi": "Hàn"}, None, "name_en"),
        "institutions": (world.school_a, world.school_b, inst_payload("NEW-A", world.province_a),
                         inst_payload("NEW-B", world.province_b), "phone"),
        "scope": (scope_a, scope_b, scope(world.school_a), scope(world.school_b), "annual_quota"),
        "key-occupations": (des_a, des_b, designation(world.school_a), designation(world.school_b), "note"),
        "teachers": (factories.TeacherFactory(institution=world.school_a),
                     factories.TeacherFactory(institution=world.school_b),
                     teacher(world.school_a), teacher(world.school_b), "field_of_study"),
        "partners": (factories.EnterprisePartnerFactory(institution=world.school_a),
                     factories.EnterprisePartnerFactory(institution=world.school_b),
                     partner(world.school_a), partner(world.school_b), "sector"),
    }


NEW_VALUES = {"title_vi": "Đã sửa", "name_en": "Changed", "phone": "0273 999 999", "annual_quota": 77,
              "note": "Đã sửa", "field_of_study": "Đã sửa", "sector": "Đã sửa"}
REFERENCE = ("legal-documents", "provinces", "authorities", "occupations")
PUBLIC_READ = (*REFERENCE, "institutions", "scope", "key-occupations")

# Expected status per (endpoint group, role, operation, target): "own" = province A / school A, "other" = B.
# Anonymous users are told to authenticate (401); authenticated users are refused (403); rows a user may not
# read at all are not found (404).
EXPECTED = {}
for ep in PUBLIC_READ:
    for role in ROLES:
        EXPECTED[(ep, role, "list", None)] = 200
        EXPECTED[(ep, role, "retrieve", "own")] = 200
        EXPECTED[(ep, role, "retrieve", "other")] = 200
for ep in ("teachers", "partners"):
    EXPECTED |= {
        (ep, "public", "list", None): 401, (ep, "public", "retrieve", "own"): 401,
        (ep, "public", "retrieve", "other"): 401,
        (ep, "admin", "list", None): 200, (ep, "admin", "retrieve", "own"): 200,
        (ep, "admin", "retrieve", "other"): 200,
        (ep, "officer", "list", None): 200, (ep, "officer", "retrieve", "own"): 200,
        (ep, "officer", "retrieve", "other"): 404,
        (ep, "staff", "list", None): 200, (ep, "staff", "retrieve", "own"): 200,
        (ep, "staff", "retrieve", "other"): 404,
    }
WRITES = {
    # endpoint: {role: (create own, create other, update own, update other, delete own, delete other)}
    "legal-documents": {"public": (401,) * 6, "admin": (201, None, 200, 200, 204, 204),
                        "officer": (201, None, 403, 403, 403, 403), "staff": (403, None, 403, 403, 403, 403)},
    # provinces and occupations in use are protected: deleting them is refused with 400 naming the users
    **{ep: {"public": (401,) * 6, "admin": (201, None, 200, 200, 400, 400),
            "officer": (403, None, 403, 403, 403, 403), "staff": (403, None, 403, 403, 403, 403)}
       for ep in ("provinces", "occupations")},
    "authorities": {"public": (401,) * 6, "admin": (201, None, 200, 200, 204, 204),
                    "officer": (403, None, 403, 403, 403, 403), "staff": (403, None, 403, 403, 403, 403)},
    "institutions": {"public": (401,) * 6, "admin": (201, 201, 200, 200, 204, 204),
                     "officer": (201, 403, 200, 403, 403, 403), "staff": (403, 403, 200, 403, 403, 403)},
    **{ep: {"public": (401,) * 6, "admin": (201, 201, 200, 200, 204, 204),
            "officer": (201, 403, 200, 403, 204, 403), "staff": (403, 403, 403, 403, 403, 403)}
       for ep in ("scope", "key-occupations")},
    **{ep: {"public": (401,) * 6, "admin": (201, 201, 200, 200, 204, 204),
            "officer": (403, 403, 403, 403, 403, 403), "staff": (201, 403, 200, 404, 204, 404)}
       for ep in ("teachers", "partners")},
}
OPS = ("create-own", "create-other", "update-own", "update-other", "delete-own", "delete-other")
for ep, by_role in WRITES.items():
    for role, statuses in by_role.items():
        for op, status in zip(OPS, statuses, strict=True):
            if status is not None:
                EXPECTED[(ep, role, *op.split("-"))] = status

CASES = sorted(EXPECTED, key=str)


def _lookup(ep, obj):
    return obj.code if ep in ("provinces", "occupations", "institutions") else obj.pk


def _snapshot(model):
    return sorted((model_to_dict(o) for o in model.objects.all()), key=lambda d: d["id"])


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "role", "operation", "target"), CASES,
                         ids=["-".join(str(p) for p in c if p) for c in CASES])
def test_api_permission_matrix(world, endpoint, role, operation, target):
    objects = _objects(world)
    own, other, payload_own, payload_other, field = objects[endpoint]
    obj = own if target == "own" else other
    model = type(own)
    client = client_for(world.user(role))
    before = _snapshot(model)
    base = f"/api/v1/{endpoint}/"

    if operation == "list":
        response = client.get(base)
    elif operation == "retrieve":
        response = client.get(f"{base}{_lookup(endpoint, obj)}/")
    elif operation == "create":
        response = client.post(base, payload_own if target == "own" else payload_other, format="json")
    elif operation == "update":
        response = client.patch(f"{base}{_lookup(endpoint, obj)}/", {field: NEW_VALUES[field]}, format="json")
    else:
        response = client.delete(f"{base}{_lookup(endpoint, obj)}/")

    expected = EXPECTED[(endpoint, role, operation, target)]
    assert response.status_code == expected, response.content[:400]
    if expected >= 400:
        assert _snapshot(model) == before, "a refused request changed the database"
    elif operation == "update":
        obj.refresh_from_db()
        assert getattr(obj, field) == NEW_VALUES[field]
    elif operation == "delete":
        assert not model.objects.filter(pk=obj.pk).exists()
    elif operation == "create":
        assert len(_snapshot(model)) == len(before) + 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "staff"])
def test_list_shows_only_rows_of_the_users_scope(world, role):
    mine = factories.TeacherFactory(institution=world.school_a)
    sibling = factories.TeacherFactory(institution=world.school_a2)  # same province, other school
    foreign = factories.TeacherFactory(institution=world.school_b)
    names = {t["full_name"] for t in client_for(world.user(role)).get("/api/v1/teachers/").json()["results"]}
    assert mine.full_name in names
    assert foreign.full_name not in names
    assert (sibling.full_name in names) is (role == "officer")


@pytest.mark.django_db
def test_staff_cannot_move_own_teacher_to_another_school(world):
    teacher = factories.TeacherFactory(institution=world.school_a)
    response = client_for(world.staff_a).patch(f"/api/v1/teachers/{teacher.pk}/", {"institution": "SCH-B"},
                                               format="json")
    assert response.status_code == 403
    teacher.refresh_from_db()
    assert teacher.institution == world.school_a


@pytest.mark.django_db
def test_officer_cannot_move_institution_out_of_its_province(world):
    response = client_for(world.officer_a).patch("/api/v1/institutions/SCH-A/", {"province": "31"},
                                                 format="json")
    assert response.status_code == 403
    world.school_a.refresh_from_db()
    assert world.school_a.province == world.province_a


@pytest.mark.django_db
def test_staff_cannot_change_authority_controlled_fields(world):
    response = client_for(world.staff_a).patch("/api/v1/institutions/SCH-A/", {"type": "vet_centre"},
                                               format="json")
    assert response.status_code == 400
    assert "type" in response.json()
    world.school_a.refresh_from_db()
    assert world.school_a.type == choices.InstitutionType.COLLEGE


@pytest.mark.django_db
def test_officer_of_a_merged_province_reaches_the_predecessor_province(world):
    old = factories.ProvinceFactory(code="30", name_vi="Hải Dương", successor=world.province_b,
                                    valid_to=datetime.date(2025, 6, 30))
    school_old = factories.InstitutionFactory(province=old)
    teacher = factories.TeacherFactory(institution=school_old)
    assert client_for(world.officer_b).get(f"/api/v1/teachers/{teacher.pk}/").status_code == 200
    assert client_for(world.officer_a).get(f"/api/v1/teachers/{teacher.pk}/").status_code == 404


@pytest.mark.django_db
def test_officer_of_an_authority_no_longer_in_force_has_no_rights(world):
    world.authority_a.valid_from = datetime.date(2018, 1, 1)
    world.authority_a.valid_to = datetime.date(2025, 2, 28)
    world.authority_a.save()
    teacher = factories.TeacherFactory(institution=world.school_a)
    assert client_for(world.officer_a).get(f"/api/v1/teachers/{teacher.pk}/").status_code == 403


@pytest.mark.django_db
def test_delete_protected_province_names_what_uses_it(world):
    response = client_for(world.admin).delete("/api/v1/provinces/82/")
    assert response.status_code == 400
    assert "institutions" in response.json()["non_field_errors"][0]


@pytest.mark.django_db
def test_delete_unused_occupation_succeeds(world):
    factories.OccupationFactory(code="6340302")
    assert client_for(world.admin).delete("/api/v1/occupations/6340302/").status_code == 204
