"""XLSX imports of a cohort's learners and results: every bad cell named by row and column, nothing half-written,
repeat imports idempotent, the templates, the commands with their exit status, the admin upload → preview →
confirm flow, permissions and query counts."""

import contextlib
import datetime
import io
import os
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail import hooks

from certificates import importers, services
from certificates.admin_views import imports as imports_admin
from certificates.management.commands.import_learners import Command as ImportLearnersCommand
from certificates.models import Enrolment, Learner
from tests import factories
from vet import choices as vet_choices
from vet import services as vet_services
from vet.storage import private_storage

LEARNER_HEADER = list(importers.COLUMNS["learners"])
RESULT_HEADER = list(importers.COLUMNS["results"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The importer's own lookups are made once per file, whatever its length; per row it adds nothing to what the
# services cost (save_learner + enrol_learner; record_result + record_graduation: row locks, full_clean's unique
# and foreign-key checks, the write and its history row, savepoints, save_registry_object re-reading the
# enrolment's cohort, version and curriculum for its permission check). The tests measure that cost by calling
# the services directly for as many rows, so that a change in the services does not break them.
CHECK_QUERIES = 2


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def xlsx(header, rows, *, sheet="learners", before=()) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for line in before:
        ws.append(list(line))
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def citizen(n: int) -> str:
    return f"08220400{n:04d}"


def learner(n=1, **overrides) -> list:
    values = {
        "citizen_id": citizen(n),
        "full_name": f"Nguyễn Văn An {n}",
        "date_of_birth": "15/03/2004",
        "sex": "Nam",
        "place_of_birth": "Tiền Giang",
        "ethnicity": "Kinh",
        "student_number": f"SV{n:03d}",
    }
    values.update(overrides)
    return [values[c] for c in LEARNER_HEADER]


def learners_file(*rows) -> bytes:
    return xlsx(LEARNER_HEADER, rows)


def result(n=1, **overrides) -> list:
    values = {
        "citizen_id": citizen(n),
        "final_score": 3.2,
        "all_credits_completed": "có",
        "disciplined": "",
        "retaken": "không",
        "decision_number": "245/QĐ-CĐ",
        "decision_date": "30/06/2026",
    }
    values.update(overrides)
    return [values[c] for c in RESULT_HEADER]


def results_file(*rows) -> bytes:
    return xlsx(RESULT_HEADER, rows, sheet="results")


def run(content, user, cohort, kind="learners", **options):
    return importers.import_file(content, user=user, cohort=cohort, kind=kind, filename="file.xlsx", **options)


def rejected(content, cohort, kind="learners") -> list[tuple[int, str, str]]:
    with pytest.raises(importers.ImportRejected) as info:
        importers.check_file(content, cohort=cohort, kind=kind, filename="file.xlsx")
    return [(e.row, e.column, e.message) for e in info.value.errors]


def state(cohort) -> tuple:
    return (
        Learner.objects.count(),
        Learner.history.count(),
        sorted(
            Enrolment.objects.filter(cohort=cohort).values_list(
                "learner__citizen_id",
                "student_number",
                "final_score",
                "all_credits_completed",
                "disciplined",
                "retaken_modules",
                "graduated",
                "classification",
                "graduation_decision_number",
                "graduation_date",
            )
        ),
    )


def services_cost_of_learners(user, cohort, rows: int) -> int:
    """Queries of save_learner + enrol_learner for `rows` new learners, called directly (and rolled back)."""
    connection.queries_log.clear()  # the log keeps 9,000 queries: a longer one would be counted short
    with CaptureQueriesContext(connection) as queries, rolled_back():
        for n in range(rows):
            learner_ = services.save_learner(
                user=user,
                citizen_id=citizen(5000 + n),
                full_name=f"X {n}",
                date_of_birth=datetime.date(2004, 1, 1),
                sex="male",
                place_of_birth="Y",
            )
            services.enrol_learner(user=user, cohort=cohort, learner=learner_)
    assert len(queries) > rows  # counted in full
    return len(queries)


def services_cost_of_results(user, cohort, rows: int) -> int:
    """Queries of record_result + record_graduation for `rows` enrolments, called directly (and rolled back)."""
    enrolments = [enrol(cohort, 5000 + n) for n in range(rows)]
    connection.queries_log.clear()  # the log keeps 9,000 queries: a longer one would be counted short
    with CaptureQueriesContext(connection) as queries, rolled_back():
        for enrolment in enrolments:
            enrolment = services.record_result(
                user=user, enrolment=enrolment, final_score=Decimal("3.2"), all_credits_completed=True
            )
            services.record_graduation(
                user=user, enrolment=enrolment, decision_number="1/QĐ", decision_date=datetime.date(2026, 6, 30)
            )
    assert len(queries) > rows  # counted in full
    return len(queries)


@contextlib.contextmanager
def rolled_back():
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def enrol(cohort, n, **learner_fields) -> Enrolment:
    return factories.EnrolmentFactory(
        cohort=cohort,
        learner=factories.LearnerFactory(citizen_id=citizen(n), **learner_fields),
        final_score=None,
        all_credits_completed=False,
        classification="",
        graduated=False,
        graduation_decision_number="",
        graduation_date=None,
    )


# ------------------------------------------------------------------------------------------- learners


def test_import_learners_registers_and_enrols_every_row(world, cohort):
    other_cohort = factories.CohortFactory(curriculum_version=cohort.curriculum_version)
    known = factories.EnrolmentFactory(
        cohort=other_cohort,
        learner=factories.LearnerFactory(
            citizen_id=citizen(2), full_name="Nguyễn Văn An 2", date_of_birth=datetime.date(2004, 3, 15)
        ),
    ).learner
    summary = run(
        learners_file(learner(1), learner(2), learner(3, ethnicity="", student_number="")), world.staff_a, cohort
    )
    assert (summary.rows, summary.enrolled, summary.new_learners, summary.already_enrolled) == (3, 3, 2, 0)
    assert Learner.objects.count() == 3  # the learner another cohort registered is reused, not created twice
    first = Enrolment.objects.get(cohort=cohort, learner__citizen_id=citizen(1))
    assert (
        first.learner.full_name,
        first.learner.date_of_birth,
        first.learner.sex,
        first.learner.place_of_birth,
        first.student_number,
    ) == ("Nguyễn Văn An 1", datetime.date(2004, 3, 15), "male", "Tiền Giang", "SV001")
    assert Enrolment.objects.get(cohort=cohort, learner__citizen_id=citizen(2)).learner == known
    assert Learner.objects.get(citizen_id=citizen(3)).ethnicity == "Kinh"  # empty means Kinh


def test_import_learners_twice_changes_nothing(world, cohort):
    content = learners_file(learner(1), learner(2))
    run(content, world.staff_a, cohort)
    before = state(cohort)
    summary = run(content, world.staff_a, cohort)
    assert (summary.enrolled, summary.new_learners, summary.already_enrolled) == (0, 0, 2)
    assert state(cohort) == before
    assert "2 already enrolled" in summary.describe()


def test_import_learners_accepts_the_vietnamese_headers_and_ignores_numbering(world, cohort):
    header = ["STT", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi sinh", "Dân tộc", "Ghi chú"]
    content = xlsx(
        header,
        [
            [1, citizen(1), "Lê Thị Hoa", "01/02/2005", "Nữ", "Bến Tre", "Khmer", "chuyển lớp"],
            [2, None, None, None, None, None, None, None],
        ],
    )  # a numbered, empty line
    assert run(content, world.staff_a, cohort).enrolled == 1
    hoa = Learner.objects.get(citizen_id=citizen(1))
    assert (hoa.full_name, hoa.sex, hoa.ethnicity) == ("Lê Thị Hoa", "female", "Khmer")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (82204000001, "082204000001"),  # Excel made the ID a number and dropped one zero
        (1204000001, "001204000001"),  # … or two (province code 001)
        (82204000001.0, "082204000001"),
        ("082204000001", "082204000001"),
        (" 082 204 000 001 ", "082204000001"),
    ],
)
def test_import_learners_keeps_citizen_ids_as_text_with_their_leading_zeros(world, cohort, value, expected):
    run(learners_file(learner(1, citizen_id=value)), world.staff_a, cohort)
    assert list(Learner.objects.values_list("citizen_id", flat=True)) == [expected]


@pytest.mark.parametrize("value", [123456789, "82204000001", "0822040000012", "08220400000A", -82204000001, 1.5])
def test_check_file_refuses_what_is_not_a_citizen_id(cohort, value):
    [(row, column, message)] = rejected(learners_file(learner(1, citizen_id=value)), cohort)
    assert (row, column) == (2, "citizen_id") and "citizen ID" in message


@pytest.mark.parametrize(
    "value",
    [
        "05/09/2004",
        "5/9/2004",
        "05-09-2004",
        "05.09.2004",
        "2004-09-05",
        "2004-09-05 00:00:00",
        datetime.date(2004, 9, 5),
        datetime.datetime(2004, 9, 5),
    ],
)
def test_import_learners_reads_dates_day_first_iso_or_excel(world, cohort, value):
    run(learners_file(learner(1, date_of_birth=value)), world.staff_a, cohort)
    assert Learner.objects.get().date_of_birth == datetime.date(2004, 9, 5)


@pytest.mark.parametrize(
    ("value", "sex"),
    [
        ("Nam", "male"),
        ("nữ", "female"),
        ("Nu", "female"),
        ("male", "male"),
        ("Female", "female"),
        ("M", "male"),
        ("F", "female"),
    ],
)
def test_import_learners_reads_sex_in_vietnamese_and_english(world, cohort, value, sex):
    run(learners_file(learner(1, sex=value)), world.staff_a, cohort)
    assert Learner.objects.get().sex == sex


BAD_LEARNER_CELLS = [
    ({"citizen_id": ""}, "citizen_id", "required"),
    ({"full_name": "  "}, "full_name", "required"),
    ({"full_name": "A" * 121}, "full_name", "longer than 120 characters"),
    ({"date_of_birth": "31/02/2004"}, "date_of_birth", "is not a date"),
    ({"date_of_birth": "2004/09/05"}, "date_of_birth", "is not a date"),
    ({"date_of_birth": 38000}, "date_of_birth", "is not a date"),
    ({"date_of_birth": "01/01/2099"}, "date_of_birth", "is not a possible date of birth"),
    ({"date_of_birth": "01/01/1850"}, "date_of_birth", "is not a possible date of birth"),
    ({"sex": "khác"}, "sex", "is not a sex"),
    ({"place_of_birth": ""}, "place_of_birth", "required"),
    ({"ethnicity": "E" * 61}, "ethnicity", "longer than 60 characters"),
    ({"student_number": "S" * 41}, "student_number", "longer than 40 characters"),
]


@pytest.mark.parametrize(("overrides", "column", "message"), BAD_LEARNER_CELLS)
def test_import_learners_names_each_bad_cell_and_writes_nothing(world, cohort, overrides, column, message):
    content = learners_file(learner(1), learner(2), learner(3, **overrides))
    assert [(r, c) for r, c, _m in rejected(content, cohort)] == [(4, column)]
    assert message in rejected(content, cohort)[0][2]
    with pytest.raises(importers.ImportRejected):
        run(content, world.staff_a, cohort)
    assert Learner.objects.count() == 0 and not Enrolment.objects.exists()


def test_check_file_reports_every_problem_of_every_row_at_once(cohort):
    content = learners_file(learner(1, sex="?", date_of_birth="x"), learner(2), learner(1), learner(3, full_name=""))
    assert [(r, c) for r, c, _m in rejected(content, cohort)] == [
        (2, "date_of_birth"),
        (2, "sex"),
        (4, "citizen_id"),
        (5, "full_name"),
    ]
    assert "duplicate of row 2" in rejected(content, cohort)[2][2]


def test_check_file_counts_rows_as_excel_shows_them(cohort):
    # the headers on row 3 below two empty rows, and a blank line between the data rows
    book = openpyxl.Workbook()
    sheet = book.active
    for column, header in enumerate(LEARNER_HEADER, start=1):
        sheet.cell(3, column, header)
        sheet.cell(4, column, learner(1)[column - 1])
        sheet.cell(6, column, learner(2, sex="?")[column - 1])
    buffer = io.BytesIO()
    book.save(buffer)
    assert [(r, c) for r, c, _m in rejected(buffer.getvalue(), cohort)] == [(6, "sex")]


def test_check_file_names_the_column_as_the_file_spells_it(cohort):
    header = ["Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi sinh"]
    content = xlsx(header, [[citizen(1), "Lê Hoa", "1/2/2005", "không rõ", "Bến Tre"]])
    assert [(r, c) for r, c, _m in rejected(content, cohort)] == [(2, "Giới tính")]


def test_check_file_refuses_unknown_missing_repeated_and_unnamed_columns(cohort):
    header = ["citizen_id", "Họ tên", "full_name", "date_of_birth", "sex", "nickname", None]
    content = xlsx(header, [[citizen(1), "An", "An", "1/2/2005", "Nam", "Bi", "data"]])
    errors = rejected(content, cohort)
    assert [(r, c) for r, c, _m in errors] == [(1, "full_name"), (1, "nickname"), (1, "G"), (1, "place_of_birth")]
    assert "given twice" in errors[0][2] and "unknown column" in errors[1][2]
    assert "no header" in errors[2][2] and errors[3][2] == "required column is missing"


def test_check_file_refuses_files_that_are_not_workbooks_or_empty(cohort):
    assert rejected(b"not a workbook", cohort)[0][0] == 0
    with pytest.raises(importers.ImportRejected) as info:
        importers.check_file(b"a,b", cohort=cohort, kind="learners", filename="file.ods")
    assert "Unsupported file type .ods" in info.value.errors[0].message
    with pytest.raises(importers.ImportRejected) as info:  # a CSV file is read: its headers are not the template's
        importers.check_file(b"a,b", cohort=cohort, kind="learners", filename="file.csv")
    assert [(e.column, "unknown column" in e.message) for e in info.value.errors[:2]] == [("a", True), ("b", True)]
    assert "empty" in rejected(xlsx([], []), cohort)[0][2]
    assert rejected(learners_file(), cohort) == [(2, "-", "the file has no data rows")]


def test_import_learners_refuses_a_citizen_id_registered_under_another_name(world, cohort):
    factories.LearnerFactory(citizen_id=citizen(2), full_name="Trần Thị Bé", date_of_birth=datetime.date(2004, 3, 15))
    content = learners_file(learner(1), learner(2))
    [(row, column, message)] = rejected(content, cohort)
    assert (row, column) == (3, "citizen_id") and "another name or date of birth" in message
    assert "Trần Thị Bé" not in message  # another school's record is not shown
    before = state(cohort)
    with pytest.raises(importers.ImportRejected):
        run(content, world.staff_a, cohort)
    assert state(cohort) == before


def test_import_learners_writes_nothing_when_a_service_fails_on_the_last_row(world, cohort, monkeypatch):
    enrol_learner = services.enrol_learner

    def failing(*, learner, **kwargs):
        if learner.citizen_id == citizen(3):
            raise ValidationError({"student_number": "refused for the test"}, code="test")
        return enrol_learner(learner=learner, **kwargs)

    monkeypatch.setattr(services, "enrol_learner", failing)
    with pytest.raises(importers.ImportRejected) as info:
        run(learners_file(learner(1), learner(2), learner(3)), world.staff_a, cohort)
    assert [(e.row, e.column, e.message) for e in info.value.errors] == [(4, "student_number", "refused for the test")]
    assert Learner.objects.count() == 0 and not Enrolment.objects.exists()  # rows 2 and 3 were rolled back


def test_import_learners_into_an_unapproved_version_is_one_file_error(world, cohort):
    version = cohort.curriculum_version
    version.status = "draft"
    version.save()
    with pytest.raises(importers.ImportRejected) as info:
        run(learners_file(learner(1), learner(2)), world.staff_a, cohort)
    assert [(e.row, e.column) for e in info.value.errors] == [(0, "-")]
    assert Learner.objects.count() == 0


def test_check_file_refuses_too_many_rows(cohort, monkeypatch):
    monkeypatch.setattr(importers, "MAX_ROWS", 2)
    [(row, column, message)] = rejected(learners_file(learner(1), learner(2), learner(3)), cohort)
    assert (row, column) == (0, "-") and "more than 2 rows" in message


def test_import_learners_dry_run_writes_nothing_and_says_what_would_happen(world, cohort):
    run(learners_file(learner(1)), world.staff_a, cohort)
    before = state(cohort)
    summary = run(learners_file(learner(1), learner(2)), world.staff_a, cohort, dry_run=True)
    assert (summary.enrolled, summary.new_learners, summary.already_enrolled, summary.dry_run) == (1, 1, 1, True)
    assert state(cohort) == before
    assert "will be enrolled" in summary.describe()


@pytest.mark.parametrize("who", ["staff_b", "officer", "public"])
def test_import_file_refused_to_all_but_the_cohort_school(world, cohort, who):
    user = world.user(who) if who != "staff_b" else world.staff_b
    with pytest.raises(PermissionDenied):
        run(learners_file(learner(1)), user, cohort)
    assert Learner.objects.count() == 0


@pytest.mark.parametrize("who", ["staff", "head", "admin"])
def test_import_file_allowed_to_the_school_and_administrators(world, cohort, who):
    assert run(learners_file(learner(1)), world.user(who), cohort).enrolled == 1


def test_import_of_200_learners_looks_up_once_then_costs_only_the_services(
    world, cohort, django_assert_max_num_queries
):
    content = learners_file(*(learner(n) for n in range(200)))
    with django_assert_max_num_queries(CHECK_QUERIES):
        plan = importers.check_file(content, cohort=cohort, kind="learners", filename="file.xlsx")
    budget = services_cost_of_learners(world.staff_a, cohort, 200) + 5
    connection.queries_log.clear()
    with django_assert_max_num_queries(budget):
        assert importers.apply_plan(user=world.staff_a, plan=plan).enrolled == 200
    plan = importers.check_file(content, cohort=cohort, kind="learners", filename="file.xlsx")
    with django_assert_max_num_queries(5):  # all enrolled already: no service call at all
        assert importers.apply_plan(user=world.staff_a, plan=plan).already_enrolled == 200


# ------------------------------------------------------------------------------------------- results


def test_import_results_records_scores_flags_and_graduation(world, cohort, rules):
    for n in (1, 2, 3):
        enrol(cohort, n)
    content = results_file(
        result(1, final_score=3.6, disciplined="x"),
        result(2, final_score="2,75", all_credits_completed=True, retaken=1),
        result(3, final_score=1.5, all_credits_completed="không", decision_number="", decision_date=""),
    )
    summary = run(content, world.staff_a, cohort, kind="results")
    assert (summary.recorded, summary.graduated, summary.unchanged) == (3, 2, 0)
    by_id = {e.learner.citizen_id: e for e in Enrolment.objects.filter(cohort=cohort).select_related("learner")}
    one, two, three = by_id[citizen(1)], by_id[citizen(2)], by_id[citizen(3)]
    assert (one.final_score, one.disciplined, one.retaken_modules, one.graduated, one.classification) == (
        Decimal("3.60"),
        True,
        False,
        True,
        "very_good",
    )  # excellent, one step lower for discipline
    assert (one.graduation_decision_number, one.graduation_date) == ("245/QĐ-CĐ", datetime.date(2026, 6, 30))
    assert (two.final_score, two.retaken_modules, two.classification) == (Decimal("2.75"), True, "good")
    assert (three.final_score, three.all_credits_completed, three.graduated) == (Decimal("1.50"), False, False)


def test_import_results_twice_changes_nothing(world, cohort, rules):
    enrol(cohort, 1)
    enrol(cohort, 2)
    content = results_file(result(1), result(2, decision_number="", decision_date=""))
    run(content, world.staff_a, cohort, kind="results")
    before = (state(cohort), Enrolment.history.count())
    summary = run(content, world.staff_a, cohort, kind="results")
    assert (summary.recorded, summary.unchanged) == (0, 2)
    assert (state(cohort), Enrolment.history.count()) == before


@pytest.mark.parametrize(
    ("value", "yes"),
    [
        ("có", True),
        ("Có", True),
        ("x", True),
        ("X", True),
        (True, True),
        (1, True),
        ("true", True),
        ("yes", True),
        ("không", False),
        ("khong", False),
        ("", False),
        (False, False),
        (0, False),
        ("false", False),
        ("no", False),
    ],
)
def test_import_results_reads_yes_no_flags(world, cohort, value, yes):
    enrol(cohort, 1)
    run(
        results_file(result(1, disciplined=value, decision_number="", decision_date="")),
        world.staff_a,
        cohort,
        kind="results",
    )
    assert Enrolment.objects.get(cohort=cohort).disciplined is yes


@pytest.mark.parametrize(
    ("scale", "value", "ok"),
    [
        ("credit_4", 4, True),
        ("credit_4", "4.00", True),
        ("credit_4", 0, True),
        ("credit_4", 4.01, False),
        ("credit_4", 8.5, False),
        ("credit_4", -0.5, False),
        ("year_10", 8.5, True),
        ("year_10", "10", True),
        ("year_10", 10.5, False),
        ("year_10", "11", False),
    ],
)
def test_check_file_takes_the_score_range_from_the_cohort_scale(world, cohort, scale, value, ok):
    target = factories.CohortFactory(curriculum_version=cohort.curriculum_version, grading_scale=scale)
    enrol(target, 1)
    content = results_file(result(1, final_score=value, decision_number="", decision_date=""))
    if ok:
        assert importers.check_file(content, cohort=target, kind="results", filename="file.xlsx").rows
    else:
        [(row, column, message)] = rejected(content, target, kind="results")
        assert (row, column) == (2, "final_score")
        assert f"between 0 and {services.SCALE_MAX[scale]}" in message


BAD_RESULT_CELLS = [
    ({"final_score": ""}, "final_score", "required"),
    ({"final_score": "ba phẩy hai"}, "final_score", "is not a number"),
    ({"final_score": 3.255}, "final_score", "more than two decimals"),
    ({"all_credits_completed": "maybe"}, "all_credits_completed", "write yes or no"),
    ({"retaken": "2"}, "retaken", "write yes or no"),
    ({"decision_date": ""}, "decision_date", "date of the graduation decision"),
    ({"decision_number": ""}, "decision_number", "number of the graduation decision"),
    ({"decision_date": "30/13/2026"}, "decision_date", "is not a date"),
    ({"citizen_id": citizen(9)}, "citizen_id", "is not enrolled in cohort"),
]


@pytest.mark.parametrize(("overrides", "column", "message"), BAD_RESULT_CELLS)
def test_import_results_names_each_bad_cell_and_writes_nothing(world, cohort, rules, overrides, column, message):
    for n in (1, 2, 3):
        enrol(cohort, n)
    content = results_file(result(1), result(2), result(3, **overrides))
    [(row, col, text)] = rejected(content, cohort, kind="results")
    assert (row, col) == (4, column) and message in text
    before = state(cohort)
    with pytest.raises(importers.ImportRejected):
        run(content, world.staff_a, cohort, kind="results")
    assert state(cohort) == before


def test_import_results_refused_graduation_is_a_row_error_and_nothing_is_written(world, cohort, rules):
    for n in (1, 2):
        enrol(cohort, n)
    content = results_file(result(1), result(2, final_score=1.5))
    before = state(cohort)
    with pytest.raises(importers.ImportRejected) as info:
        run(content, world.staff_a, cohort, kind="results")
    [error] = info.value.errors
    assert (error.row, error.column) == (3, "final_score") and "below the graduation score" in error.message
    assert state(cohort) == before  # row 2 was recorded, then rolled back with the rest


def test_import_results_writes_nothing_when_a_service_fails_on_the_last_row(world, cohort, rules, monkeypatch):
    for n in (1, 2, 3):
        enrol(cohort, n)
    record_graduation = services.record_graduation

    def failing(*, enrolment, **kwargs):
        if enrolment.learner.citizen_id == citizen(3):
            raise RuntimeError("the database went away")
        return record_graduation(enrolment=enrolment, **kwargs)

    monkeypatch.setattr(services, "record_graduation", failing)
    before = state(cohort)
    with pytest.raises(RuntimeError):
        run(results_file(result(1), result(2), result(3)), world.staff_a, cohort, kind="results")
    assert state(cohort) == before


@pytest.mark.parametrize("decision", [{"decision_number": "", "decision_date": ""}, {}])
def test_import_results_of_a_graduate_changes_only_with_a_new_decision(world, cohort, rules, decision):
    enrol(cohort, 1)
    run(results_file(result(1, final_score=3.6)), world.staff_a, cohort, kind="results")
    [(row, column, message)] = rejected(results_file(result(1, final_score=3.1, **decision)), cohort, kind="results")
    assert (row, column) == (2, "decision_number") and "245/QĐ-CĐ" in message
    # with a new decision, the result changes and the classification follows it
    run(results_file(result(1, final_score=3.1, decision_number="300/QĐ-CĐ")), world.staff_a, cohort, kind="results")
    graduate = Enrolment.objects.get(cohort=cohort)
    assert (graduate.final_score, graduate.classification, graduate.graduation_decision_number) == (
        Decimal("3.10"),
        "very_good",
        "300/QĐ-CĐ",
    )


def test_import_results_refused_to_another_school(world, cohort):
    enrol(cohort, 1)
    with pytest.raises(PermissionDenied):
        run(results_file(result(1)), world.staff_b, cohort, kind="results")


def test_import_of_200_results_looks_up_once_then_costs_only_the_services(
    world, cohort, rules, django_assert_max_num_queries
):
    for n in range(200):
        enrol(cohort, n)
    content = results_file(*(result(n, final_score=2 + n % 20 / 10) for n in range(200)))
    with django_assert_max_num_queries(CHECK_QUERIES):
        plan = importers.check_file(content, cohort=cohort, kind="results", filename="file.xlsx")
    budget = services_cost_of_results(world.staff_a, cohort, 200) + 5
    connection.queries_log.clear()
    with django_assert_max_num_queries(budget):
        assert importers.apply_plan(user=world.staff_a, plan=plan).graduated == 200


# ------------------------------------------------------------------------------------------- template


@pytest.mark.parametrize("kind", importers.KINDS)
def test_template_xlsx_has_the_headers_and_instructions(kind):
    book = openpyxl.load_workbook(io.BytesIO(importers.template_xlsx(kind)))
    assert book.sheetnames == [kind, "Instructions"]
    assert [c.value for c in book[kind][1]] == list(importers.COLUMNS[kind])
    guide = [[c.value for c in row] for row in book["Instructions"].iter_rows()]
    described = {row[0]: row for row in guide if row and row[0] in importers.COLUMNS[kind]}
    assert set(described) == set(importers.COLUMNS[kind])
    assert all(row[3] for row in described.values())  # every column has its meaning
    assert described["citizen_id"][1] == importers.HEADERS_VI["citizen_id"][0]
    assert book[kind]["A2"].number_format == "@"  # citizen IDs typed in stay text


def test_template_filled_in_imports(world, cohort):
    book = openpyxl.load_workbook(io.BytesIO(importers.template_xlsx("learners")))
    book["learners"].append(learner(1, citizen_id="001204000001"))
    buffer = io.BytesIO()
    book.save(buffer)
    assert run(buffer.getvalue(), world.staff_a, cohort).enrolled == 1
    assert Learner.objects.get().citizen_id == "001204000001"


# ------------------------------------------------------------------------------------------- commands


def write(tmp_path, content: bytes, name="learners.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_import_learners_command_imports_and_reports(world, cohort, tmp_path, capsys):
    path = write(tmp_path, learners_file(learner(1), learner(2)))
    call_command("import_learners", path, cohort=cohort.pk, user="staff_a")
    assert "2 learners enrolled" in capsys.readouterr().out
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_import_learners_command_dry_run_writes_nothing(world, cohort, tmp_path, capsys):
    call_command(
        "import_learners", write(tmp_path, learners_file(learner(1))), cohort=cohort.pk, user="staff_a", dry_run=True
    )
    assert "Dry run" in capsys.readouterr().out
    assert Learner.objects.count() == 0


def test_import_results_command_prints_the_row_report_and_fails(world, cohort, rules, tmp_path, capsys):
    enrol(cohort, 1)
    path = write(tmp_path, results_file(result(1, final_score=9)), "results.xlsx")
    with pytest.raises(CommandError) as info:
        call_command("import_results", path, cohort=cohort.pk, user="staff_a")
    assert info.value.returncode == 1
    assert "row 2, column final_score" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cohort", "999999", "--user", "staff_a"], "No cohort"),
        (["--user", "nobody"], "No user"),
        (["--user", "staff_b"], "rejected"),
    ],
)
def test_import_learners_command_refuses_bad_arguments(world, cohort, tmp_path, arguments, message):
    options = ["--cohort", str(cohort.pk), *arguments]
    with pytest.raises(CommandError, match=message):
        call_command("import_learners", write(tmp_path, learners_file(learner(1))), *options)
    assert Learner.objects.count() == 0


