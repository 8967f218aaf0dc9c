"""Demo content of the public site: the generated pages, the two plans of ../shared/reference as news items, and
the demo schools' profiles (cms/data/demo/)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import transaction

from vet.loaders import CREATED, UNCHANGED, UPDATED, LoadSummary

from . import services
from .models import NewsIndexPage, NewsPage, ProgramPage, SchoolPage

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
PROFILES = {
    "vi": "<p>Trường đào tạo nhiều ngành, nghề kỹ thuật gắn với doanh nghiệp trong khu công nghiệp của tỉnh; "
          "phần lớn học viên tốt nghiệp có việc làm trong sáu tháng.</p>",
    "en": "<p>The school trains technicians in close partnership with the enterprises of the province's industrial "
          "parks; most graduates find work within six months.</p>",
}


def _load_news(summary: LoadSummary, demo_dir: Path) -> None:
    items = json.loads((demo_dir / "news.json").read_text(encoding="utf-8"))["items"]
    indexes = {page.locale.language_code: page for page in NewsIndexPage.objects.select_related("locale")}
    for item in items:
        source = None
        for code, index in indexes.items():
            text = item.get(code) or item["vi"]
            fields = {"title": text["title"], "draft_title": text["title"], "intro": text["intro"],
                      "body": text["body"], "source": item["source"], "kind": item["kind"],
                      "date": datetime.date.fromisoformat(item["date"])}
            page = NewsPage.objects.child_of(index).filter(slug=text["slug"]).first()
            if page is None:
                page = NewsPage(slug=text["slug"], locale=index.locale, **fields)
                if source is not None:
                    page.translation_key = source.translation_key
                page = index.add_child(instance=page)
                summary.add("news items", CREATED)
            elif any(getattr(page, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(page, k, v)
                page.save()
                summary.add("news items", UPDATED)
            else:
                summary.add("news items", UNCHANGED)
            source = source or page


def _feature_schools(summary: LoadSummary) -> None:
    with_programs = set(ProgramPage.objects.live().values_list("institution_id", flat=True))
    for page in SchoolPage.objects.select_related("locale", "institution").filter(
            institution__code__startswith="DEMO-"):
        code = page.locale.language_code
        # the schools with programs in the catalogue are featured; every demo school publishes its readiness
        wanted = {"featured": page.institution_id in with_programs, "show_readiness": True,
                  "profile": PROFILES.get(code, PROFILES["vi"])}
        if all(getattr(page, k) == v for k, v in wanted.items()):
            summary.add("school profiles", UNCHANGED)
            continue
        for k, v in wanted.items():
            setattr(page, k, v)
        page.save()
        summary.add("school profiles", UPDATED)


@transaction.atomic
def load_demo_site(summary: LoadSummary | None = None, demo_dir: Path = DEMO_DIR) -> LoadSummary:
    """Generate the program and school pages, then add the demo news and the demo schools' profiles (idempotent)."""
    summary = summary or LoadSummary()
    services.ensure_home_page()
    for name, result in services.sync_public_pages().items():
        label = {"schools": "school pages", "programs": "program pages"}[name]
        summary.add(label, CREATED, result.created)
        summary.add(label, UPDATED, result.updated + result.withdrawn)
        summary.add(label, UNCHANGED, result.unchanged)
    _load_news(summary, demo_dir)
    _feature_schools(summary)
    return summary
