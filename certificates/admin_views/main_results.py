"""Cohorts, their learners' results and graduation, and the learners, in the back-office.

A learner is registered by enrolling them (`services.save_learner`, then `services.enrol_learner`); a result is
recorded with `services.record_result` and the graduation decision with `services.record_graduation`, which
computes the classification from the bands in force (Circular 04/2022). These views only call them."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.forms.models import fields_for_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from curricula.choices import VersionStatus
from curricula.selectors import list_curriculum_versions
from vet import permissions
from vet.admin_views import RegistryAdminForm, RegistryEditView, RegistryIndexView, RegistryInspectView
from vet.admin_views.forms import add_service_errors
from vet.permissions import ADD, CHANGE, VIEW

from .. import choices, services
from ..models import Cohort, Diploma, Enrolment, Learner
from .main_common import (
    PlainSearchMixin,
    institution_filter,
    snippet_url,
    visible_enrolments,
    writable_institutions,
)

DATE = forms.DateInput(attrs={"type": "date"})
ENROLLABLE = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)  # what services.enrol_learner accepts


def list_cohorts():
    """Cohorts with their curriculum version, program and institution joined (their labels name them)."""
    return Cohort.objects.select_related(
        "curriculum_version__curriculum__institution", "curriculum_version__curriculum__occupation"
    )


def list_enrolments():
    """Enrolments with the learner, cohort and institution joined, and whether a diploma was issued."""
    return Enrolment.objects.select_related("learner", "cohort__curriculum_version__curriculum__institution").annotate(
        issued=Exists(Diploma.objects.filter(enrolment=OuterRef("pk")))
    )


# ------------------------------------------------------------------------------------------------ cohorts


class CohortForm(RegistryAdminForm):
    """Offers the approved curriculum versions of the user's institutions; the version stays once learners are
    enrolled (their diplomas name its program)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("curriculum_version")
        if field is None:
            return
        condition = Q(status=VersionStatus.APPROVED, curriculum__institution__in=writable_institutions(self.for_user))
        if self.instance.curriculum_version_id:
            condition |= Q(pk=self.instance.curriculum_version_id)
        field.widget = forms.Select()
        field.queryset = (
            list_curriculum_versions()
            .filter(condition)
            .order_by("curriculum__institution__name_vi", "curriculum__occupation__code", "-decision_date")
        )
        field.help_text = _("Only approved curriculum versions of your institution can be chosen.")
        if self.instance.pk and self.instance.enrolments.exists():
            field.disabled = True
            field.help_text = _("Learners are enrolled in this cohort: its curriculum version no longer changes.")


class CohortInspectView(RegistryInspectView):
    """A cohort with its enrolments: result, classification, graduation and diploma, with links to record them."""

    max_rows = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort, user = self.object, self.request.user
        diplomas = Prefetch(
            "diplomas",
            queryset=Diploma.objects.order_by("-pk").only("pk", "enrolment_id", "serial", "status"),
            to_attr="diploma_list",
        )
        rows = list(
            visible_enrolments(user)
            .filter(cohort=cohort)
            .select_related("learner")
            .prefetch_related(diplomas)
            .order_by("learner__full_name", "pk")[: self.max_rows]
        )
        may_change = permissions.has_object_permission(user, CHANGE, Enrolment(cohort=cohort))
        for row in rows:
            row.diploma = row.diploma_list[0] if row.diploma_list else None
            row.diploma_url = snippet_url(Diploma, "inspect", row.diploma.pk) if row.diploma else None
            row.edit_url = snippet_url(Enrolment, "edit", row.pk) if may_change and not row.diploma else None
            row.inspect_url = snippet_url(Enrolment, "inspect", row.pk)
        results = f"{snippet_url(Enrolment, 'list')}?cohort={cohort.pk}"
        context.update(
            enrolments=rows,
            truncated=len(rows) == self.max_rows,
            counts={
                "enrolled": len(rows),
                "scored": sum(1 for r in rows if r.final_score is not None),
                "graduated": sum(1 for r in rows if r.graduated),
                "issued": sum(1 for r in rows if r.diploma),
            },
            results_url=results,
            enrol_url=(
                f"{snippet_url(Enrolment, 'add')}?cohort={cohort.pk}"
                if permissions.has_object_permission(user, ADD, Enrolment(cohort=cohort))
                else None
            ),
            version_url=reverse(
                "wagtailsnippets_curricula_curriculumversion:inspect", args=(cohort.curriculum_version_id,)
            ),
        )
        return context

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Results"), url=f"{snippet_url(Enrolment, 'list')}?cohort={self.object.pk}", icon_name="tasks"
            )
        ]


