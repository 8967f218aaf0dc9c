"""Bulk imports from CSV or XLSX: one framework for every kind of file a school or the province keeps.

A kind (`base.ImportKind`) names its columns and says how its rows are checked against the database and written.
`vet.imports.kinds` holds the registry's kinds (institutions, teachers, outcomes, equipment); certificates adds
learners and results (certificates/bulk_importers.py), registered in its AppConfig.ready. `jobs` runs an import:
upload → check (a preview listing every problem by row and column, or what will be written) → confirm → write all
rows or none; a large file is checked and written in the background (django-tasks) with its progress on the job.
Only `engine` and the kinds import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import ImportKind

_KINDS: dict[str, ImportKind] = {}
# Modules that register kinds when imported: read on first use, so that pandas loads only when an import runs.
_MODULES = ["vet.imports.kinds"]


def register_module(path: str) -> None:
    """Name a module that registers import kinds (an app's AppConfig.ready calls this)."""
    if path not in _MODULES:
        _MODULES.append(path)


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.key] = kind
    return kind


def all_kinds() -> list[ImportKind]:
    from importlib import import_module

    for path in _MODULES:
        import_module(path)
    return sorted(_KINDS.values(), key=lambda k: k.order)


def get_kind(key: str) -> ImportKind:
    all_kinds()
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"unknown import kind {key!r}") from None
