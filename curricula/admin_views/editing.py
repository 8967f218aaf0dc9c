"""Create and edit screens of curricula, versions and components, saving through `curricula.services`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column

from vet import permissions
from vet.admin_views import RegistryAdminForm, RegistryCreateView, RegistryEditView
from vet.permissions import ADD, CHANGE, VIEW

from .. import choices, selectors, services
from ..models import Curriculum, CurriculumVersion
from . import reports

# ------------------------------------------------------------------------------------ service adapters


def save_curriculum(user, instance):
    return services.save_curriculum(user=user, curriculum=instance)


def delete_curriculum(user, instance):
    services.delete_curriculum(user=user, curriculum=instance)


def save_version(user, instance):
    return services.save_curriculum_version(user=user, version=instance)


def delete_version(user, instance):
    services.delete_curriculum_version(user=user, version=instance)


def save_component(user, instance):
    return services.save_curriculum_component(user=user, component=instance)


def delete_component(user, instance):
    services.delete_curriculum_component(user=user, component=instance)


# ------------------------------------------------------------------------------------------------ forms


class CurriculaAdminForm(RegistryAdminForm):
    """Offers only the curricula and (draft) versions the user may edit, as plain selects."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        for field in self.fields.values():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if field.queryset.model is Curriculum:
                field.widget = forms.Select()
                field.queryset = permissions.scope_queryset(user, selectors.list_curricula(), CHANGE)
            elif field.queryset.model is CurriculumVersion:
                field.widget = forms.Select()
                field.queryset = permissions.scope_queryset(
                    user, selectors.list_curriculum_versions().filter(status=choices.VersionStatus.DRAFT), CHANGE
                )


class ApproveForm(forms.Form):
    decision_number = forms.CharField(label=gettext_lazy("Decision number"), max_length=64)
    decision_date = forms.DateField(label=gettext_lazy("Decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    signer = forms.CharField(label=gettext_lazy("Signed by"), max_length=120, required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


# ----------------------------------------------------------------------------------------- list columns


class ReviewColumn(Column):
    """Next review date, marked when it has passed."""

    cell_template_name = "curricula/admin/review_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["overdue"] = instance.is_review_overdue
        return context


# ------------------------------------------------------------------------------------------ edit views


class FrozenAwareEditView(RegistryEditView):
    """A frozen version (or a component of one) offers no form, only the service's reason and a way on."""

    def get_version(self) -> CurriculumVersion:
        return self.object

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.get_version()
        context["version"] = version
        context["frozen_reason"] = services.frozen_reason(version)
        context["version_url"] = reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(version.pk,))
        context["can_start_version"] = permissions.has_object_permission(
            self.request.user, ADD, CurriculumVersion(curriculum=version.curriculum)
        )
        if context["frozen_reason"] is None:
            context["validation"] = reports.validation_report(version)
        return context


class VersionEditView(FrozenAwareEditView):
    def get_success_url(self):
        return reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(self.object.pk,))


class VersionCreateView(RegistryCreateView):
    def get_initial(self):
        initial = super().get_initial()
        if curriculum := _scoped_or_none(self.request, Curriculum, "curriculum", CHANGE):
            initial["curriculum"] = curriculum.pk
        return initial

    def get_success_url(self):
        return reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(self.object.pk,))


class ComponentCreateView(RegistryCreateView):
    """Reached from the version page with ?version=<id>; goes back there after saving."""

    def get_initial(self):
        initial = super().get_initial()
        if version := _scoped_or_none(self.request, CurriculumVersion, "version", CHANGE):
            initial["version"] = version.pk
        return initial

    def get_success_url(self):
        return version_url(self.object.version_id)


class ComponentEditView(FrozenAwareEditView):
    def get_version(self) -> CurriculumVersion:
        return self.object.version

    def get_success_url(self):
        return version_url(self.object.version_id)


def _scoped_or_none(request, model, param: str, action: str):
    pk = request.GET.get(param, "")
    if not pk.isdigit():
        return None
    return permissions.scope_queryset(request.user, model.objects.all(), action).filter(pk=pk).first()


def version_url(pk: int) -> str:
    """The page of a version: its snippet inspect view (curricula.wagtail_hooks)."""
    return reverse("wagtailsnippets_curricula_curriculumversion:inspect", args=(pk,))


def get_visible_version(user, pk: int):
    """The version `pk` with its joins, 404 when it does not exist, PermissionDenied (403) when `user` may not
    see it: what every POST or download of the version page starts with."""
    version = get_object_or_404(selectors.list_curriculum_versions(), pk=pk)
    if not permissions.has_object_permission(user, VIEW, version):
        raise PermissionDenied
    return version
