"""The version page's spreadsheet actions: export to XLSX, download the template, import a components file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages

from vet.downloads import xlsx_response

from .. import exports, importers, services
from .editing import get_visible_version, version_url

MAX_LISTED_ERRORS = 30  # more than this in one message list helps nobody; the count says how many there are



class VersionExportView(View):
    """The version's subjects and modules as the XLSX workbook that imports back unchanged."""

    http_method_names = ["get"]

    def get(self, request, pk: int):
        version = get_visible_version(request.user, pk)
        return xlsx_response(exports.export_version_xlsx(version),
                     f"curriculum-{version.curriculum.occupation.code}-{version.pk}.xlsx")


class ComponentTemplateView(View):
    """The empty components workbook with its instructions."""

    http_method_names = ["get"]

    def get(self, request):
        return xlsx_response(exports.component_template_xlsx(), "curriculum-components-template.xlsx")


class VersionImportView(View):
    """Replace a draft's subjects and modules with an uploaded file; a bad file is rejected whole, every problem
    listed by row and column, and nothing is written."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        version = get_visible_version(request.user, pk)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose an XLSX or CSV file to import."))
            return redirect(version_url(version.pk))
        try:
            rows = importers.parse_curriculum_components(upload, filename=upload.name,
                                                         credit_rules=services.credit_rules_for(version))
            summary = services.import_components(user=request.user, version=version, rows=rows)
        except importers.ImportRejected as exc:
            messages.error(request, _("%(name)s was rejected with %(count)s problem(s); nothing was written.")
                           % {"name": upload.name, "count": len(exc.errors)})
            for error in exc.errors[:MAX_LISTED_ERRORS]:
                messages.error(request, str(error))
            return redirect(version_url(version.pk))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(version_url(version.pk))
        messages.success(request, _(
            "%(name)s imported: %(created)s added, %(updated)s changed, %(removed)s removed, %(unchanged)s unchanged."
        ) % {"name": upload.name, "created": summary.created, "updated": summary.updated,
             "removed": summary.removed, "unchanged": summary.unchanged})
        return redirect(version_url(version.pk))