def test_import_commands_exit_status(world, cohort, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # run_from_argv closes them; the test needs its own
    good = write(tmp_path, learners_file(learner(1)))
    bad = write(tmp_path, learners_file(learner(2, sex="?")), "bad.xlsx")
    argv = ["manage.py", "import_learners", "--cohort", str(cohort.pk), "--user", "staff_a"]
    ImportLearnersCommand().run_from_argv([*argv, good])  # returns: exit status 0
    with pytest.raises(SystemExit) as info:
        ImportLearnersCommand().run_from_argv([*argv, bad])
    assert info.value.code == 1
    assert "row 2, column sex" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        ImportLearnersCommand().run_from_argv([*argv, str(tmp_path / "missing.xlsx")])
    assert info.value.code == 1


# ------------------------------------------------------------------------------------------- admin


def upload(client, cohort, content: bytes, kind="learners", name="learners.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("certificates_import_upload", args=(cohort.pk, kind)), {"file": file})


def confirm(client, cohort, token, kind="learners"):
    return client.post(reverse("certificates_import_confirm", args=(cohort.pk, kind)), {"token": token})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def preview_files() -> set[Path]:
    """The previews kept between upload and confirm (the temporary private storage is shared by the tests)."""
    root = Path(private_storage().location) / imports_admin.UPLOAD_DIR
    return {p for p in root.rglob("*") if p.is_file()}


def test_admin_upload_preview_confirm(client, world, cohort):
    before = preview_files()
    client.force_login(world.staff_a)
    page = client.get(reverse("certificates_import_upload", args=(cohort.pk, "learners")))
    assert page.status_code == 200 and b'id="import-upload"' in page.content and b"citizen_id" in page.content
    preview = upload(client, cohort, learners_file(learner(1), learner(2)))
    assert preview.status_code == 200
    assert preview.context["summary"].enrolled == 2 and b"Confirm import" in preview.content
    assert Learner.objects.count() == 0  # the preview writes nothing
    done = confirm(client, cohort, preview.context["token"])
    assert done.status_code == 302 and done["Location"] == reverse("certificates_imports")
    assert any("2 learners enrolled" in m for m in messages_of(done))
    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    assert preview_files() == before  # the previewed file is removed once read
    again = confirm(client, cohort, preview.context["token"])  # a token serves once
    assert again.status_code == 302 and any("imported already" in m for m in messages_of(again))


def test_admin_preview_lists_every_error_by_row_and_column(client, world, cohort):
    before = preview_files()
    client.force_login(world.staff_a)
    response = upload(client, cohort, learners_file(learner(1), learner(2, date_of_birth="31/02/2004", sex="?")))
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "date_of_birth"), (3, "sex")]
    content = response.content.decode()
    assert 'id="import-errors"' in content and "2 errors" in content and "Confirm import" not in content
    assert Learner.objects.count() == 0 and preview_files() == before  # a rejected file is not kept


