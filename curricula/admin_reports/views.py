"""Admin screens of skill standards and of the mapping of a version to them; writes go through the services."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button

from vet import permissions
from vet.admin_views import RegistryInspectView

from .. import choices, importers, selectors, services
from ..admin_views.editing import version_url
from ..models import ComponentUnitMapping, CurriculumComponent, SkillFramework, SkillUnit
from .forms import CoverageChoiceForm, FrameworkImportForm, MappingForm

# ----------------------------------------------------------------------------------------- inspect views


class FrameworkInspectView(RegistryInspectView):
    """A framework with its units counted per group and level, the sample warning and the import button."""

    def get_unit_counts(self) -> dict:
        rows = selectors.count_skill_units(self.object)
        labels = dict(choices.UnitGroup.choices)
        levels = sorted({r["level"] for r in rows}, key=lambda lv: (lv is None, lv or 0))
        table = defaultdict(dict)
        for r in rows:
            table[r["group"]][r["level"]] = r["count"]
        groups = [
            {"label": labels.get(group, group), "counts": [table[group].get(lv, 0) for lv in levels],
             "total": sum(table[group].values())}
            for group in [g for g in choices.UnitGroup.values if g in table] + [g for g in table
                                                                                if g not in labels]
        ]
        return {"levels": levels, "groups": groups, "total": sum(r["count"] for r in rows)}

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.user_has_permission_for(permissions.CHANGE, self.object):
            url = reverse(self.model.snippet_viewset.get_url_name("import"), args=(self.object.pk,))
            buttons.append(Button(_("Import units (XLSX)"), url=url, icon_name="upload", priority=20))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unit_counts"] = self.get_unit_counts()
        context["units_url"] = (
            f"{reverse(SkillUnit.snippet_viewset.get_url_name('list'))}?framework={self.object.pk}"
        )
        return context


class SkillUnitInspectView(RegistryInspectView):
    """A competency unit with its performance criteria."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["criteria"] = self.object.criteria.order_by("number")
        return context


# ------------------------------------------------------------------------------------------------ import


