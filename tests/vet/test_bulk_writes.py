"""vet.bulk_writes: COPY on PostgreSQL writes the same rows and history as bulk_create_with_history."""

import datetime

import pytest
from django.db import connection

from certificates.models import Enrolment, Learner
from tests import factories
from vet import bulk_writes


def learners(prefix: str) -> list[dict]:
    return [{"citizen_id": f"{prefix}{n:08d}", "full_name": f"Nguyễn Văn {n}",
             "date_of_birth": datetime.date(2005, 1, 2), "sex": "male", "place_of_birth": "Tiền Giang"}
            for n in range(3)]


def written(ids: list[int]) -> list[tuple]:
    rows = Learner.objects.filter(pk__in=ids).order_by("citizen_id")
    return [(r.citizen_id[4:], r.full_name, r.date_of_birth, r.sex, r.ethnicity, r.created_at is not None,
             r.modified_at is not None) for r in rows]


def history(ids: list[int]) -> list[tuple]:
    return [(h.citizen_id[4:], h.full_name, h.history_type, h.history_user_id, h.ethnicity)
            for h in Learner.history.filter(id__in=ids).order_by("citizen_id")]


def test_inserts_rows_with_defaults_history_and_keys(db):
    user = factories.UserFactory()
    ids = bulk_writes.insert_with_history(Learner, learners("0822"), user=user)
    assert len(ids) == 3 and sorted(Learner.objects.values_list("pk", flat=True)) == sorted(ids)
    assert [r[4] for r in written(ids)] == ["Kinh"] * 3  # the model's default
    assert [h[2:4] for h in history(ids)] == [("+", user.pk)] * 3
    cohort = factories.CohortFactory()
    bulk_writes.insert_with_history(Enrolment, [{"cohort_id": cohort.pk, "learner_id": pk} for pk in ids], user=user)
    assert Enrolment.objects.filter(cohort=cohort).count() == 3 and Enrolment.history.count() == 3
    assert bulk_writes.insert_with_history(Learner, [], user=user) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere both are one path")
def test_copy_writes_what_bulk_create_with_history_writes(db, monkeypatch):
    user = factories.UserFactory()
    copied = bulk_writes.insert_with_history(Learner, learners("0822"), user=user)
    monkeypatch.setattr(bulk_writes, "_copyable", lambda model: False)
    created = bulk_writes.insert_with_history(Learner, learners("0823"), user=user)
    assert written(copied) == written(created) and history(copied) == history(created)
    new = Learner.objects.create(citizen_id="082499999999", full_name="X", date_of_birth=datetime.date(2005, 1, 1),
                                 sex="male", place_of_birth="Y")
    assert new.pk > max(copied + created)  # the sequence moved past the keys COPY used
