"""The pure rule module, without the database (pytest-django refuses any query here)."""

import datetime
from decimal import Decimal as D

import pytest

from curricula import rules
from curricula.choices import ComponentGroup, EntryRequirement, GeneralSubjectType, RuleCode, RuleStatus
from curricula.rules import ComponentFacts, Rule, RuleSet, VersionFacts

ON = datetime.date(2025, 1, 1)
C = "01/2024/TT-BLĐTBXH"


def component(code, credits, theory=0, practice=0, internship=0, exam=0, group=ComponentGroup.SPECIALISED,
              general=""):
    return ComponentFacts(code=code, kind="module", group=group, credits=D(credits), theory_hours=theory,
                          practice_hours=practice, internship_hours=internship, exam_hours=exam,
                          general_subject_type=general)


def college(*components):
    return VersionFacts(level="college", entry_requirement=EntryRequirement.UPPER_SECONDARY, components=components)


MIN_CREDITS = [
    Rule(code=RuleCode.MIN_CREDITS, unit="credits", source=C, level="college", min_value=D(60)),
    Rule(code=RuleCode.MIN_CREDITS, unit="credits", source=C, level="intermediate",
         entry_requirement=EntryRequirement.UPPER_SECONDARY, min_value=D(35)),
    Rule(code=RuleCode.MIN_CREDITS, unit="credits", source=C, level="intermediate",
         entry_requirement=EntryRequirement.LOWER_SECONDARY, min_value=D(50)),
]


def test_check_curriculum_min_credits_pass_and_fail():
    passing = rules.check_curriculum(college(component("MĐ01", 60, practice=1800)), MIN_CREDITS, on=ON)
    failing = rules.check_curriculum(college(component("MĐ01", 59.5, practice=1800)), MIN_CREDITS, on=ON)
    assert passing.result(RuleCode.MIN_CREDITS).status == RuleStatus.PASS
    assert passing.passed
    result = failing.result(RuleCode.MIN_CREDITS)
    assert result.status == RuleStatus.FAIL
    assert result.measured == D("59.5")
    assert result.required == "≥ 60"
    assert result.source == C
    assert "59.5" in result.message and "60" in result.message
    assert not failing.passed


@pytest.mark.parametrize(("entry", "credits", "status"), [
    (EntryRequirement.UPPER_SECONDARY, 40, RuleStatus.PASS),
    (EntryRequirement.LOWER_SECONDARY, 40, RuleStatus.FAIL),
    (EntryRequirement.LOWER_SECONDARY, 50, RuleStatus.PASS),
])
def test_check_curriculum_min_credits_follow_entry_requirement(entry, credits, status):
    facts = VersionFacts(level="intermediate", entry_requirement=entry,
                         components=(component("MĐ01", credits, practice=1500),))
    report = rules.check_curriculum(facts, MIN_CREDITS, on=ON)
    assert [r.status for r in report.results if r.code == RuleCode.MIN_CREDITS] == [status]


def test_check_curriculum_skips_rules_of_other_levels():
    facts = VersionFacts(level="elementary_1", entry_requirement="", components=(component("MĐ01", 5),))
    assert rules.check_curriculum(facts, MIN_CREDITS, on=ON).results == ()


def test_check_curriculum_most_specific_rule_wins():
    generic = Rule(code=RuleCode.MIN_CREDITS, unit="credits", source=C, min_value=D(10))
    specific = Rule(code=RuleCode.MIN_CREDITS, unit="credits", source=C, level="college", min_value=D(60))
    report = rules.check_curriculum(college(component("MĐ01", 20)), [specific, generic], on=ON)
    assert [r.required_min for r in report.results] == [D(60)]


def test_check_curriculum_unconfirmed_band_warns_instead_of_failing():
    band = Rule(code=RuleCode.THEORY_SHARE, unit="percent", source=C, level="college", min_value=D(30),
                max_value=D(50), confirmed=False)
    report = rules.check_curriculum(college(component("MĐ01", 3, theory=10, practice=80, exam=10)), [band], on=ON)
    result = report.result(RuleCode.THEORY_SHARE)
    assert result.status == RuleStatus.WARNING
    assert result.measured == D("10.0")
    assert result.required == "30–50"
    assert report.passed and report.warnings == [result]


def test_check_curriculum_theory_share_inside_band_passes():
    band = Rule(code=RuleCode.THEORY_SHARE, unit="percent", source=C, level="college", min_value=D(30),
                max_value=D(50), confirmed=False)
    report = rules.check_curriculum(college(component("MĐ01", 3, theory=40, practice=60)), [band], on=ON)
    assert report.result(RuleCode.THEORY_SHARE).status == RuleStatus.PASS


def test_check_curriculum_share_without_hours_is_not_a_pass():
    band = Rule(code=RuleCode.PRACTICE_SHARE, unit="percent", source=C, min_value=D(75))
    result = rules.check_curriculum(college(component("MĐ01", 3)), [band], on=ON).result(RuleCode.PRACTICE_SHARE)
    assert result.status == RuleStatus.FAIL
    assert result.measured is None


def test_check_curriculum_practice_share_counts_internship():
    rule = Rule(code=RuleCode.PRACTICE_SHARE, unit="percent", source=C, min_value=D(75))
    facts = college(component("MĐ01", 3, theory=20, practice=40, internship=40))
    assert rules.check_curriculum(facts, [rule], on=ON).result(RuleCode.PRACTICE_SHARE).measured == D("80.0")


