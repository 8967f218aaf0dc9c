"""What the certificates API views share: refusals with their codes, conflicts, file downloads."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from curricula.api.views.curricula import WRITE_METHODS
from vet.api.exceptions import exception_handler

from ..serializers import RefusalSerializer

__all__ = ["FORBIDDEN", "NOT_YET", "REFUSED", "WRITE_METHODS", "conflict", "file_response", "reasons", "refused"]

FORBIDDEN = {403: OpenApiResponse(description="Not allowed for this user.")}
REFUSED = {400: RefusalSerializer, **FORBIDDEN}
NOT_YET = OpenApiResponse(description="Not available yet: the file is not stored yet.")


def reasons(exc: DjangoValidationError) -> list[dict]:
    """Each message of a service's ValidationError with its code (e.g. not_graduated) and the field it is about
    (null: the request as a whole), for clients to act on. A message raised without a code has "invalid"."""
    if hasattr(exc, "error_dict"):
        errors = [(field, e) for field, field_errors in exc.error_dict.items() for e in field_errors]
    else:
        errors = [(None, e) for e in exc.error_list]
    return [
        {"code": e.code or "invalid", "field": None if field == "__all__" else field, "message": message}
        for field, e in errors
        for message in e.messages
    ]


def refused(exc: DjangoValidationError) -> Response:
    """HTTP 400 in the API's error format (messages by field, see vet.api.exceptions), plus `reasons` with codes."""
    response = exception_handler(exc, {})
    return Response({**response.data, "reasons": reasons(exc)}, status=status.HTTP_400_BAD_REQUEST)


def conflict(message: str) -> Response:
    """HTTP 409: the resource exists but is not in a state to answer this yet."""
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)


def file_response(field, content_type: str, filename: str) -> FileResponse:
    """A stored (private) file as an attachment."""
    return FileResponse(field.open("rb"), content_type=content_type, as_attachment=True, filename=filename)
