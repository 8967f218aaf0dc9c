"""Reads behind the province readiness dashboard: the matrix of schools × key occupations with each designation's
readiness toward its tier, one designation's detail, and one school's assessment report.

The readiness itself comes from `vet.tier_readiness.designation_readiness` (a fixed number of queries for any
number of designations); this module only arranges it, so the matrix costs the same number of queries for a
province of 2 schools as for one of 200.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Prefetch, QuerySet, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import choices, permissions, readiness, selectors, tier_readiness, tiers
from .models import (
    ActionItem,
    Criterion,
    Evidence,
    ExternalAssessment,
    Institution,
    KeyOccupationDesignation,
    Occupation,
    Province,
    SelfAssessment,
    SelfAssessmentRating,
    Standard,
)

NO_PROFILE = "no_profile"
STATUS_ORDER = (tiers.READY, tiers.CLOSE, tiers.NOT_YET, NO_PROFILE)
STATUS_LABELS = {
    tiers.READY: pgettext_lazy("readiness status", "Ready"),
    tiers.CLOSE: pgettext_lazy("readiness status", "Close"),
    tiers.NOT_YET: pgettext_lazy("readiness status", "Not yet"),
    NO_PROFILE: pgettext_lazy("readiness status", "No profile"),
}
OPEN_ACTION_STATUSES = (choices.ActionStatus.OPEN, choices.ActionStatus.IN_PROGRESS)


# ----------------------------------------------------------------------------------------------- who sees what


def dashboard_provinces(user) -> QuerySet[Province]:
    """Provinces whose dashboard `user` may open: an administrator any current province, an officer those of their
    jurisdiction; school staff none (they see their own school's page instead)."""
    roles = permissions.get_roles(user)
    current = Province.objects.filter(valid_to__isnull=True).order_by("name_vi")
    if roles.is_admin:
        return current
    return current.filter(pk__in=roles.province_ids)


def province_jurisdiction(province: Province) -> set[int]:
    """The province and every province merged into it (their schools keep their old province)."""
    return permissions.jurisdiction({province.pk})  # the one definition of a jurisdiction


def check_province(user, province: Province) -> None:
    """Refuse the dashboard of a province outside the user's jurisdiction."""
    roles = permissions.get_roles(user)
    if not (roles.is_admin or province.pk in roles.province_ids):
        raise PermissionDenied(_("You may only see the readiness of the provinces in your jurisdiction."))


def check_institution(user, institution: Institution) -> None:
    """A school's readiness page: administrators, the officers of its province and its own staff."""
    roles = permissions.get_roles(user)
    if roles.is_admin or institution.pk in roles.institution_ids or institution.province_id in roles.province_ids:
        return
    raise PermissionDenied(_("You may only see the readiness of the schools in your jurisdiction."))


# ------------------------------------------------------------------------------------------------------ matrix


def status_of(result: tiers.Readiness | None) -> str:
    return NO_PROFILE if result is None else result.status


@dataclass(frozen=True)
class Column:
    occupation: Occupation
    level: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.occupation.pk, self.level)

    @property
    def level_label(self) -> str:
        return choices.Level(self.level).label if self.level in choices.Level.values else self.level


@dataclass(frozen=True)
class Entry:
    """One designation in a cell, with its readiness (None: no profile of its tier is in force)."""

    designation: KeyOccupationDesignation
    readiness: tiers.Readiness | None

    @property
    def status(self) -> str:
        return status_of(self.readiness)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def weighted_gap(self) -> Decimal | None:
        return None if self.readiness is None else self.readiness.weighted_gap

    @property
    def summary(self) -> str:
        """What a tooltip says: tier, status, the missing pieces and the projected date."""
        d = self.designation
        parts = [f"{d.get_tier_display()} · {self.status_label}"]
        if self.readiness is not None:
            parts.append(str(_("Weighted gap: %(gap)s %%")) % {"gap": self.readiness.weighted_gap})
            for item in self.readiness.missing:
                label = item.label or item.metric
                value = "—" if item.value is None else item.value
                parts.append(str(_("Missing: %(label)s (%(value)s of %(threshold)s)"))
                             % {"label": label, "value": value, "threshold": item.threshold})
            if self.readiness.projected_date:
                parts.append(str(_("Projected: %(date)s")) % {"date": self.readiness.projected_date.isoformat()})
        return "\n".join(parts)


