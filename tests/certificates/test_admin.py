"""The certificates back-office: the submenu, who reaches which screen, and every write through the services
(enrol, record result and graduation, revoke, re-issue), the template preview and the classification rules."""

import datetime
import hashlib
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from PIL import Image
from wagtail import hooks

from certificates import choices, services
from certificates.admin_views import main, main_templates
from certificates.admin_views.main_common import CONSTRUCT_HOOK, MENU_HOOK
from certificates.models import (
    ClassificationRule,
    Cohort,
    Diploma,
    DiplomaTemplate,
    Enrolment,
    IssuingProfile,
    Learner,
    RegisterEntry,
    TemplateImage,
)
from tests import factories
from tests.certificates.conftest import graduate

OK, DENIED = 200, 403
P = "wagtailsnippets_certificates_"
ROLES = ("admin", "officer_a", "officer_b", "staff_a", "staff_b")


@pytest.fixture(autouse=True)
def _english(client, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def diploma(world, cohort, rules):
    return services.issue_diploma(
        user=world.staff_a, enrolment=graduate(cohort, full_name="Phạm Thị Hằng"), issued_on=datetime.date(2026, 7, 15)
    )


@pytest.fixture
def school_b_cohort(world):
    curriculum = factories.CurriculumFactory(institution=world.school_b)
    version = factories.CurriculumVersionFactory(
        curriculum=curriculum, status="approved", approved_on=datetime.date(2025, 6, 1)
    )
    return factories.CohortFactory(curriculum_version=version, code="HP-K1")


def url(model: str, view: str, *args) -> str:
    return reverse(f"{P}{model}:{view}", args=args)


def _get(client, user, address):
    client.force_login(user)
    return client.get(address)


def _post(client, user, address, data=None, **kwargs):
    client.force_login(user)
    return client.post(address, data or {}, **kwargs)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _png(color=(200, 20, 20, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), color).save(out, "PNG")
    return out.getvalue()


def _template_data(template: DiplomaTemplate, **changes) -> dict:
    data = {
        "institution": template.institution_id,
        "kind": template.kind,
        "name": template.name,
        "signer_title_vi": template.signer_title_vi,
        "signer_title_en": template.signer_title_en,
        "signer_name": template.signer_name,
        "primary_color": template.primary_color,
        "accent_color": template.accent_color,
        "wording_vi": template.wording_vi,
        "wording_en": template.wording_en,
        "is_active": "on" if template.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------------------------- the menu


def _certificates_submenu(request):
    from wagtail.admin.menu import admin_menu

    for item in admin_menu.menu_items_for_request(request):
        if item.name == "certificates":
            return item
    return None


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_certificates_menu_lists_the_screens_each_role_may_open(world):
    for user in (world.staff_a, world.officer_a, world.admin):
        submenu = _certificates_submenu(_request(user))
        assert submenu is not None
        names = {item.name for item in submenu.menu.menu_items_for_request(_request(user))}
        assert {
            "diplomas",
            "cohorts",
            "results",
            "learners",
            "diploma-templates",
            "issuing-profiles",
            "classification-rules",
        } <= names


def test_certificates_menu_takes_items_from_its_hooks(world):
    from wagtail.admin.menu import MenuItem

    def extra():
        return MenuItem("Extra page", "/admin/extra/", name="extra-page", order=150)

    def drop_learners(request, items):
        items[:] = [item for item in items if item.name != "learners"]

    with hooks.register_temporarily(MENU_HOOK, extra), hooks.register_temporarily(CONSTRUCT_HOOK, drop_learners):
        submenu = main.CertificatesViewSetGroup().get_menu_item()
        items = submenu.menu.menu_items_for_request(_request(world.staff_a))
    names = [item.name for item in sorted(items, key=lambda i: i.order)]
    assert "extra-page" in names and "learners" not in names
    assert names.index("diplomas") < names.index("extra-page") < names.index("cohorts")


# ---------------------------------------------------------------------------------------------- screens

LISTS = ("diploma", "cohort", "enrolment", "learner", "diplomatemplate", "issuingprofile", "classificationrule")


@pytest.mark.parametrize("model", LISTS)
def test_list_pages_render_for_every_role(client, world, diploma, model):
    for role in ROLES:
        assert _get(client, getattr(world, role), url(model, "list")).status_code == OK, (model, role)


INSPECT = {  # view: admin, officer_a, officer_b, staff_a, staff_b, for rows of school_a
    "inspect": (OK, OK, DENIED, OK, DENIED),
    "edit": (OK, DENIED, DENIED, OK, DENIED),
    "history": (OK, DENIED, DENIED, OK, DENIED),
}


def _rows(diploma):
    enrolment = diploma.enrolment
    return {
        "cohort": enrolment.cohort,
        "enrolment": enrolment,
        "diplomatemplate": diploma.template,
        "issuingprofile": IssuingProfile.objects.get(institution=diploma.institution),
    }


@pytest.mark.parametrize("view", INSPECT)
@pytest.mark.parametrize("model", ["cohort", "enrolment", "diplomatemplate", "issuingprofile"])
def test_object_pages_answer_each_role(client, world, diploma, model, view):
    row = _rows(diploma)[model]
    if model == "enrolment" and view == "edit":
        row = graduate(diploma.enrolment.cohort)  # the issued one is locked (see below)
    for role, expected in zip(ROLES, INSPECT[view], strict=True):
        response = _get(client, getattr(world, role), url(model, view, row.pk))
        assert response.status_code == expected, (model, view, role)


def test_read_only_pages_answer_each_role(client, world, diploma):
    pages = [
        url("diploma", "inspect", diploma.pk),
        url("learner", "inspect", diploma.enrolment.learner_id),
        url("diplomatemplate", "sample", diploma.template_id),
        url("diplomatemplate", "sample_frame", diploma.template_id),
    ]
    for address in pages:
        for role, expected in zip(ROLES, INSPECT["inspect"], strict=True):
            assert _get(client, getattr(world, role), address).status_code == expected, (address, role)


def test_diplomas_and_learners_have_no_generic_forms(client, world, diploma):
    for model in ("diploma", "learner"):
        with pytest.raises(NoReverseMatch):
            url(model, "add")
        for view in ("edit", "delete", "history"):
            with pytest.raises(NoReverseMatch):
                url(model, view, diploma.pk)
    page = _get(client, world.admin, url("diploma", "list")).content.decode()
    assert "data-bulk-action-checkbox" not in page and "/admin/snippets/certificates/diploma/add/" not in page
    assert "data-bulk-action-checkbox" in _get(client, world.admin, url("cohort", "list")).content.decode()


def test_lists_show_only_rows_in_scope(client, world, diploma, school_b_cohort):
    theirs = factories.EnrolmentFactory(cohort=school_b_cohort, learner=factories.LearnerFactory(full_name="Bùi Văn B"))
    for user, mine, other in [
        (world.staff_a, True, False),
        (world.staff_b, False, True),
        (world.officer_a, True, False),
        (world.admin, True, True),
    ]:
        cohorts = set(_get(client, user, url("cohort", "list")).context["object_list"])
        assert (diploma.enrolment.cohort in cohorts, school_b_cohort in cohorts) == (mine, other)
        learners = set(_get(client, user, url("learner", "list")).context["object_list"])
        assert (diploma.enrolment.learner in learners, theirs.learner in learners) == (mine, other)
        diplomas = set(_get(client, user, url("diploma", "list")).context["object_list"])
        assert (diploma in diplomas) == mine


def test_officer_sees_no_write_buttons_and_is_refused_on_post(client, world, diploma):
    cohort = diploma.enrolment.cohort
    page = _get(client, world.officer_a, url("cohort", "list")).content.decode()
    assert url("cohort", "add") not in page
    page = _get(client, world.officer_a, url("diploma", "inspect", diploma.pk)).content.decode()
    assert "data-revoke" not in page and "data-reissue" not in page
    page = _get(client, world.officer_a, url("cohort", "inspect", cohort.pk)).content.decode()
    assert "Enrol a learner" not in page and "Record result" not in page
    assert (
        _post(client, world.officer_a, url("diploma", "revoke", diploma.pk), {"reason": "Officer tries"}).status_code
        == DENIED
    )
    assert (
        _post(
            client,
            world.officer_a,
            url("cohort", "edit", cohort.pk),
            {"code": "X", "intake_year": 2023, "grading_scale": "credit_4"},
        ).status_code
        == DENIED
    )
    assert _post(client, world.officer_a, url("enrolment", "add"), {}).status_code == DENIED
    diploma.refresh_from_db()
    cohort.refresh_from_db()
    assert diploma.status == choices.DiplomaStatus.VALID and cohort.code != "X"


# ------------------------------------------------------------------------------------------------ cohorts


def test_cohort_form_offers_only_approved_versions_of_the_school(client, world, cohort, school_b_cohort):
    mine_draft = factories.CurriculumVersionFactory(curriculum=cohort.curriculum_version.curriculum)
    form = _get(client, world.staff_a, url("cohort", "add")).context["form"]
    offered = set(form.fields["curriculum_version"].queryset)
    assert cohort.curriculum_version in offered
    assert mine_draft not in offered and school_b_cohort.curriculum_version not in offered
    response = _post(
        client,
        world.staff_a,
        url("cohort", "add"),
        {
            "curriculum_version": school_b_cohort.curriculum_version.pk,
            "code": "STOLEN",
            "intake_year": 2024,
            "grading_scale": "credit_4",
            "college_title": "practical_engineer",
        },
    )
    assert response.status_code == OK and "curriculum_version" in response.context["form"].errors
    response = _post(
        client,
        world.staff_a,
        url("cohort", "add"),
        {
            "curriculum_version": cohort.curriculum_version.pk,
            "code": "ĐCN-2024-MỚI",
            "intake_year": 2024,
            "grading_scale": "credit_4",
            "college_title": "practical_engineer",
        },
    )
    assert response.status_code == 302
    assert Cohort.objects.filter(code="ĐCN-2024-MỚI", curriculum_version=cohort.curriculum_version).exists()


def test_cohort_page_lists_its_enrolments_with_links(client, world, diploma):
    cohort = diploma.enrolment.cohort
    waiting = graduate(cohort, full_name="Võ Minh Tâm")
    page = _get(client, world.staff_a, url("cohort", "inspect", cohort.pk)).content.decode()
    assert "Phạm Thị Hằng" in page and "Võ Minh Tâm" in page
    assert url("diploma", "inspect", diploma.pk) in page
    assert url("enrolment", "edit", waiting.pk) in page  # the one without a diploma can still be edited
    assert url("enrolment", "edit", diploma.enrolment_id) not in page
    assert f"{url('enrolment', 'list')}?cohort={cohort.pk}" in page


# -------------------------------------------------------------------------------------- enrol and results


def _enrol_data(cohort, **changes):
    data = {
        "cohort": cohort.pk,
        "citizen_id": "082205001111",
        "full_name": "Đặng Thu Trang",
        "date_of_birth": "2005-04-01",
        "sex": "female",
        "place_of_birth": "Tiền Giang",
        "ethnicity": "Kinh",
        "student_number": "SV001",
    }
    data.update(changes)
    return data


def test_enrol_registers_the_learner_and_the_enrolment(client, world, cohort):
    response = _post(client, world.staff_a, url("enrolment", "add"), _enrol_data(cohort))
    assert response.status_code == 302 and response["Location"] == url("cohort", "inspect", cohort.pk)
    learner = Learner.objects.get(citizen_id="082205001111")
    assert Enrolment.objects.filter(cohort=cohort, learner=learner, student_number="SV001").exists()
    # The same person again (another cohort or a second try) is found, never duplicated.
    _post(client, world.staff_a, url("enrolment", "add"), _enrol_data(cohort))
    assert Learner.objects.filter(citizen_id="082205001111").count() == 1
    assert Enrolment.objects.filter(learner=learner).count() == 1


def test_enrol_refuses_a_conflicting_citizen_id_on_the_field(client, world, cohort):
    factories.LearnerFactory(citizen_id="082205001111", full_name="Người Khác")
    response = _post(client, world.staff_a, url("enrolment", "add"), _enrol_data(cohort))
    assert response.status_code == OK
    assert "citizen_id" in response.context["form"].errors
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_enrol_offers_only_the_schools_own_cohorts(client, world, cohort, school_b_cohort):
    response = _post(client, world.staff_b, url("enrolment", "add"), _enrol_data(cohort))
    assert response.status_code == OK and "cohort" in response.context["form"].errors
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def _result(enrolment, **changes):
    data = {
        "final_score": "3.20",
        "all_credits_completed": "on",
        "graduation_decision_number": "45/QĐ-CĐA",
        "graduation_date": "2026-06-30",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _ungraded(cohort):
    return factories.EnrolmentFactory(
        cohort=cohort,
        final_score=None,
        graduated=False,
        classification="",
        graduation_decision_number="",
        graduation_date=None,
    )


def test_result_form_records_result_and_graduation_through_the_services(client, world, cohort, rules):
    enrolment, disciplined = _ungraded(cohort), _ungraded(cohort)
    response = _post(client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment))
    assert response.status_code == 302 and response["Location"] == url("cohort", "inspect", cohort.pk)
    enrolment.refresh_from_db()
    assert enrolment.final_score == Decimal("3.20") and enrolment.graduated
    assert enrolment.classification == choices.Classification.VERY_GOOD  # computed by the bands, not typed
    # Disciplined: one step lower (the band says so).
    _post(client, world.staff_a, url("enrolment", "edit", disciplined.pk), _result(disciplined, disciplined="on"))
    disciplined.refresh_from_db()
    assert disciplined.disciplined and disciplined.classification == choices.Classification.GOOD


def test_result_form_regrades_a_graduate_under_the_same_decision(client, world, cohort, rules):
    enrolment = _ungraded(cohort)
    _post(client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment))
    _post(client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment, final_score="2.60"))
    enrolment.refresh_from_db()
    assert enrolment.final_score == Decimal("2.60")
    assert enrolment.classification == choices.Classification.GOOD


