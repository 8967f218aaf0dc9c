"""Reads of the certificates app: the public verification of a diploma and its look-up by serial and name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Upper

from vet.models import ScopeEntry
from vet.selectors import accredited_on
from vet.text import fold

from . import choices
from .models import Diploma


@dataclass(frozen=True)
class Verification:
    diploma: Diploma
    current: Diploma | None  # the diploma that replaced this one, followed to the end of the chain
    scope_covered: bool  # the institution's registration covered the occupation and level
    accredited: bool | None  # a pass decision in force on the issue date; None: never assessed


def get_diploma_by_code(code: str) -> Diploma | None:
    """The diploma printed with this verification code (codes are unguessable; ids are never public). A diploma
    still being issued in a batch (no PDF, no register entry yet) is not there yet."""
    diplomas = Diploma.objects.select_related("institution", "replaced_by").exclude(
        status=choices.DiplomaStatus.PENDING
    )
    return diplomas.filter(code=code.strip().upper()).first()


def get_verification(diploma: Diploma) -> Verification:
    """What a verifier must know: status, the current diploma of a re-issued one, and whether on the issue date
    the institution's scope covered the program and an accreditation pass was in force (Circular 10/2017)."""
    current = diploma
    while (following := Diploma.objects.filter(replaces=current).first()) is not None:
        current = following
    snapshot = diploma.snapshot
    scope = ScopeEntry.objects.filter(institution_id=diploma.institution_id,
                                      occupation__code=snapshot["occupation"]["code"],
                                      level=snapshot["level"]).exists()
    return Verification(diploma, current if current.pk != diploma.pk else None, scope,
                        accredited_on(diploma.institution_id, diploma.issued_on))


# --- public look-up by serial and full name --------------------------------------------------------------------


def normalise_serial(serial: str) -> str:
    """A serial as typed, compared exactly once trimmed and upper-cased."""
    return unicodedata.normalize("NFC", serial or "").strip().upper()


def _syllables(name: str) -> list[tuple[str, str]]:
    # Each word as its letters (đ kept apart from d) and its marks in any order, so that "Thuý" and "Thúy" (old and
    # new tone placement), composed or decomposed input, upper or lower case and extra spaces all compare equal.
    words = []
    for word in unicodedata.normalize("NFC", name).casefold().split():
        decomposed = unicodedata.normalize("NFD", word)
        letters = "".join(c for c in decomposed if not unicodedata.combining(c))
        marks = "".join(sorted(c for c in decomposed if unicodedata.combining(c)))
        words.append((letters, marks))
    return words


def holder_name_matches(typed: str, holder: str) -> bool:
    """The full name typed matches the holder's: the same letters and diacritics whatever the case, spacing,
    Unicode form or tone placement; a name typed entirely without diacritics matches on its letters alone."""
    typed_words = _syllables(typed)
    if not typed_words:
        return False
    if typed_words == _syllables(holder):
        return True
    without_diacritics = all(not marks and "đ" not in letters for letters, marks in typed_words)
    return without_diacritics and fold(typed) == fold(holder)


def find_diplomas_by_serial_and_name(serial: str, full_name: str) -> list[Diploma]:
    """The issued diplomas with this serial whose holder has this full name (the public look-up: both are needed,
    nothing is listed or hinted otherwise). Serials are unique per institution, so more than one may match."""
    typed = unicodedata.normalize("NFC", serial or "").strip()
    wanted = typed.upper()
    if not wanted or not (full_name or "").strip():
        return []
    candidates = (
        Diploma.objects.select_related("institution", "replaced_by")
        .exclude(status=choices.DiplomaStatus.PENDING)
        .annotate(serial_upper=Upper("serial"))
        # SQLite upper-cases ASCII only: a serial typed exactly as stored matches too.
        .filter(Q(serial_upper=wanted) | Q(serial=typed) | Q(serial=wanted))
        .order_by("institution__code", "pk")
    )
    return [d for d in candidates
            if normalise_serial(d.serial) == wanted
            and holder_name_matches(full_name, d.snapshot.get("holder", {}).get("full_name", ""))]
