"""Every public page type: where it may live in the tree, that it renders in both languages, that drafts and withdrawn
pages are not public, the language switcher, and the 404 and 500 pages."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import rich_text

from cms import services
from cms.models import (
    ContentPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgramIndexPage,
    ProgramPage,
    SchoolIndexPage,
    SchoolPage,
)
from curricula.choices import VersionStatus
from tests import factories
from vet.choices import Tier
from vet.models import ScopeEntry

ELECTRICITY = "6520227-college-upper_secondary-tg-cd"


def translate(page: Page, *, title: str, slug: str, **fields) -> Page:
    """The English translation of an editor's page, published."""
    translated = page.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.title, translated.slug = title, slug
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated.specific_class.objects.get(pk=translated.pk)


def build_site() -> dict:
    """The home pages and sections, a school with a published program (key occupation, modules, standards) and a
    withdrawn one, an unapproved curriculum, news and content pages in both languages, and unpublished ones."""
    home = services.ensure_home_page()
    province = factories.ProvinceFactory(code="82", name_vi="Tiền Giang", name_en="Tien Giang")
    field = factories.OccupationFieldFactory(code="52", name_vi="Công nghệ kỹ thuật", name_en="Engineering")
    school = factories.InstitutionFactory(code="TG-CD", name_vi="Trường Cao đẳng Tiền Giang",
                                          name_en="Tien Giang College", province=province,
                                          address="119 Ấp Bắc, Mỹ Tho", phone="0273 3872 624")
    electricity = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp",
                                              name_en="Industrial electrics", field=field)
    version = factories.ApprovedCurriculumVersionFactory(
        curriculum__institution=school, curriculum__occupation=electricity, duration_months=30,
        output_standard="Lắp đặt, vận hành hệ thống điện.")
    framework = factories.SkillFrameworkFactory(name_vi="Tiêu chuẩn kỹ năng nghề Điện công nghiệp")
    for _i in range(2):
        factories.ComponentUnitMappingFactory(component__version=version, unit__framework=framework,
                                              component__credits=Decimal(4))
    factories.KeyOccupationDesignationFactory(institution=school, occupation=electricity, level=electricity.level,
                                              tier=Tier.ASEAN, period_start=2020, period_end=2100)
    accounting = factories.OccupationFactory(code="6340301", name_vi="Kế toán", name_en="Accounting")
    withdrawn = factories.ApprovedCurriculumVersionFactory(curriculum__institution=school,
                                                           curriculum__occupation=accounting).curriculum
    unapproved = factories.OccupationFactory(code="6480201", name_vi="Công nghệ thông tin")
    factories.CurriculumVersionFactory(curriculum__institution=school, curriculum__occupation=unapproved,
                                       status=VersionStatus.SUBMITTED)
    services.sync_public_pages()
    ScopeEntry.objects.filter(occupation=accounting).delete()
    services.sync_program_pages([withdrawn.pk])

    en_home = HomePage.objects.get(locale__language_code="en")
    news_index = NewsIndexPage.objects.get(locale__language_code="vi")
    news = factories.NewsPageFactory(parent=news_index, title="Kế hoạch nghề trọng điểm 2026",
                                     slug="ke-hoach-nghe-trong-diem-2026", kind=NewsPage.Kind.PLAN,
                                     date=datetime.date(2026, 1, 10), source="Quyết định 123/QĐ-UBND")
    news_en = translate(news, title="Key occupations plan 2026", slug="key-occupations-plan-2026")
    draft_news = factories.NewsPageFactory(parent=news_index, title="Tin nháp", slug="tin-nhap", live=False)
    about = factories.ContentPageFactory(parent=home, title="Giới thiệu", slug="gioi-thieu")
    about_en = translate(about, title="About", slug="about", body="<p>About VETtrack.</p>")
    contact = factories.ContentPageFactory(parent=about, title="Liên hệ", slug="lien-he")
    hidden = factories.ContentPageFactory(parent=home, title="Trang ẩn", slug="trang-an", live=False)
    return {
        "home": home, "en_home": en_home, "school": school, "version": version, "withdrawn": withdrawn,
        "news": news, "news_en": news_en, "draft_news": draft_news, "about": about, "about_en": about_en,
        "contact": contact, "hidden": hidden,
    }


def pair(model, **filters) -> tuple[Page, Page]:
    pages = {p.locale.language_code: p for p in model.objects.filter(**filters).select_related("locale")}
    return pages["vi"], pages["en"]


# ------------------------------------------------------------------------------------------ Wagtail helpers


