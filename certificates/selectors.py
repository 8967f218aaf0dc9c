"""Reads of the certificates app: the public verification of a diploma."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from vet.choices import ExternalDecision, ExternalStatus
from vet.models import ExternalAssessment, ScopeEntry

from .models import Diploma


@dataclass(frozen=True)
class Verification:
    diploma: Diploma
    current: Diploma | None  # the diploma that replaced this one, followed to the end of the chain
    scope_covered: bool  # the institution's registration covered the occupation and level
    accredited: bool | None  # a pass decision in force on the issue date; None: never assessed


def get_diploma_by_code(code: str) -> Diploma | None:
    """The diploma printed with this verification code (codes are unguessable; ids are never public)."""
    return Diploma.objects.select_related("institution", "replaced_by").filter(code=code.strip().upper()).first()


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
                        _accredited_on(diploma.institution_id, diploma.issued_on))


def _accredited_on(institution_id: int, day: datetime.date) -> bool | None:
    latest = (
        ExternalAssessment.objects.filter(status=ExternalStatus.DECIDED, decision_date__lte=day,
                                          self_assessment__institution_id=institution_id)
        .order_by("-decision_date", "-pk")
        .values_list("decision", "decision_date", "self_assessment__framework__certificate_validity_years")
        .first()
    )
    if latest is None:
        return None
    decision, decided, validity = latest
    if decision != ExternalDecision.PASS:
        return False
    if validity:
        try:
            end = decided.replace(year=decided.year + validity)
        except ValueError:  # 29 February
            end = decided.replace(year=decided.year + validity, day=28)
        return end >= day
    return True
