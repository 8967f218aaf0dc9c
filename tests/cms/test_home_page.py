"""The site root is VETtrack's home page, in Vietnamese by default and in English on request."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_home_page_shows_registry_counts_in_vietnamese(client):
    factories.InstitutionFactory(type="vet_centre")
    factories.KeyOccupationDesignationFactory(tier="asean")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Trung tâm giáo dục nghề nghiệp" in html  # VET centre
    assert "ASEAN" in html


def test_home_page_in_english(client):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Key occupations by tier" in html
