"""Reads for the public site: the catalogue search with its filters and counts, and what each page shows.

Every function runs a fixed number of queries whatever the number of programs (bounded in tests)."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from curricula.choices import ComponentGroup, FrameworkKind
from curricula.models import ComponentUnitMapping, CurriculumComponent
from vet import choices as vet_choices
from vet.models import (
    KeyOccupationDesignation,
    OccupationField,
    OccupationOutcome,
    Province,
    ScopeEntry,
)
from vet.selectors import accredited_on, get_registry_summary
from vet.text import fold
from vet.tier_readiness import designation_readiness

from .models import NewsIndexPage, NewsPage, ProgramIndexPage, ProgramPage, SchoolIndexPage, SchoolPage

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
SORTS = {
    "relevance": (_("Relevance"), None),
    "name": (_("Name (A–Z)"), ("sort_name", "pk")),
    "newest": (_("Newest approval"), ("-approved_on", "sort_name", "pk")),
    "tier": (_("Tier (highest first)"), ("-tier_rank", "sort_name", "pk")),
}


@dataclasses.dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclasses.dataclass
class Facet:
    name: str
    label: str
    options: list[Option]

    @property
    def selected(self) -> Option | None:
        return next((o for o in self.options if o.selected), None)


@dataclasses.dataclass
class Catalogue:
    query: str
    sort: str
    sorts: list[tuple[str, str, bool]]
    facets: list[Facet]
    results: PaginatorPage
    total: int
    filters: dict[str, str]
    clear_url: str

    def page_url(self, number: int) -> str:
        return _url({**self.filters, "q": self.query, "sort": self.sort, "page": number})

    @property
    def pagination(self) -> dict:
        """Links to the first, last and nearby result pages (None for a gap), and to the previous and next."""
        current, last = self.results.number, self.results.paginator.num_pages
        shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
        pages, previous = [], 0
        for number in shown:
            if number - previous > 1:
                pages.append((None, None, False))
            pages.append((number, self.page_url(number), number == current))
            previous = number
        return {
            "pages": pages,
            "previous": self.page_url(current - 1) if self.results.has_previous() else None,
            "next": self.page_url(current + 1) if self.results.has_next() else None,
        }


def _url(params: dict) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    if clean.get("sort") == "relevance":
        clean.pop("sort")
    return "?" + urlencode(clean) if clean else "?"


# Each facet: the query parameter, its label, the page column, and how its values are named.
def _facet_specs():
    return [
        ("province", _("Province"), "province_id",
         lambda ids: {str(p.pk): (p.code, p.name) for p in Province.objects.filter(pk__in=ids)}),
        ("field", _("Occupation field"), "occupation_field_id",
         lambda ids: {str(f.pk): (f.code, _bilingual(f)) for f in OccupationField.objects.filter(pk__in=ids)}),
        ("level", _("Level"), "level", lambda ids: {v: (v, str(vet_choices.Level(v).label)) for v in ids}),
        ("tier", _("Tier"), "tier",
         lambda ids: {v: (v or "none", str(vet_choices.Tier(v).label) if v else str(_("Not a key occupation")))
                      for v in ids}),
        ("type", _("School type"), "institution_type",
         lambda ids: {v: (v, str(vet_choices.InstitutionType(v).label)) for v in ids}),
        ("ownership", _("Ownership"), "ownership",
         lambda ids: {v: (v, str(vet_choices.Ownership(v).label)) for v in ids}),
    ]


def list_programs(index: ProgramIndexPage | None = None, locale_id: int | None = None) -> QuerySet[ProgramPage]:
    """Live program pages of one language, with what a result card shows."""
    qs = ProgramPage.objects.live().select_related("institution", "occupation", "province")
    if index is not None:
        qs = qs.child_of(index)
    elif locale_id is not None:
        qs = qs.filter(locale_id=locale_id)
    return qs


def search_catalogue(*, index: ProgramIndexPage, params) -> Catalogue:
    """Full-text search (diacritics ignored: "dien cong nghiep" finds "Điện công nghiệp") through Wagtail's search
    backend (PostgreSQL full-text on PostgreSQL, the database backend otherwise), then filters, counts per filter
    value among the results of the other filters, sort and pagination; every choice is in the URL."""
    query = " ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH]
    sort = params.get("sort") or "relevance"
    if sort not in SORTS:
        sort = "relevance"
    # Words only: quotes, brackets and operators are search syntax to the backends (a lone " breaks SQLite's FTS5).
    folded = " ".join(re.sub(r"\W+", " ", fold(query)).split())
    if sort == "relevance" and not folded:  # nothing to rank by: key occupations first
        sort = "tier"
    base = ProgramPage.objects.live().child_of(index)
    ranked_pks: list[int] | None = None
    if folded:
        # No `fields=`: the SQLite backend can only restrict to its FTS columns (title, body); search_folded is
        # indexed in the body, and every title word is in it too.
        hits = base.only("pk").search(folded, operator="and")
        ranked_pks = [hit.pk for hit in hits]
    # The filter columns of every program of the catalogue in one query; filters, counts and sorting in Python.
    # (With 5,000 programs this beats repeating thousands of search hits as IN lists in seven statements.)
    specs = _facet_specs()
    rows = list(base.order_by().values_list("pk", *(column for _n, _l, column, _f in specs),
                                            "sort_name", "approved_on"))
    if ranked_pks is not None:
        rank = {pk: i for i, pk in enumerate(ranked_pks)}
        rows = [row for row in rows if row[0] in rank]
    chosen: dict[int, object] = {}  # position of the column in a row -> the value wanted
    filters: dict[str, str] = {}
    for position, (name, _label, _column, _names) in enumerate(specs, start=1):
        raw = (params.get(name) or "").strip()[:64]
        if not raw:
            continue
        filters[name] = raw
        if name == "province":
            chosen[position] = Province.objects.filter(code=raw).values_list("pk", flat=True).first()
        elif name == "field":
            chosen[position] = OccupationField.objects.filter(code=raw).values_list("pk", flat=True).first()
        else:
            chosen[position] = "" if name == "tier" and raw == "none" else raw

    def keeps(row, skip: int | None = None) -> bool:
        return all(row[position] == wanted for position, wanted in chosen.items() if position != skip)

    facets = []
    for position, (name, label, _column, names) in enumerate(specs, start=1):
        counts: dict = {}
        for row in rows:
            if row[position] is not None and keeps(row, skip=position):
                counts[row[position]] = counts.get(row[position], 0) + 1
        named = names(list(counts))
        options = []
        for key, n in counts.items():
            value, option_label = named.get(str(key) if name in ("province", "field") else key, (str(key), str(key)))
            selected = filters.get(name) == value
            target = {**filters, name: "" if selected else value, "q": query, "sort": sort}
            options.append(Option(value, option_label, n, selected, _url(target)))
        options.sort(key=lambda o: (-o.count, fold(o.label)))
        facets.append(Facet(name, str(label), options))
    matched = [row for row in rows if keeps(row)]
    tier_position = 1 + [n for n, *_rest in specs].index("tier")
    tier_rank = {t.value: i + 1 for i, t in enumerate(vet_choices.Tier)}
    if sort == "relevance" and ranked_pks is not None:
        matched.sort(key=lambda row: rank[row[0]])
    elif sort == "tier":
        matched.sort(key=lambda row: (-tier_rank.get(row[tier_position], 0), row[-2], row[0]))
    elif sort == "newest":
        matched.sort(key=lambda row: (row[-1] is None, -(row[-1].toordinal() if row[-1] else 0), row[-2], row[0]))
    else:
        matched.sort(key=lambda row: (row[-2], row[0]))
    paginator = Paginator([row[0] for row in matched], PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    shown = ProgramPage.objects.select_related("institution", "occupation", "province").in_bulk(page.object_list)
    page.object_list = [shown[pk] for pk in page.object_list if pk in shown]
    sorts = [(key, str(label), key == sort) for key, (label, _order) in SORTS.items()
             if key != "relevance" or ranked_pks is not None]
    return Catalogue(query, sort, sorts, facets, page, paginator.count, filters,
                     _url({"q": query}) if query else "?")


# --- program page ----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class ProgramFacts:
    page: ProgramPage
    components: list[CurriculumComponent]
    groups: list[dict]
    credits: Decimal
    hours: dict[str, int]
    frameworks: list[dict]
    employment: dict | None
    accredited: bool | None
    designations: list[KeyOccupationDesignation]
    entry_requirement: str
    school_page: SchoolPage | None


def program_facts(page: ProgramPage) -> ProgramFacts:
    """What a program page shows, read from the version it publishes."""
    # The page Wagtail routed to comes without its relations: one query for all of them instead of one each.
    loaded = (ProgramPage.objects.select_related("version__curriculum", "institution", "occupation", "province",
                                                 "locale").get(pk=page.pk))
    for relation in ("version", "institution", "occupation", "province", "locale"):
        setattr(page, relation, getattr(loaded, relation))
    version = page.version
    curriculum = version.curriculum if version else None
    components = list(CurriculumComponent.objects.filter(version=version).order_by("position", "code")) \
        if version else []
    hours = {"theory": 0, "practice": 0, "internship": 0, "exam": 0}
    credits = Decimal(0)
    groups: dict[str, dict] = {}
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
    hours["total"] = sum(hours.values())
    frameworks = []
    if version:
        rows = (ComponentUnitMapping.objects.filter(component__version=version)
                .values("unit__framework__kind", "unit__framework__code", "unit__framework__name_vi",
                        "unit__framework__name_en", "unit__framework__country_or_body")
                .annotate(units=Count("unit", distinct=True)).order_by("unit__framework__kind"))
        for row in rows:
            frameworks.append({
                "kind": FrameworkKind(row["unit__framework__kind"]).label,
                "kind_value": row["unit__framework__kind"],
                "code": row["unit__framework__code"],
                "name": (row["unit__framework__name_en"] if _english() and row["unit__framework__name_en"]
                         else row["unit__framework__name_vi"]),
                "body": row["unit__framework__country_or_body"],
                "units": row["units"],
            })
    outcome = (OccupationOutcome.objects.filter(institution_id=page.institution_id, occupation_id=page.occupation_id,
                                                level=page.level).order_by("-year").first())
    employment = None
    if outcome is not None and outcome.graduates:
        employment = {"year": outcome.year, "graduates": outcome.graduates, "employed": outcome.employed_6m,
                      "rate": round(100 * outcome.employed_6m / outcome.graduates), "source": outcome.source}
    year = timezone.localdate().year
    designations = list(KeyOccupationDesignation.objects.filter(
        institution_id=page.institution_id, occupation_id=page.occupation_id, level=page.level,
        period_end__gte=year).select_related("decision").order_by("period_start"))
    return ProgramFacts(
        page=page, components=components, groups=list(groups.values()), credits=credits, hours=hours,
        frameworks=frameworks, employment=employment,
        accredited=accredited_on(page.institution_id, timezone.localdate()) if page.institution_id else None,
        designations=designations,
        entry_requirement=curriculum.get_entry_requirement_display() if curriculum else "",
        school_page=SchoolPage.objects.live().filter(institution_id=page.institution_id,
                                                     locale_id=page.locale_id).first(),
    )


def program_schema(facts: ProgramFacts, request) -> dict:
    """schema.org EducationalOccupationalProgram for the program page (https://schema.org/EducationalOccupationalProgram)."""
    page, version = facts.page, facts.page.version
    institution = page.institution
    data = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalProgram",
        "name": page.title,
        "url": request.build_absolute_uri(page.url) if request else page.url,
        "educationalCredentialAwarded": str(page.get_level_display()),
        "occupationalCategory": page.occupation.code,
        "numberOfCredits": float(facts.credits),
        "inLanguage": page.locale.language_code,
        "provider": {
            "@type": "EducationalOrganization",
            "name": institution.name if institution else "",
            "address": {"@type": "PostalAddress", "streetAddress": institution.address if institution else "",
                        "addressRegion": page.province.name, "addressCountry": "VN"},
        },
    }
    if institution and institution.phone:
        data["provider"]["telephone"] = institution.phone
    if facts.school_page is not None:
        data["provider"]["url"] = (request.build_absolute_uri(facts.school_page.url) if request
                                   else facts.school_page.url)
    if version and version.duration_months:
        data["timeToComplete"] = f"P{version.duration_months}M"
    if facts.entry_requirement:
        data["programPrerequisites"] = str(facts.entry_requirement)
    if facts.hours["total"]:
        data["timeRequired"] = f"PT{facts.hours['total']}H"
    if facts.employment:  # schema.org has no employment-rate property: a named PropertyValue
        data["additionalProperty"] = [{"@type": "PropertyValue", "name": "employment within 6 months",
                                       "value": facts.employment["rate"], "unitText": "percent"}]
    return data


