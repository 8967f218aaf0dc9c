"""Issuing a cohort of 1,000 graduates end to end: diploma rows, register entries and one PDF/A file each.

Ours: the batch service (`prepare_batch` + `start_batch`) on the Redis queue (TASKS_BACKEND=rq) with two
`manage.py rqworker default` processes started here, timed until the batch is DONE (every diploma issued, the ZIP
of the files built; the print-ready PDF that follows in its own task is timed apart), then with one worker.
Naive, in the same run: a plain loop that saves the rows one by one and calls `HTML(string=...).write_pdf()` once
per diploma; measured on a sample and scaled, as printed.

The queue needs PostgreSQL (DATABASE_URL) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, a
database of its own that the bench empties); on SQLite the batch runs in this process instead and says so.
BENCH_DIPLOMAS and BENCH_NAIVE_SAMPLE change the sizes. Method and figures: docs/guides/certificates-bench.md."""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

N_DIPLOMAS = int(os.environ.get("BENCH_DIPLOMAS", "1000"))
N_NAIVE_SAMPLE = int(os.environ.get("BENCH_NAIVE_SAMPLE", "100"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# The settings' worker (certificates.workers.Worker) unless given, e.g. rq.Worker to see the horses start cold
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "")
ISSUED_ON = datetime.date(2026, 7, 15)
TARGET_MS, TARGET_SPEED_UP = 60, 5
WORKER_START_TIMEOUT, BATCH_TIMEOUT = 120, 3600
BASE_DIR = Path(__file__).resolve().parent.parent
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Hoàng", "Thanh", "Quốc", "Thu", "Đức", "Bảo"]
GIVEN = [
    "Ánh Tuyết",
    "Đức",
    "Quân",
    "Hồng Nhung",
    "Long",
    "Phương Thảo",
    "Khánh",
    "Hải Yến",
    "Tâm",
    "Trí",
    "Vy",
    "Nam",
    "Hạnh",
    "Tuấn Kiệt",
    "Mai",
    "Sơn",
]


# --- fixture data (bulk inserts: not what is measured) ---------------------------------------------------------


def _images() -> tuple[bytes, bytes, bytes]:
    """A logo, a seal and a signature the size of real scans (600 px, 900 px, 900 × 360 px RGBA PNG)."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(7)

    def png(size, draw) -> bytes:
        image = Image.new("RGBA", size, (0, 0, 0, 0))
        draw(ImageDraw.Draw(image))
        image = image.filter(ImageFilter.GaussianBlur(0.8))
        pixels = image.load()
        for _ in range(size[0] * size[1] // 20):  # scanner noise in the ink
            x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
            r, g, b, a = pixels[x, y]
            if a:
                pixels[x, y] = (r, g, b, max(0, a - rnd.randrange(80)))
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    def logo(d):
        d.ellipse((10, 10, 590, 590), fill=(138, 28, 28, 255))
        d.ellipse((80, 80, 520, 520), fill=(250, 220, 120, 255))
        d.polygon([(300, 120), (480, 460), (120, 460)], fill=(20, 60, 140, 255))

    def seal(d):
        for r in (440, 420, 300):
            d.ellipse((450 - r, 450 - r, 450 + r, 450 + r), outline=(200, 20, 20, 230), width=14)
        d.regular_polygon((450, 450, 150), 5, fill=(200, 20, 20, 230))

    def signature(d):
        d.line([(20 + i * 8, 180 + int(90 * math.sin(i / 6))) for i in range(108)], fill=(20, 40, 120, 255), width=6)

    return png((600, 600), logo), png((900, 900), seal), png((900, 360), signature)


def _school(code: str, name: str, province, occupation, images, learners, cohorts: int, staff):
    """A college with its numbering, a template with images, an approved version and `cohorts` cohorts of all the
    learners, graduated."""
    from django.core.files.base import ContentFile

    from certificates.models import Cohort, DiplomaTemplate, Enrolment, IssuingProfile
    from tests import factories
    from vet import choices as vet_choices
    from vet import services as vet_services

    school = factories.InstitutionFactory(
        code=code, name_vi=f"Trường Cao đẳng {name}", name_en=f"{name} College", province=province
    )
    vet_services.grant_role(user=staff, role=vet_choices.Role.SCHOOL_STAFF, institution=school)
    IssuingProfile.objects.create(
        institution=school,
        prefix=code,
        serial_format="{prefix}/{year}/{seq:05d}",
        register_format="{seq:05d}/{year}/SG",
        place_vi="Đồng Tháp",
        place_en="Dong Thap",
    )
    template = DiplomaTemplate(institution=school, name="Mẫu bằng tốt nghiệp cao đẳng", signer_name="Trần Văn Bình")
    for field, content in zip(("logo", "seal", "signature"), images, strict=True):
        getattr(template, field).save(f"{field}.png", ContentFile(content), save=False)
    template.save()
    version = factories.CurriculumVersionFactory(
        curriculum=factories.CurriculumFactory(institution=school, occupation=occupation),
        status="approved",
        approved_on=datetime.date(2025, 6, 1),
    )
    made = []
    for n in range(cohorts):
        cohort = Cohort.objects.create(
            curriculum_version=version,
            code=f"CĐ-ĐCN-K23-{n + 1}",
            intake_year=2023,
            grading_scale="credit_4",
            college_title="practical_engineer",
        )
        Enrolment.objects.bulk_create(
            Enrolment(
                cohort=cohort,
                learner=learner,
                final_score=Decimal("3.20"),
                all_credits_completed=True,
                classification="very_good",
                graduated=True,
                graduation_decision_number="123/QĐ-CĐKTCN",
                graduation_date=datetime.date(2026, 6, 30),
            )
            for learner in learners
        )
        made.append(cohort)
    return school, made


def _populate():
    """The learners, once; a college whose cohorts the batch issues (one run with two workers, one with one); a
    second college, the same learners in a cohort, for the naive loop (its own register)."""
    from certificates.models import Learner
    from tests import factories

    rnd = random.Random(2026)
    province = factories.ProvinceFactory(code="87", name_vi="Đồng Tháp", name_en="Dong Thap")
    occupation = factories.OccupationFactory(
        code="6520227", name_vi="Điện công nghiệp", name_en="Industrial Electricity"
    )
    staff = factories.UserFactory(username="bench_staff")
    Learner.objects.bulk_create(
        Learner(
            citizen_id=f"{87300000000 + n:012d}",
            full_name=f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}",
            date_of_birth=datetime.date(2003, 1, 1) + datetime.timedelta(days=rnd.randrange(900)),
            sex=rnd.choice(["male", "female"]),
            place_of_birth=rnd.choice(["Đồng Tháp", "Tiền Giang", "Cần Thơ"]),
        )
        for n in range(N_DIPLOMAS)
    )
    learners = list(Learner.objects.filter(citizen_id__startswith="0873").order_by("citizen_id"))
    images = _images()
    _, (two, one) = _school("CĐĐT", "Kỹ thuật Đồng Tháp", province, occupation, images, learners, 2, staff)
    _, (naive,) = _school("CĐNV", "Thử nghiệm", province, occupation, images, learners[: 2 * N_NAIVE_SAMPLE], 1, staff)
    return staff, two, one, naive


# --- the naive baseline ----------------------------------------------------------------------------------------


def _naive_issue(user, enrolment_id: int) -> None:
    """One diploma the straightforward way: lazy relations, the counter locked per diploma, every row saved on
    its own, and a fresh WeasyPrint render of the self-contained HTML (inline CSS and images)."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from weasyprint import HTML

    from certificates import choices, rendering, services
    from certificates.models import Diploma, Enrolment, IssuingProfile, SerialCounter

    with transaction.atomic():
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        institution = enrolment.cohort.curriculum_version.curriculum.institution
        kind = services.LEVEL_KIND[enrolment.cohort.curriculum_version.curriculum.level]
        SerialCounter.objects.get_or_create(institution=institution, year=ISSUED_ON.year)
        counter = SerialCounter.objects.select_for_update().get(institution=institution, year=ISSUED_ON.year)
        counter.last_value += 1
        counter.save()
        profile = IssuingProfile.objects.get(institution=institution)
        values = {
            "institution": institution.code,
            "prefix": profile.prefix,
            "year": counter.year,
            "seq": counter.last_value,
        }
        serial, register_number = profile.serial_format.format(**values), profile.register_format.format(**values)
        template = services.get_template(institution.pk, kind)
        code = services.new_verification_code()
        snapshot = services.build_snapshot(
            enrolment=enrolment,
            template=template,
            code=code,
            serial=serial,
            register_number=register_number,
            issued_on=ISSUED_ON,
            replaces=None,
        )
        html = rendering.diploma_html(snapshot, images=services.snapshot_images(snapshot))
        pdf = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
        diploma = Diploma(
            code=code,
            enrolment=enrolment,
            institution=institution,
            kind=kind,
            year=counter.year,
            sequence=counter.last_value,
            serial=serial,
            register_number=register_number,
            issued_on=ISSUED_ON,
            template=template,
            issued_by=user,
            snapshot=snapshot,
            status=choices.DiplomaStatus.VALID,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        )
        diploma.pdf.save(f"{code}.pdf", ContentFile(pdf), save=False)
        diploma.save()
        services._append_entry(user=user, diploma=diploma, action=choices.RegisterAction.ISSUE)


def _sample_time(fn, ids) -> float:
    start = time.perf_counter()
    for pk in ids:
        fn(pk)
    return time.perf_counter() - start


# --- ours: the batch on the queue ------------------------------------------------------------------------------


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker_env() -> dict:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "VETTRACK_DEMO": "false",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "WAGTAILADMIN_BASE_URL": settings.WAGTAILADMIN_BASE_URL,
    }


