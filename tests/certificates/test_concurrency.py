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
