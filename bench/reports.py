"""Generating the yearly report of a 60-school province (VETtrack issue 7): `province_reports.build_report`, the
XLSX workbook and the PDF, against a naive baseline in the same run.

Fixture (factories, plain creates and the project's services; not what is measured): Đồng Tháp (87) with Tiền Giang
(82) merged into it, 60 schools over both (colleges, intermediate schools, VET centres, other organisations), and 5
schools of Hải Phòng (31) the report must leave out; the reference data (legal documents, occupations, readiness
profiles, accreditation frameworks), the plan targets of vet/data/targets.csv and the demo's entered actuals
(vet/data/demo/actuals.csv). Colleges and intermediate schools hold key-occupation designations at the three tiers
(a few expired) with their teachers, five years of outcomes, an equipment checklist, enterprise partners and open
action items; curricula with approved, superseded and draft versions, a third overdue for review; the designated
programs' components mapped to skill standards of their tier's kind; institution-level external assessments
(passes in force, expired passes, fails) and a few program-level ones; diplomas issued by `issue_many`.

Ours: `build_report` (progress on the row, the targets, VETtrack's figures for five years, the readiness matrix, the
school breakdown, the workbook and the PDF, both files stored). Naive, in the same run: the same figures computed
as a first version would, with lazy ORM reads per target and year, per school, per designation and per indicator
(the readiness of each designation is the registry bench's `_naive_readiness`), then the same workbook and PDF
code and the same storage. Every figure of the two is asserted equal before the ratio is printed.
BENCH_REPORT_SCHOOLS changes the number of schools. Figures: docs/guides/targets.md, "Measures"."""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import random
import statistics
import subprocess
import time
from decimal import Decimal
from types import SimpleNamespace

N_SCHOOLS = int(os.environ.get("BENCH_REPORT_SCHOOLS", "60"))
N_OUTSIDE = 5  # schools of another province, which the report must not count
REPEAT = 3
TODAY = datetime.date.today()
YEAR = TODAY.year - 1  # the last complete year, the one a province reports on
KINDS = "CICIVCICIV"  # college, intermediate, VET centre; every twentieth school another organisation
TOWNS = ["Cao Lãnh", "Sa Đéc", "Hồng Ngự", "Mỹ Tho", "Gò Công", "Cai Lậy", "Cái Bè", "Tháp Mười", "Lai Vung",
         "Châu Thành", "Tân Phước", "Lấp Vò", "Thanh Bình", "Tam Nông", "Chợ Gạo"]
TYPE_NAMES = {"C": "Trường Cao đẳng", "I": "Trường Trung cấp", "V": "Trung tâm Giáo dục nghề nghiệp",
              "O": "Doanh nghiệp đào tạo nghề"}


# --- fixture data ----------------------------------------------------------------------------------------------


def _provinces():
    from tests import factories

    current = factories.ProvinceFactory(code="87", name_vi="Đồng Tháp", name_en="Dong Thap")
    merged = factories.ProvinceFactory(code="82", name_vi="Tiền Giang", name_en="Tien Giang", successor=current,
                                       valid_to=datetime.date(2025, 6, 30))
    other = factories.ProvinceFactory(code="31", name_vi="Hải Phòng", name_en="Hai Phong",
                                      region="red_river_delta")
    return current, merged, other


