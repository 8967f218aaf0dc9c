"""Every API list also answers as CSV and XLSX, with the same rows and permissions as its JSON."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_api_list_as_csv_and_xlsx_flattens_and_keeps_the_permissions(world):
    factories.TeacherFactory(institution=world.school_a, full_name="Nguyễn Văn Ánh")
    factories.TeacherFactory(institution=world.school_b, full_name="Trần Thị Bích")
    client = client_for(world.officer_a)
    as_json = client.get("/api/v1/teachers/").json()
    response = client.get("/api/v1/teachers/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["full_name"] for r in rows] == [t["full_name"] for t in as_json["results"]] == ["Nguyễn Văn Ánh"]
    response = client.get("/api/v1/teachers/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("full_name") + 1).value == "Nguyễn Văn Ánh"


def test_api_csv_of_a_paginated_list_links_the_next_page(world):
    for index in range(3):
        factories.TeacherFactory(institution=world.school_a, full_name=f"Giáo viên {index}")
    response = client_for(world.officer_a).get("/api/v1/teachers/", {"format": "csv", "page_size": 2})
    assert "rel=\"next\"" in response["Link"]
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == 2


def test_deletions_feed_lists_deleted_rows_since_a_date_without_their_content(world):
    import datetime

    from django.utils import timezone

    from vet import services

    before = timezone.now() - datetime.timedelta(seconds=1)
    entry = factories.ScopeEntryFactory(institution=world.school_a)
    teacher = factories.TeacherFactory(institution=world.school_a)
    entry_pk, teacher_pk = entry.pk, teacher.pk
    services.delete_registry_object(user=world.admin, instance=entry)
    services.delete_registry_object(user=world.admin, instance=teacher)
    public = client_for(None).get("/api/v1/deletions/", {"since": before.isoformat()}).json()
    deleted = [{k: r[k] for k in ("model", "id")} for r in public["results"]]
    assert {"model": "vet.scopeentry", "id": entry_pk} in deleted
    assert all(r["model"] != "vet.teacher" for r in public["results"])  # not a public model
    officer = client_for(world.officer_a).get("/api/v1/deletions/", {"since": before.isoformat()}).json()
    assert {"vet.scopeentry", "vet.teacher"} <= {r["model"] for r in officer["results"]}
    assert teacher_pk in [r["id"] for r in officer["results"] if r["model"] == "vet.teacher"]
    later = client_for(None).get("/api/v1/deletions/", {"since": timezone.now().isoformat()}).json()
    assert later["results"] == [] and later["truncated"] is False
    assert client_for(None).get("/api/v1/deletions/").status_code == 400


def test_api_xlsx_drops_control_characters_excel_refuses(world):
    factories.TeacherFactory(institution=world.school_a, full_name="Lê\x15 Văn Tám")
    response = client_for(world.officer_a).get("/api/v1/teachers/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("full_name") + 1).value == "Lê Văn Tám"
