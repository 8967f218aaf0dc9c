"""Back-office pages of the readiness profiles: each profile's indicators with "unconfirmed" next to every
threshold not yet checked against its legal source."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column

from .. import choices
from ..models import ReadinessIndicator
from .views import RegistryInspectView


def parameter_text(indicator: ReadinessIndicator) -> str:
    """The indicator's parameter in words: the degree, language level or exit skill level that counts."""
    if indicator.metric == choices.IndicatorMetric.THEORY_TEACHER_DEGREE and indicator.min_degree:
        return _("at least: %(degree)s") % {"degree": indicator.get_min_degree_display()}
    if indicator.metric == choices.IndicatorMetric.TEACHER_LANGUAGE and indicator.min_language_level:
        return _("level %(level)s/6 or above") % {"level": indicator.min_language_level}
    if indicator.metric == choices.IndicatorMetric.EXIT_SKILL and indicator.min_skill_level:
        return _("skill level %(level)s/5 or above") % {"level": indicator.min_skill_level}
    return ""


class ThresholdColumn(Column):
    """The threshold, with an "unconfirmed" tag when it is not yet checked against its source."""

    cell_template_name = "vet/admin/threshold_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["confirmed"] = instance.confirmed
        return context


def threshold_column() -> ThresholdColumn:
    return ThresholdColumn("threshold", label=gettext_lazy("Threshold"), sort_key="threshold")


def unconfirmed_tag() -> str:
    return format_html('<span class="w-status w-status--label" data-unconfirmed>{}</span>', _("unconfirmed"))


class ReadinessProfileInspectView(RegistryInspectView):
    """A profile with its indicators per level: threshold (tagged when unconfirmed), parameter, weight, source."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicators = list(self.object.indicators.select_related("source_document"))
        order = list(choices.IndicatorMetric.values)
        indicators.sort(key=lambda i: (order.index(i.metric), i.level))
        context["indicators"] = [(i, parameter_text(i)) for i in indicators]
        context["unconfirmed_count"] = sum(1 for i in indicators if not i.confirmed)
        return context
