"""The Wagtail back-office of the registry: who reaches which screen, and that writes go through the services."""

from dataclasses import dataclass

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests import factories
from vet import choices, permissions
from vet.models import (
    Authority,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    Province,
    ScopeEntry,
    Teacher,
)

VIEWS = ("list", "add", "edit", "inspect", "delete", "history")
OK, DENIED = 200, 403
ALL = dict.fromkeys(VIEWS, OK)
READ_ONLY = {"list": OK, "add": DENIED, "edit": DENIED, "inspect": OK, "delete": DENIED, "history": DENIED}
NOTHING = dict.fromkeys(VIEWS, DENIED)


@pytest.fixture(autouse=True)
def _english(client, english):
    """These tests read the English labels; Vietnamese, the default, is tested in tests/test_translations.py."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@dataclass
class Rows:
    legal_document: LegalDocument
    occupation_field: OccupationField
    occupation: Occupation
    scope_a: ScopeEntry
    designation_a: KeyOccupationDesignation
    designation_b: KeyOccupationDesignation
    teacher_a: Teacher
    teacher_b: Teacher
    partner_a: EnterprisePartner
    partner_b: EnterprisePartner


@pytest.fixture
def rows(world) -> Rows:
    occupation = factories.OccupationFactory(name_vi="Điện công nghiệp", name_en="Industrial electrics")
    designation_a = factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=occupation)
    return Rows(
        legal_document=designation_a.decision,
        occupation_field=factories.OccupationFieldFactory(),
        occupation=occupation,
        scope_a=ScopeEntry.objects.get(institution=world.school_a, occupation=occupation),
        designation_a=designation_a,
        designation_b=factories.KeyOccupationDesignationFactory(institution=world.school_b, occupation=occupation),
        teacher_a=factories.TeacherFactory(institution=world.school_a, full_name="Lê Thị Hoa"),
        teacher_b=factories.TeacherFactory(institution=world.school_b, full_name="Trần Văn Bình"),
        partner_a=factories.EnterprisePartnerFactory(institution=world.school_a),
        partner_b=factories.EnterprisePartnerFactory(institution=world.school_b),
    )


def url(model, view: str, obj=None) -> str:
    args = () if view in ("list", "add") else (obj.pk,)
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


def form_data(instance, **changes) -> dict:
    """What the edit form posts for `instance`, with `changes` applied."""
    data = {}
    for name, value in {**model_to_dict(instance), **changes}.items():
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


# (model, the row in province A / school_a that the role is asked about, expected status per role and view)
MATRIX = [
    (
        LegalDocument,
        lambda w, r: r.legal_document,
        {"admin": ALL, "officer": {**READ_ONLY, "add": OK, "history": OK}, "staff": READ_ONLY},
    ),
    (Province, lambda w, r: w.province_a, {"admin": ALL, "officer": READ_ONLY, "staff": READ_ONLY}),
    (Authority, lambda w, r: w.authority_a, {"admin": ALL, "officer": READ_ONLY, "staff": READ_ONLY}),
    (OccupationField, lambda w, r: r.occupation_field, {"admin": ALL, "officer": READ_ONLY, "staff": READ_ONLY}),
    (Occupation, lambda w, r: r.occupation, {"admin": ALL, "officer": READ_ONLY, "staff": READ_ONLY}),
    (
        Institution,
        lambda w, r: w.school_a,
        {"admin": ALL, "officer": {**ALL, "delete": DENIED}, "staff": {**ALL, "add": DENIED, "delete": DENIED}},
    ),
    (ScopeEntry, lambda w, r: r.scope_a, {"admin": ALL, "officer": ALL, "staff": READ_ONLY}),
    (KeyOccupationDesignation, lambda w, r: r.designation_a, {"admin": ALL, "officer": ALL, "staff": READ_ONLY}),
    (Teacher, lambda w, r: r.teacher_a, {"admin": ALL, "officer": READ_ONLY, "staff": ALL}),
    (EnterprisePartner, lambda w, r: r.partner_a, {"admin": ALL, "officer": READ_ONLY, "staff": ALL}),
    (Membership, lambda w, r: w.staff_a.memberships.get(), {"admin": ALL, "officer": NOTHING, "staff": NOTHING}),
]


@pytest.mark.parametrize("role", ["admin", "officer", "staff", "public"])
@pytest.mark.parametrize(("model", "target", "expected"), MATRIX, ids=[m[0].__name__ for m in MATRIX])
def test_admin_screens_status_by_role(client, world, rows, role, model, target, expected):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    obj = target(world, rows)
    for view in VIEWS:
        response = client.get(url(model, view, obj))
        if user is None:
            assert response.status_code == 302, view
            assert response.url.startswith(reverse("wagtailadmin_login")), view
        else:
            assert response.status_code == expected[role][view], (view, response.status_code)


@pytest.mark.parametrize(
    ("role", "model", "target"),
    [
        pytest.param("staff", Institution, lambda w, r: w.school_a2, id="staff-other-institution"),
        pytest.param("staff", Teacher, lambda w, r: r.teacher_b, id="staff-other-schools-teacher"),
        pytest.param("staff", EnterprisePartner, lambda w, r: r.partner_b, id="staff-other-schools-partner"),
        pytest.param("officer", Institution, lambda w, r: w.school_b, id="officer-institution-other-province"),
        pytest.param(
            "officer", KeyOccupationDesignation, lambda w, r: r.designation_b, id="officer-designation-other-province"
        ),
    ],
)
def test_edit_view_refuses_rows_outside_the_role(client, world, rows, role, model, target):
    client.force_login(world.user(role))
    obj = target(world, rows)
    before = model_to_dict(obj)
    changed_field = {
        Institution: "name_en",
        Teacher: "field_of_study",
        EnterprisePartner: "sector",
        KeyOccupationDesignation: "note",
    }[model]

    assert client.get(url(model, "edit", obj)).status_code == 403
    response = client.post(url(model, "edit", obj), form_data(obj, **{changed_field: "Changed"}))

    assert response.status_code == 403
    obj.refresh_from_db()
    assert model_to_dict(obj) == before


def test_inspect_and_history_refuse_another_schools_teacher(client, world, rows):
    client.force_login(world.staff_a)

    assert client.get(url(Teacher, "inspect", rows.teacher_b)).status_code == 403
    assert client.get(url(Teacher, "history", rows.teacher_b)).status_code == 403
    assert client.post(url(Teacher, "delete", rows.teacher_b)).status_code == 403
    assert Teacher.objects.filter(pk=rows.teacher_b.pk).exists()


def test_edit_view_staff_cannot_change_authority_controlled_field(client, world):
    client.force_login(world.staff_a)

    page = client.get(url(Institution, "edit", world.school_a))
    assert page.context["form"].fields["code"].disabled
    assert page.context["form"].fields["province"].disabled
    assert not page.context["form"].fields["address"].disabled

    response = client.post(url(Institution, "edit", world.school_a), form_data(world.school_a, code="HIJACKED"))

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Only the provincial authority can change this field."]
    world.school_a.refresh_from_db()
    assert world.school_a.code == "SCH-A"


def test_edit_view_staff_saves_profile_and_history_shows_it(client, world):
    client.force_login(world.staff_a)
    data = form_data(world.school_a, address="12 Lê Lợi, Mỹ Tho")
    for locked in permissions.AUTHORITY_CONTROLLED_INSTITUTION_FIELDS:  # a browser does not post disabled fields
        data.pop(locked, None)

    response = client.post(url(Institution, "edit", world.school_a), data)

    assert response.status_code == 302
    world.school_a.refresh_from_db()
    assert world.school_a.address == "12 Lê Lợi, Mỹ Tho"
    record = world.school_a.history.first()
    assert record.history_type == "~"
    assert record.history_user == world.staff_a
    assert ModelLogEntry.objects.filter(object_id=str(world.school_a.pk), action="wagtail.edit").exists()

    history = client.get(url(Institution, "history", world.school_a))
    assert history.status_code == 200
    html = history.content.decode()
    assert "staff_a" in html
    assert "Address" in html
    assert "12 Lê Lợi, Mỹ Tho" in html
    assert history.context["object_list"][0].vet_changes == [
        {"label": "Address", "old": "—", "new": "12 Lê Lợi, Mỹ Tho"}
    ]


def test_edit_view_officer_change_appears_in_history_with_field_names(client, world, rows):
    client.force_login(world.officer_a)
    data = form_data(rows.designation_a, tier=choices.Tier.ASEAN, period_end=2029)

    assert client.post(url(KeyOccupationDesignation, "edit", rows.designation_a), data).status_code == 302

    history = client.get(url(KeyOccupationDesignation, "history", rows.designation_a))
    changes = history.context["object_list"][0].vet_changes
    assert {"label": "Tier", "old": "National", "new": "ASEAN"} in changes
    assert {"label": "Period end", "old": "2030", "new": "2029"} in changes
    assert "officer_a" in history.content.decode()


def test_create_view_shows_service_error_and_saves_nothing(client, world, rows):
    client.force_login(world.officer_a)
    outside_scope = factories.OccupationFactory()
    data = form_data(
        KeyOccupationDesignation(
            institution=world.school_a,
            occupation=outside_scope,
            level=choices.Level.COLLEGE,
            tier=choices.Tier.NATIONAL,
            period_start=2024,
            period_end=2028,
            decision=rows.legal_document,
        )
    )

    response = client.post(url(KeyOccupationDesignation, "add"), data)

    assert response.status_code == 200
    assert "not in the registered scope" in response.context["form"].errors["occupation"][0]
    assert not KeyOccupationDesignation.objects.filter(occupation=outside_scope).exists()


def test_create_view_offers_only_institutions_of_the_officers_province(client, world):
    client.force_login(world.officer_a)

    form = client.get(url(ScopeEntry, "add")).context["form"]

    assert set(form.fields["institution"].queryset) == {world.school_a, world.school_a2}


def test_create_view_officer_registers_institution_in_own_province_only(client, world):
    client.force_login(world.officer_a)
    new = Institution(
        code="NEW-1",
        name_vi="Trường Trung cấp Mới",
        type=choices.InstitutionType.INTERMEDIATE,
        ownership=choices.Ownership.PRIVATE,
        province=world.province_b,
    )

    response = client.post(url(Institution, "add"), form_data(new))

    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert set(response.context["form"].fields["province"].queryset) == {world.province_a}
    assert not Institution.objects.filter(code="NEW-1").exists()

    response = client.post(url(Institution, "add"), form_data(new, province=world.province_a.pk))
    assert response.status_code == 302
    assert Institution.objects.get(code="NEW-1").history.get().history_user == world.officer_a


def test_create_view_staff_adds_teacher_to_own_school_only(client, world):
    client.force_login(world.staff_a)
    teacher = Teacher(full_name="Phạm Minh", degree=choices.Degree.MASTER, industry_years=3)

    refused = client.post(url(Teacher, "add"), form_data(teacher, institution=world.school_b.pk))
    created = client.post(url(Teacher, "add"), form_data(teacher, institution=world.school_a.pk))

    assert refused.status_code == 200
    assert "institution" in refused.context["form"].errors
    assert created.status_code == 302
    assert list(Teacher.objects.filter(full_name="Phạm Minh").values_list("institution", flat=True)) == [
        world.school_a.pk
    ]


def test_delete_view_refused_by_service_keeps_row(client, world, rows):
    client.force_login(world.officer_a)

    response = client.post(url(ScopeEntry, "delete", rows.scope_a))

    assert response.status_code == 200
    assert "Key-occupation designations rest on this scope entry" in response.content.decode()
    assert ScopeEntry.objects.filter(pk=rows.scope_a.pk).exists()


def test_delete_view_deletes_through_service(client, world, rows):
    client.force_login(world.staff_a)

    response = client.post(url(Teacher, "delete", rows.teacher_a))

    assert response.status_code == 302
    assert not Teacher.objects.filter(pk=rows.teacher_a.pk).exists()
    deleted = Teacher.history.get(id=rows.teacher_a.pk, history_type="-")
    assert deleted.history_user == world.staff_a


def test_bulk_delete_goes_through_service(client, world, rows):
    client.force_login(world.admin)
    bulk_url = reverse("wagtail_bulk_action", args=("vet", "scopeentry", "delete"))

    client.post(f"{bulk_url}?id={rows.scope_a.pk}")

    assert ScopeEntry.objects.filter(pk=rows.scope_a.pk).exists()


def test_bulk_delete_skips_rows_the_user_may_not_delete(client, world, rows):
    client.force_login(world.staff_a)
    bulk_url = reverse("wagtail_bulk_action", args=("vet", "teacher", "delete"))

    response = client.post(f"{bulk_url}?id={rows.teacher_a.pk}&id={rows.teacher_b.pk}")

    assert response.status_code == 302
    assert set(Teacher.objects.values_list("full_name", flat=True)) == {"Trần Văn Bình"}
    assert Teacher.history.get(id=rows.teacher_a.pk, history_type="-").history_user == world.staff_a


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("staff", ["Lê Thị Hoa"], ["Trần Văn Bình"]),
        ("officer", ["Lê Thị Hoa"], ["Trần Văn Bình"]),
        ("admin", ["Lê Thị Hoa", "Trần Văn Bình"], []),
    ],
)
def test_index_view_lists_only_rows_the_role_may_see(client, world, rows, role, visible, hidden):
    client.force_login(world.user(role))

    response = client.get(url(Teacher, "list"))

    html = response.content.decode()
    assert all(name in html for name in visible)
    assert not any(name in html for name in hidden)


def test_index_view_links_edit_only_where_permitted(client, world):
    client.force_login(world.staff_a)

    html = client.get(url(Institution, "list")).content.decode()

    assert url(Institution, "edit", world.school_a) in html
    assert url(Institution, "edit", world.school_b) not in html
    assert url(Institution, "inspect", world.school_b) in html


@pytest.mark.parametrize(
    ("model", "query", "found", "missed"),
    [
        (Institution, "dien luc", "Trường Cao đẳng Điện lực A", "SCH-B"),
        (ScopeEntry, "dien cong", "Industrial electrics", None),  # English is active: the English name shows
        (Teacher, "hoa", "Lê Thị Hoa", "Trần Văn Bình"),
    ],
)
def test_index_view_search_ignores_diacritics(client, world, rows, model, query, found, missed):
    client.force_login(world.admin)

    html = client.get(url(model, "list"), {"q": query}).content.decode()

    assert found in html
    assert missed is None or missed not in html


def test_index_view_filters_by_province(client, world):
    client.force_login(world.admin)

    response = client.get(url(Institution, "list"), {"province": world.province_b.pk})

    assert list(response.context["object_list"]) == [world.school_b]


def test_inspect_view_institution_lists_related_rows(client, world, rows):
    client.force_login(world.staff_a)

    response = client.get(url(Institution, "inspect", world.school_a))

    sections = {s["title"]: s for s in response.context["related_sections"]}
    assert sections["Teachers"]["count"] == 1
    assert sections["Key-occupation designations"]["count"] == 1
    assert url(Teacher, "inspect", rows.teacher_a) in response.content.decode()


def test_inspect_view_other_institution_hides_its_teachers_from_staff(client, world, rows):
    client.force_login(world.staff_a)

    response = client.get(url(Institution, "inspect", world.school_b))

    sections = {s["title"]: s for s in response.context["related_sections"]}
    assert sections["Teachers"]["count"] == 0
    assert "Trần Văn Bình" not in response.content.decode()


def test_chooser_lists_only_rows_the_user_may_view(client, world, rows):
    client.force_login(world.staff_a)
    chooser = Teacher.snippet_viewset.chooser_viewset

    html = client.get(reverse(chooser.get_url_name("choose"))).json()["html"]

    assert "Lê Thị Hoa" in html
    assert "Trần Văn Bình" not in html


def test_create_view_membership_grants_admin_access(client, world):
    client.force_login(world.admin)
    newcomer = factories.UserFactory(username="newcomer")

    response = client.post(
        url(Membership, "add"),
        {
            "user": newcomer.pk,
            "role": choices.Role.SCHOOL_STAFF,
            "institution": world.school_b.pk,
        },
    )

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.has_perm("wagtailadmin.access_admin")


def test_dashboard_shows_the_officers_authority(client, world):
    client.force_login(world.officer_a)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Provincial authority officer" in html
    assert "DOET" in html


@pytest.mark.parametrize("view", ["edit", "inspect"])
def test_history_is_linked_from_edit_and_inspect(client, world, view):
    client.force_login(world.staff_a)

    html = client.get(url(Institution, view, world.school_a)).content.decode()

    assert url(Institution, "history", world.school_a) in html


def test_inspect_view_hides_history_link_from_readers(client, world):
    client.force_login(world.staff_a)

    html = client.get(url(Institution, "inspect", world.school_b)).content.decode()

    assert url(Institution, "history", world.school_b) not in html
    assert url(Institution, "edit", world.school_b) not in html
