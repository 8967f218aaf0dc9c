"""Plan targets (national and provincial) and the actuals the authority enters where VETtrack holds no data."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .. import choices
from ..storage import private_storage
from .registry import LegalDocument, Province, RegistryModel

_years = [MinValueValidator(2000), MaxValueValidator(2100)]


class TargetIndicator(RegistryModel):
    """One target of a plan: a metric to reach by a year, nationally or in one province, with its source document.
    A range ("35–40 %") keeps its upper bound in `target_max`; `baseline_*` anchors the trajectory the status is
    judged against."""

    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="targets",
        help_text=_("Empty: a national target."),
    )
    metric = models.CharField(_("metric"), max_length=32, choices=choices.TargetMetric.choices)
    tier = models.CharField(
        _("tier"), max_length=16, choices=choices.Tier.choices, blank=True,
        help_text=_("For key-occupation targets at one tier; empty for all tiers."),
    )
    year = models.PositiveSmallIntegerField(_("target year"), validators=_years)
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    target_max = models.DecimalField(
        _("upper bound"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("For a range such as 35–40 %: the upper bound (the target is the lower one)."),
    )
    unit = models.CharField(_("unit"), max_length=16, choices=choices.TargetUnit.choices)
    higher_is_better = models.BooleanField(
        _("higher is better"), default=True, help_text=_("Untick for a target to stay under (e.g. overdue curricula)."),
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True, validators=_years)
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    source_document = models.ForeignKey(
        LegalDocument, verbose_name=_("source document"), on_delete=models.PROTECT, related_name="targets",
    )
    source_clause = models.CharField(_("clause"), max_length=120, blank=True, help_text=_("E.g. Section I.2."))
    text_vi = models.TextField(_("target as written (Vietnamese)"))
    text_en = models.TextField(_("target as written (English)"), blank=True)
    confirmed = models.BooleanField(
        _("confirmed"), default=True,
        help_text=_("Untick when the figure is not confirmed against the document (shown as unconfirmed)."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["province__name_vi", "metric", "tier", "year"]
        constraints = [
            # Two constraints, not nulls_distinct: SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["province", "metric", "tier", "year"], condition=Q(province__isnull=False),
                name="target_unique_province",
                violation_error_message=_("This target (scope, metric, tier and year) already exists."),
            ),
            models.UniqueConstraint(
                fields=["metric", "tier", "year"], condition=Q(province__isnull=True), name="target_unique_national",
                violation_error_message=_("This target (scope, metric, tier and year) already exists."),
            ),
            models.CheckConstraint(
                condition=Q(target_max__isnull=True) | Q(target_max__gte=F("target_value")),
                name="target_range_order",
                violation_error_message=_("The upper bound cannot be below the target."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(baseline_year__lte=F("year")),
                name="target_baseline_before_year",
                violation_error_message=_("The baseline year must come before the target year."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.province.name if self.province_id else _("National")
        return f"{scope} · {self.get_metric_display()} · {self.year}"

    @property
    def text(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.text_en:
            return self.text_en
        return self.text_vi


class ActualValue(RegistryModel):
    """A yearly actual the authority enters for a metric VETtrack does not compute (jobs created, workers abroad,
    trained-worker ratio...), with where the figure comes from."""

    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="actual_values", help_text=_("Empty: a national figure."),
    )
    metric = models.CharField(_("metric"), max_length=32, choices=choices.TargetMetric.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=_years)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=300,
                              help_text=_("The report or statistic the figure comes from."))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )

    class Meta:
        verbose_name = _("entered actual")
        verbose_name_plural = _("entered actuals")
        ordering = ["province__name_vi", "metric", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "metric", "year"], condition=Q(province__isnull=False),
                name="actual_unique_province",
                violation_error_message=_("A figure for this scope, metric and year is already entered."),
            ),
            models.UniqueConstraint(
                fields=["metric", "year"], condition=Q(province__isnull=True), name="actual_unique_national",
                violation_error_message=_("A figure for this scope, metric and year is already entered."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.province.name if self.province_id else _("National")
        return f"{scope} · {self.get_metric_display()} · {self.year}: {self.value}"


class ProvinceReport(models.Model):
    """A province's yearly report (XLSX workbook and PDF), built in the background and kept for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.CASCADE,
                                 related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"), validators=_years)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(_("step"), max_length=120, blank=True)
    xlsx = models.FileField(_("workbook"), upload_to="reports/", storage=private_storage, blank=True)
    pdf = models.FileField(_("PDF report"), upload_to="reports/", storage=private_storage, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("province report")
        verbose_name_plural = _("province reports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.province} · {self.year}"