class _Fixture:
    """What the school builder shares: the reference rows, a random generator with a fixed seed, counters."""

    def __init__(self, admin, rng):
        from vet.models import AccreditationFramework, LegalDocument, Occupation

        self.admin, self.rng = admin, rng
        self.colleges = list(Occupation.objects.filter(code__startswith="6").order_by("code"))
        self.intermediates = list(Occupation.objects.filter(code__startswith="5").order_by("code"))
        self.old_framework = AccreditationFramework.objects.get(code="TT15-2017-SCHOOL")
        self.new_framework = AccreditationFramework.objects.get(code="TT14-2024-SCHOOL")
        self.decisions = {
            "old": LegalDocument.objects.create(number="1520/QĐ-UBND", kind="decision", issuer="UBND tỉnh",
                                                title_vi="Phê duyệt nghề trọng điểm giai đoạn 2016–2020",
                                                issued_on=datetime.date(2016, 8, 1)),
            "new": LegalDocument.objects.create(number="2210/QĐ-UBND", kind="decision", issuer="UBND tỉnh",
                                                title_vi="Phê duyệt nghề trọng điểm giai đoạn 2021–2030",
                                                issued_on=datetime.date(2021, 9, 1)),
        }
        self.skill_frameworks: dict[tuple[int, str], object] = {}
        # The diplomas' files are not what the report reads: one small PDF stands for each (a diploma's PDF/A
        # takes WeasyPrint about half a second, the certificates bench measures it).
        from weasyprint import HTML

        self.placeholder_pdf = HTML(string="<p>Bench diploma</p>").write_pdf()

    def skill_framework(self, occupation, kind: str):
        """The skill standard of the occupation of that kind, with six units (made once)."""
        from tests import factories

        key = (occupation.pk, kind)
        if key not in self.skill_frameworks:
            framework = factories.SkillFrameworkFactory(kind=kind, occupation=occupation,
                                                        code=f"{kind.upper()}-{occupation.code}",
                                                        name_vi=f"Tiêu chuẩn kỹ năng nghề {occupation.name_vi}")
            units = [factories.SkillUnitFactory(framework=framework, code=f"{occupation.code}-{kind[:2]}-{n}",
                                                level=3, nominal_hours=40 + 10 * n) for n in range(6)]
            self.skill_frameworks[key] = (framework, units)
        return self.skill_frameworks[key]


def _assess(fx, school, plan: int) -> bool:
    """Institution-level self-assessments and their decided external assessments, by `plan`; whether a pass is
    in force at the end of the report year."""
    from vet import choices
    from vet.models import ExternalAssessment, SelfAssessment

    def decided(framework, year, decision, day):
        sa = SelfAssessment.objects.create(institution=school, framework=framework, year=year,
                                           status=choices.AssessmentStatus.SUBMITTED)
        ExternalAssessment.objects.create(self_assessment=sa, assessor=fx.admin, status=choices.ExternalStatus.DECIDED,
                                          started_on=day - datetime.timedelta(days=60), decision=decision,
                                          decision_date=day)

    passed, failed = choices.ExternalDecision.PASS, choices.ExternalDecision.FAIL
    if plan == 0:
        decided(fx.old_framework, 2021, passed, datetime.date(2021, 11, 20))  # in force until 2026
    elif plan == 1:
        decided(fx.old_framework, 2019, passed, datetime.date(2019, 10, 5))  # expired in 2024
    elif plan == 2:
        decided(fx.old_framework, 2022, failed, datetime.date(2022, 12, 1))
    elif plan == 4:
        decided(fx.old_framework, 2020, failed, datetime.date(2020, 9, 15))
        decided(fx.new_framework, 2025, passed, datetime.date(2025, 5, 22))
    elif plan == 5:
        decided(fx.old_framework, 2023, passed, datetime.date(2023, 6, 30))
    return plan in (0, 4, 5)


def _curriculum(fx, school, occupation, *, designation=None, ready=False):
    """A curriculum with an approved version (and maybe a superseded one before it, a draft after it); a designated
    program's version gets six components mapped to the skill standard of its tier's kind."""
    from curricula import choices as cc
    from curricula.models import ComponentUnitMapping, CurriculumVersion
    from curricula.services import TIER_FRAMEWORK_KINDS
    from tests import factories

    rng = fx.rng
    curriculum = factories.CurriculumFactory(institution=school, occupation=occupation)
    approved = datetime.date(rng.randint(2019, YEAR), rng.randint(1, 12), rng.randint(1, 28))
    if ready:  # reviewed in time
        approved = datetime.date(YEAR - 1, 8, 15)
    if approved.year >= 2021 and rng.random() < 0.4:
        before = approved.replace(year=approved.year - 3)
        CurriculumVersion.objects.create(curriculum=curriculum, decision_number=f"{rng.randint(10, 999)}/QĐ-TĐ",
                                         decision_date=before, status=cc.VersionStatus.SUPERSEDED, approved_on=before,
                                         next_review_on=before.replace(year=before.year + 3))
    version = CurriculumVersion.objects.create(
        curriculum=curriculum, decision_number=f"{rng.randint(1000, 1999)}/QĐ-{school.code[-3:]}",
        decision_date=approved, status=cc.VersionStatus.APPROVED, approved_on=approved,
        next_review_on=approved.replace(year=approved.year + 3), duration_months=30)
    if rng.random() < 0.2:
        CurriculumVersion.objects.create(curriculum=curriculum, status=cc.VersionStatus.DRAFT)
    if designation is not None:
        _framework, units = fx.skill_framework(occupation, TIER_FRAMEWORK_KINDS[designation.tier])
        covered = len(units) if ready else rng.randint(2, 5)
        for n in range(6):
            component = factories.CurriculumComponentFactory(version=version, position=n, code=f"MĐ{n + 1:02d}")
            if n < covered:
                ComponentUnitMapping.objects.create(component=component, unit=units[n], coverage=cc.Coverage.FULL)
            elif n == covered and not ready:
                ComponentUnitMapping.objects.create(component=component, unit=units[n], coverage=cc.Coverage.PARTIAL)
    return version


