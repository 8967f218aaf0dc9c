"""What the version page shows, as plain rows: the validation report, components by group, the diff."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .. import choices, diff, services
from ..models import CurriculumComponent, CurriculumVersion

HOURS = ("theory_hours", "practice_hours", "internship_hours", "exam_hours")


def validation_report(version: CurriculumVersion) -> dict:
    """The version's validation report as rows a reader reads (rule, result, measured, required, unit, source);
    no report when no rule set is in force on the version's date."""
    report = services.validate_versions([version]).get(version.pk)
    rows = []
    for result in report.results if report else ():
        if result.code in choices.RuleCode.values:
            rule = str(choices.RuleCode(result.code).label)
        else:
            rule = _("Hours behind each credit")
        if result.general_subject_type in choices.GeneralSubjectType.values:
            rule = f"{rule} ({choices.GeneralSubjectType(result.general_subject_type).label})"
        unit = choices.RuleUnit(result.unit).label if result.unit in choices.RuleUnit.values else result.unit
        rows.append({
            "rule": rule, "status": result.status, "status_label": choices.RuleStatus(result.status).label,
            "measured": "—" if result.measured is None else f"{result.measured.normalize():f}",
            "required": result.required or "—", "unit": unit, "source": result.source,
            "confirmed": result.confirmed, "message": result.message,
        })
    return {"report": report, "rows": rows}


def group_components(components) -> list[dict]:
    """Components by group, in the groups' order, with the totals of each group."""
    by_group = defaultdict(list)
    for component in components:
        by_group[component.group].append(component)
    groups = []
    for value, label in choices.ComponentGroup.choices:
        rows = by_group.get(value)
        if rows:
            groups.append({"label": label, "rows": rows, "totals": totals(rows)})
    return groups


def totals(rows) -> dict:
    totals = {name: sum(getattr(c, name) for c in rows) for name in HOURS}
    totals["credits"] = sum((c.credits for c in rows), Decimal(0))
    totals["total_hours"] = sum(c.total_hours for c in rows)
    return totals


def snapshot(component: CurriculumComponent) -> diff.ComponentSnapshot:
    return diff.ComponentSnapshot(**{name: getattr(component, name) for name in ("code", *diff.COMPARED)})


def _display(name: str, value) -> str:
    if name == "group":
        return str(dict(choices.ComponentGroup.choices).get(value, value) or "—")
    return str(value) if value not in (None, "") else "—"


def describe_diff(result: diff.VersionDiff) -> dict:
    """A diff with the compared fields named and their values shown as a reader reads them."""
    label = {name: capfirst(CurriculumComponent._meta.get_field(name).verbose_name) for name in diff.COMPARED}
    return {
        "added": result.added,
        "removed": result.removed,
        "changed": [
            {"code": change.code, "changes": [
                {"label": label[c.field], "old": _display(c.field, c.old), "new": _display(c.field, c.new)}
                for c in change.changes
            ]}
            for change in result.changed
        ],
        "is_empty": result.is_empty,
    }
