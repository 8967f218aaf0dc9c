"""Curriculum spreadsheets through the API: export, template, import (all or nothing)."""

import io

import openpyxl
import pytest

from curricula import services
from curricula.choices import VersionStatus as S
from curricula.importers import COMPONENT_COLUMNS
from curricula.models import CurriculumComponent
from tests.conftest import client_for
from tests.curricula.test_spreadsheets import GOOD, curriculum, curriculum_rules, state, version, workbook_bytes

__all__ = ["curriculum", "curriculum_rules", "version"]  # fixtures shared with the service tests

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, version, content: io.BytesIO, name="components.xlsx"):
    content.name = name
    return client.post(f"/api/v1/curriculum-versions/{version.pk}/import/", {"file": content}, format="multipart")


def test_export_answers_a_workbook_that_imports_back_unchanged(world, version, curriculum_rules):
    response = client_for(world.staff_a).get(f"/api/v1/curriculum-versions/{version.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    before = state(version)
    answer = upload(client_for(world.staff_a), version, io.BytesIO(response.content))
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"rows": 3, "created": 0, "updated": 0, "removed": 0, "unchanged": 3}
    assert state(version) == before


def test_template_is_public_and_has_the_import_columns(api):
    response = api.get("/api/v1/curriculum-versions/template/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["components"]
    assert [c.value for c in sheet[1]] == list(COMPONENT_COLUMNS)


def test_import_replaces_the_draft_components(world, version, curriculum_rules):
    rows = [GOOD[0], GOOD[1], ["MĐ21", "module", "Tự động hoá", "Automation", "specialised", "yes", 3, 30, 60, 0,
                               0, ""]]
    answer = upload(client_for(world.staff_a), version, workbook_bytes(rows))
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"rows": 3, "created": 1, "updated": 0, "removed": 1, "unchanged": 2}
    assert sorted(version.components.values_list("code", flat=True)) == ["MH01", "MĐ07", "MĐ21"]


def test_import_rejects_a_bad_file_naming_row_and_column_and_writes_nothing(world, version, curriculum_rules,
                                                                          english):
    rows = [GOOD[0], ["MĐ07", "module", "Trùng mã", "", "specialised", "yes", 2, 15, 30, 0, 0, ""],
            ["MĐ22", "module", "Đo lường", "", "advanced", "yes", 2, 15, -30, 0, 0, ""]]
    before = state(version)
    answer = upload(client_for(world.staff_a), version, workbook_bytes([GOOD[1], *rows]))
    assert answer.status_code == 400
    body = answer.json()
    assert "nothing was written" in body["detail"]
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(4, "code"), (5, "group"), (5, "practice_hours")}
    assert state(version) == before


def test_import_refuses_a_frozen_version_and_other_users(world, version, curriculum_rules, english):
    before = state(version)
    assert upload(client_for(None), version, workbook_bytes([GOOD[0]])).status_code == 401
    assert upload(client_for(world.staff_b), version, workbook_bytes([GOOD[0]])).status_code == 404
    assert upload(client_for(world.officer_a), version, workbook_bytes([GOOD[0]])).status_code == 403
    assert state(version) == before
    type(version).objects.filter(pk=version.pk).update(status=S.SUBMITTED)
    answer = upload(client_for(world.staff_a), version, workbook_bytes([GOOD[0]]))
    assert answer.status_code == 400 and "can no longer be edited" in str(answer.json())
    assert state(version) == before


@pytest.mark.parametrize("name", ["components.pdf", "components.xlsx"])
def test_import_rejects_an_unreadable_file(world, version, curriculum_rules, name):
    answer = upload(client_for(world.staff_a), version, io.BytesIO(b"not a spreadsheet"), name=name)
    assert answer.status_code == 400 and answer.json()["errors"]
    assert CurriculumComponent.objects.filter(version=version).count() == 3
    assert services.credit_rules_for(version)  # the rules in force were looked up, not skipped