def _program(fx, school, designation, *, ready: bool, open_items: bool):
    """Teachers, outcomes for five years, an equipment checklist, partners and action items of one designation."""
    from tests import factories
    from vet import choices
    from vet.models import ActionItem, EquipmentChecklist, EquipmentItem, OccupationOutcome

    rng, occupation, college = fx.rng, designation.occupation, designation.level == choices.Level.COLLEGE
    degree = choices.Degree.MASTER if college else choices.Degree.BACHELOR
    language = 3 if college else 2
    for n in range(4):
        weak = not ready and n == 1
        teacher = factories.TeacherFactory(
            institution=school, full_name=f"{rng.choice(['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Võ'])} "
                                          f"{rng.choice(['Văn', 'Thị', 'Minh', 'Thanh'])} "
                                          f"{rng.choice(['An', 'Bình', 'Châu', 'Dũng', 'Hạnh', 'Khoa', 'Lan'])}",
            degree=choices.Degree.BACHELOR if weak and college else choices.Degree.COLLEGE if weak else degree,
            foreign_language_level=language - 1 if weak else language + rng.randint(0, 2),
            teaching_role=choices.TeachingRole.PRACTICE if n == 3 else choices.TeachingRole.THEORY)
        teacher.occupations.set([occupation])
    for year in range(YEAR - 4, YEAR + 1):
        graduates = rng.randint(25, 45)
        employed = graduates if ready else int(graduates * rng.uniform(0.6, 0.97))
        at_level = graduates if ready else int(graduates * rng.uniform(0.7, 1))
        skill = {"skill_level_3" if college else "skill_level_2": at_level,
                 "skill_level_1": graduates - at_level}
        OccupationOutcome.objects.create(institution=school, occupation=occupation, level=designation.level,
                                         year=year, enrolment=rng.randint(36, 90) if ready else rng.randint(20, 80),
                                         graduates=graduates, employed_6m=employed, source="Khảo sát việc làm", **skill)
    checklist = EquipmentChecklist.objects.create(institution=school, occupation=occupation, level=designation.level)
    EquipmentItem.objects.bulk_create(
        EquipmentItem(checklist=checklist, name=f"Thiết bị thực hành {n + 1}", unit="bộ", required_quantity=4,
                      held_quantity=4 if ready or n else rng.randint(0, 3)) for n in range(4))
    needed = {"national": 2, "asean": 3, "international": 5}[designation.tier]
    for n in range(needed if ready else rng.randint(0, needed)):
        partner = factories.EnterprisePartnerFactory(institution=school, name=f"Công ty {occupation.name_vi} "
                                                                              f"{school.code}-{designation.pk}-{n}")
        partner.occupations.set([occupation])
    if open_items:
        for n in range(rng.randint(1, 2)):
            ActionItem.objects.create(institution=school, designation=designation,
                                      title=f"Khắc phục tồn tại {n + 1}", owner="Phòng Đào tạo",
                                      due_date=TODAY + datetime.timedelta(days=rng.randint(30, 500)))


