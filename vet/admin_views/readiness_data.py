"""Back-office pages of yearly outcomes and equipment checklists (list, items page, XLSX import with the error
report, template download) and the XLSX export and import of accreditation frameworks."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button, HeaderButton

from .. import data_services, exports, importers, permissions
from ..downloads import xlsx_response
from ..models import AccreditationFramework, EquipmentChecklist, EquipmentItem, OccupationOutcome
from .views import RegistryCreateView, RegistryIndexView, RegistryInspectView


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("XLSX (or CSV) in the format of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
    )


class FrameworkUploadForm(UploadForm):
    file = forms.FileField(
        label=gettext_lazy("XLSX workbook"),
        help_text=gettext_lazy("Sheets framework, criteria and standards, as the export writes them."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm"}),
    )


# ---------------------------------------------------------------------------- outcomes and equipment


class SpreadsheetIndexView(RegistryIndexView):
    """A list with "Import (XLSX)" and "Download template" buttons for those who may add rows."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        viewset = self.model.snippet_viewset
        buttons.append(Button(_("Download template (XLSX)"), url=reverse(viewset.get_url_name("template")),
                              icon_name="download", priority=40))
        if permissions.has_permission(self.request.user, permissions.ADD, self.model):
            buttons.append(Button(_("Import (XLSX)"), url=reverse(viewset.get_url_name("import")),
                                  icon_name="upload", priority=30))
        return buttons


class TemplateView(View):
    http_method_names = ["get"]
    model = None

    def get(self, request):
        if not permissions.has_permission(request.user, permissions.VIEW, self.model):
            raise PermissionDenied
        if self.model is OccupationOutcome:
            return xlsx_response(exports.outcomes_template_xlsx(), "outcomes-template.xlsx")
        return xlsx_response(exports.equipment_template_xlsx(), "equipment-template.xlsx")


