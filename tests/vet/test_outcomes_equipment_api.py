"""API of yearly outcomes, equipment checklists and items: scoped reads, writes by the school's staff only,
constraint errors on the fields, filters, the import/template actions, and lists without N+1 queries."""

import io

import pytest
from openpyxl import Workbook

from tests import factories
from tests.conftest import client_for
from vet import importers
from vet.models import EquipmentChecklist, EquipmentItem, OccupationOutcome

COLLEGE = "6520227"


@pytest.fixture
def occupation(db):
    return factories.OccupationFactory(code=COLLEGE)


@pytest.fixture
def recorded(world, occupation):
    a = OccupationOutcome.objects.create(institution=world.school_a, occupation=occupation, level="college",
                                         year=2025, graduates=10, employed_6m=8)
    b = OccupationOutcome.objects.create(institution=world.school_b, occupation=occupation, level="college",
                                         year=2024, graduates=10, employed_6m=8)
    checklist = EquipmentChecklist.objects.create(institution=world.school_a, occupation=occupation, level="college")
    EquipmentItem.objects.create(checklist=checklist, name="Oscilloscope", required_quantity=10, held_quantity=8)
    return a, b, checklist


def outcome_body(**overrides):
    body = {"institution": "SCH-A", "occupation": COLLEGE, "level": "college", "year": 2023, "graduates": 20,
            "employed_6m": 15, "skill_level_3": 10}
    body.update(overrides)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("role, expected", [("public", None), ("staff", {"SCH-A"}), ("officer", {"SCH-A"}),
                                            ("admin", {"SCH-A", "SCH-B"})])
def test_outcome_reads_are_scoped(world, recorded, role, expected):
    response = client_for(world.user(role)).get("/api/v1/outcomes/")
    if expected is None:
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    assert {row["institution"] for row in response.json()["results"]} == expected