def _diplomas(fx, school, version, count: int, issued_on: datetime.date):
    """A cohort of the version, graduated, issued by the batch service's `issue_many`."""
    from certificates import services as certificate_services
    from certificates.models import Cohort, DiplomaTemplate, Enrolment, IssuingProfile
    from tests import factories

    if not IssuingProfile.objects.filter(institution=school).exists():
        IssuingProfile.objects.create(institution=school, prefix=school.code[-4:], place_vi="Đồng Tháp",
                                      serial_format="{prefix}/{year}/{seq:05d}", register_format="{seq:05d}/{year}/SG")
        DiplomaTemplate.objects.create(institution=school, name="Mẫu văn bằng", signer_name="Trần Văn Bình")
    cohort = Cohort.objects.create(curriculum_version=version, code=f"K{issued_on.year - 3}-{version.pk}",
                                   intake_year=issued_on.year - 3, grading_scale="credit_4",
                                   college_title="practical_engineer")
    enrolments = [Enrolment.objects.create(cohort=cohort, learner=factories.LearnerFactory(),
                                           final_score=Decimal("3.1"), all_credits_completed=True,
                                           classification="very_good", graduated=True,
                                           graduation_decision_number=f"{version.pk}/QĐ-TN",
                                           graduation_date=issued_on - datetime.timedelta(days=20))
                  for _n in range(count)]
    certificate_services.issue_many(user=fx.admin, enrolment_ids=[e.pk for e in enrolments], issued_on=issued_on,
                                    render=lambda diplomas: [fx.placeholder_pdf] * len(diplomas))


def _school(fx, index: int, province, authority):
    """One school of the province, with what the report reads about it."""
    from tests import factories
    from vet import choices

    rng = fx.rng
    kind = "O" if index % 20 == 19 else KINDS[index % len(KINDS)]
    town = TOWNS[index % len(TOWNS)]
    occupations = fx.colleges if kind == "C" else fx.intermediates
    chosen = rng.sample(occupations, {"C": 6, "I": 4, "V": 0, "O": 0}[kind])
    stem = chosen[0].name_vi if chosen else "Giáo dục thường xuyên"
    school = factories.InstitutionFactory(
        code=f"{province.code}-{kind}{index:03d}", name_vi=f"{TYPE_NAMES[kind]} {stem} {town} {index + 1}",
        name_en=f"{town} school {index + 1}", province=province, managing_authority=authority,
        type={"C": choices.InstitutionType.COLLEGE, "I": choices.InstitutionType.INTERMEDIATE,
              "V": choices.InstitutionType.VET_CENTRE, "O": choices.InstitutionType.OTHER}[kind],
        ownership=choices.Ownership.PRIVATE if index % 7 == 3 else choices.Ownership.PUBLIC)
    if kind in "VO":
        return school
    accredited = _assess(fx, school, index % 6)
    factories.EnterprisePartnerFactory(institution=school, name=f"Hiệp hội doanh nghiệp {town} {index}")
    designated = chosen[: rng.randint(3, 5) if kind == "C" else rng.randint(1, 2)]
    versions = []
    for n, occupation in enumerate(chosen):
        designation = None
        ready = False
        if occupation in designated:
            tier = rng.choices(["national", "asean", "international"], [6, 3, 1] if kind == "C" else [8, 2, 0])[0]
            designation = factories.KeyOccupationDesignationFactory(
                institution=school, occupation=occupation, tier=tier, period_start=2021, period_end=2030,
                decision=fx.decisions["new"])
            ready = rng.random() < 0.5
            if ready and not accredited:  # the program itself was accredited
                _program_assessment(fx, school, designation)
            _program(fx, school, designation, ready=ready, open_items=not ready or rng.random() < 0.2)
        elif n == len(chosen) - 1 and index % 4 == 0:  # the 2016–2020 list, not renewed
            factories.KeyOccupationDesignationFactory(institution=school, occupation=occupation, tier="national",
                                                      period_start=2016, period_end=2020, decision=fx.decisions["old"])
        versions.append(_curriculum(fx, school, occupation, designation=designation, ready=ready))
    if index % 3 != 2:
        _diplomas(fx, school, versions[0], rng.randint(3, 6), datetime.date(YEAR, 7, rng.randint(1, 28)))
        if index % 2:
            _diplomas(fx, school, versions[-1], rng.randint(2, 4), datetime.date(YEAR - 1, 8, 10))
    return school


def _program_assessment(fx, school, designation):
    from vet import choices
    from vet.models import ExternalAssessment, SelfAssessment

    sa = SelfAssessment.objects.create(institution=school, designation=designation, framework=fx.old_framework,
                                       year=2024, status=choices.AssessmentStatus.SUBMITTED)
    ExternalAssessment.objects.create(self_assessment=sa, assessor=fx.admin, status=choices.ExternalStatus.DECIDED,
                                      started_on=datetime.date(2024, 9, 1), decision=choices.ExternalDecision.PASS,
                                      decision_date=datetime.date(2024, 11, 12))


