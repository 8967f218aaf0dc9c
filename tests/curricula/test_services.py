import datetime
import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from curricula import services
from curricula.choices import ComponentGroup, ComponentKind, EntryRequirement, GeneralSubjectType, RuleStatus
from curricula.choices import RuleCode as R
from curricula.choices import VersionStatus as S
from curricula.loaders import load_curriculum_rules
from curricula.models import Curriculum, CurriculumComponent, CurriculumRule, CurriculumRuleSet, CurriculumVersion
from tests import factories
from vet import permissions
from vet.choices import Level


@pytest.fixture
def curriculum_rules(db):
    load_curriculum_rules()


@pytest.fixture
def curriculum(world):
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    return factories.CurriculumFactory(institution=world.school_a, occupation=occupation, level=Level.COLLEGE)


GENERAL = [  # code, type, credits, theory, practice: the college minimum hours, 15 h theory / 30 h practice a credit
    ("MH01", GeneralSubjectType.POLITICAL_EDUCATION, 4, 45, 30),
    ("MH02", GeneralSubjectType.LAW, 2, 30, 0),
    ("MH03", GeneralSubjectType.PHYSICAL_EDUCATION, 2, 0, 60),
    ("MH04", GeneralSubjectType.DEFENCE_SECURITY, 4, 45, 30),
    ("MH05", GeneralSubjectType.IT, 3, 15, 60),
    ("MH06", GeneralSubjectType.FOREIGN_LANGUAGE, 5, 60, 60),
]


def draft(curriculum, *, user=None, decision_date=datetime.date(2025, 6, 1), skip=(), number="12/QĐ-CĐĐL"):
    """A college draft with every general subject and 8 modules of 5 credits: 60 credits, passes every rule."""
    user = user or factories.UserFactory(username="staff_a")
    version = services.save_curriculum_version(user=user, version=CurriculumVersion(
        curriculum=curriculum, decision_number=number, decision_date=decision_date, signer="Hiệu trưởng"))
    for code, kind, credits, theory, practice in GENERAL:
        if code in skip:
            continue
        services.save_curriculum_component(user=user, component=CurriculumComponent(
            version=version, kind=ComponentKind.SUBJECT, code=code, name_vi=code, group=ComponentGroup.GENERAL,
            general_subject_type=kind, credits=D(credits), theory_hours=theory, practice_hours=practice))
    for i in range(7, 15):
        services.save_curriculum_component(user=user, component=CurriculumComponent(
            version=version, kind=ComponentKind.MODULE, code=f"MĐ{i:02d}", name_vi=f"Mô-đun {i}",
            group=ComponentGroup.SPECIALISED, credits=D(5), theory_hours=30, practice_hours=90))
    return version


# ------------------------------------------------------------------------------------------------ loading


def test_load_curriculum_rules_is_idempotent(db):
    call_command("load_curriculum_rules", stdout=io.StringIO())
    rules, history = CurriculumRule.objects.count(), CurriculumRule.history.count()
    assert CurriculumRuleSet.objects.count() == 2 and rules > 60
    summary = load_curriculum_rules()
    assert summary.total("created") == summary.total("updated") == 0
    assert (CurriculumRule.objects.count(), CurriculumRule.history.count()) == (rules, history)


def test_load_curriculum_rules_ships_domain_values(curriculum_rules):
    rule = CurriculumRule.objects.get(rule_set__document__number="01/2024/TT-BLĐTBXH", code=R.MIN_CREDITS,
                                      level=Level.INTERMEDIATE, entry_requirement=EntryRequirement.LOWER_SECONDARY)
    assert (rule.min_value, rule.confirmed) == (D(50), True)
    band = CurriculumRule.objects.get(rule_set__document__number="01/2024/TT-BLĐTBXH", code=R.THEORY_SHARE,
                                      level=Level.COLLEGE)
    assert (band.min_value, band.max_value, band.confirmed) == (D(30), D(50), False)
    elementary = CurriculumRule.objects.get(rule_set__document__number="01/2024/TT-BLĐTBXH", code=R.PRACTICE_SHARE,
                                            level=Level.ELEMENTARY_2)
    assert elementary.source.number == "34/2018/TT-BLĐTBXH"


