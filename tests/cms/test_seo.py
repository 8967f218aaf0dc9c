"""What search engines and link previews read: sitemap.xml, robots.txt, the program page's head and its schema.org
block; and that no page loads anything from another host (the site works on a LAN without the internet)."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction

from cms import services
from cms.models import ProgramPage
from tests import factories
from tests.cms.test_pages import ELECTRICITY, build_site
from vet.models import ScopeEntry

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def module_site(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_site()
        transaction.set_rollback(True)


@pytest.fixture
def site(module_site, db):
    return module_site


class Head(HTMLParser):
    """The <title>, <meta> and <link> elements and the JSON-LD blocks of a page; every external reference."""

    def __init__(self, html: str):
        super().__init__()
        self.title, self.meta, self.links, self.json_ld, self.references = "", {}, [], [], []
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in = "title"
        elif tag == "meta":
            self.meta[attrs.get("name") or attrs.get("property")] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
            if set((attrs.get("rel") or "").split()) & {"stylesheet", "preload", "modulepreload", "icon", "prefetch",
                                                        "manifest", "dns-prefetch", "preconnect"}:
                self.references.append(attrs.get("href"))
        elif tag == "script":
            self._in = "ld" if attrs.get("type") == "application/ld+json" else "script"
            self.references.append(attrs.get("src"))
        elif tag in ("img", "iframe", "source", "audio", "video", "embed"):
            self.references.append(attrs.get("src"))
        elif tag == "object":
            self.references.append(attrs.get("data"))
        elif tag == "style":
            self._in = "style"
        if "style" in attrs:
            self.references.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs["style"]))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "ld":
            self.json_ld.append(json.loads(data))
        elif self._in == "style":
            self.references.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", data))

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if link.get("rel") == "alternate"}

    def canonical(self) -> str:
        return next(link["href"] for link in self.links if link.get("rel") == "canonical")


def external(references) -> list[str]:
    flat = [r for ref in references for r in (ref if isinstance(ref, tuple) else (ref,)) if r]
    return [r for r in flat if urlsplit(r).netloc or r.startswith("//")]


# -------------------------------------------------------------------------------------------------- sitemap


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]


def test_sitemap_lists_live_pages_in_both_languages(site, client):
    locations = sitemap_locations(client)
    for path in ["/", "/en/", "/chuong-trinh/", "/en/programs/", f"/chuong-trinh/{ELECTRICITY}/",
                 f"/en/programs/{ELECTRICITY}/", "/truong/tg-cd/", "/en/schools/tg-cd/",
                 "/tin-tuc/ke-hoach-nghe-trong-diem-2026/", "/en/news/key-occupations-plan-2026/", "/gioi-thieu/",
                 "/en/about/"]:
        assert f"http://localhost{path}" in locations, path
    assert len(locations) == len(set(locations))
    assert all(location.startswith("http://localhost/") for location in locations)


def test_sitemap_leaves_out_withdrawn_draft_and_unpublished_pages(site, client):
    locations = "\n".join(sitemap_locations(client))
    assert "6340301" not in locations  # withdrawn program
    assert "6480201" not in locations  # never approved
    assert "tin-nhap" not in locations and "trang-an" not in locations


def test_sitemap_follows_a_withdrawal(site, client):
    ScopeEntry.objects.filter(occupation__code="6520227").delete()
    services.sync_program_pages()
    assert not any(ELECTRICITY in location for location in sitemap_locations(client))


def test_sitemap_runs_a_fixed_number_of_queries(site, client, django_assert_max_num_queries):
    sitemap_locations(client)  # caches warm
    with django_assert_max_num_queries(20) as few:  # measured: 14 (one a page type for .specific())
        before = sitemap_locations(client)
    school = factories.InstitutionFactory()
    for _i in range(10):
        factories.ApprovedCurriculumVersionFactory(curriculum__institution=school)
    services.sync_public_pages()
    with django_assert_max_num_queries(20) as many:
        after = sitemap_locations(client)
    assert len(after) == len(before) + 22  # 10 programs and their school, in two languages
    assert len(many) == len(few)


# --------------------------------------------------------------------------------------------------- robots


def test_robots_txt_keeps_crawlers_out_of_the_back_office_api_and_diplomas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert {"/admin/", "/api/", "/verify/", "/en/verify/"} <= disallowed
    assert "Disallow: /" not in lines  # the catalogue stays open
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "max-age=86400" in response["Cache-Control"]


def test_robots_txt_refuses_post(client):
    assert client.post("/robots.txt").status_code == 405


# ------------------------------------------------------------------------------------------ program page head


@pytest.mark.parametrize(("url", "language", "name"), [
    (f"/chuong-trinh/{ELECTRICITY}/", "vi", "Điện công nghiệp · Cao đẳng | Trường Cao đẳng Tiền Giang"),
    (f"/en/programs/{ELECTRICITY}/", "en", "Industrial electrics · College | Tien Giang College"),
])
def test_program_page_head_describes_the_program(site, client, url, language, name):
    head = Head(client.get(url).content.decode())
    assert head.title == f"{name} · VETtrack"
    assert head.meta["description"]
    assert head.meta["og:description"] == head.meta["description"]
    assert head.meta["og:title"] == name
    assert head.meta["og:type"] == "article"
    assert head.meta["og:url"] == f"http://testserver{url}"
    assert head.meta["og:locale"] == {"vi": "vi_VN", "en": "en_GB"}[language]
    assert head.canonical() == f"http://testserver{url}"
    assert head.alternates() == {"vi": f"http://testserver/chuong-trinh/{ELECTRICITY}/",
                                 "en": f"http://testserver/en/programs/{ELECTRICITY}/"}


def test_program_page_canonical_drops_the_query_string(site, client):
    head = Head(client.get(f"/chuong-trinh/{ELECTRICITY}/?utm_source=zalo").content.decode())
    assert head.canonical() == f"http://testserver/chuong-trinh/{ELECTRICITY}/"


def test_program_page_meta_description_is_the_editors(site, client):
    ProgramPage.objects.filter(occupation__code="6520227", locale__language_code="vi").update(
        search_description="Học nghề điện 2,5 năm tại Mỹ Tho.")
    head = Head(client.get(f"/chuong-trinh/{ELECTRICITY}/").content.decode())
    assert head.meta["description"] == "Học nghề điện 2,5 năm tại Mỹ Tho."


@pytest.mark.parametrize(("url", "language", "credential"), [
    (f"/chuong-trinh/{ELECTRICITY}/", "vi", "Cao đẳng"),
    (f"/en/programs/{ELECTRICITY}/", "en", "College"),
])
def test_program_page_carries_schema_org_program(site, client, url, language, credential):
    head = Head(client.get(url).content.decode())
    assert len(head.json_ld) == 1
    data = head.json_ld[0]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "EducationalOccupationalProgram"
    assert data["name"] == head.meta["og:title"]
    assert data["url"] == head.canonical()
    assert data["inLanguage"] == language
    assert data["educationalCredentialAwarded"] == credential
    assert data["occupationalCategory"] == "6520227"
    assert data["timeToComplete"] == "P30M"
    assert data["numberOfCredits"] == 8.0  # two modules of 4 credits
    assert re.fullmatch(r"PT\d+H", data["timeRequired"])
    assert data["programPrerequisites"]
    provider = data["provider"]
    assert provider["@type"] == "EducationalOrganization"
    assert provider["name"] == {"vi": "Trường Cao đẳng Tiền Giang", "en": "Tien Giang College"}[language]
    assert provider["telephone"] == "0273 3872 624"
    assert provider["url"] == {"vi": "http://testserver/truong/tg-cd/",
                               "en": "http://testserver/en/schools/tg-cd/"}[language]
    assert provider["address"] == {"@type": "PostalAddress", "streetAddress": "119 Ấp Bắc, Mỹ Tho",
                                   "addressRegion": {"vi": "Tiền Giang", "en": "Tien Giang"}[language],
                                   "addressCountry": "VN"}


def test_program_page_schema_cannot_break_out_of_its_script(site, client):
    school = site["school"]
    school.name_vi = 'Trường </script><script>alert("x")</script> & Co'
    school.save()
    services.sync_public_pages()
    page = ProgramPage.objects.get(occupation__code="6520227", locale__language_code="vi")
    html = client.get(page.url).content.decode()
    assert "<script>alert" not in html
    data = Head(html).json_ld[0]
    assert data["provider"]["name"] == 'Trường </script><script>alert("x")</script> & Co'


def test_other_pages_carry_no_program_schema(site, client):
    for url in ["/", "/chuong-trinh/", "/truong/tg-cd/", "/tin-tuc/ke-hoach-nghe-trong-diem-2026/"]:
        head = Head(client.get(url).content.decode())
        assert head.json_ld == [], url
        assert head.canonical() == f"http://testserver{url}"


def test_news_page_is_an_article_with_alternates(site, client):
    head = Head(client.get("/en/news/key-occupations-plan-2026/").content.decode())
    assert head.meta["og:type"] == "article"
    assert head.alternates() == {"vi": "http://testserver/tin-tuc/ke-hoach-nghe-trong-diem-2026/",
                                 "en": "http://testserver/en/news/key-occupations-plan-2026/"}


# ---------------------------------------------------------------------------------------- no external assets


PAGES = ["/", "/en/", "/chuong-trinh/", "/chuong-trinh/?q=dien", "/en/programs/", f"/chuong-trinh/{ELECTRICITY}/",
         f"/en/programs/{ELECTRICITY}/", "/truong/", "/truong/tg-cd/", "/en/schools/tg-cd/", "/tin-tuc/",
         "/tin-tuc/ke-hoach-nghe-trong-diem-2026/", "/en/news/key-occupations-plan-2026/", "/gioi-thieu/",
         "/en/about/", "/nope/", "/en/nope/"]


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_load_nothing_from_another_host(site, client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    head = Head(response.content.decode())
    assert head.references, "the page names its stylesheet"
    assert external(head.references) == []
    assert all(ref.startswith(settings.STATIC_URL) for ref in head.references if ref)


def test_site_stylesheet_loads_nothing_from_another_host():
    path = Path(finders.find("cms/site.css"))
    css = path.read_text()
    assert not re.search(r"@import", css)
    urls = [u.strip("'\" ") for u in re.findall(r"url\(([^)]*)\)", css)]
    assert [u for u in urls if re.match(r"(https?:)?//", u)] == []
    assert not re.search(r"@font-face[^}]*https?://", css)


def test_external_finds_cdn_references():
    head = Head('<link rel="stylesheet" href="https://cdn.example.org/x.css"><script src="//cdn.example.org/a.js">'
                '</script><style>@import "https://fonts.example.org/f.css";</style><img src="/static/a.png">'
                '<link rel="canonical" href="https://vettrack.example.org/">')
    assert external(head.references) == ["https://cdn.example.org/x.css", "//cdn.example.org/a.js",
                                         "https://fonts.example.org/f.css"]
