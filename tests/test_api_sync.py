"""Mirroring VETtrack from another system (a ministry's): every list endpoint of the API routers filters on
`modified_since`, and the deletions feed covers the models of every list. The routers are walked, so a new list
endpoint without `modified_since` (or over a model the feed cannot see) fails here."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ProtectedError
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.serializers import ListSerializer, ModelSerializer

from certificates import batches
from certificates import services as certificate_services
from certificates.api.urls import router as certificates_router
from certificates.models import Diploma
from curricula.api.urls import router as curricula_router
from tests import factories
from tests.conftest import client_for
from tests.vet.external_fixtures import make_framework, make_submitted
from vet import choices, services_evidence
from vet import services_external as ext
from vet.api import sync
from vet.api.urls import router as vet_router
from vet.models import (
    CouncilMember,
    EquipmentChecklist,
    EquipmentItem,
    Evidence,
    OccupationOutcome,
    ReadinessIndicator,
    ReadinessProfile,
    Teacher,
)

pytestmark = pytest.mark.django_db

ROUTERS = (vet_router, curricula_router, certificates_router)
LIST_ENDPOINTS = {prefix: viewset for router in ROUTERS for prefix, viewset, _basename in router.registry
                  if hasattr(viewset, "list")}

# Lists that are not rows with a change time; each says why (and docs/guides/registry.md says it to clients).
WITHOUT_MODIFIED_SINCE = {
    "readiness": "computed on the day asked for from rows that have their own lists; it changes with the date",
    "batches": "the progress of an issuing job, moved by workers with no change time; diplomas carry its result",
}
# Models of lists that no code path deletes, so the deletions feed (which reads the change history) has nothing
# to report for them.
NEVER_DELETED = {
    "certificates.diploma": "the register (append-only) protects every issued diploma",
    "certificates.issuebatch": "kept as the record of an issue; no API or admin route deletes a batch",
}
PAST = "2000-01-01T00:00:00+07:00"


@pytest.fixture(autouse=True)
def _english(english):
    """Error messages are read in English; Vietnamese is checked by tests/test_translations.py."""


@pytest.fixture
def one_of_each(world):
    """At least one row behind every list endpoint, made with the factories and the services."""
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp")
    factories.ScopeEntryFactory(institution=world.school_a, occupation=occupation)
    designation = factories.KeyOccupationDesignationFactory(institution=world.school_a, occupation=occupation)
    factories.TeacherFactory(institution=world.school_a)
    factories.EnterprisePartnerFactory(institution=world.school_a)
    OccupationOutcome.objects.create(institution=world.school_a, occupation=occupation, level=designation.level,
                                     year=2025, enrolment=100, graduates=10, employed_6m=9)
    checklist = EquipmentChecklist.objects.create(institution=world.school_a, occupation=occupation,
                                                  level=designation.level)
    EquipmentItem.objects.create(checklist=checklist, name="Máy hàn", required_quantity=2, held_quantity=1)
    profile = ReadinessProfile.objects.create(tier=choices.Tier.NATIONAL, code="P-SYNC", name_vi="Hồ sơ thử",
                                              valid_from=datetime.date(2021, 1, 1))
    ReadinessIndicator.objects.create(profile=profile, metric=choices.IndicatorMetric.EMPLOYMENT_6M,
                                      threshold=Decimal(80))
    # Accreditation: a submitted self-assessment (with evidence and ratings), its council, an external assessment
    # with a finding, an action item and a campaign.
    framework, standards = make_framework()
    submitted = make_submitted(world.school_a, framework, standards)
    services_evidence.add_evidence_version(world.staff_a, Evidence.objects.get(), url="https://example.org/qd.pdf")
    CouncilMember.objects.create(self_assessment=submitted, full_name="Nguyễn Văn An",
                                 council_role=choices.CouncilRole.CHAIR, member_type=choices.CouncilMemberType.HEAD)
    assessment = ext.start_external_assessment(world.officer_a, submitted)
    ext.add_finding(world.officer_a, assessment, severity=choices.FindingSeverity.MINOR, text="Thiếu kế hoạch")
    ext.create_action_item(world.officer_a, institution=world.school_a, title="Lập kế hoạch", owner="Phòng đào tạo",
                           due_date=datetime.date(2026, 12, 31))
    ext.open_campaign(world.officer_a, authority=world.authority_a, title="Tự đánh giá 2026", framework=framework,
                      year=2026, due_date=datetime.date(2026, 6, 30), institutions=[world.school_a2])
    # Curricula: an approved version with a component mapped to a skill unit.
    version = factories.ApprovedCurriculumVersionFactory(curriculum__institution=world.school_a,
                                                         curriculum__occupation=occupation)
    mapping = factories.ComponentUnitMappingFactory(component=factories.CurriculumComponentFactory(version=version))
    factories.PerformanceCriterionFactory(unit=mapping.unit)
    # Certificates: a cohort with two graduates, one holding a diploma, and a checked batch.
    cohort = factories.CohortFactory(curriculum_version=version)
    factories.DiplomaTemplateFactory(institution=world.school_a)
    holder, _ready = factories.EnrolmentFactory(cohort=cohort), factories.EnrolmentFactory(cohort=cohort)
    certificate_services.issue_diploma(user=world.staff_a, enrolment=holder)
    batches.prepare_batch(user=world.staff_a, cohort=cohort)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_every_list_endpoint_filters_on_modified_since(world, one_of_each):
    assert set(WITHOUT_MODIFIED_SINCE) <= set(LIST_ENDPOINTS)  # no stale exemption
    client = client_for(world.admin)
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    problems = []
    for prefix in sorted(set(LIST_ENDPOINTS) - set(WITHOUT_MODIFIED_SINCE)):
        url = f"/api/v1/{prefix}/"
        everything = _ids(client.get(url, {"page_size": 200}))
        if not everything:
            problems.append(f"{url}: no row to test with; add one to the one_of_each fixture")
            continue
        if (past := _ids(client.get(url, {"modified_since": PAST, "page_size": 200}))) != everything:
            problems.append(f"{url}?modified_since={PAST}: {sorted(past)}, not every row {sorted(everything)}")
        if rows := _ids(client.get(url, {"modified_since": future})):
            problems.append(f"{url}?modified_since=<tomorrow>: {sorted(rows)}, not none")
        malformed = client.get(url, {"modified_since": "last tuesday"})
        if malformed.status_code != 400 or "modified_since" not in malformed.json():
            problems.append(f"{url}?modified_since=last tuesday: {malformed.status_code} {malformed.content[:200]}")
    assert problems == []


def _nested(model, serializer, prefix="") -> list[str]:
    """Paths of the relations whose rows are embedded in the list's rows (nested serializers), at any depth."""
    paths = []
    for field in serializer.fields.values():
        if not (isinstance(field, ListSerializer) and isinstance(field.child, ModelSerializer)):
            continue
        try:
            relation = model._meta.get_field(field.source)
        except FieldDoesNotExist:  # a prefetch under another name (to_attr): named in changed_at by hand
            continue
        path = f"{prefix}{field.source}"
        paths += [path, *_nested(relation.related_model, field.child, f"{path}__")]
    return paths


