"""Wagtail admin: XLSX imports of a cohort's learners and results (certificates.importers).

Choose a cohort → upload a file → preview (a dry run: every problem by row and column, or what the import will do)
→ confirm → a message. Between preview and confirm the file waits in the private storage under a random name; the
confirm form carries a signed token naming that file, its SHA-256, the user, the cohort and the kind, valid for
TOKEN_MAX_AGE seconds. A user can therefore confirm only a file they uploaded themselves, for the cohort they
previewed it for, and only once (the file is removed when it is read)."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from pathlib import Path

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from vet import permissions
from vet.admin_views.policy import forbidden_as_403
from vet.downloads import xlsx_response
from vet.storage import private_storage

from .. import importers, services
from ..importers import KINDS, LEARNERS
from ..models import Cohort

TOKEN_SALT = "certificates.admin_views.imports"
TOKEN_MAX_AGE = 60 * 60
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_DIR = "certificate-imports"
PAGE_SIZE = 50
UPLOAD_TEMPLATE = "certificates/admin/imports/upload.html"
PREVIEW_TEMPLATE = "certificates/admin/imports/preview.html"
KIND_TITLES = {importers.LEARNERS: gettext_lazy("Import learners"), importers.RESULTS: gettext_lazy("Import results")}
EXPLANATIONS = {
    importers.LEARNERS: gettext_lazy(
        "One row per learner. A learner already registered with the same citizen ID (by this or another school) is "
        "reused, never created twice; a learner already in the cohort is left as is, so importing the same file "
        "again changes nothing."
    ),
    importers.RESULTS: gettext_lazy(
        "One row per learner already enrolled in the cohort: the final score and flags, and the graduation "
        "decision when there is one. A learner who does not meet the graduation conditions is refused with the "
        "reason."
    ),
}


def index_url() -> str:
    return reverse("certificates_imports")


def upload_url(cohort: Cohort, kind: str) -> str:
    return reverse("certificates_import_upload", args=(cohort.pk, kind))


def importable_cohorts(user):
    """Cohorts whose learners and results `user` may import: their own school's, or all for an administrator."""
    cohorts = Cohort.objects.select_related(
        "curriculum_version__curriculum__institution", "curriculum_version__curriculum__occupation"
    ).annotate(learner_count=Count("enrolments"))
    return permissions.scope_queryset(user, cohorts, permissions.CHANGE).order_by("-intake_year", "code", "pk")


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Cohort code or name"), required=False, max_length=100)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSX file"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) with the columns of the template; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".xlsx", ".xlsm"):
            raise ValidationError(_("Choose an Excel workbook (.xlsx)."), code="file_type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="file_size",
            )
        return upload


def _may_import_somewhere(user) -> bool:
    roles = permissions.get_roles(user)
    return roles.is_admin or roles.is_school_staff


class ImportIndexView(WagtailAdminTemplateMixin, View):
    """The cohorts the user may import into, with the two import buttons and the templates."""

    template_name = "certificates/admin/imports/index.html"
    page_title = gettext_lazy("Import learners and results")
    header_icon = "upload"
    http_method_names = ["get"]

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request):
        if not _may_import_somewhere(request.user):
            raise PermissionDenied
        cohorts = importable_cohorts(request.user)
        search_form = SearchForm(request.GET)
        query = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
        if query:
            cohorts = cohorts.filter(Q(code__icontains=query) | Q(name__icontains=query))
        page = Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("p"))
        return self.render_to_response(
            self.get_context_data(
                page=page,
                q=query,
                search_form=search_form,
                template_urls={kind: reverse("certificates_import_template", args=(kind,)) for kind in KINDS},
            )
        )


class TemplateDownloadView(View):
    """The empty workbook of a kind, with its instructions sheet in the user's language."""

    http_method_names = ["get"]

    def get(self, request, kind: str):
        if kind not in KINDS:
            raise Http404
        if not _may_import_somewhere(request.user):
            raise PermissionDenied
        return xlsx_response(importers.template_xlsx(kind), f"{kind}-template.xlsx")


