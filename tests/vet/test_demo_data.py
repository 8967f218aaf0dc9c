"""`manage.py load_demo_data` and `manage.py demo_info`."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import translation

from vet import choices, permissions
from vet.demo import list_demo_users
from vet.models import (
    Authority,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Province,
    ScopeEntry,
    Teacher,
)

pytestmark = pytest.mark.django_db


def load(**kwargs) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("load_demo_data", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back after its last test (like Django's
    setUpTestData); each test still runs in its own savepoint, so tests that change rows do not leak."""
    with django_db_blocker.unblock(), override_settings(VETTRACK_DEMO=True), transaction.atomic():
        output = load()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, settings) -> str:
    settings.VETTRACK_DEMO = True
    return demo_output


def row_counts() -> dict[str, int]:
    """Rows of every vet model (their history tables included), users, groups and group memberships."""
    User = get_user_model()
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_app_config("vet").get_models()}
    counts["users"] = User.objects.count()
    counts["groups"] = Group.objects.count()
    counts["user groups"] = User.groups.through.objects.count()
    return counts


def test_load_demo_data_refused_outside_demo_mode(settings):
    settings.VETTRACK_DEMO = False
    before = row_counts()

    with pytest.raises(CommandError, match="VETTRACK_DEMO"):
        load()
    assert row_counts() == before


def test_load_demo_data_creates_institutions_marked_as_demo(demo):
    institutions = Institution.objects.all()

    assert 18 <= institutions.count() <= 24
    for institution in institutions:
        assert institution.code.startswith("DEMO-")
        assert institution.name_vi.endswith(" (demo)")
        assert institution.name_en.endswith(" (demo)")
        assert institution.address and institution.phone and institution.email and institution.website
        assert institution.email.endswith((".example", "example.org"))
        assert institution.website.startswith("https://example.org/")
        assert institution.registration_document.kind == choices.LegalDocumentKind.REGISTRATION
        assert not institution.registration_document.confirmed
    assert set(institutions.values_list("type", flat=True)) == set(choices.InstitutionType.values)
    assert set(institutions.values_list("ownership", flat=True)) == set(choices.Ownership.values)
    by_pair = {
        "Đồng Tháp": institutions.filter(province__code__in=["82", "87"]).count(),
        "Hải Phòng": institutions.filter(province__code__in=["30", "31"]).count(),
    }
    assert all(8 <= n <= 12 for n in by_pair.values()), by_pair
    assert EnterprisePartner.objects.exclude(name__endswith=" (demo)").count() == 0


def test_load_demo_data_provinces_and_authorities_follow_the_2025_changes(demo):
    merger = LegalDocument.objects.get(number="202/2025/QH15")
    tien_giang, dong_thap = Province.objects.get(code="82"), Province.objects.get(code="87")
    hai_duong, hai_phong = Province.objects.get(code="30"), Province.objects.get(code="31")

    assert (tien_giang.successor, tien_giang.valid_to.isoformat(), tien_giang.merger_document) == (
        dong_thap,
        "2025-06-30",
        merger,
    )
    assert (hai_duong.successor, hai_duong.valid_to.isoformat(), hai_duong.merger_document) == (
        hai_phong,
        "2025-06-30",
        merger,
    )
    assert dong_thap.successor is None and hai_phong.successor is None
    assert tien_giang.region == dong_thap.region == choices.Region.MEKONG_DELTA
    assert hai_duong.region == hai_phong.region == choices.Region.RED_RIVER_DELTA

    directorate = Authority.objects.get(name_vi="Tổng cục Giáo dục nghề nghiệp (Bộ LĐ-TB&XH)")
    assert directorate.valid_to.isoformat() == "2025-02-28"
    assert directorate.successor.name_vi == "Bộ Giáo dục và Đào tạo"
    for province in (tien_giang, dong_thap, hai_duong, hai_phong):
        dolisa = Authority.objects.get(province=province, short_name="DOLISA")
        doet = Authority.objects.get(province=province, short_name="DOET")
        assert dolisa.name_vi.startswith("Sở Lao động - Thương binh và Xã hội")
        assert dolisa.valid_to.isoformat() == "2025-02-28"
        assert dolisa.successor == doet
        assert doet.name_vi.startswith("Sở Giáo dục và Đào tạo")
        assert doet.valid_from.isoformat() == "2025-03-01"
    for old, new in ((tien_giang, dong_thap), (hai_duong, hai_phong)):
        doet = Authority.objects.get(province=old, short_name="DOET")
        assert doet.valid_to.isoformat() == "2025-06-30"
        assert doet.successor == Authority.objects.get(province=new, short_name="DOET")

    for institution in Institution.objects.select_related("province", "managing_authority"):
        current_province = institution.province.successor or institution.province
        assert institution.managing_authority.province == current_province
        assert institution.managing_authority.short_name == "DOET"
        assert institution.managing_authority.valid_to is None


def test_load_demo_data_scope_follows_the_level_rules(demo):
    for entry in ScopeEntry.objects.select_related("occupation", "institution"):
        if entry.level in choices.DESIGNATION_LEVELS:
            assert entry.level == entry.occupation.level, entry
        if entry.institution.type == choices.InstitutionType.INTERMEDIATE:
            assert entry.level == choices.Level.INTERMEDIATE, entry
        if entry.institution.type in (choices.InstitutionType.VET_CENTRE, choices.InstitutionType.OTHER):
            assert entry.level not in choices.DESIGNATION_LEVELS, entry
        assert entry.annual_quota >= 1
    per_institution = Institution.objects.annotate(n=Count("scope")).values_list("n", flat=True)
    assert min(per_institution) >= 3 and max(per_institution) <= 8


