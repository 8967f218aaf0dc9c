"""Load the curriculum rule sets of `curricula/data/` through the services, as the system actor.

Rows are matched on their natural key (document number; rule set × code × level × entry requirement × general
subject), and a row that already holds the file's values is not saved again: reloading adds no rows or history.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction

from vet.loaders import DATA_DIR as VET_DATA_DIR
from vet.loaders import LoadSummary, load_legal_documents, parse_bool, parse_date, read_csv, upsert
from vet.models import LegalDocument

from .models import CurriculumRule, CurriculumRuleSet

DATA_DIR = Path(__file__).resolve().parent / "data"


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
