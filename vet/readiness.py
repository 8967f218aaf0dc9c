"""Scores an accreditation self-assessment against its framework. Pure: plain frozen dataclasses in and out.

The framework's facts (criteria, benchmark points, points per standard, compliance window, pass rules) are data
(`AccreditationFramework` rows, turned into `FrameworkFacts` by `vet.selectors.framework_facts`). Only the pass
rules the framework has are applied: with none at all the outcome is "no pass rule defined", neither pass nor fail
(Circular 14/2024's thresholds are not known, DOMAIN.md §5).

Points: when the framework gives points per standard, a standard met earns them, but only if it was met for at
least the framework's compliance years at the level assessed (Circular 14/2024: 2 years intermediate, 3 college).
Otherwise the assessors give points per standard directly (`StandardRating.points`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext_lazy as _

PASS, FAIL, UNDETERMINED = "pass", "fail", "undetermined"
MIN_TOTAL = "min_total"
MIN_CRITERION_SHARE = "min_criterion_share"
MIN_CORE_CRITERION_SHARE = "min_core_criterion_share"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

OUTCOME_LABELS = {
    PASS: _("Pass"),
    FAIL: _("Fail"),
    UNDETERMINED: _("No pass rule defined"),
}


@dataclass(frozen=True)
class CriterionFacts:
    number: int
    benchmark_points: Decimal | None = None  # None: standards × points per standard
    is_core: bool = False
    standard_count: int = 0


@dataclass(frozen=True)
class PassRules:
    min_total_points: Decimal | None = None
    min_criterion_share: Decimal | None = None  # percent of each criterion's benchmark points
    min_core_criterion_share: Decimal | None = None  # percent, for core criteria

    @property
    def is_empty(self) -> bool:
        return self.min_total_points is None and self.min_criterion_share is None and (
            self.min_core_criterion_share is None
        )


@dataclass(frozen=True)
class FrameworkFacts:
    code: str
    criteria: tuple[CriterionFacts, ...]
    points_per_standard: Decimal | None = None
    compliance_years: tuple[tuple[str, int], ...] = ()  # (level, years): empty = no compliance window
    rules: PassRules = field(default_factory=PassRules)
    rules_confirmed: bool = False
    source: str = ""  # number of the legal document

    def compliance_years_for(self, level: str) -> int | None:
        return dict(self.compliance_years).get(level)

    def max_points(self, criterion: CriterionFacts) -> Decimal | None:
        if criterion.benchmark_points is not None:
            return criterion.benchmark_points
        if self.points_per_standard is not None and criterion.standard_count:
            return self.points_per_standard * criterion.standard_count
        return None


@dataclass(frozen=True)
class StandardRating:
    criterion: int  # the criterion's number
    code: str
    met: bool = False
    years_met: int | None = None
    points: Decimal | None = None  # for frameworks that give points directly


@dataclass(frozen=True)
class CriterionScore:
    number: int
    points: Decimal
    max_points: Decimal | None
    standards_counted: int
    is_core: bool = False

    @property
    def share(self) -> Decimal | None:
        """Percent of the criterion's points earned, rounded down to 0.01."""
        if not self.max_points:
            return None
        return (self.points * HUNDRED / self.max_points).quantize(CENT, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Failure:
    rule: str
    measured: Decimal
    required: Decimal
    criterion: int | None = None

    @property
    def message(self) -> str:
        values = {"criterion": self.criterion, "measured": self.measured, "required": self.required}
        if self.rule == MIN_TOTAL:
            return _("Total %(measured)s points is below the required %(required)s.") % values
        if self.rule == MIN_CORE_CRITERION_SHARE:
            return _("Core criterion %(criterion)s reaches %(measured)s %% of its points; %(required)s %% is "
                     "required.") % values
        return _("Criterion %(criterion)s reaches %(measured)s %% of its points; %(required)s %% is required.") % values


@dataclass(frozen=True)
class Score:
    framework: str
    level: str
    criteria: tuple[CriterionScore, ...]
    total: Decimal
    outcome: str
    failures: tuple[Failure, ...] = ()
    unmeasured: tuple[int, ...] = ()  # criteria a share rule could not be applied to (no benchmark points)

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def criterion(self, number: int) -> CriterionScore:
        return next(c for c in self.criteria if c.number == number)


def _standard_points(framework: FrameworkFacts, rating: StandardRating, window: int | None) -> Decimal:
    if framework.points_per_standard is None:
        return rating.points if rating.met and rating.points is not None else Decimal(0)
    if not rating.met:
        return Decimal(0)
    if window is not None and (rating.years_met or 0) < window:
        return Decimal(0)
    return framework.points_per_standard


def score(framework: FrameworkFacts, ratings: Iterable[StandardRating], level: str = "") -> Score:
    """Points per criterion and in total, and pass or fail under the framework's own rules, each failure named."""
    window = framework.compliance_years_for(level)
    if framework.compliance_years and window is None:
        raise ValueError(f"Framework {framework.code} needs the level (one of {dict(framework.compliance_years)}).")
    by_number = {c.number: c for c in framework.criteria}
    points = {c.number: Decimal(0) for c in framework.criteria}
    counted = {c.number: 0 for c in framework.criteria}
    for rating in ratings:
        if rating.criterion not in by_number:
            raise ValueError(f"Standard {rating.code}: framework {framework.code} has no criterion {rating.criterion}.")
        earned = _standard_points(framework, rating, window)
        points[rating.criterion] += earned
        counted[rating.criterion] += 1 if earned else 0
    criteria = []
    for c in framework.criteria:
        max_points = framework.max_points(c)
        if max_points is not None and points[c.number] > max_points:
            raise ValueError(f"Criterion {c.number}: {points[c.number]} points exceed its {max_points}.")
        criteria.append(CriterionScore(c.number, points[c.number], max_points, counted[c.number], c.is_core))
    total = sum((c.points for c in criteria), Decimal(0))

    rules = framework.rules
    failures: list[Failure] = []
    unmeasured: list[int] = []
    if rules.min_total_points is not None and total < rules.min_total_points:
        failures.append(Failure(MIN_TOTAL, total, rules.min_total_points))
    for c in criteria:
        checks = [(MIN_CRITERION_SHARE, rules.min_criterion_share)]
        if c.is_core:
            checks.append((MIN_CORE_CRITERION_SHARE, rules.min_core_criterion_share))
        for rule, required in checks:
            if required is None:
                continue
            if c.share is None:
                unmeasured.append(c.number)
            elif c.points * HUNDRED < required * c.max_points:
                failures.append(Failure(rule, c.share, required, c.number))
    if failures:
        outcome = FAIL
    elif rules.is_empty or unmeasured:
        outcome = UNDETERMINED
    else:
        outcome = PASS
    return Score(framework.code, level, tuple(criteria), total, outcome, tuple(failures),
                 tuple(sorted(set(unmeasured))))
