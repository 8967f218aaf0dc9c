"""Fixture data of the catalogue bench: the registry rows in bulk, then the public pages through the project's
services (timed), and the search index."""

from __future__ import annotations

import csv
import datetime
import math
import random
import time
from decimal import Decimal

from . import BASE_DIR, N_PROGRAMS, PER_SCHOOL, SYNC_SAMPLE, YEAR

PROVINCES = [  # code, Vietnamese, English, region; Hà Nội and Hồ Chí Minh City get three times the schools
    ("01", "Thành phố Hà Nội", "Ha Noi", "red_river_delta"),
    ("79", "Thành phố Hồ Chí Minh", "Ho Chi Minh City", "south_east"),
    ("31", "Thành phố Hải Phòng", "Hai Phong", "red_river_delta"),
    ("48", "Thành phố Đà Nẵng", "Da Nang", "north_central"),
    ("92", "Thành phố Cần Thơ", "Can Tho", "mekong_delta"),
    ("87", "Tỉnh Đồng Tháp", "Dong Thap", "mekong_delta"),
    ("75", "Tỉnh Đồng Nai", "Dong Nai", "south_east"),
    ("27", "Tỉnh Bắc Ninh", "Bac Ninh", "red_river_delta"),
    ("22", "Tỉnh Quảng Ninh", "Quang Ninh", "red_river_delta"),
    ("38", "Tỉnh Thanh Hóa", "Thanh Hoa", "north_central"),
    ("40", "Tỉnh Nghệ An", "Nghe An", "north_central"),
    ("56", "Tỉnh Khánh Hòa", "Khanh Hoa", "north_central"),
]
PROVINCE_CYCLE = [0, 1, 0, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
# Occupations beyond the reference list (vet/data/occupations.csv), bench-only codes: field + 9 + three digits.
EXTRA_STEMS = [
    ("22", "Tiếng Anh", "English language"), ("22", "Tiếng Nhật", "Japanese language"),
    ("22", "Tiếng Trung Quốc", "Chinese language"),
    ("34", "Quản trị kinh doanh", "Business administration"), ("34", "Logistics", "Logistics"),
    ("34", "Marketing thương mại", "Trade marketing"), ("34", "Tài chính - Ngân hàng", "Finance and banking"),
    ("48", "Lập trình máy tính", "Computer programming"), ("48", "Thiết kế đồ họa", "Graphic design"),
    ("51", "Công nghệ kỹ thuật cơ khí", "Mechanical engineering technology"),
    ("51", "Công nghệ kỹ thuật điện, điện tử", "Electrical and electronic engineering technology"),
    ("51", "Công nghệ kỹ thuật xây dựng", "Construction engineering technology"),
    ("51", "Công nghệ kỹ thuật hóa học", "Chemical engineering technology"),
    ("52", "Vận hành nhà máy thủy điện", "Hydropower plant operation"),
    ("52", "Sửa chữa máy tàu thủy", "Marine engine repair"),
    ("52", "Lắp đặt điện công trình", "Building electrical installation"),
    ("52", "Bảo trì và sửa chữa máy nông nghiệp", "Agricultural machinery maintenance"),
    ("62", "Thú y", "Veterinary medicine"), ("62", "Nuôi trồng thủy sản", "Aquaculture"),
    ("62", "Bảo vệ thực vật", "Plant protection"), ("62", "Trồng trọt", "Crop farming"),
    ("72", "Dược", "Pharmacy"), ("72", "Kỹ thuật phục hồi chức năng", "Rehabilitation technique"),
    ("81", "Chăm sóc sắc đẹp", "Beauty care"), ("81", "Quản trị nhà hàng", "Restaurant management"),
    ("81", "Nghiệp vụ lễ tân", "Front-office operations"), ("81", "Quản trị lữ hành", "Travel management"),
]
THEMES = [
    ("Kỹ thuật Công nghệ", "Technology"), ("Công nghiệp", "Industrial"), ("Nghề", "Vocational"),
    ("Du lịch", "Tourism"), ("Bách khoa", "Polytechnic"), ("Cơ điện", "Electromechanical"),
    ("Kinh tế - Kỹ thuật", "Economics and Technology"), ("Y tế", "Medical"), ("Nông nghiệp", "Agricultural"),
    ("Giao thông vận tải", "Transport"),
]
GENERAL = [  # code, name, general subject type, credits, theory, practice
    ("MH01", "Giáo dục chính trị", "political_education", 4, 41, 29),
    ("MH02", "Pháp luật", "law", 2, 18, 10),
    ("MH03", "Giáo dục thể chất", "physical_education", 2, 5, 51),
    ("MH04", "Giáo dục quốc phòng và an ninh", "defence_security", 3, 36, 35),
    ("MH05", "Tin học", "it", 3, 15, 58),
    ("MH06", "Tiếng Anh", "foreign_language", 5, 42, 72),
]


def _stems() -> list[tuple[str, str, str, str]]:
    """(stem, field code, Vietnamese name, English name): the reference occupations, then the bench's own."""
    with open(BASE_DIR / "vet" / "data" / "occupations.csv", encoding="utf-8") as file:
        rows = {row["code"][1:]: row for row in csv.DictReader(file)}
    stems = [(stem, stem[:2], row["name_vi"], row["name_en"]) for stem, row in sorted(rows.items())]
    stems += [(f"{field}9{k:03d}", field, vi, en) for k, (field, vi, en) in enumerate(EXTRA_STEMS)]
    return stems


def _programs(rnd: random.Random, n_stems: int, school: int, kind: str) -> list[tuple[int, str, str]]:
    """(stem index, level, entry requirement) of one school's published programs, by school type."""
    stems = rnd.sample(range(n_stems), 20)
    elementary = ["elementary_1", "elementary_2", "elementary_3"]
    if kind == "college":
        return ([(s, "college", "upper_secondary") for s in stems[:12]]
                + [(s, "intermediate", "lower_secondary") for s in stems[12:18]]
                + [(s, elementary[(school + k) % 3], "") for k, s in enumerate(stems[18:20])])
    if kind == "intermediate":
        return ([(s, "intermediate", "lower_secondary") for s in stems[:10]]
                + [(s, "intermediate", "upper_secondary") for s in stems[:4]]
                + [(s, elementary[(school + k) % 3], "") for k, s in enumerate(stems[10:16])])
    return [(s, elementary[k % 3], "") for k, s in enumerate(stems)]


def _components(version_id: int, level: str, n: int):
    from curricula.models import CurriculumComponent

    count = {"college": 20, "intermediate": 14}.get(level, 6)
    rows = []
    for position in range(count):
        if level in ("college", "intermediate") and position < len(GENERAL):
            code, name, general, credits, theory, practice = GENERAL[position]
            rows.append(CurriculumComponent(
                version_id=version_id, position=position, kind="subject", code=code, name_vi=name, group="general",
                general_subject_type=general, credits=Decimal(credits), theory_hours=theory,
                practice_hours=practice))
            continue
        group = "foundation" if position < 10 else "elective" if position >= count - 2 else "specialised"
        rows.append(CurriculumComponent(
            version_id=version_id, position=position, kind="module", code=f"MĐ{position + 1:02d}",
            name_vi=f"Mô-đun {position + 1} của chương trình {n}", group=group, credits=Decimal(2 + position % 3),
            theory_hours=15 + position % 4 * 5, practice_hours=30 + position % 5 * 10,
            internship_hours=90 if position == count - 1 else 0, exam_hours=2))
    return rows


def populate() -> dict:
    """The registry rows of the catalogue, in bulk; returns what the checks need to know."""
    from curricula.models import (
        ComponentUnitMapping,
        Curriculum,
        CurriculumComponent,
        CurriculumVersion,
        SkillFramework,
        SkillUnit,
    )
    from vet.models import (
        Institution,
        KeyOccupationDesignation,
        LegalDocument,
        Occupation,
        OccupationField,
        OccupationOutcome,
        Province,
        ScopeEntry,
    )
    from vet.text import fold

    rnd = random.Random(6)
    with open(BASE_DIR / "vet" / "data" / "occupation_fields.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            OccupationField.objects.get_or_create(code=row["code"], defaults={
                "name_vi": row["name_vi"], "name_en": row["name_en"]})
    fields = {f.code: f for f in OccupationField.objects.all()}
    provinces = []
    for code, vi, en, region in PROVINCES:
        province = Province.objects.filter(code=code).first() or Province.objects.create(
            code=code, name_vi=vi, name_en=en, region=region)
        provinces.append(province)
    stems = _stems()
    codes = [f"{digit}{stem}" for stem, *_ in stems for digit in "56"]
    existing = set(Occupation.objects.filter(code__in=codes).values_list("code", flat=True))
    Occupation.objects.bulk_create(
        Occupation(code=f"{digit}{stem}", stem=stem, field=fields.get(field), name_vi=vi, name_en=en,
                   search_text=fold(f"{digit}{stem} {vi} {en}"))
        for stem, field, vi, en in stems for digit in "56" if f"{digit}{stem}" not in existing)
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=codes)}
    decision, _ = LegalDocument.objects.get_or_create(number="BENCH-123/QĐ-UBND", defaults={
        "kind": "decision", "issuer": "Ủy ban nhân dân tỉnh", "title_vi": "Phê duyệt nghề trọng điểm (bench)"})

    n_schools = math.ceil(N_PROGRAMS / PER_SCHOOL)
    schools = []
    for i in range(n_schools):
        province = provinces[PROVINCE_CYCLE[i % len(PROVINCE_CYCLE)]]
        kind = "college" if i % 20 < 10 else "intermediate" if i % 20 < 17 else "vet_centre"
        theme_vi, theme_en = THEMES[i % len(THEMES)]
        place_vi, place_en = province.name_vi.removeprefix("Tỉnh ").removeprefix("Thành phố "), province.name_en
        name_vi, name_en = {
            "college": (f"Trường Cao đẳng {theme_vi} {place_vi} số {i}", f"{place_en} {theme_en} College No. {i}"),
            "intermediate": (f"Trường Trung cấp {theme_vi} {place_vi} số {i}",
                             f"{place_en} {theme_en} Intermediate School No. {i}"),
            "vet_centre": (f"Trung tâm Giáo dục nghề nghiệp {place_vi} số {i}", f"{place_en} VET Centre No. {i}"),
        }[kind]
        code = f"CAT-{i:04d}"
        schools.append(Institution(
            code=code, name_vi=name_vi, name_en=name_en, type=kind,
            ownership=(["public"] * 7 + ["private"] * 2 + ["foreign_invested"])[i % 10],
            province=province, address=f"Số {i + 1} đường Nguyễn Trãi, {place_vi}", phone=f"0{i % 9 + 2}8 3812 {i:04d}",
            search_text=fold(f"{code} {name_vi} {name_en}")))
    Institution.objects.bulk_create(schools)
    schools = list(Institution.objects.filter(code__startswith="CAT-").order_by("code"))

    specs, extra = [], []  # (school, occupation, level, entry requirement)
    for i, school in enumerate(schools):
        programs = _programs(rnd, len(stems), i, school.type)[: N_PROGRAMS - len(specs)]
        used = {stem for stem, *_ in programs}
        specs += [(school, occupations[("6" if level == "college" else "5") + stems[s][0]], level, entry)
                  for s, level, entry in programs]
        spare = [s for s in range(len(stems)) if s not in used]
        extra.append((school, occupations["5" + stems[spare[0]][0]], "intermediate", "upper_secondary", "draft"))
        if i % 5 == 0:
            extra.append((school, occupations["5" + stems[spare[1]][0]], "intermediate", "upper_secondary", "out"))
    Curriculum.objects.bulk_create(
        Curriculum(institution=s, occupation=o, level=lv, entry_requirement=e)
        for s, o, lv, e, *_ in [*specs, *extra])
    curricula = {(c.institution_id, c.occupation_id, c.level, c.entry_requirement): c
                 for c in Curriculum.objects.filter(institution__code__startswith="CAT-")}
    published = [curricula[(s.pk, o.pk, lv, e)] for s, o, lv, e in specs]
    drafts = [curricula[(s.pk, o.pk, lv, e)] for s, o, lv, e, what in extra if what == "draft"]
    outside = [curricula[(s.pk, o.pk, lv, e)] for s, o, lv, e, what in extra if what == "out"]

    versions = []
    for n, curriculum in enumerate([*published, *outside]):
        decided = datetime.date(2022, 1, 10) + datetime.timedelta(days=n * 37 % 1500)
        if n % 10 == 0:  # an older text, superseded by the approved one
            versions.append(CurriculumVersion(
                curriculum=curriculum, decision_number=f"{n}a/QĐ-{curriculum.institution.code}",
                decision_date=decided - datetime.timedelta(days=700), status="superseded",
                approved_on=decided - datetime.timedelta(days=690)))
        versions.append(CurriculumVersion(
            curriculum=curriculum, decision_number=f"{n}/QĐ-{curriculum.institution.code}", decision_date=decided,
            status="approved", approved_on=decided + datetime.timedelta(days=10), signer="Hiệu trưởng",
            duration_months={"college": 30, "intermediate": 18}.get(curriculum.level, 3),
            high_quality=n % 25 == 0,
            output_standard="Vận hành, lắp đặt, bảo trì thiết bị theo tiêu chuẩn; làm việc nhóm; an toàn lao động."))
        if n % 7 == 0:
            versions.append(CurriculumVersion(curriculum=curriculum, status="draft"))
    versions += [CurriculumVersion(curriculum=c, status="draft", decision_number=f"d{c.pk}") for c in drafts]
    CurriculumVersion.objects.bulk_create(versions, batch_size=2000)
    approved = list(CurriculumVersion.objects.filter(
        curriculum__institution__code__startswith="CAT-", status="approved").select_related("curriculum")
        .order_by("pk"))
    CurriculumComponent.objects.bulk_create(
        (c for n, v in enumerate(approved) for c in _components(v.pk, v.curriculum.level, n)), batch_size=5000)

    frameworks = SkillFramework.objects.bulk_create(
        SkillFramework(kind=kind, code=f"BENCH-CAT-{kind}", name_vi=name_vi, name_en=name_en, country_or_body=body)
        for kind, name_vi, name_en, body in [
            ("national", "Tiêu chuẩn kỹ năng nghề quốc gia (bench)", "National skill standard (bench)", "Việt Nam"),
            ("asean", "Tiêu chuẩn ASEAN (bench)", "ASEAN standard (bench)", "ASEAN"),
            ("foreign", "Chương trình chuyển giao (bench)", "Transferred program (bench)", "Germany")])
    SkillUnit.objects.bulk_create(
        SkillUnit(framework=f, code=f"U{k:03d}", name_vi=f"Đơn vị năng lực {k}", group="specialised", level=2)
        for f in frameworks for k in range(40))
    units = {f.pk: list(SkillUnit.objects.filter(framework=f).order_by("code")) for f in frameworks}
    mapped = CurriculumComponent.objects.filter(
        version__in=approved[::3], group="specialised").values_list("pk", "version_id", "position")
    ComponentUnitMapping.objects.bulk_create(
        (ComponentUnitMapping(component_id=pk, unit=units[frameworks[version_id % 3].pk][position * 3 % 40],
                              coverage="full" if position % 2 else "partial")
         for pk, version_id, position in mapped), batch_size=5000)

    subjects = sorted({(c.institution_id, c.occupation_id, c.level) for c in [*published, *drafts]})
    ScopeEntry.objects.bulk_create(
        (ScopeEntry(institution_id=i, occupation_id=o, level=lv, annual_quota=35 + n % 60)
         for n, (i, o, lv) in enumerate(subjects)), batch_size=5000)
    keys = [k for k in subjects if k[2] in ("college", "intermediate")]
    tiers = ["national", "national", "asean", "national", "international", "asean"]
    KeyOccupationDesignation.objects.bulk_create(
        [KeyOccupationDesignation(institution_id=i, occupation_id=o, level=lv, tier=tiers[n % 6], period_start=2021,
                                  period_end=2030, decision=decision) for n, (i, o, lv) in enumerate(keys[::9])]
        + [KeyOccupationDesignation(institution_id=i, occupation_id=o, level=lv, tier="international",
                                    period_start=2016, period_end=2020, decision=decision)
           for i, o, lv in keys[::40]], batch_size=5000)
    OccupationOutcome.objects.bulk_create(
        (OccupationOutcome(institution_id=i, occupation_id=o, level=lv, year=year, enrolment=40 + n % 30,
                           graduates=30 + n % 20, employed_6m=20 + n % 10, skill_level_3=10,
                           source="Khảo sát việc làm sau tốt nghiệp")
         for n, (i, o, lv) in enumerate(keys[::3]) for year in (YEAR - 2, YEAR - 1)), batch_size=5000)
    return {"schools": schools, "published": len(published), "drafts": len(drafts), "outside": len(outside)}