class CohortFilterSet(WagtailFilterSet):
    institution = institution_filter(Cohort, "curriculum_version__curriculum__institution")

    class Meta:
        model = Cohort
        fields = ["intake_year", "grading_scale"]


class CohortIndexView(PlainSearchMixin, RegistryIndexView):
    pass


# -------------------------------------------------------------------------------------------- enrolments


def _visible_cohorts(request):
    if request is None:
        return Cohort.objects.none()
    return permissions.scope_queryset(request.user, list_cohorts(), VIEW).order_by("-intake_year", "code")


class EnrolmentFilterSet(WagtailFilterSet):
    cohort = django_filters.ModelChoiceFilter(label=gettext_lazy("Cohort"), queryset=_visible_cohorts)
    institution = institution_filter(Enrolment, "cohort__curriculum_version__curriculum__institution")

    class Meta:
        model = Enrolment
        fields = ["cohort", "graduated", "classification"]


class EnrolmentIndexView(PlainSearchMixin, RegistryIndexView):
    """Results, usually of one cohort (?cohort=<id>, the cohort page links here)."""

    add_item_label = gettext_lazy("Enrol a learner")


class ResultForm(RegistryAdminForm):
    """The final result and the graduation decision; the classification is computed by the service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "final_score" in self.fields:
            self.fields["final_score"].required = True
        if "graduation_date" in self.fields:
            self.fields["graduation_date"].widget = DATE

    def clean(self):
        cleaned_data = super().clean()
        number, day = cleaned_data.get("graduation_decision_number"), cleaned_data.get("graduation_date")
        if bool(number) != bool(day) and "graduation_date" not in self.errors:
            missing = "graduation_date" if number else "graduation_decision_number"
            self.add_error(missing, _("Give both the number and the date of the graduation decision."))
        elif not number and self.instance.pk and Enrolment.objects.filter(pk=self.instance.pk, graduated=True).exists():
            self.add_error(
                "graduation_decision_number", _("The learner's graduation is recorded: its decision cannot be removed.")
            )
        return cleaned_data


def save_result(user, instance: Enrolment) -> Enrolment:
    """The result through `services.record_result`, then (when a decision is given) the graduation through
    `services.record_graduation`; both in the edit view's transaction."""
    enrolment = Enrolment.objects.select_related("cohort").get(pk=instance.pk)
    enrolment = services.record_result(
        user=user,
        enrolment=enrolment,
        final_score=instance.final_score,
        all_credits_completed=instance.all_credits_completed,
        disciplined=instance.disciplined,
        retaken_modules=instance.retaken_modules,
    )
    if instance.graduation_decision_number and instance.graduation_date:
        enrolment = services.record_graduation(
            user=user,
            enrolment=enrolment,
            decision_number=instance.graduation_decision_number,
            decision_date=instance.graduation_date,
        )
    return enrolment