@contextlib.contextmanager
def _without_page_sync():
    """The public program and school pages follow every registry write (cms.signals); the report never reads them,
    and syncing them after each fixture row would take most of the fixture's time."""
    from django.db.models.signals import post_delete, post_save

    from cms import signals

    receivers = [(signal, model._meta.label_lower, suffix) for model in _synced_models()
                 for signal, suffix in ((post_save, "save"), (post_delete, "delete"))]
    for signal, label, suffix in receivers:
        signal.disconnect(dispatch_uid=f"cms-sync-{label}-{suffix}", sender=_model(label))
    try:
        yield
    finally:
        signals.connect()


def _synced_models():
    from curricula.models import Curriculum, CurriculumVersion
    from vet.models import Institution, KeyOccupationDesignation, Occupation, ScopeEntry

    return [CurriculumVersion, Curriculum, ScopeEntry, KeyOccupationDesignation, Institution, Occupation]


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _populate():
    """The province and its schools, in one transaction; returns the province the report is for, the schools it
    covers and the fixture."""
    from django.db import transaction
    from wagtail.signal_handlers import disable_reference_index_auto_update

    # Wagtail's reference index (of page content) is no more read by the report than the pages.
    with _without_page_sync(), disable_reference_index_auto_update(), transaction.atomic():
        return _populate_rows()


def _populate_rows():
    from tests import factories
    from vet import loaders

    loaders.load_reference_data()
    loaders.load_readiness_profiles()
    loaders.load_accreditation_frameworks()
    current, merged, other = _provinces()
    loaders.load_targets()
    loaders.load_actual_values(loaders.DATA_DIR / "demo" / "actuals.csv")
    authority = factories.AuthorityFactory(province=current, short_name="SGDĐT")
    admin = factories.UserFactory(username="bench_reports_admin", is_superuser=True, is_staff=True)
    fx = _Fixture(admin, random.Random(2026))
    schools = [_school(fx, i, current if i % 5 < 3 else merged, authority) for i in range(N_SCHOOLS)]
    outside_authority = factories.AuthorityFactory(province=other, short_name="SGDĐT")
    for i in range(N_OUTSIDE):
        _school(fx, N_SCHOOLS + i, other, outside_authority)
    return current, schools, fx


# --- the naive baseline ----------------------------------------------------------------------------------------


def _naive_jurisdiction(province) -> list:
    """The province and those merged into it, one province at a time."""
    from vet.models import Province

    found, todo = [], [province]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(Province.objects.filter(successor=p))
    return found


def _naive_designations(school, year: int, tier: str = "") -> list:
    return [d for d in school.designations.all()
            if d.period_start <= year <= d.period_end and (not tier or d.tier == tier)]


def _naive_ready(school, year: int, tier: str = "") -> int:
    from bench.__main__ import _naive_readiness
    from vet import choices

    on = min(datetime.date(year, 12, 31), TODAY)
    count = 0
    for d in _naive_designations(school, year, tier):
        readiness = _naive_readiness(d, on)
        count += readiness is not None and readiness.status == choices.ReadinessStatus.READY
    return count


def _naive_in_force(assessment, day: datetime.date) -> bool:
    from vet import choices
    from vet.tier_readiness import add_years

    if assessment.decision != choices.ExternalDecision.PASS:
        return False
    validity = assessment.self_assessment.framework.certificate_validity_years
    return not validity or add_years(assessment.decision_date, validity) >= day


def _naive_accredited_in_year(school, year: int) -> int:
    """Whether the school's latest decided institution-level assessment by the end of the year is a pass in force."""
    from vet import choices

    end = datetime.date(year, 12, 31)
    decided = []
    for sa in school.self_assessments.all():
        if sa.designation_id is not None:
            continue
        for ea in sa.external_assessments.all():
            if ea.status == choices.ExternalStatus.DECIDED and ea.decision_date and ea.decision_date <= end:
                decided.append(ea)
    if not decided:
        return 0
    return int(_naive_in_force(max(decided, key=lambda ea: (ea.decision_date, ea.pk)), end))


