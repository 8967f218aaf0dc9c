import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from curricula.importers import ImportRejected, parse_skill_framework
from curricula.models import PerformanceCriterion, SkillFramework, SkillUnit
from tests import factories

UNITS = [
    {"code": "A01", "name_vi": "An toàn lao động", "name_en": "Work safety", "group": "basic", "level": "1",
     "nominal_hours": "30"},
    {"code": "C01", "name_vi": "Lắp đặt tủ điện", "name_en": "", "group": "specialised", "level": "3",
     "nominal_hours": "60"},
]
CRITERIA = [
    {"unit_code": "A01", "number": "1", "text_vi": "Sử dụng đúng bảo hộ lao động", "text_en": ""},
    {"unit_code": "C01", "number": "1", "text_vi": "Đấu nối đúng sơ đồ", "text_en": "Wire per diagram"},
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; the Vietnamese ones are covered by tests/test_translations.py."""
    with translation.override("en"):
        yield


def write(tmp_path, units=UNITS, criteria=CRITERIA):
    path = tmp_path / "framework.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(units).to_excel(writer, sheet_name="units", index=False)
        pd.DataFrame(criteria).to_excel(writer, sheet_name="criteria", index=False)
    return path


def test_parse_skill_framework_reads_both_sheets(tmp_path):
    units, criteria = parse_skill_framework(write(tmp_path))
    assert [u.code for u in units] == ["A01", "C01"]
    assert units[1].level == 3 and units[1].nominal_hours == 60
    assert criteria[1].text_en == "Wire per diagram"


@pytest.mark.parametrize("units, criteria, expected", [
    ([{**UNITS[0], "code": ""}, UNITS[1]], CRITERIA[1:], "sheet units, row 2, column code"),
    ([UNITS[0], {**UNITS[1], "code": "A01"}], CRITERIA[:1], "sheet units, row 3, column code"),
    ([UNITS[0], {**UNITS[1], "group": "advanced"}], CRITERIA, "sheet units, row 3, column group"),
    ([UNITS[0], {**UNITS[1], "nominal_hours": "sixty"}], CRITERIA, "sheet units, row 3, column nominal_hours"),
    (UNITS, [CRITERIA[0], {**CRITERIA[1], "unit_code": "Z99"}], "sheet criteria, row 3, column unit_code"),
])
def test_parse_skill_framework_rejects_bad_rows(tmp_path, units, criteria, expected):
    with pytest.raises(ImportRejected) as exc:
        parse_skill_framework(write(tmp_path, units, criteria))
    assert expected in str(exc.value)


def test_import_skill_framework_command_creates_framework_and_is_idempotent(db, tmp_path):
    path = write(tmp_path)
    call_command("import_skill_framework", str(path), framework="TEST-1", create=True, kind="national",
                 name_vi="Tiêu chuẩn thử")
    framework = SkillFramework.objects.get(code="TEST-1")
    assert framework.units.count() == 2
    assert PerformanceCriterion.objects.filter(unit__framework=framework).count() == 2
    call_command("import_skill_framework", str(path), framework="TEST-1")
    assert SkillUnit.objects.count() == 2
    assert SkillUnit.objects.get(code="A01").history.count() == 1


def test_import_skill_framework_command_writes_nothing_for_a_bad_file(db, tmp_path):
    factories.SkillFrameworkFactory(code="TEST-1")
    path = write(tmp_path, [UNITS[0], {**UNITS[1], "group": "x"}])
    with pytest.raises(CommandError, match="column group"):
        call_command("import_skill_framework", str(path), framework="TEST-1")
    assert not SkillUnit.objects.exists()


def test_import_skill_framework_command_needs_an_existing_framework(db, tmp_path):
    with pytest.raises(CommandError, match="No skill framework"):
        call_command("import_skill_framework", str(write(tmp_path)), framework="NOPE")
    with pytest.raises(CommandError, match="--kind"):
        call_command("import_skill_framework", str(write(tmp_path)), framework="NOPE", create=True)
    assert not SkillFramework.objects.exists()


def test_parse_skill_framework_names_a_missing_sheet(tmp_path):
    path = tmp_path / "framework.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(UNITS).to_excel(writer, sheet_name="units", index=False)
    with pytest.raises(ImportRejected) as exc:
        parse_skill_framework(path)
    assert str(exc.value) == "sheet criteria: sheet is missing"