class FrameworkImportView(View):
    """Administrators upload the units and criteria of a framework; a bad file is rejected whole, every error
    listed by sheet, row and column."""

    viewset = None
    template_name = "curricula/admin/framework_import.html"

    def dispatch(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.framework = get_object_or_404(SkillFramework, pk=pk)
        if not permissions.has_object_permission(request.user, permissions.CHANGE, self.framework):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def render(self, form, errors=()) -> HttpResponse:
        return render(self.request, self.template_name, {
            "framework": self.framework,
            "form": form,
            "errors": errors,
            "inspect_url": reverse(self.viewset.get_url_name("inspect"), args=(self.framework.pk,)),
        }, status=400 if errors else 200)

    def get(self, request, pk):
        return self.render(FrameworkImportForm())

    def post(self, request, pk):
        form = FrameworkImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                units, criteria = importers.parse_skill_framework(handle.name)
            except importers.ImportRejected as exc:
                return self.render(form, errors=exc.errors)
            except Exception:  # noqa: BLE001 - a file that is not a workbook at all
                return self.render(form, errors=[importers.SheetError(
                    "-", 0, "-", _("The file could not be read as an XLSX workbook."))])
        try:
            summary = services.import_skill_units(user=request.user, framework=self.framework, units=units,
                                                  criteria=criteria)
        except ValidationError as exc:
            return self.render(form, errors=[importers.SheetError("-", 0, "-", m) for m in exc.messages])
        messages.success(request, _(
            "Imported %(framework)s: %(units_created)s units created, %(units_updated)s updated; "
            "%(criteria_created)s criteria created, %(criteria_updated)s updated."
        ) % {"framework": self.framework.code, "units_created": summary.units_created,
             "units_updated": summary.units_updated, "criteria_created": summary.criteria_created,
             "criteria_updated": summary.criteria_updated})
        return redirect(reverse(self.viewset.get_url_name("inspect"), args=(self.framework.pk,)))


# ----------------------------------------------------------------------------------------------- mapping


class VersionMappingView(View):
    """The components of a version mapped to the competency units of a framework, and the coverage report.
    Anyone who may view the version reads it; those who may keep its mappings (its school, administrators)
    map and unmap."""

    template_name = "curricula/admin/version_mapping.html"

    def dispatch(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.version = get_object_or_404(selectors.list_curriculum_versions(), pk=pk)
        if not permissions.has_object_permission(request.user, permissions.VIEW, self.version):
            raise PermissionDenied
        sample = ComponentUnitMapping(component=CurriculumComponent(version=self.version))
        self.can_edit = permissions.has_object_permission(request.user, permissions.ADD, sample)
        frameworks = SkillFramework.objects.order_by("code")
        self.choice_form = CoverageChoiceForm(request.GET or None, frameworks=frameworks)
        framework = level = None
        if self.choice_form.is_bound and self.choice_form.is_valid():
            framework = self.choice_form.cleaned_data["framework"]
            level = self.choice_form.cleaned_data["level"]
        if framework is None:
            framework = self.default_framework(frameworks)
            self.choice_form = CoverageChoiceForm(initial={"framework": framework, "level": level},
                                                  frameworks=frameworks)
        self.framework, self.level = framework, level
        return super().dispatch(request, pk)

    def default_framework(self, frameworks) -> SkillFramework | None:
        """A framework the version is already mapped to, else one for the version's occupation."""
        mapped = ComponentUnitMapping.objects.filter(component__version=self.version).values("unit__framework_id")
        return (frameworks.filter(pk__in=mapped).first()
                or frameworks.filter(occupation_id=self.version.curriculum.occupation_id).first())

    def page_url(self) -> str:
        url = reverse("curricula_version_mapping", args=(self.version.pk,))
        query = {}
        if self.framework is not None:
            query["framework"] = self.framework.pk
        if self.level is not None:
            query["level"] = self.level
        return f"{url}?{urlencode(query)}" if query else url

    def get(self, request, pk):
        return self.render()

    def post(self, request, pk):
        if not self.can_edit:
            raise PermissionDenied
        if self.framework is None:
            messages.error(request, _("Choose a skill framework first."))
            return redirect(self.page_url())
        form = MappingForm(request.POST, version=self.version, framework=self.framework, level=self.level)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self.page_url())
        component, unit = form.cleaned_data["component"], form.cleaned_data["unit"]
        try:
            if request.POST.get("action") == "unmap":
                services.unmap_component_from_unit(user=request.user, component=component, unit=unit)
                messages.success(request, _("%(component)s is no longer mapped to %(unit)s.")
                                 % {"component": component.code, "unit": unit.code})
            else:
                mapping = services.map_component_to_unit(user=request.user, component=component, unit=unit,
                                                         coverage=form.cleaned_data["coverage"])
                messages.success(request, _("%(component)s covers %(unit)s: %(coverage)s.")
                                 % {"component": component.code, "unit": unit.code,
                                    "coverage": mapping.get_coverage_display().lower()})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(self.page_url())

    def render(self) -> HttpResponse:
        version, framework, level = self.version, self.framework, self.level
        context = {
            "version": version,
            "version_url": version_url(version.pk),
            "can_edit": self.can_edit,
            "choice_form": self.choice_form,
            "framework": framework,
            "level": level,
            "page_url": self.page_url(),
            "coverage_choices": choices.Coverage.choices,
        }
        if framework is not None:
            units = list(selectors.list_skill_units(framework))
            by_code = {u.code: u for u in units}
            components = list(version.components.order_by("position", "code"))
            mapped: dict[int, list[ComponentUnitMapping]] = defaultdict(list)
            for mapping in selectors.list_component_unit_mappings(version=version, framework=framework).order_by(
                "unit__code"
            ):
                mapped[mapping.component_id].append(mapping)
            report = services.get_coverage(version, framework, level)
            context.update({
                "components": [{"component": c, "mappings": mapped.get(c.pk, [])} for c in components],
                "choosable_units": [u for u in units if level is None or u.level == level],
                "report": report,
                "missing_units": [by_code[code] for code in report.missing],
                "unmapped_components": [c for c in components if c.code in set(report.unmapped_components)],
                "partial_percent": (report.partial_weight * len(report.covered_partially) * 100
                                    / report.units_total) if report.units_total else 0,
                "full_percent": (len(report.covered_fully) * 100 / report.units_total) if report.units_total else 0,
            })
        return render(self.request, self.template_name, context)