def _naive_accredited_on(school, day: datetime.date) -> bool | None:
    """The report's column: the latest decided assessment of the school on the day, program-level ones included."""
    from vet import choices

    decided = [ea for sa in school.self_assessments.all() for ea in sa.external_assessments.all()
               if ea.status == choices.ExternalStatus.DECIDED and ea.decision_date and ea.decision_date <= day]
    if not decided:
        return None
    return _naive_in_force(max(decided, key=lambda ea: (ea.decision_date, ea.pk)), day)


def _naive_overdue(school, year: int) -> int:
    from curricula import choices as cc

    end = min(datetime.date(year, 12, 31), TODAY)
    count = 0
    for curriculum in school.curricula.all():
        versions = [v for v in curriculum.versions.all()
                    if v.status in (cc.VersionStatus.APPROVED, cc.VersionStatus.SUPERSEDED)
                    and v.approved_on is not None and v.approved_on <= end]
        if versions:
            current = max(versions, key=lambda v: (v.approved_on, v.pk))
            count += current.next_review_on is not None and current.next_review_on < end
    return count


def _naive_diplomas(school, year: int) -> int:
    from certificates.choices import DiplomaStatus

    return sum(1 for d in school.diplomas.all()
               if d.issued_on.year == year and d.replaces_id is None and d.status != DiplomaStatus.PENDING)


def _naive_outcomes(school, year: int) -> tuple[int, int, int] | None:
    rows = [o for o in school.outcomes.all() if o.year == year]
    if not rows:
        return None
    return sum(o.enrolment for o in rows), sum(o.graduates for o in rows), sum(o.employed_6m for o in rows)


def _naive_value(metric: str, schools: list, year: int, tier: str = "") -> Decimal | None:
    """A figure of some schools in a year, school by school."""
    from vet import choices

    M = choices.TargetMetric
    if metric == M.KEY_OCCUPATIONS:
        return Decimal(sum(len(_naive_designations(s, year, tier)) for s in schools))
    if metric == M.KEY_OCCUPATIONS_READY:
        return None if year > TODAY.year else Decimal(sum(_naive_ready(s, year, tier) for s in schools))
    if metric == M.ACCREDITED_INSTITUTIONS:
        return Decimal(sum(_naive_accredited_in_year(s, year) for s in schools))
    if metric == M.CURRICULA_REVIEW_OVERDUE:
        return Decimal(sum(_naive_overdue(s, year) for s in schools))
    if metric == M.DIPLOMAS_ISSUED:
        return Decimal(sum(_naive_diplomas(s, year) for s in schools))
    assert not tier, "the naive baseline computes outcomes for a whole scope only"
    parts = [p for p in (_naive_outcomes(s, year) for s in schools) if p is not None]
    if not parts:
        return None
    enrolment, graduates, employed = (sum(p[i] for p in parts) for i in range(3))
    if metric == M.ENROLMENT:
        return Decimal(enrolment)
    if metric == M.GRADUATES:
        return Decimal(graduates)
    return (Decimal(employed * 100) / graduates).quantize(Decimal("0.1")) if graduates else None


def _naive_target_row(target, today: datetime.date):
    """A target against the figures of its own province (with those merged into it), year by year."""
    from vet import choices, target_actuals, target_dashboard, targets
    from vet.models import ActualValue, Institution

    schools = list(Institution.objects.filter(province__in=_naive_jurisdiction(target.province)))
    years = list(range(target_dashboard.FIRST_YEAR, min(target.year, today.year) + 1))
    computed = target.metric in NAIVE_METRICS
    actuals = {}
    for y in years:
        if computed:
            actuals[y] = target_actuals.Actual(_naive_value(target.metric, schools, y, target.tier), "VETtrack", True)
        else:
            entered = ActualValue.objects.filter(metric=target.metric, province=target.province, year=y).first()
            actuals[y] = target_actuals.Actual(entered.value if entered else None, entered.source if entered else "",
                                               False)
    values = {y: a.value for y, a in actuals.items()}
    if target.unit == choices.TargetUnit.CUMULATIVE:
        start, running, seen = target.baseline_year or target_dashboard.FIRST_YEAR, Decimal(0), False
        for y in years:
            if y >= start and values[y] is not None:
                running, seen = running + values[y], True
            values[y] = running if y >= start and seen else None
    facts = targets.TargetFacts(year=target.year, target=target.target_value, higher_is_better=target.higher_is_better,
                                baseline_year=target.baseline_year, baseline=target.baseline_value,
                                per_year=target.unit == choices.TargetUnit.PER_YEAR)
    judgement = targets.judge(facts, values, on_year=today.year, margin=target_dashboard.at_risk_margin())
    row = target_dashboard.TargetRow(target, years, actuals, judgement, [(y, values[y]) for y in years], computed)
    row.chart = target_dashboard.target_chart(row)
    return row