def add_news() -> None:
    from cms.models import NewsIndexPage, NewsPage

    indexes = list(NewsIndexPage.objects.select_related("locale"))
    for n in range(12):
        source = None
        for index in indexes:
            english = index.locale.language_code == "en"
            title = f"Key occupation plan {n + 1}" if english else f"Kế hoạch nghề trọng điểm số {n + 1}"
            page = NewsPage(title=title, slug=f"plan-{n + 1}", locale=index.locale, kind="plan",
                            date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n * 20),
                            intro="Danh mục nghề trọng điểm giai đoạn 2021–2030.",
                            body="<p>Ủy ban nhân dân tỉnh phê duyệt danh mục nghề trọng điểm.</p>",
                            source=f"{n + 100}/QĐ-UBND")
            if source is not None:
                page.translation_key = source.translation_key
            source = source or index.add_child(instance=page)
            if source is not page:
                index.add_child(instance=page)


def bulk_program_pages(curricula: list) -> int:
    """Bench fixture only: `sync_program_pages` itself decides and fills in the pages of these curricula, but the
    pages it would add to the tree one by one (`cms.services._add_translation`) are collected instead, numbered
    here and inserted in two statements (page rows, program rows). Left out: what each page save also does (the
    page log entry, the search and reference index tasks); the search index is filled in bulk afterwards."""
    from unittest import mock

    from django.db import connection, transaction
    from wagtail.models import Page

    from cms import services
    from cms.models import ProgramPage

    collected: list[tuple[Page, ProgramPage]] = []
    original = services._add_translation

    def collect(parent, page, source):
        if not isinstance(page, ProgramPage):
            return original(parent, page, source)
        if source is not None:
            page.translation_key = source.translation_key
        collected.append((parent, page))
        return page

    with transaction.atomic():
        with mock.patch.object(services, "_add_translation", collect):
            services.sync_program_pages([c.pk for c in curricula])
        steps = {}
        for parent, page in collected:
            if parent.pk not in steps:
                last = parent.get_last_child()
                steps[parent.pk] = Page._str2int(last.path[-Page.steplen:]) if last else 0
            steps[parent.pk] += 1
            page.depth, page.numchild = parent.depth + 1, 0
            page.path = Page._get_path(parent.path, page.depth, steps[parent.pk])
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.draft_title = page.draft_title or page.title
        rows = Page.objects.bulk_create(
            Page(**{f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields if not f.primary_key})
            for _parent, page in collected)
        for (_parent, page), row in zip(collected, rows, strict=True):
            page.page_ptr_id = page.id = row.pk
        own = ProgramPage._meta.local_concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in own)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ProgramPage._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(own))})",
                [[f.get_db_prep_save(getattr(page, f.attname), connection) for f in own] for _p, page in collected])
        for parent_pk in steps:
            Page.objects.filter(pk=parent_pk).update(numchild=Page.objects.get(pk=parent_pk).get_children().count())
    return len(collected)


