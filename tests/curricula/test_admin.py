"""The curricula back-office: who reaches which screen, the version page, and the workflow through the services."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from curricula import services
from curricula.choices import ComponentGroup, ComponentKind
from curricula.choices import VersionStatus as S
from curricula.loaders import load_curriculum_rules
from curricula.models import Curriculum, CurriculumComponent, CurriculumVersion, VersionComment
from tests import factories
from tests.curricula.test_services import draft
from vet.choices import Level

OK, DENIED = 200, 403
VERSION = "wagtailsnippets_curricula_curriculumversion"
COMPONENT = "wagtailsnippets_curricula_curriculumcomponent"
CURRICULUM = "wagtailsnippets_curricula_curriculum"


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def curriculum_rules(db):
    load_curriculum_rules()


@pytest.fixture
def occupation(db):
    return factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")


@pytest.fixture
def curriculum(world, occupation):
    return factories.CurriculumFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)


@pytest.fixture
def version(world, curriculum, curriculum_rules):
    return draft(curriculum, user=world.staff_a)


@pytest.fixture
def version_b(world, curriculum_rules):
    other = factories.CurriculumFactory(institution=world.school_b, level=Level.COLLEGE)
    return factories.CurriculumVersionFactory(curriculum=other)


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def _workflow(version, action):
    return reverse(f"{VERSION}:workflow", args=(version.pk, action))


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _components(version, count, prefix="MĐ"):
    return [factories.CurriculumComponentFactory(version=version, code=f"{prefix}{i:02d}") for i in range(count)]


# ---------------------------------------------------------------------------------------------- screens


SCREENS = {  # view: admin, officer_a, officer_b, staff_a, staff_b, head_a, for a draft of school_a
    "list": (OK, OK, OK, OK, OK, OK),
    "add": (OK, DENIED, DENIED, OK, OK, OK),
    "inspect": (OK, OK, DENIED, OK, DENIED, OK),
    "edit": (OK, DENIED, DENIED, OK, DENIED, OK),
    "delete": (OK, DENIED, DENIED, OK, DENIED, OK),
    "history": (OK, DENIED, DENIED, OK, DENIED, OK),
}
ROLES = ("admin", "officer_a", "officer_b", "staff_a", "staff_b", "head_a")


@pytest.mark.parametrize("view", SCREENS)
@pytest.mark.parametrize("prefix", [CURRICULUM, VERSION, COMPONENT])
def test_admin_screens_answer_each_role(client, world, version, view, prefix):
    row = {CURRICULUM: version.curriculum, VERSION: version, COMPONENT: version.components.first()}[prefix]
    args = () if view in ("list", "add") else (row.pk,)
    for role, expected in zip(ROLES, SCREENS[view], strict=True):
        response = _get(client, getattr(world, role), reverse(f"{prefix}:{view}", args=args))
        assert response.status_code == expected, (prefix, view, role)


def test_version_list_shows_only_rows_in_scope(client, world, version, version_b):
    for user, mine, theirs in [(world.officer_a, True, False), (world.staff_b, False, True),
                               (world.admin, True, True)]:
        listed = set(_get(client, user, reverse(f"{VERSION}:list")).context["object_list"])
        assert (version in listed, version_b in listed) == (mine, theirs)


def test_version_list_marks_overdue_reviews(client, world, version):
    CurriculumVersion.objects.filter(pk=version.pk).update(
        status=S.APPROVED, approved_on=datetime.date(2020, 1, 1), next_review_on=datetime.date(2023, 1, 1))
    html = _get(client, world.staff_a, reverse(f"{VERSION}:list")).content.decode()
    assert "overdue" in html


def test_version_list_queries_are_bounded(client, world, curriculum_rules, django_assert_max_num_queries):
    for _i in range(12):
        curriculum = factories.CurriculumFactory(institution=world.school_a, level=Level.COLLEGE)
        factories.CurriculumVersionFactory(curriculum=curriculum)
    client.force_login(world.staff_a)
    with django_assert_max_num_queries(25):
        response = client.get(reverse(f"{VERSION}:list"))
    assert len(response.context["object_list"]) == 12


def test_version_form_offers_only_curricula_the_user_may_edit(client, world, version, version_b):
    form = _get(client, world.staff_a, reverse(f"{VERSION}:add")).context["form"]
    assert set(form.fields["curriculum"].queryset) == {version.curriculum}


# ------------------------------------------------------------------------------------------- writes


def test_admin_creates_curriculum_version_and_component(client, world, occupation, curriculum_rules):
    factories.ScopeEntryFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)
    response = _post(client, world.staff_a, reverse(f"{CURRICULUM}:add"), {
        "institution": world.school_a.pk, "occupation": occupation.pk, "level": Level.COLLEGE,
        "entry_requirement": "upper_secondary"})
    assert response.status_code == 302
    curriculum = Curriculum.objects.get(institution=world.school_a, occupation=occupation)
    response = _post(client, world.staff_a, reverse(f"{VERSION}:add"), {
        "curriculum": curriculum.pk, "decision_number": "", "signer": "", "origin": "domestic",
        "partner_country": "", "awarding_body": "", "output_standard": ""})
    version = CurriculumVersion.objects.get(curriculum=curriculum)
    assert response.status_code == 302 and response.url == reverse(f"{VERSION}:inspect", args=(version.pk,))
    assert version.status == S.DRAFT and version.history.first().history_user == world.staff_a

    add = reverse(f"{COMPONENT}:add") + f"?version={version.pk}"
    assert _get(client, world.staff_a, add).context["form"].initial["version"] == version.pk
    response = _post(client, world.staff_a, add, {
        "version": version.pk, "position": 1, "kind": ComponentKind.MODULE, "code": "MĐ01", "name_vi": "Đo lường",
        "name_en": "", "group": ComponentGroup.SPECIALISED, "compulsory": "on", "credits": "3",
        "theory_hours": 15, "practice_hours": 60, "internship_hours": 0, "exam_hours": 0, "general_subject_type": ""})
    assert response.status_code == 302 and response.url == reverse(f"{VERSION}:inspect", args=(version.pk,))
    assert version.components.get().credits == D(3)


def test_admin_curriculum_outside_scope_shows_service_error_on_field(client, world, occupation):
    response = _post(client, world.staff_a, reverse(f"{CURRICULUM}:add"), {
        "institution": world.school_a.pk, "occupation": occupation.pk, "level": Level.COLLEGE,
        "entry_requirement": "upper_secondary"})
    assert response.status_code == 200
    assert "registered scope" in " ".join(response.context["form"].errors["occupation"])
    assert not Curriculum.objects.exists()


def test_edit_submitted_version_shows_reason_instead_of_form(client, world, version):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    url = reverse(f"{VERSION}:edit", args=(version.pk,))
    html = _get(client, world.staff_a, url).content.decode()
    assert "can no longer be edited" in html and "Start a new version" in html
    assert 'id="w-editor-form"' not in html
    response = _post(client, world.staff_a, url, {"curriculum": version.curriculum_id, "signer": "Changed",
                                                   "origin": "domestic"})
    assert response.status_code == 200 and "can no longer be edited" in response.content.decode()
    version.refresh_from_db()
    assert version.signer == "Hiệu trưởng"


def test_edit_component_of_submitted_version_is_refused(client, world, version):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    component = version.components.first()
    html = _get(client, world.staff_a, reverse(f"{COMPONENT}:edit", args=(component.pk,))).content.decode()
    assert "can no longer be edited" in html and 'id="w-editor-form"' not in html


def test_draft_edit_page_shows_validation_report(client, world, version):
    html = _get(client, world.staff_a, reverse(f"{VERSION}:edit", args=(version.pk,))).content.decode()
    assert 'id="w-editor-form"' in html and "Validation report" in html and "Minimum total credits" in html


# ----------------------------------------------------------------------------------------- workflow


def test_workflow_submit_return_approve_by_head(client, world, version):
    response = _post(client, world.staff_a, _workflow(version, "submit"))
    assert response.status_code == 302 and response.url == reverse(f"{VERSION}:inspect", args=(version.pk,))
    version.refresh_from_db()
    assert version.status == S.SUBMITTED
    _post(client, world.staff_a, _workflow(version, "return"))
    version.refresh_from_db()
    assert version.status == S.DRAFT
    _post(client, world.staff_a, _workflow(version, "submit"))
    response = _post(client, world.head_a, _workflow(version, "approve"), {
        "decision_number": "99/QĐ-CĐĐL", "decision_date": "2025-06-01", "signer": "Nguyễn Văn A"})
    version.refresh_from_db()
    assert (version.status, version.decision_number, version.signer) == (S.APPROVED, "99/QĐ-CĐĐL", "Nguyễn Văn A")
    assert version.next_review_on is not None
    assert "approved" in _messages(client.get(response.url))


@pytest.mark.parametrize("role", ["staff_a", "officer_a", "officer_b", "staff_b"])
def test_workflow_approve_refused_for_other_roles(client, world, version, role):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    response = _post(client, getattr(world, role), _workflow(version, "approve"), {
        "decision_number": "99/QĐ", "decision_date": "2025-06-01", "signer": ""})
    assert response.status_code == DENIED
    version.refresh_from_db()
    assert (version.status, version.decision_number) == (S.SUBMITTED, "12/QĐ-CĐĐL")


def test_workflow_submit_refused_for_officer(client, world, version):
    assert _post(client, world.officer_a, _workflow(version, "submit")).status_code == DENIED
    version.refresh_from_db()
    assert version.status == S.DRAFT


def test_workflow_approve_failing_version_names_the_rule(client, world, curriculum, curriculum_rules):
    failing = draft(curriculum, user=world.staff_a, skip=("MH01",))
    services.submit_curriculum_version(user=world.staff_a, version=failing)
    response = _post(client, world.head_a, _workflow(failing, "approve"), {
        "decision_number": "12/QĐ-CĐĐL", "decision_date": "2025-06-01", "signer": ""})
    text = _messages(client.get(response.url))
    assert "cannot be approved" in text and "Political education" in text
    failing.refresh_from_db()
    assert failing.status == S.SUBMITTED


def test_workflow_start_new_version_copies_components(client, world, version):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    response = _post(client, world.staff_a, _workflow(version, "start"))
    new = CurriculumVersion.objects.exclude(pk=version.pk).get()
    assert response.url == reverse(f"{VERSION}:inspect", args=(new.pk,))
    assert new.status == S.DRAFT and new.components.count() == version.components.count()


def test_workflow_comments_by_officer_and_refused_for_other_province(client, world, version):
    _post(client, world.officer_a, _workflow(version, "comment"), {"text": "Kiểm tra lại giờ thực hành."})
    assert _post(client, world.officer_b, _workflow(version, "comment"), {"text": "x"}).status_code == DENIED
    comment = VersionComment.objects.get()
    assert (comment.author, comment.text) == (world.officer_a, "Kiểm tra lại giờ thực hành.")
    html = _get(client, world.staff_a, reverse(f"{VERSION}:inspect", args=(version.pk,))).content.decode()
    assert "Kiểm tra lại giờ thực hành." in html and "officer_a" in html


def test_workflow_empty_comment_shows_error(client, world, version):
    response = _post(client, world.staff_a, _workflow(version, "comment"), {"text": "  "})
    assert "Write a comment" in _messages(client.get(response.url))
    assert not VersionComment.objects.exists()


def test_workflow_get_not_allowed(client, world, version):
    assert _get(client, world.staff_a, _workflow(version, "submit")).status_code == 405


# ------------------------------------------------------------------------------------- the version page


def test_version_page_buttons_follow_role_and_status(client, world, version):
    url = reverse(f"{VERSION}:inspect", args=(version.pk,))
    staff = _get(client, world.staff_a, url).context
    assert staff["can_submit"] and staff["can_edit_components"] and not staff["can_approve"]
    officer = _get(client, world.officer_a, url).context
    assert not (officer["can_submit"] or officer["can_start"] or officer["can_edit_components"])
    assert officer["can_comment"]
    services.submit_curriculum_version(user=world.staff_a, version=version)
    head = _get(client, world.head_a, url)
    assert head.context["can_approve"] and head.context["can_return"] and not head.context["can_submit"]
    assert head.context["can_start"] and not _get(client, world.officer_a, url).context["can_start"]
    assert "Add subject or module" not in head.content.decode()


def test_version_page_shows_components_report_and_unconfirmed_note(client, world, version):
    html = _get(client, world.staff_a, reverse(f"{VERSION}:inspect", args=(version.pk,))).content.decode()
    assert "General subjects" in html and "MĐ07" in html and "Group total" in html
    assert "Minimum total credits" in html and "01/2024/TT-BLĐTBXH" in html
    assert "unconfirmed — shipped as editable data, check against the legal text" in html
    assert "curricula-status--pass" in html


def test_version_page_diff_shows_added_removed_changed(client, world, version):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    services.approve_curriculum_version(user=world.head_a, version=version, on=datetime.date(2025, 6, 2))
    new = services.start_curriculum_version(user=world.staff_a, curriculum=version.curriculum, based_on=version)
    changed = new.components.get(code="MĐ07")
    changed.theory_hours = 45
    services.save_curriculum_component(user=world.staff_a, component=changed)
    services.delete_curriculum_component(user=world.staff_a, component=new.components.get(code="MĐ08"))
    factories.CurriculumComponentFactory(version=new, code="MĐ99", name_vi="Mô-đun mới")
    response = _get(client, world.staff_a, reverse(f"{VERSION}:inspect", args=(new.pk,)))
    assert response.context["compare_with"] == version
    result = response.context["diff"]
    assert [c.code for c in result["added"]] == ["MĐ99"]
    assert [c.code for c in result["removed"]] == ["MĐ08"]
    assert result["changed"] == [{"code": "MĐ07", "changes": [{"label": "Theory hours", "old": "30", "new": "45"}]}]
    html = response.content.decode()
    assert "Mô-đun mới" in html and "30 → 45" in html


def test_version_page_overdue_banner_and_soft_note(client, world, version):
    url = reverse(f"{VERSION}:inspect", args=(version.pk,))
    today = datetime.date.today()
    CurriculumVersion.objects.filter(pk=version.pk).update(
        status=S.APPROVED, approved_on=today - datetime.timedelta(days=2000),
        next_review_on=today - datetime.timedelta(days=1))
    html = _get(client, world.staff_a, url).content.decode()
    assert "Review overdue." in html
    CurriculumVersion.objects.filter(pk=version.pk).update(next_review_on=today + datetime.timedelta(days=30))
    html = client.get(url).content.decode()
    assert "Review overdue." not in html and "is due for review on" in html
    CurriculumVersion.objects.filter(pk=version.pk).update(next_review_on=today + datetime.timedelta(days=400))
    assert "is due for review on" not in client.get(url).content.decode()


def _page_queries(client, django_assert_max_num_queries, version, limit):
    client.get(reverse(f"{VERSION}:inspect", args=(version.pk,)))  # warm the caches (site, locale)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse(f"{VERSION}:inspect", args=(version.pk,)))
    assert response.status_code == OK
    return len(captured)


def test_version_page_queries_do_not_grow_with_components(client, world, curriculum, curriculum_rules,
                                                          django_assert_max_num_queries):
    small = factories.CurriculumVersionFactory(curriculum=curriculum)
    large = factories.CurriculumVersionFactory(curriculum=curriculum)
    _components(small, 3)
    _components(large, 30)
    for v in (small, large):
        VersionComment.objects.create(version=v, author=world.officer_a, text="ok")
    client.force_login(world.officer_a)
    assert _page_queries(client, django_assert_max_num_queries, large, 40) <= _page_queries(
        client, django_assert_max_num_queries, small, 40)


# ------------------------------------------------------------------------------------------ dashboard


def test_dashboard_panel_lists_my_curricula(client, world, version, curriculum):
    submitted = factories.CurriculumVersionFactory(curriculum=curriculum)
    factories.CurriculumComponentFactory(version=submitted)
    services.submit_curriculum_version(user=world.staff_a, version=submitted)
    head = _get(client, world.head_a, reverse("wagtailadmin_home")).content.decode()
    assert "My curricula" in head and "Waiting for your approval" in head
    assert reverse(f"{VERSION}:inspect", args=(submitted.pk,)) in head
    assert reverse(f"{VERSION}:inspect", args=(version.pk,)) in head
    assert "My curricula" not in _get(client, world.officer_a, reverse("wagtailadmin_home")).content.decode()
    other = _get(client, world.staff_b, reverse("wagtailadmin_home")).content.decode()
    assert reverse(f"{VERSION}:inspect", args=(version.pk,)) not in other


def test_delete_submitted_version_is_refused_with_message(client, world, version):
    services.submit_curriculum_version(user=world.staff_a, version=version)
    response = _post(client, world.staff_a, reverse(f"{VERSION}:delete", args=(version.pk,)))
    assert response.status_code == 200 and "can no longer be edited" in _messages(response)
    assert CurriculumVersion.objects.filter(pk=version.pk).exists()
    assert CurriculumComponent.objects.filter(version=version).exists()


def test_curriculum_page_lists_versions_and_offers_a_draft(client, world, version):
    url = reverse(f"{CURRICULUM}:inspect", args=(version.curriculum_id,))
    staff = _get(client, world.staff_a, url)
    assert staff.context["versions"][0]["version"] == version
    add = staff.context["add_version_url"]
    assert _get(client, world.staff_a, add).context["form"].initial["curriculum"] == version.curriculum_id
    assert "add_version_url" not in _get(client, world.officer_a, url).context


def test_version_page_and_workflow_answer_404_for_unknown_rows(client, world, version):
    assert _get(client, world.admin, reverse(f"{VERSION}:inspect", args=(version.pk + 1000,))).status_code == 404
    missing = reverse(f"{VERSION}:workflow", args=(version.pk + 1000, "submit"))
    assert _post(client, world.staff_a, missing).status_code == 404
    assert _post(client, world.staff_a, _workflow(version, "publish")).status_code == 404
