from decimal import Decimal as D

import pytest

from curricula.coverage import ComponentFacts, MappingFacts, UnitFacts, coverage_report

UNITS = [UnitFacts("U1", "basic", 1), UnitFacts("U2", "common", 2), UnitFacts("U3", "specialised", 2),
         UnitFacts("U4", "specialised", 3)]
COMPONENTS = [ComponentFacts("MĐ01", 60), ComponentFacts("MĐ02", 90), ComponentFacts("MĐ03", 45)]


def test_coverage_report_counts_full_one_and_partial_half():
    report = coverage_report(UNITS, COMPONENTS, [
        MappingFacts("MĐ01", "U1", "full"), MappingFacts("MĐ02", "U2", "partial")])
    assert report.covered_fully == ("U1",)
    assert report.covered_partially == ("U2",)
    assert report.missing == ("U3", "U4")
    assert report.share == D("1.5") / 4
    assert report.percent == D("37.5")


def test_coverage_report_partial_weight_is_a_parameter():
    report = coverage_report(UNITS, COMPONENTS, [MappingFacts("MĐ01", "U1", "partial")], partial_weight=D("0.25"))
    assert report.share == D("0.0625")


def test_coverage_report_rejects_weight_outside_zero_one():
    with pytest.raises(ValueError):
        coverage_report(UNITS, COMPONENTS, [], partial_weight=D("1.5"))


def test_coverage_report_full_wins_over_partial_and_two_partials_stay_partial():
    report = coverage_report(UNITS, COMPONENTS, [
        MappingFacts("MĐ01", "U1", "partial"), MappingFacts("MĐ02", "U1", "full"),
        MappingFacts("MĐ01", "U2", "partial"), MappingFacts("MĐ03", "U2", "partial")])
    assert report.covered_fully == ("U1",)
    assert report.covered_partially == ("U2",)


def test_coverage_report_mapped_hours_and_unmapped_components():
    report = coverage_report(UNITS, COMPONENTS, [
        MappingFacts("MĐ01", "U1"), MappingFacts("MĐ01", "U2"), MappingFacts("MĐ03", "U4", "partial")])
    assert report.mapped_hours == 105  # MĐ01 counted once
    assert report.unmapped_components == ("MĐ02",)


def test_coverage_report_ignores_mappings_to_units_of_another_framework():
    report = coverage_report(UNITS, COMPONENTS, [MappingFacts("MĐ02", "X9")])
    assert report.mapped_hours == 0
    assert report.unmapped_components == ("MĐ01", "MĐ02", "MĐ03")


def test_coverage_report_filters_units_by_level():
    report = coverage_report(UNITS, COMPONENTS, [MappingFacts("MĐ01", "U2"), MappingFacts("MĐ02", "U1")], level=2)
    assert report.units_total == 2
    assert report.covered_fully == ("U2",)
    assert report.missing == ("U3",)
    assert report.share == D("0.5")
    assert report.mapped_hours == 150  # hours do not depend on the level filter


def test_coverage_report_without_units_is_zero():
    report = coverage_report([], COMPONENTS, [])
    assert report.share == 0
    assert report.units_total == 0