def test_result_form_shows_the_services_refusals(client, world, cohort, rules):
    enrolment = _ungraded(cohort)
    response = _post(
        client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment, final_score="4.50")
    )
    assert response.status_code == OK and "final_score" in response.context["form"].errors
    response = _post(
        client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment, final_score="1.50")
    )
    assert response.status_code == OK
    assert "below the graduation score" in " ".join(response.context["form"].non_field_errors())
    enrolment.refresh_from_db()
    assert enrolment.final_score is None and not enrolment.graduated  # nothing half-saved
    response = _post(
        client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment, graduation_date="")
    )
    assert "graduation_date" in response.context["form"].errors


def test_result_of_an_issued_diploma_no_longer_changes(client, world, diploma):
    enrolment = diploma.enrolment
    page = _get(client, world.staff_a, url("enrolment", "edit", enrolment.pk))
    assert "data-issued-notice" in page.content.decode()
    response = _post(
        client, world.staff_a, url("enrolment", "edit", enrolment.pk), _result(enrolment, final_score="2.10")
    )
    assert response.status_code == OK
    assert "can no longer change" in " ".join(response.context["form"].non_field_errors())
    enrolment.refresh_from_db()
    assert enrolment.final_score == Decimal("3.20") and enrolment.classification == "very_good"


