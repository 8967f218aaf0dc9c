"""Yearly outcomes and equipment checklists: XLSX import (every bad cell named, all or nothing, upsert), the
templates, the commands, the admin pages by role (with query counts) and the constraint errors on the fields."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests import factories
from vet import data_services, exports, importers
from vet.models import EquipmentChecklist, EquipmentItem, OccupationOutcome

COLLEGE, INTERMEDIATE = "6520227", "5520227"


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def occupations(db):
    return (factories.OccupationFactory(code=COLLEGE, name_vi="Điện công nghiệp"),
            factories.OccupationFactory(code=INTERMEDIATE, name_vi="Điện công nghiệp"))


def workbook(header, rows, sheet="outcomes") -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def outcome_row(**overrides):
    values = dict(zip(importers.OUTCOME_COLUMNS, ("SCH-A", COLLEGE, "college", 2025, 100, 80, 70, 0, 10, 50, 5, 0,
                                                   "tracer survey"), strict=True))
    values.update(overrides)
    return [values[c] for c in importers.OUTCOME_COLUMNS]


def equipment_row(**overrides):
    values = dict(zip(importers.EQUIPMENT_COLUMNS, ("SCH-A", COLLEGE, "college", "List 1", "Oscilloscope", "set", 10,
                                                     8), strict=True))
    values.update(overrides)
    return [values[c] for c in importers.EQUIPMENT_COLUMNS]


def outcomes_file(*rows):
    return workbook(importers.OUTCOME_COLUMNS, rows)


def equipment_file(*rows):
    return workbook(importers.EQUIPMENT_COLUMNS, rows, sheet="equipment")


def errors_of(exc_info) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in exc_info.value.errors}


# ------------------------------------------------------------------------------------------- importers


@pytest.mark.django_db
def test_outcomes_import_creates_then_updates(world, occupations):
    rows = importers.parse_outcomes(outcomes_file(outcome_row(), outcome_row(year=2024)), user=world.staff_a)
    summary = data_services.import_outcomes(user=world.staff_a, rows=rows)
    assert (summary.created, summary.updated) == (2, 0)
    outcome = OccupationOutcome.objects.get(year=2025)
    assert (outcome.graduates, outcome.employed_6m, outcome.skill_level_3, outcome.source) == (80, 70, 50,
                                                                                            "tracer survey")
    assert outcome.history.first().history_user == world.staff_a
    rows = importers.parse_outcomes(outcomes_file(outcome_row(graduates=90), outcome_row(year=2024)),
                                    user=world.staff_a)
    summary = data_services.import_outcomes(user=world.staff_a, rows=rows)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert OccupationOutcome.objects.get(year=2025).graduates == 90
    assert OccupationOutcome.objects.count() == 2


@pytest.mark.django_db
def test_outcomes_import_names_every_bad_cell(world, occupations):
    factories.OccupationFactory(code="6999999")
    file = outcomes_file(
        outcome_row(),                                       # 2: fine
        outcome_row(institution_code="NOPE"),                # 3
        outcome_row(institution_code="SCH-B"),               # 4: not staff_a's school
        outcome_row(occupation_code="6000000"),              # 5: unknown code
        outcome_row(level="intermediate"),                   # 6: a college code at intermediate level
        outcome_row(year="20x5"),                            # 7
        outcome_row(employed_6m=81),                         # 8: more employed than graduates
        outcome_row(skill_level_1=40, skill_level_2=40, skill_level_3=1, skill_level_4=0, skill_level_5=0,
                    year=2023),                              # 9: 81 at skill levels > 80 graduates
        outcome_row(graduates=-1, employed_6m=0, skill_level_2=0, skill_level_3=0, skill_level_4=0,
                    year=2022),                              # 10
        outcome_row(),                                       # 11: duplicate of row 2
        outcome_row(level="university", year=2021),          # 12
    )
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_outcomes(file, user=world.staff_a)
    assert errors_of(exc_info) == {
        (3, "institution_code"), (4, "institution_code"), (5, "occupation_code"), (6, "level"), (7, "year"),
        (8, "employed_6m"), (9, "skill_level_1"), (10, "graduates"), (11, "year"), (12, "level"),
    }
    messages = {(e.row, e.column): e.message for e in exc_info.value.errors}
    assert "duplicate of row 2" in messages[(11, "year")]
    assert "6520227 is a College code" in messages[(6, "level")]
    assert OccupationOutcome.objects.count() == 0


@pytest.mark.django_db
def test_outcomes_import_missing_columns_and_empty_file(world, occupations):
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_outcomes(workbook(("institution_code", "year"), [("SCH-A", 2025)]), user=world.staff_a)
    assert errors_of(exc_info) == {(1, "occupation_code"), (1, "level")}
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_outcomes(outcomes_file(), user=world.staff_a)
    assert "no data rows" in str(exc_info.value)
    garbage = io.BytesIO(b"not a workbook")
    with pytest.raises(importers.ImportRejected):
        importers.parse_outcomes(garbage, user=world.staff_a, filename="x.xlsx")
    with pytest.raises(importers.ImportRejected):
        importers.parse_outcomes(garbage, user=world.staff_a, filename="x.pdf")


@pytest.mark.django_db
def test_officers_import_nothing(world, occupations):
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_outcomes(outcomes_file(outcome_row()), user=world.officer_a)
    assert errors_of(exc_info) == {(2, "institution_code")}


@pytest.mark.django_db
def test_vietnamese_headers_and_csv_are_accepted(world, occupations):
    header = [importers.HEADERS_VI[c] for c in importers.OUTCOME_COLUMNS]
    rows = importers.parse_outcomes(workbook(header, [outcome_row(level="cao đẳng")]), user=world.staff_a)
    assert rows[0].level == "college"
    csv = io.BytesIO(("\ufeff" + ",".join(importers.OUTCOME_COLUMNS) + "\n"
                      + ",".join(str(v) for v in outcome_row()) + "\n").encode())
    rows = importers.parse_outcomes(csv, user=world.staff_a, filename="outcomes.csv")
    assert rows[0].year == 2025


@pytest.mark.django_db
def test_equipment_import_groups_items_into_checklists_and_upserts(world, occupations):
    file = equipment_file(equipment_row(), equipment_row(item="Multimeter", required=20, held=20),
                          equipment_row(occupation_code=INTERMEDIATE, level="intermediate", item="Multimeter"))
    lists, items = data_services.import_equipment(user=world.staff_a,
                                                  rows=importers.parse_equipment(file, user=world.staff_a))
    assert (lists.created, items.created) == (2, 3)
    checklist = EquipmentChecklist.objects.get(occupation__code=COLLEGE)
    assert checklist.reference == "List 1"
    assert sorted(checklist.items.values_list("name", "held_quantity")) == [("Multimeter", 20), ("Oscilloscope", 8)]
    file = equipment_file(equipment_row(held=10), equipment_row(item="Soldering station", required=5, held=""))
    lists, items = data_services.import_equipment(user=world.staff_a,
                                                  rows=importers.parse_equipment(file, user=world.staff_a))
    assert (lists.created, items.created, items.updated) == (0, 1, 1)
    assert checklist.items.count() == 3  # the multimeter not in the file is left alone
    assert checklist.items.get(name="Oscilloscope").is_held_in_full
    assert checklist.items.get(name="Soldering station").held_quantity == 0


@pytest.mark.django_db
def test_equipment_import_names_every_bad_cell(world, occupations):
    file = equipment_file(
        equipment_row(),                                     # 2
        equipment_row(item=""),                              # 3
        equipment_row(item="A", required=0),                 # 4
        equipment_row(item="B", held=-2),                    # 5
        equipment_row(item="oscilloscope"),                  # 6: duplicate item of row 2
        equipment_row(item="C", reference="Other list"),     # 7: another reference for the same checklist
        equipment_row(item="D", unit="u" * 41),              # 8
        equipment_row(item="E", institution_code="SCH-B"),   # 9
    )
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_equipment(file, user=world.staff_a)
    assert errors_of(exc_info) == {(3, "item"), (4, "required"), (5, "held"), (6, "item"), (7, "reference"),
                                   (8, "unit"), (9, "institution_code")}
    assert EquipmentChecklist.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_row_leaves_nothing_written(world, occupations, monkeypatch):
    rows = importers.parse_outcomes(outcomes_file(outcome_row(), outcome_row(year=2024)), user=world.staff_a)
    # The school loses staff_a between the check and the write: the second row is refused, the first rolled back.
    original = data_services.save_registry_object
    calls = []

    def save(*, user, instance):
        calls.append(instance)
        if len(calls) == 2:
            from django.core.exceptions import ValidationError
            raise ValidationError("refused")
        return original(user=user, instance=instance)

    monkeypatch.setattr(data_services, "save_registry_object", save)
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as exc_info:
        data_services.import_outcomes(user=world.staff_a, rows=rows)
    assert "row 3" in exc_info.value.message_dict
    assert OccupationOutcome.objects.count() == 0


def test_templates_have_the_columns_and_instructions(db, english):
    for content, sheet, columns in ((exports.outcomes_template_xlsx(), "outcomes", importers.OUTCOME_COLUMNS),
                                    (exports.equipment_template_xlsx(), "equipment", importers.EQUIPMENT_COLUMNS)):
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames == [sheet, "instructions"]
        assert tuple(c.value for c in book[sheet][1]) == columns
        text = " ".join(str(c.value) for row in book["instructions"].iter_rows() for c in row if c.value)
        assert "nothing is written" in text
        assert all(c in text for c in columns)


# ------------------------------------------------------------------------------------------------ models


@pytest.mark.django_db
def test_constraint_errors_are_on_the_fields(world, occupations):
    from django.core.exceptions import ValidationError

    outcome = OccupationOutcome(institution=world.school_a, occupation=occupations[0], level="intermediate",
                                year=2025, graduates=10, employed_6m=11, skill_level_1=11)
    with pytest.raises(ValidationError) as exc_info:
        outcome.full_clean()
    errors = exc_info.value.message_dict
    assert errors["employed_6m"] == ["More graduates employed than graduated."]
    assert errors["graduates"] == ["More graduates at a skill level than graduated."]
    assert "level" in errors


# ---------------------------------------------------------------------------------------------- commands


@pytest.mark.django_db
def test_commands_import_and_reject(world, occupations, tmp_path):
    path = tmp_path / "outcomes.xlsx"
    path.write_bytes(outcomes_file(outcome_row()).getvalue())
    out = io.StringIO()
    call_command("import_outcomes", str(path), stdout=out)
    assert "1 created" in out.getvalue()
    path.write_bytes(outcomes_file(outcome_row(employed_6m=99)).getvalue())
    with pytest.raises(CommandError, match="row 2, column employed_6m"):
        call_command("import_outcomes", str(path))
    with pytest.raises(CommandError, match="institution_code"):
        call_command("import_outcomes", str(path), "--user", "staff_b")
    path = tmp_path / "equipment.xlsx"
    path.write_bytes(equipment_file(equipment_row()).getvalue())
    call_command("import_equipment", str(path), stdout=out)
    assert EquipmentItem.objects.count() == 1
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_equipment", str(tmp_path / "missing.xlsx"))


# ------------------------------------------------------------------------------------------------- admin


def admin_url(model, view, obj=None):
    args = () if obj is None else (obj.pk,)
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


@pytest.fixture
def recorded(world, occupations):
    outcome_a = OccupationOutcome.objects.create(institution=world.school_a, occupation=occupations[0],
                                                 level="college", year=2025, graduates=10, employed_6m=8)
    outcome_b = OccupationOutcome.objects.create(institution=world.school_b, occupation=occupations[0],
                                                 level="college", year=2025, graduates=10, employed_6m=8)
    checklist = EquipmentChecklist.objects.create(institution=world.school_a, occupation=occupations[0],
                                                  level="college", reference="List 1")
    EquipmentItem.objects.create(checklist=checklist, name="Oscilloscope", required_quantity=10, held_quantity=8)
    EquipmentItem.objects.create(checklist=checklist, name="Multimeter", required_quantity=5, held_quantity=5)
    return outcome_a, outcome_b, checklist


@pytest.mark.django_db
@pytest.mark.parametrize("role, may_edit, may_read", [
    ("staff", True, True), ("officer", False, True), ("admin", True, True)])
def test_admin_pages_by_role(client, world, recorded, role, may_edit, may_read):
    outcome_a, outcome_b, checklist = recorded
    client.force_login(world.user(role))
    listing = client.get(admin_url(OccupationOutcome, "list"))
    assert listing.status_code == 200
    listed = {o.pk for o in listing.context["object_list"]}
    assert listed == ({outcome_a.pk, outcome_b.pk} if role == "admin" else {outcome_a.pk})
    assert client.get(admin_url(OccupationOutcome, "edit", outcome_a)).status_code == (200 if may_edit else 403)
    assert client.get(admin_url(OccupationOutcome, "inspect", outcome_a)).status_code == 200
    page = client.get(admin_url(EquipmentChecklist, "inspect", checklist))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Oscilloscope" in html and "1 of 2 items held in full" in html
    assert ("Add an item" in html) == may_edit
    assert client.get(admin_url(OccupationOutcome, "import")).status_code == (200 if may_edit else 403)


@pytest.mark.django_db
def test_staff_of_another_school_cannot_open_the_row(client, world, recorded):
    client.force_login(world.staff_b)
    assert client.get(admin_url(OccupationOutcome, "inspect", recorded[0])).status_code in (403, 404)
    assert client.get(admin_url(EquipmentChecklist, "inspect", recorded[2])).status_code in (403, 404)


@pytest.mark.django_db
def test_admin_form_shows_constraint_errors_on_the_fields(client, world, recorded):
    outcome = recorded[0]
    client.force_login(world.staff_a)
    data = {"institution": world.school_a.pk, "occupation": outcome.occupation.pk, "level": "college",
            "year": 2025, "enrolment": 10, "graduates": 10, "employed_6m": 12, "skill_level_1": 11,
            "skill_level_2": 0, "skill_level_3": 0, "skill_level_4": 0, "skill_level_5": 0, "source": ""}
    response = client.post(admin_url(OccupationOutcome, "edit", outcome), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["employed_6m"] == ["More graduates employed than graduated."]
    assert form.errors["graduates"] == ["More graduates at a skill level than graduated."]
    outcome.refresh_from_db()
    assert outcome.employed_6m == 8


@pytest.mark.django_db
def test_add_item_starts_with_its_checklist(client, world, recorded):
    checklist = recorded[2]
    client.force_login(world.staff_a)
    response = client.get(admin_url(EquipmentItem, "add") + f"?checklist={checklist.pk}")
    assert response.status_code == 200
    assert response.context["form"].instance.checklist_id == checklist.pk
    response = client.post(admin_url(EquipmentItem, "add") + f"?checklist={checklist.pk}",
                           {"checklist": checklist.pk, "name": "Bench", "unit": "piece", "required_quantity": 2,
                            "held_quantity": 1})
    assert response.status_code == 302
    assert checklist.items.filter(name="Bench").exists()
    assert client.get(admin_url(EquipmentItem, "add") + "?checklist=99999999999999999999").status_code == 200


@pytest.mark.django_db
def test_admin_import_page_shows_the_error_table(client, world, occupations):
    client.force_login(world.staff_a)
    url = admin_url(OccupationOutcome, "import")
    response = client.post(url, {"file": outcomes_file(outcome_row(employed_6m=99), outcome_row(year=1990))})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="import-errors"' in html and "employed_6m" in html and "must be between 2000 and 2100" in html
    assert OccupationOutcome.objects.count() == 0
    response = client.post(url, {"file": outcomes_file(outcome_row())})
    assert response.status_code == 302
    assert OccupationOutcome.objects.count() == 1
    response = client.post(admin_url(EquipmentChecklist, "import"), {"file": equipment_file(equipment_row())})
    assert response.status_code == 302
    assert EquipmentItem.objects.count() == 1
    response = client.get(admin_url(EquipmentChecklist, "template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.django_db
def test_admin_lists_do_not_grow_queries_with_rows(client, world, occupations, django_assert_max_num_queries):
    for year in range(2000, 2020):
        OccupationOutcome.objects.create(institution=world.school_a, occupation=occupations[0], level="college",
                                         year=year)
    for n in range(10):
        checklist = EquipmentChecklist.objects.create(
            institution=world.school_a, occupation=factories.OccupationFactory(code=f"66{n:05d}"), level="college")
        EquipmentItem.objects.create(checklist=checklist, name="x", required_quantity=1)
    client.force_login(world.staff_a)
    for model in (OccupationOutcome, EquipmentChecklist, EquipmentItem):
        client.get(admin_url(model, "list"))  # warm caches (menus, sessions)
        with django_assert_max_num_queries(25):
            assert client.get(admin_url(model, "list")).status_code == 200
