"""Self-assessments in the back-office: scoped list with the revocation-risk badge, create through the service,
the assessment page (score, checks, rating forms, council), saving ratings atomically, workflow buttons,
read-only for officers and once submitted, bounded queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from vet import choices
from vet import services_assessment as sas
from vet.models import CouncilMember, Evidence, SelfAssessment, SelfAssessmentRule

pytestmark = pytest.mark.django_db
P = "wagtailsnippets_vet_selfassessment"


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def framework(db):
    document = factories.LegalDocumentFactory(number="28/2017/TT-BLĐTBXH", kind=choices.LegalDocumentKind.CIRCULAR)
    SelfAssessmentRule.objects.create(document=document, valid_from=datetime.date(2018, 2, 1))
    fw = factories.AccreditationFrameworkFactory(code="FW-T", points_per_standard=Decimal(2))
    for number in (1, 2, 3):
        criterion = factories.CriterionFactory(framework=fw, number=number, name_vi=f"Tiêu chí {number}")
        for s in (1, 2, 3):
            factories.StandardFactory(criterion=criterion, code=f"{number}.{s}")
    return fw


@pytest.fixture
def sa(world, framework):
    return sas.create_self_assessment(world.staff_a, institution=world.school_a, framework=framework, year=2026)


def page(sa):
    return reverse(f"{P}:inspect", args=(sa.pk,))


def test_list_is_scoped_with_risk_badge(client, world, framework, sa):
    sas.create_self_assessment(world.staff_b, institution=world.school_b, framework=framework, year=2026)
    client.force_login(world.staff_a)
    response = client.get(reverse(f"{P}:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(world.school_a) in html and str(world.school_b) not in html
    assert "Revocation risk" in html  # nothing submitted in 2024 or 2025
    assert client.get(reverse(f"{P}:list"), {"year": 2026, "status": "planned"}).status_code == 200


def test_list_queries_are_bounded(client, world, framework, django_assert_max_num_queries):
    for school in (world.school_a, world.school_a2):
        for year in (2023, 2024, 2025, 2026):
            sas.create_self_assessment(world.admin, institution=school, framework=framework, year=year)
    client.force_login(world.officer_a)
    with django_assert_max_num_queries(40):
        response = client.get(reverse(f"{P}:list"))
    assert response.status_code == 200


def test_create_through_the_form(client, world, framework):
    client.force_login(world.staff_a)
    data = {"institution": world.school_a.pk, "framework": framework.pk, "year": 2026, "summary": ""}
    response = client.post(reverse(f"{P}:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sa = SelfAssessment.objects.get()
    assert sa.ratings.count() == 9
    again = client.post(reverse(f"{P}:add"), data)
    assert again.status_code == 200 and "already has a self-assessment" in again.content.decode()


def test_page_shows_score_checks_forms_and_council(client, world, sa, django_assert_max_num_queries):
    client.force_login(world.staff_a)
    with django_assert_max_num_queries(45):
        response = client.get(page(sa))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quality checks" in html and "Standard 1.1 is not rated." in html
    assert "The council has no chair" in html and "28/2017/TT-BLĐTBXH" in html
    assert "No pass rule defined" in html
    assert f'name="r{sa.ratings.first().pk}-met"' in html
    assert "Start the self-assessment" in html and "Add member" in html


def test_page_query_count_does_not_grow_with_standards(client, world, sa, django_assert_max_num_queries):
    ev = Evidence.objects.create(institution=world.school_a, code="E1", title="t")
    for r in sa.ratings.all():
        r.evidence.add(ev)
    client.force_login(world.staff_a)
    with django_assert_max_num_queries(45):
        assert client.get(page(sa)).status_code == 200


def test_saving_ratings_is_atomic(client, world, sa):
    ev = Evidence.objects.create(institution=world.school_a, code="E1", title="Minutes")
    ratings = list(sa.ratings.order_by("standard__code"))
    client.force_login(world.staff_a)
    url = reverse(f"{P}:ratings", args=(sa.pk,))
    good = {f"r{ratings[0].pk}-met": "yes", f"r{ratings[0].pk}-years_met": "2",
            f"r{ratings[0].pk}-narrative": "Done", f"r{ratings[0].pk}-evidence": [str(ev.pk)]}
    bad = {f"r{ratings[1].pk}-met": "yes", f"r{ratings[1].pk}-years_met": "-1"}
    response = client.post(url, {**good, **bad}, follow=True)
    assert "Nothing was saved." in response.content.decode()
    ratings[0].refresh_from_db()
    assert ratings[0].met is None
    response = client.post(url, good, follow=True)
    assert "1 ratings saved." in response.content.decode()
    ratings[0].refresh_from_db()
    assert ratings[0].met is True and list(ratings[0].evidence.all()) == [ev]


def test_workflow_and_council_buttons(client, world, sa):
    client.force_login(world.staff_a)
    client.post(reverse(f"{P}:workflow", args=(sa.pk, "start")))
    sa.refresh_from_db()
    assert sa.status == choices.AssessmentStatus.IN_PROGRESS
    response = client.post(reverse(f"{P}:workflow", args=(sa.pk, "submit")), follow=True)
    assert "cannot be submitted yet" in response.content.decode()
    add = reverse(f"{P}:council_add", args=(sa.pk,))
    client.post(add, {"full_name": "Head", "council_role": "chair", "member_type": "head"})
    member = CouncilMember.objects.get()
    client.post(reverse(f"{P}:council_remove", args=(sa.pk, member.pk)))
    assert not CouncilMember.objects.exists()


def test_officer_and_locked_read_only(client, world, sa):
    client.force_login(world.officer_a)
    html = client.get(page(sa)).content.decode()
    assert "You may read this self-assessment but not change it." in html
    assert "-met\"" not in html and "Add member" not in html
    assert client.post(reverse(f"{P}:workflow", args=(sa.pk, "start"))).status_code == 403
    client.force_login(world.staff_b)
    assert client.get(page(sa)).status_code in (403, 404)

    SelfAssessment.objects.filter(pk=sa.pk).update(status=choices.AssessmentStatus.SUBMITTED,
                                                   submitted_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    client.force_login(world.staff_a)
    html = client.get(page(sa)).content.decode()
    assert "this self-assessment is locked" in html and "Save all ratings" not in html
    response = client.post(reverse(f"{P}:council_add", args=(sa.pk,)),
                           {"full_name": "Late", "council_role": "member", "member_type": "staff"}, follow=True)
    assert "locked" in response.content.decode() and not CouncilMember.objects.exists()


def test_rules_readable_by_all_editable_by_admin(client, world, framework):
    rule = SelfAssessmentRule.objects.get()
    client.force_login(world.staff_a)
    assert client.get(reverse("wagtailsnippets_vet_selfassessmentrule:list")).status_code == 200
    assert client.get(reverse("wagtailsnippets_vet_selfassessmentrule:edit", args=(rule.pk,))).status_code == 403
    client.force_login(world.admin)
    assert client.get(reverse("wagtailsnippets_vet_selfassessmentrule:edit", args=(rule.pk,))).status_code == 200


def test_a_submitted_self_assessment_offers_the_officer_of_its_province_an_external_assessment(client, world, sa):
    start = reverse("vet_external_start", args=(sa.pk,))
    client.force_login(world.officer_a)
    assert start not in client.get(page(sa)).content.decode()  # not submitted yet

    SelfAssessment.objects.filter(pk=sa.pk).update(status=choices.AssessmentStatus.SUBMITTED,
                                                   submitted_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    html = client.get(page(sa)).content.decode()
    assert start in html and "Start an external assessment" in html
    client.force_login(world.staff_a)  # staff of the school: a conflict of interest, never offered
    assert start not in client.get(page(sa)).content.decode()

    client.force_login(world.officer_a)
    client.post(start, follow=True)
    external = sa.external_assessments.get()
    html = client.get(page(sa)).content.decode()
    assert reverse("vet_external_detail", args=(external.pk,)) in html and start not in html
