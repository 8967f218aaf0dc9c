"""The province readiness matrix as JSON (and as XLSX or PDF): the same reads as the back-office dashboard
(`vet.dashboard`), for officers of the province and administrators."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from vet import choices, dashboard, rendering
from vet import readiness_exports as exports
from vet.downloads import XLSX, attachment
from vet.models import Occupation, Province


class MatrixQuerySerializer(serializers.Serializer):
    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False,
        help_text=_("Province code, as elsewhere in the API; default: the first province of the user's "
                    "jurisdiction."),
    )
    tier = serializers.ChoiceField(choices=choices.Tier.choices, required=False, allow_blank=True)
    occupation = serializers.SlugRelatedField(slug_field="code", queryset=Occupation.objects.all(), required=False,
                                              allow_null=True, help_text=_("Occupation code."))


class ExportQuerySerializer(MatrixQuerySerializer):
    file = serializers.ChoiceField(choices=[("xlsx", "XLSX"), ("pdf", "PDF")], required=False, default="xlsx")


class EntrySerializer(serializers.Serializer):
    designation = serializers.IntegerField(source="designation.pk")
    tier = serializers.CharField(source="designation.tier")
    status = serializers.CharField()
    status_label = serializers.CharField()
    weighted_gap = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    projected_date = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    def get_projected_date(self, entry) -> str | None:
        date = entry.readiness.projected_date if entry.readiness else None
        return date.isoformat() if date else None

    def get_missing(self, entry) -> list[str]:
        return [i.metric for i in entry.readiness.missing] if entry.readiness else []


class ColumnSerializer(serializers.Serializer):
    occupation = serializers.IntegerField(source="occupation.pk")
    code = serializers.CharField(source="occupation.code")
    name = serializers.CharField(source="occupation.name")
    level = serializers.CharField()
    level_label = serializers.CharField()


class SchoolRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="institution.pk")
    code = serializers.CharField(source="institution.code")
    name = serializers.CharField(source="institution.name")
    cells = serializers.ListField(child=EntrySerializer(many=True),
                                 help_text=_("One list per column, in the order of `columns`: the school's "
                                             "designations there (empty: none)."))


class MatrixSerializer(serializers.Serializer):
    province = inline_serializer("MatrixProvince", {"id": serializers.IntegerField(),
                                                    "code": serializers.CharField(),
                                                    "name": serializers.CharField()})
    on = serializers.DateField()
    tier = serializers.CharField()
    occupation = serializers.CharField(allow_null=True, help_text=_("Code of the occupation filtered on."))
    counts = serializers.DictField(child=serializers.IntegerField())
    columns = ColumnSerializer(many=True)
    schools = SchoolRowSerializer(many=True)

    def to_representation(self, matrix):
        return {
            "province": {"id": matrix.province.pk, "code": matrix.province.code, "name": matrix.province.name},
            "on": matrix.on.isoformat(),
            "tier": matrix.tier,
            "occupation": matrix.occupation.code if matrix.occupation else None,
            "counts": {status: count for status, _label, count in matrix.status_counts},
            "columns": ColumnSerializer(matrix.columns, many=True).data,
            "schools": [
                {"id": row.institution.pk, "code": row.institution.code, "name": row.institution.name,
                 "cells": [EntrySerializer(cell, many=True).data for cell in row.cells]}
                for row in matrix.rows
            ],
        }


class _MatrixMixin:
    permission_classes = [IsAuthenticated]

    def _matrix(self, serializer_class):
        query = serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        provinces = dashboard.dashboard_provinces(self.request.user)
        province = query.validated_data.get("province") or provinces.first()
        if province is None or not provinces.filter(pk=province.pk).exists():
            raise PermissionDenied(_("You may only see the readiness of the provinces in your jurisdiction."))
        matrix = dashboard.build_matrix(province, tier=query.validated_data.get("tier") or "",
                                        occupation=query.validated_data.get("occupation"))
        return matrix, query.validated_data



class ReadinessDashboardView(_MatrixMixin, APIView):
    """The matrix schools × key occupations of a province: each designation's readiness status and weighted gap.
    Officers see the provinces of their jurisdiction, administrators any; school staff are refused (they read
    their own designations in `/api/v1/readiness/`)."""

    @extend_schema(parameters=[MatrixQuerySerializer], responses={200: MatrixSerializer})
    def get(self, request):
        matrix, _data = self._matrix(MatrixQuerySerializer)
        return Response(MatrixSerializer(matrix).data)


class ReadinessDashboardExportView(_MatrixMixin, APIView):
    """The same matrix as XLSX (sheets: matrix, indicators) or PDF (A4 landscape)."""

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("The matrix as XLSX")),
                   (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY,
                                                             description=_("The matrix as PDF"))},
    )
    def get(self, request):
        matrix, data = self._matrix(ExportQuerySerializer)
        if data.get("file") == "pdf":
            content, content_type, ext = rendering.render_pdf(
                "vet/pdf/readiness_matrix.html",
                {"matrix": matrix, "tier_label": dict(choices.Tier.choices).get(matrix.tier, "")},
            ), "application/pdf", "pdf"
        else:
            content, content_type, ext = exports.matrix_workbook(matrix), XLSX, "xlsx"
        return attachment(content, content_type, f"readiness-{matrix.province.code}.{ext}")

