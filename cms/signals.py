"""Plumbing: keep the generated program and school pages in step with the registry after each commit.

The pages are a projection of the registry, like a search index, so they follow its writes through signals
(STYLE.md: signals for plumbing only). Changes are collected per thread and synced once after the commit; a
failure is logged, never raised into the write that caused it, and `manage.py sync_public_pages` repairs."""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)
_pending = threading.local()


def _state() -> dict[str, set]:
    if not hasattr(_pending, "state"):
        _pending.state = {"curricula": set(), "institutions": set()}
    return _pending.state


def schedule(*, curricula: set[int] = frozenset(), institutions: set[int] = frozenset()) -> None:
    """Sync these curricula's program pages and these institutions' school pages once the transaction commits."""
    state = _state()
    state["curricula"].update(curricula)
    state["institutions"].update(institutions)
    transaction.on_commit(flush)


def flush() -> None:
    # Ids left over from a rolled-back transaction are synced too: harmless, the sync reads the current state.
    from cms import services

    state = _state()
    curricula, institutions = state["curricula"], state["institutions"]
    if not curricula and not institutions:
        return
    _pending.state = {"curricula": set(), "institutions": set()}
    try:
        if institutions:
            services.sync_school_pages(institutions)
        services.sync_program_pages(curricula)  # also removes the pages of deleted curricula
    except Exception:  # the registry write has committed; the page sync is repaired by sync_public_pages
        logger.exception("Public pages not synced for curricula %s, institutions %s", curricula, institutions)


def _curricula_of(**filters) -> set[int]:
    from curricula.models import Curriculum

    return set(Curriculum.objects.filter(**filters).values_list("pk", flat=True))


def _on_version(sender, instance, **kwargs):
    schedule(curricula={instance.curriculum_id})


def _on_curriculum(sender, instance, **kwargs):
    schedule(curricula={instance.pk})


def _on_program_subject(sender, instance, **kwargs):
    # A scope entry or a designation: the curricula of that institution, occupation and level.
    schedule(curricula=_curricula_of(institution_id=instance.institution_id, occupation_id=instance.occupation_id,
                                     level=instance.level))


def _on_institution(sender, instance, **kwargs):
    schedule(institutions={instance.pk}, curricula=_curricula_of(institution_id=instance.pk))


def _on_occupation(sender, instance, **kwargs):
    schedule(curricula=_curricula_of(occupation_id=instance.pk))


def connect() -> None:
    from curricula.models import Curriculum, CurriculumVersion
    from vet.models import Institution, KeyOccupationDesignation, Occupation, ScopeEntry

    for model, receiver in [
        (CurriculumVersion, _on_version), (Curriculum, _on_curriculum), (ScopeEntry, _on_program_subject),
        (KeyOccupationDesignation, _on_program_subject), (Institution, _on_institution),
        (Occupation, _on_occupation),
    ]:
        uid = f"cms-sync-{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
