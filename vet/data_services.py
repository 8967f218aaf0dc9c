"""Writes of yearly outcomes, equipment checklists and accreditation frameworks from spreadsheets: each file is
written in one transaction through `vet.services.save_registry_object` (permission, validation, history), so a
file with any refused row leaves everything as it was. Rows are matched on their natural key (upsert)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions
from .models import AccreditationFramework, Criterion, EquipmentChecklist, EquipmentItem, OccupationOutcome, Standard
from .services import delete_registry_object, require_permission, save_registry_object


@dataclass(frozen=True)
class UpsertSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


class _Counter:
    def __init__(self):
        self.created = self.updated = self.unchanged = self.removed = 0

    def summary(self) -> UpsertSummary:
        return UpsertSummary(self.created, self.updated, self.unchanged, self.removed)


def _upsert(user, instance, values: dict, counter: _Counter, label: str) -> object:
    """Set `values` on `instance` and save it when new or changed; a refusal names `label` (the row)."""
    changed = instance.pk is None or any(getattr(instance, k) != v for k, v in values.items())
    for name, value in values.items():
        setattr(instance, name, value)
    if not changed:
        counter.unchanged += 1
        return instance
    adding = instance.pk is None
    try:
        save_registry_object(user=user, instance=instance)
    except ValidationError as exc:
        raise ValidationError({label: exc.messages}) from exc
    if adding:
        counter.created += 1
    else:
        counter.updated += 1
    return instance


def _row(n: int) -> str:
    return _("row %(row)s") % {"row": n}


@transaction.atomic
def import_outcomes(*, user, rows: Sequence) -> UpsertSummary:
    """Create or update yearly outcomes (rows of `vet.importers.parse_outcomes`), all or nothing."""
    counter = _Counter()
    existing = {
        (o.institution_id, o.occupation_id, o.level, o.year): o
        for o in OccupationOutcome.objects.select_for_update().filter(
            institution__in={r.institution.pk for r in rows}, year__in={r.year for r in rows})
    }
    for r in rows:
        outcome = existing.get((r.institution.pk, r.occupation.pk, r.level, r.year)) or OccupationOutcome(
            institution=r.institution, occupation=r.occupation, level=r.level, year=r.year)
        _upsert(user, outcome, {**r.counts, "source": r.source}, counter, _row(r.row))
    return counter.summary()


@transaction.atomic
def import_equipment(*, user, rows: Sequence) -> tuple[UpsertSummary, UpsertSummary]:
    """Create or update equipment checklists and their items (rows of `vet.importers.parse_equipment`), all or
    nothing. Items not in the file are left alone. Returns the checklists' and the items' summaries."""
    lists, items = _Counter(), _Counter()
    checklists = {
        (c.institution_id, c.occupation_id, c.level): c
        for c in EquipmentChecklist.objects.select_for_update().filter(
            institution__in={r.institution.pk for r in rows})
    }
    held = {(i.checklist_id, i.name): i for i in EquipmentItem.objects.filter(checklist__in=list(checklists.values()))}
    seen_checklists: set[int] = set()
    for r in rows:
        key = (r.institution.pk, r.occupation.pk, r.level)
        checklist = checklists.get(key)
        if checklist is None or checklist.pk not in seen_checklists:
            checklist = checklist or EquipmentChecklist(institution=r.institution, occupation=r.occupation,
                                                        level=r.level)
            values = {"reference": r.reference} if r.reference else {}
            _upsert(user, checklist, values, lists, _row(r.row))
            checklists[key] = checklist
            seen_checklists.add(checklist.pk)
        item = held.get((checklist.pk, r.item)) or EquipmentItem(checklist=checklist, name=r.item)
        _upsert(user, item, {"unit": r.unit, "required_quantity": r.required, "held_quantity": r.held}, items,
                _row(r.row))
    return lists.summary(), items.summary()


@transaction.atomic
def import_framework(*, user, workbook) -> tuple[AccreditationFramework, UpsertSummary]:
    """Create or update a framework from a checked workbook (`vet.importers.parse_framework`): the framework
    becomes what the workbook says; criteria and standards not in it are removed. All or nothing."""
    counter = _Counter()
    data = dict(workbook.framework)
    framework = AccreditationFramework.objects.select_for_update().filter(code=data["code"]).first()
    if framework is None:
        framework = AccreditationFramework(code=data["code"])
        require_permission(user, permissions.ADD, framework)
    else:
        require_permission(user, permissions.CHANGE, framework)
    values = {name: data.get(name, _empty(AccreditationFramework, name)) for name in _framework_fields()}
    _upsert(user, framework, values, counter, _("sheet framework"))

    criteria = {c.number: c for c in Criterion.objects.filter(framework=framework)}
    for row in workbook.criteria:
        criterion = criteria.get(row["number"]) or Criterion(framework=framework, number=row["number"])
        values = {k: row[k] for k in ("name_vi", "name_en", "benchmark_points", "is_core")}
        criteria[row["number"]] = _upsert(user, criterion, values, counter,
                                          _("sheet criteria, row %(row)s") % {"row": row["row"]})
    standards = {(s.criterion.number, s.code): s
                 for s in Standard.objects.filter(criterion__framework=framework).select_related("criterion")}
    kept = set()
    for row in workbook.standards:
        key = (row["criterion"], row["code"])
        kept.add(key)
        standard = standards.get(key) or Standard(criterion=criteria[row["criterion"]], code=row["code"])
        values = {k: row[k] for k in ("text_vi", "text_en", "typical_evidence", "is_sample")}
        _upsert(user, standard, values, counter, _("sheet standards, row %(row)s") % {"row": row["row"]})
    in_file = {row["number"] for row in workbook.criteria}
    for key, standard in standards.items():
        if key not in kept:
            _remove(user, standard, counter, _("standard %(code)s") % {"code": standard.code})
    for number, criterion in criteria.items():
        if number not in in_file:
            _remove(user, criterion, counter, _("criterion %(number)s") % {"number": number})
    return framework, counter.summary()


def _framework_fields() -> list[str]:
    from .importers import FRAMEWORK_FIELDS

    return [f for f in FRAMEWORK_FIELDS if f != "code"]


def _empty(model, name: str):
    field = model._meta.get_field(name)
    if field.null:
        return None
    if field.get_internal_type() == "BooleanField":
        return False
    return ""


def _remove(user, instance, counter: _Counter, label: str) -> None:
    try:
        delete_registry_object(user=user, instance=instance)
    except ValidationError as exc:
        raise ValidationError({label: exc.messages}) from exc
    counter.removed += 1
