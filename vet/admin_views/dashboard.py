"""The province readiness dashboard in the back-office: the matrix schools × key occupations, one designation's
indicators, one school's assessment chart, and their XLSX/PDF exports. Reads come from `vet.dashboard`; who may
see what from `vet.permissions` (through `vet.dashboard.check_province` / `check_institution`)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.components import Component

from .. import choices, dashboard, permissions, rendering
from .. import readiness_exports as exports
from ..downloads import PDF, XLSX, attachment
from ..models import Institution, KeyOccupationDesignation, Occupation


class MatrixFilterForm(forms.Form):
    province = forms.ModelChoiceField(label=gettext_lazy("Province"), queryset=None, empty_label=None)
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), required=False,
                             choices=[("", gettext_lazy("All tiers")), *choices.Tier.choices])
    occupation = forms.ModelChoiceField(label=gettext_lazy("Occupation"), queryset=None, required=False,
                                        empty_label=gettext_lazy("All key occupations"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = dashboard.dashboard_provinces(user)
        self.fields["occupation"].queryset = Occupation.objects.filter(designations__isnull=False).distinct() \
            .order_by("code")
        self.fields["occupation"].label_from_instance = lambda o: f"{o.code} {o.name}"



class ReadinessDashboardView(View):
    """Officers (their jurisdiction) and administrators (any province): the matrix, filterable by GET parameters so
    that a URL can be shared; `export` = "xlsx" or "pdf" downloads the same matrix."""

    export: str = ""

    def get(self, request):
        provinces = dashboard.dashboard_provinces(request.user)
        if not provinces.exists():
            raise PermissionDenied(_("The readiness dashboard is for provincial officers and administrators."))
        data = request.GET.copy()
        data.setdefault("province", str(provinces.first().pk))
        asked = data.get("province", "")
        if asked.isdigit() and not provinces.filter(pk=int(asked)).exists():
            raise PermissionDenied(_("You may only see the readiness of the provinces in your jurisdiction."))
        form = MatrixFilterForm(data, user=request.user)
        matrix = None
        if form.is_valid():
            province = form.cleaned_data["province"]
            dashboard.check_province(request.user, province)
            matrix = dashboard.build_matrix(province, tier=form.cleaned_data["tier"],
                                            occupation=form.cleaned_data["occupation"])
        if self.export and matrix is None:
            raise PermissionDenied(_("Choose a province of your jurisdiction."))
        tier_label = dict(choices.Tier.choices).get(matrix.tier, "") if matrix else ""
        if self.export == "xlsx":
            return attachment(exports.matrix_workbook(matrix), XLSX, f"readiness-{matrix.province.code}.xlsx")
        if self.export == "pdf":
            pdf = rendering.render_pdf("vet/pdf/readiness_matrix.html", {"matrix": matrix, "tier_label": tier_label})
            return attachment(pdf, PDF, f"readiness-{matrix.province.code}.pdf")
        query = urlencode({k: v for k, v in data.items() if k in ("province", "tier", "occupation") and v})
        return render(request, "vet/admin/readiness/matrix.html", {
            "form": form, "matrix": matrix, "tier_label": tier_label, "query": query,
            "xlsx_url": f"{reverse('vet_readiness_matrix_xlsx')}?{query}",
            "pdf_url": f"{reverse('vet_readiness_matrix_pdf')}?{query}",
        })


class DesignationReadinessView(View):
    """One designation: every indicator's value, threshold, met, gap, confirmation and source; the missing pieces;
    the open action items and the projected date."""

    def get(self, request, pk: int):
        designation = get_object_or_404(
            KeyOccupationDesignation.objects.select_related("institution__province", "occupation", "decision"), pk=pk
        )
        dashboard.check_institution(request.user, designation.institution)
        detail = dashboard.get_designation_detail(designation)
        return render(request, "vet/admin/readiness/designation.html", {
            "detail": detail, "designation": designation,
            "school_url": reverse("vet_readiness_school", args=(designation.institution_id,)),
            "can_see_province": permissions.get_roles(request.user).is_admin
            or designation.institution.province_id in permissions.get_roles(request.user).province_ids,
        })


def bar_chart(report: dashboard.SchoolReport) -> dict:
    """Geometry of the inline SVG: per criterion a grey bar (maximum), the self-assessment and the external one."""
    top = report.chart_max
    width, row_height, label_width = 520, 34, 40
    rows = []
    for i, block in enumerate(report.criteria):
        def length(value):
            return 0 if value is None else round(float(Decimal(value) / top) * width, 1)
        rows.append({
            "y": i * row_height, "label": block.criterion.number, "name": block.criterion.name,
            "max": length(block.max_points), "self": length(block.self_points),
            "external": length(block.external_points), "self_points": block.self_points,
            "external_points": block.external_points, "max_points": block.max_points,
        })
        rows[-1]["text_x"] = label_width + max(rows[-1]["max"], rows[-1]["self"], rows[-1]["external"]) + 6
    return {"rows": rows, "width": width + label_width + 160, "height": len(rows) * row_height + 4,
            "label_width": label_width, "has_external": report.external_score is not None}


class SchoolReadinessView(View):
    """One school: its latest self-assessment and external assessment per criterion as a bar chart, the tree of
    standards, its designations with their readiness; `export` downloads the assessment report."""

    export: str = ""

    def get(self, request, pk: int):
        institution = get_object_or_404(Institution.objects.select_related("province"), pk=pk)
        dashboard.check_institution(request.user, institution)
        report = dashboard.get_school_report(institution)
        if self.export == "xlsx":
            return attachment(exports.school_workbook(report), XLSX, f"assessment-{institution.code}.xlsx")
        if self.export == "pdf":
            pdf = rendering.render_pdf("vet/pdf/school_assessment.html", {"report": report})
            return attachment(pdf, PDF, f"assessment-{institution.code}.pdf")
        roles = permissions.get_roles(request.user)
        return render(request, "vet/admin/readiness/school.html", {
            "report": report, "chart": bar_chart(report),
            "matrix_url": (f"{reverse('vet_readiness_matrix')}?province={institution.province_id}"
                           if roles.is_admin or institution.province_id in roles.province_ids else ""),
        })


class ReadinessPanel(Component):
    """Wagtail dashboard panel: officers and administrators get the matrix, school staff their school's page."""

    name = "vet_readiness"
    order = 60
    template_name = "vet/admin/readiness/panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        user = parent_context["request"].user
        roles = permissions.get_roles(user)
        context["matrix_links"] = [
            (p, f"{reverse('vet_readiness_matrix')}?province={p.pk}")
            for p in dashboard.dashboard_provinces(user)[:12]
        ] if roles.is_admin or roles.is_officer else []
        context["school_links"] = [
            (i, reverse("vet_readiness_school", args=(i.pk,)))
            for i in Institution.objects.filter(pk__in=roles.institution_ids).order_by("name_vi")
        ]
        return context
