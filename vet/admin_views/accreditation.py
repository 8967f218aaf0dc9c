"""Back-office inspect page of an accreditation framework: criteria, pass rules in words, a notice on samples."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from ..models import AccreditationFramework, Criterion, Standard
from .readiness_data import framework_buttons
from .views import RegistryInspectView


def _number(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


def pass_rules_in_words(framework: AccreditationFramework) -> list[str]:
    """The framework's pass rules as sentences; one sentence saying there is none when every rule is empty."""
    if not framework.has_pass_rule:
        return [_("No pass rule defined — thresholds not yet known, editable data.")]
    rules = []
    if framework.min_total_points is not None:
        rules.append(_("At least %(points)s points in total.") % {"points": _number(framework.min_total_points)})
    if framework.min_criterion_share is not None:
        rules.append(_("Every criterion reaches at least %(share)s%% of its benchmark points.")
                     % {"share": _number(framework.min_criterion_share)})
    if framework.min_core_criterion_share is not None:
        rules.append(_("Each core criterion reaches at least %(share)s%% of its benchmark points.")
                     % {"share": _number(framework.min_core_criterion_share)})
    return rules


class AccreditationFrameworkInspectView(RegistryInspectView):
    """A framework with its criteria (and how many standards each has) and its pass rules in words."""

    @cached_property
    def header_buttons(self):
        return [*super().header_buttons, *framework_buttons(self.request.user, self.object)[0]]

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *framework_buttons(self.request.user, self.object)[1]]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        framework = self.object
        context["criteria"] = (
            Criterion.objects.filter(framework=framework).annotate(standard_count=Count("standards")).order_by("number")
        )
        context["pass_rules"] = pass_rules_in_words(framework)
        context["thresholds_unconfirmed"] = not framework.thresholds_confirmed
        context["has_sample_standards"] = Standard.objects.filter(
            criterion__framework=framework, is_sample=True
        ).exists()
        return context
