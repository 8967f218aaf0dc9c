"""Program and school pages are a projection of the registry: published in both languages for an approved version
inside the school's scope, kept in step with it, withdrawn or deleted when the registry no longer backs them."""

import datetime
import logging
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import translation
from wagtail.models import Page, Site

from cms import services
from cms.models import HomePage, NewsIndexPage, ProgramIndexPage, ProgramPage, SchoolIndexPage, SchoolPage
from curricula import services as curricula_services
from curricula.choices import EntryRequirement, VersionStatus
from curricula.loaders import load_curriculum_rules
from curricula.models import CurriculumVersion
from tests import factories
from tests.curricula.test_services import draft
from vet import services as vet_services
from vet.choices import InstitutionType, Level, Ownership, Role, Tier
from vet.models import Institution, KeyOccupationDesignation, ScopeEntry

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 2)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The schools, users and curriculum rules, built once for the module in a transaction rolled back at its end;
    each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_curriculum_rules()
        province_a = factories.ProvinceFactory(code="82", name_vi="Tiền Giang", name_en="Tien Giang")
        school_a = factories.InstitutionFactory(province=province_a, code="SCH-A", ownership=Ownership.PRIVATE,
                                                name_vi="Trường Cao đẳng Điện lực A")
        school_b = factories.InstitutionFactory(code="SCH-B")
        admin, staff_a, head_a = (factories.UserFactory(username=name) for name in ("admin", "staff_a", "head_a"))
        vet_services.grant_role(user=admin, role=Role.ADMIN)
        vet_services.grant_role(user=staff_a, role=Role.SCHOOL_STAFF, institution=school_a)
        vet_services.grant_role(user=head_a, role=Role.SCHOOL_HEAD, institution=school_a)
        yield SimpleNamespace(province_a=province_a, school_a=school_a, school_b=school_b, admin=admin,
                              staff_a=staff_a, head_a=head_a)
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    """The module's world as this test starts (a test that changed a row in memory leaves nothing behind)."""
    for row in vars(module_world).values():
        row.refresh_from_db()
    return module_world


@pytest.fixture
def curriculum(world):
    """Industrial electrics at college level at school A (a private college), in its scope."""
    field = factories.OccupationFieldFactory(code="52", name_vi="Kỹ thuật", name_en="Engineering")
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp",
                                             name_en="Industrial electrics", field=field)
    return factories.CurriculumFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)


def approve(world, curriculum, *, number="12/QĐ-CĐĐL", decision_date=datetime.date(2025, 6, 1), on=TODAY):
    """A version through the real workflow: drafted and submitted by the school's staff, approved by its head."""
    version = draft(curriculum, user=world.staff_a, number=number, decision_date=decision_date)
    version = curricula_services.submit_curriculum_version(user=world.staff_a, version=version)
    return curricula_services.approve_curriculum_version(user=world.head_a, version=version, on=on)


def pages_of(curriculum) -> dict[str, ProgramPage]:
    return {p.locale.language_code: p for p in ProgramPage.objects.filter(curriculum=curriculum)
            .select_related("locale")}


def assert_tree_valid():
    assert Page.find_problems() == ([], [], [], [], [])


# ------------------------------------------------------------------------------------------------ home page


def test_ensure_home_page_builds_both_languages_and_their_sections(db):
    home = services.ensure_home_page()
    en_home = HomePage.objects.get(locale__language_code="en")
    assert home.locale.language_code == "vi"
    assert en_home.translation_key == home.translation_key
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert (home.url, en_home.url) == ("/", "/en/")
    for model, slugs in [(ProgramIndexPage, ("chuong-trinh", "programs")), (SchoolIndexPage, ("truong", "schools")),
                         (NewsIndexPage, ("tin-tuc", "news"))]:
        vi, en = model.objects.child_of(home).get(), model.objects.child_of(en_home).get()
        assert (vi.slug, en.slug) == slugs
        assert vi.translation_key == en.translation_key
        assert (vi.url, en.url) == (f"/{slugs[0]}/", f"/en/{slugs[1]}/")
        assert vi.live and en.live
    assert ProgramIndexPage.objects.get(locale__language_code="en").title == "Programs"
    assert ProgramIndexPage.objects.get(locale__language_code="vi").title == "Chương trình đào tạo"
    assert_tree_valid()


def test_ensure_home_page_is_idempotent(db):
    first = services.ensure_home_page()
    pages = sorted(Page.objects.values_list("pk", "path"))
    again = services.ensure_home_page()
    assert again.pk == first.pk
    assert sorted(Page.objects.values_list("pk", "path")) == pages
    assert Site.objects.count() == 1