def generate_pages(schools) -> dict:
    """The public pages through the project's services, timed, with index and reference-index tasks queued in the
    database as production does (TASKS_BACKEND=database): all the school pages, the program pages of the first
    SYNC_SAMPLE curricula (the rest in bulk, unless SYNC_SAMPLE is 0), then the service over every curriculum
    again (it must find every page unchanged). Then the search index filled in bulk, and one page at a time."""
    from django.db import connection
    from django.test import override_settings
    from modelsearch.index import insert_or_update_object
    from wagtail.search.backends import get_search_backend

    from cms import services
    from cms.models import ProgramPage, SchoolPage
    from curricula.models import Curriculum

    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    curricula = list(Curriculum.objects.filter(institution__code__startswith="CAT-").select_related(
        "institution__province", "occupation__field").order_by("pk"))
    sample = curricula[:SYNC_SAMPLE] if SYNC_SAMPLE else curricula
    times = {}
    with override_settings(TASKS=database_tasks):
        services.ensure_home_page()
        start = time.perf_counter()
        school_summary = services.sync_school_pages([s.pk for s in schools])
        times["schools"] = time.perf_counter() - start
        start = time.perf_counter()
        summary = services.sync_program_pages([c.pk for c in sample])
        times["programs"] = time.perf_counter() - start
        start = time.perf_counter()
        bulk = bulk_program_pages(curricula[len(sample):])
        times["bulk"] = time.perf_counter() - start
        start = time.perf_counter()
        again = services.sync_program_pages()
        times["again"] = time.perf_counter() - start
        add_news()
    assert again.created == again.updated == again.withdrawn == again.deleted == 0, again
    SchoolPage.objects.filter(institution__code__in=[s.code for s in schools[:6]]).update(featured=True)
    backend = get_search_backend()
    start = time.perf_counter()
    indexed = 0
    for model in (ProgramPage, SchoolPage):
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for n in range(0, len(pks), 1000):
            chunk = list(model.objects.filter(pk__in=pks[n:n + 1000]))
            backend.add_bulk(model, chunk)
            indexed += len(chunk)
    times["index"] = time.perf_counter() - start
    with connection.cursor() as cursor:  # the planner statistics autovacuum would have gathered by now
        cursor.execute("ANALYZE")
    one_by_one = list(ProgramPage.objects.order_by("?")[:50])
    start = time.perf_counter()
    for page in one_by_one:  # what the index task does for each page a sync saves
        insert_or_update_object(page)
    times["index_one"] = (time.perf_counter() - start) / len(one_by_one)
    return {"times": times, "schools": school_summary, "programs": summary, "bulk": bulk, "again": again,
            "indexed": indexed, "sample": len(sample)}
