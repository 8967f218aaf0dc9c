"""sitemap.xml: every live public page in every language, with its translations as alternates."""

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class LocalizedSitemap(Sitemap):
    """Wagtail's sitemap lists the default language's tree only; this one lists each language's tree."""

    def items(self):
        site = self.get_wagtail_site()
        roots = site.root_page.get_translations(inclusive=True)
        pages = Page.objects.none()
        for root in roots:
            pages |= Page.objects.live().public().descendant_of(root, inclusive=True)
        return pages.order_by("path").defer_streamfields().specific()
