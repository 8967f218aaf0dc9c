from decimal import Decimal as D

from curricula.diff import ComponentSnapshot as C
from curricula.diff import FieldChange, diff_versions


def test_identical_versions_have_no_diff():
    components = [C("MH01", "Chính trị", credits=D(4)), C("MĐ07", "Điện cơ bản", credits=D(5))]
    assert diff_versions(components, list(components)).is_empty


def test_added_removed_and_changed_matched_by_code():
    old = [C("MH01", "Chính trị", group="general", credits=D(4), theory_hours=45),
           C("MĐ07", "Điện cơ bản", credits=D(5)),
           C("MĐ08", "Khí cụ điện", credits=D(3))]
    new = [C("MH01", "Giáo dục chính trị", group="general", credits=D(4), theory_hours=41),
           C("MĐ07", "Điện cơ bản", credits=D(5)),
           C("MĐ09", "PLC", credits=D(4))]
    result = diff_versions(old, new)
    assert [c.code for c in result.added] == ["MĐ09"]
    assert [c.code for c in result.removed] == ["MĐ08"]
    assert len(result.changed) == 1
    change = result.changed[0]
    assert change.code == "MH01"
    assert change.changes == (FieldChange("name_vi", "Chính trị", "Giáo dục chính trị"),
                              FieldChange("theory_hours", 45, 41))


def test_credits_compare_as_numbers():
    assert diff_versions([C("MĐ01", credits=D("3.0"))], [C("MĐ01", credits=D(3))]).is_empty
    result = diff_versions([C("MĐ01", credits=D(3))], [C("MĐ01", credits=D("3.5"))])
    assert result.changed[0].changes == (FieldChange("credits", D(3), D("3.5")),)


def test_from_or_to_nothing():
    components = [C("MĐ01"), C("MĐ02")]
    assert [c.code for c in diff_versions([], components).added] == ["MĐ01", "MĐ02"]
    assert [c.code for c in diff_versions(components, []).removed] == ["MĐ01", "MĐ02"]
