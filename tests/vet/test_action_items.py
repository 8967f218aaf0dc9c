# ruff: noqa: F811 - the fixtures imported from external_fixtures are used as arguments
"""Action items: creation (finding and program of the same school), from findings atomically, updates, closure
with the school's evidence, cancellation with a reason, overdue selectors (one query per count)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.vet.external_fixtures import framework, make_submitted, submitted  # noqa: F401
from vet import choices
from vet import services_external as ext
from vet.models import ActionItem, Evidence

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 6, 30)


@pytest.fixture
def assessed(world, submitted):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    standards = {r.standard.code: r.standard for r in ea.ratings.select_related("standard")}
    ext.add_finding(world.officer_a, ea, severity="major", text="No strategic plan", standard=standards["1.1"])
    ext.add_finding(world.officer_a, ea, severity="observation", text="Website outdated")
    return ea


def test_items_from_findings_once_each_with_priority_from_severity(world, assessed):
    items = ext.action_items_from_findings(world.officer_a, assessed, DUE, "Phòng Đào tạo")
    assert [(i.title, i.priority) for i in items] == [("1.1: No strategic plan", "high"),
                                                      ("Website outdated", "low")]
    assert all(i.institution == world.school_a and i.owner == "Phòng Đào tạo" for i in items)
    assert ext.action_items_from_findings(world.officer_a, assessed, DUE, "x") == []  # not twice


def test_items_from_findings_all_or_nothing(world, assessed):
    with pytest.raises(ValidationError):
        ext.action_items_from_findings(world.officer_a, assessed, DUE, "")  # owner required
    assert not ActionItem.objects.exists()


def test_create_checks_finding_and_designation_belong_to_the_school(world, assessed, english):
    finding = assessed.findings.first()
    with pytest.raises(ValidationError, match="another institution"):
        ext.create_action_item(world.officer_a, institution=world.school_a2, title="t", owner="o", due_date=DUE,
                               finding=finding)
    designation = factories.KeyOccupationDesignationFactory(institution=world.school_a2)
    with pytest.raises(ValidationError, match="another institution"):
        ext.create_action_item(world.officer_a, institution=world.school_a, title="t", owner="o", due_date=DUE,
                               designation=designation)
    with pytest.raises(PermissionDenied):
        ext.create_action_item(world.staff_b, institution=world.school_a, title="t", owner="o", due_date=DUE)
    item = ext.create_action_item(world.staff_a, institution=world.school_a, title="Buy lathes", owner="Khoa Cơ khí",
                                  due_date=DUE, priority="high", finding=finding)
    assert item.history.first().history_user == world.staff_a


def test_update_close_and_cancel(world, english):
    item = ext.create_action_item(world.staff_a, institution=world.school_a, title="t", owner="o", due_date=DUE)
    item = ext.update_action_item(world.staff_a, item, status="in_progress", owner="Khoa Điện")
    assert item.status == "in_progress" and item.owner == "Khoa Điện"
    with pytest.raises(ValidationError, match="own action"):
        ext.update_action_item(world.staff_a, item, status="done")
    with pytest.raises(ValidationError):
        ext.update_action_item(world.staff_a, item, institution=world.school_b)
    with pytest.raises(ValidationError, match="evidence that shows"):
        ext.close_action_item(world.staff_a, item, closed_on=DUE, evidence=None)
    foreign = Evidence.objects.create(institution=world.school_b, code="B1", title="B")
    with pytest.raises(ValidationError, match="must belong to"):
        ext.close_action_item(world.staff_a, item, closed_on=DUE, evidence=foreign)
    own = Evidence.objects.create(institution=world.school_a, code="A1", title="Biên bản nghiệm thu")
    item = ext.close_action_item(world.staff_a, item, closed_on=DUE, evidence=own)
    assert item.status == "done" and item.closure_evidence == own and item.closed_on == DUE
    with pytest.raises(ValidationError, match="no longer be changed"):
        ext.cancel_action_item(world.staff_a, item, reason="x")
    other = ext.create_action_item(world.officer_a, institution=world.school_a, title="u", owner="o", due_date=DUE)
    with pytest.raises(ValidationError, match="reason"):
        ext.cancel_action_item(world.officer_a, other, reason=" ")
    other = ext.cancel_action_item(world.officer_a, other, reason="Merged into another item", on=DUE)
    assert other.status == "cancelled" and "Merged into another item" in other.description
    assert other.history.first().history_change_reason.startswith("Cancelled")


def test_overdue_selectors_one_query_each(world, django_assert_num_queries):
    on = datetime.date(2026, 7, 1)
    for school, due, status in [(world.school_a, DUE, "open"), (world.school_a, DUE, "in_progress"),
                                (world.school_a2, DUE, "open"), (world.school_b, DUE, "open"),
                                (world.school_a, on, "open"), (world.school_b, DUE, "cancelled")]:
        ActionItem.objects.create(institution=school, title="x", owner="o", due_date=due, status=status,
                                  closed_on=DUE if status == "cancelled" else None)
    assert ext.overdue_action_items(ActionItem.objects.all(), on).count() == 4
    with django_assert_num_queries(1):
        per_school = {r["institution_id"]: r["overdue"]
                      for r in ext.overdue_counts_by_institution(ActionItem.objects.all(), on)}
    assert per_school == {world.school_a.pk: 2, world.school_a2.pk: 1, world.school_b.pk: 1}
    with django_assert_num_queries(1):
        per_province = {r["institution__province_id"]: (r["overdue"], r["schools"])
                        for r in ext.overdue_counts_by_province(ActionItem.objects.all(), on)}
    assert per_province == {world.province_a.pk: (3, 2), world.province_b.pk: (1, 1)}
    assert ActionItem.objects.filter(status=choices.ActionStatus.CANCELLED).get().is_overdue_on(on) is False


def test_submitted_fixture_second_year(world, framework):
    fw, standards = framework
    assert make_submitted(world.school_a, fw, standards, year=2023).ratings.count() == 3