def _naive_collect(report) -> dict:
    """The report's figures the straightforward way: each school, designation and year read on its own."""
    from django.utils import timezone

    from bench.__main__ import _naive_readiness
    from vet import choices, dashboard, target_dashboard
    from vet.models import Institution, TargetIndicator

    province, year = report.province, report.year
    today = min(datetime.date(year, 12, 31), datetime.date.today())
    provinces = _naive_jurisdiction(province)
    schools = list(Institution.objects.filter(province__in=provinces).order_by("name_vi"))
    rows = [_naive_target_row(t, today)
            for t in TargetIndicator.objects.filter(province__in=provinces).order_by("metric", "tier", "year")]
    years = list(range(year - 4, year + 1))
    indicators = [target_dashboard.IndicatorRow(m, choices.TargetMetric(m).label,
                                                [(y, _naive_value(m, schools, y)) for y in years])
                  for m in target_dashboard.OWN_INDICATORS]
    on = datetime.date.today()
    entries = [dashboard.Entry(d, _naive_readiness(d, on)) for s in schools
               for d in s.designations.filter(period_start__lte=on.year, period_end__gte=on.year)
               .order_by("occupation__code", "level", "tier")]
    school_rows = []
    for s in schools:
        outcomes = _naive_outcomes(s, year)
        school_rows.append({
            "institution": s, "accredited": _naive_accredited_on(s, today),
            "overdue": Decimal(_naive_overdue(s, year)), "diplomas": Decimal(_naive_diplomas(s, year)),
            "graduates": _naive_value(choices.TargetMetric.GRADUATES, [s], year) if outcomes else None,
            "employment": _naive_value(choices.TargetMetric.EMPLOYMENT_6M, [s], year) if outcomes else None,
        })
    return {"report": report, "province": province, "year": year, "rows": rows, "years": years,
            "indicators": indicators, "matrix": SimpleNamespace(entries=entries), "schools": school_rows,
            "generated": timezone.localtime()}


NAIVE_METRICS = {"key_occupations", "key_occupations_ready", "accredited_institutions", "curricula_review_overdue",
                 "diplomas_issued", "enrolment", "graduates", "employment_6m"}


def _naive_build(report_id: int) -> dict:
    """build_report's steps with the naive figures: the same workbook and PDF code, both files stored."""
    from django.core.files.base import ContentFile
    from django.utils import timezone, translation

    from vet import province_reports, rendering
    from vet.models import ProvinceReport

    times = {}
    start = time.perf_counter()
    report = ProvinceReport.objects.get(pk=report_id)
    with translation.override("vi"):
        data = _naive_collect(report)
        times["collect"] = time.perf_counter() - start
        xlsx = province_reports.workbook(data)
        times["xlsx"] = time.perf_counter() - start - times["collect"]
        pdf = rendering.render_pdf("vet/pdf/province_report.html", data)
    name = f"report-{report.province.code}-{report.year}-naive"
    report.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
    report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    report.status, report.progress, report.finished_at = ProvinceReport.Status.DONE, 100, timezone.now()
    report.save()
    times["total"] = time.perf_counter() - start
    return {"data": data, "xlsx": xlsx, "pdf": pdf, "times": times}


# --- measuring -------------------------------------------------------------------------------------------------


def _figures(data: dict) -> dict:
    """Every figure the two files show, comparable."""
    return {
        "targets": [(r.target.pk, r.computed, r.series, r.judgement) for r in data["rows"]],
        "indicators": [(i.metric, i.values) for i in data["indicators"]],
        "readiness": [(e.designation.pk, e.readiness) for e in data["matrix"].entries],
        "schools": [(s["institution"].pk, s["accredited"], s["overdue"], s["diplomas"], s["graduates"],
                     s["employment"]) for s in data["schools"]],
    }


def _queries(fn) -> int:
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def _timed(fn, repeat: int = REPEAT) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _sheet_rows(xlsx: bytes) -> dict[str, int]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    return {name: book[name].max_row - 1 for name in book.sheetnames}


