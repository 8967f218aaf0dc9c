"""Every registry list in the back-office downloads as CSV and XLSX, with the rows the user may see only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_teacher_list_exports_csv_with_labels_and_only_the_officers_province(client, world):
    from tests import factories

    factories.TeacherFactory(institution=world.school_a, full_name="Nguyễn Văn Ánh", degree="master")
    factories.TeacherFactory(institution=world.school_b, full_name="Trần Thị Bích")
    client.force_login(world.officer_a)
    response = client.get(reverse("wagtailsnippets_vet_teacher:list"), {"export": "csv"})
    assert response.status_code == 200
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "Nguyễn Văn Ánh" in text and "Trần Thị Bích" not in text  # the officer's province only
    assert len(rows) == 2
    assert "master" not in rows[1]  # choices by their label, not their code
    assert rows[0][-1] and rows[0][-1] != "modified_at"  # translated headings, the last change last


def test_every_registry_list_exports_xlsx(client, world):
    from vet.wagtail_hooks import RegistryViewSetGroup

    client.force_login(world.admin)
    for viewset_class in RegistryViewSetGroup.items:
        model = viewset_class.model
        url = reverse(f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:list")
        response = client.get(url, {"export": "xlsx"})
        assert response.status_code == 200, model
        book = load_workbook(io.BytesIO(_body(response)))
        assert book.active.max_row >= 1, model