# -------------------------------------------------------------------------------------------- curricula


def test_save_curriculum_outside_scope_names_the_occupation(world):
    occupation = factories.OccupationFactory(code="6520205")
    curriculum = Curriculum(institution=world.school_a, occupation=occupation, level=Level.COLLEGE,
                            entry_requirement=EntryRequirement.UPPER_SECONDARY)
    with pytest.raises(ValidationError) as exc:
        services.save_curriculum(user=world.staff_a, curriculum=curriculum)
    assert exc.value.error_dict["occupation"][0].code == "outside_scope"
    assert not Curriculum.objects.exists()


def test_save_curriculum_in_scope_by_own_staff(world):
    scope = factories.ScopeEntryFactory(institution=world.school_a, occupation__code="6520263")
    curriculum = services.save_curriculum(user=world.staff_a, curriculum=Curriculum(
        institution=world.school_a, occupation=scope.occupation, level=Level.COLLEGE,
        entry_requirement=EntryRequirement.UPPER_SECONDARY))
    assert curriculum.history.get().history_user == world.staff_a


@pytest.mark.parametrize("who", ["officer_a", "staff_b"])
def test_save_curriculum_refused_to_officers_and_other_schools(world, who):
    scope = factories.ScopeEntryFactory(institution=world.school_a, occupation__code="6520263")
    with pytest.raises(PermissionDenied):
        services.save_curriculum(user=getattr(world, who), curriculum=Curriculum(
            institution=world.school_a, occupation=scope.occupation, level=Level.COLLEGE,
            entry_requirement=EntryRequirement.UPPER_SECONDARY))


def test_curriculum_needs_entry_requirement_above_elementary(world, english):
    scope = factories.ScopeEntryFactory(institution=world.school_a, occupation__code="6520263")
    with pytest.raises(ValidationError, match="entry requirement"):
        services.save_curriculum(user=world.staff_a, curriculum=Curriculum(
            institution=world.school_a, occupation=scope.occupation, level=Level.COLLEGE))


def test_component_general_type_only_for_general_group(world, curriculum, english):
    version = services.save_curriculum_version(user=world.staff_a, version=CurriculumVersion(curriculum=curriculum))
    with pytest.raises(ValidationError, match="general-subject type"):
        services.save_curriculum_component(user=world.staff_a, component=CurriculumComponent(
            version=version, kind=ComponentKind.MODULE, code="MĐ01", name_vi="x", group=ComponentGroup.SPECIALISED,
            general_subject_type=GeneralSubjectType.IT))


def test_component_code_unique_within_version(world, curriculum):
    version = draft(curriculum, user=world.staff_a)
    with pytest.raises(ValidationError):
        services.save_curriculum_component(user=world.staff_a, component=CurriculumComponent(
            version=version, kind=ComponentKind.MODULE, code="MĐ07", name_vi="x", group=ComponentGroup.SPECIALISED))


# ------------------------------------------------------------------------------------------- validation


def test_validate_curriculum_passing_version(world, curriculum, curriculum_rules):
    report = services.validate_curriculum(draft(curriculum, user=world.staff_a))
    assert report.rule_set == "01/2024/TT-BLĐTBXH"
    assert report.passed, [r.message for r in report.failures]
    assert report.result(R.MIN_CREDITS).measured == D(60)


def test_validate_curriculum_missing_political_education_fails(world, curriculum, curriculum_rules):
    report = services.validate_curriculum(draft(curriculum, user=world.staff_a, skip=("MH01",)))
    assert [(r.code, r.general_subject_type) for r in report.failures] == [
        (R.MIN_CREDITS, ""), (R.GENERAL_SUBJECT_HOURS, GeneralSubjectType.POLITICAL_EDUCATION)]


