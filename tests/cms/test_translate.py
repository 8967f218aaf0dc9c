"""Editors translate a news item in Wagtail: Translate makes its English copy under the English news list."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from cms import services
from cms.models import NewsIndexPage, NewsPage
from tests import factories

pytestmark = pytest.mark.django_db


def test_editor_translates_a_news_item_into_english(client):
    services.ensure_home_page()
    news_vi = NewsIndexPage.objects.get(locale__language_code="vi")
    item = news_vi.add_child(instance=NewsPage(title="Kế hoạch của tỉnh", slug="ke-hoach", intro="Tóm tắt"))
    editor = factories.UserFactory(username="editor", is_superuser=True, is_staff=True)
    client.force_login(editor, "django.contrib.auth.backends.ModelBackend")
    english = Locale.objects.get(language_code="en")
    response = client.post(reverse("simple_translation:submit_page_translation", args=(item.pk,)),
                           {"locales": [english.pk]})
    assert response.status_code == 302
    copy = NewsPage.objects.get(locale=english, translation_key=item.translation_key)
    assert copy.get_parent().specific == NewsIndexPage.objects.get(locale=english)
    assert not copy.live  # a draft for the editor to translate, then publish
