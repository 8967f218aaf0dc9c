import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from curricula import services
from curricula.choices import ComponentGroup, ComponentKind, GeneralSubjectType, RuleCode
from curricula.choices import VersionStatus as S
from curricula.exports import component_template_xlsx, export_version_xlsx
from curricula.importers import (
    COMPONENT_COLUMNS,
    COMPONENT_HEADERS_VI,
    ImportRejected,
    check_component_rows,
    parse_curriculum_components,
)
from curricula.loaders import load_curriculum_rules
from curricula.models import ComponentUnitMapping, CurriculumComponent
from curricula.rules import Rule
from curricula.services import ComponentImportSummary, ComponentRow
from tests import factories
from vet.choices import Level

CONFIRMED_CREDIT_RULES = (
    Rule(code=RuleCode.CREDIT_THEORY_HOURS, unit="hours", source="34/2018/TT-BLĐTBXH", value=D(15)),
    Rule(code=RuleCode.CREDIT_PRACTICE_HOURS, unit="hours", source="34/2018/TT-BLĐTBXH", value=D(30)),
)
HEADER = list(COMPONENT_COLUMNS)
GOOD = [  # code, kind, name_vi, name_en, group, compulsory, credits, theory, practice, internship, exam, general type
    ["MH01", "subject", "Giáo dục chính trị", "", "general", "yes", 4, 45, 30, 0, 0, "political_education"],
    ["MĐ07", "module", "Lắp đặt điện", "", "specialised", "yes", 4, 30, 85, 0, 5, ""],
    ["MĐ20", "module", "Điện mặt trời", "Solar power", "elective", "no", 2.5, 15, 45, 0, 0, ""],
]


@pytest.fixture
def curriculum_rules(db):
    load_curriculum_rules()


@pytest.fixture
def curriculum(world):
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    return factories.CurriculumFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)


@pytest.fixture
def version(curriculum):
    """A draft with three components, all at the default position 0, as screens and factories leave them."""
    version = factories.CurriculumVersionFactory(curriculum=curriculum, status=S.DRAFT)
    factories.CurriculumComponentFactory(
        version=version, kind=ComponentKind.SUBJECT, code="MH01", name_vi="Giáo dục chính trị",
        group=ComponentGroup.GENERAL, general_subject_type=GeneralSubjectType.POLITICAL_EDUCATION, credits=D(4),
        theory_hours=45, practice_hours=30, exam_hours=0)
    factories.CurriculumComponentFactory(version=version, code="MĐ07", name_vi="Lắp đặt điện", credits=D(4),
                                         theory_hours=30, practice_hours=85, exam_hours=5)
    factories.CurriculumComponentFactory(version=version, code="MĐ20", name_vi="Điện mặt trời", name_en="Solar",
                                         group=ComponentGroup.ELECTIVE, compulsory=False, credits=D("2.5"),
                                         theory_hours=15, practice_hours=45, exam_hours=0)
    return version


def workbook_bytes(rows, header=HEADER, sheet="components") -> io.BytesIO:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def records(rows, header=HEADER) -> list[dict]:
    return [{h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)} for row in rows]


def errors_of(exc) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in exc.value.errors}


def state(version) -> tuple:
    """Everything an import could touch: the component rows and the history of components and mappings."""
    rows = list(CurriculumComponent.objects.filter(version=version).order_by("code").values())
    return rows, CurriculumComponent.history.count(), ComponentUnitMapping.history.count()


# ------------------------------------------------------------------------------------------------ round trip


def test_export_version_xlsx_imports_back_with_no_change(world, version, curriculum_rules):
    before = state(version)
    rows = parse_curriculum_components(io.BytesIO(export_version_xlsx(version)), filename="v.xlsx",
                                       credit_rules=services.credit_rules_for(version))
    assert [r.code for r in rows] == ["MH01", "MĐ07", "MĐ20"]
    assert rows[2] == ComponentRow(code="MĐ20", kind="module", name_vi="Điện mặt trời", name_en="Solar",
                                   group="elective", compulsory=False, credits=D("2.5"), theory_hours=15,
                                   practice_hours=45)
    summary = services.import_components(user=world.staff_a, version=version, rows=rows)
    assert summary == ComponentImportSummary(created=0, updated=0, removed=0, unchanged=3)
    assert state(version) == before