def test_results_list_filters_by_cohort(client, world, cohort, school_b_cohort):
    mine = graduate(cohort)
    other = factories.CohortFactory(curriculum_version=cohort.curriculum_version, code="ĐCN-KHÁC")
    elsewhere = graduate(other)
    rows = set(_get(client, world.staff_a, f"{url('enrolment', 'list')}?cohort={cohort.pk}").context["object_list"])
    assert mine in rows and elsewhere not in rows
    # Another school's cohort is not even offered as a filter.
    form = _get(client, world.staff_a, url("enrolment", "list")).context["filters"].form
    assert school_b_cohort not in set(form.fields["cohort"].queryset)


# -------------------------------------------------------------------------------------------------- diplomas


def test_diploma_page_shows_snapshot_register_pdf_and_verification(client, world, diploma):
    page = _get(client, world.staff_a, url("diploma", "inspect", diploma.pk)).content.decode()
    assert "Phạm Thị Hằng" in page and diploma.serial in page and diploma.register_number in page
    assert "Kỹ sư thực hành" in page  # from the frozen snapshot
    assert reverse("certificates:verify", args=(diploma.code,)) in page
    assert url("diploma", "pdf", diploma.pk) in page
    assert "data-revoke" in page and "data-reissue" in page
    entry = RegisterEntry.objects.get(diploma=diploma)
    assert entry.entry_hash[:12] in page


