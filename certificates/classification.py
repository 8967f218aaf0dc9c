"""Graduation classification as a pure rule over bands held as data (Circular 04/2022; no ORM here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .choices import CLASSIFICATION_ORDER


@dataclass(frozen=True)
class Band:
    classification: str
    min_score: Decimal
    max_score: Decimal
    graduates: bool
    downgrades: bool


@dataclass(frozen=True)
class Result:
    classification: str  # "" when no band covers the score
    graduates: bool
    downgraded: bool
    reason: str  # machine code: "", "no_band", "score_too_low", "credits_missing"


def classify(
    bands: Sequence[Band], *, score: Decimal, all_credits_completed: bool, disciplined: bool, retaken: bool
) -> Result:
    """The band the score falls in (bounds inclusive, scores rounded to 2 decimals), one step lower when the
    band drops for discipline or retakes; graduation needs every credit and a graduating band."""
    score = Decimal(score).quantize(Decimal("0.01"))
    band = next((b for b in bands if b.min_score <= score <= b.max_score), None)
    if band is None:
        return Result("", False, False, "no_band")
    classification, downgraded = band.classification, False
    if band.downgrades and (disciplined or retaken):
        lower = _next_lower(bands, band)
        if lower is not None:
            classification, downgraded = lower.classification, True
    if not band.graduates:
        return Result(classification, False, downgraded, "score_too_low")
    if not all_credits_completed:
        return Result(classification, False, downgraded, "credits_missing")
    return Result(classification, True, downgraded, "")


def _next_lower(bands: Sequence[Band], band: Band) -> Band | None:
    """The next lower graduating band of the same scale (a drop never makes a graduate fail)."""
    ranked = sorted((b for b in bands if b.graduates), key=lambda b: CLASSIFICATION_ORDER.index(b.classification))
    index = next((i for i, b in enumerate(ranked) if b.classification == band.classification), None)
    if index is None or index + 1 >= len(ranked):
        return None
    return ranked[index + 1]
