# ruff: noqa: F811 - the fixtures imported from external_fixtures are used as arguments
"""The authority's accreditation pages in the back-office: starting, rating, findings, decision, action items,
the overdue report, campaigns; refusals as messages or 403; list pages without N+1 queries."""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.vet.external_fixtures import framework, make_submitted, submitted  # noqa: F401
from vet import choices
from vet import services_external as ext
from vet.models import ActionItem, Campaign, Evidence, ExternalAssessment, SelfAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_start_page_and_conflict_of_interest(client, world, submitted):
    url = reverse("vet_external_start", args=(submitted.pk,))
    client.force_login(world.staff_a)
    response = client.get(url)
    assert response.status_code == 200 and b"conflict of interest" in response.content
    client.post(url)
    assert not ExternalAssessment.objects.exists()
    client.force_login(world.officer_b)
    assert client.get(url).status_code == 403
    client.force_login(world.officer_a)
    listing = client.get(reverse("vet_external_list"))
    assert url.encode() in listing.content
    response = client.post(url)
    ea = ExternalAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("vet_external_detail", args=(ea.pk,))


def test_rate_find_plan_and_decide_on_the_page(client, world, submitted):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    url = reverse("vet_external_detail", args=(ea.pk,))
    client.force_login(world.officer_a)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Narrative 1.1" in page.content and b"Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh" in page.content  # evidence
    assert b"<svg" in page.content and b"3 standards are not yet rated" in page.content
    ratings = {r.standard.code: r for r in ea.ratings.select_related("standard")}
    bad = {"action": "ratings", **{f"r{r.pk}-met": "yes" for r in ratings.values()}, f"r{ratings['1.1'].pk}-years": "x"}
    response = client.post(url, bad, follow=True)
    assert b"1.1: Enter a whole number" in response.content
    assert not ea.ratings.filter(met__isnull=False).exists()  # all or nothing
    data = {"action": "ratings"}
    for code, r in ratings.items():
        data.update({f"r{r.pk}-met": "no" if code == "2.1" else "yes", f"r{r.pk}-years": "3",
                     f"r{r.pk}-comment": "seen"})
    client.post(url, data)
    assert ea.ratings.filter(met=True).count() == 2 and ea.ratings.filter(met=False).count() == 1
    client.post(url, {"action": "add_finding", "severity": "major", "standard": ratings["2.1"].standard_id,
                      "text": "Council missing"})
    assert ea.findings.get().criterion_id == ratings["2.1"].standard.criterion_id
    client.post(url, {"action": "items", "due_date": "2026-12-31", "owner": "Phòng Đào tạo"})
    assert ActionItem.objects.get().priority == "high"
    response = client.post(url, {"action": "decide", "decision": "fail", "decision_date": "2026-03-01",
                                 "note": "2.1"}, follow=True)
    assert b"locked" in response.content
    ea.refresh_from_db()
    assert ea.status == choices.ExternalStatus.DECIDED
    assert b"Save the ratings" not in client.get(url).content


def test_school_staff_reads_but_cannot_change(client, world, submitted):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    client.force_login(world.staff_a)
    url = reverse("vet_external_detail", args=(ea.pk,))
    page = client.get(url)
    assert page.status_code == 200 and b"Save the ratings" not in page.content
    client.post(url, {"action": "add_finding", "severity": "minor", "text": "x"})
    assert not ea.findings.exists()
    client.force_login(world.staff_b)
    assert client.get(url).status_code == 403


def test_action_items_pages(client, world):
    client.force_login(world.staff_a)
    response = client.post(reverse("vet_action_item_add"), {
        "institution": world.school_a.pk, "title": "Buy lathes", "owner": "Khoa Cơ khí", "due_date": "2020-01-01",
        "priority": "high", "description": ""})
    item = ActionItem.objects.get()
    assert response["Location"] == reverse("vet_action_item_edit", args=(item.pk,))
    listing = client.get(reverse("vet_action_items") + "?overdue=on&priority=high")
    assert b"Buy lathes" in listing.content and b"Overdue" in listing.content
    edit = reverse("vet_action_item_edit", args=(item.pk,))
    response = client.post(edit, {"action": "close", "closed_on": "2026-01-01", "evidence": ""})
    assert response.status_code == 200 and ActionItem.objects.get().status == "open"
    evidence = Evidence.objects.create(institution=world.school_a, code="A1", title="Biên bản")
    client.post(edit, {"action": "close", "closed_on": "2026-01-01", "evidence": evidence.pk})
    assert ActionItem.objects.get().status == "done"
    client.force_login(world.staff_b)
    assert client.get(edit).status_code == 403