def test_admin_results_flow_reports_service_refusals_in_the_preview(client, world, cohort, rules):
    enrol(cohort, 1)
    client.force_login(world.staff_a)
    response = upload(client, cohort, results_file(result(1, final_score=1.2)), kind="results", name="results.xlsx")
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "final_score")]
    preview = upload(client, cohort, results_file(result(1)), kind="results", name="results.xlsx")
    assert preview.context["summary"].graduated == 1
    assert confirm(client, cohort, preview.context["token"], kind="results").status_code == 302
    assert Enrolment.objects.get(cohort=cohort).graduated


def test_admin_upload_refuses_other_files(client, world, cohort):
    client.force_login(world.staff_a)
    response = upload(client, cohort, b"a,b\n1,2\n", name="learners.csv")
    assert response.status_code == 400 and response.context["form"].errors["file"]


def test_admin_confirm_of_someone_elses_file_is_refused(client, world, cohort):
    colleague = factories.UserFactory(username="staff_a_colleague")
    vet_services.grant_role(user=colleague, role=vet_choices.Role.SCHOOL_STAFF, institution=world.school_a)
    client.force_login(world.staff_a)
    token = upload(client, cohort, learners_file(learner(1))).context["token"]
    client.force_login(colleague)
    assert confirm(client, cohort, token).status_code == 403
    client.force_login(world.staff_b)
    assert confirm(client, cohort, token).status_code == 403
    assert Learner.objects.count() == 0
    client.force_login(world.staff_a)
    assert confirm(client, cohort, token).status_code == 302  # still there for its owner
    assert Learner.objects.count() == 1