@pytest.mark.django_db
def test_outcome_writes_by_staff_only_and_errors_on_fields(world, recorded):
    staff = client_for(world.staff_a)
    response = staff.post("/api/v1/outcomes/", outcome_body(), format="json")
    assert response.status_code == 201, response.json()
    assert client_for(world.officer_a).post("/api/v1/outcomes/", outcome_body(year=2022),
                                            format="json").status_code == 403
    assert client_for(world.staff_b).post("/api/v1/outcomes/", outcome_body(year=2022),
                                          format="json").status_code == 403
    response = staff.post("/api/v1/outcomes/", outcome_body(year=2021, employed_6m=21), format="json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["employed_6m"] == ["More graduates employed than graduated."]
    response = staff.post("/api/v1/outcomes/", outcome_body(), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400  # same institution, occupation, level and year
    pk = recorded[0].pk
    assert staff.patch(f"/api/v1/outcomes/{pk}/", {"graduates": 12}, format="json").status_code == 200
    assert staff.delete(f"/api/v1/outcomes/{pk}/").status_code == 204
    assert client_for(world.staff_a).get(f"/api/v1/outcomes/{recorded[1].pk}/").status_code == 404


@pytest.mark.django_db
def test_outcome_filters(world, recorded):
    admin = client_for(world.admin)
    assert admin.get("/api/v1/outcomes/?institution=SCH-B").json()["count"] == 1
    assert admin.get("/api/v1/outcomes/?year=2025").json()["count"] == 1
    assert admin.get(f"/api/v1/outcomes/?occupation={COLLEGE}").json()["count"] == 2
    assert admin.get("/api/v1/outcomes/?year=abc").status_code == 400


@pytest.mark.django_db
def test_checklists_with_items_and_the_items_resource(world, recorded):
    checklist = recorded[2]
    staff = client_for(world.staff_a)
    data = staff.get(f"/api/v1/equipment-checklists/{checklist.pk}/").json()
    assert [(i["name"], i["is_held_in_full"]) for i in data["items"]] == [("Oscilloscope", False)]
    response = staff.post("/api/v1/equipment-items/", {"checklist": checklist.pk, "name": "Multimeter",
                                                       "required_quantity": 3, "held_quantity": 3}, format="json")
    assert response.status_code == 201, response.json()
    assert client_for(world.officer_a).post("/api/v1/equipment-items/", {
        "checklist": checklist.pk, "name": "Bench", "required_quantity": 1}, format="json").status_code == 403
    response = client_for(world.staff_b).post("/api/v1/equipment-items/", {
        "checklist": checklist.pk, "name": "Bench", "required_quantity": 1}, format="json")
    assert response.status_code == 400  # a checklist staff_b cannot see does not exist for them
    for bad in (0, -1, 2**70, "x", True):
        response = staff.post("/api/v1/equipment-items/", {"checklist": bad, "name": "Bench",
                                                           "required_quantity": 1}, format="json")
        assert response.status_code == 400
    assert staff.get(f"/api/v1/equipment-items/?checklist={checklist.pk}").json()["count"] == 2
    response = staff.post("/api/v1/equipment-checklists/", {"institution": "SCH-A", "occupation": COLLEGE,
                                                            "level": "intermediate"}, format="json")
    assert response.status_code == 400 and "level" in response.json()


def upload(columns, rows, sheet):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(columns))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = f"{sheet}.xlsx"
    return buffer


@pytest.mark.django_db
def test_import_and_template_actions(world, occupation):
    staff = client_for(world.staff_a)
    template = staff.get("/api/v1/outcomes/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    assert staff.get("/api/v1/equipment-checklists/template/").status_code == 200
    good = ["SCH-A", COLLEGE, "college", 2025, 100, 80, 70, 0, 0, 0, 0, 0, "survey"]
    bad = ["SCH-A", COLLEGE, "college", 2024, 100, 80, 90, 0, 0, 0, 0, 0, ""]
    response = staff.post("/api/v1/outcomes/import/", {"file": upload(importers.OUTCOME_COLUMNS, [good, bad],
                                                                      "outcomes")},
                          format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "employed_6m")]
    assert OccupationOutcome.objects.count() == 0
    response = staff.post("/api/v1/outcomes/import/", {"file": upload(importers.OUTCOME_COLUMNS, [good],
                                                                      "outcomes")}, format="multipart")
    assert response.status_code == 200 and response.json() == {"rows": 1, "created": 1, "updated": 0,
                                                               "unchanged": 0}
    assert client_for(world.officer_a).post("/api/v1/outcomes/import/", {"file": upload(
        importers.OUTCOME_COLUMNS, [good], "outcomes")}, format="multipart").status_code == 403
    row = ["SCH-A", COLLEGE, "college", "List", "Oscilloscope", "set", 4, 4]
    response = staff.post("/api/v1/equipment-checklists/import/", {"file": upload(
        importers.EQUIPMENT_COLUMNS, [row], "equipment")}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["items"]["created"] == 1
    garbage = io.BytesIO(b"\x00\x01garbage")
    garbage.name = "x.xlsx"
    assert staff.post("/api/v1/outcomes/import/", {"file": garbage}, format="multipart").status_code == 400


@pytest.mark.django_db
def test_lists_do_not_grow_queries_with_rows(world, occupation, django_assert_max_num_queries):
    for n in range(15):
        other = factories.OccupationFactory(code=f"66{n:05d}")
        OccupationOutcome.objects.create(institution=world.school_a, occupation=other, level="college", year=2025)
        checklist = EquipmentChecklist.objects.create(institution=world.school_a, occupation=other, level="college")
        EquipmentItem.objects.create(checklist=checklist, name="x", required_quantity=1)
        EquipmentItem.objects.create(checklist=checklist, name="y", required_quantity=1)
    staff = client_for(world.staff_a)
    for url in ("/api/v1/outcomes/", "/api/v1/equipment-checklists/", "/api/v1/equipment-items/"):
        with django_assert_max_num_queries(8):
            response = staff.get(url)
        assert response.status_code == 200 and response.json()["count"] == 15 * (2 if "items" in url else 1)
