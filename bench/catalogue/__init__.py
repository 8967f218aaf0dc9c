"""The public catalogue under load: 5,000 programs in PostgreSQL, a real server, and a second process as the clients.

Fixture (`fixture.py`, bulk inserts, not what is measured): institutions in 12 provinces, the reference occupations
and fields plus more occupations, one curriculum per program with an approved version and its subjects and modules,
the scope entries that let it be published, key-occupation designations (some expired), yearly outcomes,
skill-standard mappings, unpublished curricula (drafts only, or outside the scope), news items. The school pages and
the first BENCH_SYNC_SAMPLE curricula's program pages are made by the project's services (`cms.services`), timed;
the other program pages are decided and filled in by `sync_program_pages` too but inserted in bulk (a full sync of
5,000 curricula takes minutes, printed); the service then runs over everything and must change nothing. The search
index is filled with the backend's `add_bulk`, then ANALYZE.

Ours (`load.py`): gunicorn with 2 workers (sync, as in the README) serving the project's WSGI application under the
production settings (DEBUG off, ALLOWED_HOSTS localhost, persistent database connections, behind a TLS proxy: the
clients send X-Forwarded-Proto), except that static URLs are not looked up in a collectstatic manifest (a minute to
build, and not what is measured). A second process runs 10 client threads (http.client, keep-alive when the server
allows it) for BENCH_SECONDS on (a) a mix of filtered catalogue searches and (b) program pages, and reports requests
per second, p50 and p95 of the latency, and errors (any status but 200; there must be none). Both servers run
throughout and each load is split in halves, ours then naive, then naive then ours, so that a change in the
machine's load between them falls on both.

Naive (`naive.py`), in the same run, served the same way (same server, settings, templates, URLs; only two
`get_context` methods are swapped, in the naive server process, never in the app):
- catalogue: every live program page of the language read in one query with its curriculum, institution,
  province, occupation and field joined, plus the year's designations and the approved versions (3 queries, no
  N+1); then the registry's text folded, the words matched against it and the page title, the filters applied, the
  facets counted, the results sorted and paginated in Python. It uses neither the page's copied filter columns nor
  the database to filter or count. Same results, counts and order as ours (checked for every URL, except the order
  under relevance, which PostgreSQL's ts_rank decides for ours and word hits in the occupation name for the naive
  one).
- program page: the same facts read the way lazy ORM code gets them: the version's components, then each
  component's unit mappings, each mapping's unit and each unit's framework one by one; the school's outcomes
  and designations read whole and filtered in Python, each designation's decision read when shown. Checked equal.

The query count of each page type is measured in this process with CaptureQueriesContext through the test client.
Knobs: BENCH_PROGRAMS (5000), BENCH_SECONDS (30), BENCH_CLIENTS (10), BENCH_SYNC_SAMPLE (250 curricula; 0: the
service makes every page), BENCH_GUNICORN_ARGS (more gunicorn arguments, e.g. "--worker-class gthread --threads 4").
Needs PostgreSQL (the server is another process); on SQLite it says so and stops.
Method and figures: docs/guides/catalogue-bench.md."""

from __future__ import annotations

import datetime
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

