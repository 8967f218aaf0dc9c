"""How a plan target's status is judged from its actuals (pure rules, no ORM).

The plans state where to be by a year, not the path; VETtrack judges progress against a straight line from the
baseline (the target's own, else the first year with an actual) to the target in its year. This is VETtrack's
method, not the law's: the at-risk margin is a setting (VETTRACK_TARGET_AT_RISK_MARGIN, a share of the distance
from baseline to target) and is shown with every status.

- a yearly target ("20,000 new jobs a year"): each year's actual against the target itself;
- the target year has come: **met** if the latest actual reaches the target, else **behind**;
- before it: **on track** if the actual is on or past the line, **at risk** if within the margin behind it,
  else **behind**; **no data** without an actual.
For a target to stay under (higher_is_better False) the comparisons are mirrored."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal

from .choices import TargetStatus


@dataclasses.dataclass(frozen=True)
class TargetFacts:
    year: int
    target: Decimal
    higher_is_better: bool = True
    baseline_year: int | None = None
    baseline: Decimal | None = None
    per_year: bool = False  # "20,000 new jobs a year": every year's actual is held to the target itself


@dataclasses.dataclass(frozen=True)
class Judgement:
    status: str
    year: int | None  # the year of the actual judged
    actual: Decimal | None
    expected: Decimal | None  # where the line is that year
    progress: Decimal | None  # share of the way from baseline to target, in %


def expected_on(facts: TargetFacts, year: int, baseline_year: int, baseline: Decimal) -> Decimal:
    """The straight line from the baseline to the target, read in `year` (the target itself from its year)."""
    if year >= facts.year or facts.year <= baseline_year:
        return facts.target
    share = Decimal(year - baseline_year) / Decimal(facts.year - baseline_year)
    return baseline + (facts.target - baseline) * max(share, Decimal(0))


def judge(facts: TargetFacts, actuals: Mapping[int, Decimal | None], *, on_year: int,
          margin: Decimal = Decimal("0.10")) -> Judgement:
    """The status of a target in `on_year` from its actuals by year (the latest actual up to `on_year`)."""
    known = sorted((y, v) for y, v in actuals.items() if v is not None and y <= on_year)
    if not known:
        return Judgement(TargetStatus.NO_DATA, None, None, None, None)
    year, actual = known[-1]
    if facts.per_year:
        sign = Decimal(1) if facts.higher_is_better else Decimal(-1)
        gap = (facts.target - actual) * sign
        progress = (actual / facts.target * 100).quantize(Decimal("0.1")) if facts.target else None
        if gap <= 0:
            status = TargetStatus.MET if year >= facts.year else TargetStatus.ON_TRACK
        elif gap <= margin * abs(facts.target) and year < facts.year:
            status = TargetStatus.AT_RISK
        else:
            status = TargetStatus.BEHIND
        return Judgement(status, year, actual, facts.target, progress)
    if facts.baseline_year is not None and facts.baseline is not None:
        baseline_year, baseline = facts.baseline_year, facts.baseline
    else:
        baseline_year, baseline = known[0]
    sign = Decimal(1) if facts.higher_is_better else Decimal(-1)
    distance = (facts.target - baseline) * sign
    progress = None
    if distance > 0:
        progress = ((actual - baseline) * sign / distance * 100).quantize(Decimal("0.1"))
    reached = (actual - facts.target) * sign >= 0
    if year >= facts.year or reached:
        status = TargetStatus.MET if reached else TargetStatus.BEHIND
        return Judgement(status, year, actual, facts.target, progress)
    expected = expected_on(facts, year, baseline_year, baseline)
    gap = (expected - actual) * sign  # > 0: behind the line
    if gap <= 0:
        status = TargetStatus.ON_TRACK
    elif gap <= margin * abs(facts.target - baseline):
        status = TargetStatus.AT_RISK
    else:
        status = TargetStatus.BEHIND
    return Judgement(status, year, actual, expected.quantize(Decimal("0.01")), progress)