def test_every_row_nested_in_a_list_counts_as_a_change_of_its_parent():
    for prefix in set(LIST_ENDPOINTS) - set(WITHOUT_MODIFIED_SINCE):
        viewset = LIST_ENDPOINTS[prefix]
        changed_at = viewset.filterset_class.changed_at
        for path in _nested(viewset.queryset.model, viewset.serializer_class()):
            assert any(p.startswith(f"{path}__") for p in changed_at), f"/api/v1/{prefix}/: {path} not in changed_at"


def test_modified_since_finds_the_rows_whose_nested_rows_changed(world, one_of_each):
    """Touch one nested row (a framework's standard, a checklist's item, …): its parent comes back."""
    client = client_for(world.admin)
    problems = []
    for prefix in sorted(set(LIST_ENDPOINTS) - set(WITHOUT_MODIFIED_SINCE)):
        viewset = LIST_ENDPOINTS[prefix]
        for path in viewset.filterset_class.changed_at:
            if "__" not in path or not path.endswith("__modified_at"):
                continue  # the row's own time, or a diploma's register (test_diplomas_modified_since_…)
            relation = path.removesuffix("__modified_at")
            model = viewset.queryset.model
            for name in relation.split("__"):
                model = model._meta.get_field(name).related_model
            pair = (viewset.queryset.model._base_manager.filter(**{f"{relation}__isnull": False})
                    .values_list("pk", f"{relation}__pk").first())
            if pair is None:
                problems.append(f"/api/v1/{prefix}/: no row with a nested {relation}; add one to one_of_each")
                continue
            mark = timezone.now()
            model._base_manager.filter(pk=pair[1]).update(modified_at=mark + datetime.timedelta(microseconds=1))
            rows = _ids(client.get(f"/api/v1/{prefix}/", {"modified_since": mark.isoformat(), "page_size": 200}))
            if pair[0] not in rows:
                problems.append(f"/api/v1/{prefix}/: {relation} {pair[1]} changed, row {pair[0]} not listed")
    assert problems == []


def test_modified_since_is_documented_on_every_list_and_the_schema_has_no_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] == []
    validate_schema(schema)
    for prefix in set(LIST_ENDPOINTS) - set(WITHOUT_MODIFIED_SINCE):
        parameters = {p["name"]: p for p in schema["paths"][f"/api/v1/{prefix}/"]["get"]["parameters"]}
        assert parameters["modified_since"]["schema"] == {"type": "string", "format": "date-time"}, prefix
    assert "since" in {p["name"] for p in schema["paths"]["/api/v1/deletions/"]["get"]["parameters"]}


