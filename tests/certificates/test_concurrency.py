"""Serials and register entries stay unique and gapless when several processes issue at once (PostgreSQL)."""

import datetime
import multiprocessing

import pytest
from django.db import connection, connections

from certificates import services
from certificates.models import Diploma, RegisterEntry
from tests.certificates.conftest import graduate


def _issue(enrolment_ids, staff_id, queue):
    connections.close_all()  # a forked child opens its own connection
    try:
        from django.contrib.auth import get_user_model

        from certificates.models import Enrolment
        user = get_user_model().objects.get(pk=staff_id)
        for pk in enrolment_ids:
            services.issue_diploma(user=user, enrolment=Enrolment.objects.get(pk=pk),
                                   issued_on=datetime.date(2026, 7, 1))
        queue.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_parallel_processes_issue_gapless_unique_serials(world, cohort, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across processes are proven on PostgreSQL (SQLite serialises whole writes)")
    # The numbering is under test here, not the drawing: a small stand-in PDF keeps 24 issues fast.
    monkeypatch.setattr("certificates.rendering.render_diploma_pdf", lambda snapshot, **kw: b"%PDF-1.7 test")
    enrolments = [graduate(cohort).pk for _ in range(24)]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    chunks = [enrolments[i::4] + enrolments[:2] for i in range(4)]  # overlapping: idempotency under races too
    connections.close_all()
    workers = [context.Process(target=_issue, args=(chunk, world.staff_a.pk, queue)) for chunk in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["ok"] * 4
    sequences = sorted(Diploma.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 25))
    assert Diploma.objects.values("serial").distinct().count() == 24
    assert list(RegisterEntry.objects.order_by("position").values_list("position", flat=True)) == list(range(1, 25))
    assert services.verify_register() == []


def _run_chunks(batch_id, chunks, queue, spans):
    connections.close_all()
    try:
        import os
        import time

        from certificates import batches

        def slow_render(diplomas):  # records when this worker was rendering
            start = time.monotonic()
            time.sleep(0.05 * len(diplomas))
            spans.put((os.getpid(), start, time.monotonic()))
            return [b"%PDF-1.7 test " + d.code.encode() for d in diplomas]

        for chunk in chunks:
            batches.run_chunk(batch_id, chunk, render=slow_render, assemble_here=True)
        queue.put("ok")
    except Exception as exc:
        queue.put(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_one_batch_and_render_outside_the_lock(world, cohort, monkeypatch):
    """Two processes take alternate chunks of one batch (as two queue workers do): every item is issued once,
    the numbers are gapless, the register chain is intact, and both workers did part of the work."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across processes are proven on PostgreSQL (SQLite serialises whole writes)")
    from certificates import batches
    monkeypatch.setattr("certificates.rendering.render_diplomas_pdf", lambda items: b"%PDF-1.7 print")
    for _ in range(40):
        graduate(cohort)
    batch = batches.prepare_batch(user=world.staff_a, cohort=cohort, issued_on=datetime.date(2026, 7, 1))
    batches.start_batch(user=world.staff_a, batch=batch, enqueue=False)
    chunks = batches.pending_chunks(batch, chunk_size=5)
    context = multiprocessing.get_context("fork")
    queue, spans = context.Queue(), context.Queue()
    connections.close_all()
    workers = [context.Process(target=_run_chunks, args=(batch.pk, chunks[i::2], queue, spans)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["ok"] * 2
    batch.refresh_from_db()
    assert (batch.status, batch.issued, batch.failed) == ("done", 40, 0)
    assert sorted(Diploma.objects.values_list("sequence", flat=True)) == list(range(1, 41))
    assert RegisterEntry.objects.count() == 40 and services.verify_register() == []
    summary = batches.batch_summary(batch)
    assert len(summary["workers"]) == 2
    # Rendering runs outside the institution's lock: some chunk of one worker rendered while the other's did.
    rendered = [spans.get(timeout=5) for _ in chunks]
    overlaps = [(a, b) for a in rendered for b in rendered if a[0] != b[0] and a[1] < b[2] and b[1] < a[2]]
    assert overlaps, f"the two workers never rendered at the same time: {rendered}"