def test_export_version_xlsx_writes_three_sheets(version, english, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        content = export_version_xlsx(version)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["components", "version", "instructions"]
    sheet = workbook["components"]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    credits, theory = sheet.cell(4, 7).value, sheet.cell(4, 8).value
    assert (credits, type(theory)) == (2.5, int) and theory == 15
    summary = {row[0].value: row[1].value for row in workbook["version"].iter_rows(min_row=2)}
    assert summary["decision number"] == version.decision_number
    assert summary["total credits"] == 10.5
    assert summary["total hours"] == 45 + 30 + 30 + 85 + 5 + 15 + 45
    assert summary["occupation code"] == "6520227"
    instructions = [c.value for c in workbook["instructions"]["A"]]
    assert instructions[1:13] == HEADER


def test_export_version_xlsx_states_the_credit_rule_in_force(version, curriculum_rules, english):
    workbook = openpyxl.load_workbook(io.BytesIO(export_version_xlsx(version)))
    text = " ".join(str(c.value) for c in workbook["instructions"]["A"] if c.value)
    assert "01/2024/TT-BLĐTBXH, unconfirmed" in text and "15 theory hours or 30" in text


def test_component_template_xlsx_has_the_columns_and_imports_as_nothing():
    content = component_template_xlsx()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["components", "instructions"]
    assert [c.value for c in workbook["components"][1]] == HEADER
    assert workbook["components"].max_row == 1
    headers_vi = [c.value for c in workbook["instructions"]["B"]][1:13]
    assert headers_vi == [COMPONENT_HEADERS_VI[c] for c in HEADER]
    assert parse_curriculum_components(io.BytesIO(content), filename="template.xlsx") == []


# -------------------------------------------------------------------------------------------------- bad rows


@pytest.mark.parametrize(("bad_row", "expected"), [
    (["MĐ08", "module", "Đo lường", "", "specialised", "yes", 2, 15, -30, 0, 0, ""], (4, "practice_hours")),
    (["MĐ07", "module", "Trùng mã", "", "specialised", "yes", 2, 15, 30, 0, 0, ""], (4, "code")),
    (["MĐ08", "module", "Đo lường", "", "advanced", "yes", 2, 15, 30, 0, 0, ""], (4, "group")),
    (["MĐ08", "module", "Đo lường", "", "specialised", "yes", 3, 15, 30, 0, 0, ""], (4, "credits")),
])
def test_import_curriculum_rejects_bad_row_and_writes_nothing(world, tmp_path, curriculum_rules, english, bad_row,
                                                             expected):
    # a college program: its hours per credit are unconfirmed data, which still refuses an impossible row
    version = factories.CurriculumVersionFactory(curriculum__institution=world.school_a,
                                                 decision_date=datetime.date(2025, 6, 1))
    factories.CurriculumComponentFactory(version=version, code="MĐ01")
    path = tmp_path / "components.xlsx"
    path.write_bytes(workbook_bytes([GOOD[1], GOOD[2], bad_row]).getvalue())
    before = state(version)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_curriculum", str(version.pk), str(path), stderr=stderr)
    row, column = expected
    assert f"sheet components, row {row}, column {column}: " in stderr.getvalue()
    with pytest.raises(ImportRejected) as exc:
        parse_curriculum_components(path, filename=path.name, credit_rules=services.credit_rules_for(version))
    assert errors_of(exc) == {expected}
    assert state(version) == before


def test_check_component_rows_reports_every_bad_cell_at_once():
    rows = [
        ["", "lesson", "", "", "general", "maybe", "2.55", "1.5", "x", "-1", "", "law"],
        ["MĐ07", "module", "Lắp đặt điện", "", "specialised", "", "-1", 30, 85, 0, 5, "law"],
        GOOD[1],
    ]
    with pytest.raises(ImportRejected) as exc:
        check_component_rows(records(rows), credit_rules=())
    assert errors_of(exc) == {
        (2, "code"), (2, "kind"), (2, "name_vi"), (2, "compulsory"), (2, "credits"), (2, "theory_hours"),
        (2, "practice_hours"), (2, "internship_hours"),
        (3, "credits"), (3, "general_subject_type"),
        (4, "code"),  # MĐ07 again
    }


def test_check_component_rows_names_missing_and_doubled_columns():
    header = [*HEADER[:-1], "Mã"]  # general_subject_type missing, code given twice
    with pytest.raises(ImportRejected) as exc:
        check_component_rows(records([GOOD[1][:-1] + ["MĐ07"]], header), credit_rules=())
    assert errors_of(exc) == {(1, "general_subject_type"), (1, "Mã")}


def test_check_component_rows_credit_hours_follow_the_rule_data():
    short = records([["MĐ08", "module", "Đo lường", "", "specialised", "yes", 3, 15, 30, 0, 0, ""]])
    with pytest.raises(ImportRejected) as exc:
        check_component_rows(short, credit_rules=CONFIRMED_CREDIT_RULES)
    assert errors_of(exc) == {(2, "credits")}
    # 45 theory hours at 15 a credit carry 3 credits; the same rule at 20 would not
    enough = records([["MĐ08", "module", "Đo lường", "", "specialised", "yes", 3, 45, 0, 0, 0, ""]])
    assert check_component_rows(enough, credit_rules=CONFIRMED_CREDIT_RULES)[0].credits == D(3)
    stricter = (Rule(code=RuleCode.CREDIT_THEORY_HOURS, unit="hours", source="X", value=D(20)),
                CONFIRMED_CREDIT_RULES[1])
    with pytest.raises(ImportRejected):
        check_component_rows(enough, credit_rules=stricter)
    # without a conversion the row is accepted; an unconfirmed conversion still refuses an impossible row
    assert check_component_rows(short, credit_rules=())[0].code == "MĐ08"
    unconfirmed = (CONFIRMED_CREDIT_RULES[0], Rule(code=RuleCode.CREDIT_PRACTICE_HOURS, unit="hours", source="X",
                                                   value=D(30), confirmed=False))
    with pytest.raises(ImportRejected) as exc:
        check_component_rows(short, credit_rules=unconfirmed)
    assert errors_of(exc) == {(2, "credits")}


# ------------------------------------------------------------------------------------------ formats accepted


def test_parse_curriculum_components_accepts_vietnamese_headers_and_labels():
    header = [COMPONENT_HEADERS_VI[c].upper() for c in HEADER]
    rows = [
        ["MH01", "Môn học", "Giáo dục chính trị", "", "Các môn học chung", "có", "4", 45, 30, 0, 0,
         "giáo dục chính trị"],
        ["MĐ20", "mô đun", "Điện mặt trời", "", "Tự chọn", "Không", "2,5", 15, 45, None, None, None],
        [None] * 12,  # a blank row is skipped, and the rows after it keep their numbers
        ["MĐ21", "Module", "Tiết kiệm điện", "", "Elective", "x", 2, 15, 30, 0, 0, ""],
    ]
    parsed = parse_curriculum_components(workbook_bytes(rows, header, sheet="Sheet1"), filename="ctdt.XLSX")
    assert [(r.code, r.kind, r.group, r.compulsory, r.credits, r.general_subject_type) for r in parsed] == [
        ("MH01", "subject", "general", True, D(4), "political_education"),
        ("MĐ20", "module", "elective", False, D("2.5"), ""),
        ("MĐ21", "module", "elective", True, D(2), ""),
    ]
    rows[3][1] = "lesson"
    with pytest.raises(ImportRejected) as exc:
        parse_curriculum_components(workbook_bytes(rows, header), filename="ctdt.xlsx")
    assert errors_of(exc) == {(5, "LOẠI")}


@pytest.mark.parametrize("bom", ["\ufeff", ""])
def test_parse_curriculum_components_reads_csv(bom):
    lines = [",".join(HEADER), "MĐ07,module,Lắp đặt điện,,specialised,yes,4,30,85,0,5,", "",
             'MĐ20,module,Điện mặt trời,,elective,no,"2,5",15,45,0,0,']
    content = io.BytesIO((bom + "\n".join(lines) + "\n").encode("utf-8"))
    parsed = parse_curriculum_components(content, filename="components.csv")
    assert [(r.code, r.credits, r.exam_hours) for r in parsed] == [("MĐ07", D(4), 5), ("MĐ20", D("2.5"), 0)]
    bad = io.BytesIO(("\n".join([*lines, "MĐ21,module,X,,elective,no,1,-15,45,0,0,"]) + "\n").encode("utf-8"))
    with pytest.raises(ImportRejected) as exc:
        parse_curriculum_components(bad, filename="components.csv")
    assert errors_of(exc) == {(5, "theory_hours")}


@pytest.mark.parametrize(("content", "filename"), [
    (b"code,kind\n", "components.xls"),
    (b"code,kind\n", "components"),
    (b"this is not a zip file", "components.xlsx"),
    ("code,kind\nMĐ07,module\n".encode("utf-16"), "components.csv"),
])
def test_parse_curriculum_components_rejects_unreadable_files(content, filename):
    with pytest.raises(ImportRejected) as exc:
        parse_curriculum_components(io.BytesIO(content), filename=filename)
    assert [e.row for e in exc.value.errors] == [0]


def test_parse_curriculum_components_rejects_an_empty_sheet(english):
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with pytest.raises(ImportRejected, match="The sheet is empty"):
        parse_curriculum_components(buffer, filename="empty.xlsx")


# -------------------------------------------------------------------------------------------------- service


def rows_of(data) -> list[ComponentRow]:
    return check_component_rows(records(data), credit_rules=())


def test_import_components_creates_updates_removes_and_orders(world, version):
    mapping = factories.ComponentUnitMappingFactory(component=version.components.get(code="MĐ20"))
    changed = [*GOOD[1][:6], 5, *GOOD[1][7:]]  # MĐ07: 5 credits instead of 4
    new = ["MĐ08", "module", "Đo lường điện", "", "specialised", "yes", 3, 15, 60, 0, 0, ""]
    summary = services.import_components(user=world.head_a, version=version, rows=rows_of([new, GOOD[0], changed]))
    # MH01 only moved, yet it is updated: its position follows the file
    assert summary == ComponentImportSummary(created=1, updated=2, removed=1, unchanged=0)
    stored = list(version.components.order_by("position", "code"))
    assert [c.code for c in stored] == ["MĐ08", "MH01", "MĐ07"]
    assert stored[2].credits == D(5)
    assert not ComponentUnitMapping.objects.filter(pk=mapping.pk).exists()
    assert stored[0].history.get().history_user == world.head_a


def test_import_components_keeps_stored_positions_when_order_agrees(world, version):
    appended = ["MĐ30", "module", "Bảo trì", "", "specialised", "yes", 2, 15, 30, 0, 0, ""]
    rows = rows_of([*GOOD[:2], [*GOOD[2][:3], "Solar", *GOOD[2][4:]], appended])
    summary = services.import_components(user=world.staff_a, version=version, rows=rows)
    assert summary == ComponentImportSummary(created=1, updated=0, removed=0, unchanged=3)
    assert set(version.components.values_list("position", flat=True)) == {0}


def test_import_components_refuses_a_frozen_version(world, version):
    version.status = S.SUBMITTED
    version.save()
    before = state(version)
    with pytest.raises(ValidationError) as exc:
        services.import_components(user=world.staff_a, version=version, rows=rows_of(GOOD[:1]))
    assert exc.value.code == "frozen"
    assert state(version) == before


@pytest.mark.parametrize("who", ["staff_b", "officer_a", "officer_b"])
def test_import_components_refused_to_other_schools_and_officers(world, version, who):
    before = state(version)
    with pytest.raises(PermissionDenied):
        services.import_components(user=getattr(world, who), version=version, rows=rows_of(GOOD[:1]))
    assert state(version) == before


def test_credit_rules_for_takes_the_rules_of_the_level_in_force(world, curriculum_rules):
    college = factories.CurriculumVersionFactory(
        curriculum=factories.CurriculumFactory(institution=world.school_a, occupation__code="6520205"))
    elementary = factories.CurriculumVersionFactory(
        decision_date=datetime.date(2020, 1, 1),
        curriculum=factories.CurriculumFactory(institution=world.school_a, occupation__code="5520205",
                                               level=Level.ELEMENTARY_1, entry_requirement=""))
    assert {(r.code, r.level, r.confirmed, r.source) for r in services.credit_rules_for(college)} == {
        (RuleCode.CREDIT_THEORY_HOURS, "", False, "01/2024/TT-BLĐTBXH"),
        (RuleCode.CREDIT_PRACTICE_HOURS, "", False, "01/2024/TT-BLĐTBXH"),
    }
    chosen = {(r.code, r.level, r.source) for r in services.credit_rules_for(elementary)}
    assert (RuleCode.CREDIT_THEORY_HOURS, Level.ELEMENTARY_1, "34/2018/TT-BLĐTBXH") in chosen
    assert all(r.level in ("", Level.ELEMENTARY_1) for r in services.credit_rules_for(elementary))


def test_credit_rules_for_is_empty_without_rule_sets(version):
    assert services.credit_rules_for(version) == ()


# ------------------------------------------------------------------------------------------------- commands


def test_export_and_import_curriculum_commands(world, version, tmp_path):
    path = tmp_path / "out.xlsx"
    call_command("export_curriculum", str(version.pk), "-o", str(path), stdout=io.StringIO())
    workbook = openpyxl.load_workbook(path)
    workbook["components"].delete_rows(3)  # drop MĐ07
    workbook.save(path)
    out = io.StringIO()
    call_command("import_curriculum", str(version.pk), str(path), stdout=out)
    assert "0 created, 0 updated, 1 removed, 2 unchanged" in out.getvalue()
    assert sorted(version.components.values_list("code", flat=True)) == ["MH01", "MĐ20"]


def test_import_curriculum_command_refuses_frozen_and_unknown(world, version, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(export_version_xlsx(version))
    version.status = S.APPROVED
    version.approved_on = datetime.date(2025, 6, 2)
    version.save()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_curriculum", str(version.pk), str(path))
    with pytest.raises(CommandError, match="No curriculum version"):
        call_command("import_curriculum", "999999", str(path))
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_curriculum", str(version.pk), str(tmp_path / "missing.xlsx"))


def test_export_curriculum_template_command(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("export_curriculum_template", "-o", str(path), stdout=io.StringIO())
    assert [c.value for c in openpyxl.load_workbook(path)["components"][1]] == HEADER
