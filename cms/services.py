"""Writes to the public site's page tree: its structure, and the program and school pages the registry generates.

Program and school pages are a projection of the registry (like a search index): `sync_program_pages` and
`sync_school_pages` bring them in line with it, and are safe to run at any time. `cms.signals` calls them after
each commit that touches what they show; `manage.py sync_public_pages` runs them all (daily, since the tier of a
designation depends on the year)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from curricula.choices import VersionStatus
from curricula.models import Curriculum, CurriculumVersion
from vet import choices as vet_choices
from vet.models import Institution, KeyOccupationDesignation, ScopeEntry
from vet.text import fold

from .models import HomePage, NewsIndexPage, ProgramIndexPage, ProgramPage, SchoolIndexPage, SchoolPage

# Index pages under each language's home page: (model, slug by language, title by language).
SECTIONS = {
    "programs": (ProgramIndexPage, {"vi": "chuong-trinh", "en": "programs"},
                 {"vi": "Chương trình đào tạo", "en": "Programs"}),
    "schools": (SchoolIndexPage, {"vi": "truong", "en": "schools"}, {"vi": "Trường", "en": "Schools"}),
    "news": (NewsIndexPage, {"vi": "tin-tuc", "en": "news"}, {"vi": "Tin tức", "en": "News"}),
}
HOME_TITLES = {"vi": "VETtrack: giáo dục nghề nghiệp", "en": "VETtrack: vocational education and training"}
TIER_RANK = {vet_choices.Tier.NATIONAL: 1, vet_choices.Tier.ASEAN: 2, vet_choices.Tier.INTERNATIONAL: 3}


@dataclasses.dataclass
class SyncSummary:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __add__(self, other: SyncSummary) -> SyncSummary:
        return SyncSummary(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other),
                                                   strict=True)))


def content_languages() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def _locale(code: str) -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def _add_translation(parent: Page, page: Page, source: Page | None) -> Page:
    if source is not None:
        page.translation_key = source.translation_key
    return parent.add_child(instance=page)


@transaction.atomic
def ensure_home_page() -> HomePage:
    """The site root is the VETtrack home page in the default language, served by the default site; each other
    content language has its translation, and every home page has its programs, schools and news sections."""
    default = settings.LANGUAGE_CODE
    home = HomePage.objects.filter(locale__language_code=default).first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=_locale(default)))
        root.get_children().filter(depth=2, slug="home").delete()
        home = root.add_child(instance=HomePage(title=HOME_TITLES.get(default, "VETtrack"), slug="home",
                                                locale=_locale(default)))
    if home.title == "VETtrack":  # the title migration 0002 gave it
        home.title = home.draft_title = HOME_TITLES.get(default, home.title)
        home.save(update_fields=["title", "draft_title"])
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="VETtrack")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    homes = {default: home}
    for code in content_languages():
        if code == default:
            continue
        locale = _locale(code)
        homes[code] = home.get_translation_or_none(locale) or _add_translation(
            home.get_parent(), HomePage(title=HOME_TITLES.get(code, "VETtrack"), slug=f"home-{code}",
                                        locale=locale), home)
    for model, slugs, titles in SECTIONS.values():
        source = model.objects.child_of(home).first()
        if source is None:
            source = home.add_child(instance=model(title=titles.get(default, titles["en"]),
                                                   slug=slugs.get(default, slugs["en"]), locale=home.locale))
        for code, translated_home in homes.items():
            if code != default and source.get_translation_or_none(translated_home.locale) is None:
                _add_translation(translated_home, model(title=titles.get(code, titles["en"]),
                                                        slug=slugs.get(code, slugs["en"]),
                                                        locale=translated_home.locale), source)
    return home


def _index_pages(model) -> dict[str, Page]:
    pages = {page.locale.language_code: page for page in model.objects.select_related("locale")}
    if set(content_languages()) - set(pages):  # the site is not built yet (a new database): build it once
        ensure_home_page()
        pages = {page.locale.language_code: page for page in model.objects.select_related("locale")}
    return pages


def _tiers(curricula: list[Curriculum], year: int) -> dict[tuple[int, int, str], str]:
    best: dict[tuple[int, int, str], str] = {}
    rows = KeyOccupationDesignation.objects.filter(
        institution_id__in={c.institution_id for c in curricula}, period_start__lte=year, period_end__gte=year,
    ).values_list("institution_id", "occupation_id", "level", "tier")
    for institution_id, occupation_id, level, tier in rows:
        key = (institution_id, occupation_id, level)
        if TIER_RANK.get(tier, 0) > TIER_RANK.get(best.get(key), 0):
            best[key] = tier
    return best


def _program_fields(curriculum: Curriculum, version: CurriculumVersion, tier: str, language: str,
                    *, name_entry: bool) -> dict:
    institution, occupation = curriculum.institution, curriculum.occupation
    with translation.override(language):
        parts = [occupation.name, curriculum.get_level_display()]
        if curriculum.entry_requirement and name_entry:  # only to tell apart two programs of one school
            parts.append(curriculum.get_entry_requirement_display())
        title = f"{' · '.join(str(p) for p in parts)} | {institution.short_name or institution.name}"
    words = [occupation.code, occupation.name_vi, occupation.name_en, institution.name_vi, institution.name_en,
             institution.short_name, institution.code, institution.province.name_vi, institution.province.name_en]
    if occupation.field_id:
        words += [occupation.field.name_vi, occupation.field.name_en]
    for code in content_languages():
        with translation.override(code):
            words.append(str(curriculum.get_level_display()))
            if tier:
                words.append(str(vet_choices.Tier(tier).label))
    return {
        "title": title[:255],
        "slug": slugify("-".join(filter(None, [occupation.code, curriculum.level, curriculum.entry_requirement,
                                                institution.code])))[:255],
        "version_id": version.pk,
        "institution_id": institution.pk,
        "occupation_id": occupation.pk,
        "province_id": institution.province_id,
        "occupation_field_id": occupation.field_id,
        "level": curriculum.level,
        "tier": tier,
        "institution_type": institution.type,
        "ownership": institution.ownership,
        "approved_on": version.approved_on,
        "sort_name": fold(title)[:255],
        "search_folded": fold(" ".join(w for w in words if w)),
    }


def _apply(page: Page, fields: dict) -> bool:
    changed = [name for name, value in fields.items() if getattr(page, name) != value]
    for name in changed:
        setattr(page, name, fields[name])
    if "title" in changed:
        page.draft_title = fields["title"]
    return bool(changed)


@transaction.atomic
def sync_program_pages(curriculum_ids: Iterable[int] | None = None, *,
                       today: datetime.date | None = None) -> SyncSummary:
    """Publish a page for every curriculum whose approved version lies inside its school's registered scope, in
    every content language; keep it in step with the version, the school and the tier; withdraw (unpublish) it
    when there is no approved version any more or the scope no longer covers it. Drafts are never published."""
    today = today or datetime.date.today()
    summary = SyncSummary()
    indexes = _index_pages(ProgramIndexPage)
    curricula_qs = Curriculum.objects.select_related(
        "institution__province", "occupation__field"
    )
    pages_qs = ProgramPage.objects.select_related("locale")
    if curriculum_ids is not None:
        curriculum_ids = set(curriculum_ids)
        curricula_qs = curricula_qs.filter(pk__in=curriculum_ids)
        pages_qs = pages_qs.filter(Q(curriculum_id__in=curriculum_ids) | Q(curriculum__isnull=True))
    curricula = list(curricula_qs)
    approved = {v.curriculum_id: v for v in CurriculumVersion.objects.filter(
        curriculum__in=curricula, status=VersionStatus.APPROVED)}
    scope = set(ScopeEntry.objects.filter(institution_id__in={c.institution_id for c in curricula})
                .values_list("institution_id", "occupation_id", "level"))
    tiers = _tiers(curricula, today.year)
    siblings = {(row["institution_id"], row["occupation_id"], row["level"]): row["n"] for row in
                Curriculum.objects.filter(institution_id__in={c.institution_id for c in curricula})
                .values("institution_id", "occupation_id", "level").annotate(n=Count("pk")).order_by()}
    now = timezone.now()
    pages: dict[tuple[int, str], ProgramPage] = {}
    for page in pages_qs:
        if page.curriculum_id is None:  # its curriculum was deleted
            page.delete()
            summary.deleted += 1
            continue
        pages[(page.curriculum_id, page.locale.language_code)] = page

    for curriculum in curricula:
        key = (curriculum.institution_id, curriculum.occupation_id, curriculum.level)
        version = approved.get(curriculum.pk)
        wanted = version is not None and key in scope
        source = next(filter(None, (pages.get((curriculum.pk, code)) for code in indexes)), None)
        for code, index_page in indexes.items():
            page = pages.get((curriculum.pk, code))
            if not wanted:
                if page is not None and page.live:
                    page.live = False
                    page.has_unpublished_changes = True
                    page.save(update_fields=["live", "has_unpublished_changes"], clean=False)
                    summary.withdrawn += 1
                continue
            fields = _program_fields(curriculum, version, tiers.get(key, ""), code, name_entry=siblings.get(key, 1) > 1)
            if page is None:
                page = ProgramPage(curriculum=curriculum, locale=index_page.locale, first_published_at=now,
                                   last_published_at=now, latest_revision_created_at=now, **fields)
                page = _add_translation(index_page, page, source)
                summary.created += 1
            else:
                changed = _apply(page, fields)
                if not page.live:
                    page.live, page.has_unpublished_changes, changed = True, False, True
                if changed:
                    page.last_published_at = page.latest_revision_created_at = now
                    page.save()
                    summary.updated += 1
                else:
                    summary.unchanged += 1
            source = source or page
    return summary


def _school_fields(institution: Institution, language: str) -> dict:
    with translation.override(language):
        title = institution.name
    return {"title": title[:255], "slug": slugify(institution.code)[:255], "sort_name": fold(title)[:255]}


@transaction.atomic
def sync_school_pages(institution_ids: Iterable[int] | None = None) -> SyncSummary:
    """Publish a page for every institution in the registry, in every content language, with its name kept in
    step; what the school writes (profile, website, what it publishes) is left alone."""
    summary = SyncSummary()
    indexes = _index_pages(SchoolIndexPage)
    institutions_qs = Institution.objects.all()
    pages_qs = SchoolPage.objects.select_related("locale")
    if institution_ids is not None:
        institution_ids = set(institution_ids)
        institutions_qs = institutions_qs.filter(pk__in=institution_ids)
        pages_qs = pages_qs.filter(Q(institution_id__in=institution_ids) | Q(institution__isnull=True))
    pages: dict[tuple[int, str], SchoolPage] = {}
    for page in pages_qs:
        if page.institution_id is None:
            page.delete()
            summary.deleted += 1
            continue
        pages[(page.institution_id, page.locale.language_code)] = page
    for institution in institutions_qs:
        source = next(filter(None, (pages.get((institution.pk, code)) for code in indexes)), None)
        for code, index_page in indexes.items():
            fields = _school_fields(institution, code)
            page = pages.get((institution.pk, code))
            if page is None:
                now = timezone.now()
                page = _add_translation(index_page, SchoolPage(
                    institution=institution, locale=index_page.locale, first_published_at=now, last_published_at=now,
                    latest_revision_created_at=now, **fields), source)
                summary.created += 1
            elif _apply(page, fields):
                page.last_published_at = page.latest_revision_created_at = timezone.now()
                page.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
            source = source or page
    return summary


def sync_public_pages() -> dict[str, SyncSummary]:
    """Bring every generated page (schools, then programs) in line with the registry."""
    return {"schools": sync_school_pages(), "programs": sync_program_pages()}