class ResultEditView(RegistryEditView):
    """Record a result and the graduation decision; refused (with the reason) once a diploma is issued."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolment = self.object
        context["issued"] = Diploma.objects.filter(enrolment=enrolment).order_by("-pk").first()
        if context["issued"]:
            context["issued_url"] = snippet_url(Diploma, "inspect", context["issued"].pk)
        context["cohort_url"] = snippet_url(Cohort, "inspect", enrolment.cohort_id)
        return context

    def get_success_message(self, instance=None):
        enrolment = instance or self.object
        if enrolment.graduated:
            return _("Result saved: %(name)s graduates, classification %(classification)s.") % {
                "name": enrolment.learner.full_name,
                "classification": enrolment.get_classification_display(),
            }
        return _("Result saved for %(name)s.") % {"name": enrolment.learner.full_name}

    def get_success_url(self):
        return snippet_url(Cohort, "inspect", self.object.cohort_id)


class EnrolmentInspectView(RegistryInspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["diplomas"] = [
            {"diploma": d, "url": snippet_url(Diploma, "inspect", d.pk)}
            for d in permissions.scope_queryset(self.request.user, self.object.diplomas.order_by("pk"), VIEW)
        ]
        return context


class EnrolForm(forms.Form):
    """A learner by citizen ID (registered once across every school) and the cohort they join."""

    cohort = forms.ModelChoiceField(label=gettext_lazy("Cohort"), queryset=Cohort.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        learner_fields = fields_for_model(
            Learner,
            fields=["citizen_id", "full_name", "date_of_birth", "sex", "place_of_birth", "ethnicity"],
            widgets={"date_of_birth": DATE},
        )
        self.fields.update(learner_fields)
        self.fields["sex"].widget = forms.RadioSelect(choices=choices.Sex.choices)
        self.fields["student_number"] = fields_for_model(Enrolment, fields=["student_number"])["student_number"]
        self.fields["citizen_id"].help_text = _(
            "The 12-digit number of the citizen identity card (căn cước). A learner already registered by any "
            "school is found by this number; the name and date of birth must then be the same."
        )
        cohorts = (
            permissions.scope_queryset(user, list_cohorts(), CHANGE)
            .filter(curriculum_version__status__in=ENROLLABLE)
            .order_by("-intake_year", "code")
        )
        self.fields["cohort"].queryset = cohorts


class EnrolView(WagtailAdminTemplateMixin, FormView):
    """Register a learner (or find them by citizen ID) and enrol them in a cohort: two services, one
    transaction. Reached as the results list's "Add" (?cohort=<id> preselects the cohort)."""

    template_name = "certificates/admin/enrol.html"
    form_class = EnrolForm
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.has_permission(request.user, ADD, Enrolment):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Enrol a learner")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": snippet_url(Enrolment, "list"), "label": capfirst(Enrolment._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"ethnicity": "Kinh"}
        cohort = self.request.GET.get("cohort", "")
        if cohort.isdigit():
            initial["cohort"] = int(cohort)
        return initial

    def form_valid(self, form):
        data, user = form.cleaned_data, self.request.user
        learner_data = {
            name: data[name]
            for name in ("citizen_id", "full_name", "date_of_birth", "sex", "place_of_birth", "ethnicity")
        }
        try:
            with transaction.atomic():
                learner = services.save_learner(user=user, **learner_data)
                existed = Enrolment.objects.filter(cohort=data["cohort"], learner=learner).exists()
                enrolment = services.enrol_learner(
                    user=user, cohort=data["cohort"], learner=learner, student_number=data["student_number"]
                )
                if not existed:
                    log(instance=enrolment, action="wagtail.create", user=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if existed:
            messages.warning(
                self.request,
                _("%(name)s was already enrolled in %(cohort)s.")
                % {"name": learner.full_name, "cohort": data["cohort"]},
            )
        else:
            messages.success(
                self.request,
                _("%(name)s is enrolled in %(cohort)s.") % {"name": learner.full_name, "cohort": data["cohort"]},
            )
        if "add_another" in self.request.POST:
            return redirect(f"{snippet_url(Enrolment, 'add')}?cohort={data['cohort'].pk}")
        return redirect(snippet_url(Cohort, "inspect", data["cohort"].pk))


# ---------------------------------------------------------------------------------------------- learners


class LearnerIndexView(PlainSearchMixin, RegistryIndexView):
    """Learners enrolled at the institutions whose enrolments the user sees (`LearnerPermissionPolicy`)."""

    def get_base_queryset(self):
        # Learner is not an institution-owned model of vet.permissions: scope it through its enrolments.
        rows = super(RegistryIndexView, self).get_base_queryset()
        return rows.filter(pk__in=self.permission_policy.instances_user_has_permission_for(self.request.user, VIEW))


class LearnerInspectView(RegistryInspectView):
    """A learner with the enrolments (and diplomas) the user may see; other schools' records stay hidden."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        diplomas = Prefetch(
            "diplomas",
            queryset=Diploma.objects.order_by("pk").only("pk", "enrolment_id", "serial", "status"),
            to_attr="diploma_list",
        )
        rows = list(
            visible_enrolments(self.request.user)
            .filter(learner=self.object)
            .select_related(
                "cohort__curriculum_version__curriculum__institution",
                "cohort__curriculum_version__curriculum__occupation",
            )
            .prefetch_related(diplomas)
            .order_by("-cohort__intake_year", "pk")
        )
        for row in rows:
            row.url = snippet_url(Enrolment, "inspect", row.pk)
            row.cohort_url = snippet_url(Cohort, "inspect", row.cohort_id)
            for diploma in row.diploma_list:
                diploma.url = snippet_url(Diploma, "inspect", diploma.pk)
        context["enrolments"] = rows
        return context