def test_admin_confirm_after_the_token_expired_is_refused(client, world, cohort, monkeypatch):
    client.force_login(world.staff_a)
    token = upload(client, cohort, learners_file(learner(1))).context["token"]
    monkeypatch.setattr(imports_admin, "TOKEN_MAX_AGE", -1)
    response = confirm(client, cohort, token)
    assert response.status_code == 302 and any("expired" in m for m in messages_of(response))
    assert Learner.objects.count() == 0


def test_admin_upload_removes_the_users_expired_previews(client, world, cohort):
    before = preview_files()
    client.force_login(world.staff_a)
    upload(client, cohort, learners_file(learner(1)))
    [stale] = preview_files() - before
    old = time.time() - imports_admin.TOKEN_MAX_AGE - 60
    os.utime(stale, (old, old))
    upload(client, cohort, learners_file(learner(2)))
    assert not stale.exists()


def test_admin_confirm_refuses_an_altered_or_misdirected_token(client, world, cohort):
    client.force_login(world.staff_a)
    token = upload(client, cohort, learners_file(learner(1))).context["token"]
    response = confirm(client, cohort, token[:-2] + "xx")
    assert response.status_code == 302 and any("expired" in m for m in messages_of(response))
    response = confirm(client, cohort, token, kind="results")
    assert response.status_code == 302 and any("another cohort or kind" in m for m in messages_of(response))
    assert Learner.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"), [("staff_a", 200), ("head_a", 200), ("admin", 200), ("staff_b", 403), ("officer_a", 403)]
)
def test_admin_import_pages_only_for_the_cohort_school(client, world, cohort, who, status):
    client.force_login(getattr(world, who))
    for kind in importers.KINDS:
        assert client.get(reverse("certificates_import_upload", args=(cohort.pk, kind))).status_code == status
        response = upload(
            client, cohort, learners_file(learner(1)) if kind == "learners" else results_file(result(1)), kind=kind
        )
        assert response.status_code in ((200, 400) if status == 200 else (403,))
    assert Learner.objects.count() == 0