class Workers:
    """`manage.py rqworker default` processes on the bench's Redis database, stopped by their pid at the end."""

    def __init__(self, count: int, logs: Path):
        import redis
        from rq import Worker

        self.redis = redis.Redis.from_url(REDIS_URL)
        self.names = [f"bench-{count}w-{n + 1}-{os.getpid()}" for n in range(count)]
        self.processes = []
        for name in self.names:
            log = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "rqworker", "default", "--name", name]
                    + (["--worker-class", WORKER_CLASS] if WORKER_CLASS else []),
                    cwd=BASE_DIR,
                    env=_worker_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while {w.name for w in Worker.all(connection=self.redis)} < set(self.names):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError(f"the rq workers did not start; see {logs}")
            time.sleep(0.2)

    def cpu(self) -> float:
        """CPU seconds used by the workers and the work horses they forked and reaped (Linux /proc)."""
        total = 0
        for process in self.processes:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
        return total / os.sysconf("SC_CLK_TCK")

    def jobs_by_worker(self, batch_id: int) -> dict[str, tuple[int, int]]:
        """(jobs, diplomas) of the batch done by each worker, from the queue's registry of finished jobs."""
        from rq import Queue
        from rq.job import Job
        from rq.registry import FinishedJobRegistry

        done = {name: [0, 0] for name in self.names}
        registry = FinishedJobRegistry(queue=Queue("default", connection=self.redis))
        for job in Job.fetch_many(registry.get_job_ids(), connection=self.redis):
            chunk = job is not None and job.func_name.endswith("issue_batch_chunk") and job.args[0] == batch_id
            if chunk and job.worker_name in done:
                done[job.worker_name][0] += 1
                done[job.worker_name][1] += len(job.args[1])
        return {name: (jobs, diplomas) for name, (jobs, diplomas) in done.items()}

    def failures(self) -> int:
        """Failed jobs of the batch's tasks (others, such as Wagtail's reference index updates, do not stop it)."""
        from rq import Queue
        from rq.job import Job
        from rq.registry import FailedJobRegistry

        ids = FailedJobRegistry(queue=Queue("default", connection=self.redis)).get_job_ids()
        jobs = Job.fetch_many(ids, connection=self.redis)
        return sum(1 for job in jobs if job is not None and job.func_name.startswith("certificates.tasks."))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _queue_ready() -> str:
    """Why the batch cannot go through the Redis queue here ('' if it can)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "the worker processes need a database they share: set DATABASE_URL to PostgreSQL"
    try:
        import redis
        from rq import Worker

        client = redis.Redis.from_url(REDIS_URL)
        if Worker.all(connection=client):
            return f"{REDIS_URL} already has rq workers; give the bench its own Redis database (BENCH_REDIS_URL)"
        client.flushdb()  # the bench's own database, no worker on it: what is left is from an earlier run
    except Exception as error:  # noqa: BLE001 - reported, the rest of the bench goes on
        return f"Redis at {REDIS_URL} is not reachable ({error})"
    return ""


def _run_batch(user, cohort, workers: Workers | None) -> dict:
    """prepare_batch + start_batch, then wait until the batch is DONE and its print-ready PDF made; with no
    workers the chunks run here."""
    from django.conf import settings
    from django.test import override_settings

    from certificates import batches, choices
    from certificates.models import IssueBatch

    queues = {"default": {**settings.RQ_QUEUES["default"], "URL": REDIS_URL}}
    rq = {"TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}, "RQ_QUEUES": queues}
    start, cpu_start = time.perf_counter(), workers.cpu() if workers else time.process_time()
    with override_settings(**(rq if workers else {})):
        batch = batches.prepare_batch(user=user, cohort=cohort, issued_on=ISSUED_ON)
        batch = batches.start_batch(user=user, batch=batch, enqueue=workers is not None)
        if workers is None:
            for chunk in batches.pending_chunks(batch):
                batches.run_chunk(batch.pk, chunk, assemble_here=True)
    all_issued = done = None
    while True:
        batch = IssueBatch.objects.get(pk=batch.pk)
        now = time.perf_counter() - start
        if all_issued is None and batch.issued + batch.failed >= batch.total:
            all_issued = now
        if done is None and batch.status in (choices.BatchStatus.DONE, choices.BatchStatus.FAILED):
            done, cpu = now, (workers.cpu() if workers else time.process_time()) - cpu_start
        if done is not None and (batch.print_pdf or batch.error or batch.status == choices.BatchStatus.FAILED):
            break
        if now > BATCH_TIMEOUT or (workers and workers.failures()):
            raise RuntimeError(
                f"batch {batch.pk} is not getting done ({now:.0f} s, failed jobs: "
                f"{workers.failures() if workers else 0}): {batches.batch_summary(batch)}"
            )
        time.sleep(0.1)
    return {
        "batch": batch,
        "all_issued": all_issued,
        "wall": done,  # DONE: every diploma issued and the ZIP of the files built
        "print": now - done,  # then the print-ready PDF, in a task of its own
        "cpu": cpu,  # CPU seconds of the workers (or of this process) until DONE; the database server's not counted
        "by_worker": workers.jobs_by_worker(batch.pk) if workers else {},
    }


def _check(batch) -> str:
    """Every diploma valid with its file and hash, the register chained; raises otherwise."""
    from certificates import choices, services
    from certificates.models import Diploma, RegisterEntry

    assert batch.status == choices.BatchStatus.DONE, (batch.status, batch.error)
    assert batch.issued == batch.total == N_DIPLOMAS and batch.failed == 0, (batch.issued, batch.failed)
    diplomas = Diploma.objects.filter(enrolment__cohort=batch.cohort)
    assert diplomas.filter(status=choices.DiplomaStatus.VALID).count() == N_DIPLOMAS
    assert RegisterEntry.objects.filter(diploma__in=diplomas).count() == N_DIPLOMAS
    assert services.verify_register([batch.institution_id]) == []
    sizes = []
    for diploma in diplomas.order_by("?")[:20]:
        with diploma.pdf.open("rb") as file:
            pdf = file.read()
        assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == diploma.pdf_sha256
        sizes.append(len(pdf))
    assert batch.archive, "no ZIP"
    return f"{sum(sizes) / len(sizes) / 1024:.0f} KB a file"


def _print_run(report, label: str, run: dict, naive: float, naive_each: float, naive_cpu: float, scaled: str):
    pad = " " * 58
    checked = _check(run["batch"])
    ours = run["wall"]
    report(f"issue {N_DIPLOMAS} diplomas end to end, {label}", ours, naive)
    per = ours / N_DIPLOMAS * 1000
    met = "met" if per <= TARGET_MS and naive / ours >= TARGET_SPEED_UP else "NOT met"
    print(
        f"{pad} per diploma: ours {per:.1f} ms, naive {naive_each * 1000:.1f} ms ({scaled}); "
        f"target ≤ {TARGET_MS} ms and ≥ ×{TARGET_SPEED_UP}: {met}"
    )
    if not run["by_worker"]:
        printed = "print-ready PDF included (made in this process before DONE)"
    elif run["batch"].print_pdf:
        printed = f"print-ready PDF {run['print']:.1f} s later"
    else:
        printed = f"print-ready PDF FAILED {run['print']:.1f} s later: {run['batch'].error}"
    print(
        f"{pad} all {N_DIPLOMAS} issued after {run['all_issued']:.1f} s, DONE (ZIP) after {ours:.1f} s, {printed}; "
        f"{checked}, register chain verified"
    )
    cpu = run["cpu"] / N_DIPLOMAS
    workers = max(1, len(run["by_worker"]))
    print(
        f"{pad} CPU per diploma (database server apart): ours {cpu * 1000:.1f} ms, naive {naive_cpu * 1000:.1f} ms "
        f"(×{naive_cpu / cpu:.1f}); ÷ {workers} worker{'s' * (workers > 1)} on idle CPUs: "
        f"about {cpu * 1000 / min(os.cpu_count(), workers):.0f} ms a diploma"
    )
    for name, (jobs, diplomas) in run["by_worker"].items():
        print(f"{pad} {name}: {jobs} chunks, {diplomas} diplomas")


def bench_certificates(report) -> None:
    """Print the figures; `report(name, ours, naive)` is the benches' common line."""
    from django.conf import settings
    from django.db import connection

    from certificates import services
    from certificates.models import Enrolment

    sys.stdout.reconfigure(line_buffering=True)  # a run takes minutes: show each line when it is known
    print(
        f"Issuing diplomas on {connection.vendor}: {N_DIPLOMAS} graduates, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, workers: {WORKER_CLASS or settings.RQ['WORKER_CLASS']}"
    )
    staff, two, one, naive_cohort = _populate()
    naive_ids = list(Enrolment.objects.filter(cohort=naive_cohort).order_by("pk").values_list("pk", flat=True))
    sample, rest = naive_ids[:N_NAIVE_SAMPLE], naive_ids[N_NAIVE_SAMPLE:-1]
    _naive_issue(staff, naive_ids[-1])  # imports and the first render's set-up are not part of the loop
    naive_cpu = time.process_time()
    naive_sample = _sample_time(lambda pk: _naive_issue(staff, pk), sample)
    naive_cpu = (time.process_time() - naive_cpu) / len(sample)
    naive_each = naive_sample / len(sample)
    naive = naive_each * N_DIPLOMAS
    scaled = f"naive measured on {len(sample)}, scaled ×{N_DIPLOMAS / len(sample):g}"
    service = _sample_time(
        lambda pk: services.issue_diploma(user=staff, enrolment=Enrolment.objects.get(pk=pk), issued_on=ISSUED_ON),
        rest,
    )
    report(f"issue_diploma one by one, {len(rest)} diplomas (per diploma)", service / len(rest), naive_each)

    why_not = _queue_ready()
    logs = Path(tempfile.mkdtemp(prefix="vettrack-bench-workers-"))
    runs = []
    if why_not:
        runs.append(_run_batch(staff, two, None))
        _print_run(report, "in this process", runs[-1], naive, naive_each, naive_cpu, scaled)
        print(f"{' ' * 58} the batch ran here, not on workers: {why_not}")
        return
    for count, cohort in ((2, two), (1, one)):
        workers = Workers(count, logs)
        try:
            runs.append(_run_batch(staff, cohort, workers))
        finally:
            workers.stop()
        label = f"{count} rq worker{'s' * (count > 1)}"
        _print_run(report, label, runs[-1], naive, naive_each, naive_cpu, scaled)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    two_run, one_run = runs
    print(
        f"{' ' * 58} two workers vs one: ×{one_run['wall'] / two_run['wall']:.2f} until DONE, "
        f"×{one_run['all_issued'] / two_run['all_issued']:.2f} until all issued ({os.cpu_count()} CPUs); "
        f"worker logs in {logs}"
    )