def test_ensure_home_page_builds_a_site_from_an_empty_tree(db):
    HomePage.objects.all().delete()
    Site.objects.all().delete()
    home = services.ensure_home_page()
    assert Site.objects.get().root_page_id == home.pk
    assert HomePage.objects.count() == 2
    assert ProgramIndexPage.objects.count() == SchoolIndexPage.objects.count() == NewsIndexPage.objects.count() == 2
    assert_tree_valid()


# --------------------------------------------------------------------------------------------- program pages


def test_sync_program_pages_publishes_an_approved_version_in_both_languages(world, curriculum):
    version = approve(world, curriculum)
    assert not ProgramPage.objects.exists()  # the sync is not part of the approval's transaction
    summary = services.sync_program_pages(today=TODAY)
    assert (summary.created, summary.updated, summary.withdrawn) == (2, 0, 0)
    pages = pages_of(curriculum)
    assert set(pages) == {"vi", "en"}
    vi, en = pages["vi"], pages["en"]
    assert vi.translation_key == en.translation_key
    assert vi.live and en.live and not vi.has_unpublished_changes
    assert vi.title == "Điện công nghiệp · Cao đẳng | Trường Cao đẳng Điện lực A"
    assert en.title == f"Industrial electrics · College | {world.school_a.name_en}"
    assert vi.url == "/chuong-trinh/6520227-college-upper_secondary-sch-a/"
    assert en.url == "/en/programs/6520227-college-upper_secondary-sch-a/"
    for page in (vi, en):
        assert page.get_parent().specific_class is ProgramIndexPage
        assert page.get_parent().locale_id == page.locale_id
        assert (page.version_id, page.institution_id, page.occupation_id) == (
            version.pk, world.school_a.pk, curriculum.occupation_id)
        assert (page.level, page.tier, page.province_id, page.occupation_field_id) == (
            Level.COLLEGE, "", world.province_a.pk, curriculum.occupation.field_id)
        assert (page.institution_type, page.ownership, page.approved_on) == (
            InstitutionType.COLLEGE, Ownership.PRIVATE, TODAY)
        assert "dien cong nghiep" in page.search_folded and "tien giang" in page.search_folded
        assert page.first_published_at is not None
    assert_tree_valid()


def test_sync_program_pages_is_idempotent(world, curriculum):
    approve(world, curriculum)
    services.sync_program_pages(today=TODAY)
    pages = {p.pk: (p.title, p.path) for p in ProgramPage.objects.all()}
    summary = services.sync_program_pages(today=TODAY)
    assert (summary.created, summary.updated, summary.withdrawn, summary.deleted, summary.unchanged) == (
        0, 0, 0, 0, 2)
    assert {p.pk: (p.title, p.path) for p in ProgramPage.objects.all()} == pages


def test_sync_program_pages_moves_the_same_page_to_a_new_version(world, curriculum):
    first = approve(world, curriculum)
    services.sync_program_pages(today=TODAY)
    before = {code: page.pk for code, page in pages_of(curriculum).items()}
    second = approve(world, curriculum, number="40/QĐ-CĐĐL", decision_date=datetime.date(2026, 1, 5),
                     on=datetime.date(2026, 1, 6))
    summary = services.sync_program_pages(today=TODAY)
    assert (summary.created, summary.updated) == (0, 2)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    after = pages_of(curriculum)
    assert {code: page.pk for code, page in after.items()} == before
    assert {page.version_id for page in after.values()} == {second.pk}
    assert {page.approved_on for page in after.values()} == {datetime.date(2026, 1, 6)}
    assert ProgramPage.objects.count() == 2


def test_sync_program_pages_publishes_no_draft_or_submitted_version(world, curriculum):
    version = draft(curriculum, user=world.staff_a)
    services.sync_program_pages(today=TODAY)
    assert not ProgramPage.objects.exists()
    curricula_services.submit_curriculum_version(user=world.staff_a, version=version)
    summary = services.sync_program_pages(today=TODAY)
    assert not ProgramPage.objects.exists()
    assert (summary.created, summary.unchanged) == (0, 0)


def test_sync_program_pages_keeps_the_approved_version_while_the_next_is_submitted(world, curriculum):
    approved = approve(world, curriculum)
    services.sync_program_pages(today=TODAY)
    following = draft(curriculum, user=world.staff_a, number="40/QĐ-CĐĐL")
    curricula_services.submit_curriculum_version(user=world.staff_a, version=following)
    services.sync_program_pages(today=TODAY)
    assert {page.version_id for page in pages_of(curriculum).values()} == {approved.pk}