N_PROGRAMS = int(os.environ.get("BENCH_PROGRAMS", "5000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "10"))
GUNICORN_ARGS = shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", ""))
WORKERS = 2
PER_SCHOOL = 20
N_PROGRAM_URLS = 400
SYNC_SAMPLE = int(os.environ.get("BENCH_SYNC_SAMPLE", "250"))
YEAR = datetime.date.today().year
BASE_DIR = Path(__file__).resolve().parent.parent.parent
PAD = " " * 58

# The catalogue searches of the load, by language: what visitors type and click (words, filters, the next page); the
# last one is broad (about half the programs match "cao dang").
SEARCHES = [
    ("vi", "?q=dien+cong+nghiep&level=college"),
    ("vi", "?q=dien+cong+nghiep&level=college&page=2"),
    ("vi", "?province=79"),
    ("vi", "?province=01&level=intermediate&page=2"),
    ("vi", "?q=ke+toan&type=college&sort=name"),
    ("vi", "?field=52&tier=national"),
    ("en", "?q=cong+nghe+o+to&province=48"),
    ("en", "?q=cao+dang&page=3"),
]


def _search_urls(indexes) -> list[str]:
    return [indexes[language].url + query for language, query in SEARCHES]


def _check_naive(indexes, sample) -> None:
    """The naive catalogue and program page give what ours gives (results, counts, order; facts)."""
    from django.db import connection
    from django.http import QueryDict
    from django.utils import translation

    from cms import selectors

    from .naive import naive_program_facts, naive_search_catalogue

    with connection.cursor() as cursor:
        cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        bytewise = cursor.fetchone()[0] in ("C", "C.UTF-8", "POSIX")
    for language, url in SEARCHES:
        params = QueryDict(url.lstrip("?"))
        with translation.override(language):
            ours = selectors.search_catalogue(index=indexes[language], params=params)
            naive = naive_search_catalogue(index=indexes[language], params=params)
            assert ours.total == naive.total, (url, ours.total, naive.total)
            assert [(f.name, [(o.value, o.label, o.count, o.url) for o in f.options]) for f in ours.facets] == \
                [(f.name, [(o.value, o.label, o.count, o.url) for o in f.options]) for f in naive.facets], url
            all_ours = set(ours.results.paginator.object_list)  # the ids of every result, in order
            assert all_ours == {p.pk for p in naive.results.paginator.object_list}, url
            if ours.sort != "relevance" and bytewise:
                assert [p.pk for p in ours.results] == [p.pk for p in naive.results], url
    for page in sample:
        with translation.override(page.locale.language_code):
            assert selectors.program_facts(page) == naive_program_facts(page), page.pk


def _measure(client, url: str, repeat: int) -> tuple[float, int, int]:
    """(median seconds, queries, bytes) of GET url through the test client: the queries of one request, then the
    time of `repeat` more (or of that one when repeat is 0)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .load import HEADERS

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url, headers=HEADERS)
        samples = [time.perf_counter() - start]
    count = len(queries)  # read now: the next request empties the connection's log
    assert response.status_code == 200, (url, response.status_code)
    if repeat:
        samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url, headers=HEADERS)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), count, len(response.content)


def _page_types(indexes) -> list[tuple[str, str, bool]]:
    """(name, URL, whether the naive server serves it differently) of each page type."""
    from cms.models import NewsIndexPage, NewsPage, ProgramPage, SchoolIndexPage, SchoolPage

    index_vi = indexes["vi"]
    programs = ProgramPage.objects.live().child_of(index_vi)
    few = programs.filter(level__startswith="elementary").order_by("pk").first()
    many = programs.filter(level="college", tier__gt="").order_by("pk").first()
    school = SchoolPage.objects.live().filter(locale=index_vi.locale, institution__code="CAT-0000").first()
    centre = SchoolPage.objects.live().filter(locale=index_vi.locale, institution__type="vet_centre").first()
    news = NewsPage.objects.live().filter(locale=index_vi.locale).first()
    english = ProgramPage.objects.live().exclude(locale=index_vi.locale).order_by("pk").first()
    return [
        ("home", "/", False),
        ("catalogue, no filter", index_vi.url, True),
        *((f"catalogue ({language}) {query}", indexes[language].url + query, True) for language, query in SEARCHES),
        ("program, college key occupation (20 modules)", many.url, True),
        ("program, elementary (6 modules)", few.url, True),
        ("program, English", english.url, True),
        ("school list", SchoolIndexPage.objects.get(locale=index_vi.locale).url, False),
        ("school, college (20 programs)", school.url, False),
        ("school, VET centre", centre.url, False),
        ("news list", NewsIndexPage.objects.get(locale=index_vi.locale).url, False),
        ("news item", news.url, False),
    ]


def _query_counts(indexes) -> None:
    from django.test import Client

    from .load import HEADERS
    from .naive import install_naive, restore_naive

    client = Client()
    print(f"{'page type (test client, in this process)':<58} {'queries ours':>12} {'naive':>6}   "
          "time ours (median of 3) / naive")
    for name, url, differs in _page_types(indexes):
        client.get(url, headers=HEADERS)  # the first request of a page type compiles its templates
        ours_time, ours_queries, size = _measure(client, url, 3)
        if not differs:
            print(f"{name:<58} {ours_queries:>12} {'':>6}   {ours_time * 1000:7.1f} ms, {size // 1024} KB "
                  "(the naive server serves it the same)")
            continue
        originals = install_naive()
        try:
            naive_time, naive_queries, _ = _measure(client, url, 0)
        finally:
            restore_naive(originals)
        print(f"{name:<58} {ours_queries:>12} {naive_queries:>6}   {ours_time * 1000:7.1f} / "
              f"{naive_time * 1000:7.1f} ms, {size // 1024} KB")


def _print_load(report, label: str, ours: dict, naive: dict) -> None:
    report(f"{label}, p50", ours["p50"], naive["p50"])
    print(f"{PAD} p95: ours {ours['p95'] * 1000:.1f} ms, naive {naive['p95'] * 1000:.1f} ms "
          f"(×{naive['p95'] / ours['p95']:.1f}); requests/s: ours {ours['rps']:.1f}, naive {naive['rps']:.1f} "
          f"(×{ours['rps'] / naive['rps']:.1f})")
    for name, r in (("ours", ours), ("naive", naive)):
        print(f"{PAD} {name}: {r['requests']} requests, {r['errors']} errors, {r['connections']} connections"
              + (f": {'; '.join(r['error_examples'])}" if r["errors"] else ""))


def bench_catalogue(report) -> None:
    """Print the figures; `report(name, ours, naive)` is the benches' common line."""
    from django.db import connection

    from cms.models import ProgramIndexPage, ProgramPage

    from .fixture import generate_pages, populate
    from .load import Server, run_load, summarize

    sys.stdout.reconfigure(line_buffering=True)
    load = os.getloadavg()
    print(f"Public catalogue on {connection.vendor}: {N_PROGRAMS} programs, {CLIENTS} clients × {SECONDS:g} s, "
          f"gunicorn {WORKERS} workers {' '.join(GUNICORN_ARGS) or '(sync)'}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if connection.vendor != "postgresql":
        print(f"{PAD} skipped on {connection.vendor}: the server and the clients are other processes, which need a "
              "database server shared with the bench: set DATABASE_URL to PostgreSQL (docs/guides/catalogue-bench.md)")
        return
    start = time.perf_counter()
    fixture = populate()
    print(f"{PAD} fixture: {len(fixture['schools'])} institutions, {fixture['published']} publishable curricula "
          f"(+{fixture['drafts']} drafts only, +{fixture['outside']} outside the scope), "
          f"{time.perf_counter() - start:.1f} s (bulk inserts)")
    pages = generate_pages(fixture["schools"])
    t, s = pages["times"], pages["programs"]
    print(f"{PAD} sync_school_pages: {pages['schools'].created} pages in {t['schools']:.1f} s "
          f"({t['schools'] / max(1, pages['schools'].created) * 1000:.1f} ms a page)")
    print(f"{PAD} sync_program_pages of {pages['sample']} curricula: {s.created} pages created in "
          f"{t['programs']:.1f} s, {t['programs'] / max(1, s.created) * 1000:.1f} ms a page "
          f"(for {2 * N_PROGRAMS} pages: about {t['programs'] / max(1, s.created) * 2 * N_PROGRAMS / 60:.1f} min)")
    if pages["bulk"]:
        print(f"{PAD} the other {pages['bulk']} pages in bulk (bench fixture only): {t['bulk']:.1f} s")
    print(f"{PAD} sync_program_pages again over all {pages['again'].unchanged} "
          f"pages: {t['again']:.1f} s, every page unchanged")
    print(f"{PAD} search index: add_bulk {pages['indexed']} pages in {t['index']:.1f} s "
          f"({t['index'] / max(1, pages['indexed']) * 1000:.2f} ms a page); one page at a time (the index task "
          f"of each saved page) {t['index_one'] * 1000:.1f} ms a page")
    indexes = {i.locale.language_code: i for i in ProgramIndexPage.objects.select_related("locale")}
    live = ProgramPage.objects.live()
    assert [live.child_of(i).count() for i in indexes.values()] == [N_PROGRAMS] * len(indexes)
    rnd = random.Random(30)
    program_pages = rnd.sample(list(live.select_related("locale").order_by("pk")),
                               min(N_PROGRAM_URLS, 2 * N_PROGRAMS))
    _check_naive(indexes, program_pages[:25])
    print(f"{PAD} naive checked: same results, counts and order for the {len(SEARCHES)} searches, same facts "
          "for 25 program pages")
    _query_counts(indexes)

    search_urls = _search_urls(indexes)
    program_urls = [p.url for p in program_pages]
    logs = Path(tempfile.mkdtemp(prefix="vettrack-bench-catalogue-"))
    servers, parts = {}, {}
    try:
        for naive in (False, True):
            servers[naive] = Server(naive, logs)
        # Each load in two halves, ours-naive then naive-ours, so that a change in the machine's load between the
        # runs falls on both.
        for kind, urls in (("search", search_urls), ("program", program_urls)):
            for half, order in enumerate(((False, True), (True, False))):
                for naive in order:
                    parts.setdefault((kind, naive), []).append(
                        run_load(servers[naive].port, urls, SECONDS / 2, warm_up=half == 0))
    finally:
        for server in servers.values():
            server.stop()
    search_ours, search_naive, program_ours, program_naive = (
        summarize(parts[kind, naive]) for kind in ("search", "program") for naive in (False, True))
    label = f"under load, {CLIENTS} clients × {SECONDS:g} s:"
    _print_load(report, f"{label} {len(search_urls)} catalogue searches", search_ours, search_naive)
    _print_load(report, f"{label} {len(program_urls)} program pages", program_ours, program_naive)
    print(f"{PAD} load average at the end {os.getloadavg()[0]:.1f}; server logs in {logs}")
    assert not any(r["errors"] for r in (search_ours, program_ours, search_naive, program_naive)), "errors"
