"""The demo curricula: programs of the demo schools (`vet/data/demo/`), each with an approved version that passes
every rule and a newer draft or submitted revision that fails at least one, some mapped to the sample skill
frameworks (`curricula/data/frameworks/`).

The data lives in `curricula/data/demo/` (see its README); this module only reads it and writes through
`curricula.services` as the system actor, so versions are saved, submitted and approved by the real workflow.
Loading is idempotent: a curriculum is matched on institution × occupation × level × entry requirement, an
approved version on its decision number, and a revision is created only while the curriculum has no version
besides the file's numbered ones. Existing versions are never edited, so a second run adds no rows or history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from vet.loaders import CREATED, UNCHANGED, UPDATED, LoadSummary, parse_bool, parse_date, read_csv
from vet.models import Institution, Occupation
from vet.permissions import SYSTEM

from . import choices, services
from .loaders import DATA_DIR
from .models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumVersion,
    SkillFramework,
    SkillUnit,
)

DEMO_DIR = DATA_DIR / "demo"
INTEGER_FIELDS = ("theory_hours", "practice_hours", "internship_hours", "exam_hours")
TEXT_FIELDS = ("kind", "group", "name_vi", "name_en", "general_subject_type")


def _label(model) -> str:
    return str(model._meta.verbose_name_plural)


def _component_values(row: dict[str, str], *, partial: bool = False) -> dict:
    """Model values of a component row; with `partial`, only the cells that are filled in."""
    values: dict = {}
    for name in TEXT_FIELDS:
        if name in row and (row[name] or not partial):
            values[name] = row[name]
    for name in INTEGER_FIELDS:
        if row.get(name) or not partial:
            values[name] = int(row.get(name) or 0)
    if row.get("credits") or not partial:
        values["credits"] = Decimal(row.get("credits") or 0)
    if row.get("compulsory") or (not partial and "compulsory" in row):
        values["compulsory"] = parse_bool(row["compulsory"])
    return values


def _version_values(row: dict[str, str]) -> dict:
    return {
        "origin": row["origin"] or choices.Origin.DOMESTIC,
        "partner_country": row["partner_country"],
        "awarding_body": row["awarding_body"],
        "high_quality": parse_bool(row["high_quality"]),
        "duration_months": int(row["duration_months"]) if row.get("duration_months") else None,
        "output_standard": row["output_standard"],
    }


# ------------------------------------------------------------------------------------------------ loading


@transaction.atomic
def load_demo_curricula(summary: LoadSummary | None = None, demo_dir: Path = DEMO_DIR) -> LoadSummary:
    """The demo curricula, their versions (approved through the real workflow, on their past decision dates)
    and their mappings to the sample frameworks, all or nothing. Needs the demo registry, the curriculum rules
    and the sample frameworks loaded first."""
    summary = summary if summary is not None else LoadSummary()
    general = defaultdict(list)
    for row in read_csv(demo_dir / "general_subjects.csv"):
        general[row["level"]].append({**row, "kind": choices.ComponentKind.SUBJECT,
                                      "group": choices.ComponentGroup.GENERAL, "compulsory": "true"})
    components = defaultdict(list)
    for row in read_csv(demo_dir / "components.csv"):
        components[row["curriculum"]].append(row)
    changes = defaultdict(list)
    for row in read_csv(demo_dir / "changes.csv"):
        changes[row["curriculum"], row["version"]].append(row)

    curricula = {row["key"]: _load_curriculum(row, summary) for row in read_csv(demo_dir / "curricula.csv")}
    version_rows = read_csv(demo_dir / "versions.csv")
    numbered = defaultdict(set)
    for row in version_rows:
        if row["decision_number"]:
            numbered[row["curriculum"]].add(row["decision_number"])
    versions: dict[tuple[str, str], CurriculumVersion] = {}
    for row in version_rows:
        curriculum = curricula[row["curriculum"]]
        if row["based_on"]:
            base = versions[row["curriculum"], row["based_on"]]
            version = _load_revision(row, curriculum, base, numbered[row["curriculum"]],
                                     changes[row["curriculum"], row["key"]], summary)
        else:
            rows = general[curriculum.level] + components[row["curriculum"]]
            version = _load_first_version(row, curriculum, rows, summary)
        versions[row["curriculum"], row["key"]] = version
    _load_mappings(read_csv(demo_dir / "mappings.csv"), versions, summary)
    return summary


def _load_curriculum(row: dict[str, str], summary: LoadSummary) -> Curriculum:
    institution = Institution.objects.filter(code=row["institution"]).first()
    if institution is None:
        raise ValidationError(f"No institution {row['institution']}: load the demo registry first (load_demo_data).")
    lookup = {"institution": institution, "occupation": Occupation.objects.get(code=row["occupation"]),
              "level": row["level"], "entry_requirement": row["entry_requirement"]}
    curriculum = Curriculum.objects.filter(**lookup).first()
    if curriculum is None:
        curriculum = services.save_curriculum(user=SYSTEM, curriculum=Curriculum(**lookup))
        summary.add(_label(Curriculum), CREATED)
    else:
        summary.add(_label(Curriculum), UNCHANGED)
    return curriculum


def _load_first_version(row: dict[str, str], curriculum: Curriculum, rows: list[dict[str, str]],
                        summary: LoadSummary) -> CurriculumVersion:
    """A version written from scratch (matched on its decision number), then submitted and approved (on its
    decision date) as its status says."""
    if not row["decision_number"]:
        raise ValidationError(f"{row['curriculum']} {row['key']}: a first version needs its decision number.")
    existing = CurriculumVersion.objects.filter(curriculum=curriculum, decision_number=row["decision_number"]).first()
    if existing is not None:
        summary.add(_label(CurriculumVersion), UNCHANGED)
        return existing
    decision_date = parse_date(row["decision_date"])
    version = services.save_curriculum_version(user=SYSTEM, version=CurriculumVersion(
        curriculum=curriculum, decision_number=row["decision_number"], decision_date=decision_date,
        signer=row["signer"], **_version_values(row)))
    summary.add(_label(CurriculumVersion), CREATED)
    for position, component_row in enumerate(rows, start=1):
        services.save_curriculum_component(user=SYSTEM, component=CurriculumComponent(
            version=version, position=position, code=component_row["code"], **_component_values(component_row)))
        summary.add(_label(CurriculumComponent), CREATED)
    return _advance(version, row["status"], decision_date)


def _load_revision(row: dict[str, str], curriculum: Curriculum, base: CurriculumVersion, numbered: set[str],
                   changes: list[dict[str, str]], summary: LoadSummary) -> CurriculumVersion:
    """A newer version started from `base` (its components copied) and then edited as `changes.csv` says."""
    existing = curriculum.versions.exclude(decision_number__in=numbered).order_by("pk").first()
    if existing is not None:
        summary.add(_label(CurriculumVersion), UNCHANGED)
        return existing
    version = services.start_curriculum_version(
        user=SYSTEM, curriculum=curriculum, based_on=base, decision_number=row["decision_number"],
        decision_date=parse_date(row["decision_date"]), signer=row["signer"], **_version_values(row))
    summary.add(_label(CurriculumVersion), CREATED)
    position = max(version.components.values_list("position", flat=True), default=0)
    for change in changes:
        component = version.components.filter(code=change["code"]).first()
        if (component is None) != (change["action"] == "add"):
            raise ValidationError(f"{row['curriculum']} {row['key']}: cannot {change['action']} {change['code']}.")
        if change["action"] == "remove":
            services.delete_curriculum_component(user=SYSTEM, component=component)
        elif change["action"] == "change":
            for name, value in _component_values(change, partial=True).items():
                setattr(component, name, value)
            services.save_curriculum_component(user=SYSTEM, component=component)
        elif change["action"] == "add":
            position += 1
            services.save_curriculum_component(user=SYSTEM, component=CurriculumComponent(
                version=version, position=position, code=change["code"], **_component_values(change)))
        else:
            raise ValidationError(f"Unknown change {change['action']!r} for {change['code']}.")
    summary.add(_label(CurriculumComponent), CREATED, version.components.count())
    return _advance(version, row["status"], parse_date(row["decision_date"]))


def _advance(version: CurriculumVersion, status: str, decision_date: datetime.date | None) -> CurriculumVersion:
    if status in (choices.VersionStatus.SUBMITTED, choices.VersionStatus.APPROVED):
        version = services.submit_curriculum_version(user=SYSTEM, version=version)
    if status == choices.VersionStatus.APPROVED:
        version = services.approve_curriculum_version(user=SYSTEM, version=version, on=decision_date)
    return version


def _load_mappings(rows: list[dict[str, str]], versions: dict[tuple[str, str], CurriculumVersion],
                   summary: LoadSummary) -> None:
    codes = {row["framework"] for row in rows}
    frameworks = {f.code: f for f in SkillFramework.objects.filter(code__in=codes)}
    if missing := sorted(codes - set(frameworks)):
        raise ValidationError(f"No skill framework {', '.join(missing)}: load them first (load_sample_frameworks).")
    units = {(u.framework.code, u.code): u for u in SkillUnit.objects.filter(framework__code__in=codes)
             .select_related("framework")}
    for row in rows:
        version = versions[row["curriculum"], row["version"]]
        component = version.components.get(code=row["component"])
        unit = units[row["framework"], row["unit"]]
        stored = ComponentUnitMapping.objects.filter(component=component, unit=unit).first()
        outcome = CREATED if stored is None else UNCHANGED if stored.coverage == row["coverage"] else UPDATED
        services.map_component_to_unit(user=SYSTEM, component=component, unit=unit, coverage=row["coverage"])
        summary.add(_label(ComponentUnitMapping), outcome)
