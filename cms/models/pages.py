"""Editor-written pages: the home page, news (and plan) items, and plain content pages."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr", "document-link"]


class HomePage(Page):
    """Site root, one per language: search box, key occupations by tier, featured schools, latest news."""

    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ProgramIndexPage", "cms.SchoolIndexPage", "cms.NewsIndexPage", "cms.ContentPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_facts(self))
        return context


class NewsIndexPage(Page):
    """News and plans, newest first."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count_per_parent = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("news list")
        verbose_name_plural = _("news lists")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.live().child_of(self).order_by("-date", "-pk")
        context["items"] = Paginator(items, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    """A news item or a published plan (e.g. a province's key-occupation plan), with its source document."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        PLAN = "plan", _("Plan")

    date = models.DateField(_("date"), default=datetime.date.today)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NEWS)
    intro = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences shown in lists."))
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("The document this item comes from, with its number."),
    )

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels, FieldPanel("date"), FieldPanel("kind"), FieldPanel("intro"), FieldPanel("body"),
        FieldPanel("source"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class ContentPage(Page):
    """A plain page editors write (about, contact, how to apply...)."""

    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]
    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