class SpreadsheetImportView(View):
    """Upload a file of outcomes or equipment; a bad file is rejected whole and every problem listed in a table
    by row and column."""

    model = None
    template_name = "vet/admin/spreadsheet_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.has_permission(request.user, permissions.ADD, self.model):
            raise PermissionDenied
        self.viewset = self.model.snippet_viewset
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, errors=()) -> HttpResponse:
        is_outcomes = self.model is OccupationOutcome
        return render(self.request, self.template_name, {
            "title": _("Import yearly outcomes") if is_outcomes else _("Import equipment checklists"),
            "explanation": (
                _("Outcomes in the file are created, or updated when the same institution, occupation, level and "
                  "year are already recorded.") if is_outcomes else
                _("Checklists and items in the file are created, or updated when already recorded (items are "
                  "matched by name); items not in the file are left alone.")),
            "form": form,
            "errors": errors,
            "template_url": reverse(self.viewset.get_url_name("template")),
            "list_url": reverse(self.viewset.get_url_name("list")),
        }, status=400 if errors else 200)

    def get(self, request):
        return self.render(UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        upload = form.cleaned_data["file"]
        try:
            if self.model is OccupationOutcome:
                rows = importers.parse_outcomes(upload, user=request.user, filename=upload.name)
                summary = data_services.import_outcomes(user=request.user, rows=rows)
                message = _("%(name)s imported: %(created)s outcomes added, %(updated)s changed, %(unchanged)s "
                            "unchanged.") % {"name": upload.name, **vars(summary)}
            else:
                rows = importers.parse_equipment(upload, user=request.user, filename=upload.name)
                lists, items = data_services.import_equipment(user=request.user, rows=rows)
                message = _("%(name)s imported: %(lists)s checklists added, %(created)s items added, %(updated)s "
                            "changed, %(unchanged)s unchanged.") % {
                    "name": upload.name, "lists": lists.created, "created": items.created,
                    "updated": items.updated, "unchanged": items.unchanged}
        except importers.ImportRejected as exc:
            return self.render(form, errors=exc.errors)
        except ValidationError as exc:
            return self.render(form, errors=_validation_rows(exc))
        messages.success(request, message)
        return redirect(reverse(self.viewset.get_url_name("list")))


def _validation_rows(exc: ValidationError) -> list[importers.RowError]:
    if hasattr(exc, "error_dict"):
        return [importers.RowError(0, "-", f"{where}: {message}")
                for where, messages_ in exc.message_dict.items() for message in messages_]
    return [importers.RowError(0, "-", message) for message in exc.messages]


class EquipmentChecklistInspectView(RegistryInspectView):
    """A checklist with its items, how much of each is held, and links to add and edit items."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        checklist = self.object
        item_viewset = EquipmentItem.snippet_viewset
        may_change = permissions.has_object_permission(self.request.user, permissions.CHANGE, checklist)
        items = list(checklist.items.order_by("name"))
        context["items"] = [
            {"item": item,
             "edit_url": reverse(item_viewset.get_url_name("edit"), args=(item.pk,)) if may_change else None}
            for item in items
        ]
        context["held_in_full"] = sum(1 for item in items if item.is_held_in_full)
        context["add_item_url"] = (
            f"{reverse(item_viewset.get_url_name('add'))}?checklist={checklist.pk}" if may_change else None)
        return context


class EquipmentItemCreateView(RegistryCreateView):
    """Adding an item from its checklist's page starts with that checklist chosen."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        pk = self.request.GET.get("checklist", "")
        if pk.isdigit() and int(pk) < 2**63:
            instance = instance or self.model()
            checklist = permissions.scope_queryset(
                self.request.user, EquipmentChecklist.objects.filter(pk=int(pk)), permissions.VIEW).first()
            if checklist is not None:
                instance.checklist = checklist
        return instance


# --------------------------------------------------------------------------------------------- frameworks


class FrameworkIndexView(RegistryIndexView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if permissions.has_permission(self.request.user, permissions.ADD, AccreditationFramework):
            url = reverse(AccreditationFramework.snippet_viewset.get_url_name("import"))
            buttons.append(Button(_("Import from XLSX"), url=url, icon_name="upload", priority=30))
        return buttons


def framework_buttons(user, framework) -> tuple[list, list]:
    """The framework page's buttons: export in the header, import in its "more" menu (administrators)."""
    viewset = AccreditationFramework.snippet_viewset
    header = [HeaderButton(_("Export to XLSX"), url=reverse(viewset.get_url_name("export"), args=(framework.pk,)),
                           icon_name="download")]
    more = []
    if permissions.has_object_permission(user, permissions.CHANGE, framework):
        more.append(Button(_("Import from XLSX"), url=reverse(viewset.get_url_name("import")),
                           icon_name="upload", priority=30))
    return header, more


class FrameworkExportView(View):
    http_method_names = ["get"]

    def get(self, request, pk: int):
        framework = get_object_or_404(
            permissions.scope_queryset(request.user, AccreditationFramework.objects.select_related("document"),
                                       permissions.VIEW), pk=pk)
        return xlsx_response(exports.framework_xlsx(framework), f"framework-{framework.code}.xlsx")


class FrameworkImportView(View):
    """Administrators create or update a framework from a workbook; a bad workbook is rejected whole, every
    problem listed by sheet, row and column."""

    template_name = "vet/admin/spreadsheet_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.has_permission(request.user, permissions.ADD, AccreditationFramework):
            raise PermissionDenied
        self.viewset = AccreditationFramework.snippet_viewset
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, errors=()) -> HttpResponse:
        return render(self.request, self.template_name, {
            "title": _("Import an accreditation framework"),
            "explanation": _(
                "The framework with the workbook's code is created, or updated to what the workbook says: criteria "
                "and standards are matched by number and code, and those not in the workbook are removed. Export a "
                "framework to get a workbook to start from."),
            "form": form,
            "errors": errors,
            "show_sheet": True,
            "list_url": reverse(self.viewset.get_url_name("list")),
        }, status=400 if errors else 200)

    def get(self, request):
        return self.render(FrameworkUploadForm())

    def post(self, request):
        form = FrameworkUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        upload = form.cleaned_data["file"]
        try:
            workbook = importers.parse_framework(upload, filename=upload.name)
            framework, summary = data_services.import_framework(user=request.user, workbook=workbook)
        except importers.ImportRejected as exc:
            return self.render(form, errors=exc.errors)
        except ValidationError as exc:
            return self.render(form, errors=_validation_rows(exc))
        messages.success(request, _(
            "%(code)s imported: %(created)s rows added, %(updated)s changed, %(removed)s removed, %(unchanged)s "
            "unchanged.") % {"code": framework.code, **vars(summary)})
        return redirect(reverse(self.viewset.get_url_name("inspect"), args=(framework.pk,)))
