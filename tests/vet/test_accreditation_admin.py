"""The accreditation frameworks in the Wagtail back-office: everyone logged in reads, administrators write,
and the framework's page shows its criteria, its pass rules in words and a notice on sample standards."""

import pytest
from django.urls import reverse

from vet.loaders import load_accreditation_frameworks
from vet.models import AccreditationFramework, Criterion, Standard

TT15, TT14 = "TT15-2017-SCHOOL", "TT14-2024-SCHOOL"
VIEWS = ("list", "add", "edit", "inspect", "delete", "history")
READS = ("list", "inspect")


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def loaded(db):
    load_accreditation_frameworks()


def url(model, view: str, obj=None) -> str:
    args = () if view in ("list", "add") else (obj.pk,)
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


def _targets():
    framework = AccreditationFramework.objects.get(code=TT14)
    criterion = framework.criteria.order_by("number").first()
    return {AccreditationFramework: framework, Criterion: criterion, Standard: criterion.standards.first()}


def _counts():
    return AccreditationFramework.objects.count(), Criterion.objects.count(), Standard.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "officer", "staff"])
@pytest.mark.parametrize("model", [AccreditationFramework, Criterion, Standard], ids=lambda m: m.__name__)
def test_screens_by_role(client, world, loaded, role, model):
    client.force_login(world.user(role))
    obj = _targets()[model]
    for view in VIEWS:
        response = client.get(url(model, view, obj))
        expected = 200 if role == "admin" or view in READS else 403
        assert response.status_code == expected, (view, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "staff"])
def test_non_administrators_write_nothing(client, world, loaded, role):
    client.force_login(world.user(role))
    before = _counts()
    targets = _targets()
    framework = targets[AccreditationFramework]
    name_before = framework.name_en
    assert client.post(url(AccreditationFramework, "add"), {"code": "NEW-1", "name_vi": "x"}).status_code == 403
    assert client.post(url(AccreditationFramework, "edit", framework),
                       {"code": framework.code, "name_vi": "x", "name_en": "x"}).status_code == 403
    for model, obj in targets.items():
        assert client.post(url(model, "delete", obj)).status_code == 403
    assert _counts() == before
    framework.refresh_from_db()
    assert framework.name_en == name_before


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, loaded):
    response = client.get(url(AccreditationFramework, "list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "officer", "staff"])
def test_inspect_shows_criteria_unconfirmed_empty_rules_and_sample_notice(client, world, loaded, role):
    client.force_login(world.user(role))
    framework = AccreditationFramework.objects.get(code=TT14)
    page = client.get(url(AccreditationFramework, "inspect", framework)).content.decode()
    assert "No pass rule defined — thresholds not yet known, editable data." in page
    assert "unconfirmed" in page
    assert "Sample standards — not the legal text." in page
    assert "Criteria (8)" in page
    assert "Learners and learner support" in page


@pytest.mark.django_db
def test_inspect_shows_pass_rules_in_words_and_no_sample_notice_without_samples(client, world, loaded):
    client.force_login(world.staff_a)
    framework = AccreditationFramework.objects.get(code=TT15)
    page = client.get(url(AccreditationFramework, "inspect", framework)).content.decode()
    assert "At least 80 points in total." in page
    assert "Every criterion reaches at least 60% of its benchmark points." in page
    assert "Each core criterion reaches at least 80% of its benchmark points." in page
    assert "Criteria (9)" in page
    assert "No pass rule defined" not in page
    assert "data-unconfirmed" not in page
    if not Standard.objects.filter(criterion__framework=framework, is_sample=True).exists():
        assert "Sample standards — not the legal text." not in page


@pytest.mark.django_db
def test_lists_filter_and_search(client, world, loaded):
    client.force_login(world.officer_a)
    tt14 = AccreditationFramework.objects.get(code=TT14)
    page = client.get(url(Criterion, "list"), {"framework": tt14.pk, "is_core": "false"}).content.decode()
    assert "Learners and learner support" in page
    assert client.get(url(Standard, "list"), {"is_sample": "true"}).status_code == 200
    page = client.get(url(AccreditationFramework, "list"), {"q": "TT15"}).content.decode()
    assert TT15 in page and TT14 not in page
