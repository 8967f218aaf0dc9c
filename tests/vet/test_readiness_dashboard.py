"""The province readiness dashboard: the matrix schools × key occupations (content, filters, a query count that does
not grow with the schools), who may see it (officers their jurisdiction, administrators any province, school staff
only their own school's page), one designation's indicators, one school's chart, and the XLSX/PDF exports.

Most tests replace `vet.tier_readiness.designation_readiness` by a fake returning hand-made readiness results, so
that what is tested here is the arrangement, not the computation (tested in test_tier_readiness.py)."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from tests.conftest import client_for
from vet import choices, dashboard, tier_readiness, tiers
from vet.models import ActionItem, Evidence, ExternalAssessment, ExternalRating, SelfAssessment, SelfAssessmentRating

pytestmark = pytest.mark.django_db

API = "/api/v1/readiness-dashboard/"
PROFILE = tiers.ProfileFacts(
    code="NAT-2021", tier="national",
    indicators=(
        tiers.IndicatorRule("employment_6m", Decimal(90), label="Employment within 6 months", confirmed=True,
                            source="761/QĐ-TTg"),
        tiers.IndicatorRule("equipment", Decimal(100), label="Equipment list", source="[U] no published list"),
    ),
)


def readiness(employment, equipment, due=()):
    return tiers.evaluate(PROFILE, {"employment_6m": employment, "equipment": equipment}, due)


@pytest.fixture
def fake(monkeypatch):
    """designation pk → readiness; designations not listed have no profile (None)."""
    results: dict[int, tiers.Readiness | None] = {}

    def designation_readiness(designations, on=None):
        return {pk: results.get(pk) for pk in designations.values_list("pk", flat=True)}

    monkeypatch.setattr(tier_readiness, "designation_readiness", designation_readiness)
    return results


@pytest.fixture
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def data(world, fake):
    """Province A: school_a with an electrician (college, national: ready; ASEAN: not yet) and a welder
    (intermediate: no profile); school_a2 with the electrician (close, with an open action item). Province B:
    school_b with the electrician (ready). A 2016–2020 designation of school_a that the matrix must ignore."""
    electric = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp", name_en="Industrial electrics")
    welding = factories.OccupationFactory(code="5520123", name_vi="Hàn", name_en="Welding")
    d = {
        "a_el": factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=electric),
        "a_el_asean": factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=electric,
                                                                tier=choices.Tier.ASEAN),
        "a_weld": factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=welding),
        "a2_el": factories.KeyOccupationDesignationFactory(institution=world.school_a2, occupation=electric),
        "b_el": factories.KeyOccupationDesignationFactory(institution=world.school_b, occupation=electric),
        "old": factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=welding,
                                                         period_start=2016, period_end=2020, in_scope=False),
    }
    due = datetime.date(2027, 6, 30)
    ActionItem.objects.create(institution=world.school_a2, designation=d["a2_el"], title="Buy the missing lathes",
                              owner="Khoa Điện", due_date=due)
    fake[d["a_el"].pk] = readiness(95, 100)
    fake[d["a_el_asean"].pk] = readiness(40, 20)
    fake[d["a2_el"].pk] = readiness(85, 80, [due])
    fake[d["b_el"].pk] = readiness(95, 100)
    d["electric"], d["welding"], d["due"] = electric, welding, due
    return d


# ------------------------------------------------------------------------------------------------- the matrix


def test_build_matrix_rows_columns_cells_and_counts(world, data, english):
    matrix = dashboard.build_matrix(world.province_a)
    assert [r.institution for r in matrix.rows] == sorted([world.school_a, world.school_a2], key=lambda i: i.name_vi)
    assert [(c.occupation.code, c.level) for c in matrix.columns] == [
        ("5520123", choices.Level.INTERMEDIATE), ("6520227", choices.Level.COLLEGE)]
    cells = {r.institution.pk: r.cells for r in matrix.rows}
    weld, electric = cells[world.school_a.pk]
    assert [e.status for e in weld] == [dashboard.NO_PROFILE]  # the 2016–2020 designation is not shown
    assert [(e.designation.tier, e.status) for e in electric] == [("asean", tiers.NOT_YET), ("national", tiers.READY)]
    a2_weld, a2_electric = cells[world.school_a2.pk]
    assert a2_weld == []
    assert a2_electric[0].status == tiers.CLOSE and a2_electric[0].weighted_gap == Decimal("12.78")
    assert matrix.counts == {tiers.READY: 1, tiers.CLOSE: 1, tiers.NOT_YET: 1, dashboard.NO_PROFILE: 1}
    summary = a2_electric[0].summary
    assert "Missing: Equipment list (80 of 100)" in summary and "Projected: 2027-06-30" in summary


def test_build_matrix_includes_the_schools_of_merged_provinces(world, data):
    merged = factories.ProvinceFactory(successor=world.province_a, valid_to=datetime.date(2025, 6, 30))
    school = factories.InstitutionFactory(province=merged)
    factories.KeyOccupationDesignationFactory(institution=school, occupation=data["electric"])
    assert school in [r.institution for r in dashboard.build_matrix(world.province_a).rows]
    assert merged not in dashboard.dashboard_provinces(world.admin)  # only current provinces are offered


def test_build_matrix_filters_by_tier_and_occupation(world, data):
    asean = dashboard.build_matrix(world.province_a, tier=choices.Tier.ASEAN)
    assert [e.designation for e in asean.entries] == [data["a_el_asean"]]
    welding = dashboard.build_matrix(world.province_a, occupation=data["welding"])
    assert [e.designation for e in welding.entries] == [data["a_weld"]]
    assert [c.occupation for c in welding.columns] == [data["welding"]]


def _province_with_schools(n: int):
    province = factories.ProvinceFactory()
    occupations = [factories.OccupationFactory() for _ in range(3)]
    for _ in range(n):
        school = factories.InstitutionFactory(province=province)
        for occupation in occupations:
            factories.KeyOccupationDesignationFactory(institution=school, occupation=occupation)
    return province


def test_build_matrix_query_count_does_not_grow_with_schools(db, django_assert_num_queries):
    """With the real readiness computation: 2 schools and 8 schools cost the same number of queries."""
    small, large = _province_with_schools(2), _province_with_schools(8)
    dashboard.build_matrix(small)  # warm the caches (content types, …) that a first call fills
    with CaptureQueriesContext(connection) as small_queries:
        matrix = dashboard.build_matrix(small)
        assert len(matrix.rows) == 2 and len(matrix.entries) == 6
    with django_assert_num_queries(len(small_queries)):
        matrix = dashboard.build_matrix(large)
        assert len(matrix.rows) == 8 and len(matrix.entries) == 24


# ------------------------------------------------------------------------------------------- who sees what


def test_dashboard_provinces_by_role(world):
    assert list(dashboard.dashboard_provinces(world.officer_a)) == [world.province_a]
    assert set(dashboard.dashboard_provinces(world.admin)) >= {world.province_a, world.province_b}
    assert not dashboard.dashboard_provinces(world.staff_a).exists()


@pytest.mark.parametrize("role, status", [("admin", 200), ("officer", 200), ("staff", 403), ("head", 403)])
def test_matrix_page_by_role(client, world, data, _english, role, status):
    client.force_login(world.user(role))
    response = client.get(reverse("vet_readiness_matrix"), {"province": world.province_a.pk})
    assert response.status_code == status


def test_matrix_page_shows_cells_with_text_labels_legend_and_tooltips(client, world, data, _english):
    client.force_login(world.officer_a)
    response = client.get(reverse("vet_readiness_matrix"))  # the officer's own province by default
    assert response.status_code == 200
    html = response.content.decode()
    assert world.school_a.name_en in html and world.school_a2.name_en in html
    assert world.school_b.name_en not in html
    assert "6520227 Industrial electrics" in html and "College" in html
    for label in ("Ready", "Close", "Not yet", "No profile"):
        assert label in html
    assert 'class="rd-cell rd-close"' in html and "gap 12.78 %" in html
    assert "Missing: Equipment list (80 of 100)" in html  # in the title attribute
    assert reverse("vet_readiness_designation", args=(data["a2_el"].pk,)) in html
    assert "matrix.xlsx?province=" in html


def test_matrix_page_refuses_another_province(client, world, data, _english):
    client.force_login(world.officer_b)
    response = client.get(reverse("vet_readiness_matrix"), {"province": world.province_a.pk})
    assert response.status_code == 403
    response = client.get(reverse("vet_readiness_matrix_xlsx"), {"province": world.province_a.pk})
    assert response.status_code == 403


def test_matrix_page_filters_from_the_url(client, world, data, _english):
    client.force_login(world.admin)
    response = client.get(reverse("vet_readiness_matrix"),
                          {"province": world.province_a.pk, "tier": "asean", "occupation": data["electric"].pk})
    html = response.content.decode()
    assert "Not yet" in html and 'class="rd-cell rd-ready"' not in html
    assert f"occupation={data['electric'].pk}" in html and "tier=asean" in html  # export links keep the filters


@pytest.mark.parametrize("role, status", [("admin", 200), ("officer", 200), ("staff", 200)])
def test_designation_page_by_role(client, world, data, _english, role, status):
    client.force_login(world.user(role))
    assert client.get(reverse("vet_readiness_designation", args=(data["a_el"].pk,))).status_code == status


def test_designation_page_refuses_outsiders(client, world, data, _english):
    for user in (world.officer_b, world.staff_b):
        client.force_login(user)
        assert client.get(reverse("vet_readiness_designation", args=(data["a_el"].pk,))).status_code == 403


def test_designation_page_lists_indicators_missing_pieces_and_action_items(client, world, data, _english):
    client.force_login(world.officer_a)
    html = client.get(reverse("vet_readiness_designation", args=(data["a2_el"].pk,))).content.decode()
    assert "Employment within 6 months" in html and "761/QĐ-TTg" in html
    assert "[U] no published list" in html and "(unconfirmed)" in html
    assert "Missing pieces" in html and "Equipment list: 80 / 100" in html
    assert "Buy the missing lathes" in html and "30/06/2027" in html


def test_designation_page_without_profile_says_so(client, world, data, _english):
    client.force_login(world.officer_a)
    html = client.get(reverse("vet_readiness_designation", args=(data["a_weld"].pk,))).content.decode()
    assert "No readiness profile of this tier is in force" in html


# ------------------------------------------------------------------------------------------------ the school


@pytest.fixture
def assessed(world, data):
    """school_a's 2025 self-assessment (criterion 1: 1.1 met with evidence, 1.2 not met; criterion 2: 2.1 met)
    and an external assessment that disagrees on 2.1."""
    framework = factories.AccreditationFrameworkFactory(code="FW-TEST")
    c1 = factories.CriterionFactory(framework=framework, number=1, name_vi="Sứ mạng", name_en="Mission")
    c2 = factories.CriterionFactory(framework=framework, number=2, name_vi="Đào tạo", name_en="Training")
    s11 = factories.StandardFactory(criterion=c1, code="1.1", text_vi="Sứ mạng được công bố")
    s12 = factories.StandardFactory(criterion=c1, code="1.2", text_vi="Cơ cấu tổ chức")
    s21 = factories.StandardFactory(criterion=c2, code="2.1", text_vi="Tuyển sinh")
    sa = SelfAssessment.objects.create(institution=world.school_a, framework=framework, year=2025)
    r11 = SelfAssessmentRating.objects.create(self_assessment=sa, standard=s11, met=True)
    SelfAssessmentRating.objects.create(self_assessment=sa, standard=s12, met=False)
    SelfAssessmentRating.objects.create(self_assessment=sa, standard=s21, met=True)
    evidence = Evidence.objects.create(institution=world.school_a, code="H1.01", title="Quyết định ban hành sứ mạng")
    r11.evidence.add(evidence)
    ea = ExternalAssessment.objects.create(self_assessment=sa, assessor=world.officer_a)
    ExternalRating.objects.create(assessment=ea, standard=s11, met=True)
    ExternalRating.objects.create(assessment=ea, standard=s21, met=False)
    return sa


def test_the_school_report_keeps_to_the_submitted_self_assessment_over_a_newer_one_in_progress(world, assessed):
    SelfAssessment.objects.filter(pk=assessed.pk).update(status=choices.AssessmentStatus.SUBMITTED)
    SelfAssessment.objects.create(institution=world.school_a, framework=assessed.framework, year=2026,
                                  status=choices.AssessmentStatus.IN_PROGRESS)

    assert dashboard.get_school_report(world.school_a).self_assessment == assessed


def test_get_school_report_tree_and_totals(world, assessed):
    report = dashboard.get_school_report(world.school_a)
    assert report.self_assessment == assessed
    assert [(b.criterion.number, b.self_points, b.external_points, b.max_points) for b in report.criteria] == [
        (1, Decimal(2), Decimal(2), Decimal(4)), (2, Decimal(2), Decimal(0), Decimal(2))]
    first = report.criteria[0].standards
    assert [(s.standard.code, s.met, s.evidence) for s in first] == [
        ("1.1", True, ("Quyết định ban hành sứ mạng",)), ("1.2", False, ())]
    assert report.self_score.total == Decimal(4) and report.external_score.total == Decimal(2)
    assert len(report.designations) == 4  # every designation of the school, with its status


@pytest.mark.parametrize("role, status", [("admin", 200), ("officer", 200), ("staff", 200), ("head", 200)])
def test_school_page_by_role(client, world, assessed, _english, role, status):
    client.force_login(world.user(role))
    assert client.get(reverse("vet_readiness_school", args=(world.school_a.pk,))).status_code == status


def test_school_page_refuses_other_schools(client, world, assessed, _english):
    for user in (world.staff_b, world.officer_b):
        client.force_login(user)
        assert client.get(reverse("vet_readiness_school", args=(world.school_a.pk,))).status_code == 403


def test_school_page_draws_the_chart_inline(client, world, assessed, _english):
    client.force_login(world.staff_a)
    html = client.get(reverse("vet_readiness_school", args=(world.school_a.pk,))).content.decode()
    chart = html.split('<svg class="rd-chart"', 1)[1].split("</svg>")[0]
    assert 'role="img"' in chart and "<script" not in chart
    assert html.count('fill="#2e6da4"') == 2 and html.count('fill="#e08a00"') == 2  # self and external per criterion
    assert "Quyết định ban hành sứ mạng" in html
    assert "Industrial electrics" in html and "Not yet" in html


# ---------------------------------------------------------------------------------------------------- exports


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_matrix_xlsx_has_the_matrix_and_the_indicators(client, world, data, _english):
    client.force_login(world.officer_a)
    response = client.get(reverse("vet_readiness_matrix_xlsx"), {"province": world.province_a.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Matrix", "Indicators"]
    matrix = [[c.value for c in row] for row in workbook["Matrix"].iter_rows()]
    assert matrix[0][0] == "School" and matrix[0][2].startswith("6520227 Industrial electrics")
    school_a_row = next(r for r in matrix if r[0] == world.school_a.name_en)
    assert school_a_row[2] == "ASEAN: Not yet · 67.78 %\nNational: Ready · 0.00 %"
    assert school_a_row[1] == "National: No profile"
    detail = [[c.value for c in row] for row in workbook["Indicators"].iter_rows()]
    a2 = [r for r in detail if r[0] == world.school_a2.name_en]
    assert [(r[8], r[9], r[10], r[11], r[13]) for r in a2] == [
        ("Employment within 6 months", 85, 90, "no", "yes"), ("Equipment list", 80, 100, "no", "unconfirmed")]


def test_matrix_pdf_is_readable(client, world, data, tmp_path):
    """In Vietnamese (the default language): the names keep their diacritics in the PDF's font."""
    client.force_login(world.officer_a)
    response = client.get(reverse("vet_readiness_matrix_pdf"), {"province": world.province_a.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert world.province_a.name_vi in text and world.school_a.name_vi in text and "Điện công nghiệp" in text
    assert "30/06/2027" in text and "67,78 %" in text  # Vietnamese decimal comma


def test_school_xlsx_keeps_the_criteria_tree(client, world, assessed, _english):
    client.force_login(world.staff_a)
    response = client.get(reverse("vet_readiness_school_xlsx", args=(world.school_a.pk,)))
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert rows[1][:6] == ["1. Mission", None, None, 2, 2, 4]
    assert rows[2][0].strip() == "1.1" and rows[2][2] == "met" and rows[2][6] == "Quyết định ban hành sứ mạng"
    assert rows[3][0].strip() == "1.2" and rows[3][2] == "not met"
    assert rows[4][:6] == ["2. Training", None, None, 2, 0, 2]
    assert rows[-1][0] == "Total" and rows[-1][3] == 4 and rows[-1][4] == 2


def test_school_pdf_is_readable(client, world, assessed, _english, tmp_path):
    client.force_login(world.officer_a)
    response = client.get(reverse("vet_readiness_school_pdf", args=(world.school_a.pk,)))
    assert response.status_code == 200
    text = _pdf_text(response.content, tmp_path)
    assert "Assessment report" in text and world.school_a.name in text
    assert "1. Mission" in text and "1.1 Sứ mạng được công bố" in text and "Quyết định ban hành sứ mạng" in text
    assert "Total" in text


def test_school_exports_refuse_outsiders(client, world, assessed, _english):
    client.force_login(world.staff_b)
    assert client.get(reverse("vet_readiness_school_xlsx", args=(world.school_a.pk,))).status_code == 403
    assert client.get(reverse("vet_readiness_school_pdf", args=(world.school_a.pk,))).status_code == 403


# -------------------------------------------------------------------------------------------------------- API


def test_api_matrix_shape(world, data):
    response = client_for(world.officer_a).get(API, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["province"]["id"] == world.province_a.pk and body["tier"] == "" and body["occupation"] is None
    assert body["counts"] == {"ready": 1, "close": 1, "not_yet": 1, "no_profile": 1}
    assert [c["code"] for c in body["columns"]] == ["5520123", "6520227"]
    a2 = next(s for s in body["schools"] if s["id"] == world.school_a2.pk)
    assert a2["cells"][0] == []
    assert a2["cells"][1] == [{"designation": data["a2_el"].pk, "tier": "national", "status": "close",
                               "status_label": "Close", "weighted_gap": "12.78", "projected_date": "2027-06-30",
                               "missing": ["equipment", "employment_6m"]}]


def test_api_filters(world, data):
    body = client_for(world.admin).get(API, {"province": world.province_a.code, "tier": "asean"}).json()
    assert body["counts"]["not_yet"] == 1 and sum(body["counts"].values()) == 1
    response = client_for(world.admin).get(API, {"province": world.province_a.code, "tier": "galactic"})
    assert response.status_code == 400 and "tier" in response.json()
    body = client_for(world.admin).get(API, {"province": world.province_a.code,
                                             "occupation": data["electric"].code}).json()
    assert body["occupation"] == data["electric"].code
    assert [c["code"] for c in body["columns"]] == [data["electric"].code]


@pytest.mark.parametrize("user, province, status", [
    ("officer_b", "a", 403), ("staff_a", "a", 403), ("staff_a", None, 403), (None, "a", 401), ("admin", "b", 200),
])
def test_api_permissions(world, data, user, province, status):
    params = {"province": getattr(world, f"province_{province}").code} if province else {}
    response = client_for(getattr(world, user) if user else None).get(API, params)
    assert response.status_code == status


def test_api_export_xlsx_and_pdf(world, data, tmp_path):
    client = client_for(world.officer_a)
    response = client.get(f"{API}export/", {"province": world.province_a.code}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Matrix", "Indicators"]
    response = client.get(f"{API}export/", {"province": world.province_a.code, "file": "pdf"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "application/pdf" and "Not yet" in _pdf_text(response.content, tmp_path)
    assert client_for(world.officer_b).get(f"{API}export/", {"province": world.province_a.code}).status_code == 403


def test_api_query_count_does_not_grow_with_schools(world, django_assert_num_queries):
    small, large = _province_with_schools(2), _province_with_schools(8)
    client = client_for(world.admin)
    client.get(API, {"province": small.code})  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as small_queries:
        assert len(client.get(API, {"province": small.code}).json()["schools"]) == 2
    with django_assert_num_queries(len(small_queries)):
        assert len(client.get(API, {"province": large.code}).json()["schools"]) == 8


def test_school_chart_geometry_is_not_localised(client, world, assessed):
    """In Vietnamese numbers take a decimal comma; SVG coordinates must not, or the bars vanish."""
    client.force_login(world.staff_a)
    svg = client.get(reverse("vet_readiness_school", args=(world.school_a.pk,))).content.decode()
    svg = svg.split("<svg class=\"rd-chart\"", 1)[1].split("</svg>")[0]
    widths = re.findall(r'<rect [^>]*width="([^"]*)"', svg)
    assert widths and all(re.fullmatch(r"\d+(\.\d+)?", w) for w in widths), widths


@pytest.mark.parametrize("role, sees_matrix, sees_school", [
    ("officer", True, False), ("admin", True, False), ("staff", False, True),
])
def test_wagtail_home_panel_and_menu(client, world, data, _english, role, sees_matrix, sees_school):
    client.force_login(world.user(role))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert (f"{reverse('vet_readiness_matrix')}?province=" in html) is sees_matrix
    assert (reverse("vet_readiness_school", args=(world.school_a.pk,)) in html) is sees_school
    assert ("Readiness dashboard" in html) is sees_matrix  # the menu item under Accreditation
