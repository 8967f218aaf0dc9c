"""The provincial authority's reports in the Wagtail admin: curricula due for review, curriculum validation."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from curricula import services
from curricula.choices import VersionStatus
from curricula.loaders import load_curriculum_rules
from curricula.models import CurriculumVersion
from tests import factories

from .test_services import draft

ROLES = ("admin", "officer_a", "officer_b", "staff_a", "staff_b", "head_a")
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def approved(institution, *, next_review_on: datetime.date, number: str) -> CurriculumVersion:
    version = factories.CurriculumVersionFactory(
        curriculum=factories.CurriculumFactory(institution=institution), decision_number=number)
    CurriculumVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.APPROVED, approved_on=next_review_on - datetime.timedelta(days=3 * 365),
        next_review_on=next_review_on)
    version.refresh_from_db()
    return version


@pytest.fixture
def reviews(world):
    days = datetime.timedelta
    return {
        "a_overdue": approved(world.school_a, next_review_on=TODAY - days(40), number="1/QĐ-A"),
        "a_due_soon": approved(world.school_a, next_review_on=TODAY + days(20), number="2/QĐ-A"),
        "a_later": approved(world.school_a, next_review_on=TODAY + days(400), number="3/QĐ-A"),
        "a2_overdue": approved(world.school_a2, next_review_on=TODAY - days(400), number="4/QĐ-A2"),
        "b_overdue": approved(world.school_b, next_review_on=TODAY - days(10), number="5/QĐ-B"),
    }


def listed(response) -> set[str]:
    return {v.decision_number for v in response.context["object_list"]}


REVIEW_URL = "curricula_review_report"
VALIDATION_URL = "curricula_validation_report"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [REVIEW_URL, f"{REVIEW_URL}_results", VALIDATION_URL,
                                  f"{VALIDATION_URL}_results"])
def test_report_screens_open_for_every_role(client, world, role, name):
    client.force_login(getattr(world, role))
    assert client.get(reverse(name)).status_code == 200


def test_report_screens_refuse_a_user_without_role(client, world):
    nobody = factories.UserFactory(username="nobody")
    client.force_login(nobody)
    response = client.get(reverse(REVIEW_URL))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))


def test_reports_menu_lists_both_reports(client, world):
    client.force_login(world.officer_a)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Curricula due for review" in html and "Curriculum validation" in html


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"1/QĐ-A", "4/QĐ-A2", "5/QĐ-B"}),
    ("officer_a", {"1/QĐ-A", "4/QĐ-A2"}),
    ("officer_b", {"5/QĐ-B"}),
    ("staff_a", {"1/QĐ-A"}),
    ("head_a", {"1/QĐ-A"}),
    ("staff_b", {"5/QĐ-B"}),
])
def test_review_report_lists_overdue_versions_of_the_jurisdiction(client, world, reviews, role, expected):
    client.force_login(getattr(world, role))
    assert listed(client.get(reverse(REVIEW_URL))) == expected


def test_review_report_toggle_adds_versions_due_soon(client, world, reviews):
    client.force_login(world.officer_a)

    response = client.get(reverse(REVIEW_URL) + "?due_within=30")

    assert listed(response) == {"1/QĐ-A", "2/QĐ-A", "4/QĐ-A2"}
    days = {v.decision_number: v.days_overdue for v in response.context["object_list"]}
    assert days == {"1/QĐ-A": 40, "2/QĐ-A": -20, "4/QĐ-A2": 400}


def test_review_report_counts_per_school_and_filters(client, world, reviews):
    client.force_login(world.officer_a)

    response = client.get(reverse(REVIEW_URL))
    by_institution = client.get(reverse(REVIEW_URL) + f"?institution={world.school_a2.pk}")
    other_province = client.get(reverse(REVIEW_URL) + f"?province={world.province_b.pk}")

    counts = {(r["curriculum__institution__name_vi"], r["count"]) for r in response.context["per_school"]}
    assert counts == {(world.school_a.name_vi, 1), (world.school_a2.name_vi, 1)}
    assert 'id="review-per-school"' in response.content.decode()
    assert listed(by_institution) == {"4/QĐ-A2"}
    # Another province is not offered to an officer: the filter is invalid and lists nothing of it.
    assert "5/QĐ-B" not in listed(other_province)
    assert world.province_b not in response.context["filters"].form.fields["province"].queryset


def test_review_report_shows_columns_of_a_row(client, world, reviews):
    client.force_login(world.officer_b)

    html = client.get(reverse(REVIEW_URL)).content.decode()

    version = reviews["b_overdue"]
    for text in (world.school_b.name_vi, str(world.province_b), str(version.curriculum.occupation),
                 "5/QĐ-B", "Days overdue"):
        assert text in html


def test_review_report_xlsx_export_downloads_the_rows(client, world, reviews):
    client.force_login(world.officer_a)

    response = client.get(reverse(REVIEW_URL) + "?export=xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="curricula-due-for-review-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                     if response.streaming else response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "School" and rows[0][-1] == "Days overdue"
    assert {(r[4], r[-1]) for r in rows[1:]} == {("1/QĐ-A", 40), ("4/QĐ-A2", 400)}


def test_review_report_csv_export_downloads(client, world, reviews):
    client.force_login(world.staff_b)

    response = client.get(reverse(REVIEW_URL) + "?export=csv")

    content = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert response.status_code == 200
    assert "5/QĐ-B" in content and "1/QĐ-A" not in content


def test_review_report_queries_are_bounded(client, world, django_assert_max_num_queries):
    for i in range(30):
        approved(world.school_a if i % 2 else world.school_a2, next_review_on=TODAY - datetime.timedelta(days=i + 1),
                 number=f"{i}/QĐ")
    client.force_login(world.officer_a)
    client.get(reverse(REVIEW_URL))

    with django_assert_max_num_queries(20):
        response = client.get(reverse(REVIEW_URL))

    assert len(response.context["object_list"]) == 30


# ----------------------------------------------------------------------------------------------- validation


@pytest.fixture
def programs(world):
    """school_a: an approved passing version and a newer failing draft, an older superseded one;
    school_a2 and school_b: a failing draft each."""
    load_curriculum_rules()
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    curriculum = factories.CurriculumFactory(institution=world.school_a, occupation=occupation, level="college")
    old = draft(curriculum, user=world.staff_a, number="1/QĐ-OLD")
    services.submit_curriculum_version(user=world.staff_a, version=old)
    services.approve_curriculum_version(user=world.head_a, version=old, on=datetime.date(2025, 6, 2))
    current = draft(curriculum, user=world.staff_a, number="2/QĐ-OK")
    services.submit_curriculum_version(user=world.staff_a, version=current)
    services.approve_curriculum_version(user=world.head_a, version=current, on=datetime.date(2025, 7, 2))
    draft(curriculum, user=world.staff_a, number="3/QĐ-FAIL", skip=("MH01",))
    other = factories.CurriculumFactory(institution=world.school_a2, occupation=occupation, level="college")
    staff_a2 = factories.UserFactory(username="staff_a2")
    from vet import choices as vet_choices
    from vet import services as vet_services

    vet_services.grant_role(user=staff_a2, role=vet_choices.Role.SCHOOL_STAFF, institution=world.school_a2)
    draft(other, user=staff_a2, number="4/QĐ-A2", skip=("MH02",))
    far = factories.CurriculumFactory(institution=world.school_b, occupation=occupation, level="college")
    draft(far, user=world.staff_b, number="5/QĐ-B", skip=("MH01",))


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"2/QĐ-OK", "3/QĐ-FAIL", "4/QĐ-A2", "5/QĐ-B"}),
    ("officer_a", {"2/QĐ-OK", "3/QĐ-FAIL", "4/QĐ-A2"}),
    ("officer_b", {"5/QĐ-B"}),
    ("staff_a", {"2/QĐ-OK", "3/QĐ-FAIL"}),
    ("head_a", {"2/QĐ-OK", "3/QĐ-FAIL"}),
    ("staff_b", {"5/QĐ-B"}),
])
def test_validation_report_lists_current_versions_of_the_jurisdiction(client, world, programs, role, expected):
    client.force_login(getattr(world, role))
    assert listed(client.get(reverse(VALIDATION_URL))) == expected


def test_validation_report_results_equal_validate_versions(client, world, programs):
    client.force_login(world.officer_a)

    response = client.get(reverse(VALIDATION_URL))

    rows = response.context["object_list"]
    reports = services.validate_versions(CurriculumVersion.objects.filter(pk__in=[v.pk for v in rows]))
    for version in rows:
        report = reports[version.pk]
        assert (version.failure_count, version.warning_count) == (len(report.failures), len(report.warnings))
        assert version.result == ("Passes" if report.passed else "Fails")
    assert {v.decision_number: v.result for v in rows} == {"2/QĐ-OK": "Passes", "3/QĐ-FAIL": "Fails",
                                                          "4/QĐ-A2": "Fails"}


def test_validation_report_failing_only_of_the_officers_province(client, world, programs):
    client.force_login(world.officer_a)

    response = client.get(reverse(VALIDATION_URL) + "?failing=1")

    assert listed(response) == {"3/QĐ-FAIL", "4/QĐ-A2"}
    assert all(v.failure_count > 0 for v in response.context["object_list"])


def test_validation_report_status_filter_shows_superseded(client, world, programs):
    client.force_login(world.staff_a)

    assert listed(client.get(reverse(VALIDATION_URL) + "?status=superseded")) == {"1/QĐ-OLD"}
    assert listed(client.get(reverse(VALIDATION_URL) + "?status=draft")) == {"3/QĐ-FAIL"}


def test_validation_report_links_each_row_to_the_version(client, world, programs):
    client.force_login(world.officer_a)
    version = CurriculumVersion.objects.get(decision_number="4/QĐ-A2")

    html = client.get(reverse(VALIDATION_URL)).content.decode()

    assert f'href="{reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(version.pk,))}"' in html


def test_validation_report_xlsx_export_downloads(client, world, programs):
    client.force_login(world.officer_a)

    response = client.get(reverse(VALIDATION_URL) + "?export=xlsx&failing=1")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                     if response.streaming else response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-4:] == ("Status", "Result", "Failures", "Warnings")
    assert {(r[4], r[-3]) for r in rows[1:]} == {("3/QĐ-FAIL", "Fails"), ("4/QĐ-A2", "Fails")}


def test_validation_report_queries_are_bounded(client, world, django_assert_max_num_queries):
    load_curriculum_rules()
    for i in range(30):
        version = factories.CurriculumVersionFactory(
            curriculum=factories.CurriculumFactory(institution=world.school_a if i % 2 else world.school_a2))
        for j in range(3):
            factories.CurriculumComponentFactory(version=version, code=f"M{j}")
    client.force_login(world.officer_a)
    client.get(reverse(VALIDATION_URL))

    with django_assert_max_num_queries(20):
        response = client.get(reverse(VALIDATION_URL))
    with django_assert_max_num_queries(20):
        failing = client.get(reverse(VALIDATION_URL) + "?failing=1")

    assert len(response.context["object_list"]) == 30
    assert all(v.report is not None for v in response.context["object_list"])
    assert len(failing.context["object_list"]) == 30  # three modules fall short of every minimum
