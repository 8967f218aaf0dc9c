"""Importing a register of 100,000 learners (vet.imports, certificates.bulk_importers) from CSV and from XLSX.

Ours, per format: the preview (`kind.check`: read, convert and check every row against the database) and the
import a confirmation runs (`jobs.write`'s work: the same check again, then the bulk writes with their history rows,
in one transaction), timed apart. 5% of the rows name learners already registered (as a second school would), so
the lookups have something to find. Naive, in the same run: the row-by-row ORM save a first version would do (look
the learner up, `full_clean()` and `save()` the learner and the enrolment, history by signal), measured on
BENCH_NAIVE_SAMPLE rows of the same file and scaled to the file, as printed. Targets (issue 7): ≥ 20× the naive
save, and the CSV import under 30 s on 2 cores on PostgreSQL. BENCH_LEARNERS changes the size.
Method and figures: docs/guides/imports.md."""

from __future__ import annotations

import csv
import datetime
import os
import random
import tempfile
import time
from pathlib import Path

N_ROWS = int(os.environ.get("BENCH_LEARNERS", "100000"))
N_NAIVE_SAMPLE = int(os.environ.get("BENCH_NAIVE_SAMPLE", "3000"))
N_COHORTS = 40
KNOWN_SHARE = 0.05
TARGET_SPEED_UP, TARGET_CSV_SECONDS = 20, 30
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Hoàng", "Thanh", "Quốc", "Thu", "Đức", "Bảo"]
GIVEN = ["Ánh Tuyết", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khoa", "Lan", "Linh", "Mai",
         "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Vy", "Yến"]
PLACES = ["Tiền Giang", "Long An", "Bến Tre", "Đồng Tháp", "Vĩnh Long", "TP. Hồ Chí Minh", "Cần Thơ"]
HEADER = ["Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi sinh", "Dân tộc", "Mã lớp",
          "Mã học sinh, sinh viên"]


def _rows(cohort_codes: list[str], prefix: str) -> list[list[str]]:
    rng = random.Random(prefix)
    rows = []
    for n in range(N_ROWS):
        born = datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(3000))
        rows.append([f"{prefix}{n:08d}", f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                     f"{born:%d/%m/%Y}", rng.choice(["Nam", "Nữ"]), rng.choice(PLACES),
                     "Kinh" if rng.random() < 0.9 else "Khmer", cohort_codes[n % len(cohort_codes)], f"SV{n:06d}"])
    return rows


def _world():
    from certificates.models import Cohort
    from tests import factories

    school = factories.InstitutionFactory(code="BENCH-IMPORT", name_vi="Trường Cao đẳng Bench")
    version = factories.ApprovedCurriculumVersionFactory(curriculum=factories.CurriculumFactory(institution=school))
    cohorts = [Cohort.objects.create(curriculum_version=version, code=f"CĐ-K{n:02d}", intake_year=2024)
               for n in range(N_COHORTS)]
    user = factories.UserFactory(username="bench-importer")
    from vet import choices, services

    services.grant_role(user=user, role=choices.Role.SCHOOL_STAFF, institution=school)
    return school, cohorts, user


def _write_file(rows: list[list[str]], path: Path) -> Path:
    from openpyxl import Workbook

    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([HEADER, *rows])
        return path
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _register_known(rows, user) -> None:
    """5% of the learners already registered (by another school), with the same name and date of birth."""
    from simple_history.utils import bulk_create_with_history

    from certificates.models import Learner

    known = [Learner(citizen_id=r[0], full_name=r[1], date_of_birth=datetime.datetime.strptime(r[2], "%d/%m/%Y").date(),
                     sex="male" if r[3] == "Nam" else "female", place_of_birth=r[4], ethnicity=r[5])
             for r in rows[:: int(1 / KNOWN_SHARE)]]
    bulk_create_with_history(known, Learner, batch_size=2000)


def _naive(rows, cohorts, user) -> float:
    """Row by row: what a first version does."""
    from django.db import transaction

    from certificates.models import Enrolment, Learner

    by_code = {c.code: c for c in cohorts}
    start = time.perf_counter()
    with transaction.atomic():
        for r in rows:
            learner = Learner.objects.filter(citizen_id=r[0]).first()
            if learner is None:
                learner = Learner(citizen_id=r[0], full_name=r[1],
                                  date_of_birth=datetime.datetime.strptime(r[2], "%d/%m/%Y").date(),
                                  sex="male" if r[3] == "Nam" else "female", place_of_birth=r[4], ethnicity=r[5])
                learner.full_clean()
                learner._history_user = user
                learner.save()
            enrolment = Enrolment(cohort=by_code[r[6]], learner=learner, student_number=r[7])
            enrolment.full_clean()
            enrolment._history_user = user
            enrolment.save()
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def bench_imports(report) -> None:
    from django.db import connection, transaction

    from certificates.models import Enrolment
    from vet.imports import get_kind
    from vet.imports.base import Context

    school, cohorts, user = _world()
    kind = get_kind("learners")
    context = Context(user=user, institution=school)
    print(f"Importing {N_ROWS:,} learners into {N_COHORTS} cohorts on {connection.vendor} "
          f"({KNOWN_SHARE:.0%} already registered)")
    files = {"csv": _rows([c.code for c in cohorts], "0822"), "xlsx": _rows([c.code for c in cohorts], "0823")}
    for rows in files.values():
        _register_known(rows, user)
    naive_sample = _naive(files["csv"][:N_NAIVE_SAMPLE], cohorts, user)
    naive = naive_sample / N_NAIVE_SAMPLE * N_ROWS
    with tempfile.TemporaryDirectory() as folder:
        for fmt, rows in files.items():
            path = _write_file(rows, Path(folder) / f"learners.{fmt}")
            before = Enrolment.objects.count()
            start = time.perf_counter()
            checked = kind.check(path, context, filename=path.name)
            preview = time.perf_counter() - start
            assert not checked.errors, checked.errors.sorted()[:5]
            assert checked.counts["enrolled"] == N_ROWS, checked.counts
            start = time.perf_counter()
            with transaction.atomic():
                checked = kind.check(path, context, filename=path.name)
                kind.write(checked, context)
            ours = time.perf_counter() - start
            assert Enrolment.objects.count() == before + N_ROWS
            report(f"import {N_ROWS:,} learners from {fmt.upper()} (naive extrapolated)", ours, naive)
            verdict = "met" if naive / ours >= TARGET_SPEED_UP and (fmt != "csv" or ours < TARGET_CSV_SECONDS) \
                else "NOT met"
            print(f"{'':<58} preview (check only) {preview:.1f} s; import (check again + write) {ours:.1f} s, "
                  f"{N_ROWS / ours:,.0f} rows/s; target ×{TARGET_SPEED_UP}"
                  + (f", < {TARGET_CSV_SECONDS} s" if fmt == "csv" else "") + f": {verdict}")
    print(f"{'':<58} naive measured on {N_NAIVE_SAMPLE:,} rows: {naive_sample:.1f} s "
          f"({naive_sample / N_NAIVE_SAMPLE * 1000:.2f} ms a row) × {N_ROWS:,}")
