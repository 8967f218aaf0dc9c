# ruff: noqa: F811 - the fixtures imported from external_fixtures are used as arguments
"""Campaigns: opened by an officer of the authority's province for its schools, planned self-assessments created
or linked atomically, progress per school in a fixed number of queries, closing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.vet.external_fixtures import framework, make_submitted  # noqa: F401
from vet import choices
from vet import services_external as ext
from vet.models import ActionItem, Campaign, SelfAssessment

pytestmark = pytest.mark.django_db
DUE = datetime.date(2025, 6, 30)


def open_for(world, fw, institutions, user=None):
    return ext.open_campaign(user or world.officer_a, authority=world.authority_a, title="Tự đánh giá 2025",
                             framework=fw, year=2025, due_date=DUE, institutions=institutions)


def test_open_creates_planned_and_links_existing(world, framework):
    fw, standards = framework
    existing = make_submitted(world.school_a, fw, standards)
    campaign = open_for(world, fw, [world.school_a, world.school_a2])
    assert set(campaign.institutions.all()) == {world.school_a, world.school_a2}
    existing.refresh_from_db()
    assert existing.campaign == campaign and existing.status == "submitted"
    created = SelfAssessment.objects.get(institution=world.school_a2)
    assert created.status == "planned" and created.campaign == campaign and created.designation is None


def test_refusals_name_the_schools_outside_and_write_nothing(world, framework, english):
    fw, _ = framework
    with pytest.raises(ValidationError, match="SCH-B|Not in the province") as refused:
        open_for(world, fw, [world.school_a, world.school_b])
    assert str(world.school_b) in str(refused.value)
    with pytest.raises(PermissionDenied):
        open_for(world, fw, [world.school_a], user=world.officer_b)
    with pytest.raises(PermissionDenied):
        open_for(world, fw, [world.school_a], user=world.staff_a)
    with pytest.raises(ValidationError, match="at least one"):
        open_for(world, fw, [])
    assert not Campaign.objects.exists() and not SelfAssessment.objects.exists()


def test_progress_rows_and_close(world, framework):
    fw, standards = framework
    submitted = make_submitted(world.school_a, fw, standards)  # submitted 1 May: on time
    campaign = open_for(world, fw, [world.school_a, world.school_a2])
    ea = ext.start_external_assessment(world.officer_a, submitted)
    ActionItem.objects.create(institution=world.school_a, title="x", owner="o", due_date=DUE)
    ActionItem.objects.create(institution=world.school_a, title="y", owner="o", due_date=datetime.date(2030, 1, 1))
    rows = {r.institution: r for r in ext.campaign_progress(campaign, on=datetime.date(2025, 7, 15))}
    a, a2 = rows[world.school_a], rows[world.school_a2]
    assert (a.status, a.timeliness, a.submitted_on, a.external) == ("submitted", "on_time",
                                                                   datetime.date(2025, 5, 1), ea)
    assert (a.open_items, a.overdue_items) == (2, 1)
    assert (a2.status, a2.timeliness, a2.external, a2.open_items) == ("planned", "overdue", None, 0)
    late = SelfAssessment.objects.get(institution=world.school_a2)
    late.status, late.submitted_at = "submitted", timezone.make_aware(datetime.datetime(2025, 7, 2, 9))
    late.save()
    assert {r.institution: r.timeliness for r in ext.campaign_progress(campaign)}[world.school_a2] == "late"
    campaign = ext.close_campaign(world.officer_a, campaign)
    assert campaign.status == choices.CampaignStatus.CLOSED
    with pytest.raises(ValidationError):
        ext.close_campaign(world.officer_a, campaign)


def _queries_for(world, fw, n, django_assert_max_num_queries, limit):
    schools = [factories.InstitutionFactory(province=world.province_a) for _ in range(n)]
    campaign = open_for(world, fw, schools)
    for school in schools:
        ActionItem.objects.create(institution=school, title="x", owner="o", due_date=DUE)
    with django_assert_max_num_queries(limit) as captured:
        rows = ext.campaign_progress(campaign)
    assert len(rows) == n
    return len(captured.captured_queries)


def test_progress_query_count_does_not_grow(world, framework, django_assert_max_num_queries):
    fw, _ = framework
    three = _queries_for(world, fw, 3, django_assert_max_num_queries, 4)
    Campaign.objects.all().delete()
    fw2 = factories.AccreditationFrameworkFactory()
    ten = _queries_for(world, fw2, 10, django_assert_max_num_queries, 4)
    assert three == ten