@dataclass
class Row:
    institution: Institution
    cells: list[list[Entry]]


@dataclass
class Matrix:
    province: Province
    on: datetime.date
    tier: str
    occupation: Occupation | None
    columns: list[Column]
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def entries(self) -> list[Entry]:
        return [e for row in self.rows for cell in row.cells for e in cell]

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        return [(s, str(STATUS_LABELS[s]), self.counts.get(s, 0)) for s in STATUS_ORDER]


def list_province_designations(
    province: Province, *, tier: str = "", occupation: Occupation | None = None, on: datetime.date | None = None
) -> QuerySet[KeyOccupationDesignation]:
    """The key-occupation designations of the schools in a province's jurisdiction (merged provinces included)
    whose period covers `on`'s year, filtered."""
    on = on or datetime.date.today()
    qs = selectors.list_designations().filter(
        institution__province__in=province_jurisdiction(province), period_start__lte=on.year, period_end__gte=on.year
    )
    if tier:
        qs = qs.filter(tier=tier)
    if occupation is not None:
        qs = qs.filter(occupation=occupation)
    return qs.order_by("institution__name_vi", "occupation__code", "level", "tier")


def build_matrix(
    province: Province, *, tier: str = "", occupation: Occupation | None = None, on: datetime.date | None = None
) -> Matrix:
    """Schools (rows) × key occupations and levels (columns) of a province, each cell the designations there with
    their readiness; counts per status. A fixed number of queries, whatever the number of schools."""
    on = on or datetime.date.today()
    designations = list(list_province_designations(province, tier=tier, occupation=occupation, on=on))
    results = tier_readiness.designation_readiness(
        KeyOccupationDesignation.objects.filter(pk__in=[d.pk for d in designations]), on=on
    ) if designations else {}
    columns: dict[tuple[int, str], Column] = {}
    for d in sorted(designations, key=lambda d: (d.occupation.code, d.level)):
        columns.setdefault((d.occupation_id, d.level), Column(d.occupation, d.level))
    column_list = list(columns.values())
    index = {c.key: i for i, c in enumerate(column_list)}
    rows: dict[int, Row] = {}
    counts: Counter[str] = Counter()
    for d in designations:
        row = rows.setdefault(d.institution_id, Row(d.institution, [[] for _c in column_list]))
        entry = Entry(d, results.get(d.pk))
        row.cells[index[(d.occupation_id, d.level)]].append(entry)
        counts[entry.status] += 1
    return Matrix(province, on, tier, occupation, column_list, list(rows.values()), dict(counts))


# ----------------------------------------------------------------------------------------- designation detail


@dataclass
class DesignationDetail:
    designation: KeyOccupationDesignation
    readiness: tiers.Readiness | None
    action_items: list[ActionItem]

    @property
    def status(self) -> str:
        return status_of(self.readiness)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def get_designation_detail(designation: KeyOccupationDesignation, on: datetime.date | None = None) -> DesignationDetail:
    """One designation's indicators (value, threshold, met, gap, confirmed, source), its open action items."""
    on = on or datetime.date.today()
    result = tier_readiness.designation_readiness(
        KeyOccupationDesignation.objects.filter(pk=designation.pk), on=on
    ).get(designation.pk)
    items = list(ActionItem.objects.filter(designation=designation, status__in=OPEN_ACTION_STATUSES)
                 .select_related("finding").order_by("due_date", "pk"))
    return DesignationDetail(designation, result, items)


# ---------------------------------------------------------------------------------------- school assessments