def test_diploma_pdf_download_is_permission_checked(client, world, diploma):
    response = _get(client, world.staff_a, url("diploma", "pdf", diploma.pk))
    assert response.status_code == OK and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert _get(client, world.staff_b, url("diploma", "pdf", diploma.pk)).status_code == DENIED


def test_revoke_through_the_admin_needs_a_reason_and_writes_the_register(client, world, diploma):
    address = url("diploma", "revoke", diploma.pk)
    response = _post(client, world.staff_a, address, {"reason": "   "})
    assert response.status_code == OK and "reason" in response.context["form"].errors
    assert RegisterEntry.objects.filter(diploma=diploma).count() == 1
    response = _post(client, world.staff_a, address, {"reason": "Quyết định thu hồi số 7/QĐ"})
    assert response.status_code == 302 and response["Location"] == url("diploma", "inspect", diploma.pk)
    diploma.refresh_from_db()
    assert diploma.status == choices.DiplomaStatus.REVOKED
    entry = RegisterEntry.objects.filter(diploma=diploma).order_by("-position").first()
    assert (entry.action, entry.reason, entry.actor) == ("revoke", "Quyết định thu hồi số 7/QĐ", world.staff_a)
    # Once revoked, neither action is offered, and a second try is refused on the form by the service.
    page = _get(client, world.staff_a, url("diploma", "inspect", diploma.pk)).content.decode()
    assert "data-revoke" not in page and "data-reissue" not in page
    response = _post(client, world.staff_a, url("diploma", "reissue", diploma.pk), {"reason": "Mất bằng"})
    assert response.status_code == OK and "data-not-valid" in response.content.decode()
    assert RegisterEntry.objects.filter(diploma__enrolment=diploma.enrolment).count() == 2


