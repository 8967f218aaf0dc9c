"""Differences between the components of two versions of a curriculum. Pure: plain dataclasses in and out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal


@dataclass(frozen=True)
class ComponentSnapshot:
    """The parts of a subject or module that a reader compares between versions; `code` identifies it."""

    code: str
    name_vi: str = ""
    name_en: str = ""
    group: str = ""
    credits: Decimal = Decimal(0)
    theory_hours: int = 0
    practice_hours: int = 0
    internship_hours: int = 0
    exam_hours: int = 0


COMPARED = tuple(f.name for f in fields(ComponentSnapshot) if f.name != "code")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class ComponentChange:
    code: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class VersionDiff:
    added: tuple[ComponentSnapshot, ...] = ()
    removed: tuple[ComponentSnapshot, ...] = ()
    changed: tuple[ComponentChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_versions(old_components: Iterable[ComponentSnapshot],
                  new_components: Iterable[ComponentSnapshot]) -> VersionDiff:
    """What changed from `old_components` to `new_components`, components matched by code.
    Added and changed keep the order of the new version, removed the order of the old one."""
    old = {c.code: c for c in old_components}
    new = {c.code: c for c in new_components}
    changed = []
    for code, component in new.items():
        before = old.get(code)
        if before is None:
            continue
        changes = tuple(
            FieldChange(name, getattr(before, name), getattr(component, name))
            for name in COMPARED
            if getattr(before, name) != getattr(component, name)
        )
        if changes:
            changed.append(ComponentChange(code, changes))
    return VersionDiff(
        added=tuple(c for code, c in new.items() if code not in old),
        removed=tuple(c for code, c in old.items() if code not in new),
        changed=tuple(changed),
    )