def test_check_curriculum_general_subject_hours_sum_per_type():
    rule = Rule(code=RuleCode.GENERAL_SUBJECT_HOURS, unit="hours", source=C, level="college",
                general_subject_type=GeneralSubjectType.POLITICAL_EDUCATION, min_value=D(75))
    it = Rule(code=RuleCode.GENERAL_SUBJECT_HOURS, unit="hours", source=C, level="college",
              general_subject_type=GeneralSubjectType.IT, min_value=D(75), confirmed=False)
    facts = college(
        component("MH01", 4, theory=40, practice=30, exam=5, group=ComponentGroup.GENERAL,
                  general=GeneralSubjectType.POLITICAL_EDUCATION),
        component("MH05", 3, theory=15, practice=30, group=ComponentGroup.GENERAL, general=GeneralSubjectType.IT),
    )
    report = rules.check_curriculum(facts, [rule, it], on=ON)
    political = report.result(RuleCode.GENERAL_SUBJECT_HOURS, GeneralSubjectType.POLITICAL_EDUCATION)
    assert (political.status, political.measured) == (RuleStatus.PASS, D(75))
    it_result = report.result(RuleCode.GENERAL_SUBJECT_HOURS, GeneralSubjectType.IT)
    assert (it_result.status, it_result.measured) == (RuleStatus.WARNING, D(45))


def test_check_curriculum_missing_general_subject_fails():
    rule = Rule(code=RuleCode.GENERAL_SUBJECT_HOURS, unit="hours", source=C, level="college",
                general_subject_type=GeneralSubjectType.POLITICAL_EDUCATION, min_value=D(75))
    result = rules.check_curriculum(college(component("MĐ01", 3, practice=90)), [rule], on=ON).results[0]
    assert (result.status, result.measured) == (RuleStatus.FAIL, D(0))


def test_check_curriculum_min_components_counts_every_component():
    rule = Rule(code=RuleCode.MIN_COMPONENTS, unit="components", source=C, level="elementary_1", min_value=D(3))
    two = VersionFacts(level="elementary_1", entry_requirement="",
                       components=(component("MĐ01", 2, practice=60), component("MĐ02", 3, practice=90)))
    result = rules.check_curriculum(two, [rule], on=ON).results[0]
    assert (result.status, result.measured) == (RuleStatus.FAIL, D(2))


CREDIT_PARAMETERS = [
    Rule(code=RuleCode.CREDIT_THEORY_HOURS, unit="hours", source=C, value=D(15)),
    Rule(code=RuleCode.CREDIT_PRACTICE_HOURS, unit="hours", source=C, value=D(30)),
]


def test_check_curriculum_credit_hours_names_short_components():
    facts = college(
        component("MĐ01", 3, theory=15, practice=56, exam=4),  # 1 + 2 credits' worth: enough
        component("MĐ02", 3, theory=15, practice=30),  # 1 + 1: short
    )
    result = rules.check_curriculum(facts, CREDIT_PARAMETERS, on=ON).result(rules.CREDIT_HOURS)
    assert result.status == RuleStatus.FAIL
    assert result.components == ("MĐ02",)
    assert "MĐ02" in result.message


def test_lacks_credit_hours_counts_internship_and_exam_at_the_practice_rate():
    theory, practice = (r.value for r in rules.credit_conversion(CREDIT_PARAMETERS))
    assert rules.credits_worth(component("MĐ01", 3, theory=15, internship=30, exam=30), theory, practice) == D(3)
    assert not rules.lacks_credit_hours(component("MĐ01", 3, theory=15, internship=30, exam=30), theory, practice)
    assert rules.lacks_credit_hours(component("MĐ02", 3, theory=15, practice=30), theory, practice)
    assert not rules.lacks_credit_hours(component("MĐ03", 0), theory, practice)
    assert rules.credit_conversion(CREDIT_PARAMETERS[:1]) is None


def test_check_curriculum_credit_hours_unconfirmed_parameter_warns():
    parameters = [CREDIT_PARAMETERS[0], Rule(code=RuleCode.CREDIT_PRACTICE_HOURS, unit="hours", source=C,
                                             value=D(30), confirmed=False)]
    facts = college(component("MĐ02", 3, theory=15, practice=30))
    assert rules.check_curriculum(facts, parameters, on=ON).result(rules.CREDIT_HOURS).status == RuleStatus.WARNING


def test_check_curriculum_parameters_are_not_checks():
    cycle = Rule(code=RuleCode.REVIEW_CYCLE_YEARS, unit="years", source=C, value=D(3))
    assert rules.check_curriculum(college(), [cycle], on=ON).results == ()
    assert rules.parameter([cycle], RuleCode.REVIEW_CYCLE_YEARS).value == D(3)


def test_select_rule_set_by_date():
    old = RuleSet(document="03/2017/TT-BLĐTBXH", effective_from=None, effective_to=datetime.date(2024, 4, 4))
    new = RuleSet(document=C, effective_from=datetime.date(2024, 4, 5))
    assert rules.select_rule_set([old, new], datetime.date(2024, 4, 4)) is old
    assert rules.select_rule_set([old, new], datetime.date(2024, 4, 5)) is new
    assert rules.select_rule_set([old, new], datetime.date(2010, 1, 1)) is old
    assert rules.select_rule_set([new], datetime.date(2020, 1, 1)) is None


def test_report_as_dict_shape():
    report = rules.check_curriculum(college(component("MĐ01", 30, practice=900)), MIN_CREDITS, on=ON, rule_set=C)
    data = report.as_dict()
    assert data["rule_set"] == C and data["passed"] is False and data["failures"] == 1
    assert set(data["results"][0]) == {"code", "general_subject_type", "status", "measured", "required",
                                       "required_min", "required_max", "unit", "confirmed", "source", "message",
                                       "components"}
