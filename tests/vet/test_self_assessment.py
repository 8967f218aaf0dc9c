"""Self-assessment services: creation with one rating per standard, framework fit, rating rules, council rule as
law data, quality checks, submission and lock, permissions, revocation risk, rule loading."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests import factories
from vet import choices, permissions, selectors
from vet import services_assessment as sas
from vet.loaders import load_accreditation_frameworks
from vet.models import CouncilMember, Evidence, Institution, SelfAssessment, SelfAssessmentRating, SelfAssessmentRule

pytestmark = pytest.mark.django_db

ENTERPRISE, HEAD, STAFF = (choices.CouncilMemberType.ENTERPRISE, choices.CouncilMemberType.HEAD,
                           choices.CouncilMemberType.STAFF)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def rule(db):
    document = factories.LegalDocumentFactory(number="28/2017/TT-BLĐTBXH", kind=choices.LegalDocumentKind.CIRCULAR)
    return SelfAssessmentRule.objects.create(document=document, valid_from=datetime.date(2018, 2, 1),
                                             min_enterprise_representatives=2, missing_years_for_revocation=2)


@pytest.fixture
def framework(db):
    fw = factories.AccreditationFrameworkFactory(code="FW-T", points_per_standard=Decimal(2))
    for number in (1, 2):
        criterion = factories.CriterionFactory(framework=fw, number=number)
        for s in (1, 2):
            factories.StandardFactory(criterion=criterion, code=f"{number}.{s}")
    return fw


@pytest.fixture
def sa(world, framework):
    return sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=framework, year=2026)


def evidence(institution, code="E1", expires_on=None):
    return Evidence.objects.create(institution=institution, code=code, title=f"Evidence {code}",
                                   expires_on=expires_on)


def full_council(user, sa):
    sas.add_council_member(user, sa, full_name="Head", council_role="chair", member_type=HEAD)
    sas.add_council_member(user, sa, full_name="Ent 1", council_role="member", member_type=ENTERPRISE)
    sas.add_council_member(user, sa, full_name="Ent 2", council_role="member", member_type=ENTERPRISE)


def rate_all(user, sa, ev):
    for r in sa.ratings.select_related("standard__criterion"):
        sas.save_rating(user, r, met=True, years_met=3, points=None, narrative="ok", evidence=[ev])


# ------------------------------------------------------------------------------------------------ create


def test_create_makes_one_unrated_rating_per_standard(sa):
    assert sa.status == choices.AssessmentStatus.PLANNED
    ratings = list(sa.ratings.select_related("standard"))
    assert sorted(r.standard.code for r in ratings) == ["1.1", "1.2", "2.1", "2.2"]
    assert all(r.met is None for r in ratings)


def test_create_records_the_acting_user(sa, world):
    assert sa.history.first().history_user == world.staff_a


def test_duplicate_is_refused_clearly(sa, world, framework):
    with pytest.raises(ValidationError, match="already has a self-assessment against FW-T for 2026"):
        sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=framework, year=2026)
    assert SelfAssessment.objects.count() == 1


def test_framework_must_fit_the_institution(world, framework):
    centre = factories.InstitutionFactory(province=world.province_a, type=choices.InstitutionType.VET_CENTRE)
    with pytest.raises(ValidationError, match="needs a framework for VET centre"):
        sas.create_self_assessment(world.admin, institution=centre, framework=framework, year=2026)
    centre_fw = factories.AccreditationFrameworkFactory(target=choices.AccreditationTarget.VET_CENTRE)
    assert sas.create_self_assessment(world.admin, institution=centre, framework=centre_fw, year=2026).pk
    with pytest.raises(ValidationError, match="needs a framework for College or intermediate school"):
        sas.create_self_assessment(world.admin, institution=world.school_a, framework=centre_fw, year=2026)


def test_program_accepts_program_or_institution_framework(world, framework):
    designation = factories.KeyOccupationDesignationFactory(institution=world.school_a)
    program_fw = factories.AccreditationFrameworkFactory(target=choices.AccreditationTarget.PROGRAM)
    a = sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=program_fw, year=2026,
                                   designation=designation)
    b = sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=framework, year=2026,
                                   designation=designation)
    assert a.pk and b.pk
    other = factories.KeyOccupationDesignationFactory(institution=world.school_b)
    with pytest.raises(ValidationError, match="belongs to another institution"):
        sas.create_self_assessment(world.admin, institution=world.school_a, framework=framework, year=2026,
                                   designation=other)
    with pytest.raises(ValidationError, match="needs a framework for"):
        sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=program_fw, year=2027)


def test_creation_permissions(world, framework):
    with pytest.raises(PermissionDenied):
        sas.create_self_assessment(world.staff_b, institution=world.school_a, framework=framework, year=2026)
    with pytest.raises(PermissionDenied):
        sas.create_self_assessment(world.officer_b, institution=world.school_a, framework=framework, year=2026)
    assert sas.create_self_assessment(world.officer_a, institution=world.school_a, framework=framework, year=2026)
    assert SelfAssessment.objects.count() == 1


# ----------------------------------------------------------------------------------------------- ratings


def test_save_rating_rules(sa, world, framework):
    rating = sa.ratings.select_related("standard__criterion").first()
    own, foreign = evidence(world.school_a), evidence(world.school_b, "X1")
    sas.save_rating(world.staff_a, rating, met=True, years_met=2, points=None, narrative="n", evidence=[own])
    rating.refresh_from_db()
    assert rating.met is True and list(rating.evidence.all()) == [own]
    with pytest.raises(ValidationError, match="belongs to another institution"):
        sas.save_rating(world.staff_a, rating, met=True, years_met=2, points=None, narrative="", evidence=[foreign])
    with pytest.raises(ValidationError, match="cannot be negative"):
        sas.save_rating(world.staff_a, rating, met=True, years_met=-1, points=None, narrative="", evidence=[])
    with pytest.raises(ValidationError, match="points per standard met; do not enter points"):
        sas.save_rating(world.staff_a, rating, met=True, years_met=1, points=Decimal(1), narrative="", evidence=[])


def test_points_only_for_frameworks_without_points_per_standard(world):
    fw = factories.AccreditationFrameworkFactory(points_per_standard=None)
    criterion = factories.CriterionFactory(framework=fw, number=1, benchmark_points=Decimal(10))
    factories.StandardFactory(criterion=criterion, code="1.1")
    sa = sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=fw, year=2026)
    rating = sa.ratings.select_related("standard__criterion").get()
    sas.save_rating(world.staff_a, rating, met=True, years_met=None, points=Decimal(8), narrative="", evidence=[])
    with pytest.raises(ValidationError, match="At most 10"):
        sas.save_rating(world.staff_a, rating, met=True, years_met=None, points=Decimal(11), narrative="",
                        evidence=[])


def test_rating_permissions(sa, world):
    rating = sa.ratings.first()
    for user in (world.staff_b, world.officer_a, world.officer_b):
        with pytest.raises(PermissionDenied):
            sas.save_rating(user, rating, met=True, years_met=1, points=None, narrative="", evidence=[])


def test_save_ratings_is_all_or_nothing(sa, world):
    ratings = list(sa.ratings.select_related("standard__criterion"))
    rows = [sas.RatingInput(ratings[0], True, 1, None, "good", ()),
            sas.RatingInput(ratings[1], True, -3, None, "bad", ())]
    with pytest.raises(ValidationError) as exc:
        sas.save_ratings(world.staff_a, sa, rows)
    assert any(m.startswith(f"Standard {ratings[1].standard.code}:") for m in exc.value.messages)
    assert SelfAssessmentRating.objects.get(pk=ratings[0].pk).met is None


# --------------------------------------------------------------------------------------- council & checks


def test_council_rule_checks(sa, world, rule):
    codes = {c.code for c in sas.quality_checks(sa)}
    assert {sas.NO_CHAIR, sas.TOO_FEW_ENTERPRISE, sas.NOT_RATED} <= codes
    sas.add_council_member(world.staff_a, sa, full_name="Deputy", council_role="chair", member_type=STAFF)
    sas.add_council_member(world.staff_a, sa, full_name="Ent", council_role="member", member_type=ENTERPRISE)
    checks = {c.code: c for c in sas.quality_checks(sa)}
    assert sas.CHAIR_NOT_HEAD in checks
    assert "28/2017/TT-BLĐTBXH" in checks[sas.CHAIR_NOT_HEAD].message
    assert "has 1 enterprise representatives; at least 2" in checks[sas.TOO_FEW_ENTERPRISE].message
    with pytest.raises(ValidationError, match="already has a chair"):
        sas.add_council_member(world.staff_a, sa, full_name="Head", council_role="chair", member_type=HEAD)


def test_rule_figures_are_data(sa, world, rule):
    rule.min_enterprise_representatives = 1
    rule.chair_must_be_head = False
    rule.save()
    sas.add_council_member(world.staff_a, sa, full_name="Deputy", council_role="chair", member_type=STAFF)
    sas.add_council_member(world.staff_a, sa, full_name="Ent", council_role="member", member_type=ENTERPRISE)
    codes = {c.code for c in sas.quality_checks(sa)}
    assert not codes & {sas.NO_CHAIR, sas.CHAIR_NOT_HEAD, sas.TOO_FEW_ENTERPRISE}


def test_no_rule_in_force_is_a_warning_not_a_silent_pass(sa, world, rule):
    rule.valid_to = datetime.date(2019, 1, 1)
    rule.save()
    checks = [c for c in sas.quality_checks(sa) if c.code == sas.NO_RULE]
    assert len(checks) == 1 and not checks[0].blocking
    assert "not checked" in checks[0].message


def test_evidence_checks(sa, world, rule):
    ratings = list(sa.ratings.select_related("standard"))
    old = evidence(world.school_a, "OLD", expires_on=datetime.date(2026, 1, 1))
    sas.save_rating(world.staff_a, ratings[0], met=True, years_met=1, points=None, narrative="", evidence=[])
    sas.save_rating(world.staff_a, ratings[1], met=True, years_met=1, points=None, narrative="", evidence=[old])
    sas.save_rating(world.staff_a, ratings[2], met=False, years_met=None, points=None, narrative="", evidence=[])
    checks = sas.quality_checks(sa, on=datetime.date(2026, 6, 1))
    by_code = {(c.code, c.standard) for c in checks}
    assert (sas.NO_EVIDENCE, ratings[0].standard.code) in by_code
    assert (sas.EVIDENCE_EXPIRED, ratings[1].standard.code) in by_code
    assert (sas.NOT_RATED, ratings[3].standard.code) in by_code
    assert not any(c.standard == ratings[2].standard.code for c in checks)  # not met, no evidence needed
    assert not any(c.code == sas.EVIDENCE_EXPIRED for c in sas.quality_checks(sa, on=datetime.date(2025, 6, 1)))


# ---------------------------------------------------------------------------------------- workflow & lock


def test_submit_refused_with_the_reasons_then_locked(sa, world, rule):
    with pytest.raises(ValidationError, match="Start the self-assessment"):
        sas.submit(world.staff_a, sa)
    sas.start(world.staff_a, sa)
    with pytest.raises(ValidationError) as exc:
        sas.submit(world.staff_a, sa)
    assert any("is not rated" in m for m in exc.value.messages)
    assert any("no chair" in m for m in exc.value.messages)
    ev = evidence(world.school_a)
    rate_all(world.staff_a, sa, ev)
    full_council(world.staff_a, sa)
    assert not [c for c in sas.quality_checks(sa) if c.blocking]
    sas.submit(world.head_a, sa)
    sa.refresh_from_db()
    assert sa.status == choices.AssessmentStatus.SUBMITTED and sa.submitted_by == world.head_a
    assert sa.submitted_at is not None
    rating = sa.ratings.first()
    with pytest.raises(ValidationError, match="submitted on .*: it is locked"):
        sas.save_rating(world.staff_a, rating, met=False, years_met=None, points=None, narrative="", evidence=[])
    with pytest.raises(ValidationError, match="locked"):
        sas.add_council_member(world.staff_a, sa, full_name="Late", council_role="member", member_type=STAFF)
    with pytest.raises(ValidationError, match="locked"):
        sas.remove_council_member(world.staff_a, sa.council.first())
    with pytest.raises(ValidationError, match="locked"):
        sas.update_self_assessment(world.staff_a, sa, summary="changed")
    with pytest.raises(ValidationError, match="Only a planned"):
        sas.delete_self_assessment(world.staff_a, sa)


def test_officer_reads_but_may_not_write(sa, world):
    with pytest.raises(PermissionDenied):
        sas.start(world.officer_a, sa)
    with pytest.raises(PermissionDenied):
        sas.add_council_member(world.officer_a, sa, full_name="X", council_role="member", member_type=STAFF)
    with pytest.raises(PermissionDenied):
        sas.start(world.staff_b, sa)
    assert sa in permissions.scope_queryset(world.officer_a, SelfAssessment.objects.all())
    assert sa not in permissions.scope_queryset(world.staff_b, SelfAssessment.objects.all())


def test_remove_council_member_and_delete_planned(sa, world):
    member = sas.add_council_member(world.staff_a, sa, full_name="X", council_role="member", member_type=STAFF)
    sas.remove_council_member(world.staff_a, member)
    assert not CouncilMember.objects.exists()
    sas.delete_self_assessment(world.staff_a, sa)
    assert not SelfAssessment.objects.exists() and not SelfAssessmentRating.objects.exists()


def test_score_uses_the_shared_scorer(sa, world):
    ev = evidence(world.school_a)
    rate_all(world.staff_a, sa, ev)
    score = selectors.self_assessment_score(sa)
    assert score.total == Decimal(8)


# ------------------------------------------------------------------------------------------ revocation


def test_revocation_risk_in_one_query(world, framework, rule, django_assert_num_queries):
    def submitted(institution, year, designation=None):
        return SelfAssessment.objects.create(institution=institution, framework=framework, year=year,
                                             designation=designation, status=choices.AssessmentStatus.SUBMITTED)

    submitted(world.school_a, 2025)                       # last year: fine
    submitted(world.school_a2, 2023)                      # too long ago: at risk
    designation = factories.KeyOccupationDesignationFactory(institution=world.school_b)
    submitted(world.school_b, 2024, designation)          # a program only: at risk
    with django_assert_num_queries(2):  # the rule in force, then the institutions
        ids = selectors.revocation_risk_ids(Institution.objects.all(), 2026)
    assert ids == {world.school_a2.pk, world.school_b.pk}
    rule.missing_years_for_revocation = 4
    rule.save()
    assert selectors.revocation_risk_ids(Institution.objects.all(), 2026) == {world.school_b.pk}


def test_rule_loaded_from_data_file(db):
    load_accreditation_frameworks()
    rule = SelfAssessmentRule.objects.get()
    assert rule.document.number == "28/2017/TT-BLĐTBXH"
    assert rule.chair_must_be_head and rule.min_enterprise_representatives == 2
    assert rule.missing_years_for_revocation == 2
    summary = load_accreditation_frameworks()
    assert summary.total("created") == 0 and summary.total("updated") == 0