def test_sync_program_pages_withdraws_outside_the_scope_and_republishes_when_restored(world, curriculum):
    approve(world, curriculum)
    services.sync_program_pages(today=TODAY)
    published = {code: page.pk for code, page in pages_of(curriculum).items()}
    entry = ScopeEntry.objects.get(institution=world.school_a, occupation=curriculum.occupation, level=Level.COLLEGE)
    vet_services.delete_registry_object(user=world.admin, instance=entry)
    summary = services.sync_program_pages(today=TODAY)
    assert summary.withdrawn == 2
    withdrawn = pages_of(curriculum)
    assert {code: page.pk for code, page in withdrawn.items()} == published  # kept, only unpublished
    assert not any(page.live for page in withdrawn.values())
    assert not ProgramPage.objects.live().exists()
    assert services.sync_program_pages(today=TODAY).withdrawn == 0  # withdrawn once

    vet_services.save_registry_object(user=world.admin, instance=ScopeEntry(
        institution=world.school_a, occupation=curriculum.occupation, level=Level.COLLEGE, annual_quota=50))
    summary = services.sync_program_pages(today=TODAY)
    assert (summary.created, summary.updated) == (0, 2)
    restored = pages_of(curriculum)
    assert {code: page.pk for code, page in restored.items()} == published
    assert all(page.live and not page.has_unpublished_changes for page in restored.values())


def test_sync_program_pages_withdraws_when_no_approved_version_is_left(world, curriculum):
    version = approve(world, curriculum)
    services.sync_program_pages(today=TODAY)
    CurriculumVersion.objects.filter(pk=version.pk).delete()
    assert services.sync_program_pages(today=TODAY).withdrawn == 2
    assert not ProgramPage.objects.live().exists()
    assert ProgramPage.objects.filter(curriculum=curriculum).count() == 2


def test_sync_program_pages_deletes_the_pages_of_a_deleted_curriculum(world, curriculum):
    approve(world, curriculum)
    other = factories.ApprovedCurriculumVersionFactory(curriculum__institution=world.school_b).curriculum
    services.sync_program_pages(today=TODAY)
    kept = set(ProgramPage.objects.filter(curriculum=other).values_list("pk", flat=True))
    assert len(kept) == 2
    curriculum_pk = curriculum.pk
    curriculum.delete()
    summary = services.sync_program_pages([curriculum_pk], today=TODAY)
    assert summary.deleted == 2
    assert set(ProgramPage.objects.values_list("pk", flat=True)) == kept
    assert ProgramIndexPage.objects.get(locale__language_code="vi").get_children().count() == 1
    assert_tree_valid()
    assert services.sync_program_pages(today=TODAY).deleted == 0


def test_sync_program_pages_takes_the_highest_tier_in_force(world, curriculum):
    approve(world, curriculum)
    common = {"institution": world.school_a, "occupation": curriculum.occupation, "level": Level.COLLEGE}
    factories.KeyOccupationDesignationFactory(**common, tier=Tier.NATIONAL, period_start=2021, period_end=2030)
    factories.KeyOccupationDesignationFactory(**common, tier=Tier.ASEAN, period_start=2024, period_end=2026)
    factories.KeyOccupationDesignationFactory(**common, tier=Tier.INTERNATIONAL, period_start=2031, period_end=2035)
    services.sync_program_pages(today=TODAY)
    assert {page.tier for page in pages_of(curriculum).values()} == {Tier.ASEAN}
    assert "asean" in pages_of(curriculum)["vi"].search_folded
    assert services.sync_program_pages(today=datetime.date(2027, 1, 1)).updated == 2
    assert {page.tier for page in pages_of(curriculum).values()} == {Tier.NATIONAL}
    services.sync_program_pages(today=datetime.date(2032, 1, 1))
    assert {page.tier for page in pages_of(curriculum).values()} == {Tier.INTERNATIONAL}
    KeyOccupationDesignation.objects.all().delete()
    services.sync_program_pages(today=TODAY)
    assert {page.tier for page in pages_of(curriculum).values()} == {""}


def test_sync_program_pages_ignores_a_designation_of_another_level(world, curriculum):
    approve(world, curriculum)
    intermediate = factories.OccupationFactory(code="5520227", name_vi="Điện công nghiệp")
    factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=intermediate,
                                              tier=Tier.INTERNATIONAL)
    services.sync_program_pages(today=TODAY)
    assert {page.tier for page in pages_of(curriculum).values()} == {""}


