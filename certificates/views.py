"""Public verification of a diploma: the page the QR code opens, its JSON twin and the PDF (marked if revoked);
the look-up by serial and full name (both required, rate-limited, one neutral answer when nothing matches)."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django import forms
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from . import selectors


def _verification_or_404(code: str) -> selectors.Verification:
    diploma = selectors.get_diploma_by_code(code)
    if diploma is None:
        raise Http404(_("No diploma has this verification code."))
    return selectors.get_verification(diploma)


def verify_page(request, code: str):
    """The page a scanned QR code opens: status first, then the printed facts."""
    try:
        verification = _verification_or_404(code)
    except Http404:
        return render(request, "certificates/verify.html", {"code": code, "verification": None}, status=404)
    return render(request, "certificates/verify.html", {"code": code, "verification": verification,
                                                         "s": verification.diploma.snapshot})


def verify_pdf(request, code: str):
    """The stored PDF/A of the diploma (a revoked one carries the REVOKED mark)."""
    diploma = _verification_or_404(code).diploma
    if not diploma.pdf:
        raise Http404(_("This diploma has no stored PDF."))
    return FileResponse(diploma.pdf.open("rb"), content_type="application/pdf",
                        filename=f"{diploma.code}.pdf", as_attachment=False)


def verification_data(verification: selectors.Verification, request) -> dict:
    d, s = verification.diploma, verification.diploma.snapshot
    current = verification.current
    return {
        "code": d.code, "status": d.status, "status_display": d.get_status_display(),
        "holder_name": s["holder"]["full_name"], "date_of_birth": s["holder"]["date_of_birth"],
        "kind": d.kind, "kind_display": d.get_kind_display(), "title_vi": s["title_vi"], "title_en": s["title_en"],
        "occupation_code": s["occupation"]["code"], "occupation_name_vi": s["occupation"]["name_vi"],
        "occupation_name_en": s["occupation"]["name_en"], "level": s["level"],
        "classification": s["classification"], "issued_on": s["issued_on"],
        "institution_code": s["institution"]["code"], "institution_name_vi": s["institution"]["name_vi"],
        "institution_name_en": s["institution"]["name_en"], "serial": d.serial,
        "register_number": d.register_number, "is_reissue": s["is_reissue"],
        "scope_covered_on_issue": verification.scope_covered,
        "accredited_on_issue": verification.accredited,
        "current_code": current.code if current else None,
        "current_url": request.build_absolute_uri(f"/verify/{current.code}/") if current else None,
        "pdf_sha256": d.pdf_sha256,
    }


class VerificationSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "reissued", "revoked"])
    status_display = serializers.CharField()
    holder_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    title_vi = serializers.CharField(allow_blank=True)
    title_en = serializers.CharField(allow_blank=True)
    occupation_code = serializers.CharField()
    occupation_name_vi = serializers.CharField()
    occupation_name_en = serializers.CharField()
    level = serializers.CharField()
    classification = serializers.CharField(allow_blank=True)
    issued_on = serializers.DateField()
    institution_code = serializers.CharField()
    institution_name_vi = serializers.CharField()
    institution_name_en = serializers.CharField()
    serial = serializers.CharField()
    register_number = serializers.CharField()
    is_reissue = serializers.BooleanField()
    scope_covered_on_issue = serializers.BooleanField()
    accredited_on_issue = serializers.BooleanField(allow_null=True)
    current_code = serializers.CharField(allow_null=True)
    current_url = serializers.URLField(allow_null=True)
    pdf_sha256 = serializers.CharField(allow_blank=True)


class VerifyThrottle(AnonRateThrottle):
    rate = "60/min"


class DiplomaVerifyView(APIView):
    """Public: the status and printed facts of the diploma with this verification code."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [VerifyThrottle]

    @extend_schema(responses=VerificationSerializer, operation_id="verify_diploma")
    def get(self, request, code: str):
        return Response(verification_data(_verification_or_404(code), request))


