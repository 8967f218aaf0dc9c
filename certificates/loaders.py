"""Load the certificates app's reference data (`certificates/data/`): the classification bands of Circular 04/2022."""

from __future__ import annotations

from pathlib import Path

from vet.loaders import (
    DATA_DIR as VET_DATA_DIR,
)
from vet.loaders import (
    LoadSummary,
    load_legal_documents,
    parse_bool,
    parse_date,
    parse_decimal,
    read_csv,
    upsert,
)
from vet.models import LegalDocument

from .models import ClassificationRule

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_classification_rules(summary: LoadSummary | None = None, path: Path = DATA_DIR / "classification_rules.csv"
                              ) -> LoadSummary:
    """The legal documents, then the graduation classification bands with their source and confirmed flag."""
    summary = summary if summary is not None else LoadSummary()
    load_legal_documents(VET_DATA_DIR / "legal_documents.csv", summary)
    for row in read_csv(path):
        source = LegalDocument.objects.get(number=row["source"])
        upsert(
            ClassificationRule,
            lookup={"scale": row["scale"], "classification": row["classification"], "source": source},
            values={
                "min_score": parse_decimal(row["min_score"]), "max_score": parse_decimal(row["max_score"]),
                "graduates": parse_bool(row["graduates"]), "downgrades": parse_bool(row["downgrades"]),
                "effective_from": parse_date(row["effective_from"]), "effective_to": parse_date(row["effective_to"]),
                "confirmed": parse_bool(row["confirmed"]), "note": row["note"],
            },
            summary=summary,
        )
    return summary
