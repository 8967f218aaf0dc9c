"""Plan targets against actuals: the status rule (pure), the actuals VETtrack computes and those entered, the
loader of vet/data/targets.csv, and the targets dashboard in the admin (who may see what, what it shows)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests import factories
from vet import choices, loaders, services, target_actuals, target_dashboard
from vet.models import ActualValue, LegalDocument, OccupationOutcome, TargetIndicator
from vet.targets import TargetFacts, judge

D = Decimal
STATUS = choices.TargetStatus
THIS_YEAR = datetime.date.today().year


# --- the rule -------------------------------------------------------------------------------------------------


def test_judge_on_track_at_risk_and_behind_against_the_line_from_the_baseline():
    facts = TargetFacts(year=2030, target=D(95), baseline_year=2020, baseline=D(85))  # the line: +1 a year
    assert judge(facts, {2025: D(90)}, on_year=2026).status == STATUS.ON_TRACK  # on the line in 2025
    assert judge(facts, {2025: D(89.5)}, on_year=2026).status == STATUS.AT_RISK  # 0.5 behind, margin 1 (10 %)
    assert judge(facts, {2025: D(88)}, on_year=2026).status == STATUS.BEHIND
    result = judge(facts, {2024: D(80), 2025: D(90)}, on_year=2026)
    assert (result.year, result.actual, result.expected, result.progress) == (2025, D(90), D("90.00"), D("50.0"))


def test_judge_after_the_target_year_is_met_or_behind_and_ignores_later_years():
    facts = TargetFacts(year=2020, target=D(85), baseline_year=2017, baseline=D(78))
    assert judge(facts, {2020: D("83.5")}, on_year=2026).status == STATUS.BEHIND
    assert judge(facts, {2019: D(86)}, on_year=2026).status == STATUS.MET
    assert judge(facts, {2027: D(99)}, on_year=2026).status == STATUS.NO_DATA


def test_judge_a_target_to_stay_under_is_mirrored():
    facts = TargetFacts(year=2030, target=D(0), higher_is_better=False, baseline_year=2020, baseline=D(10))
    assert judge(facts, {2025: D(5)}, on_year=2026).status == STATUS.ON_TRACK
    assert judge(facts, {2025: D(8)}, on_year=2026).status == STATUS.BEHIND
    assert judge(facts, {2025: D(0)}, on_year=2026).status == STATUS.MET


def test_judge_a_yearly_target_holds_each_year_to_the_target():
    facts = TargetFacts(year=2030, target=D(20000), per_year=True)
    assert judge(facts, {2024: D(20350)}, on_year=2026).status == STATUS.ON_TRACK
    assert judge(facts, {2024: D(18200)}, on_year=2026).status == STATUS.AT_RISK
    assert judge(facts, {2024: D(15000)}, on_year=2026).status == STATUS.BEHIND


def test_judge_without_any_actual_says_no_data():
    assert judge(TargetFacts(year=2030, target=D(1)), {2024: None}, on_year=2026).status == STATUS.NO_DATA


# --- actuals --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_actuals_are_computed_for_the_province_and_the_provinces_merged_into_it():
    current = factories.ProvinceFactory(code="87")
    merged = factories.ProvinceFactory(code="82", successor=current, valid_to=datetime.date(2025, 6, 30))
    other = factories.ProvinceFactory(code="31")
    for province in (current, merged, other):
        school = factories.InstitutionFactory(province=province)
        occupation = factories.OccupationFactory()
        OccupationOutcome.objects.create(institution=school, occupation=occupation, level="college", year=2025,
                                         enrolment=100, graduates=40, employed_6m=30)
        factories.KeyOccupationDesignationFactory(institution=school, occupation=occupation, tier="national",
                                                  period_start=2021, period_end=2030)
    scope = target_dashboard._scope_of(current)
    assert target_actuals.enrolment_source(scope, [2024, 2025]) == {2024: None, 2025: D(200)}
    assert target_actuals.employment_source(scope, [2025]) == {2025: D("75.0")}
    assert target_actuals.key_occupations_source(scope, [2020, 2025]) == {2020: D(0), 2025: D(2)}
    national = target_dashboard._scope_of(None)
    assert target_actuals.graduates_source(national, [2025]) == {2025: D(120)}


@pytest.mark.django_db
def test_entered_actuals_answer_for_metrics_vettrack_does_not_hold():
    province = factories.ProvinceFactory(code="31")
    ActualValue.objects.create(province=province, metric="trained_worker_ratio", year=2017, value=78,
                               source="Báo Hải Phòng 23/12/2017")
    actuals = target_actuals.get_actuals("trained_worker_ratio", target_dashboard._scope_of(province), [2017, 2018],
                                         province_id=province.pk)
    assert actuals[2017] == target_actuals.Actual(D(78), "Báo Hải Phòng 23/12/2017", False)
    assert actuals[2018].value is None


@pytest.mark.django_db
def test_actual_value_is_unique_per_scope_metric_and_year_national_included():
    ActualValue.objects.create(metric="jobs_created", year=2024, value=1, source="x")
    with pytest.raises(ValidationError):
        ActualValue(metric="jobs_created", year=2024, value=2, source="y").full_clean()


@pytest.mark.django_db
def test_diplomas_issued_and_overdue_curricula_come_from_their_apps():
    sources = target_actuals.actual_sources()
    assert choices.TargetMetric.DIPLOMAS_ISSUED in sources  # registered by certificates
    assert choices.TargetMetric.CURRICULA_REVIEW_OVERDUE in sources  # registered by curricula
    version = factories.CurriculumVersionFactory()
    version.status, version.approved_on = "approved", datetime.date(2020, 1, 10)
    version.next_review_on = datetime.date(2023, 1, 10)
    version.save()
    scope = target_dashboard._scope_of(None)
    counts = sources[choices.TargetMetric.CURRICULA_REVIEW_OVERDUE](scope, [2021, 2023, 2024])
    assert counts == {2021: D(0), 2023: D(1), 2024: D(1)}


def _school_with_figures(n: int, province, admin, framework):
    """A school whose figures of 2025 depend on n: designations, outcomes, an overdue curriculum, diplomas, and an
    accreditation in force for even n."""
    from vet.models import ExternalAssessment, SelfAssessment

    school = factories.InstitutionFactory(province=province)
    occupation = factories.OccupationFactory()
    factories.KeyOccupationDesignationFactory(institution=school, occupation=occupation, period_start=2021,
                                              period_end=2030)
    OccupationOutcome.objects.create(institution=school, occupation=occupation, level=occupation.level, year=2025,
                                     enrolment=10 * n, graduates=4 + n, employed_6m=3 + n)
    version = factories.CurriculumVersionFactory(curriculum=factories.CurriculumFactory(institution=school,
                                                                                        occupation=occupation),
                                                 status="approved", approved_on=datetime.date(2020 + n, 3, 1),
                                                 next_review_on=datetime.date(2023 + n, 3, 1))
    if n % 2 == 0:
        sa = SelfAssessment.objects.create(institution=school, framework=framework, year=2024, status="submitted")
        ExternalAssessment.objects.create(self_assessment=sa, assessor=admin, status="decided", decision="pass",
                                          decision_date=datetime.date(2024, 5, 1))
    if n:
        from certificates import services as certificate_services

        factories.DiplomaTemplateFactory(institution=school)
        cohort = factories.CohortFactory(curriculum_version=version)
        enrolments = [factories.EnrolmentFactory(cohort=cohort) for _ in range(n)]
        certificate_services.issue_many(user=admin, enrolment_ids=[e.pk for e in enrolments],
                                        issued_on=datetime.date(2025, 7, 1), render=lambda ds: [b"%PDF-1.7"] * len(ds))
    return school


@pytest.mark.django_db
def test_school_breakdown_gives_each_schools_own_figures_in_a_number_of_queries_that_does_not_grow():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    loaders.load_readiness_profiles()
    province = factories.ProvinceFactory(code="87")
    merged = factories.ProvinceFactory(code="82", successor=province, valid_to=datetime.date(2025, 6, 30))
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    framework = factories.AccreditationFrameworkFactory(certificate_validity_years=5)
    _school_with_figures(0, province, admin, framework)
    with CaptureQueriesContext(connection) as one:
        target_dashboard.school_breakdown(province, 2025)
    for n in range(1, 5):
        _school_with_figures(n, merged if n % 2 else province, admin, framework)
    _school_with_figures(5, factories.ProvinceFactory(code="31"), admin, framework)  # another province
    with CaptureQueriesContext(connection) as five:
        lines = target_dashboard.school_breakdown(province, 2025)
    assert len(lines) == 5 and len(five) == len(one)
    sources = target_actuals.actual_sources()
    for line in lines:  # what each school's figures are when asked one school at a time
        alone = target_actuals.Scope(None, "", institution_ids=frozenset({line.institution.pk}))
        assert line.values == {m: sources[m](alone, [2025])[2025] for m in target_dashboard.OWN_INDICATORS}
    metric = choices.TargetMetric
    assert sorted(line.values[metric.DIPLOMAS_ISSUED] for line in lines) == [D(0), D(1), D(2), D(3), D(4)]
    assert sorted(line.values[metric.ACCREDITED_INSTITUTIONS] for line in lines) == [D(0), D(0), D(1), D(1), D(1)]
    assert sorted(line.values[metric.CURRICULA_REVIEW_OVERDUE] for line in lines) == [D(0), D(0), D(1), D(1), D(1)]
    assert sorted(line.values[metric.EMPLOYMENT_6M] for line in lines) == [D(75), D(80), D("83.3"), D("85.7"),
                                                                             D("87.5")]
    assert all(line.values[metric.KEY_OCCUPATIONS] == 1 for line in lines)
    later = target_dashboard.school_breakdown(province, THIS_YEAR + 1)
    assert all(line.values[metric.KEY_OCCUPATIONS_READY] is None and line.values[metric.GRADUATES] is None
               for line in later)


@pytest.mark.django_db
def test_a_period_target_cumulates_its_yearly_actuals_from_its_baseline_year():
    province = factories.ProvinceFactory(code="82")
    document = factories.LegalDocumentFactory()
    target = TargetIndicator.objects.create(
        province=province, metric="workers_abroad", year=2020, target_value=900, unit="cumulative",
        baseline_year=2018, baseline_value=0, source_document=document, text_vi="900 lao động 2018–2020")
    for year, value in ((2017, 999), (2018, 260), (2019, 330), (2020, 240)):
        ActualValue.objects.create(province=province, metric="workers_abroad", year=year, value=value, source="s")
    row = target_dashboard.target_row(target, today=datetime.date(2026, 1, 1))
    assert dict(row.series)[2017] is None  # before the period
    assert dict(row.series)[2020] == D(830)
    assert row.judgement.status == STATUS.BEHIND


# --- loading --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_targets_loads_the_national_targets_and_waits_for_provinces_not_in_the_registry():
    loaders.load_reference_data()
    summary = loaders.load_targets()
    national = TargetIndicator.objects.filter(province__isnull=True)
    assert national.filter(metric="qualified_worker_ratio", year=2030, target_value=35, target_max=40).exists()
    assert all(t.source_document.number == "2239/QĐ-TTg" for t in national)
    assert summary.counts[loaders.TARGET_NOT_IN_REGISTRY]["unchanged"] > 0
    assert not TargetIndicator.objects.filter(province__isnull=False).exists()
    factories.ProvinceFactory(code="31")
    again = loaders.load_targets()
    assert TargetIndicator.objects.filter(province__code="31", metric="trained_worker_ratio").count() == 2
    assert again.total("created") == 2 and loaders.load_targets().total("created") == 0


@pytest.mark.django_db
def test_load_targets_names_the_row_of_an_unknown_document_and_writes_nothing(tmp_path):
    LegalDocument.objects.create(number="2239/QĐ-TTg", kind="decision", issuer="x", title_vi="x")
    path = tmp_path / "targets.csv"
    header = ("province,metric,tier,year,target_value,target_max,unit,higher_is_better,baseline_year,"
              "baseline_value,source_document,source_clause,text_vi,text_en,confirmed,note\n")
    path.write_text(header + ",key_occupations,,2030,200,,count,true,,,2239/QĐ-TTg,,a,,true,\n"
                    + ",key_occupations,,2025,100,,count,true,,,NO-SUCH,,b,,true,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="row 3: source_document 'NO-SUCH'"):
        loaders.load_targets(path)
    assert not TargetIndicator.objects.exists()


# --- the dashboard --------------------------------------------------------------------------------------------


@pytest.fixture
def targets(world):
    document = factories.LegalDocumentFactory(number="KH-TEST")
    TargetIndicator.objects.create(province=world.province_a, metric="jobs_created", year=2030, target_value=20000,
                                   unit="per_year", source_document=document,
                                   text_vi="Tạo việc làm cho 20.000 lao động", text_en="Jobs for 20,000 workers a year")
    TargetIndicator.objects.create(province=world.province_b, metric="trained_worker_ratio", year=2030,
                                   target_value=95, unit="percent", source_document=document,
                                   text_vi="Trên 95% lao động qua đào tạo", confirmed=False)
    TargetIndicator.objects.create(metric="key_occupations", year=2030, target_value=200, unit="count",
                                   source_document=document, text_vi="Khoảng 200 ngành nghề trọng điểm")
    ActualValue.objects.create(province=world.province_a, metric="jobs_created", year=THIS_YEAR - 1, value=18200,
                               source="Báo cáo của Sở")
    return world


def test_targets_dashboard_shows_the_officers_province_with_status_chart_and_source(client, targets):
    client.force_login(targets.officer_a)
    response = client.get(reverse("vet_targets"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tạo việc làm cho 20.000 lao động" in html
    assert "Trên 95%" not in html  # the other province's target
    assert "Khoảng 200" not in html  # national targets are for administrators
    assert "td-at_risk" in html and "<svg" in html and "KH-TEST" in html
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_targets_dashboard_refuses_another_province_and_staff(client, targets):
    client.force_login(targets.officer_a)
    assert client.get(reverse("vet_targets"), {"province": targets.province_b.pk}).status_code == 403
    assert client.get(reverse("vet_targets"), {"province": "national"}).status_code == 403
    assert client.get(reverse("vet_targets_schools", args=(targets.province_b.pk,))).status_code == 403
    client.force_login(targets.staff_a)
    assert client.get(reverse("vet_targets")).status_code == 403


def test_targets_dashboard_national_and_comparison_for_administrators(client, targets):
    client.force_login(targets.admin)
    html = client.get(reverse("vet_targets"), {"province": "national"}).content.decode()
    assert "Khoảng 200 ngành nghề trọng điểm" in html
    other = client.get(reverse("vet_targets"), {"province": targets.province_b.pk}).content.decode()
    assert "Trên 95% lao động qua đào tạo" in other and "td-unconfirmed" in other and "td-no_data" in other
    compare = client.get(reverse("vet_targets_national"), {"metric": "key_occupations"})
    assert compare.status_code == 200 and targets.province_a.name_vi in compare.content.decode()
    schools = client.get(reverse("vet_targets_schools", args=(targets.province_a.pk,)))
    assert schools.status_code == 200 and targets.school_a.name_vi in schools.content.decode()


def test_entered_actual_keeps_who_entered_it(targets):
    actual = ActualValue(province=targets.province_a, metric="workers_abroad", year=2024, value=160, source="Sở")
    services.save_registry_object(user=targets.officer_a, instance=actual)
    assert ActualValue.objects.get(pk=actual.pk).entered_by == targets.officer_a
    other = ActualValue(province=targets.province_b, metric="workers_abroad", year=2024, value=1, source="Sở")
    with pytest.raises(PermissionDenied):
        services.save_registry_object(user=targets.officer_a, instance=other)
    assert not ActualValue.objects.filter(province=targets.province_b).exists()


# --- the yearly report ----------------------------------------------------------------------------------------


def test_report_is_built_in_the_background_and_downloaded_by_its_province_only(client, targets,
                                                                               django_capture_on_commit_callbacks):
    import io
    import subprocess

    from openpyxl import load_workbook

    from vet.models import ProvinceReport

    client.force_login(targets.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("vet_targets_report_request"),
                               {"province": targets.province_a.pk, "year": THIS_YEAR})
    report = ProvinceReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("vet_targets_report", args=(report.pk,))
    assert (report.status, report.progress, report.requested_by) == ("done", 100, targets.officer_a)
    page = client.get(reverse("vet_targets_report", args=(report.pk,))).content.decode()
    assert reverse("vet_targets_report_file", args=(report.pk, "pdf")) in page
    xlsx = client.get(reverse("vet_targets_report_file", args=(report.pk, "xlsx")))
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("vi"):  # the report is in Vietnamese whatever the reader's language
        names = [gettext(n)[:31] for n in ("Targets", "VETtrack figures", "Readiness", "Accreditation", "Curricula",
                                           "Diplomas")]
    assert book.sheetnames == names and names[0] == "Chỉ tiêu"
    assert book["Chỉ tiêu"]["A2"].value == "Tạo việc làm cho 20.000 lao động"
    assert book["Chỉ tiêu"]["E2"].value == 20000
    pdf = client.get(reverse("vet_targets_report_file", args=(report.pk, "pdf"))).content
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Tạo việc làm cho 20.000 lao động" in text and "Có nguy cơ chậm" in text
    client.force_login(targets.officer_b)
    assert client.get(reverse("vet_targets_report", args=(report.pk,))).status_code == 403
    assert client.get(reverse("vet_targets_report_file", args=(report.pk, "pdf"))).status_code == 403
    assert client.post(reverse("vet_targets_report_request"),
                       {"province": targets.province_a.pk, "year": THIS_YEAR}).status_code == 403
    assert ProvinceReport.objects.count() == 1


def test_report_failure_is_kept_on_the_row(targets, monkeypatch):
    from vet import province_reports
    from vet.models import ProvinceReport

    def broken(*args, **kwargs):
        raise RuntimeError("no disk")

    monkeypatch.setattr(province_reports, "workbook", broken)
    report = ProvinceReport.objects.create(province=targets.province_a, year=THIS_YEAR)
    with pytest.raises(RuntimeError):
        province_reports.build_report(report.pk)
    report.refresh_from_db()
    assert report.status == "failed" and "no disk" in report.error and not report.xlsx and not report.pdf
