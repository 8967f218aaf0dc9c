"""The accreditation frameworks shipped as data: loader, idempotence, sample standards, constraints, permissions."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vet import permissions, readiness, selectors, services
from vet.loaders import load_accreditation_frameworks
from vet.models import AccreditationFramework, Criterion, LegalDocument, Standard

from .. import factories

TT15, TT14 = "TT15-2017-SCHOOL", "TT14-2024-SCHOOL"


@pytest.fixture
def loaded(db):
    load_accreditation_frameworks()
    return {f.code: f for f in AccreditationFramework.objects.all()}


def _points(framework) -> dict[int, D | None]:
    return dict(framework.criteria.order_by("number").values_list("number", "benchmark_points"))


def test_load_accreditation_frameworks_tt15_criteria_and_pass_rule(loaded):
    tt15 = loaded[TT15]
    assert tt15.document.number == "15/2017/TT-BLĐTBXH"
    assert _points(tt15) == {1: 12, 2: 17, 3: 15, 4: 15, 5: 15, 6: 5, 7: 6, 8: 9, 9: 6}
    assert sum(_points(tt15).values()) == 100
    assert set(tt15.criteria.filter(is_core=True).values_list("number", flat=True)) == {2, 3, 4, 5}
    assert (tt15.min_total_points, tt15.min_criterion_share, tt15.min_core_criterion_share) == (80, 60, 80)
    assert tt15.thresholds_confirmed
    assert str(tt15.effective_to) == "2025-02-14"


def test_load_accreditation_frameworks_tt14_criteria_without_thresholds(loaded):
    tt14 = loaded[TT14]
    assert tt14.document.number == "14/2024/TT-BLĐTBXH"
    assert str(tt14.effective_from) == "2025-02-15"
    assert list(tt14.criteria.values_list("number", flat=True)) == list(range(1, 9))
    assert tt14.criteria.get(number=7).name_en == "Learners and learner support"
    assert tt14.points_per_standard == 2
    assert (tt14.compliance_years_intermediate, tt14.compliance_years_college) == (2, 3)
    assert not tt14.has_pass_rule
    assert not tt14.thresholds_confirmed


def test_load_accreditation_frameworks_ships_only_labelled_sample_standards(loaded):
    standards = Standard.objects.filter(criterion__framework=loaded[TT14])
    assert standards.exists()
    for standard in standards:
        assert standard.is_sample
        assert standard.text_vi.startswith("(mẫu)")
        assert standard.text_en.startswith("(sample)")
    for criterion in loaded[TT14].criteria.all():
        assert 2 <= criterion.standards.count() <= 3


def test_load_accreditation_frameworks_second_run_adds_no_rows_or_history(loaded):
    models = (LegalDocument, AccreditationFramework, Criterion, Standard)
    before = [(m.objects.count(), m.history.count()) for m in models]
    summary = load_accreditation_frameworks()
    assert summary.total("created") == summary.total("updated") == 0
    assert [(m.objects.count(), m.history.count()) for m in models] == before


def test_load_accreditation_frameworks_puts_back_edited_value(loaded):
    Criterion.objects.filter(framework=loaded[TT15], number=2).update(benchmark_points=D(10))
    summary = load_accreditation_frameworks()
    assert summary.total("updated") == 1
    assert Criterion.objects.get(framework=loaded[TT15], number=2).benchmark_points == 17


def test_framework_facts_scores_the_loaded_frameworks(loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        facts = selectors.framework_facts(loaded[TT14])
    assert facts.compliance_years == (("intermediate", 2), ("college", 3))
    assert facts.rules.is_empty
    ratings = [
        readiness.StandardRating(int(s.code.split(".")[0]), s.code, met=True, years_met=2)
        for s in Standard.objects.filter(criterion__framework=loaded[TT14])
    ]
    intermediate = readiness.score(facts, ratings, level="intermediate")
    assert intermediate.total == 2 * len(ratings)
    assert intermediate.outcome == readiness.UNDETERMINED
    assert readiness.score(facts, ratings, level="college").total == 0

    tt15 = selectors.framework_facts(loaded[TT15])
    assert tt15.rules == readiness.PassRules(D(80), D(60), D(80))
    assert [c.number for c in tt15.criteria if c.is_core] == [2, 3, 4, 5]
    assert tt15.source == "15/2017/TT-BLĐTBXH"


@pytest.mark.parametrize(
    "field, value",
    [("min_criterion_share", D(120)), ("min_core_criterion_share", D(-1)), ("compliance_years_college", 0)],
)
def test_accreditation_framework_rejects_out_of_range_thresholds(db, field, value):
    framework = factories.AccreditationFrameworkFactory.build(
        document=factories.LegalDocumentFactory(), **{field: value}
    )
    with pytest.raises(ValidationError) as exc:
        framework.full_clean()
    assert field in exc.value.message_dict


def test_criterion_number_unique_per_framework(db):
    criterion = factories.CriterionFactory(number=1)
    duplicate = Criterion(framework=criterion.framework, number=1, name_vi="Trùng")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    factories.CriterionFactory(number=1)  # another framework may use the number


@pytest.mark.parametrize("role", ["public", "officer", "staff", "head", "admin"])
def test_accreditation_frameworks_public_read(world, role):
    standard = factories.StandardFactory()
    user = world.user(role)
    for obj in (standard.criterion.framework, standard.criterion, standard):
        assert permissions.has_permission(user, permissions.VIEW, type(obj))
        assert permissions.has_object_permission(user, permissions.VIEW, obj)


@pytest.mark.parametrize("role", ["public", "officer", "staff", "head"])
def test_accreditation_frameworks_only_administrators_write(world, role):
    standard = factories.StandardFactory()
    user = world.user(role)
    for obj in (standard.criterion.framework, standard.criterion, standard):
        for action in permissions.WRITE_ACTIONS:
            assert not permissions.has_permission(user, action, type(obj))
            assert not permissions.has_object_permission(user, action, obj)
    standard.text_vi = "Sửa"
    with pytest.raises(PermissionDenied):
        services.save_registry_object(user=user, instance=standard)
    with pytest.raises(PermissionDenied):
        services.save_registry_object(
            user=user, instance=Standard(criterion=standard.criterion, code="9.9", text_vi="Mới")
        )


def test_accreditation_frameworks_administrator_writes(world):
    standard = factories.StandardFactory()
    standard.text_vi = "Sửa"
    services.save_registry_object(user=world.admin, instance=standard)
    assert Standard.objects.get(pk=standard.pk).text_vi == "Sửa"
    assert standard.history.count() == 2
