"""The pure tier-readiness evaluation: met, gap, weighted gap, status and projected date."""

import datetime
from decimal import Decimal as D

from vet import tiers

PROFILE = tiers.ProfileFacts(
    code="ASEAN",
    tier="asean",
    indicators=(
        tiers.IndicatorRule("employment_6m", D(90), D(2), "employment"),
        tiers.IndicatorRule("accreditation", D(1), D(1), "accredited"),
        tiers.IndicatorRule("enterprise_partners", D(4), D(1), "partners"),
    ),
)


def test_every_indicator_met_is_ready_with_no_projected_date():
    result = tiers.evaluate(PROFILE, {"employment_6m": D(95), "accreditation": D(1), "enterprise_partners": 5},
                            [datetime.date(2027, 1, 1)])
    assert result.status == tiers.READY
    assert result.weighted_gap == 0
    assert result.missing == ()
    assert result.projected_date is None


def test_gap_is_the_shortfall_as_a_share_of_the_threshold_and_weights_count():
    result = tiers.evaluate(PROFILE, {"employment_6m": D(72), "accreditation": D(1), "enterprise_partners": 3})
    assert result.indicator("employment_6m").gap == D(20)  # 18 short of 90
    assert result.indicator("enterprise_partners").gap == D(25)
    # (2 × 20 + 1 × 0 + 1 × 25) / 4
    assert result.weighted_gap == D("16.25")
    assert result.status == tiers.CLOSE
    assert [i.metric for i in result.missing] == ["enterprise_partners", "employment_6m"]


def test_missing_data_is_a_full_gap_and_beyond_the_close_threshold_is_not_yet():
    result = tiers.evaluate(PROFILE, {"employment_6m": None, "accreditation": D(0), "enterprise_partners": 4},
                            [datetime.date(2027, 6, 30), datetime.date(2027, 3, 1)])
    employment = result.indicator("employment_6m")
    assert not employment.has_data and employment.gap == 100 and not employment.met
    assert result.weighted_gap == D(75)
    assert result.status == tiers.NOT_YET
    assert result.projected_date == datetime.date(2027, 6, 30)


def test_the_close_threshold_is_the_profile_s_own():
    strict = tiers.ProfileFacts("X", "national", PROFILE.indicators, close_gap_percent=D(10))
    values = {"employment_6m": D(72), "accreditation": D(1), "enterprise_partners": 3}
    assert tiers.evaluate(strict, values).status == tiers.NOT_YET
    exact = tiers.ProfileFacts("X", "national", PROFILE.indicators, close_gap_percent=D("16.25"))
    assert tiers.evaluate(exact, values).status == tiers.CLOSE
