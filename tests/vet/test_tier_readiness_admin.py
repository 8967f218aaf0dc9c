"""The readiness profiles in the Wagtail back-office: everyone logged in reads, administrators write, and every
unconfirmed threshold carries "unconfirmed"."""

import pytest
from django.urls import reverse

from vet.loaders import load_readiness_profiles
from vet.models import ReadinessIndicator, ReadinessProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def loaded(db):
    load_readiness_profiles()


def url(model, view, obj=None):
    return reverse(model.snippet_viewset.get_url_name(view), args=() if obj is None else (obj.pk,))


@pytest.mark.parametrize("role", ["admin", "officer", "staff"])
def test_screens_by_role(client, world, loaded, role):
    client.force_login(world.user(role))
    profile = ReadinessProfile.objects.get(code="NAT-2021")
    indicator = profile.indicators.first()
    assert client.get(url(ReadinessProfile, "list")).status_code == 200
    assert client.get(url(ReadinessProfile, "inspect", profile)).status_code == 200
    assert client.get(url(ReadinessIndicator, "list")).status_code == 200
    expected = 200 if role == "admin" else 403
    assert client.get(url(ReadinessProfile, "edit", profile)).status_code == expected
    assert client.get(url(ReadinessIndicator, "edit", indicator)).status_code == expected


def test_unconfirmed_thresholds_are_labelled(client, world, loaded, django_assert_max_num_queries):
    client.force_login(world.admin)
    profile = ReadinessProfile.objects.get(code="NAT-2021")
    page = client.get(url(ReadinessProfile, "inspect", profile)).content.decode()
    unconfirmed = profile.indicators.filter(confirmed=False).count()
    assert page.count("data-unconfirmed>") == unconfirmed
    assert f"{unconfirmed} thresholds are unconfirmed." in page
    assert "at least: Master" in page and "761/QĐ-TTg" in page
    with django_assert_max_num_queries(40):
        listing = client.get(url(ReadinessIndicator, "list") + "?profile=" + str(profile.pk)).content.decode()
    assert listing.count("data-unconfirmed>") == unconfirmed
