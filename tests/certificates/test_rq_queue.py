"""Batch chunks through a real RQ queue on Redis, as `manage.py rqworker default` runs them (TASKS_BACKEND=rq)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils.module_loading import import_string

from certificates import batches, choices
from certificates.models import Diploma
from tests.certificates.conftest import graduate

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: the tests flush it


@pytest.fixture
def rq_queue(settings):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    yield connection
    connection.flushdb()


def _work(connection):
    """Run the queued jobs in this process (the test's transaction is not visible to a forked horse), with the
    job class the settings give `rqworker`."""
    from rq import SimpleWorker

    job_class = import_string(django_settings.RQ["JOB_CLASS"])
    worker = SimpleWorker(["default"], connection=connection, job_class=job_class)
    worker.work(burst=True)
    return worker


def test_a_batch_runs_on_rq_workers_with_the_configured_job_class(rq_queue, cohort, world,
                                                                   django_capture_on_commit_callbacks):
    for _ in range(5):
        graduate(cohort)
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=datetime.date(2026, 7, 1))
    with django_capture_on_commit_callbacks(execute=True):
        batches.start_batch(user=world.staff_a, batch=batch, chunk_size=2)
    from rq import Queue
    queued = Queue("default", connection=rq_queue).jobs
    chunks = [job for job in queued if "issue_batch_chunk" in (job.description or "") + str(job.args)]
    assert len(chunks) == 3 and Diploma.objects.count() == 0  # three chunks waiting for a worker
    names = []
    for _ in range(4):  # chunks, then the ZIP, then the print-ready PDF, each queued by the job before
        with django_capture_on_commit_callbacks(execute=True):
            names.append(_work(rq_queue).name)
        batch.refresh_from_db()
        if batch.print_pdf:
            break
    assert (batch.status, batch.issued, batch.failed, batch.error) == (choices.BatchStatus.DONE, 5, 0, "")
    assert Diploma.objects.filter(status=choices.DiplomaStatus.VALID).count() == 5
    assert batch.archive and batch.print_pdf
    # The items name the RQ worker that issued them, not the short-lived process of each job.
    assert set(batch.items.values_list("worker", flat=True)) == {names[0]}


def test_the_rq_worker_readies_the_renderer_before_it_forks(monkeypatch):
    from certificates import workers

    calls = []
    monkeypatch.setattr("certificates.rendering.warm_up", lambda: calls.append("warm"))
    monkeypatch.setattr(workers.RQWorker, "work", lambda self, *a, **k: calls.append("work") or True)
    assert import_string(django_settings.RQ["WORKER_CLASS"]) is workers.Worker
    workers.Worker.work(object.__new__(workers.Worker))
    assert calls == ["warm", "work"]
