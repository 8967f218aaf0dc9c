"""Inserting many new registry rows with their history, fast: PostgreSQL's COPY, or bulk_create elsewhere.

`insert_with_history(model, rows, user=...)` writes each row (a dict of attribute names to values, already checked)
and its "+" history row, as `simple_history.utils.bulk_create_with_history` does, and returns the new primary keys
in order. On PostgreSQL the keys are drawn from the table's sequence first and both tables are loaded with COPY,
which skips the ORM's per-value preparation (most of the time of a 100,000-row import, bench/imports.py); elsewhere,
or for a model with a field COPY would need the ORM to prepare, it is bulk_create_with_history. The caller holds
the transaction. tests/vet/test_bulk_writes.py checks that both ways write the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

BATCH = 2000
# Values of these fields go to COPY as they are (psycopg adapts str, int, bool, date, datetime, Decimal, None).
PLAIN_FIELDS = (models.CharField, models.TextField, models.DateField, models.BooleanField, models.IntegerField,
                models.DecimalField, models.ForeignKey, models.AutoField, models.BigAutoField)


def _copyable(model) -> bool:
    return all(isinstance(f, PLAIN_FIELDS) for f in model._meta.concrete_fields)


def insert_with_history(model, rows: Sequence[dict], *, user=None,
                        progress: Callable[[int], None] | None = None) -> list[int]:
    """Insert `rows` of `model` (new rows: no primary key) and their history rows; their new keys, in order."""
    if not rows:
        return []
    history = model.history.model
    if connection.vendor != "postgresql" or not (_copyable(model) and _copyable(history)):
        return _bulk_create(model, rows, user=user, progress=progress)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamps = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in stamps}
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, pk.column, len(rows)])
        keys = [row[0] for row in cursor.fetchall()]
        records = []
        for key, row in zip(keys, rows, strict=True):
            values = {**defaults, **row, pk.attname: key}
            for name in stamps:
                values[name] = now
            records.append(values)
        _copy(cursor, model._meta.db_table, [pk, *fields], records, progress, 0, 50)
        history_values = {"history_date": now, "history_type": "+", "history_change_reason": None,
                          "history_user_id": getattr(user, "pk", None)}
        history_fields = [f for f in history._meta.concrete_fields if not f.primary_key]
        unknown = [f.attname for f in history_fields if f.attname not in records[0] and f.attname not in history_values]
        if unknown:
            raise ValueError(f"history fields of {model.__name__} not known here: {unknown}")
        _copy(cursor, history._meta.db_table, history_fields,
              [{**history_values, **record} for record in records], progress, 50, 100)
    return keys


def _copy(cursor, table: str, fields, records: list[dict], progress, low: int, high: int) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    names = [f.attname for f in fields]
    with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
        for done, record in enumerate(records, start=1):
            copy.write_row([record[name] for name in names])
            if progress and done % 10_000 == 0:
                progress(low + (high - low) * done // len(records))


def _bulk_create(model, rows: Sequence[dict], *, user, progress) -> list[int]:
    objects = [model(**row) for row in rows]
    for start in range(0, len(objects), BATCH):
        bulk_create_with_history(objects[start:start + BATCH], model, batch_size=BATCH, default_user=user)
        if progress:
            progress(min(start + BATCH, len(objects)) * 100 // len(objects))
    if any(o.pk is None for o in objects):  # a database that does not return the keys of bulk inserts
        raise RuntimeError(f"{connection.vendor} did not return the keys of the new {model.__name__} rows")
    return [o.pk for o in objects]