@dataclass(frozen=True)
class StandardLine:
    standard: Standard
    met: bool | None
    points: Decimal | None
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class CriterionBlock:
    criterion: Criterion
    self_points: Decimal | None
    external_points: Decimal | None
    max_points: Decimal | None
    standards: tuple[StandardLine, ...]


@dataclass
class SchoolReport:
    institution: Institution
    self_assessment: SelfAssessment | None
    external_assessment: ExternalAssessment | None
    self_score: readiness.Score | None
    external_score: readiness.Score | None
    criteria: list[CriterionBlock]
    designations: list[Entry]

    @property
    def chart_max(self) -> Decimal:
        values = [c.max_points or Decimal(0) for c in self.criteria]
        values += [c.self_points or Decimal(0) for c in self.criteria]
        values += [c.external_points or Decimal(0) for c in self.criteria]
        return max(values, default=Decimal(0)) or Decimal(1)


def _latest_self_assessment(institution: Institution) -> SelfAssessment | None:
    """The institution's latest submitted self-assessment of itself (not of a program), the one the authority can
    have assessed; the latest of any status when none is submitted yet."""
    submitted_first = Case(When(status=choices.AssessmentStatus.SUBMITTED, then=0), default=1)
    return (SelfAssessment.objects.filter(institution=institution, designation__isnull=True)
            .select_related("institution", "framework", "designation")
            .order_by(submitted_first, "-year", F("submitted_at").desc(nulls_last=True), "-pk").first())


def _points(score: readiness.Score | None, number: int) -> Decimal | None:
    if score is None:
        return None
    try:
        return score.criterion(number).points
    except (StopIteration, KeyError, LookupError):
        return None


def get_school_report(institution: Institution, on: datetime.date | None = None) -> SchoolReport:
    """A school's latest self-assessment and its latest external assessment, as the tree criterion → standard
    (rating, points, evidence titles) with criterion totals; and its designations with their readiness."""
    on = on or datetime.date.today()
    sa = _latest_self_assessment(institution)
    ea = None
    self_score = external_score = None
    blocks: list[CriterionBlock] = []
    if sa is not None:
        ea = (ExternalAssessment.objects.filter(self_assessment=sa).select_related("self_assessment__framework")
              .order_by("-started_on", "-pk").first())
        self_score = selectors.self_assessment_score(sa)
        external_score = selectors.external_assessment_score(ea) if ea is not None else None
        ratings = {
            r.standard_id: r
            for r in SelfAssessmentRating.objects.filter(self_assessment=sa).prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("code", "title"))
            )
        }
        criteria = Criterion.objects.filter(framework=sa.framework).order_by("number").prefetch_related(
            Prefetch("standards", queryset=Standard.objects.order_by("code"))
        )
        for criterion in criteria:
            lines = []
            for standard in criterion.standards.all():
                rating = ratings.get(standard.pk)
                lines.append(StandardLine(
                    standard,
                    None if rating is None else rating.met,
                    None if rating is None else rating.points,
                    () if rating is None else tuple(e.title for e in rating.evidence.all()),
                ))
            max_points = None
            if self_score is not None:
                try:
                    max_points = self_score.criterion(criterion.number).max_points
                except (StopIteration, KeyError, LookupError):
                    max_points = None
            blocks.append(CriterionBlock(criterion, _points(self_score, criterion.number),
                                         _points(external_score, criterion.number), max_points, tuple(lines)))
    designations = list(selectors.list_designations().filter(institution=institution)
                        .order_by("occupation__code", "level", "tier"))
    results = tier_readiness.designation_readiness(
        KeyOccupationDesignation.objects.filter(institution=institution), on=on
    ) if designations else {}
    return SchoolReport(institution, sa, ea, self_score, external_score, blocks,
                        [Entry(d, results.get(d.pk)) for d in designations])


__all__ = [
    "NO_PROFILE", "STATUS_LABELS", "Column", "DesignationDetail", "Entry", "Matrix", "Row", "SchoolReport",
    "build_matrix", "check_institution", "check_province", "dashboard_provinces", "get_designation_detail",
    "get_school_report", "list_province_designations", "status_of"
]