def _bilingual(row) -> str:
    return row.name_en if _english() and row.name_en else row.name_vi


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


# --- schools ---------------------------------------------------------------------------------------------------


def list_school_pages(index: SchoolIndexPage) -> list[dict]:
    """Live school pages of the list's language, grouped by province."""
    pages = (SchoolPage.objects.live().child_of(index).select_related("institution__province")
             .order_by("institution__province__name_vi", "sort_name"))
    by_province: dict[int, dict] = {}
    for page in pages:
        province = page.institution.province
        by_province.setdefault(province.pk, {"province": province, "schools": []})["schools"].append(page)
    return sorted(by_province.values(), key=lambda group: fold(group["province"].name))  # Đ sorts with D


@dataclasses.dataclass
class SchoolFacts:
    page: SchoolPage
    scope: list[ScopeEntry]
    key_occupations: list[dict]
    accredited: bool | None
    outcomes: list[OccupationOutcome]
    programs: list[ProgramPage]


def school_facts(page: SchoolPage) -> SchoolFacts:
    """What a school page shows: scope, key occupations with tiers (and readiness if the school publishes it),
    accreditation status, latest outcomes per occupation, and its programs in the catalogue."""
    institution_id = page.institution_id
    scope = list(ScopeEntry.objects.filter(institution_id=institution_id).select_related("occupation")
                 .order_by("occupation__code", "level"))
    year = timezone.localdate().year
    designations = list(KeyOccupationDesignation.objects.filter(
        institution_id=institution_id, period_start__lte=year, period_end__gte=year,
    ).select_related("occupation", "decision").order_by("occupation__code", "level", "tier"))
    readiness = designation_readiness(designations) if page.show_readiness and designations else {}
    key_occupations = []
    for designation in designations:
        result = readiness.get(designation.pk)
        key_occupations.append({"designation": designation, "readiness": result,
                                "status": vet_choices.ReadinessStatus(result.status).label if result else ""})
    latest: dict[tuple, OccupationOutcome] = {}
    for outcome in OccupationOutcome.objects.filter(institution_id=institution_id).select_related(
            "occupation").order_by("occupation__code", "level", "-year"):
        latest.setdefault((outcome.occupation_id, outcome.level), outcome)
    programs = list(ProgramPage.objects.live().filter(locale_id=page.locale_id, institution_id=institution_id)
                    .select_related("occupation").order_by("sort_name"))
    return SchoolFacts(page, scope, key_occupations,
                       accredited_on(institution_id, timezone.localdate()) if institution_id else None,
                       list(latest.values()), programs)