def test_load_demo_data_designations_at_every_tier_within_scope(demo):
    designations = KeyOccupationDesignation.objects.select_related("decision", "occupation")

    assert set(designations.values_list("tier", flat=True)) == set(choices.Tier.values)
    assert {(d.period_start, d.period_end) for d in designations} == {(2016, 2020), (2021, 2030)}
    assert designations.values("institution").distinct().count() >= 8
    for designation in designations:
        assert ScopeEntry.objects.filter(
            institution=designation.institution_id, occupation=designation.occupation_id, level=designation.level
        ).exists(), designation
        assert designation.level == designation.occupation.level
        assert designation.decision.kind == choices.LegalDocumentKind.DECISION
        assert not designation.decision.confirmed
        assert "(demo)" in designation.decision.title_vi and "(demo)" in designation.decision.title_en


def test_load_demo_data_teachers_and_partners(demo):
    schools = Institution.objects.filter(
        type__in=[choices.InstitutionType.COLLEGE, choices.InstitutionType.INTERMEDIATE]
    ).annotate(n=Count("teachers"))
    for school in schools:
        assert 5 <= school.n <= 15, school
    teachers = Teacher.objects.all()
    assert len(set(teachers.values_list("degree", flat=True))) >= 4
    assert set(teachers.values_list("has_pedagogy_certificate", flat=True)) == {True, False}
    languages = set(teachers.values_list("foreign_language_level", flat=True))
    assert None in languages and len(languages) >= 5
    assert set(teachers.values_list("it_standard", flat=True)) == set(choices.ITStandard.values)
    assert teachers.filter(national_skill_level__isnull=False).exists()
    assert len(set(teachers.values_list("industry_years", flat=True))) > 5
    for institution in Institution.objects.annotate(n=Count("partners")):
        assert 2 <= institution.n <= 5, institution
    assert len(set(EnterprisePartner.objects.values_list("agreement_type", flat=True))) >= 4


def test_load_demo_data_creates_one_login_per_role(demo):
    User = get_user_model()
    demo_users = list_demo_users()
    out = StringIO()
    call_command("demo_info", stdout=out)
    printed = out.getvalue()
    assert "demo_info" in demo  # the loader points to the one command that prints the logins
    assert "/admin/targets/" in printed and "/admin/imports/" in printed
    assert {u.role for u in demo_users} == set(choices.Role.values)
    for demo_user in demo_users:
        user = User.objects.get(username=demo_user.username)
        assert user.check_password(demo_user.password)
        assert demo_user.username in printed and demo_user.password in printed
        assert user.has_perm("wagtailadmin.access_admin")

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and permissions.get_roles(admin).is_admin
    for username, provinces in (("officer.dongthap", {"82", "87"}), ("officer.haiphong", {"30", "31"})):
        roles = permissions.get_roles(User.objects.get(username=username))
        assert set(Province.objects.filter(pk__in=roles.province_ids).values_list("code", flat=True)) == provinces
    staff = [u for u in demo_users if u.role == choices.Role.SCHOOL_STAFF]
    assert len(staff) == 2
    for demo_user in staff:
        membership = Membership.objects.get(user__username=demo_user.username)
        assert membership.institution.code == demo_user.institution


def test_load_demo_data_second_run_changes_nothing(demo):
    before = row_counts()
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    modified = dict(Institution.objects.values_list("code", "modified_at"))

    output = load()

    assert row_counts() == before
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords
    assert dict(Institution.objects.values_list("code", "modified_at")) == modified
    assert "Demo data loaded: 0 created, 0 updated." in output


def test_load_demo_data_draws_the_same_people_every_time(demo):
    def people():
        return (
            sorted(
                Teacher.objects.values_list(
                    "institution__code",
                    "full_name",
                    "degree",
                    "field_of_study",
                    "has_pedagogy_certificate",
                    "foreign_language_level",
                    "it_standard",
                    "national_skill_level",
                    "industry_years",
                )
            ),
            sorted(
                EnterprisePartner.objects.values_list(
                    "institution__code", "name", "sector", "agreement_type", "since", "until", "contact"
                )
            ),
        )

    first = people()
    Teacher.objects.all().delete()
    EnterprisePartner.objects.all().delete()

    load()

    assert people() == first


def test_load_demo_data_restores_edited_rows_and_keeps_passwords(demo):
    User = get_user_model()
    Institution.objects.filter(code="DEMO-TG-CD01").update(phone="000")
    admin = User.objects.get(username="admin")
    admin.set_password("changed-by-the-owner")
    admin.save()

    output = load()

    assert Institution.objects.get(code="DEMO-TG-CD01").phone != "000"
    assert "0 created, 1 updated" in output
    assert User.objects.get(username="admin").check_password("changed-by-the-owner")
    assert "admin already existed with another password" in output


def test_demo_info_prints_addresses_and_logins(demo):
    out = StringIO()

    call_command("demo_info", "--base-url", "http://demo.example.org:8080/", stdout=out)

    text = out.getvalue()
    for url in (
        "http://demo.example.org:8080/",
        "http://demo.example.org:8080/admin/",
        "http://demo.example.org:8080/api/v1/",
        "http://demo.example.org:8080/api/docs/",
    ):
        assert url in text
    for demo_user in list_demo_users():
        assert demo_user.username in text and demo_user.password in text and demo_user.can_do in text
    assert "not loaded yet" not in text


def test_demo_info_before_loading_says_so():
    get_user_model().objects.filter(username__in=[u.username for u in list_demo_users()]).delete()
    out = StringIO()

    call_command("demo_info", stdout=out)

    assert "http://127.0.0.1:8000/admin/" in out.getvalue()
    assert "not loaded yet" in out.getvalue()
