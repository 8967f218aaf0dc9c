"""Load the versioned data files under `vet/data/` (legal documents, occupation fields, the occupation catalogue,
accreditation frameworks).

Every write goes through `vet.services` as the system actor. Rows are matched on their natural key (number,
code, …) and a row that already holds the file's values is not saved again, so reloading a file adds neither
rows nor history entries. `vet.demo` builds the demo registry on the same helpers.
"""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from . import services
from .importers import parse_occupations
from .models import (
    AccreditationFramework,
    Criterion,
    LegalDocument,
    Occupation,
    OccupationField,
    Province,
    ReadinessIndicator,
    ReadinessProfile,
    SelfAssessmentRule,
    Standard,
)
from .permissions import SYSTEM

DATA_DIR = Path(__file__).resolve().parent / "data"
ACCREDITATION_DIR = DATA_DIR / "accreditation"
READINESS_DIR = DATA_DIR / "readiness"
CATALOGUE_DOCUMENT = "26/2020/TT-BLĐTBXH"  # the level-IV occupation catalogue (number unconfirmed, see the CSV)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
M = TypeVar("M", bound=Model)
R = TypeVar("R")


@dataclass
class LoadSummary:
    """Created / updated / unchanged counts per kind of row, in the order the kinds were first loaded."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, label: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(label, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def lines(self) -> list[str]:
        width = max((len(label) for label in self.counts), default=0)
        return [
            f"{label:<{width}}  {c[CREATED]:>4} created  {c[UPDATED]:>4} updated  {c[UNCHANGED]:>4} unchanged"
            for label, c in self.counts.items()
        ]


# ------------------------------------------------------------------------------------------- file reading


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts of stripped strings."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]


def parse_date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def parse_decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def parse_int(value: str) -> int | None:
    return int(value) if value else None


def parse_bool(value: str) -> bool:
    if value.lower() in ("true", "yes", "1"):
        return True
    if value.lower() in ("false", "no", "0", ""):
        return False
    raise ValueError(f"Not a boolean: {value!r}")


def in_dependency_order(rows: Iterable[R], key: Callable[[R], str], ref: Callable[[R], str]) -> list[R]:
    """Order `rows` so that a row comes after the row its `ref` names (a successor, a replacing document)."""
    pending = list(rows)
    known = {key(r) for r in pending}
    done: set[str] = set()
    ordered: list[R] = []
    while pending:
        ready = [r for r in pending if not ref(r) or ref(r) in done or ref(r) not in known]
        if not ready:
            raise ValueError("Circular references between: " + ", ".join(key(r) for r in pending))
        for r in ready:
            ordered.append(r)
            done.add(key(r))
        pending = [r for r in pending if key(r) not in done]
    return ordered


# ------------------------------------------------------------------------------------------------ writing


def upsert(
    model: type[M],
    *,
    lookup: dict,
    values: dict,
    summary: LoadSummary | None = None,
    label: str | None = None,
    user=SYSTEM,
) -> M:
    """Create or update the row found by `lookup` through `services.save_registry_object`; skip unchanged rows."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        outcome = CREATED
    else:
        outcome = UNCHANGED
        for name, value in values.items():
            attname = model._meta.get_field(name).attname
            current = getattr(instance, attname)
            wanted = value.pk if isinstance(value, Model) else value
            if current != wanted:
                setattr(instance, name, value)
                outcome = UPDATED
    if outcome != UNCHANGED:
        services.save_registry_object(user=user, instance=instance)
    if summary is not None:
        summary.add(label or str(model._meta.verbose_name_plural), outcome)
    return instance


def load_legal_documents(path: str | Path, summary: LoadSummary) -> dict[str, LegalDocument]:
    """Legal documents from a CSV file (the `note` column documents the row and is not stored)."""
    rows = in_dependency_order(read_csv(path), key=lambda r: r["number"], ref=lambda r: r["replaced_by"])
    documents: dict[str, LegalDocument] = {}
    for row in rows:
        replaced_by = None
        if row["replaced_by"]:
            replaced_by = documents.get(row["replaced_by"]) or LegalDocument.objects.get(number=row["replaced_by"])
        documents[row["number"]] = upsert(
            LegalDocument,
            lookup={"number": row["number"]},
            values={
                "kind": row["kind"],
                "issuer": row["issuer"],
                "title_vi": row["title_vi"],
                "title_en": row["title_en"],
                "issued_on": parse_date(row["issued_on"]),
                "effective_from": parse_date(row["effective_from"]),
                "effective_to": parse_date(row["effective_to"]),
                "replaced_by": replaced_by,
                "url": row["url"],
                "confirmed": parse_bool(row["confirmed"]),
            },
            summary=summary,
        )
    return documents


def load_occupation_fields(path: str | Path, summary: LoadSummary) -> None:
    """Occupation fields (digits 2–3 of a code) from a CSV file."""
    for row in read_csv(path):
        upsert(
            OccupationField,
            lookup={"code": row["code"]},
            values={"name_vi": row["name_vi"], "name_en": row["name_en"], "confirmed": parse_bool(row["confirmed"])},
            summary=summary,
        )


