"""Writes to the public site's page tree."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage


@transaction.atomic
def ensure_home_page() -> HomePage:
    """The site root is the VETtrack home page, in the default locale, served by the default site."""
    home = HomePage.objects.first()
    if home is None:
        if not Locale.objects.exists():
            Locale.objects.create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        root.get_children().filter(depth=2, slug="home").delete()
        home = root.add_child(instance=HomePage(title="VETtrack", slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="VETtrack")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home