class CohortImportMixin(WagtailAdminTemplateMixin):
    """The cohort and kind of the URL; 403 unless the user may import them (importers.require_import_permission)."""

    header_icon = "upload"

    def dispatch(self, request, cohort_pk: int, kind: str):
        if kind not in KINDS:
            raise Http404
        self.kind = kind
        self.cohort = get_object_or_404(
            Cohort.objects.select_related(
                "curriculum_version__curriculum__institution", "curriculum_version__curriculum__occupation"
            ),
            pk=cohort_pk,
        )
        importers.require_import_permission(request.user, self.cohort, kind)
        return super().dispatch(request, cohort_pk=cohort_pk, kind=kind)

    def get_page_title(self):
        return KIND_TITLES[self.kind]

    def get_page_subtitle(self):
        return self.cohort.code

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": index_url(), "label": _("Import learners and results")},
            {"url": "", "label": self.get_header_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        curriculum = self.cohort.curriculum_version.curriculum
        kind = self.kind
        context.update(
            cohort=self.cohort,
            curriculum=curriculum,
            kind=kind,
            is_learners=kind == LEARNERS,
            scale_max=services.SCALE_MAX[self.cohort.grading_scale],
            explanation=EXPLANATIONS[kind],
            columns=[
                {
                    "key": column,
                    "header_vi": importers.HEADERS_VI[column][0],
                    "required": column in importers.REQUIRED_COLUMNS[kind],
                    "help": importers.COLUMN_HELP[column],
                }
                for column in importers.COLUMNS[kind]
            ],
            template_url=reverse("certificates_import_template", args=(kind,)),
            index_url=index_url(),
            upload_url=upload_url(self.cohort, kind),
            confirm_url=reverse("certificates_import_confirm", args=(self.cohort.pk, kind)),
            max_age_minutes=TOKEN_MAX_AGE // 60,
        )
        return context

    def render(self, template_name: str, *, status: int = 200, **context) -> TemplateResponse:
        return TemplateResponse(self.request, template_name, self.get_context_data(**context), status=status)

    def render_rejected(self, exc: importers.ImportRejected, filename: str) -> TemplateResponse:
        return self.render(PREVIEW_TEMPLATE, status=400, form=UploadForm(), errors=exc.errors, filename=filename)


class ImportUploadView(CohortImportMixin, View):
    """The upload form; a posted file is checked by a dry run and the preview shows the result."""

    http_method_names = ["get", "post"]

    def get(self, request, cohort_pk: int, kind: str):
        return self.render(UPLOAD_TEMPLATE, form=UploadForm())

    def post(self, request, cohort_pk: int, kind: str):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(UPLOAD_TEMPLATE, status=400, form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            summary = importers.import_file(
                content, user=request.user, cohort=self.cohort, kind=kind, filename=upload.name, dry_run=True
            )
        except importers.ImportRejected as exc:
            return self.render_rejected(exc, upload.name)
        token = _keep(content, user=request.user, cohort=self.cohort, kind=kind, filename=upload.name)
        return self.render(
            PREVIEW_TEMPLATE, summary=summary, summary_text=summary.describe(), token=token, filename=upload.name
        )


class ImportConfirmView(CohortImportMixin, View):
    """Import the file the user previewed, named by the signed token of the preview."""

    http_method_names = ["post"]

    def post(self, request, cohort_pk: int, kind: str):
        try:
            data = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:  # expired or altered
            messages.error(request, _("This preview has expired; upload the file again."))
            return redirect(upload_url(self.cohort, kind))
        if data.get("user") != request.user.pk:
            raise PermissionDenied(_("This file was uploaded by another user."))
        if (data.get("cohort"), data.get("kind")) != (self.cohort.pk, kind):
            messages.error(request, _("This preview was made for another cohort or kind of file; upload it again."))
            return redirect(upload_url(self.cohort, kind))
        content = _take(data["file"])
        if content is None or hashlib.sha256(content).hexdigest() != data.get("sha256"):
            messages.error(request, _("This file was imported already or has expired; upload it again."))
            return redirect(upload_url(self.cohort, kind))
        filename = data.get("filename", "upload.xlsx")
        try:
            summary = importers.import_file(
                content, user=request.user, cohort=self.cohort, kind=kind, filename=filename
            )
        except importers.ImportRejected as exc:  # the data changed since the preview
            return self.render_rejected(exc, filename)
        messages.success(request, f"{filename}: {summary.describe()}")
        return redirect(index_url())


def _keep(content: bytes, *, user, cohort: Cohort, kind: str, filename: str) -> str:
    """Store the previewed file privately and return the token that names it."""
    storage = private_storage()
    folder = f"{UPLOAD_DIR}/{user.pk}"
    _purge_stale(storage, folder)
    name = storage.save(f"{folder}/{uuid.uuid4().hex}.xlsx", ContentFile(content))
    return signing.dumps(
        {
            "file": name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "user": user.pk,
            "cohort": cohort.pk,
            "kind": kind,
            "filename": Path(filename).name,
        },
        salt=TOKEN_SALT,
    )


def _take(name: str) -> bytes | None:
    """The stored file's content, removed from the storage (a token serves once); None when it is gone."""
    storage = private_storage()
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        content = handle.read()
    storage.delete(name)
    return content


def _purge_stale(storage, folder: str) -> None:
    """Remove the user's previews that can no longer be confirmed (their token has expired)."""
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    oldest = timezone.now() - datetime.timedelta(seconds=TOKEN_MAX_AGE)
    for name in files:
        try:
            if storage.get_modified_time(f"{folder}/{name}") < oldest:
                storage.delete(f"{folder}/{name}")
        except (FileNotFoundError, NotImplementedError):
            continue


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("certificates/imports/", forbidden_as_403(ImportIndexView.as_view()), name="certificates_imports"),
        path(
            "certificates/imports/template/<str:kind>/",
            forbidden_as_403(TemplateDownloadView.as_view()),
            name="certificates_import_template",
        ),
        path(
            "certificates/imports/<int:cohort_pk>/<str:kind>/",
            forbidden_as_403(ImportUploadView.as_view()),
            name="certificates_import_upload",
        ),
        path(
            "certificates/imports/<int:cohort_pk>/<str:kind>/confirm/",
            forbidden_as_403(ImportConfirmView.as_view()),
            name="certificates_import_confirm",
        ),
    ]


class ImportMenuItem(MenuItem):
    """Shown to administrators and school staff (others may import nothing)."""

    def is_shown(self, request):
        return _may_import_somewhere(request.user)


@hooks.register("register_certificates_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        gettext_lazy("Import learners and results"),
        reverse_lazy("certificates_imports"),
        name="certificate-imports",
        icon_name="upload",
        order=300,
    )
