"""Checks a curriculum version against the rules of a rule set. Pure: plain dataclasses in, a report out.

The measures are code; the thresholds, which level they apply to, whether they are confirmed and their legal
source are data (`CurriculumRule` rows, turned into `Rule` by `curricula.services`). A rule that is not met
fails when it is confirmed and only warns when it is not (DOMAIN.md markers [C] / [U]).

Hours: a version's total is theory + practice + internship + exam hours. Practice share counts practice and
internship hours. For the hours behind each credit, exam and internship hours count at the practice rate.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .choices import GeneralSubjectType, RuleCode, RuleStatus, RuleUnit

CREDIT_HOURS = "credit_hours"  # the check built from the two per-credit parameters
PARAMETERS = (RuleCode.CREDIT_THEORY_HOURS, RuleCode.CREDIT_PRACTICE_HOURS, RuleCode.REVIEW_CYCLE_YEARS)


@dataclass(frozen=True)
class ComponentFacts:
    code: str
    kind: str
    group: str
    credits: Decimal = Decimal(0)
    theory_hours: int = 0
    practice_hours: int = 0
    internship_hours: int = 0
    exam_hours: int = 0
    general_subject_type: str = ""

    @property
    def total_hours(self) -> int:
        return self.theory_hours + self.practice_hours + self.internship_hours + self.exam_hours


@dataclass(frozen=True)
class VersionFacts:
    level: str
    entry_requirement: str
    components: tuple[ComponentFacts, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    unit: str
    source: str  # number of the legal document the value comes from
    level: str = ""  # "" = every level
    entry_requirement: str = ""  # "" = every entry requirement
    general_subject_type: str = ""
    value: Decimal | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    confirmed: bool = True
    note: str = ""

    def applies_to(self, facts: VersionFacts) -> bool:
        return (not self.level or self.level == facts.level) and (
            not self.entry_requirement or self.entry_requirement == facts.entry_requirement
        )

    @property
    def specificity(self) -> tuple[bool, bool]:
        return (bool(self.level), bool(self.entry_requirement))


@dataclass(frozen=True)
class RuleSet:
    document: str
    effective_from: datetime.date | None = None  # None: since the beginning
    effective_to: datetime.date | None = None
    rules: tuple[Rule, ...] = ()

    def is_in_force_on(self, day: datetime.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class RuleResult:
    code: str
    status: str
    measured: Decimal | None
    required_min: Decimal | None
    required_max: Decimal | None
    unit: str
    source: str
    confirmed: bool
    message: str
    general_subject_type: str = ""
    components: tuple[str, ...] = ()  # codes of the components at fault, when the rule is per component

    @property
    def required(self) -> str:
        return _band(self.required_min, self.required_max)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "general_subject_type": self.general_subject_type,
            "status": self.status,
            "measured": self.measured,
            "required": self.required,
            "required_min": self.required_min,
            "required_max": self.required_max,
            "unit": self.unit,
            "confirmed": self.confirmed,
            "source": self.source,
            "message": str(self.message),
            "components": list(self.components),
        }


@dataclass(frozen=True)
class Report:
    on: datetime.date
    rule_set: str
    results: tuple[RuleResult, ...] = field(default_factory=tuple)

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == RuleStatus.FAIL]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == RuleStatus.WARNING]

    @property
    def passed(self) -> bool:
        return not self.failures

    def result(self, code: str, general_subject_type: str = "") -> RuleResult | None:
        return next(
            (r for r in self.results if r.code == code and r.general_subject_type == general_subject_type), None
        )

    def as_dict(self) -> dict:
        return {
            "on": self.on,
            "rule_set": self.rule_set,
            "passed": self.passed,
            "failures": len(self.failures),
            "warnings": len(self.warnings),
            "results": [r.as_dict() for r in self.results],
        }


def select_rule_set(rule_sets: Iterable[RuleSet], on: datetime.date) -> RuleSet | None:
    """The rule set in force on `on`; the latest to take effect when periods overlap."""
    in_force = [s for s in rule_sets if s.is_in_force_on(on)]
    return max(in_force, key=lambda s: s.effective_from or datetime.date.min, default=None)


def parameter(rules: Iterable[Rule], code: str, facts: VersionFacts | None = None) -> Rule | None:
    """The most specific rule of `code` (applying to `facts` when given)."""
    candidates = [r for r in rules if r.code == code and (facts is None or r.applies_to(facts))]
    return max(candidates, key=lambda r: r.specificity, default=None)


def check_curriculum(facts: VersionFacts, rules: Sequence[Rule], *, on: datetime.date, rule_set: str = "") -> Report:
    """Measure `facts` against every rule that applies to its level and entry requirement."""
    chosen: dict[tuple[str, str], Rule] = {}
    for rule in rules:
        if rule.code in PARAMETERS or not rule.applies_to(facts):
            continue
        key = (rule.code, rule.general_subject_type)
        if key not in chosen or rule.specificity > chosen[key].specificity:
            chosen[key] = rule
    order = {code: i for i, code in enumerate(RuleCode.values)}
    results = [
        _check(rule, facts)
        for rule in sorted(chosen.values(), key=lambda r: (order.get(r.code, 99), r.general_subject_type))
    ]
    credit_check = _check_credit_hours(facts, rules)
    if credit_check is not None:
        results.append(credit_check)
    return Report(on=on, rule_set=rule_set, results=tuple(results))


# ------------------------------------------------------------------------------------------------ measures


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _measure(rule: Rule, facts: VersionFacts) -> Decimal | None:
    components = facts.components
    total = sum(c.total_hours for c in components)
    if rule.code == RuleCode.MIN_CREDITS:
        return sum((c.credits for c in components), Decimal(0))
    if rule.code == RuleCode.MIN_COMPONENTS:
        return Decimal(len(components))
    if rule.code == RuleCode.THEORY_SHARE:
        return _percent(sum(c.theory_hours for c in components), total)
    if rule.code == RuleCode.PRACTICE_SHARE:
        return _percent(sum(c.practice_hours + c.internship_hours for c in components), total)
    if rule.code == RuleCode.GENERAL_SUBJECT_HOURS:
        return Decimal(sum(c.total_hours for c in components if c.general_subject_type == rule.general_subject_type))
    return None


def _check(rule: Rule, facts: VersionFacts) -> RuleResult:
    measured = _measure(rule, facts)
    label = _rule_label(rule)
    unit = RuleUnit(rule.unit).label if rule.unit in RuleUnit.values else rule.unit
    required = _band(rule.min_value, rule.max_value)
    params = {"rule": label, "measured": _fmt(measured), "required": required, "unit": unit}
    if measured is None:
        ok = False
        message = _("%(rule)s: the version has no hours yet.") % params
    else:
        ok = (rule.min_value is None or measured >= rule.min_value) and (
            rule.max_value is None or measured <= rule.max_value
        )
        if ok:
            message = _("%(rule)s: %(measured)s %(unit)s meets the requirement of %(required)s %(unit)s.") % params
        elif rule.confirmed:
            message = _(
                "%(rule)s: %(measured)s %(unit)s does not meet the requirement of %(required)s %(unit)s."
            ) % params
        else:
            message = _(
                "%(rule)s: %(measured)s %(unit)s does not meet %(required)s %(unit)s; the rule is unconfirmed, "
                "so this is a warning only."
            ) % params
    return RuleResult(
        code=rule.code,
        status=_status(ok, rule.confirmed),
        measured=measured,
        required_min=rule.min_value,
        required_max=rule.max_value,
        unit=rule.unit,
        source=rule.source,
        confirmed=rule.confirmed,
        message=message,
        general_subject_type=rule.general_subject_type,
    )


def credit_conversion(rules: Iterable[Rule], facts: VersionFacts | None = None) -> tuple[Rule, Rule] | None:
    """The theory-hours and practice-hours-per-credit rules (applying to `facts` when given); None unless both
    are there with a value."""
    rules = tuple(rules)
    theory = parameter(rules, RuleCode.CREDIT_THEORY_HOURS, facts)
    practice = parameter(rules, RuleCode.CREDIT_PRACTICE_HOURS, facts)
    if theory is None or practice is None or not theory.value or not practice.value:
        return None
    return theory, practice


def credits_worth(component: ComponentFacts, theory: Decimal, practice: Decimal) -> Decimal:
    """How many credits the hours of `component` make: theory hours at `theory` hours a credit, practice,
    internship and exam hours at `practice` hours a credit."""
    return (Decimal(component.theory_hours) / theory
            + Decimal(component.practice_hours + component.internship_hours + component.exam_hours) / practice)


def lacks_credit_hours(component: ComponentFacts, theory: Decimal, practice: Decimal) -> bool:
    """A component with credits has fewer hours than its credits need (at `theory` or `practice` hours a credit,
    or a mix of both)."""
    return component.credits > 0 and credits_worth(component, theory, practice) < component.credits


def _check_credit_hours(facts: VersionFacts, rules: Sequence[Rule]) -> RuleResult | None:
    """Each credit needs at least the theory hours, or the practice hours, of one credit (or a mix of both)."""
    conversion = credit_conversion(rules, facts)
    if conversion is None:
        return None
    theory, practice = conversion
    short = tuple(c.code for c in facts.components if lacks_credit_hours(c, theory.value, practice.value))
    confirmed = theory.confirmed and practice.confirmed
    params = {"theory": _fmt(theory.value), "practice": _fmt(practice.value), "count": len(short),
              "codes": ", ".join(short)}
    if not short:
        message = _(
            "Every component has at least %(theory)s theory hours or %(practice)s practice hours per credit."
        ) % params
    else:
        message = _(
            "%(count)s component(s) have fewer hours than their credits need (%(theory)s theory or %(practice)s "
            "practice hours per credit): %(codes)s."
        ) % params
    return RuleResult(
        code=CREDIT_HOURS,
        status=_status(not short, confirmed),
        measured=Decimal(len(short)),
        required_min=None,
        required_max=Decimal(0),
        unit=RuleUnit.COMPONENTS,
        source=theory.source,
        confirmed=confirmed,
        message=message,
        components=short,
    )


def _status(ok: bool, confirmed: bool) -> str:
    if ok:
        return RuleStatus.PASS
    return RuleStatus.FAIL if confirmed else RuleStatus.WARNING


def _rule_label(rule: Rule) -> str:
    label = RuleCode(rule.code).label if rule.code in RuleCode.values else rule.code
    if rule.general_subject_type in GeneralSubjectType.values:
        return f"{label} ({GeneralSubjectType(rule.general_subject_type).label})"
    return str(label)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = f"{value.normalize():f}"
    return text


def _band(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{_fmt(low)}–{_fmt(high)}"
    if low is not None:
        return f"≥ {_fmt(low)}"
    if high is not None:
        return f"≤ {_fmt(high)}"
    return ""