def load_occupations(path: str | Path, summary: LoadSummary, catalogue_document: LegalDocument | None) -> None:
    """The occupation catalogue, through the same importer as `manage.py import_occupations`."""
    result = services.import_occupations(
        user=SYSTEM, rows=parse_occupations(path), catalogue_document=catalogue_document
    )
    label = str(Occupation._meta.verbose_name_plural)
    summary.add(label, CREATED, result.created)
    summary.add(label, UPDATED, result.updated)
    summary.add(label, UNCHANGED, result.unchanged)


@transaction.atomic
def load_reference_data(summary: LoadSummary | None = None, data_dir: Path = DATA_DIR) -> LoadSummary:
    """Legal documents, occupation fields and the occupation catalogue from `vet/data/`, all or nothing."""
    summary = summary if summary is not None else LoadSummary()
    documents = load_legal_documents(data_dir / "legal_documents.csv", summary)
    load_occupation_fields(data_dir / "occupation_fields.csv", summary)
    load_occupations(data_dir / "occupations.csv", summary, documents.get(CATALOGUE_DOCUMENT))
    return summary


def load_frameworks(path: str | Path, summary: LoadSummary) -> dict[str, AccreditationFramework]:
    """Accreditation frameworks, each tied to its legal document; empty thresholds stay empty (no rule)."""
    frameworks = {}
    for row in read_csv(path):
        frameworks[row["code"]] = upsert(
            AccreditationFramework,
            lookup={"code": row["code"]},
            values={
                "document": LegalDocument.objects.get(number=row["document"]),
                "target": row["target"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "effective_from": parse_date(row["effective_from"]),
                "effective_to": parse_date(row["effective_to"]),
                "points_per_standard": parse_decimal(row["points_per_standard"]),
                "compliance_years_intermediate": parse_int(row["compliance_years_intermediate"]),
                "compliance_years_college": parse_int(row["compliance_years_college"]),
                "min_total_points": parse_decimal(row["min_total_points"]),
                "min_criterion_share": parse_decimal(row["min_criterion_share"]),
                "min_core_criterion_share": parse_decimal(row["min_core_criterion_share"]),
                "thresholds_confirmed": parse_bool(row["thresholds_confirmed"]),
                "thresholds_note": row["thresholds_note"],
                "certificate_validity_years": parse_int(row["certificate_validity_years"]),
            },
            summary=summary,
        )
    return frameworks


def load_criteria(
    path: str | Path, summary: LoadSummary, frameworks: dict[str, AccreditationFramework]
) -> dict[tuple[str, int], Criterion]:
    """Criteria of the frameworks, keyed by framework code and number (the `note` column is not stored)."""
    criteria = {}
    for row in read_csv(path):
        number = int(row["number"])
        criteria[row["framework"], number] = upsert(
            Criterion,
            lookup={"framework": frameworks[row["framework"]], "number": number},
            values={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "benchmark_points": parse_decimal(row["benchmark_points"]),
                "is_core": parse_bool(row["is_core"]),
            },
            summary=summary,
        )
    return criteria


def load_standards(path: str | Path, summary: LoadSummary, criteria: dict[tuple[str, int], Criterion]) -> None:
    """Standards of the criteria; sample wording carries `is_sample` and "(mẫu)" / "(sample)" in its text."""
    for row in read_csv(path):
        upsert(
            Standard,
            lookup={"criterion": criteria[row["framework"], int(row["criterion"])], "code": row["code"]},
            values={
                "text_vi": row["text_vi"],
                "text_en": row["text_en"],
                "typical_evidence": row["typical_evidence"],
                "is_sample": parse_bool(row["is_sample"]),
            },
            summary=summary,
        )


def load_self_assessment_rules(path: str | Path, summary: LoadSummary) -> None:
    """The self-assessment rules (council composition, revocation), keyed by legal document and start date."""
    for row in read_csv(path):
        upsert(
            SelfAssessmentRule,
            lookup={"document": LegalDocument.objects.get(number=row["document"]),
                    "valid_from": parse_date(row["valid_from"])},
            values={
                "valid_to": parse_date(row["valid_to"]),
                "chair_must_be_head": parse_bool(row["chair_must_be_head"]),
                "min_enterprise_representatives": int(row["min_enterprise_representatives"]),
                "missing_years_for_revocation": int(row["missing_years_for_revocation"]),
                "confirmed": parse_bool(row["confirmed"]),
                "note": row["note"],
            },
            summary=summary,
        )


@transaction.atomic
def load_accreditation_frameworks(
    summary: LoadSummary | None = None, data_dir: Path = ACCREDITATION_DIR
) -> LoadSummary:
    """The legal documents, then the accreditation frameworks, criteria and standards and the self-assessment rules
    of `vet/data/accreditation/`."""
    summary = summary if summary is not None else LoadSummary()
    load_legal_documents(DATA_DIR / "legal_documents.csv", summary)
    frameworks = load_frameworks(data_dir / "frameworks.csv", summary)
    criteria = load_criteria(data_dir / "criteria.csv", summary, frameworks)
    load_standards(data_dir / "standards.csv", summary, criteria)
    rules = data_dir / "self_assessment_rules.csv"
    if rules.exists():
        load_self_assessment_rules(rules, summary)
    return summary


def _document(number: str) -> LegalDocument | None:
    return LegalDocument.objects.get(number=number) if number else None


@transaction.atomic
def load_readiness_profiles(summary: LoadSummary | None = None, data_dir: Path = READINESS_DIR) -> LoadSummary:
    """The legal documents, then the default readiness profiles per tier and their indicators of
    `vet/data/readiness/` (thresholds with their source and confirmed flag)."""
    summary = summary if summary is not None else LoadSummary()
    load_legal_documents(DATA_DIR / "legal_documents.csv", summary)
    profiles = {}
    for row in read_csv(data_dir / "profiles.csv"):
        profiles[row["code"]] = upsert(
            ReadinessProfile,
            lookup={"code": row["code"]},
            values={
                "tier": row["tier"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "source_document": _document(row["source_document"]),
                "valid_from": parse_date(row["valid_from"]),
                "valid_to": parse_date(row["valid_to"]),
                "close_gap_percent": parse_decimal(row["close_gap_percent"]),
                "confirmed": parse_bool(row["confirmed"]),
                "note": row["note"],
            },
            summary=summary,
        )
    for row in read_csv(data_dir / "indicators.csv"):
        upsert(
            ReadinessIndicator,
            lookup={"profile": profiles[row["profile"]], "metric": row["metric"], "level": row["level"]},
            values={
                "threshold": parse_decimal(row["threshold"]),
                "weight": parse_decimal(row["weight"]),
                "min_degree": row["min_degree"],
                "min_language_level": parse_int(row["min_language_level"]),
                "min_skill_level": parse_int(row["min_skill_level"]),
                "source_document": _document(row["source_document"]),
                "source_note": row["source_note"],
                "confirmed": parse_bool(row["confirmed"]),
            },
            summary=summary,
        )
    return summary


TARGET_NOT_IN_REGISTRY = "targets skipped (province not in the registry)"


@transaction.atomic
def load_targets(path: str | Path | None = None, summary: LoadSummary | None = None) -> LoadSummary:
    """Plan targets from a CSV file (vet/data/targets.csv: Decision 2239/QĐ-TTg and the provincial plans of
    ../shared/reference), each tied to its source document. A province's rows wait until that province is in the
    registry (they are counted as skipped, never half-loaded); everything else is all or nothing."""
    from .models.targets import TargetIndicator

    summary = summary if summary is not None else LoadSummary()
    provinces = {p.code: p for p in Province.objects.all()}
    for number, row in enumerate(read_csv(path or DATA_DIR / "targets.csv"), start=2):
        province = None
        if row["province"]:
            province = provinces.get(row["province"])
            if province is None:
                summary.add(TARGET_NOT_IN_REGISTRY, UNCHANGED)
                continue
        document = LegalDocument.objects.filter(number=row["source_document"]).first()
        if document is None:
            raise ValidationError(f"targets.csv row {number}: source_document {row['source_document']!r} is not a "
                                  "known legal document (load the reference data first)")
        upsert(
            TargetIndicator,
            lookup={"province": province, "metric": row["metric"], "tier": row["tier"], "year": int(row["year"])},
            values={
                "target_value": parse_decimal(row["target_value"]),
                "target_max": parse_decimal(row["target_max"]),
                "unit": row["unit"],
                "higher_is_better": parse_bool(row["higher_is_better"]),
                "baseline_year": parse_int(row["baseline_year"]),
                "baseline_value": parse_decimal(row["baseline_value"]),
                "source_document": document,
                "source_clause": row["source_clause"],
                "text_vi": row["text_vi"],
                "text_en": row["text_en"],
                "confirmed": parse_bool(row["confirmed"]),
                "note": row["note"],
            },
            summary=summary,
        )
    return summary


@transaction.atomic
def load_actual_values(path: str | Path, summary: LoadSummary | None = None) -> LoadSummary:
    """Entered actuals (metric, year, value, source) from a CSV file, by province code (empty: national)."""
    from .models.targets import ActualValue

    summary = summary if summary is not None else LoadSummary()
    provinces = {p.code: p for p in Province.objects.all()}
    for number, row in enumerate(read_csv(path), start=2):
        province = None
        if row["province"]:
            province = provinces.get(row["province"])
            if province is None:
                raise ValidationError(f"{Path(path).name} row {number}: province {row['province']!r} is not in the "
                                      "registry")
        upsert(ActualValue, lookup={"province": province, "metric": row["metric"], "year": int(row["year"])},
               values={"value": parse_decimal(row["value"]), "source": row["source"]}, summary=summary)
    return summary