def test_reissue_through_the_admin_issues_a_new_diploma(client, world, diploma):
    response = _post(
        client,
        world.staff_a,
        url("diploma", "reissue", diploma.pk),
        {"reason": "Bằng bị mất", "issued_on": "2026-08-01"},
    )
    new = Diploma.objects.get(replaces=diploma)
    assert response.status_code == 302 and response["Location"] == url("diploma", "inspect", new.pk)
    diploma.refresh_from_db()
    assert diploma.status == choices.DiplomaStatus.REISSUED and new.serial != diploma.serial
    assert new.issued_on == datetime.date(2026, 8, 1)
    entry = RegisterEntry.objects.get(diploma=new)
    assert (entry.action, entry.reason) == ("reissue", "Bằng bị mất")
    old_page = _get(client, world.staff_a, url("diploma", "inspect", diploma.pk)).content.decode()
    assert url("diploma", "inspect", new.pk) in old_page
    assert "Bằng bị mất" in old_page  # the re-issue entry that replaced it, with its reason


def test_reissue_refused_for_another_school(client, world, diploma):
    assert _post(client, world.staff_b, url("diploma", "reissue", diploma.pk), {"reason": "x"}).status_code == DENIED
    assert not Diploma.objects.filter(replaces=diploma).exists()


def _clone(diploma, n):
    """More diploma rows for the list (no PDF needed): the same snapshot under new numbers."""
    enrolment = graduate(diploma.enrolment.cohort)
    return Diploma.objects.create(
        code=f"TESTCODE{n:08d}",
        enrolment=enrolment,
        institution=diploma.institution,
        kind=diploma.kind,
        year=diploma.year,
        sequence=100 + n,
        serial=f"CĐA/2026/{100 + n:05d}",
        register_number=f"{100 + n}/SG",
        issued_on=diploma.issued_on,
        template=diploma.template,
        snapshot=diploma.snapshot,
        status=choices.DiplomaStatus.REVOKED if n % 2 else choices.DiplomaStatus.VALID,
    )