def test_diplomas_modified_since_follows_the_register(world, one_of_each):
    """A diploma keeps no modified_at: it counts as changed when issued, revoked or re-issued."""
    client = client_for(world.admin)
    diploma = Diploma.objects.get()
    enrolment = factories.EnrolmentFactory(cohort=diploma.enrolment.cohort)
    mark = timezone.now().isoformat()
    other = certificate_services.issue_diploma(user=world.staff_a, enrolment=enrolment)
    assert _ids(client.get("/api/v1/diplomas/", {"modified_since": mark})) == {other.pk}
    assert enrolment.pk in _ids(client.get("/api/v1/results/", {"modified_since": mark}))  # its `diplomas`
    mark = timezone.now().isoformat()
    assert _ids(client.get("/api/v1/diplomas/", {"modified_since": mark})) == set()
    certificate_services.revoke_diploma(user=world.staff_a, diploma=diploma, reason="Cấp sai")
    assert _ids(client.get("/api/v1/diplomas/", {"modified_since": mark})) == {diploma.pk}
    mark = timezone.now().isoformat()
    new = certificate_services.reissue_diploma(user=world.staff_a, diploma=other, reason="Mất bản gốc")
    # The re-issued one (status and replaced_by changed) and its replacement; not the revoked one.
    assert _ids(client.get("/api/v1/diplomas/", {"modified_since": mark})) == {other.pk, new.pk}


def test_deletions_feed_covers_the_model_of_every_list_endpoint():
    tracked = {model._meta.label_lower for model in sync._tracked_models()}
    assert set(NEVER_DELETED) <= {v.queryset.model._meta.label_lower for v in LIST_ENDPOINTS.values()}
    for prefix, viewset in LIST_ENDPOINTS.items():
        label = viewset.queryset.model._meta.label_lower
        if label in NEVER_DELETED:
            assert not hasattr(viewset, "destroy"), f"/api/v1/{prefix}/ deletes {label}: track its history"
        else:
            assert label in tracked, f"/api/v1/{prefix}/: deletions of {label} are not in the feed"


def test_an_issued_diploma_cannot_be_deleted(world, one_of_each):
    with pytest.raises(ProtectedError):
        Diploma.objects.get().delete()


def _deleted(client, since) -> set[tuple[str, int]]:
    response = client.get("/api/v1/deletions/", {"since": since})
    assert response.status_code == 200, response.content
    return {(r["model"], r["id"]) for r in response.json()["results"]}


def test_deletions_feed_lists_curricula_and_certificates_deletions_to_those_who_may_read_them(world):
    draft = factories.CurriculumVersionFactory(curriculum__institution=world.school_a)
    component = factories.CurriculumComponentFactory(version=draft)
    mapping = factories.ComponentUnitMappingFactory(component=factories.CurriculumComponentFactory(version=draft))
    cohort = factories.CohortFactory(curriculum_version__curriculum__institution=world.school_a)
    enrolment = factories.EnrolmentFactory(cohort=cohort, graduated=False)
    since = timezone.now().isoformat()
    staff = client_for(world.staff_a)
    for url in (f"/api/v1/curriculum-components/{component.pk}/", f"/api/v1/component-mappings/{mapping.pk}/",
                f"/api/v1/results/{enrolment.pk}/", f"/api/v1/cohorts/{cohort.pk}/"):
        assert staff.delete(url).status_code == 204, url
    curricula = {("curricula.curriculumcomponent", component.pk), ("curricula.componentunitmapping", mapping.pk)}
    certificates = {("certificates.enrolment", enrolment.pk), ("certificates.cohort", cohort.pk)}
    public = _deleted(client_for(None), since)
    assert curricula <= public and not certificates & public  # learners' records are not public
    assert curricula | certificates <= _deleted(client_for(world.officer_a), since)
    assert _deleted(client_for(world.officer_a), timezone.now().isoformat()) == set()


def test_deletions_feed_says_truncated_when_one_model_alone_passes_the_limit(world, monkeypatch):
    monkeypatch.setattr(sync, "LIMIT", 2)
    since = timezone.now().isoformat()
    teachers = [factories.TeacherFactory(institution=world.school_a) for _ in range(3)]
    ids = [t.pk for t in teachers]
    for teacher in teachers:
        teacher.delete()
    client = client_for(world.admin)
    first = client.get("/api/v1/deletions/", {"since": since}).json()
    assert first["truncated"] is True
    assert [r["id"] for r in first["results"]] == ids[:2]
    rest = client.get("/api/v1/deletions/", {"since": first["results"][-1]["deleted_at"]}).json()
    assert rest["truncated"] is False
    assert [r["id"] for r in rest["results"]] == ids[1:]  # from the last one given, itself included
    assert not Teacher.objects.filter(pk__in=ids).exists()