def test_overdue_report(client, world):
    for school in (world.school_a, world.school_a2, world.school_b):
        ActionItem.objects.create(institution=school, title="x", owner="o", due_date=datetime.date(2020, 1, 1))
    client.force_login(world.officer_a)
    page = client.get(reverse("vet_overdue_report"))
    assert page.status_code == 200
    assert world.school_a2.name_vi.encode() in page.content and world.school_b.name_vi.encode() not in page.content


def test_campaign_pages(client, world, framework):
    fw, standards = framework
    client.force_login(world.officer_a)
    form = client.get(reverse("vet_campaign_add"))
    assert str(world.school_a2).encode() in form.content and str(world.school_b).encode() not in form.content
    response = client.post(reverse("vet_campaign_add"), {
        "authority": world.authority_a.pk, "title": "Round", "framework": fw.pk, "year": 2025,
        "due_date": "2025-06-30", "institutions": [world.school_a.pk, world.school_a2.pk]})
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("vet_campaign_detail", args=(campaign.pk,))
    assert SelfAssessment.objects.filter(campaign=campaign).count() == 2
    page = client.get(reverse("vet_campaign_detail", args=(campaign.pk,)))
    assert page.status_code == 200 and b"Planned" in page.content and b"Close the campaign" in page.content
    client.post(reverse("vet_campaign_detail", args=(campaign.pk,)))
    assert Campaign.objects.get().status == "closed"
    client.force_login(world.staff_b)
    assert client.get(reverse("vet_campaign_detail", args=(campaign.pk,))).status_code == 403
    assert client.get(reverse("vet_campaign_add")).status_code == 403


def _add_schools(world, fw, standards, n, campaign=None):
    schools = [factories.InstitutionFactory(province=world.province_a) for _ in range(n)]
    for school in schools:
        sa = make_submitted(school, fw, standards, year=2025)
        ea = ext.start_external_assessment(world.admin, sa)
        ext.add_finding(world.admin, ea, severity="minor", text="f")
        ext.action_items_from_findings(world.admin, ea, datetime.date(2020, 1, 1), "o")
        ext.open_campaign(world.admin, authority=world.authority_a, title=f"c{school.pk}", framework=fw,
                          year=2025, due_date=datetime.date(2026, 1, 1), institutions=[school])
    if campaign is None:
        campaign = Campaign.objects.order_by("pk").first()
    campaign.institutions.add(*schools)
    return campaign


def _query_counts(client, campaign, django_assert_max_num_queries):
    counts = {}
    for name, args in (("vet_external_list", ()), ("vet_action_items", ()), ("vet_overdue_report", ()),
                       ("vet_campaigns", ()), ("vet_campaign_detail", (campaign.pk,))):
        with django_assert_max_num_queries(25) as captured:
            assert client.get(reverse(name, args=args)).status_code == 200
        counts[name] = len(captured.captured_queries)
    return counts


def test_list_pages_have_a_fixed_number_of_queries(client, world, framework, django_assert_max_num_queries):
    fw, standards = framework
    campaign = _add_schools(world, fw, standards, 3)
    client.force_login(world.officer_a)
    client.get(reverse("vet_external_list"))  # warm caches (menus, roles)
    three = _query_counts(client, campaign, django_assert_max_num_queries)
    _add_schools(world, fw, standards, 7, campaign)
    ten = _query_counts(client, campaign, django_assert_max_num_queries)
    assert three == ten


def test_assessment_page_queries_do_not_grow_with_standards(client, world, submitted, django_assert_max_num_queries):
    ea = ext.start_external_assessment(world.officer_a, submitted)
    client.force_login(world.officer_a)
    client.get(reverse("vet_external_detail", args=(ea.pk,)))
    with django_assert_max_num_queries(40):
        assert client.get(reverse("vet_external_detail", args=(ea.pk,))).status_code == 200
