"""A registry row's django-simple-history records as a Wagtail history screen."""

from __future__ import annotations

from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, UserColumn
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views import snippets as snippet_views

from ..permissions import CHANGE, WRITE_ACTIONS
from .policy import ObjectPermissionMixin

HISTORY_ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


class ChangesColumn(Column):
    cell_template_name = "vet/admin/history_changes_cell.html"


class RegistryHistoryView(ObjectPermissionMixin, snippet_views.HistoryView):
    """The row's django-simple-history records, newest first, with what each change did."""

    object_actions = WRITE_ACTIONS
    filterset_class = None
    verbose_name = _("history record")
    verbose_name_plural = _("history records")

    @cached_property
    def columns(self):
        return [
            Column("action", label=_("Action"), accessor=lambda r: HISTORY_ACTIONS.get(r.history_type, "")),
            ChangesColumn("changes", label=_("Changes"), accessor="vet_changes"),
            UserColumn("history_user", label=_("User"), blank_display_name=_("System"), width="20%"),
            DateColumn("history_date", label=_("Date"), width="15%"),
        ]

    @cached_property
    def header_buttons(self):
        url = self.url_if_permitted(self.edit_url_name, CHANGE, self.object)
        return [HeaderButton(label=_("Edit"), url=url, icon_name="edit")] if url else []

    def get_edit_url(self, instance):
        return self.url_if_permitted(self.edit_url_name, CHANGE, instance)

    def get_base_queryset(self):
        return self.object.history.select_related("history_user").order_by("-history_date", "-history_id")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        paginator.verbose_name, paginator.verbose_name_plural = self.verbose_name, self.verbose_name_plural
        records = list(object_list)
        if records:
            last = records[-1]
            older = queryset.filter(
                Q(history_date__lt=last.history_date) | Q(history_date=last.history_date, history_id__lt=last.pk)
            ).first()
            for record, previous in zip(records, [*records[1:], older], strict=True):
                record.vet_changes = describe_changes(record, previous)
        page.object_list = records
        return paginator, page, records, is_paginated


def describe_changes(record, previous) -> list[dict[str, str]]:
    """The fields a 'changed' history record altered, as label, old and new display values."""
    if previous is None or record.history_type != "~":
        return []
    opts = record.instance_type._meta
    order = {f.name: i for i, f in enumerate(opts.fields)}
    changes = record.diff_against(previous, foreign_keys_are_objs=True).changes
    return [
        {
            "label": capfirst(opts.get_field(change.field).verbose_name),
            "old": _display(opts.get_field(change.field), change.old),
            "new": _display(opts.get_field(change.field), change.new),
        }
        for change in sorted(changes, key=lambda c: order.get(c.field, 0))
    ]


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)
