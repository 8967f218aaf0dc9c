# ruff: noqa: F811 - the fixtures imported from external_fixtures are used as arguments
"""External assessment services: who may start it, conflict of interest, one open at a time, ratings, findings,
the decision (refused while standards are unrated, then locked)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.vet.external_fixtures import framework, make_framework, make_submitted, submitted  # noqa: F401
from vet import choices, selectors, services
from vet import services_external as ext
from vet.models import ExternalAssessment, SelfAssessment

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 1)


def rate_all(user, ea, met=True):
    for rating in ea.ratings.all():
        ext.save_external_rating(user, rating, met=met, years_met=3, points=None, comment="ok")


def test_officer_of_the_province_starts_one_unrated_rating_per_standard(world, submitted):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    assert ea.assessor == world.officer_a and ea.status == choices.ExternalStatus.IN_PROGRESS
    assert sorted(ea.ratings.values_list("standard__code", flat=True)) == ["1.1", "1.2", "2.1"]
    assert not ea.ratings.filter(met__isnull=False).exists()
    assert ea.history.first().history_user == world.officer_a


def test_admin_may_start(world, submitted):
    assert ext.start_external_assessment(world.admin, submitted).assessor == world.admin


def test_only_a_submitted_self_assessment(world, submitted, english):
    submitted.status = choices.AssessmentStatus.IN_PROGRESS
    submitted.save()
    with pytest.raises(ValidationError, match="Only a submitted self-assessment"):
        ext.start_external_assessment(world.officer_a, submitted)
    assert ext.start_refusal(world.officer_a, submitted).startswith("Only a submitted")


def test_officer_of_another_province_and_staff_refused(world, submitted, english):
    with pytest.raises(PermissionDenied, match="officer of the province"):
        ext.start_external_assessment(world.officer_b, submitted)
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        ext.start_external_assessment(world.staff_a, submitted)
    with pytest.raises(PermissionDenied):
        ext.start_external_assessment(world.staff_b, submitted)
    assert not ExternalAssessment.objects.exists()


def test_conflict_of_interest_refused_even_for_an_officer_of_the_province(world, submitted, english):
    services.grant_role(user=world.officer_a, role=choices.Role.SCHOOL_STAFF, institution=world.school_a)
    world.officer_a._vet_roles = None
    del world.officer_a._vet_roles
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        ext.start_external_assessment(world.officer_a, submitted)
    assert "conflict of interest" in ext.start_refusal(world.officer_a, submitted)


def test_one_open_assessment_at_a_time(world, submitted, english):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    with pytest.raises(ValidationError, match="already in progress"):
        ext.start_external_assessment(world.admin, submitted)
    rate_all(world.officer_a, ea)
    ext.decide(world.officer_a, ea, decision="pass", decision_date=TODAY, note="")
    assert ext.start_external_assessment(world.admin, submitted).pk != ea.pk  # a new round after a decision


def test_decision_refused_while_unrated_then_locked(world, submitted, english):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    first = ea.ratings.order_by("standard__code").first()
    ext.save_external_rating(world.officer_a, first, met=True, years_met=2, points=None, comment="seen")
    with pytest.raises(ValidationError, match="not yet rated: 1.2, 2.1"):
        ext.decide(world.officer_a, ea, decision="pass", decision_date=TODAY, note="")
    rate_all(world.officer_a, ea)
    with pytest.raises(ValidationError) as missing:
        ext.decide(world.officer_a, ea, decision="maybe", decision_date=None, note="")
    assert set(missing.value.message_dict) == {"decision", "decision_date"}
    ea = ext.decide(world.officer_a, ea, decision="fail", decision_date=TODAY, note="Criterion 2 weak")
    assert ea.status == choices.ExternalStatus.DECIDED and ea.decision == "fail"
    with pytest.raises(ValidationError, match="decided"):
        ext.save_external_rating(world.officer_a, first, met=False, years_met=None, points=None, comment="")
    with pytest.raises(ValidationError, match="decided"):
        ext.add_finding(world.officer_a, ea, severity="minor", text="late")
    with pytest.raises(ValidationError, match="decided"):
        ext.decide(world.officer_a, ea, decision="pass", decision_date=TODAY, note="")


def test_staff_cannot_rate_or_decide(world, submitted):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    with pytest.raises(PermissionDenied):
        ext.save_external_rating(world.staff_a, ea.ratings.first(), met=True, years_met=1, points=None,
                                 comment="")
    with pytest.raises(PermissionDenied):
        ext.decide(world.officer_b, ea, decision="pass", decision_date=TODAY, note="")


def test_findings_standard_in_framework_and_criterion_derived(world, submitted, english):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    standard = submitted.ratings.get(standard__code="1.2").standard
    finding = ext.add_finding(world.officer_a, ea, severity="major", text=" No plan ", standard=standard)
    assert finding.criterion_id == standard.criterion_id and finding.text == "No plan"
    _other_fw, other_standards = make_framework_other()
    with pytest.raises(ValidationError, match="not in the assessed framework"):
        ext.add_finding(world.officer_a, ea, severity="minor", text="x", standard=other_standards[0])
    with pytest.raises(ValidationError, match="not in the assessed framework"):
        ext.add_finding(world.officer_a, ea, severity="minor", text="x", criterion=other_standards[0].criterion)
    with pytest.raises(ValidationError, match="Write the finding"):
        ext.add_finding(world.officer_a, ea, severity="minor", text="  ")
    general = ext.add_finding(world.officer_a, ea, severity="observation", text="General remark")
    ext.remove_finding(world.officer_a, general)
    assert list(ea.findings.all()) == [finding]


def make_framework_other():
    from decimal import Decimal

    from tests import factories
    fw = factories.AccreditationFrameworkFactory(code="OTHER-FW", points_per_standard=Decimal(1))
    c = factories.CriterionFactory(framework=fw, number=1)
    return fw, [factories.StandardFactory(criterion=c, code="9.9")]


def test_score_and_differences_next_to_the_decision(world, submitted):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    rate_all(world.officer_a, ea, met=True)
    ext.save_external_rating(world.officer_a, ea.ratings.get(standard__code="1.1"), met=False, years_met=None,
                             points=None, comment="no evidence")
    score = selectors.external_assessment_score(ea)
    assert score.total == 4 and score.passed
    rows = {d.number: d for d in selectors.assessment_differences(ea)}
    assert rows[1].self_points == 4 and rows[1].external_points == 2 and rows[1].difference == -2
    assert "1.1" in rows[1].standards_differing


def test_self_assessment_queryset_untouched(world, submitted):
    ext.start_external_assessment(world.officer_a, submitted)
    assert SelfAssessment.objects.get(pk=submitted.pk).status == choices.AssessmentStatus.SUBMITTED


def test_second_school_fixture(world, framework):
    fw, standards = framework
    sa = make_submitted(world.school_a2, fw, standards, year=2024)
    assert ext.start_refusal(world.officer_a, sa) is None
