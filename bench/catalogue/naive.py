"""The naive baseline of the catalogue bench (see the package docstring), and the WSGI application the bench's
servers run: installed in the naive server process, and in the bench's own process to check it and count its
queries; never in the app."""

from __future__ import annotations

import os
import re
from decimal import Decimal

from . import YEAR


def naive_search_catalogue(*, index, params):
    """The catalogue in Python over every live program page of the language (see the package docstring)."""
    from django.core.paginator import Paginator
    from django.utils import translation
    from django.utils.translation import gettext

    from cms import selectors, services
    from cms.models import ProgramPage
    from curricula.models import CurriculumVersion
    from vet import choices
    from vet.models import KeyOccupationDesignation
    from vet.text import fold

    query = " ".join((params.get("q") or "").split())[: selectors.MAX_QUERY_LENGTH]
    sort = params.get("sort") or "relevance"
    if sort not in selectors.SORTS:
        sort = "relevance"
    words = re.findall(r"\w+", fold(query))
    if sort == "relevance" and not words:
        sort = "tier"
    pages = list(ProgramPage.objects.live().child_of(index).select_related(
        "curriculum__institution__province", "curriculum__occupation__field"))
    tiers: dict[tuple, str] = {}
    for key in KeyOccupationDesignation.objects.filter(period_start__lte=YEAR, period_end__gte=YEAR).values_list(
            "institution_id", "occupation_id", "level", "tier"):
        if services.TIER_RANK.get(key[3], 0) > services.TIER_RANK.get(tiers.get(key[:3]), 0):
            tiers[key[:3]] = key[3]
    approved = dict(CurriculumVersion.objects.filter(status="approved").values_list("curriculum_id", "approved_on"))
    english = selectors._english()
    rows = []
    for page in pages:
        curriculum = page.curriculum
        school, occupation = curriculum.institution, curriculum.occupation
        field = occupation.field
        tier = tiers.get((school.pk, occupation.pk, curriculum.level), "")
        page.institution, page.occupation, page.province, page.tier = school, occupation, school.province, tier
        text = [occupation.code, occupation.name_vi, occupation.name_en, school.name_vi, school.name_en,
                school.short_name, school.code, school.province.name_vi, school.province.name_en]
        if field:
            text += [field.name_vi, field.name_en]
        for code in services.content_languages():
            with translation.override(code):
                text.append(str(choices.Level(curriculum.level).label))
                if tier:
                    text.append(str(choices.Tier(tier).label))
        # The registry's words folded, and the page title's as they are (the search also matches the title).
        haystack = set(fold(" ".join(w for w in text if w)).split()) | set(re.findall(r"\w+", page.title.lower()))
        if words and not all(w in haystack for w in words):
            continue
        values = {
            "province": (school.province.code, school.province.name),
            "field": (field.code, field.name_en if english and field.name_en else field.name_vi) if field else None,
            "level": (curriculum.level, str(choices.Level(curriculum.level).label)),
            "tier": (tier or "none", str(choices.Tier(tier).label) if tier else gettext("Not a key occupation")),
            "type": (school.type, str(choices.InstitutionType(school.type).label)),
            "ownership": (school.ownership, str(choices.Ownership(school.ownership).label)),
        }
        score = sum(w in fold(occupation.name_vi).split() for w in words)
        rows.append((page, values, score, approved.get(curriculum.pk), fold(page.title)[:255]))
    specs = [(name, label) for name, label, _column, _names in selectors._facet_specs()]
    filters = {}
    for name, _label in specs:
        raw = (params.get(name) or "").strip()[:64]
        if raw:
            filters[name] = raw

    def keep(values, skip=None):
        return all(values[name] is not None and values[name][0] == raw for name, raw in filters.items()
                   if name != skip)

    facets = []
    for name, label in specs:
        counts: dict[str, list] = {}
        for _page, values, *_ in rows:
            if keep(values, skip=name) and values[name] is not None:
                counts.setdefault(values[name][0], [values[name][1], 0])[1] += 1
        options = []
        for value, (option_label, n) in counts.items():
            selected = filters.get(name) == value
            target = {**filters, name: "" if selected else value, "q": query, "sort": sort}
            options.append(selectors.Option(value, option_label, n, selected, selectors._url(target)))
        options.sort(key=lambda o: (-o.count, fold(o.label)))
        facets.append(selectors.Facet(name, str(label), options))
    found = [row for row in rows if keep(row[1])]
    tier_rank = {t.value: i + 1 for i, t in enumerate(choices.Tier)}
    if sort == "relevance":
        found.sort(key=lambda r: (-r[2], -r[0].pk))
    elif sort == "name":
        found.sort(key=lambda r: (r[4], r[0].pk))
    elif sort == "newest":
        found.sort(key=lambda r: (r[3] is None, -(r[3].toordinal() if r[3] else 0), r[4], r[0].pk))
    else:
        found.sort(key=lambda r: (-tier_rank.get(r[0].tier, 0), r[4], r[0].pk))
    paginator = Paginator([row[0] for row in found], selectors.PAGE_SIZE)
    results = paginator.get_page(params.get("page"))
    sorts = [(key, str(label), key == sort) for key, (label, _order) in selectors.SORTS.items()
             if key != "relevance" or words]
    return selectors.Catalogue(query, sort, sorts, facets, results, paginator.count, filters,
                               selectors._url({"q": query}) if query else "?")