def test_diploma_list_filters_and_search(client, world, diploma):
    clones = [_clone(diploma, n) for n in range(4)]
    revoked = {d for d in clones if d.status == choices.DiplomaStatus.REVOKED}
    rows = set(_get(client, world.staff_a, f"{url('diploma', 'list')}?status=revoked").context["object_list"])
    assert rows == revoked
    rows = set(_get(client, world.staff_a, f"{url('diploma', 'list')}?q={clones[2].serial}").context["object_list"])
    assert rows == {clones[2]}
    rows = set(_get(client, world.staff_a, f"{url('diploma', 'list')}?q=Hằng").context["object_list"])
    assert rows == {diploma}
    Diploma.objects.filter(pk=clones[0].pk).update(year=2025)
    rows = set(_get(client, world.staff_a, f"{url('diploma', 'list')}?year=2025").context["object_list"])
    assert rows == {clones[0]}


@pytest.mark.parametrize("model", LISTS)
def test_list_queries_are_bounded(client, world, diploma, model, django_assert_max_num_queries):
    for n in range(30):
        _clone(diploma, n)
        factories.CohortFactory(curriculum_version=diploma.enrolment.cohort.curriculum_version)
    client.force_login(world.staff_a)
    client.get(url(model, "list"))  # warm the session
    with django_assert_max_num_queries(20):
        response = client.get(url(model, "list"))
    assert response.status_code == OK


def test_object_pages_queries_are_bounded(client, world, diploma, django_assert_max_num_queries):
    for n in range(30):
        _clone(diploma, n)
    client.force_login(world.staff_a)
    for address in (
        url("cohort", "inspect", diploma.enrolment.cohort_id),
        url("diploma", "inspect", diploma.pk),
        url("learner", "inspect", diploma.enrolment.learner_id),
    ):
        client.get(address)
        with django_assert_max_num_queries(25):
            assert client.get(address).status_code == OK


# -------------------------------------------------------------------------------------------- templates


def test_template_preview_shows_the_sample_holder_and_the_wording(client, world, diploma):
    template = diploma.template
    template.wording_vi = "Đào tạo liên kết với doanh nghiệp Omega"
    template.save()
    frame = _get(client, world.staff_a, url("diplomatemplate", "sample_frame", template.pk))
    html = frame.content.decode()
    assert frame.status_code == OK and frame["X-Frame-Options"] == "SAMEORIGIN"
    assert main_templates.SAMPLE_LEARNER["full_name"] in html
    assert "Đào tạo liên kết với doanh nghiệp Omega" in html
    assert main_templates.SPECIMEN_MARK in html and "Trường Cao đẳng Điện lực A" in html
    page = _get(client, world.staff_a, url("diplomatemplate", "sample", template.pk)).content.decode()
    assert url("diplomatemplate", "sample_frame", template.pk) in page and "<iframe" in page
    # Drawing a sample writes nothing: no image frozen, no diploma, no number taken.
    assert Diploma.objects.count() == 1


def test_template_preview_pdf(client, world, diploma, tmp_path):
    response = _get(client, world.staff_a, url("diplomatemplate", "sample_pdf", diploma.template_id))
    assert response.status_code == OK and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "specimen.pdf").write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "specimen.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "SPECIMEN" in text and main_templates.SAMPLE_LEARNER["full_name"] in text
        assert diploma.serial not in text  # no real number is printed on a specimen
    assert _get(client, world.staff_b, url("diplomatemplate", "sample_pdf", diploma.template_id)).status_code == DENIED


def test_saving_a_template_raises_its_version_and_never_changes_an_issued_diploma(client, world, diploma):
    template = diploma.template
    frozen = dict(diploma.snapshot)
    response = _post(
        client,
        world.staff_a,
        url("diplomatemplate", "edit", template.pk),
        _template_data(template, signer_name="Lê Thị Mới", wording_vi="Dòng mới"),
    )
    assert response.status_code == 302
    template.refresh_from_db()
    diploma.refresh_from_db()
    assert (template.signer_name, template.version) == ("Lê Thị Mới", 2)
    assert diploma.snapshot == frozen and diploma.snapshot["signer"]["name"] == "Trần Văn Bình"
    # Saving without a change keeps the version.
    _post(client, world.staff_a, url("diplomatemplate", "edit", template.pk), _template_data(template))
    template.refresh_from_db()
    assert template.version == 2


