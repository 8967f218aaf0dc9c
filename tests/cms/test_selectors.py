"""The public catalogue: search without diacritics, filters with counts, sorting, pagination; and a fixed number of
queries a public page, whatever the number of programs."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.paginator import Paginator
from django.db import transaction
from django.utils import translation

from cms import selectors, services
from cms.models import HomePage, NewsIndexPage, ProgramIndexPage, ProgramPage, SchoolIndexPage, SchoolPage
from curricula.choices import VersionStatus
from tests import factories
from vet.choices import InstitutionType, Ownership, Region, Tier

pytestmark = pytest.mark.django_db

FOREVER = {"period_start": 2020, "period_end": 2100}


def add_program(school, code, name_vi, name_en="", *, tier=None, approved_on=datetime.date(2025, 6, 2),
                field=None):
    """An approved curriculum of `school` in its scope, with a key-occupation designation of `tier` if given."""
    occupation = factories.OccupationFactory(code=code, name_vi=name_vi, name_en=name_en, field=field)
    version = factories.ApprovedCurriculumVersionFactory(
        curriculum__institution=school, curriculum__occupation=occupation, approved_on=approved_on)
    if tier:
        factories.KeyOccupationDesignationFactory(institution=school, occupation=occupation, level=occupation.level,
                                                  tier=tier, **FOREVER)
    return version.curriculum


def sync():
    services.sync_school_pages()
    services.sync_program_pages()


def vi_index() -> ProgramIndexPage:
    return ProgramIndexPage.objects.get(locale__language_code="vi")


def search(**params) -> selectors.Catalogue:
    return selectors.search_catalogue(index=vi_index(), params=params)


def occupations(catalogue) -> list[str]:
    return [page.occupation.code for page in catalogue.results]


def counts(catalogue, facet: str) -> dict[str, int]:
    return {o.value: o.count for o in next(f for f in catalogue.facets if f.name == facet).options}


def build_catalogue() -> dict:
    """Five programs at three schools of two provinces, four occupations of three fields, every tier; and an
    unapproved one. Occupation codes name them in the assertions."""
    tien_giang = factories.ProvinceFactory(code="82", name_vi="Tiền Giang", name_en="Tien Giang",
                                           region=Region.MEKONG_DELTA)
    hai_phong = factories.ProvinceFactory(code="31", name_vi="Hải Phòng", name_en="Hai Phong",
                                          region=Region.RED_RIVER_DELTA)
    engineering = factories.OccupationFieldFactory(code="52", name_vi="Công nghệ kỹ thuật", name_en="Engineering")
    business = factories.OccupationFieldFactory(code="34", name_vi="Kinh doanh và quản lý",
                                                name_en="Business and management")
    computing = factories.OccupationFieldFactory(code="48", name_vi="Máy tính và công nghệ thông tin",
                                                 name_en="Computing and IT")
    college = factories.InstitutionFactory(code="TG-CD", name_vi="Trường Cao đẳng Tiền Giang",
                                           name_en="Tien Giang College", province=tien_giang)
    private = factories.InstitutionFactory(code="TG-TC", name_vi="Trường Trung cấp Mỹ Tho", name_en="My Tho School",
                                           province=tien_giang, type=InstitutionType.INTERMEDIATE,
                                           ownership=Ownership.PRIVATE)
    port = factories.InstitutionFactory(code="HP-CD", name_vi="Trường Cao đẳng Hàng hải",
                                        name_en="Maritime College", province=hai_phong)
    add_program(college, "6520227", "Điện công nghiệp", "Industrial electrics", tier=Tier.ASEAN, field=engineering,
                approved_on=datetime.date(2025, 3, 1))
    add_program(private, "5520227", "Điện công nghiệp", "Industrial electrics", field=engineering,
                approved_on=datetime.date(2025, 9, 1))
    add_program(port, "6340301", "Kế toán", "Accounting", tier=Tier.NATIONAL, field=business,
                approved_on=datetime.date(2024, 1, 15))
    add_program(college, "6480201", "Công nghệ thông tin", "Information technology", tier=Tier.INTERNATIONAL,
                field=computing, approved_on=datetime.date(2025, 12, 1))
    add_program(port, "6520228", "Điện công nghiệp", "Industrial electrics", field=engineering,
                approved_on=datetime.date(2023, 5, 5))
    unapproved = factories.OccupationFactory(code="6520225", name_vi="Điện tử công nghiệp", field=engineering)
    factories.CurriculumVersionFactory(curriculum__institution=port, curriculum__occupation=unapproved,
                                       status=VersionStatus.SUBMITTED)
    sync()
    return {"tien_giang": tien_giang, "hai_phong": hai_phong, "college": college, "private": private, "port": port}


@pytest.fixture(scope="module")
def module_catalogue(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_catalogue()
        transaction.set_rollback(True)


@pytest.fixture
def catalogue(module_catalogue, db):
    return module_catalogue


# ---------------------------------------------------------------------------------------------------- search


@pytest.mark.parametrize("query", ["dien cong nghiep", "Điện công nghiệp", "ĐIỆN CÔNG NGHIỆP", "Điện", "điện",
                                   "  dien   CONG  nghiep "])
def test_search_catalogue_ignores_diacritics_and_case(catalogue, query):
    assert sorted(occupations(search(q=query))) == ["5520227", "6520227", "6520228"]


def test_search_catalogue_never_shows_an_unapproved_program(catalogue):
    assert "6520225" not in occupations(search(q="dien tu"))
    assert "6520225" not in occupations(search())


def test_search_catalogue_needs_every_word(catalogue):
    assert occupations(search(q="dien hai phong")) == ["6520228"]
    assert sorted(occupations(search(q="dien tien giang"))) == ["5520227", "6520227"]
    assert occupations(search(q="ke toan")) == ["6340301"]
    assert occupations(search(q="dien ke toan")) == []
    assert occupations(search(q="dien zzzz")) == []


def test_search_catalogue_finds_codes_english_names_and_schools(catalogue):
    assert occupations(search(q="6340301")) == ["6340301"]
    assert occupations(search(q="accounting")) == ["6340301"]
    assert occupations(search(q="Maritime accounting")) == ["6340301"]
    assert sorted(occupations(search(q="my tho"))) == ["5520227"]


@pytest.mark.parametrize("query", ['"', 'dien"', "(dien OR", "*", "dien -cong", "dien AND NOT ke", "'; DROP TABLE",
                                   "100%", "{title}: dien", "dien^2", "a:b", "\\"])
def test_search_catalogue_takes_search_syntax_as_plain_words(catalogue, query):
    result = search(q=query)
    assert result.query == " ".join(query.split())
    assert result.total == len(list(result.results.object_list))


def test_search_catalogue_truncates_a_very_long_query(catalogue):
    result = search(q="dien " * 500)
    assert len(result.query) == selectors.MAX_QUERY_LENGTH
    assert sorted(occupations(result)) == ["5520227", "6520227", "6520228"]


def test_search_catalogue_with_an_empty_query_lists_every_live_program(catalogue):
    result = search(q="   ")
    assert (result.query, result.total) == ("", 5)
    assert "relevance" not in [key for key, _label, _selected in result.sorts]


def test_search_catalogue_searches_only_its_own_language(catalogue):
    english = ProgramIndexPage.objects.get(locale__language_code="en")
    result = selectors.search_catalogue(index=english, params={"q": "accounting"})
    assert [page.locale.language_code for page in result.results] == ["en"]
    assert result.total == 1


def test_search_catalogue_drops_a_withdrawn_program(catalogue):
    ProgramPage.objects.filter(occupation__code="6340301").update(live=False)
    assert occupations(search(q="ke toan")) == []
    assert "6340301" not in occupations(search())


# --------------------------------------------------------------------------------------------------- filters


@pytest.mark.parametrize(("params", "expected"), [
    ({"province": "31"}, {"6340301", "6520228"}),
    ({"field": "52"}, {"5520227", "6520227", "6520228"}),
    ({"level": "intermediate"}, {"5520227"}),
    ({"tier": "asean"}, {"6520227"}),
    ({"tier": "none"}, {"5520227", "6520228"}),
    ({"type": "intermediate"}, {"5520227"}),
    ({"ownership": "private"}, {"5520227"}),
    ({"province": "82", "level": "college"}, {"6520227", "6480201"}),
    ({"q": "dien", "province": "82", "tier": "none"}, {"5520227"}),
])
def test_search_catalogue_filters(catalogue, params, expected):
    result = search(**params)
    assert set(occupations(result)) == expected
    assert result.total == len(expected)
    assert result.filters == {k: v for k, v in params.items() if k != "q"}


def test_search_catalogue_counts_each_facet_among_the_results_of_the_other_filters(catalogue):
    result = search(province="31", level="college")
    assert set(occupations(result)) == {"6340301", "6520228"}
    # province: counted with the level filter only (both provinces' college programs)
    assert counts(result, "province") == {"82": 2, "31": 2}
    # level: counted with the province filter only (Hai Phong has colleges only)
    assert counts(result, "level") == {"college": 2}
    # the others: counted with both filters
    assert counts(result, "field") == {"34": 1, "52": 1}
    assert counts(result, "tier") == {"national": 1, "none": 1}
    assert counts(result, "type") == {"college": 2}
    assert counts(result, "ownership") == {"public": 2}


def test_search_catalogue_counts_facets_among_the_search_results(catalogue):
    result = search(q="dien cong nghiep", tier="none")
    assert counts(result, "tier") == {"asean": 1, "none": 2}
    assert counts(result, "province") == {"82": 1, "31": 1}
    assert counts(result, "field") == {"52": 2}
    assert counts(result, "level") == {"intermediate": 1, "college": 1}


def test_search_catalogue_orders_options_by_count(catalogue):
    options = next(f for f in search().facets if f.name == "field").options
    assert [(o.value, o.count) for o in options][0] == ("52", 3)
    assert [o.count for o in options] == sorted((o.count for o in options), reverse=True)


def test_search_catalogue_names_options_in_the_active_language(catalogue):
    with translation.override("en"):
        result = search()
        labels = {f.name: {o.value: o.label for o in f.options} for f in result.facets}
    assert labels["field"]["34"] == "Business and management"
    assert labels["level"]["college"] == "College"
    assert labels["tier"]["none"] == "Not a key occupation"
    assert labels["province"]["31"] == "Hai Phong"
    with translation.override("vi"):
        result = search()
        labels = {f.name: {o.value: o.label for o in f.options} for f in result.facets}
    assert labels["field"]["34"] == "Kinh doanh và quản lý"
    assert labels["level"]["college"] == "Cao đẳng"
    assert labels["province"]["31"] == "Hải Phòng"


def test_search_catalogue_option_links_toggle_the_filter_and_keep_the_rest(catalogue):
    result = search(q="dien", province="82", sort="name")
    province = next(f for f in result.facets if f.name == "province")
    selected = province.selected
    assert selected.value == "82" and selected.selected
    assert parse_qs(urlsplit(selected.url).query) == {"q": ["dien"], "sort": ["name"]}  # removes it
    other = next(o for o in province.options if o.value == "31")
    assert parse_qs(urlsplit(other.url).query) == {"q": ["dien"], "sort": ["name"], "province": ["31"]}
    level = next(f for f in result.facets if f.name == "level")
    college = next(o for o in level.options if o.value == "college")
    assert parse_qs(urlsplit(college.url).query) == {"q": ["dien"], "sort": ["name"], "province": ["82"],
                                                     "level": ["college"]}
    assert result.clear_url == "?q=dien"


@pytest.mark.parametrize("params", [
    {"province": "99"}, {"field": "zz"}, {"level": "phd"}, {"tier": "gold"}, {"type": "university"},
    {"ownership": "<script>"}, {"province": "x" * 5000}, {"tier": "none", "level": "'; --"},
])
def test_search_catalogue_with_an_unknown_filter_value_finds_nothing(catalogue, params):
    result = search(**params)
    assert result.total == 0
    assert all(len(value) <= 64 for value in result.filters.values())
    assert all(not o.selected for f in result.facets for o in f.options)


def test_search_catalogue_ignores_an_empty_filter_and_an_unknown_sort(catalogue):
    result = search(province="", level="  ", sort="price")
    assert (result.total, result.filters, result.sort) == (5, {}, "tier")


# ------------------------------------------------------------------------------------------------------ sort


def test_search_catalogue_without_a_query_sorts_key_occupations_first(catalogue):
    result = search()
    assert result.sort == "tier"
    assert [page.tier for page in result.results] == ["international", "asean", "national", "", ""]


def test_search_catalogue_with_a_query_sorts_by_relevance(catalogue):
    result = search(q="dien")
    assert result.sort == "relevance"
    assert [key for key, _label, selected in result.sorts if selected] == ["relevance"]
    assert len(occupations(result)) == 3


def test_search_catalogue_sorts_by_name(catalogue):
    names = [page.sort_name for page in search(sort="name").results]
    assert names == sorted(names)
    assert names[0].startswith("cong nghe thong tin")


def test_search_catalogue_sorts_by_newest_approval(catalogue):
    assert occupations(search(sort="newest")) == ["6480201", "5520227", "6520227", "6340301", "6520228"]


def test_search_catalogue_sorts_the_search_results_by_tier(catalogue):
    assert occupations(search(q="dien", sort="tier"))[0] == "6520227"


# ------------------------------------------------------------------------------------------------ pagination


@pytest.fixture
def many(db):
    """25 programs of one school in a province of their own (whatever else the database holds), names in order."""
    province = factories.ProvinceFactory(code="99")
    school = factories.InstitutionFactory(code="MANY", province=province)
    for i in range(25):
        add_program(school, f"65{i + 10:05d}", f"Nghề {i + 10:02d}")
    sync()
    return {"province": "99"}


def test_search_catalogue_pages_by_twenty(many):
    first = search(sort="name", **many)
    assert (first.total, len(first.results), first.results.number) == (25, 20, 1)
    second = search(sort="name", page="2", **many)
    assert (len(second.results), second.results.number) == (5, 2)
    assert set(occupations(first)).isdisjoint(occupations(second))
    assert occupations(second)[-1] == "6500034"
    nav = second.pagination
    assert parse_qs(urlsplit(nav["previous"]).query) == {"sort": ["name"], "province": ["99"]}
    assert nav["next"] is None
    assert [(number, current) for number, _url, current in nav["pages"]] == [(1, False), (2, True)]
    assert parse_qs(urlsplit(first.pagination["next"]).query) == {"sort": ["name"], "province": ["99"],
                                                                  "page": ["2"]}


def test_search_catalogue_takes_any_page_number(many):
    # past the end, zero and negative: the last page; not a number: the first
    for page, number in [("99", 2), ("-1", 2), ("0", 2), ("abc", 1), ("", 1), ("2.5", 1), ("1e3", 1)]:
        assert search(page=page, **many).results.number == number, page


def test_search_catalogue_page_links_keep_the_query_and_filters(many):
    result = search(q="nghe", level="college", sort="name", **many)
    assert result.total == 25
    assert parse_qs(urlsplit(result.page_url(2)).query) == {"q": ["nghe"], "level": ["college"], "sort": ["name"],
                                                            "province": ["99"], "page": ["2"]}
    assert "page" not in parse_qs(urlsplit(result.page_url(1)).query)


def test_catalogue_pagination_marks_gaps():
    paginator = Paginator(range(200), 20)
    result = selectors.Catalogue("", "name", [], [], paginator.get_page(5), 200, {}, "?")
    numbers = [number for number, _url, _current in result.pagination["pages"]]
    assert numbers == [1, None, 3, 4, 5, 6, 7, None, 10]


# ---------------------------------------------------------------------------------------------- school lists


def test_list_school_pages_groups_by_province(catalogue):
    groups = selectors.list_school_pages(SchoolIndexPage.objects.get(locale__language_code="vi"))
    by_province = {g["province"].code: [page.institution.code for page in g["schools"]] for g in groups}
    assert by_province == {"31": ["HP-CD"], "82": ["TG-CD", "TG-TC"]}


def test_school_facts_lists_the_programs_of_the_school_in_its_language(catalogue):
    page = SchoolPage.objects.get(institution=catalogue["college"], locale__language_code="en")
    facts = selectors.school_facts(page)
    assert sorted(p.occupation.code for p in facts.programs) == ["6480201", "6520227"]
    assert {p.locale_id for p in facts.programs} == {page.locale_id}
    assert sorted(e.occupation.code for e in facts.scope) == ["6480201", "6520227"]
    assert sorted(k["designation"].tier for k in facts.key_occupations) == ["asean", "international"]


def test_home_facts_groups_key_occupations_by_tier(catalogue):
    facts = selectors.home_facts(HomePage.objects.get(locale__language_code="vi"))
    assert [t["tier"].value for t in facts["tiers"]] == ["international", "asean", "national"]
    assert [t["count"] for t in facts["tiers"]] == [1, 1, 1]
    assert facts["tiers"][0]["url"] == "/chuong-trinh/?tier=international"
    assert (facts["totals"]["n"], facts["totals"]["schools"]) == (5, 3)


# ------------------------------------------------------------------------------------------- query counts


def grow(schools, start: int, count: int):
    """`count` more programs spread over `schools`, every tier and no tier in turn."""
    tiers = [Tier.NATIONAL, Tier.ASEAN, Tier.INTERNATIONAL, None]
    for i in range(start, start + count):
        add_program(schools[i % len(schools)], f"64{i:05d}", f"Nghề đo {i}", f"Measured occupation {i}",
                    tier=tiers[i % len(tiers)])


def measure(client, url, django_assert_max_num_queries, bound) -> int:
    client.get(url)  # caches (site root paths, content types) warm
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_public_pages_run_a_fixed_number_of_queries(db, client, django_assert_max_num_queries):
    schools = [factories.InstitutionFactory(code=f"Q-{i}", province=factories.ProvinceFactory()) for i in range(3)]
    grow(schools, 0, 4)
    sync()
    program = ProgramPage.objects.get(occupation__code="6400000", locale__language_code="vi")
    version = program.version
    framework = factories.SkillFrameworkFactory()
    for _i in range(3):
        factories.ComponentUnitMappingFactory(component__version=version, unit__framework=framework)
    factories.NewsPageFactory(parent=NewsIndexPage.objects.get(locale__language_code="vi"))
    school = SchoolPage.objects.get(institution=schools[0], locale__language_code="vi")
    school.featured = school.show_readiness = True
    school.save()
    urls = {"catalogue": "/chuong-trinh/", "search": "/chuong-trinh/?q=nghe+do&tier=asean&sort=name",
            "en catalogue": "/en/programs/?level=college", "program": program.url, "school": school.url,
            "home": "/", "en home": "/en/", "schools": "/truong/", "news": "/tin-tuc/"}
    # measured: 19-20, 20, 20-21, 24, 20, 22, 23, 11, 12 queries (PostgreSQL-SQLite)
    bounds = {"catalogue": 25, "search": 25, "en catalogue": 26, "program": 28, "school": 25, "home": 27,
              "en home": 28, "schools": 15, "news": 16}
    few = {name: measure(client, url, django_assert_max_num_queries, bounds[name]) for name, url in urls.items()}

    before = ProgramPage.objects.live().filter(locale__language_code="vi").count()
    grow(schools, 4, 30)
    for _i in range(20):
        factories.ComponentUnitMappingFactory(component__version=version, unit__framework=framework)
    sync()
    assert ProgramPage.objects.live().filter(locale__language_code="vi").count() == before + 30
    many = {name: measure(client, url, django_assert_max_num_queries, bounds[name]) for name, url in urls.items()}
    assert many == few