def test_validate_curriculum_picks_rule_set_by_date(world, curriculum, curriculum_rules):
    old = draft(curriculum, user=world.staff_a, decision_date=datetime.date(2024, 4, 4))
    assert services.validate_curriculum(old).rule_set == "03/2017/TT-BLĐTBXH"
    assert services.validate_curriculum(old, on=datetime.date(2024, 4, 5)).rule_set == "01/2024/TT-BLĐTBXH"


def test_validate_curriculum_without_rules_explains(world, curriculum):
    with pytest.raises(ValidationError) as exc:
        services.validate_curriculum(draft(curriculum, user=world.staff_a))
    assert exc.value.code == "no_rule_set"


def test_validate_curriculum_unconfirmed_rule_only_warns(world, curriculum, curriculum_rules):
    version = draft(curriculum, user=world.staff_a)
    CurriculumComponent.objects.filter(version=version, code="MĐ07").update(theory_hours=0, practice_hours=150)
    report = services.validate_curriculum(version)
    theory = report.result(R.THEORY_SHARE)  # 405 of 1,425 hours: 28.4 %, below the unconfirmed 30–50 % band
    assert (theory.status, theory.measured, theory.confirmed) == (RuleStatus.WARNING, D("28.4"), False)
    assert report.passed and report.warnings == [theory]


# --------------------------------------------------------------------------------------------- workflow


def test_submit_curriculum_version_freezes_it(world, curriculum, english):
    version = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    assert version.status == S.SUBMITTED
    version.signer = "Someone else"
    with pytest.raises(ValidationError) as exc:
        services.save_curriculum_version(user=world.staff_a, version=version)
    assert exc.value.code == "frozen"
    component = version.components.first()
    component.theory_hours += 1
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.save_curriculum_component(user=world.staff_a, component=component)
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.save_curriculum_component(user=world.staff_a, component=CurriculumComponent(
            version=version, kind=ComponentKind.MODULE, code="MĐ99", name_vi="x", group=ComponentGroup.ELECTIVE))
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.delete_curriculum_component(user=world.staff_a, component=component)
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.delete_curriculum_version(user=world.staff_a, version=version)


def test_submit_curriculum_version_refuses_empty_and_non_drafts(world, curriculum):
    empty = services.save_curriculum_version(user=world.staff_a, version=CurriculumVersion(curriculum=curriculum))
    with pytest.raises(ValidationError) as exc:
        services.submit_curriculum_version(user=world.staff_a, version=empty)
    assert exc.value.code == "empty"
    version = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    with pytest.raises(ValidationError) as exc:
        services.submit_curriculum_version(user=world.staff_a, version=version)
    assert exc.value.code == "not_draft"


def test_submit_curriculum_version_refused_to_officer(world, curriculum):
    version = draft(curriculum, user=world.staff_a)
    with pytest.raises(PermissionDenied):
        services.submit_curriculum_version(user=world.officer_a, version=version)


def test_return_curriculum_version_reopens_for_editing(world, curriculum):
    version = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    version = services.return_curriculum_version(user=world.staff_a, version=version)
    version.signer = "Phó hiệu trưởng"
    assert services.save_curriculum_version(user=world.staff_a, version=version).status == S.DRAFT


