"""Public verification of a diploma: the page the QR code opens, its JSON twin and the PDF (marked if revoked)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
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