# Wagtail's helpers log in through the first authentication backend, django-axes' here, which cannot load a user.
@mock.patch("wagtail.test.utils.page_tests.AUTH_BACKEND", "django.contrib.auth.backends.ModelBackend")
class TestPageTypes(WagtailPageTestCase):
    """Tree rules and rendering through Wagtail's own page test helpers."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site()

    def test_home_page_parents_and_children(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {ProgramIndexPage, SchoolIndexPage, NewsIndexPage, ContentPage})

    def test_index_pages_live_under_a_home_page_only(self):
        for index, child in [(ProgramIndexPage, ProgramPage), (SchoolIndexPage, SchoolPage),
                             (NewsIndexPage, NewsPage)]:
            self.assertAllowedParentPageTypes(index, {HomePage})
            self.assertAllowedSubpageTypes(index, {child})
            self.assertCanCreateAt(HomePage, index)
            self.assertCanNotCreateAt(ContentPage, index)

    def test_index_pages_one_per_home_page(self):
        home = self.site["home"]
        for index in (ProgramIndexPage, SchoolIndexPage, NewsIndexPage):
            assert not index.can_create_at(home)
        assert ContentPage.can_create_at(home)

    def test_generated_pages_cannot_be_added_by_hand(self):
        for index, child in [(ProgramIndexPage, ProgramPage), (SchoolIndexPage, SchoolPage)]:
            self.assertAllowedParentPageTypes(child, {index})
            self.assertAllowedSubpageTypes(child, set())
            assert not child.can_create_at(index.objects.first())
        self.assertCanNotCreateAt(HomePage, ProgramPage)

    def test_news_and_content_pages_parents_and_children(self):
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsPage, set())
        self.assertAllowedParentPageTypes(ContentPage, {HomePage, ContentPage})
        self.assertAllowedSubpageTypes(ContentPage, {ContentPage})
        self.client.force_login(self.create_superuser("editor"), "django.contrib.auth.backends.ModelBackend")
        self.assertCanCreate(self.site["about"], ContentPage, {"title": "Tuyển sinh", "slug": "tuyen-sinh",
                                                              "body": rich_text("<p>Hồ sơ tuyển sinh.</p>")})

    def test_every_page_type_routes_and_renders_in_both_languages(self):
        pages = [
            self.site["home"], self.site["en_home"], self.site["news"], self.site["news_en"], self.site["about"],
            self.site["about_en"], self.site["contact"],
            *pair(ProgramIndexPage), *pair(SchoolIndexPage), *pair(NewsIndexPage),
            *pair(ProgramPage, occupation__code="6520227"), *pair(SchoolPage, institution=self.site["school"]),
        ]
        assert {type(page.specific) for page in pages} == {HomePage, ProgramIndexPage, ProgramPage, SchoolIndexPage,
                                                           SchoolPage, NewsIndexPage, NewsPage, ContentPage}
        for page in pages:
            # routing starts from the root page's translation in the active language (a request to /en/ leaves
            # English active in this thread)
            with translation.override(page.locale.language_code):
                if page.locale.language_code == "vi":
                    self.assertPageIsRoutable(page)
                else:  # the helper knows no /en/ prefix
                    path = page.get_url(self.dummy_request).removeprefix("/en/")
                    routed = page.get_site().root_page.localized.specific.route(
                        self.dummy_request, [part for part in path.split("/") if part])
                    assert routed.page.pk == page.pk
                self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(pair(ProgramIndexPage)[0], query_data={"q": "dien", "tier": "asean"})

    def test_editor_pages_are_editable(self):
        for page in [self.site["home"], self.site["news"], self.site["about"], *pair(ProgramIndexPage),
                     *pair(NewsIndexPage)]:
            self.assertPageIsEditable(page)

    def test_generated_pages_are_editable_and_keep_the_registry_facts(self):
        program, _en = pair(ProgramPage, occupation__code="6520227")
        school, _en = pair(SchoolPage, institution=self.site["school"])
        title = program.title
        self.assertPageIsEditable(program)
        self.assertPageIsEditable(school)
        program.refresh_from_db()
        assert (program.title, program.live, program.version_id) == (title, True, self.site["version"].pk)


# ------------------------------------------------------------------------------------------------- serving


@pytest.fixture(scope="module")
def module_site(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_site()
        transaction.set_rollback(True)


@pytest.fixture
def site(module_site, db):
    return module_site


def language_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="lang"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return {code: href for href, code in re.findall(r'<a href="([^"]*)" hreflang="([a-z]+)"', nav)}


SWITCHES = [  # a page's Vietnamese and English addresses
    ("/", "/en/"),
    ("/chuong-trinh/", "/en/programs/"),
    (f"/chuong-trinh/{ELECTRICITY}/", f"/en/programs/{ELECTRICITY}/"),
    ("/truong/", "/en/schools/"),
    ("/truong/tg-cd/", "/en/schools/tg-cd/"),
    ("/tin-tuc/", "/en/news/"),
    ("/tin-tuc/ke-hoach-nghe-trong-diem-2026/", "/en/news/key-occupations-plan-2026/"),
    ("/gioi-thieu/", "/en/about/"),
]


@pytest.mark.parametrize(("vi", "en"), SWITCHES)
def test_language_links_lead_to_the_translation(site, client, vi, en):
    for url, language in [(vi, "vi"), (en, "en")]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert language_links(html) == {"vi": vi, "en": en}
        assert re.search(rf'<a href="{re.escape(url)}" hreflang="{language}" lang="{language}" aria-current="true"',
                         html)
        assert client.get(language_links(html)["en" if language == "vi" else "vi"]).status_code == 200


def test_language_links_keep_the_catalogue_search(site, client):
    html = client.get("/chuong-trinh/?q=dien&tier=asean").content.decode()
    assert language_links(html)["en"] == "/en/programs/?q=dien&amp;tier=asean"


def test_language_links_of_an_untranslated_page_lead_to_a_page_that_exists(site, client):
    response = client.get("/gioi-thieu/lien-he/")  # no English translation
    assert response.status_code == 200
    html = response.content.decode()
    assert language_links(html)["en"] == "/en/about/"  # its translated parent
    assert client.get("/en/about/").status_code == 200
    assert 'hreflang="en"' not in re.search(r"<head>.*</head>", html, re.S).group(0)  # not an alternate


@pytest.mark.parametrize(("url", "heading", "title"), [
    (f"/chuong-trinh/{ELECTRICITY}/", "Điện công nghiệp", "Điện công nghiệp · Cao đẳng | Trường Cao đẳng Tiền Giang"),
    (f"/en/programs/{ELECTRICITY}/", "Industrial electrics", "Industrial electrics · College | Tien Giang College"),
    ("/truong/tg-cd/", "Trường Cao đẳng Tiền Giang", "Trường Cao đẳng Tiền Giang"),
    ("/en/schools/tg-cd/", "Tien Giang College", "Tien Giang College"),
    ("/en/news/key-occupations-plan-2026/", "Key occupations plan 2026", "Key occupations plan 2026"),
])
def test_serve_shows_each_page_in_its_language(site, client, url, heading, title):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf"<h1>{re.escape(heading)}", html)
    assert f"<title>{title} · VETtrack</title>" in html


def test_serve_program_page_shows_the_published_version(site, client):
    html = client.get(f"/chuong-trinh/{ELECTRICITY}/").content.decode()
    assert "30 tháng" in html
    assert 'data-testid="tier-badge"' in html and "ASEAN" in html
    assert "Tiêu chuẩn kỹ năng nghề Điện công nghiệp" in html
    assert "Lắp đặt, vận hành hệ thống điện." in html
    assert 'href="/truong/tg-cd/"' in html
    english = client.get(f"/en/programs/{ELECTRICITY}/").content.decode()
    assert "30 months" in english and 'href="/en/schools/tg-cd/"' in english


def test_serve_school_page_lists_its_published_programs_only(site, client):
    html = client.get("/truong/tg-cd/").content.decode()
    assert f'href="/chuong-trinh/{ELECTRICITY}/"' in html
    assert "/chuong-trinh/6340301" not in html  # withdrawn
    assert "/chuong-trinh/6480201" not in html  # never approved


def test_serve_catalogue_lists_published_programs_only(site, client):
    html = client.get("/chuong-trinh/").content.decode()
    assert f'href="/chuong-trinh/{ELECTRICITY}/"' in html
    assert "6340301" not in html and "6480201" not in html
    assert client.get("/chuong-trinh/?q=ke+toan").context["catalogue"].total == 0


@pytest.mark.parametrize("url", [
    "/chuong-trinh/6340301-college-upper_secondary-tg-cd/",  # withdrawn
    "/en/programs/6340301-college-upper_secondary-tg-cd/",
    "/chuong-trinh/6480201-college-upper_secondary-tg-cd/",  # submitted, never approved
    "/tin-tuc/tin-nhap/",  # draft news
    "/en/news/tin-nhap/",
    "/trang-an/",  # unpublished content page
])
def test_serve_hides_drafts_and_withdrawn_pages(site, client, url):
    assert client.get(url).status_code == 404


def test_serve_hides_a_page_unpublished_by_an_editor(site, client):
    site["about_en"].unpublish()
    assert client.get("/en/about/").status_code == 404
    assert client.get("/gioi-thieu/").status_code == 200
    assert language_links(client.get("/gioi-thieu/").content.decode())["en"] == "/en/"


# --------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("url", "language", "heading", "link"), [
    ("/nope/", "vi", "Không tìm thấy trang", 'href="/chuong-trinh/"'),
    ("/chuong-trinh/nope/", "vi", "Không tìm thấy trang", 'href="/chuong-trinh/"'),
    ("/en/nope/", "en", "Page not found", 'href="/en/programs/"'),
    ("/en/programs/nope/", "en", "Page not found", 'href="/en/programs/"'),
])
def test_404_page_speaks_the_language_of_the_address(site, client, url, language, heading, link):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert link in html


@pytest.mark.parametrize(("language", "heading", "other"), [
    ("vi", "Đã có lỗi ở phía máy chủ", "Something went wrong on our side."),
    ("en", "Something went wrong on our side", "Đã có lỗi ở máy chủ."),
])
def test_500_template_renders_without_a_database(language, heading, other):
    # no django_db mark: any query here would fail the test
    with translation.override(language):
        html = render_to_string("500.html")
        response = server_error(RequestFactory().get("/"))
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert other in html
    assert 'href="/static/cms/site.css"' in html
    assert response.status_code == 500
    assert f"<h1>{heading}</h1>" in response.content.decode()
