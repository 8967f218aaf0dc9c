"""Accreditation scoring without the database: Circular 15/2017's pass rule, Circular 14/2024's compliance window."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from vet import readiness
from vet.readiness import CriterionFacts, FrameworkFacts, PassRules, StandardRating

TT15_POINTS = {1: 12, 2: 17, 3: 15, 4: 15, 5: 15, 6: 5, 7: 6, 8: 9, 9: 6}
TT15 = FrameworkFacts(
    code="TT15-2017-SCHOOL",
    criteria=tuple(CriterionFacts(n, D(p), is_core=n in (2, 3, 4, 5)) for n, p in TT15_POINTS.items()),
    rules=PassRules(min_total_points=D(80), min_criterion_share=D(60), min_core_criterion_share=D(80)),
    rules_confirmed=True,
)
TT14 = FrameworkFacts(
    code="TT14-2024-SCHOOL",
    criteria=tuple(CriterionFacts(n, standard_count=2) for n in range(1, 9)),
    points_per_standard=D(2),
    compliance_years=(("intermediate", 2), ("college", 3)),
)


def tt15_ratings(**points) -> list[StandardRating]:
    """One rating per criterion giving its points directly; full points unless `c<n>=…` says otherwise."""
    return [
        StandardRating(criterion=n, code=f"{n}.1", met=True, points=D(str(points.get(f"c{n}", full))))
        for n, full in TT15_POINTS.items()
    ]


def test_score_tt15_full_points_pass():
    result = readiness.score(TT15, tt15_ratings())
    assert result.total == 100
    assert result.outcome == readiness.PASS
    assert result.passed
    assert result.failures == ()


def test_score_tt15_at_thresholds_pass():
    # criterion 1 at 60 %, core criterion 2 at 80 % (13.6 of 17), criterion 8 at 60 %: 88.2 points
    result = readiness.score(TT15, tt15_ratings(c1="7.2", c2="13.6", c8="5.4"))
    assert result.total == D("88.2")
    assert result.outcome == readiness.PASS


def test_score_tt15_total_below_80_fails():
    # every criterion exactly at its minimum share: 72.4 points in total
    result = readiness.score(
        TT15, tt15_ratings(c1="7.2", c2="13.6", c3=12, c4=12, c5=12, c6=3, c7="3.6", c8="5.4", c9="3.6")
    )
    assert result.total == D("72.4")
    assert result.outcome == readiness.FAIL
    assert result.failures == (readiness.Failure(readiness.MIN_TOTAL, D("72.4"), D(80)),)
    assert "72.4" in str(result.failures[0].message) and "80" in str(result.failures[0].message)


def test_score_tt15_criterion_below_60_percent_fails():
    result = readiness.score(TT15, tt15_ratings(c1=7))  # 7 of 12 = 58.33 %
    assert result.total == 95
    assert result.outcome == readiness.FAIL
    assert result.failures == (readiness.Failure(readiness.MIN_CRITERION_SHARE, D("58.33"), D(60), criterion=1),)


def test_score_tt15_core_criterion_below_80_percent_fails():
    result = readiness.score(TT15, tt15_ratings(c3=11))  # 11 of 15 = 73.33 %: above 60 %, below 80 %
    assert result.total == 96
    assert result.outcome == readiness.FAIL
    assert result.failures == (
        readiness.Failure(readiness.MIN_CORE_CRITERION_SHARE, D("73.33"), D(80), criterion=3),
    )


def test_score_tt15_core_criterion_below_60_percent_breaks_both_rules():
    result = readiness.score(TT15, tt15_ratings(c2="8.5"))  # 50 %
    assert [(f.rule, f.criterion, f.measured) for f in result.failures] == [
        (readiness.MIN_CRITERION_SHARE, 2, D("50.00")),
        (readiness.MIN_CORE_CRITERION_SHARE, 2, D("50.00")),
    ]


def test_score_tt15_non_core_criterion_not_held_to_core_share():
    result = readiness.score(TT15, tt15_ratings(c8="5.4"))  # 60 % of a non-core criterion
    assert result.outcome == readiness.PASS


def test_score_tt14_counts_standard_met_two_years_at_intermediate():
    ratings = [StandardRating(1, "1.1", met=True, years_met=2), StandardRating(1, "1.2", met=True, years_met=1)]
    result = readiness.score(TT14, ratings, level="intermediate")
    assert result.criterion(1).points == 2
    assert result.criterion(1).standards_counted == 1
    assert result.criterion(1).max_points == 4
    assert result.total == 2


def test_score_tt14_college_needs_three_years():
    ratings = [StandardRating(1, "1.1", met=True, years_met=2), StandardRating(1, "1.2", met=True, years_met=3)]
    result = readiness.score(TT14, ratings, level="college")
    assert result.criterion(1).points == 2


def test_score_tt14_standard_not_met_earns_nothing():
    result = readiness.score(TT14, [StandardRating(2, "2.1", met=False, years_met=5)], level="intermediate")
    assert result.total == 0


def test_score_without_pass_rule_is_undetermined():
    ratings = [StandardRating(n, f"{n}.{i}", met=True, years_met=3) for n in range(1, 9) for i in (1, 2)]
    result = readiness.score(TT14, ratings, level="college")
    assert result.total == 32
    assert result.outcome == readiness.UNDETERMINED
    assert not result.passed
    assert result.failures == ()
    with translation.override("en"):
        assert str(result.outcome_label) == "No pass rule defined"
    with translation.override("vi"):
        assert str(result.outcome_label) == "Chưa có quy định về mức đạt"


def test_score_applies_only_the_rules_the_framework_has():
    only_total = FrameworkFacts("X", TT15.criteria, rules=PassRules(min_total_points=D(80)))
    result = readiness.score(only_total, tt15_ratings(c1=0, c2=9))  # two criteria far below any share, total 80
    assert result.total == 80
    assert result.outcome == readiness.PASS


def test_score_share_rule_without_benchmark_is_undetermined():
    facts = FrameworkFacts(
        "X", (CriterionFacts(1),), points_per_standard=D(2), rules=PassRules(min_criterion_share=D(60))
    )
    result = readiness.score(facts, [StandardRating(1, "1.1", met=True)])
    assert result.outcome == readiness.UNDETERMINED
    assert result.unmeasured == (1,)


def test_score_compliance_window_needs_level():
    with pytest.raises(ValueError):
        readiness.score(TT14, [], level="")


def test_score_rejects_unknown_criterion_and_points_above_benchmark():
    with pytest.raises(ValueError):
        readiness.score(TT15, [StandardRating(10, "10.1", met=True, points=D(1))])
    with pytest.raises(ValueError):
        readiness.score(TT15, tt15_ratings(c6=6))