def naive_program_facts(page):
    """A program page's facts read with lazy relations (see the package docstring)."""
    from django.utils import timezone

    from cms import selectors
    from cms.models import SchoolPage
    from curricula.choices import ComponentGroup, FrameworkKind
    from vet.selectors import accredited_on

    version = page.version
    curriculum = version.curriculum if version else None
    components = sorted(version.components.all(), key=lambda c: (c.position, c.code)) if version else []
    hours = {"theory": 0, "practice": 0, "internship": 0, "exam": 0}
    credits, groups, frameworks = Decimal(0), {}, {}
    for component in components:
        for key in hours:
            hours[key] += getattr(component, f"{key}_hours")
        credits += component.credits or 0
        group = groups.setdefault(component.group, {
            "label": ComponentGroup(component.group).label, "count": 0, "credits": Decimal(0), "hours": 0})
        group["count"] += 1
        group["credits"] += component.credits or 0
        group["hours"] += component.theory_hours + component.practice_hours + component.internship_hours \
            + component.exam_hours
        for mapping in component.unit_mappings.all():
            framework = mapping.unit.framework
            frameworks.setdefault(framework.pk, (framework, set()))[1].add(mapping.unit_id)
    hours["total"] = sum(hours.values())
    english = selectors._english()
    framework_rows = [{
        "kind": FrameworkKind(f.kind).label, "kind_value": f.kind, "code": f.code,
        "name": f.name_en if english and f.name_en else f.name_vi, "body": f.country_or_body, "units": len(units),
    } for f, units in sorted(frameworks.values(), key=lambda item: (item[0].kind, item[0].code))]
    institution = page.institution
    outcomes = [o for o in institution.outcomes.all()
                if o.occupation_id == page.occupation_id and o.level == page.level]
    outcome = max(outcomes, key=lambda o: o.year, default=None)
    employment = None
    if outcome is not None and outcome.graduates:
        employment = {"year": outcome.year, "graduates": outcome.graduates, "employed": outcome.employed_6m,
                      "rate": round(100 * outcome.employed_6m / outcome.graduates), "source": outcome.source}
    year = timezone.localdate().year
    designations = sorted((d for d in institution.designations.all() if d.occupation_id == page.occupation_id
                           and d.level == page.level and d.period_end >= year), key=lambda d: d.period_start)
    school_page = next((p for p in SchoolPage.objects.live().filter(institution_id=page.institution_id)
                        if p.locale_id == page.locale_id), None)
    return selectors.ProgramFacts(
        page=page, components=components, groups=list(groups.values()), credits=credits, hours=hours,
        frameworks=framework_rows, employment=employment,
        accredited=accredited_on(page.institution_id, timezone.localdate()) if page.institution_id else None,
        designations=designations,
        entry_requirement=curriculum.get_entry_requirement_display() if curriculum else "",
        school_page=school_page,
    )


def install_naive() -> dict:
    """Swap the two catalogue `get_context` methods for the naive ones; returns the originals (restore_naive)."""
    from wagtail.models import Page

    from cms import selectors
    from cms.models import ProgramIndexPage, ProgramPage

    originals = {ProgramIndexPage: ProgramIndexPage.get_context, ProgramPage: ProgramPage.get_context}

    def index_context(self, request, *args, **kwargs):
        context = Page.get_context(self, request, *args, **kwargs)
        context["catalogue"] = naive_search_catalogue(index=self, params=request.GET)
        return context

    def program_context(self, request, *args, **kwargs):
        context = Page.get_context(self, request, *args, **kwargs)
        facts = naive_program_facts(self)
        context["program"] = facts
        context["program_schema"] = selectors.program_schema(facts, request)
        context["school_url"] = facts.school_page.get_url(request=request) if facts.school_page else ""
        return context

    ProgramIndexPage.get_context, ProgramPage.get_context = index_context, program_context
    return originals


def restore_naive(originals: dict) -> None:
    for model, method in originals.items():
        model.get_context = method


def server_application(naive: bool = False):
    """The WSGI application gunicorn serves: config.wsgi's under the production settings, static URLs without a
    manifest; with naive=True, the naive catalogue and program page of this module."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    if naive:
        install_naive()
    return application
