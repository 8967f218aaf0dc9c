"""`manage.py load_demo_accreditation`: the demo self-assessments, external assessment, action items, campaign,
outcomes and equipment."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from vet import choices, selectors, services_assessment, tier_readiness, tiers
from vet.models import (
    ActionItem,
    Campaign,
    EquipmentChecklist,
    ExternalAssessment,
    KeyOccupationDesignation,
    OccupationOutcome,
    SelfAssessment,
    Standard,
    Teacher,
)

pytestmark = pytest.mark.django_db


def run(command: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(command, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(VETTRACK_DEMO=True), transaction.atomic():
        outputs = {command: run(command) for command in (
            "load_demo_data", "load_accreditation_frameworks", "load_readiness_profiles", "load_demo_accreditation")}
        yield outputs
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, settings):
    settings.VETTRACK_DEMO = True
    return loaded


def submitted(code: str) -> SelfAssessment:
    return SelfAssessment.objects.get(institution__code=code, year=2025, designation__isnull=True)


def test_the_submitted_self_assessment_rates_every_standard_with_evidence_and_a_lawful_council(demo):
    assessment = submitted("DEMO-TG-CD01")
    standards = Standard.objects.filter(criterion__framework=assessment.framework).count()

    assert assessment.status == choices.AssessmentStatus.SUBMITTED and assessment.submitted_by.username
    assert assessment.ratings.count() == standards == 16
    assert all(r.met is not None and r.evidence.exists() for r in assessment.ratings.all())
    council = list(assessment.council.all())
    chair = [m for m in council if m.council_role == choices.CouncilRole.CHAIR]
    assert len(chair) == 1 and chair[0].member_type == choices.CouncilMemberType.HEAD
    assert sum(m.member_type == choices.CouncilMemberType.ENTERPRISE for m in council) >= 2


def test_the_authority_assessed_it_and_the_differences_name_the_standards(demo):
    external = ExternalAssessment.objects.get(self_assessment=submitted("DEMO-TG-CD01"))

    assert external.assessor.username == "officer.dongthap"
    assert external.decision == choices.ExternalDecision.PASS and external.decision_date
    differences = {d.number: d for d in selectors.assessment_differences(external)}
    # 4.2 met for 2 years only: a college needs 3, so the authority's 2 points do not count; 7.2 not met.
    assert differences[4].standards_differing == ("4.2",) and differences[4].difference == -2
    assert differences[7].standards_differing == ("7.2",) and differences[7].difference == -2
    assert differences[1].difference == 0 and differences[1].standards_differing == ()
    assert external.findings.count() == 4


def test_action_items_follow_the_findings_one_overdue_one_closed_with_evidence(demo):
    items = ActionItem.objects.filter(institution__code="DEMO-TG-CD01")

    assert items.count() == 4 and all(i.finding_id for i in items)
    overdue = [i for i in items if i.is_overdue_on(datetime.date(2026, 11, 22))]
    assert [i.title for i in overdue] == ["Mua sắm 4 bộ thực hành PLC cho xưởng Điện công nghiệp"]
    done = items.get(status=choices.ActionStatus.DONE)
    assert done.closed_on and done.closure_evidence.institution.code == "DEMO-TG-CD01"
    assert items.filter(designation__occupation__code="6520227").count() == 3


def test_a_campaign_of_the_dong_thap_authority_opened_planned_self_assessments(demo):
    campaign = Campaign.objects.get(year=2026)

    assert campaign.authority.province.code == "87"
    assert campaign.institutions.count() == 7
    statuses = dict(campaign.self_assessments.values_list("institution__code", "status"))
    assert statuses["DEMO-TG-CD01"] == choices.AssessmentStatus.IN_PROGRESS
    assert statuses["DEMO-DT-CD01"] == choices.AssessmentStatus.PLANNED
    assert len(statuses) == 7


def test_every_current_key_occupation_has_outcomes_and_an_equipment_checklist(demo):
    current = KeyOccupationDesignation.objects.filter(period_end__gte=2021)
    for d in current:
        key = {"institution": d.institution, "occupation": d.occupation, "level": d.level}
        assert OccupationOutcome.objects.filter(**key).count() == 3, d
        assert EquipmentChecklist.objects.get(**key).items.exists(), d
    for outcome in OccupationOutcome.objects.all():
        assert outcome.employed_6m <= outcome.graduates <= outcome.enrolment


def test_teachers_of_an_occupation_are_linked_to_it(demo):
    teaching = Teacher.objects.filter(occupations__isnull=False).distinct()

    assert teaching.count() > Teacher.objects.count() / 2
    assert set(teaching.values_list("teaching_role", flat=True)) == {"theory", "practice", "both"}


def test_loading_again_creates_nothing(demo):
    output = run("load_demo_accreditation")

    assert "0 created" in output.splitlines()[-1]


def test_the_submitted_self_assessment_passes_every_quality_check_and_the_one_in_progress_does_not(demo):
    assert services_assessment.quality_checks(submitted("DEMO-TG-CD01"), on=datetime.date(2025, 11, 28)) == []
    in_progress = SelfAssessment.objects.get(institution__code="DEMO-TG-CD01", year=2026, designation__isnull=True)
    codes = {c.code for c in services_assessment.quality_checks(in_progress, on=datetime.date(2026, 11, 22))}

    assert {"not_rated", "evidence_expired"} <= codes
    assert services_assessment.TOO_FEW_ENTERPRISE in codes


def test_every_current_key_occupation_gets_a_readiness_status_with_its_gaps(demo):
    current = KeyOccupationDesignation.objects.filter(period_end__gte=2026)
    readiness = tier_readiness.designation_readiness(current, datetime.date(2026, 11, 22))

    assert len(readiness) == current.count() > 10
    assert all(r is not None for r in readiness.values())
    statuses = {r.status for r in readiness.values()}
    assert tiers.CLOSE in statuses and tiers.NOT_YET in statuses
    assessed = next(r for d, r in readiness.items() if KeyOccupationDesignation.objects.get(pk=d).institution.code
                    == "DEMO-TG-CD01")
    assert assessed.indicator("accreditation").value == 1  # the authority's pass decision of 20/01/2026