def test_sync_program_pages_names_the_entry_requirement_of_two_programs_of_one_occupation(world, curriculum):
    approve(world, curriculum)
    second = factories.ApprovedCurriculumVersionFactory(
        curriculum__institution=world.school_a, curriculum__occupation=curriculum.occupation,
        curriculum__level=Level.COLLEGE, curriculum__entry_requirement=EntryRequirement.LOWER_SECONDARY,
    ).curriculum
    services.sync_program_pages(today=TODAY)
    with translation.override("vi"):
        upper, lower = (str(EntryRequirement(v).label) for v in ("upper_secondary", "lower_secondary"))
    assert upper in pages_of(curriculum)["vi"].title
    assert lower in pages_of(second)["vi"].title
    assert "Upper-secondary graduates" in pages_of(curriculum)["en"].title
    assert pages_of(curriculum)["vi"].slug != pages_of(second)["vi"].slug


def test_sync_program_pages_follows_a_renamed_school(world, curriculum):
    approve(world, curriculum)
    services.sync_program_pages(today=TODAY)
    school = world.school_a
    school.short_name = "CĐĐL A"
    school.save()
    assert services.sync_program_pages(today=TODAY).updated == 2
    assert {page.title.split(" | ")[1] for page in pages_of(curriculum).values()} == {"CĐĐL A"}


def test_sync_program_pages_limited_to_some_curricula_leaves_the_others(world, curriculum):
    approve(world, curriculum)
    other = factories.ApprovedCurriculumVersionFactory(curriculum__institution=world.school_b).curriculum
    summary = services.sync_program_pages([curriculum.pk], today=TODAY)
    assert summary.created == 2
    assert not ProgramPage.objects.filter(curriculum=other).exists()


# ---------------------------------------------------------------------------------------------- school pages


def test_sync_school_pages_publishes_every_institution_in_both_languages(world):
    summary = services.sync_school_pages()
    assert summary.created == 2 * Institution.objects.count()
    pages = {p.locale.language_code: p for p in SchoolPage.objects.filter(institution=world.school_a)
             .select_related("locale")}
    assert set(pages) == {"vi", "en"}
    assert pages["vi"].translation_key == pages["en"].translation_key
    assert (pages["vi"].title, pages["en"].title) == (world.school_a.name_vi, world.school_a.name_en)
    assert (pages["vi"].url, pages["en"].url) == ("/truong/sch-a/", "/en/schools/sch-a/")
    assert all(page.live for page in pages.values())
    assert_tree_valid()


def test_sync_school_pages_falls_back_to_the_vietnamese_name(db):
    school = factories.InstitutionFactory(name_vi="Trường Trung cấp Nghề Bến Tre", name_en="")
    services.sync_school_pages()
    assert set(SchoolPage.objects.filter(institution=school).values_list("title", flat=True)) == {
        "Trường Trung cấp Nghề Bến Tre"}


def test_sync_school_pages_is_idempotent_and_keeps_what_the_school_wrote(world):
    services.sync_school_pages()
    page = SchoolPage.objects.get(institution=world.school_a, locale__language_code="vi")
    page.profile, page.featured = "<p>Trường có 40 năm đào tạo.</p>", True
    page.save()
    summary = services.sync_school_pages()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2 * Institution.objects.count())
    world.school_a.name_vi = "Trường Cao đẳng Điện lực miền Nam"
    world.school_a.save()
    assert services.sync_school_pages([world.school_a.pk]).updated == 1  # the English name did not change
    page.refresh_from_db()
    assert (page.title, page.profile, page.featured) == (
        "Trường Cao đẳng Điện lực miền Nam", "<p>Trường có 40 năm đào tạo.</p>", True)


def test_sync_school_pages_deletes_the_pages_of_a_deleted_institution(world):
    services.sync_school_pages()
    school = factories.InstitutionFactory()
    services.sync_school_pages([school.pk])
    school_pk = school.pk
    school.delete()
    assert services.sync_school_pages([school_pk]).deleted == 2
    assert not SchoolPage.objects.filter(institution__isnull=True).exists()
    assert SchoolPage.objects.count() == 2 * Institution.objects.count()
    assert_tree_valid()


def test_sync_public_pages_runs_both(world, curriculum):
    factories.ApprovedCurriculumVersionFactory(curriculum=curriculum)
    result = services.sync_public_pages()
    assert result["schools"].created == 2 * Institution.objects.count()
    assert result["programs"].created == 2


# ------------------------------------------------------------------------------------------------- signals


def test_signals_sync_a_committed_approval(world, curriculum, django_capture_on_commit_callbacks):
    version = curricula_services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum,
                                                                                             user=world.staff_a))
    with django_capture_on_commit_callbacks(execute=True):
        curricula_services.approve_curriculum_version(user=world.head_a, version=version, on=TODAY)
    pages = pages_of(curriculum)
    assert set(pages) == {"vi", "en"}
    assert all(page.live and page.version_id == version.pk for page in pages.values())


