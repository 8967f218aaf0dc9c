"""The program catalogue: one index page per language and one program page per published curriculum."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import Page
from wagtail.search import index

from curricula.models import Curriculum, CurriculumVersion
from vet import choices as vet_choices
from vet.models import Institution, Occupation, OccupationField, Province


class ProgramIndexPage(Page):
    """The searchable catalogue of programs; its children are generated, one per published curriculum."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count_per_parent = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProgramPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("program catalogue")
        verbose_name_plural = _("program catalogues")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = selectors.search_catalogue(index=self, params=request.GET)
        return context


class ProgramPage(Page):
    """A curriculum's public page, kept in step with its approved version by `cms.services.sync_program_pages`.

    The filter columns copy the registry (institution, province, field, level, tier, ...) so that the catalogue
    filters and counts with plain indexed queries; the page body reads the approved version itself."""

    curriculum = models.ForeignKey(
        Curriculum, verbose_name=_("curriculum"), null=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )
    version = models.ForeignKey(
        CurriculumVersion, verbose_name=_("published version"), null=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), null=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    occupation_field = models.ForeignKey(
        OccupationField, verbose_name=_("occupation field"), null=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    level = models.CharField(_("level"), max_length=16, choices=vet_choices.Level.choices, editable=False)
    tier = models.CharField(
        _("tier"), max_length=16, choices=vet_choices.Tier.choices, blank=True, editable=False,
        help_text=_("The highest tier of a key-occupation designation in force this year; empty if none."),
    )
    institution_type = models.CharField(
        _("institution type"), max_length=16, choices=vet_choices.InstitutionType.choices, editable=False
    )
    ownership = models.CharField(
        _("ownership"), max_length=20, choices=vet_choices.Ownership.choices, editable=False
    )
    approved_on = models.DateField(_("approved on"), null=True, editable=False)
    sort_name = models.CharField(max_length=255, editable=False, db_index=True)
    search_folded = models.TextField(editable=False, blank=True)

    parent_page_types = ["cms.ProgramIndexPage"]
    subpage_types: list[str] = []
    is_creatable = False  # generated from the registry, never added by hand

    content_panels = [
        HelpPanel(content=_(
            "This page is generated from the curriculum register and updated when a version is approved. "
            "Edit the curriculum, not this page; the SEO description below is yours to write."
        )),
        FieldPanel("title", read_only=True),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_folded"),
        index.FilterField("locale_id"),
        index.FilterField("live"),
        index.FilterField("level"),
        index.FilterField("tier"),
        index.FilterField("province_id"),
        index.FilterField("occupation_field_id"),
        index.FilterField("institution_type"),
        index.FilterField("ownership"),
    ]

    class Meta:
        verbose_name = _("program page")
        verbose_name_plural = _("program pages")
        indexes = [models.Index(fields=["level", "tier"], name="programpage_level_tier")]

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        facts = selectors.program_facts(self)
        context["program"] = facts
        context["program_schema"] = selectors.program_schema(facts, request)
        context["school_url"] = facts.school_page.get_url(request=request) if facts.school_page else ""
        return context