def _files(report) -> tuple[bytes, bytes]:
    report.refresh_from_db()
    with report.xlsx.open("rb") as x, report.pdf.open("rb") as p:
        return x.read(), p.read()


def bench_province_report(report) -> None:
    """Print the figures; `report(name, ours, naive)` is the benches' common line."""
    from django.db import connection
    from django.utils import translation

    from vet import choices, province_reports, rendering, target_actuals, target_dashboard
    from vet.models import Institution, KeyOccupationDesignation, ProvinceReport

    start = time.perf_counter()
    province, schools, fx = _populate()
    populated = time.perf_counter() - start
    assert set(target_actuals.actual_sources()) == NAIVE_METRICS, "a computed metric the naive baseline lacks"
    designations = KeyOccupationDesignation.objects.filter(institution__in=schools)
    print(f"Province report on {connection.vendor}: {province.name_vi} and the province merged into it, "
          f"{len(schools)} schools ({', '.join(f'{n} {t}' for t, n in _types(schools))}), {designations.count()} "
          f"designations, report year {YEAR}; fixture {populated:.0f} s")

    ours_row = ProvinceReport.objects.create(province=province, year=YEAR, requested_by=fx.admin)
    naive_row = ProvinceReport.objects.create(province=province, year=YEAR, requested_by=fx.admin)
    province_reports.build_report(ours_row.pk)  # WeasyPrint's first layout (fonts) is not part of either
    xlsx, pdf = _files(ours_row)
    runs = []
    naive_queries = _queries(lambda: runs.append(_naive_build(naive_row.pk)))
    naive_run = runs[0]
    naive_time, naive_times = naive_run["times"]["total"], naive_run["times"]
    with translation.override("vi"):
        ours_data = province_reports.collect(ProvinceReport.objects.select_related("province").get(pk=ours_row.pk))
    assert _figures(ours_data) == _figures(naive_run["data"]), "the naive baseline and ours disagree"
    assert _sheet_rows(xlsx) == _sheet_rows(naive_run["xlsx"]) and _pages(pdf) == _pages(naive_run["pdf"])

    ours_time = _timed(lambda: province_reports.build_report(ours_row.pk))
    ours_queries = _queries(lambda: province_reports.build_report(ours_row.pk))
    with translation.override("vi"):
        fresh = ProvinceReport.objects.select_related("province").get(pk=ours_row.pk)
        ours_collect = _timed(lambda: province_reports.collect(fresh))
        data = province_reports.collect(fresh)
        ours_xlsx = _timed(lambda: province_reports.workbook(data))
        ours_pdf = _timed(lambda: rendering.render_pdf("vet/pdf/province_report.html", data))
    breakdown_queries = _queries(lambda: target_dashboard.school_breakdown(province, YEAR))

    pad = " " * 58
    report(f"province report, {len(schools)} schools: XLSX + PDF (build_report)", ours_time, naive_time)
    report("  of which the figures (collect)", ours_collect, naive_times["collect"])
    print(f"{pad} queries: ours {ours_queries}, naive {naive_queries}; school_breakdown alone {breakdown_queries}")
    print(f"{pad} ours: figures {ours_collect * 1000:.0f} ms, XLSX {ours_xlsx * 1000:.0f} ms, PDF "
          f"{ours_pdf * 1000:.0f} ms (median of {REPEAT}); naive measured once")
    rows = _sheet_rows(xlsx)
    ready = sum(1 for e in ours_data["matrix"].entries if e.status == choices.ReadinessStatus.READY)
    print(f"{pad} PDF {_pages(pdf)} pages, {len(pdf) / 1024:.0f} KB; XLSX {len(xlsx) / 1024:.0f} KB, rows: "
          + ", ".join(f"{name} {n}" for name, n in rows.items()))
    print(f"{pad} same figures: {len(ours_data['rows'])} targets, {len(ours_data['indicators'])} indicators × 5 years, "
          f"{len(ours_data['matrix'].entries)} designations ({ready} ready), {len(ours_data['schools'])} schools; "
          f"{Institution.objects.count() - len(schools)} schools of another province left out")


def _types(schools) -> list[tuple[str, int]]:
    from collections import Counter

    from django.utils import translation

    from vet import choices

    counts = Counter(s.type for s in schools)
    with translation.override("en"):
        return [(str(choices.InstitutionType(t).label).lower(), n) for t, n in counts.most_common()]