def test_approve_curriculum_version_sets_dates_and_supersedes(world, curriculum, curriculum_rules):
    first = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    first = services.approve_curriculum_version(user=world.head_a, version=first, on=datetime.date(2025, 6, 2))
    assert (first.status, first.approved_on, first.next_review_on) == (
        S.APPROVED, datetime.date(2025, 6, 2), datetime.date(2028, 6, 2))
    second = draft(curriculum, user=world.staff_a, number="40/QĐ-CĐĐL", decision_date=datetime.date(2026, 1, 5))
    second = services.submit_curriculum_version(user=world.staff_a, version=second)
    second = services.approve_curriculum_version(user=world.head_a, version=second, on=datetime.date(2026, 1, 6))
    first.refresh_from_db()
    assert (first.status, second.status) == (S.SUPERSEDED, S.APPROVED)
    assert [h.status for h in first.history.order_by("history_date")][-3:] == [S.SUBMITTED, S.APPROVED, S.SUPERSEDED]
    assert first.history.latest("history_date").history_user == world.head_a


def test_approve_curriculum_version_refused_when_a_rule_fails(world, curriculum, curriculum_rules):
    version = draft(curriculum, user=world.staff_a, skip=("MH01",))
    version = services.submit_curriculum_version(user=world.staff_a, version=version)
    with pytest.raises(ValidationError) as exc:
        services.approve_curriculum_version(user=world.head_a, version=version)
    assert exc.value.code == "validation_failed"
    version.refresh_from_db()
    assert version.status == S.SUBMITTED and version.approved_on is None


def test_approve_curriculum_version_refuses_drafts(world, curriculum, curriculum_rules):
    with pytest.raises(ValidationError) as exc:
        services.approve_curriculum_version(user=world.head_a, version=draft(curriculum, user=world.staff_a))
    assert exc.value.code == "not_submitted"


def test_approve_curriculum_version_needs_decision(world, curriculum, curriculum_rules):
    version = services.submit_curriculum_version(
        user=world.staff_a, version=draft(curriculum, user=world.staff_a, number="", decision_date=None))
    with pytest.raises(ValidationError) as exc:
        services.approve_curriculum_version(user=world.head_a, version=version)
    assert set(exc.value.error_dict) == {"decision_number", "decision_date"}
    version = services.approve_curriculum_version(
        user=world.head_a, version=version, decision_number="7/QĐ-CĐĐL", decision_date=datetime.date(2025, 3, 1))
    assert version.decision_number == "7/QĐ-CĐĐL" and version.status == S.APPROVED


@pytest.mark.parametrize("who", ["officer_a", "staff_a", "staff_b"])
def test_approve_curriculum_version_refused_to_all_but_the_head(world, curriculum, curriculum_rules, who):
    version = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    with pytest.raises(PermissionDenied):
        services.approve_curriculum_version(user=getattr(world, who), version=version)
    version.refresh_from_db()
    assert version.status == S.SUBMITTED


def test_head_of_school_is_staff_of_it_and_approves_only_there(world, curriculum):
    roles = permissions.get_roles(world.head_a)
    assert roles.institution_ids == roles.head_institution_ids == {world.school_a.pk}
    mine = CurriculumVersion(curriculum=curriculum)
    theirs = CurriculumVersion(curriculum=factories.CurriculumFactory(institution=world.school_b))
    assert permissions.has_object_permission(world.head_a, permissions.APPROVE, mine)
    assert not permissions.has_object_permission(world.head_a, permissions.APPROVE, theirs)
    assert permissions.has_object_permission(world.head_a, permissions.CHANGE, mine)


def test_comments_by_officer_and_school_are_kept_with_their_author(world, curriculum):
    version = draft(curriculum, user=world.staff_a)
    services.add_version_comment(user=world.officer_a, version=version, text="  Bổ sung giờ thực tập.  ")
    services.add_version_comment(user=world.staff_a, version=version, text="Đã bổ sung.")
    assert [(c.author, c.text) for c in version.comments.all()] == [
        (world.officer_a, "Bổ sung giờ thực tập."), (world.staff_a, "Đã bổ sung.")]
    with pytest.raises(PermissionDenied):
        services.add_version_comment(user=world.officer_b, version=version, text="Not my province")
    with pytest.raises(PermissionDenied):
        services.add_version_comment(user=world.staff_b, version=version, text="Not my school")
    with pytest.raises(ValidationError):
        services.add_version_comment(user=world.officer_a, version=version, text="   ")
    assert version.comments.count() == 2


