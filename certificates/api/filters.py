"""Filters of the certificates API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certificates import choices
from certificates.models import Cohort, Diploma, Enrolment, IssueBatch, Learner
from curricula.api.filters import IntegerFilter
from vet.api.filters import ModifiedSinceFilterSet


class LearnerFilter(ModifiedSinceFilterSet):
    q = filters.CharFilter(method="filter_text", label=_("Name contains, or citizen ID starts with"))
    citizen_id = filters.CharFilter(label=_("Citizen ID"))
    cohort = IntegerFilter(method="filter_cohort", label=_("Enrolled in this cohort (id)"))
    institution = filters.CharFilter(method="filter_institution", label=_("Enrolled at this institution (code)"))
    changed_at = ("modified_at", "enrolments__modified_at")

    class Meta:
        model = Learner
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        condition = Q()
        for token in value.split():
            condition &= Q(full_name__icontains=token) | Q(citizen_id__startswith=token)
        return queryset.filter(condition)

    def filter_cohort(self, queryset, name, value):
        return queryset.filter(pk__in=Enrolment.objects.filter(cohort_id=value).values("learner_id"))

    def filter_institution(self, queryset, name, value):
        enrolments = Enrolment.objects.filter(cohort__curriculum_version__curriculum__institution__code=value)
        return queryset.filter(pk__in=enrolments.values("learner_id"))


class CohortFilter(ModifiedSinceFilterSet):
    curriculum_version = IntegerFilter(field_name="curriculum_version_id", label=_("Curriculum version id"))
    institution = filters.CharFilter(
        field_name="curriculum_version__curriculum__institution__code", label=_("Institution code")
    )
    occupation = filters.CharFilter(
        field_name="curriculum_version__curriculum__occupation__code", label=_("Occupation code")
    )
    intake_year = IntegerFilter(min_value=1990, max_value=2100, label=_("Intake year"))
    code = filters.CharFilter(label=_("Cohort code"))

    class Meta:
        model = Cohort
        fields: list[str] = []


class EnrolmentFilter(ModifiedSinceFilterSet):
    cohort = IntegerFilter(field_name="cohort_id", label=_("Cohort id"))
    learner = IntegerFilter(field_name="learner_id", label=_("Learner id"))
    graduated = filters.BooleanFilter(label=_("Graduated"))
    classification = filters.ChoiceFilter(choices=choices.Classification.choices, label=_("Classification"))
    institution = filters.CharFilter(
        field_name="cohort__curriculum_version__curriculum__institution__code", label=_("Institution code")
    )
    changed_at = ("modified_at", "diplomas__created_at")

    class Meta:
        model = Enrolment
        fields: list[str] = []


class DiplomaFilter(ModifiedSinceFilterSet):
    status = filters.ChoiceFilter(choices=choices.DiplomaStatus.choices, label=_("Status"))
    kind = filters.ChoiceFilter(choices=choices.DiplomaKind.choices, label=_("Kind"))
    year = IntegerFilter(min_value=1990, max_value=2100, label=_("Year of issue"))
    cohort = IntegerFilter(field_name="enrolment__cohort_id", label=_("Cohort id"))
    learner = IntegerFilter(field_name="enrolment__learner_id", label=_("Learner id"))
    serial = filters.CharFilter(label=_("Serial (số hiệu)"))
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution code"))

    # A diploma keeps no modified_at: its printed data is frozen and it changes only through the register, so it
    # has changed when created, given a register entry (issue, revocation) or re-issued (the new one's creation).
    changed_at = ("created_at", "register_entries__recorded_at", "replaced_by__created_at")

    class Meta:
        model = Diploma
        fields: list[str] = []


class BatchFilter(filters.FilterSet):
    """No `modified_since`: a batch is the progress of an issuing job, not a record. Its counters and downloads
    move under the workers' updates with no change time, so no filter could promise not to miss one; what it
    issues is mirrored through the diplomas (whose `modified_since` follows the register)."""

    cohort = IntegerFilter(field_name="cohort_id", label=_("Cohort id"))
    status = filters.ChoiceFilter(choices=choices.BatchStatus.choices, label=_("Status"))

    class Meta:
        model = IssueBatch
        fields: list[str] = []