def test_signals_sync_nothing_before_the_commit(world, curriculum, django_capture_on_commit_callbacks):
    version = curricula_services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum,
                                                                                             user=world.staff_a))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        curricula_services.approve_curriculum_version(user=world.head_a, version=version, on=TODAY)
    assert callbacks
    assert not ProgramPage.objects.exists()


def test_signals_withdraw_when_the_scope_entry_is_deleted(world, curriculum, django_capture_on_commit_callbacks):
    approve(world, curriculum)
    services.sync_program_pages()
    entry = ScopeEntry.objects.get(institution=world.school_a, occupation=curriculum.occupation, level=Level.COLLEGE)
    with django_capture_on_commit_callbacks(execute=True):
        vet_services.delete_registry_object(user=world.admin, instance=entry)
    assert not ProgramPage.objects.live().exists()
    with django_capture_on_commit_callbacks(execute=True):
        ScopeEntry.objects.create(institution=world.school_a, occupation=curriculum.occupation, level=Level.COLLEGE,
                                  annual_quota=80)
    assert ProgramPage.objects.live().count() == 2


def test_signals_follow_a_designation(world, curriculum, django_capture_on_commit_callbacks):
    approve(world, curriculum)
    services.sync_program_pages()
    with django_capture_on_commit_callbacks(execute=True):
        designation = factories.KeyOccupationDesignationFactory(
            institution=world.school_a, occupation=curriculum.occupation, level=Level.COLLEGE, tier=Tier.ASEAN,
            period_start=2020, period_end=2100)
    assert {page.tier for page in pages_of(curriculum).values()} == {Tier.ASEAN}
    with django_capture_on_commit_callbacks(execute=True):
        designation.delete()
    assert {page.tier for page in pages_of(curriculum).values()} == {""}


def test_signals_follow_a_renamed_institution_and_occupation(world, curriculum, django_capture_on_commit_callbacks):
    approve(world, curriculum)
    services.sync_public_pages()
    with django_capture_on_commit_callbacks(execute=True):
        world.school_a.name_vi = "Trường Cao đẳng Kỹ thuật A"
        world.school_a.save()
    assert SchoolPage.objects.get(institution=world.school_a, locale__language_code="vi").title == (
        "Trường Cao đẳng Kỹ thuật A")
    assert pages_of(curriculum)["vi"].title.endswith("| Trường Cao đẳng Kỹ thuật A")
    with django_capture_on_commit_callbacks(execute=True):
        occupation = curriculum.occupation
        occupation.name_en = "Industrial electrical engineering"
        occupation.save()
    assert pages_of(curriculum)["en"].title.startswith("Industrial electrical engineering · College")


def test_signals_delete_the_pages_of_a_deleted_curriculum(world, curriculum, django_capture_on_commit_callbacks):
    approve(world, curriculum)
    services.sync_program_pages()
    with django_capture_on_commit_callbacks(execute=True):
        curriculum.delete()
    assert not ProgramPage.objects.exists()
    assert_tree_valid()


def test_signals_delete_the_pages_of_a_deleted_institution(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        school = factories.InstitutionFactory()
        factories.ApprovedCurriculumVersionFactory(curriculum__institution=school)
    assert SchoolPage.objects.filter(institution=school).count() == 2
    assert ProgramPage.objects.filter(institution=school, live=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        school.delete()
    assert not SchoolPage.objects.filter(institution__isnull=True).exists()
    assert not ProgramPage.objects.exists()
    assert_tree_valid()


def test_signals_log_a_failed_sync_and_let_the_write_commit(world, curriculum, django_capture_on_commit_callbacks,
                                                             monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("search index down")

    monkeypatch.setattr(services, "sync_program_pages", broken)
    version = curricula_services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum,
                                                                                             user=world.staff_a))
    with caplog.at_level(logging.ERROR, logger="cms.signals"), django_capture_on_commit_callbacks(execute=True):
        approved = curricula_services.approve_curriculum_version(user=world.head_a, version=version, on=TODAY)
    assert approved.status == VersionStatus.APPROVED
    records = [r for r in caplog.records if r.name == "cms.signals"]
    assert len(records) == 1
    assert records[0].levelname == "ERROR" and "not synced" in records[0].getMessage()
    assert records[0].exc_info[0] is RuntimeError
    assert str(curriculum.pk) in records[0].getMessage()
    assert not ProgramPage.objects.exists()
    monkeypatch.undo()
    services.sync_public_pages()  # the repair
    assert ProgramPage.objects.filter(curriculum=curriculum, live=True).count() == 2