def test_start_curriculum_version_copies_components(world, curriculum):
    first = draft(curriculum, user=world.staff_a)
    second = services.start_curriculum_version(user=world.staff_a, curriculum=curriculum, based_on=first)
    assert second.status == S.DRAFT and second.decision_number == ""
    assert sorted(second.components.values_list("code", flat=True)) == sorted(
        first.components.values_list("code", flat=True))
    assert first.components.count() == 14


def test_delete_curriculum_refused_with_submitted_versions(world, curriculum):
    services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    with pytest.raises(ValidationError) as exc:
        services.delete_curriculum(user=world.staff_a, curriculum=curriculum)
    assert exc.value.code == "in_use"


def test_add_years_on_29_february():
    assert services.add_years(datetime.date(2024, 2, 29), 3) == datetime.date(2027, 2, 28)


# ------------------------------------------------------------------------------------------- permissions


def test_curriculum_permissions_per_role(world, curriculum, curriculum_rules):
    approved = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    approved = services.approve_curriculum_version(user=world.head_a, version=approved)
    other = draft(curriculum, user=world.staff_a, number="99/QĐ-CĐĐL")
    versions = CurriculumVersion.objects.all()

    def visible(user):
        return set(permissions.scope_queryset(user, versions))

    assert visible(AnonymousUser()) == {approved}
    assert visible(world.officer_a) == visible(world.staff_a) == {approved, other}
    assert visible(world.officer_b) == visible(world.staff_b) == {approved}
    assert permissions.has_object_permission(AnonymousUser(), permissions.VIEW, approved)
    assert not permissions.has_object_permission(AnonymousUser(), permissions.VIEW, other)
    assert not permissions.has_object_permission(world.officer_a, permissions.CHANGE, other)
    assert permissions.has_object_permission(world.staff_a, permissions.DELETE, other)
    assert set(permissions.scope_queryset(AnonymousUser(), Curriculum.objects.all())) == {curriculum}
    components = CurriculumComponent.objects.all()
    assert permissions.scope_queryset(AnonymousUser(), components).count() == 14
    assert permissions.scope_queryset(world.officer_a, components).count() == 28


def test_validate_versions_matches_one_by_one_in_bounded_queries(world, curriculum, curriculum_rules,
                                                                  django_assert_max_num_queries):
    versions = [draft(curriculum, user=world.staff_a, number=f"{n}/QĐ-CĐĐL") for n in range(1, 4)]
    versions.append(draft(curriculum, user=world.staff_a, number="9/QĐ-CĐĐL", skip=("MH01",)))
    with django_assert_max_num_queries(5):
        reports = services.validate_versions(CurriculumVersion.objects.filter(pk__in=[v.pk for v in versions]))
    assert set(reports) == {v.pk for v in versions}
    for version in versions:
        assert reports[version.pk].as_dict() == services.validate_curriculum(version).as_dict()
    assert not reports[versions[-1].pk].passed and reports[versions[0].pk].passed


def test_review_overdue_and_due_versions(world, curriculum, curriculum_rules):
    from curricula import selectors

    version = services.submit_curriculum_version(user=world.staff_a, version=draft(curriculum, user=world.staff_a))
    version = services.approve_curriculum_version(user=world.head_a, version=version, on=datetime.date(2025, 6, 2))
    assert version.next_review_on == datetime.date(2028, 6, 2)
    assert list(selectors.review_overdue_versions(on=datetime.date(2028, 6, 2))) == []
    assert list(selectors.review_overdue_versions(on=datetime.date(2028, 6, 3))) == [version]
    assert list(selectors.review_due_versions(90, on=datetime.date(2028, 3, 10))) == [version]
    assert list(selectors.review_due_versions(90, on=datetime.date(2028, 1, 1))) == []