def test_admin_index_lists_the_cohorts_of_ones_own_school(client, world, cohort):
    other = factories.CohortFactory(
        code="OTHER-K1",
        curriculum_version=factories.CurriculumVersionFactory(
            curriculum=factories.CurriculumFactory(institution=world.school_b),
            status="approved",
            approved_on=datetime.date(2025, 6, 1),
        ),
    )
    client.force_login(world.staff_a)
    response = client.get(reverse("certificates_imports"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [cohort.pk]
    assert reverse("certificates_import_upload", args=(cohort.pk, "results")) in response.content.decode()
    client.force_login(world.admin)
    listed = [c.pk for c in client.get(reverse("certificates_imports"), {"q": "OTHER"}).context["page"]]
    assert listed == [other.pk]
    client.force_login(world.officer_a)
    assert client.get(reverse("certificates_imports")).status_code == 403


def test_admin_template_download(client, world):
    client.force_login(world.staff_a)
    response = client.get(reverse("certificates_import_template", args=("results",)))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["results"][1]] == RESULT_HEADER
    assert client.get(reverse("certificates_import_template", args=("other",))).status_code == 404


def test_menu_item_is_registered_for_the_certificates_submenu(rf, world):
    [item] = [
        fn()
        for fn in hooks.get_hooks("register_certificates_menu_item")
        if fn.__module__ == "certificates.admin_views.imports"
    ]
    assert item.url == reverse("certificates_imports")
    for user, shown in ((world.staff_a, True), (world.admin, True), (world.officer_a, False)):
        request = rf.get("/")
        request.user = user
        assert item.is_shown(request) is shown


def test_admin_import_of_200_rows_preview_is_bounded(client, world, cohort, django_assert_max_num_queries):
    client.force_login(world.staff_a)
    content = learners_file(*(learner(n) for n in range(200)))
    budget = services_cost_of_learners(world.staff_a, cohort, 200) + 30
    connection.queries_log.clear()
    with django_assert_max_num_queries(budget):
        assert upload(client, cohort, content).status_code == 200
