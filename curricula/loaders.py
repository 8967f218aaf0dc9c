"""Load the reference data of `curricula/data/` through the services, as the system actor: the curriculum rule
sets and the sample skill frameworks.

Rows are matched on their natural key (document number; rule set × code × level × entry requirement × general
subject; framework code, unit code, criterion number), and a row that already holds the file's values is not
saved again: reloading adds no rows or history.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction

from vet.loaders import (
    CREATED,
    UNCHANGED,
    UPDATED,
    LoadSummary,
    load_legal_documents,
    parse_bool,
    parse_date,
    read_csv,
    upsert,
)
from vet.loaders import DATA_DIR as VET_DATA_DIR
from vet.models import LegalDocument, Occupation
from vet.permissions import SYSTEM

from . import services
from .models import CurriculumRule, CurriculumRuleSet, PerformanceCriterion, SkillFramework, SkillUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORKS_DIR = DATA_DIR / "frameworks"


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def load_rule_sets(path: str | Path, summary: LoadSummary) -> dict[str, CurriculumRuleSet]:
    """Rule sets, one per legal document (the `note` column documents the row and is not stored)."""
    rule_sets = {}
    for row in read_csv(path):
        rule_sets[row["document"]] = upsert(
            CurriculumRuleSet,
            lookup={"document": LegalDocument.objects.get(number=row["document"])},
            values={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "effective_from": parse_date(row["effective_from"]),
                "effective_to": parse_date(row["effective_to"]),
            },
            summary=summary,
        )
    return rule_sets


def load_rules(path: str | Path, summary: LoadSummary, rule_sets: dict[str, CurriculumRuleSet]) -> None:
    """The thresholds and parameters of each rule set."""
    documents = {d.number: d for d in LegalDocument.objects.all()}
    for row in read_csv(path):
        upsert(
            CurriculumRule,
            lookup={
                "rule_set": rule_sets[row["rule_set"]],
                "code": row["code"],
                "level": row["level"],
                "entry_requirement": row["entry_requirement"],
                "general_subject_type": row["general_subject_type"],
            },
            values={
                "value": _decimal(row["value"]),
                "min_value": _decimal(row["min_value"]),
                "max_value": _decimal(row["max_value"]),
                "unit": row["unit"],
                "confirmed": parse_bool(row["confirmed"]),
                "source": documents[row["source"]] if row["source"] else None,
                "note": row["note"],
            },
            summary=summary,
        )


@transaction.atomic
def load_curriculum_rules(summary: LoadSummary | None = None, data_dir: Path = DATA_DIR) -> LoadSummary:
    """The legal documents the rules cite (from vet/data/), then the rule sets and rules, all or nothing."""
    summary = summary if summary is not None else LoadSummary()
    load_legal_documents(VET_DATA_DIR / "legal_documents.csv", summary)
    rule_sets = load_rule_sets(data_dir / "rule_sets.csv", summary)
    load_rules(data_dir / "curriculum_rules.csv", summary, rule_sets)
    return summary


# ------------------------------------------------------------------------------------- sample frameworks


def _integer(value: str) -> int | None:
    return int(value) if value else None


def _save_framework(row: dict[str, str], summary: LoadSummary) -> SkillFramework:
    values = {
        "kind": row["kind"],
        "name_vi": row["name_vi"],
        "name_en": row["name_en"],
        "version": row["version"],
        "country_or_body": row["country_or_body"],
        "source_url": row["source_url"],
        "occupation": Occupation.objects.get(code=row["occupation"]) if row["occupation"] else None,
        "is_sample": parse_bool(row["is_sample"]),
    }
    framework = SkillFramework.objects.filter(code=row["code"]).first()
    if framework is None:
        framework, outcome = SkillFramework(code=row["code"], **values), CREATED
    else:
        outcome = UNCHANGED
        for name, value in values.items():
            if getattr(framework, name) != value:
                setattr(framework, name, value)
                outcome = UPDATED
    if outcome != UNCHANGED:
        services.save_skill_framework(user=SYSTEM, framework=framework)
    summary.add(str(SkillFramework._meta.verbose_name_plural), outcome)
    return framework


@transaction.atomic
def load_sample_frameworks(summary: LoadSummary | None = None, data_dir: Path = FRAMEWORKS_DIR) -> LoadSummary:
    """The sample skill frameworks (ACCSTP front office, a German-style mechatronics qualification, a national
    standard for industrial electricity), their competency units and performance criteria, all or nothing.
    They are illustrative, flagged `is_sample`, not the official texts."""
    summary = summary if summary is not None else LoadSummary()
    frameworks = {row["code"]: _save_framework(row, summary) for row in read_csv(data_dir / "frameworks.csv")}
    units: dict[str, list[services.SkillUnitRow]] = {code: [] for code in frameworks}
    for row in read_csv(data_dir / "units.csv"):
        units[row["framework"]].append(services.SkillUnitRow(
            code=row["code"], name_vi=row["name_vi"], name_en=row["name_en"], group=row["group"],
            level=_integer(row["level"]), nominal_hours=_integer(row["nominal_hours"])))
    criteria: dict[str, list[services.CriterionRow]] = {code: [] for code in frameworks}
    for row in read_csv(data_dir / "criteria.csv"):
        criteria[row["framework"]].append(services.CriterionRow(
            unit_code=row["unit_code"], number=int(row["number"]), text_vi=row["text_vi"], text_en=row["text_en"]))
    unit_label = str(SkillUnit._meta.verbose_name_plural)
    criterion_label = str(PerformanceCriterion._meta.verbose_name_plural)
    for code, framework in frameworks.items():
        result = services.import_skill_units(user=SYSTEM, framework=framework, units=units[code],
                                             criteria=criteria[code])
        summary.add(unit_label, CREATED, result.units_created)
        summary.add(unit_label, UPDATED, result.units_updated)
        summary.add(unit_label, UNCHANGED, len(units[code]) - result.units_created - result.units_updated)
        summary.add(criterion_label, CREATED, result.criteria_created)
        summary.add(criterion_label, UPDATED, result.criteria_updated)
        summary.add(criterion_label, UNCHANGED,
                    len(criteria[code]) - result.criteria_created - result.criteria_updated)
    return summary