# --- home ------------------------------------------------------------------------------------------------------


def home_facts(home) -> dict:
    """The home page: the catalogue's address, key-occupation programs by tier, featured schools, latest news."""
    catalogue = ProgramIndexPage.objects.live().child_of(home).first()
    schools_index = SchoolIndexPage.objects.live().child_of(home).first()
    news_index = NewsIndexPage.objects.live().child_of(home).first()
    tiers = []
    if catalogue is not None:
        programs = list_programs(catalogue).exclude(tier="")
        counts = dict(programs.order_by().values_list("tier").annotate(n=Count("pk")).values_list("tier", "n"))
        for tier in reversed(vet_choices.Tier):
            if counts.get(tier.value):
                tiers.append({"tier": tier, "count": counts[tier.value],
                              "programs": list(programs.filter(tier=tier.value).order_by("sort_name")[:6]),
                              "url": f"{catalogue.url}?tier={tier.value}"})
    featured = []
    if schools_index is not None:
        featured = list(SchoolPage.objects.live().child_of(schools_index).filter(featured=True)
                        .select_related("institution__province").order_by("sort_name")[:6])
    news = list(NewsPage.objects.live().child_of(news_index).order_by("-date", "-pk")[:3]) if news_index else []
    totals = list_programs(catalogue).aggregate(n=Count("pk"), schools=Count("institution", distinct=True)) \
        if catalogue else {"n": 0, "schools": 0}
    return {"catalogue_page": catalogue, "schools_page": schools_index, "news_page": news_index, "tiers": tiers,
            "featured": featured, "news": news, "totals": totals, "summary": get_registry_summary()}