# --- look-up by serial and full name ---------------------------------------------------------------------------

LOOKUP_LIMIT = 10  # tries per client address and window, for the page (the API has LookupThrottle)
LOOKUP_WINDOW = 60  # seconds


def client_ip(request) -> str:
    """The client's address as the login lockout (django-axes) resolves it, so both see the same client."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def _lookup_allowed(request) -> bool:
    """Count this try against the client's address; False once the window holds more than LOOKUP_LIMIT."""
    key = f"certificates:lookup:{client_ip(request)}"
    if cache.add(key, 1, timeout=LOOKUP_WINDOW):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=LOOKUP_WINDOW)
        count = 1
    return count <= LOOKUP_LIMIT


class LookupForm(forms.Form):
    serial = forms.CharField(label=gettext_lazy("Serial (số hiệu)"), max_length=80,
                             help_text=gettext_lazy("As printed on the diploma, e.g. CĐMT/2025/00125."))
    full_name = forms.CharField(label=gettext_lazy("Full name of the holder"), max_length=120,
                                help_text=gettext_lazy("As printed on the diploma; diacritics may be left out."))


def _not_found_message() -> str:
    # One message whatever was wrong, so that the answer never tells whether a serial exists.
    return _("No diploma matches this serial and full name. Check both against the diploma.")


def verify_lookup(request):
    """Public: find a diploma by its serial and its holder's full name, then open its verification page."""
    template = "certificates/verify_lookup.html"
    if request.method != "POST":
        return render(request, template, {"form": LookupForm()})
    if not _lookup_allowed(request):
        response = render(request, template, {"form": LookupForm(), "limited": True}, status=429)
        response["Retry-After"] = str(LOOKUP_WINDOW)
        return response
    form = LookupForm(request.POST)
    context = {"form": form}
    if form.is_valid():
        matches = selectors.find_diplomas_by_serial_and_name(form.cleaned_data["serial"],
                                                             form.cleaned_data["full_name"])
        if len(matches) == 1:
            return redirect(reverse("certificates:verify", args=(matches[0].code,)))
        if matches:
            context["matches"] = matches
        else:
            context["not_found"] = _not_found_message()
    return render(request, template, context)


class DiplomaLookupSerializer(serializers.Serializer):
    serial = serializers.CharField(max_length=80, help_text=gettext_lazy("The serial (số hiệu) printed on it."))
    full_name = serializers.CharField(max_length=120, help_text=gettext_lazy(
        "The holder's full name as printed; diacritics may be left out."))
    institution_code = serializers.CharField(required=False, max_length=40, help_text=gettext_lazy(
        "Only when two institutions issued a diploma with this serial to this name: the issuing institution."))


class LookupThrottle(AnonRateThrottle):
    scope = "verify_lookup"
    rate = "10/min"

    def get_ident(self, request):
        return client_ip(request)


class DiplomaLookupView(APIView):
    """Public: the status and printed facts of the diploma with this serial and holder's full name (both
    required); 404 with one neutral message when nothing matches."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LookupThrottle]

    @extend_schema(request=DiplomaLookupSerializer, operation_id="lookup_diploma", responses={
        200: VerificationSerializer, 400: OpenApiResponse(description="A field is missing or invalid."),
        404: OpenApiResponse(description="No diploma matches."), 429: OpenApiResponse(description="Too many tries.")})
    def post(self, request):
        data = DiplomaLookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        matches = selectors.find_diplomas_by_serial_and_name(data.validated_data["serial"],
                                                             data.validated_data["full_name"])
        code = data.validated_data.get("institution_code", "").strip().upper()
        if code:
            matches = [d for d in matches if d.institution.code.upper() == code]
        if not matches:
            raise NotFound(_not_found_message())
        if len(matches) > 1:
            raise DRFValidationError({"institution_code": [_(
                "More than one institution issued a diploma with this serial to this name: give the institution's "
                "code.")]})
        return Response(verification_data(selectors.get_verification(matches[0]), request))
