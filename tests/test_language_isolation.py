"""A test that switches the default language must not leave other tests with stale language URL prefixes."""

from django.urls import reverse, translate_url
from django.utils import translation


def test_english_fixture_leaves_url_prefixes_as_they_were(english):
    with translation.override("en"):
        assert reverse("wagtail_serve", args=[""]) == "/"  # English is the default inside the fixture


def test_english_pages_have_their_prefix_by_default():
    assert translate_url("/", "en") == "/en/"
