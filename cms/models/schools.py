"""School pages: one per institution in the registry, with what the school chooses to publish."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from vet.models import Institution


class SchoolIndexPage(Page):
    """The list of schools, by province."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count_per_parent = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.SchoolPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("school list")
        verbose_name_plural = _("school lists")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["schools"] = selectors.list_school_pages(self)
        return context


class SchoolPage(Page):
    """An institution's public profile. Generated from the registry (`cms.services.sync_school_pages`); the
    school's editors write the profile text and choose whether readiness is shown."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), null=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )
    profile = RichTextField(_("profile"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h3"])
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    featured = models.BooleanField(
        _("featured on the home page"), default=False,
        help_text=_("Featured schools are listed on the home page."),
    )
    show_readiness = models.BooleanField(
        _("publish readiness of key occupations"), default=False,
        help_text=_("When ticked, the page shows how far each key occupation meets its tier's criteria."),
    )
    sort_name = models.CharField(max_length=255, editable=False, db_index=True)

    parent_page_types = ["cms.SchoolIndexPage"]
    subpage_types: list[str] = []
    is_creatable = False

    content_panels = [
        HelpPanel(content=_(
            "Name, address, scope and key occupations come from the registry. Write the profile here and choose "
            "what the public sees."
        )),
        FieldPanel("title", read_only=True),
        FieldPanel("profile"),
        FieldPanel("website"),
        FieldPanel("email"),
        FieldPanel("show_readiness"),
        FieldPanel("featured"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("profile")]

    class Meta:
        verbose_name = _("school page")
        verbose_name_plural = _("school pages")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["school"] = selectors.school_facts(self)
        return context
