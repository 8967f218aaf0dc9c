"""How far a key-occupation designation is from its tier. Pure: plain frozen dataclasses in and out, no ORM.

A readiness profile (`ReadinessProfile` rows, turned into `ProfileFacts` by `vet.tier_readiness`) lists
indicators with thresholds and weights. For one designation each indicator's value is compared with its
threshold: met when the value reaches it; otherwise the gap is the shortfall as a share of the threshold (0–100 %),
and a value nobody recorded is a full gap, named as missing data. The weighted gap decides the status:

- ready: every indicator met;
- close: the weighted gap is at most the profile's `close_gap_percent` (30 % unless the authority sets another);
- not yet: otherwise.

The projected date is the latest due date of the open action items for the designation: when the plan, if kept,
closes the gap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

READY, CLOSE, NOT_YET = "ready", "close", "not_yet"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorRule:
    metric: str
    threshold: Decimal
    weight: Decimal = Decimal(1)
    label: str = ""
    confirmed: bool = False
    source: str = ""


@dataclass(frozen=True)
class ProfileFacts:
    code: str
    tier: str
    indicators: tuple[IndicatorRule, ...]
    close_gap_percent: Decimal = Decimal(30)


@dataclass(frozen=True)
class IndicatorResult:
    metric: str
    label: str
    value: Decimal | None
    threshold: Decimal
    weight: Decimal
    met: bool
    gap: Decimal  # percent of the threshold still missing, 0–100
    confirmed: bool = False
    source: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Readiness:
    profile: str
    tier: str
    status: str
    weighted_gap: Decimal
    indicators: tuple[IndicatorResult, ...]
    projected_date: datetime.date | None = None

    @property
    def missing(self) -> tuple[IndicatorResult, ...]:
        """The indicators not met, largest gap first: what still has to be done."""
        return tuple(sorted((i for i in self.indicators if not i.met), key=lambda i: (-i.gap, i.metric)))

    def indicator(self, metric: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.metric == metric)


def _gap(value: Decimal | None, threshold: Decimal) -> Decimal:
    if value is None:
        return HUNDRED
    if threshold <= 0 or value >= threshold:
        return Decimal(0)
    return min(HUNDRED, (threshold - value) * HUNDRED / threshold).quantize(CENT, rounding=ROUND_HALF_UP)


def evaluate(
    profile: ProfileFacts,
    values: Mapping[str, Decimal | None],
    open_action_due_dates: Iterable[datetime.date] = (),
) -> Readiness:
    """Each indicator's value, threshold, met or not and gap; the weighted gap, the status and the projected date."""
    results = []
    for rule in profile.indicators:
        value = values.get(rule.metric)
        value = None if value is None else Decimal(value)
        met = value is not None and value >= rule.threshold
        results.append(IndicatorResult(rule.metric, rule.label, value, rule.threshold, rule.weight, met,
                                       _gap(value, rule.threshold), rule.confirmed, rule.source))
    total_weight = sum((r.weight for r in results), Decimal(0))
    if total_weight:
        weighted = (sum((r.weight * r.gap for r in results), Decimal(0)) / total_weight).quantize(
            CENT, rounding=ROUND_HALF_UP)
    else:
        weighted = Decimal(0)
    if all(r.met for r in results):
        status = READY
    elif weighted <= profile.close_gap_percent:
        status = CLOSE
    else:
        status = NOT_YET
    due = [d for d in open_action_due_dates if d is not None]
    projected = max(due) if due and status != READY else None
    return Readiness(profile.code, profile.tier, status, weighted, tuple(results), projected)
