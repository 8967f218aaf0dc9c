"""The published catalogue as open data, JSON and CSV, with its licence; drafts never in it."""

import csv
import io

import pytest

from cms import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    version = factories.ApprovedCurriculumVersionFactory()
    curriculum = version.curriculum  # its factory registers the scope entry too
    draft = factories.CurriculumVersionFactory()  # never published
    services.sync_public_pages()
    return curriculum, draft.curriculum


def test_open_data_json_lists_published_programs_with_the_licence(client, published, settings):
    curriculum, draft = published
    data = client.get("/open-data/programs.json").json()
    assert data["licence"] == {"name": settings.VETTRACK_OPEN_DATA_LICENCE,
                               "url": settings.VETTRACK_OPEN_DATA_LICENCE_URL}
    assert [p["occupation_code"] for p in data["programs"]] == [curriculum.occupation.code]
    program = data["programs"][0]
    assert program["url_vi"].startswith("http://testserver/chuong-trinh/")
    assert program["url_en"].startswith("http://testserver/en/programs/")
    assert program["institution_code"] == curriculum.institution.code


def test_open_data_csv_has_the_same_rows_and_links_the_licence(client, published):
    response = client.get("/open-data/programs.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["occupation_code"] for r in rows] == [published[0].occupation.code]


def test_open_data_other_formats_are_not_found(client):
    assert client.get("/open-data/programs.xml").status_code == 404
