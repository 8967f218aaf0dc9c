"""What the API's spreadsheet actions share: the XLSX response, the upload body and the rejection report."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.response import Response

from vet import importers
from vet.downloads import XLSX, xlsx_response  # noqa: F401  (the API's import)


def rejected_response(exc: importers.ImportRejected) -> Response:
    errors = [{"sheet": e.sheet, "row": e.row, "column": e.column, "message": str(e.message)} for e in exc.errors]
    return Response({"detail": _("The file was rejected; nothing was written."), "errors": errors},
                    status=status.HTTP_400_BAD_REQUEST)



class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("XLSX (or CSV) in the format of the template."))


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ImportErrorSerializer(many=True)


def uploaded_file(request):
    """The uploaded file, or the 400 response (in the shape of a rejected file) saying what is wrong with it."""
    body = FileUploadSerializer(data=request.data)
    if body.is_valid():
        return body.validated_data["file"], None
    errors = [{"sheet": "", "row": 0, "column": field, "message": str(message)}
              for field, messages in body.errors.items() for message in messages]
    return None, Response({"detail": _("The file was rejected; nothing was written."), "errors": errors},
                          status=status.HTTP_400_BAD_REQUEST)


def parsed_upload(request, parse):
    """The rows `parse(upload, filename=…)` reads from the request's file, or the 400 response refusing it.

    Returns `(rows, None)` or `(None, response)`: a missing or unreadable upload, or a file with any bad cell
    (every problem named by sheet, row and column)."""
    upload, refusal = uploaded_file(request)
    if refusal is not None:
        return None, refusal
    try:
        return parse(upload, filename=upload.name), None
    except importers.ImportRejected as exc:
        return None, rejected_response(exc)
