"""Wagtail admin: bulk imports (vet.imports). Choose a kind → download its template → upload a CSV or XLSX file for an
institution or cohort → a preview (every problem by row and column, or what will be written) → confirm → done.
A large file is checked and written by the task worker; its page follows the progress. Each user sees their own
imports and their school's; an administrator sees all."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from vet import permissions
from vet.downloads import attachment, csv_bytes, xlsx_bytes, xlsx_response
from vet.imports import all_kinds, get_kind, jobs
from vet.imports.base import COUNT_LABELS, context_choices
from vet.models import ImportJob

from .policy import forbidden_as_403

ERRORS_PAGE = 100


def _kind_or_404(key: str):
    try:
        return get_kind(key)
    except LookupError:
        raise Http404 from None


def _importable(user):
    return [kind for kind in all_kinds() if kind.may_import(user)]


class UploadForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, label="")
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm"}))

    def __init__(self, *args, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind.context is None:
            del self.fields["target"]
        else:
            field = self.fields["target"]
            field.queryset = context_choices(kind, user)
            field.label = _("Cohort") if kind.context == "cohort" else _("Institution")
            if field.queryset.count() == 1:
                field.initial = field.queryset.first()
        self.fields["file"].help_text = _(
            "The columns of the template, in UTF-8 CSV or an Excel workbook; at most %(max)s MB.") % {
            "max": jobs.max_upload_bytes() // (1024 * 1024)}


class ImportsIndexView(View):
    """The kinds the user may import, with their templates, and the latest imports."""

    def get(self, request):
        kinds = _importable(request.user)
        if not kinds:
            raise PermissionDenied(_("Your role does not import data."))
        recent = jobs.visible_jobs(request.user)[:25]
        labels = {kind.key: kind.label for kind in all_kinds()}
        for job in recent:
            job.kind_label = labels.get(job.kind, job.kind)
        return render(request, "vet/admin/imports/index.html", {"kinds": kinds, "jobs": recent})


class UploadView(View):
    def get(self, request, kind: str):
        import_kind = self._kind(request, kind)
        return self._render(request, import_kind, UploadForm(kind=import_kind, user=request.user))

    def post(self, request, kind: str):
        import_kind = self._kind(request, kind)
        form = UploadForm(request.POST, request.FILES, kind=import_kind, user=request.user)
        if form.is_valid():
            target = form.cleaned_data.get("target")
            try:
                job = jobs.start(user=request.user, kind=kind, upload=form.cleaned_data["file"],
                                 institution=target if import_kind.context == "institution" else None,
                                 cohort=target if import_kind.context == "cohort" else None)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error("file" if name not in form.fields else name, errors)
            else:
                return redirect("vet_import_job", pk=job.pk)
        return self._render(request, import_kind, form, status=400)

    @staticmethod
    def _kind(request, key: str):
        kind = _kind_or_404(key)
        if not kind.may_import(request.user):
            raise PermissionDenied(_("You may not import %(kind)s.") % {"kind": kind.label})
        return kind

    @staticmethod
    def _render(request, kind, form, status=200):
        return render(request, "vet/admin/imports/upload.html", {
            "kind": kind, "form": form, "columns": kind.columns}, status=status)


class TemplateView(View):
    def get(self, request, kind: str, fmt: str):
        import_kind = UploadView._kind(request, kind)
        if fmt == "xlsx":
            return xlsx_response(import_kind.template_xlsx(), f"vettrack-{kind}-template.xlsx")
        if fmt == "csv":
            return attachment(import_kind.template_csv(), "text/csv; charset=utf-8", f"vettrack-{kind}-template.csv")
        raise Http404


def _job_for(request, pk: int) -> ImportJob:
    job = jobs.visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


class JobView(View):
    """A job's progress (the page reloads itself while the worker runs), its preview or errors, and its actions."""

    def get(self, request, pk: int):
        job = _job_for(request, pk)
        kind = _kind_or_404(job.kind)
        page = Paginator(job.errors, ERRORS_PAGE).get_page(request.GET.get("p"))
        counts = [(COUNT_LABELS.get(key, key), value) for key, value in job.counts.items()]
        return render(request, "vet/admin/imports/job.html", {
            "job": job, "kind": kind, "errors_page": page, "counts": counts,
            "preview_head": job.preview[0] if job.preview else [], "preview_rows": job.preview[1:],
            "may_act": job.created_by_id == request.user.pk or request.user.is_superuser,
            "hidden_errors": max(job.error_count - len(job.errors), 0),
        })


class JobActionView(View):
    def post(self, request, pk: int, action: str):
        job = _job_for(request, pk)
        try:
            if action == "confirm":
                job = jobs.confirm(user=request.user, job=job)
                if job.status == ImportJob.Status.DONE:
                    messages.success(request, _("Imported: every row of %(file)s was written.")
                                     % {"file": job.filename})
            elif action == "cancel":
                jobs.cancel(user=request.user, job=job)
                messages.success(request, _("The import was cancelled; nothing was written."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("vet_import_job", pk=job.pk)


class ErrorsDownloadView(View):
    """A rejected file's errors as CSV or XLSX (row, column, problem), to fix the file beside it."""

    def get(self, request, pk: int, fmt: str):
        job = _job_for(request, pk)
        header = [_("Row"), _("Column"), _("Problem")]
        rows = [[e["row"], e["column"], e["message"]] for e in job.errors]
        name = f"vettrack-import-{job.pk}-errors"
        if fmt == "csv":
            return attachment(csv_bytes(header, rows), "text/csv; charset=utf-8", f"{name}.csv")
        if fmt == "xlsx":
            return xlsx_response(xlsx_bytes(header, rows, title=_("Errors"), widths=(8, 30, 100)), f"{name}.xlsx")
        raise Http404


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("imports/", forbidden_as_403(ImportsIndexView.as_view()), name="vet_imports"),
        path("imports/new/<str:kind>/", forbidden_as_403(UploadView.as_view()), name="vet_import_upload"),
        path("imports/new/<str:kind>/template.<str:fmt>", forbidden_as_403(TemplateView.as_view()),
             name="vet_import_template"),
        path("imports/<int:pk>/", forbidden_as_403(JobView.as_view()), name="vet_import_job"),
        path("imports/<int:pk>/errors.<str:fmt>", forbidden_as_403(ErrorsDownloadView.as_view()),
             name="vet_import_errors"),
        path("imports/<int:pk>/<str:action>/", forbidden_as_403(JobActionView.as_view()), name="vet_import_action"),
    ]


class ImportsMenuItem(MenuItem):
    """Shown to every role that imports some kind (the index lists which); reading the roles, not the kinds,
    keeps pandas out of every admin page."""

    def is_shown(self, request):
        roles = permissions.get_roles(request.user)
        return roles.is_admin or roles.is_officer or roles.is_school_staff


@hooks.register("register_admin_menu_item")
def register_imports_menu_item():
    return ImportsMenuItem(gettext_lazy("Data imports"), reverse("vet_imports"), name="data-imports",
                           icon_name="upload", order=900)
