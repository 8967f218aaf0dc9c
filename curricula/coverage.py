"""How far the subjects and modules of a curriculum version cover the competency units of a skill standard.
Pure: plain dataclasses in and out.

A unit counts 1 when some component covers it fully and `partial_weight` (0.5 by default) when components cover
it only partly; several partial mappings of one unit still count as one partial cover, since nothing says that
two halves make a whole. The weight is a convention of this report, not a legal rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

FULL = "full"
PARTIAL = "partial"
DEFAULT_PARTIAL_WEIGHT = Decimal("0.5")


@dataclass(frozen=True)
class UnitFacts:
    """A competency unit; `code` identifies it within its framework."""

    code: str
    group: str = ""
    level: int | None = None
    nominal_hours: int | None = None


@dataclass(frozen=True)
class ComponentFacts:
    """A subject or module; `code` identifies it within its version."""

    code: str
    hours: int = 0


@dataclass(frozen=True)
class MappingFacts:
    component: str
    unit: str
    coverage: str = FULL


@dataclass(frozen=True)
class CoverageReport:
    units_total: int
    covered_fully: tuple[str, ...]
    covered_partially: tuple[str, ...]
    missing: tuple[str, ...]
    share: Decimal
    mapped_hours: int
    unmapped_components: tuple[str, ...]
    partial_weight: Decimal = DEFAULT_PARTIAL_WEIGHT
    level: int | None = None

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"))


def coverage_report(
    units: Iterable[UnitFacts],
    components: Iterable[ComponentFacts],
    mappings: Iterable[MappingFacts],
    level: int | None = None,
    *,
    partial_weight: Decimal = DEFAULT_PARTIAL_WEIGHT,
) -> CoverageReport:
    """Share of the units (of `level` only, when given) covered by the components: full = 1, partial =
    `partial_weight`; units listed as fully / partially covered or missing in the order given; mapped hours =
    hours of the components mapped to at least one unit of the framework (whatever the level filter)."""
    partial_weight = Decimal(partial_weight)
    if not Decimal(0) <= partial_weight <= Decimal(1):
        raise ValueError("partial_weight must be between 0 and 1")
    all_units = list(units)
    known_units = {u.code for u in all_units}
    selected = [u for u in all_units if level is None or u.level == level]
    components = list(components)
    mappings = [m for m in mappings if m.unit in known_units]
    best: dict[str, str] = {}
    for m in mappings:
        if m.coverage == FULL or best.get(m.unit) != FULL:
            best[m.unit] = FULL if m.coverage == FULL else PARTIAL
    fully = tuple(u.code for u in selected if best.get(u.code) == FULL)
    partially = tuple(u.code for u in selected if best.get(u.code) == PARTIAL)
    missing = tuple(u.code for u in selected if u.code not in best)
    score = len(fully) + partial_weight * len(partially)
    share = score / len(selected) if selected else Decimal(0)
    mapped = {m.component for m in mappings}
    return CoverageReport(
        units_total=len(selected),
        covered_fully=fully,
        covered_partially=partially,
        missing=missing,
        share=share,
        mapped_hours=sum(c.hours for c in components if c.code in mapped),
        unmapped_components=tuple(c.code for c in components if c.code not in mapped),
        partial_weight=partial_weight,
        level=level,
    )