def test_template_images_are_checked_stored_privately_and_previewed(client, world, diploma):
    template = diploma.template
    address = url("diplomatemplate", "edit", template.pk)
    response = _post(
        client,
        world.staff_a,
        address,
        {**_template_data(template), "logo": SimpleUploadedFile("logo.png", b"not an image", "image/png")},
    )
    assert response.status_code == OK and "logo" in response.context["form"].errors
    png = _png()
    response = _post(
        client,
        world.staff_a,
        address,
        {**_template_data(template), "seal": SimpleUploadedFile("seal.png", png, "image/png")},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.seal
    # The edit form shows the stored image through the permission-checked view (private files have no URL).
    page = _get(client, world.staff_a, address).content.decode()
    image_url = url("diplomatemplate", "image", template.pk, "seal")
    assert image_url in page
    image = _get(client, world.staff_a, image_url)
    assert image.status_code == OK and b"".join(image.streaming_content) == png
    assert _get(client, world.staff_b, image_url).status_code == DENIED
    frozen_images = TemplateImage.objects.count()
    frame = _get(client, world.staff_a, url("diplomatemplate", "sample_frame", template.pk)).content.decode()
    assert "data:image/png;base64," in frame
    assert TemplateImage.objects.count() == frozen_images  # the preview freezes nothing
    diploma.refresh_from_db()
    assert hashlib.sha256(png).hexdigest() not in set(diploma.snapshot["template"].values())


def test_only_one_template_in_use_per_kind(client, world, diploma):
    template = diploma.template
    response = _post(client, world.staff_a, url("diplomatemplate", "add"), _template_data(template, name="Second"))
    assert response.status_code == OK and "is_active" in response.context["form"].errors
    response = _post(
        client, world.staff_a, url("diplomatemplate", "add"), _template_data(template, name="Second", is_active="")
    )
    assert response.status_code == 302 and DiplomaTemplate.objects.filter(name="Second").exists()


# -------------------------------------------------------------------------------------------- issuing profile


def test_issuing_profile_formats_are_validated_on_their_field(client, world, cohort):
    profile = IssuingProfile.objects.get(institution=world.school_a)
    data = {
        "institution": world.school_a.pk,
        "prefix": "CĐA",
        "serial_format": "{prefix}/{year}",
        "register_format": "{seq:04d}/{year}/{oops}",
        "place_vi": "",
        "place_en": "",
    }
    response = _post(client, world.staff_a, url("issuingprofile", "edit", profile.pk), data)
    errors = response.context["form"].errors
    assert response.status_code == OK and ("serial_format" in errors or "register_format" in errors)
    profile.refresh_from_db()
    assert profile.serial_format == "{prefix}/{year}/{seq:05d}"
    page = _get(client, world.staff_a, url("issuingprofile", "list")).content.decode()
    assert f"CĐA/{datetime.date.today().year}/00001" in page
    assert url("issuingprofile", "add") not in page  # one profile per institution, and it has one
    page = _get(client, world.staff_a, url("issuingprofile", "inspect", profile.pk)).content.decode()
    assert "data-next-numbers" in page


# -------------------------------------------------------------------------------------- classification rules


def test_classification_rules_readable_by_all_editable_by_administrators(client, world, rules):
    unconfirmed = ClassificationRule.objects.get(scale="year_10", classification="weak")
    assert not unconfirmed.confirmed
    for user in (world.staff_a, world.officer_a):
        page = _get(client, user, url("classificationrule", "list")).content.decode()
        assert "Unconfirmed — check against the source" in page and "04/2022/TT-BLĐTBXH" in page
        assert page.count("data-unconfirmed") == ClassificationRule.objects.filter(confirmed=False).count()
        assert url("classificationrule", "edit", unconfirmed.pk) not in page
        assert _get(client, user, url("classificationrule", "edit", unconfirmed.pk)).status_code == DENIED
    assert (
        _post(client, world.staff_a, url("classificationrule", "edit", unconfirmed.pk), {"confirmed": "on"}).status_code
        == DENIED
    )
    assert _get(client, world.admin, url("classificationrule", "edit", unconfirmed.pk)).status_code == OK
    unconfirmed.refresh_from_db()
    assert not unconfirmed.confirmed
