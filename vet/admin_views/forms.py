"""The back-office forms: what a role may pick or change, and the service's errors shown on them."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm

from .. import permissions
from ..models import Institution
from ..text import fold


def search_queryset(queryset: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """Rows where every word of `query`, folded ("dien" finds "Điện"), occurs in one of `fields`."""
    for word in fold(query).split():
        queryset = queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)))
    return queryset


class RegistryAdminForm(WagtailAdminModelForm):
    """Offers only the institutions and provinces the user may use; locks what the authority registers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_fields: list[str] = []
        user = self.for_user
        if isinstance(self.instance, Institution):
            self._lock_authority_fields(user)
            province = self.fields.get("province")
            if province is not None and not province.disabled:
                _use_select(province, permissions.provinces_for(user))
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Institution:
                _use_select(field, permissions.institutions_for(user))

    def _lock_authority_fields(self, user) -> None:
        if self.instance.pk is None:
            return
        for name in permissions.AUTHORITY_CONTROLLED_INSTITUTION_FIELDS:
            field = self.fields.get(name)
            if field is not None and not permissions.can_change_institution_field(user, name):
                field.disabled = True
                field.help_text = _("Registered by the provincial authority; only it can change this field.")
                if isinstance(field, forms.ModelChoiceField):
                    _use_select(field, field.queryset)
                self.locked_fields.append(name)

    def clean(self):
        cleaned_data = super().clean()
        # Django would silently keep the old value of a disabled field. Pass a submitted change on instead,
        # so that the service refuses it with its own message and nothing is saved.
        for name in self.locked_fields:
            key = self.add_prefix(name)
            if key not in self.data:
                continue
            field = self.fields[name]
            try:
                cleaned_data[name] = field.clean(field.widget.value_from_datadict(self.data, self.files, key))
            except ValidationError as exc:
                self.add_error(name, exc)
        return cleaned_data


def _use_select(field: forms.ModelChoiceField, queryset: QuerySet) -> None:
    # A plain select rather than Wagtail's chooser modal, which would list every row.
    field.widget = forms.Select()
    field.queryset = queryset


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, errors)
        else:
            form.add_error(None, [f"{_label(form, name)}: {message}" for e in errors for message in e.messages])


def _label(form: forms.BaseForm, name: str) -> str:
    try:
        return capfirst(form._meta.model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


class FoldedSearchFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Search")})
    )
    search_fields: list[str] = []

    def filter(self, objects):
        query = self.cleaned_data.get("q")
        if query:
            self.is_searching = True
            self.search_query = query
            objects = search_queryset(objects, query, self.search_fields)
        return objects
