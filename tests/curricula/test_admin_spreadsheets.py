"""The version page's spreadsheet actions and its skill-standard coverage summary."""

import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from curricula import services
from curricula.importers import COMPONENT_COLUMNS
from curricula.models import CurriculumComponent
from tests import factories
from tests.curricula.test_admin import curriculum, curriculum_rules, occupation, version
from tests.curricula.test_spreadsheets import GOOD, state, workbook_bytes

__all__ = ["curriculum", "curriculum_rules", "occupation", "version"]  # fixtures shared with the admin tests

VERSION = "wagtailsnippets_curricula_curriculumversion"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def upload(client, user, version, content: io.BytesIO, name="components.xlsx"):
    client.force_login(user)
    content.name = name
    return client.post(reverse(f"{VERSION}:import", args=(version.pk,)), {"file": content})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("who", "status"), [("staff_a", 200), ("officer_a", 200), ("admin", 200),
                                             ("staff_b", 403), ("officer_b", 403)])
def test_export_is_for_those_who_see_the_version(client, world, version, who, status):
    client.force_login(getattr(world, who))
    response = client.get(reverse(f"{VERSION}:export", args=(version.pk,)))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == XLSX
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["components"]
        assert sheet.max_row == 1 + version.components.count()


def test_template_downloads(client, world):
    client.force_login(world.staff_a)
    response = client.get(reverse(f"{VERSION}:template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["components"]
    assert [c.value for c in sheet[1]] == list(COMPONENT_COLUMNS)


def test_import_by_staff_replaces_the_components(client, world, version):
    response = upload(client, world.staff_a, version, workbook_bytes([GOOD[0], GOOD[1]]))
    assert response.status_code == 302
    assert sorted(version.components.values_list("code", flat=True)) == ["MH01", "MĐ07"]
    assert any("imported" in m and "removed" in m for m in messages_of(response))


def test_import_of_a_bad_file_lists_row_and_column_and_writes_nothing(client, world, version):
    before = state(version)
    bad = ["MĐ22", "module", "Đo lường", "", "advanced", "yes", 2, 15, 30, 0, 0, ""]
    response = upload(client, world.staff_a, version, workbook_bytes([GOOD[0], bad]))
    assert response.status_code == 302 and state(version) == before
    shown = messages_of(response)
    assert "nothing was written" in shown[0]
    assert any("row 3, column group" in m for m in shown)


@pytest.mark.parametrize("who", ["officer_a", "staff_b"])
def test_import_refused_to_others(client, world, version, who):
    before = state(version)
    assert upload(client, getattr(world, who), version, workbook_bytes([GOOD[0]])).status_code == 403
    assert state(version) == before


def test_import_into_a_submitted_version_is_refused_with_the_reason(client, world, version):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    before = state(version)
    response = upload(client, world.staff_a, version, workbook_bytes([GOOD[0]]))
    assert state(version) == before
    assert any("can no longer be edited" in m for m in messages_of(response))


def test_version_page_shows_coverage_per_mapped_framework(client, world, version):
    framework = factories.SkillFrameworkFactory(code="FW-X", is_sample=True)
    units = [factories.SkillUnitFactory(framework=framework, code=f"U{i}") for i in range(4)]
    component = CurriculumComponent.objects.filter(version=version).first()
    services.map_component_to_unit(user=world.staff_a, component=component, unit=units[0])
    client.force_login(world.officer_a)
    html = client.get(reverse(f"{VERSION}:inspect", args=(version.pk,))).content.decode()
    assert "FW-X" in html and "25.0 %" in html and "3 / 4" in html
    assert reverse("curricula_version_mapping", args=(version.pk,)) in html
    assert reverse(f"{VERSION}:export", args=(version.pk,)) in html
    assert reverse(f"{VERSION}:import", args=(version.pk,)) not in html  # officers read; they do not import
