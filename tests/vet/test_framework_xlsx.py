"""Accreditation frameworks to and from XLSX: the round trip is identical, a new framework is created, an edited
workbook updates (and removes what it no longer lists), bad cells are named by sheet, row and column, and only
administrators import — in the admin, by command and through the API."""

import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import client_for
from vet import data_services, exports, importers
from vet.loaders import load_accreditation_frameworks
from vet.models import AccreditationFramework, Criterion, Standard

TT14 = "TT14-2024-SCHOOL"


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def framework(db):
    load_accreditation_frameworks()
    return AccreditationFramework.objects.get(code=TT14)


def sheets(content: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(content), sheet_name=None, dtype=str, keep_default_na=False)


def as_upload(content: bytes, name="framework.xlsx") -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def edit(content: bytes, changes) -> bytes:
    book = load_workbook(io.BytesIO(content))
    changes(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def snapshot(framework):
    framework.refresh_from_db()
    fields = {f.name: getattr(framework, f.attname) for f in framework._meta.concrete_fields
              if f.name not in ("id", "created_at", "modified_at", "search_text")}
    criteria = list(Criterion.objects.filter(framework=framework).order_by("number").values_list(
        "number", "name_vi", "name_en", "benchmark_points", "is_core"))
    standards = list(Standard.objects.filter(criterion__framework=framework).order_by("criterion__number", "code")
                     .values_list("criterion__number", "code", "text_vi", "text_en", "typical_evidence", "is_sample"))
    return fields, criteria, standards


def test_export_has_the_sheets_and_the_tree(framework):
    content = exports.framework_xlsx(framework)
    data = sheets(content)
    assert list(data) == ["framework", "criteria", "standards", "instructions"]
    values = dict(zip(data["framework"]["field"], data["framework"]["value"], strict=True))
    assert values["code"] == TT14 and values["document"] == framework.document.number
    assert len(data["criteria"]) == framework.criteria.count()
    assert len(data["standards"]) == Standard.objects.filter(criterion__framework=framework).count()
    assert set(data["standards"]["criterion"]) <= set(data["criteria"]["number"])


def test_round_trip_is_identical(framework):
    before = snapshot(framework)
    content = exports.framework_xlsx(framework)
    workbook = importers.parse_framework(as_upload(content))
    _framework, summary = data_services.import_framework(user=_admin(), workbook=workbook)
    assert (summary.created, summary.updated, summary.removed) == (0, 0, 0)
    assert snapshot(framework) == before
    again = exports.framework_xlsx(framework)
    assert all(sheets(content)[name].equals(sheets(again)[name]) for name in ("framework", "criteria", "standards"))


def _admin():
    from vet.permissions import SYSTEM
    return SYSTEM


def test_a_workbook_with_a_new_code_creates_a_framework_and_edits_update(framework):
    content = exports.framework_xlsx(framework)

    def as_new(book):
        book["framework"]["B2"] = "TT14-COPY"
        book["criteria"]["B2"] = "Tiêu chí đổi tên"
        book["standards"].delete_rows(3)  # the second standard goes
    data_services.import_framework(user=_admin(), workbook=importers.parse_framework(as_upload(edit(content,
                                                                                                     as_new))))
    copy = AccreditationFramework.objects.get(code="TT14-COPY")
    original = snapshot(framework)
    fields, criteria, standards = snapshot(copy)
    assert criteria[0][1] == "Tiêu chí đổi tên"
    assert len(standards) == len(original[2]) - 1
    assert snapshot(framework) == original  # the framework exported is untouched

    # Re-importing the full export over the copy brings the standard back and the name too.
    def rename(book):
        book["framework"]["B2"] = "TT14-COPY"
    _f, summary = data_services.import_framework(user=_admin(), workbook=importers.parse_framework(
        as_upload(edit(content, rename))))
    assert summary.created == 1 and summary.updated == 1
    assert snapshot(copy)[1:] == original[1:]


def test_criteria_and_standards_not_in_the_workbook_are_removed(framework):
    content = exports.framework_xlsx(framework)
    last = framework.criteria.order_by("-number").first()

    def drop_last_criterion(book):
        criteria, standards = book["criteria"], book["standards"]
        criteria.delete_rows(criteria.max_row)
        for row in range(standards.max_row, 1, -1):
            if str(standards.cell(row, 1).value) == str(last.number):
                standards.delete_rows(row)
    _f, summary = data_services.import_framework(
        user=_admin(), workbook=importers.parse_framework(as_upload(edit(content, drop_last_criterion))))
    assert summary.removed >= 1
    assert not Criterion.objects.filter(pk=last.pk).exists()


def test_bad_cells_are_named_by_sheet_row_and_column(framework):
    content = exports.framework_xlsx(framework)

    def spoil(book):
        fw = book["framework"]
        rows = {fw.cell(r, 1).value: r for r in range(2, fw.max_row + 1)}
        fw.cell(rows["target"], 2).value = "university"
        fw.cell(rows["effective_from"], 2).value = "soon"
        fw.cell(rows["min_criterion_share"], 2).value = "-5"
        fw.append(["colour", "blue"])
        book["criteria"].append([1, "Trùng", "", "", "no"])  # duplicate number
        book["criteria"]["E2"] = "maybe"
        book["standards"]["A2"] = 99
        book["standards"]["C3"] = None
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_framework(as_upload(edit(content, spoil)))
    found = {(e.sheet, e.row, e.column) for e in exc_info.value.errors}
    fw_rows = {name: index + 2 for index, name in enumerate(importers.FRAMEWORK_FIELDS)}
    assert found == {
        ("framework", fw_rows["target"], "value"), ("framework", fw_rows["effective_from"], "value"),
        ("framework", fw_rows["min_criterion_share"], "value"), ("framework", len(fw_rows) + 2, "field"),
        ("criteria", framework.criteria.count() + 2, "number"), ("criteria", 2, "is_core"),
        ("standards", 2, "criterion"), ("standards", 3, "text_vi"),
    }
    assert "sheet standards, row 2, column criterion" in str(exc_info.value)


def test_missing_sheets_unknown_document_and_wrong_files(framework):
    def no_standards(book):
        del book["standards"]
    with pytest.raises(importers.ImportRejected, match="sheet is missing"):
        importers.parse_framework(as_upload(edit(exports.framework_xlsx(framework), no_standards)))

    def unknown_document(book):
        book["framework"]["B6"] = "999/2099/TT-X"
    with pytest.raises(importers.ImportRejected) as exc_info:
        importers.parse_framework(as_upload(edit(exports.framework_xlsx(framework), unknown_document)))
    assert {(e.sheet, e.row, e.column) for e in exc_info.value.errors} == {("framework", 6, "value")}
    with pytest.raises(importers.ImportRejected):
        importers.parse_framework(as_upload(b"garbage"))
    with pytest.raises(importers.ImportRejected, match="use .xlsx"):
        importers.parse_framework(as_upload(b"a,b", name="f.csv"))


def test_a_standard_in_use_blocks_the_whole_import(framework, world, monkeypatch):
    content = exports.framework_xlsx(framework)
    before = snapshot(framework)
    from django.core.exceptions import ValidationError

    def refuse(*, user, instance):
        raise ValidationError("Other records still use this standard: ratings.")
    monkeypatch.setattr(data_services, "delete_registry_object", refuse)

    def rename_and_drop(book):
        book["criteria"]["B2"] = "Changed"
        book["standards"].delete_rows(2)
    with pytest.raises(ValidationError):
        data_services.import_framework(user=world.admin, workbook=importers.parse_framework(
            as_upload(edit(content, rename_and_drop))))
    assert snapshot(framework) == before


# ---------------------------------------------------------------------------------------------- commands


def test_commands_round_trip(framework, world, tmp_path):
    path = tmp_path / "tt14.xlsx"
    out = io.StringIO()
    call_command("export_accreditation_framework", TT14, str(path), stdout=out)
    call_command("import_accreditation_framework", str(path), stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
    with pytest.raises(CommandError, match="No accreditation framework"):
        call_command("export_accreditation_framework", "NOPE", str(path))
    with pytest.raises(CommandError, match="may not"):
        call_command("import_accreditation_framework", str(path), "--user", "staff_a")


# ------------------------------------------------------------------------------------------------- admin


def test_admin_buttons_export_and_import(client, world, framework):
    viewset = AccreditationFramework.snippet_viewset
    inspect = reverse(viewset.get_url_name("inspect"), args=(framework.pk,))
    export = reverse(viewset.get_url_name("export"), args=(framework.pk,))
    upload = reverse(viewset.get_url_name("import"))
    client.force_login(world.staff_a)
    html = client.get(inspect).content.decode()
    assert export in html and upload not in html
    assert client.get(export).status_code == 200
    assert client.get(upload).status_code == 403
    client.force_login(world.admin)
    html = client.get(inspect).content.decode()
    assert export in html and upload in html
    content = client.get(export).content

    def spoil(book):
        book["criteria"]["A2"] = "zero"
    response = client.post(upload, {"file": as_upload(edit(content, spoil))})
    assert response.status_code == 400
    assert 'id="import-errors"' in response.content.decode() and "criteria" in response.content.decode()
    response = client.post(upload, {"file": as_upload(content)})
    assert response.status_code == 302 and response["Location"] == inspect


# --------------------------------------------------------------------------------------------------- API


def test_api_export_and_import(world, framework):
    url = f"/api/v1/accreditation-frameworks/{TT14}/export/"
    response = client_for(None).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    content = response.content
    for user in (None, world.staff_a, world.officer_a):
        response = client_for(user).post("/api/v1/accreditation-frameworks/import/",
                                         {"file": as_upload(content)}, format="multipart")
        assert response.status_code in (401, 403)

    def spoil(book):
        book["standards"]["B2"] = None
    admin = client_for(world.admin)
    response = admin.post("/api/v1/accreditation-frameworks/import/", {"file": as_upload(edit(content, spoil))},
                          format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert {"sheet": "standards", "row": 2, "column": "code", "message": "required"} in response.json()["errors"]
    response = admin.post("/api/v1/accreditation-frameworks/import/", {"file": as_upload(content)},
                          format="multipart")
    assert response.status_code == 200 and response.json()["code"] == TT14
    response = admin.post("/api/v1/accreditation-frameworks/import/", {"file": "not a file"}, format="multipart")
    assert response.status_code == 400
