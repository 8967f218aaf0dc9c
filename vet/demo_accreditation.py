"""The demo accreditation and readiness data: evidence, self-assessments (one submitted and assessed by the
provincial authority, one submitted and waiting, one in progress in a campaign), findings, action items, a
campaign, and the yearly outcomes and equipment checklists the readiness of each key occupation reads.

The hand-written part lives in `vet/data/demo/accreditation.json`; outcomes and equipment holdings are drawn with a
fixed seed. Loading is idempotent: rows are matched on their natural keys and an assessment that exists is left
as it is. Needs the demo registry and the accreditation frameworks loaded first.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from . import choices
from .demo import DEMO_DIR, SEED
from .loaders import CREATED, UNCHANGED, UPDATED, LoadSummary, parse_date, read_csv
from .models import (
    AccreditationFramework,
    ActionItem,
    Authority,
    Campaign,
    CouncilMember,
    EquipmentChecklist,
    EquipmentItem,
    Evidence,
    EvidenceVersion,
    ExternalAssessment,
    ExternalRating,
    Finding,
    Institution,
    KeyOccupationDesignation,
    OccupationOutcome,
    ScopeEntry,
    SelfAssessment,
    SelfAssessmentRating,
    Standard,
)

CURRENT_PERIOD_END = 2021  # designations of the 2021–2030 period (and later) are the ones being prepared
EVIDENCE_URL = "https://example.org/demo/evidence/{institution}/{code}"


def _save(instance, summary: LoadSummary, label: str) -> None:
    instance.full_clean()
    instance.save()
    summary.add(label, CREATED)


def _label(model) -> str:
    return str(model._meta.verbose_name_plural)


@transaction.atomic
def load_demo_accreditation(summary: LoadSummary | None = None, demo_dir: Path = DEMO_DIR) -> LoadSummary:
    summary = summary if summary is not None else LoadSummary()
    spec = json.loads((demo_dir / "accreditation.json").read_text(encoding="utf-8"))
    institutions = {i.code: i for i in Institution.objects.filter(code__startswith="DEMO-")}
    if not institutions:
        raise ValidationError("Load the demo registry first (manage.py load_demo_data).")
    designations = list(
        KeyOccupationDesignation.objects.filter(institution__in=institutions.values(),
                                                period_end__gte=CURRENT_PERIOD_END)
        .select_related("institution", "occupation").order_by("institution__code", "occupation__code", "tier")
    )
    _load_outcomes(spec["outcomes"], designations, summary)
    _load_equipment(spec["equipment"], designations, summary)
    evidence = _load_evidence(spec["evidence"], institutions, summary)
    campaigns = _load_campaigns(spec["campaigns"], institutions, summary)
    for item in spec["self_assessments"]:
        _load_self_assessment(item, institutions, evidence, campaigns, summary)
    return summary


# ------------------------------------------------------------------------------- outcomes and equipment


def _programs(designations) -> list[tuple[Institution, object, str, str]]:
    """Distinct institution × occupation × level of the current designations, with the highest tier."""
    order = {choices.Tier.NATIONAL: 0, choices.Tier.ASEAN: 1, choices.Tier.INTERNATIONAL: 2}
    programs: dict[tuple[int, int, str], tuple] = {}
    for d in designations:
        key = (d.institution_id, d.occupation_id, d.level)
        if key not in programs or order[d.tier] > order[programs[key][3]]:
            programs[key] = (d.institution, d.occupation, d.level, d.tier)
    return list(programs.values())


def _load_outcomes(spec: dict, designations, summary: LoadSummary) -> None:
    rng = random.Random(SEED + 2)
    quotas = {(e.institution_id, e.occupation_id, e.level): e.annual_quota for e in ScopeEntry.objects.all()}
    label = _label(OccupationOutcome)
    for institution, occupation, level, tier in _programs(designations):
        quota = quotas.get((institution.pk, occupation.pk, level), 60)
        for year in spec["years"]:
            enrolment = round(quota * rng.uniform(*spec["enrolment_share_of_quota"]))
            graduates = round(enrolment * rng.uniform(*spec["graduation_rate"]))
            employed = round(graduates * rng.uniform(*spec["employment_rate"][tier]))
            levels = {n: round(graduates * share) for n, share in spec["skill_level_shares"][level].items()}
            if OccupationOutcome.objects.filter(institution=institution, occupation=occupation, level=level,
                                                year=year).exists():
                summary.add(label, UNCHANGED)
                continue
            _save(OccupationOutcome(
                institution=institution, occupation=occupation, level=level, year=year, enrolment=enrolment,
                graduates=graduates, employed_6m=employed, source=spec["source"],
                **{f"skill_level_{n}": count for n, count in levels.items()},
            ), summary, label)


def _load_equipment(spec: dict, designations, summary: LoadSummary) -> None:
    rng = random.Random(SEED + 3)
    checked_on = parse_date(spec["checked_on"])
    for institution, occupation, level, _tier in _programs(designations):
        items = spec["items"].get(occupation.field_code, spec["items"]["default"])
        checklist = EquipmentChecklist.objects.filter(institution=institution, occupation=occupation,
                                                      level=level).first()
        if checklist is not None:
            summary.add(_label(EquipmentChecklist), UNCHANGED)
            continue
        checklist = EquipmentChecklist(institution=institution, occupation=occupation, level=level,
                                       reference=spec["reference"], checked_on=checked_on)
        _save(checklist, summary, _label(EquipmentChecklist))
        for name, unit, required in items:
            held = min(required, round(required * rng.uniform(*spec["held_share"])))
            if rng.random() < 0.5:
                held = required
            _save(EquipmentItem(checklist=checklist, name=name, unit=unit, required_quantity=required,
                                held_quantity=held), summary, _label(EquipmentItem))


# ----------------------------------------------------------------------------------- evidence, campaigns


def _load_evidence(spec: dict, institutions: dict[str, Institution], summary: LoadSummary) -> dict:
    found: dict[tuple[str, str], Evidence] = {}
    for code, rows in spec.items():
        institution = institutions[code]
        for ev_code, title, owner, start, end, expires in rows:
            evidence = Evidence.objects.filter(institution=institution, code=ev_code).first()
            if evidence is None:
                evidence = Evidence(institution=institution, code=ev_code, title=title, owner=owner,
                                    period_start=parse_date(start), period_end=parse_date(end),
                                    expires_on=parse_date(expires))
                _save(evidence, summary, _label(Evidence))
                _save(EvidenceVersion(evidence=evidence, number=1,
                                      url=EVIDENCE_URL.format(institution=code.lower(), code=ev_code.lower())),
                      summary, _label(EvidenceVersion))
            else:
                summary.add(_label(Evidence), UNCHANGED)
            found[(code, ev_code)] = evidence
    return found


def _load_campaigns(spec: list, institutions: dict[str, Institution], summary: LoadSummary) -> dict[str, Campaign]:
    campaigns = {}
    authority_names = {row["key"]: row["name_vi"] for row in read_csv(DEMO_DIR / "authorities.csv")}
    for item in spec:
        authority = Authority.objects.get(name_vi=authority_names[item["authority"]])
        framework = AccreditationFramework.objects.get(code=item["framework"])
        campaign = Campaign.objects.filter(authority=authority, title=item["title"], year=item["year"]).first()
        if campaign is None:
            campaign = Campaign(authority=authority, title=item["title"], framework=framework, year=item["year"],
                                due_date=parse_date(item["due_date"]))
            _save(campaign, summary, _label(Campaign))
            campaign.institutions.set([institutions[c] for c in item["institutions"]])
            for code in item["institutions"]:
                if not SelfAssessment.objects.filter(institution=institutions[code], framework=framework,
                                                     year=item["year"], designation__isnull=True).exists():
                    _save(SelfAssessment(institution=institutions[code], framework=framework, year=item["year"],
                                         campaign=campaign), summary, _label(SelfAssessment))
        else:
            summary.add(_label(Campaign), UNCHANGED)
        campaigns[item["key"]] = campaign
    return campaigns


# ------------------------------------------------------------------------------------ self-assessments


def _designation(institution: Institution, occupation_code: str) -> KeyOccupationDesignation | None:
    if not occupation_code:
        return None
    return KeyOccupationDesignation.objects.filter(
        institution=institution, occupation__code=occupation_code, period_end__gte=CURRENT_PERIOD_END
    ).order_by("-period_start").first()


def _load_self_assessment(item: dict, institutions, evidence, campaigns, summary: LoadSummary) -> None:
    User = get_user_model()
    institution = institutions[item["institution"]]
    framework = AccreditationFramework.objects.get(code=item["framework"])
    assessment = SelfAssessment.objects.filter(institution=institution, framework=framework, year=item["year"],
                                               designation__isnull=True).first()
    if assessment is not None and assessment.ratings.exists():
        summary.add(_label(SelfAssessment), UNCHANGED)
        return
    planned = assessment is not None  # opened by a campaign: it gets its ratings now
    if assessment is None:
        assessment = SelfAssessment(institution=institution, framework=framework, year=item["year"])
    assessment.campaign = campaigns.get(item.get("campaign"))
    assessment.summary = item["summary"]
    assessment.status = choices.AssessmentStatus.IN_PROGRESS  # ratings first; the status comes last
    assessment.full_clean()
    assessment.save()
    summary.add(_label(SelfAssessment), UPDATED if planned else CREATED)
    for full_name, position, organisation, role, member_type in item["council"]:
        _save(CouncilMember(self_assessment=assessment, full_name=full_name, position=position,
                            organisation=organisation, council_role=role, member_type=member_type),
              summary, _label(CouncilMember))
    default = item["default_rating"] or {}
    standards = list(Standard.objects.filter(criterion__framework=framework).select_related("criterion"))
    for standard in standards:
        values = {**default, **item["ratings"].get(standard.code, {})}
        cited = values.pop("evidence", [])
        rating = SelfAssessmentRating(self_assessment=assessment, standard=standard, met=values.get("met"),
                                      years_met=values.get("years_met"), narrative=values.get("narrative", ""))
        _save(rating, summary, _label(SelfAssessmentRating))
        rating.evidence.set([evidence[(item["institution"], code)] for code in cited])
    if item["status"] == choices.AssessmentStatus.SUBMITTED:
        assessment.status = choices.AssessmentStatus.SUBMITTED
        assessment.submitted_at = parse_datetime(item["submitted_at"])
        assessment.submitted_by = User.objects.get(username=item["submitted_by"])
        assessment.save()
    if item.get("external"):
        _load_external(item["external"], item, assessment, standards, evidence, summary)


def _load_external(spec: dict, item: dict, assessment: SelfAssessment, standards, evidence, summary) -> None:
    User = get_user_model()
    external = ExternalAssessment(self_assessment=assessment, assessor=User.objects.get(username=spec["assessor"]),
                                  started_on=parse_date(spec["started_on"]), summary=spec["summary"])
    _save(external, summary, _label(ExternalAssessment))
    school = {r.standard_id: r for r in assessment.ratings.all()}
    for standard in standards:
        own = school[standard.pk]
        override = spec["ratings"].get(standard.code, {})
        _save(ExternalRating(assessment=external, standard=standard, met=override.get("met", own.met),
                             years_met=override.get("years_met", own.years_met), points=own.points,
                             comment=override.get("comment", "")), summary, _label(ExternalRating))
    by_code = {s.code: s for s in standards}
    findings = {}
    for severity, code, text in spec["findings"]:
        finding = Finding(assessment=external, standard=by_code[code], criterion=by_code[code].criterion,
                          severity=severity, text=text)
        _save(finding, summary, _label(Finding))
        findings[code] = finding
    external.decision = spec["decision"]
    external.decision_date = parse_date(spec["decision_date"])
    external.decision_note = spec["decision_note"]
    external.status = choices.ExternalStatus.DECIDED
    external.full_clean()
    external.save()
    institution = assessment.institution
    for code, title, owner, due, priority, status, occupation, closed_on, closure in item["action_items"]:
        _save(ActionItem(
            institution=institution, designation=_designation(institution, occupation), finding=findings[code],
            title=title, owner=owner, due_date=parse_date(due), priority=priority, status=status,
            closed_on=parse_date(closed_on),
            closure_evidence=evidence[(institution.code, closure)] if closure else None,
        ), summary, _label(ActionItem))
