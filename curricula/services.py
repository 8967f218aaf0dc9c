"""Every write to curricula goes through here: permission (vet.permissions), scope, workflow, history.

Workflow of a version (DOMAIN.md §6): school staff edit a draft; submitting freezes it; approving it (refused
while a rule fails) supersedes the curriculum's previously approved version and sets the next review date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext as _

from vet import permissions
from vet import services as vet_services
from vet.models import ScopeEntry

from . import choices, coverage, rules, selectors
from .models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumRuleSet,
    CurriculumVersion,
    PerformanceCriterion,
    SkillFramework,
    SkillUnit,
    VersionComment,
)

# ------------------------------------------------------------------------------------------------ helpers


def _write(user, instance: Model) -> Model:
    instance.full_clean()
    if user is not None and user.is_authenticated:
        instance._history_user = user
    instance.save()
    return instance


def _locked(instance: Model) -> Model | None:
    """The stored row behind `instance`, locked for the rest of the transaction (None for a new row)."""
    if instance.pk is None or instance._state.adding:
        return None
    return type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()


def frozen_reason(version: CurriculumVersion | None) -> str | None:
    """Why a submitted, approved or superseded version can no longer be edited (None for a draft)."""
    if version is None or not version.is_frozen:
        return None
    return _("This version is %(status)s and can no longer be edited; start a new version instead.") % {
        "status": version.get_status_display().lower()
    }


def _refuse_frozen(version: CurriculumVersion | None) -> None:
    if (reason := frozen_reason(version)) is not None:
        raise ValidationError(reason, code="frozen")


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --------------------------------------------------------------------------------------------- curricula


def _check_scope(curriculum: Curriculum) -> None:
    """A curriculum is offered only for an occupation and level in the institution's scope (DOMAIN.md §1)."""
    if not (curriculum.institution_id and curriculum.occupation_id and curriculum.level):
        return
    if not ScopeEntry.objects.filter(
        institution_id=curriculum.institution_id, occupation_id=curriculum.occupation_id, level=curriculum.level
    ).exists():
        message = _(
            "%(occupation)s at %(level)s level is not in the registered scope of %(institution)s; "
            "add it to the scope first."
        ) % {"occupation": curriculum.occupation, "level": curriculum.get_level_display(),
             "institution": curriculum.institution}
        raise ValidationError({"occupation": ValidationError(message, code="outside_scope")})


@transaction.atomic
def save_curriculum(*, user, curriculum: Curriculum) -> Curriculum:
    """Create or update a curriculum inside the institution's scope; its identity is fixed once a version left draft."""
    old = _locked(curriculum)
    vet_services.require_permission(user, permissions.ADD if old is None else permissions.CHANGE, old or curriculum)
    if old is not None:
        vet_services.require_permission(user, permissions.CHANGE, curriculum)
        identity = ("institution_id", "occupation_id", "level", "entry_requirement")
        moved = [f for f in identity if getattr(old, f) != getattr(curriculum, f)]
        if moved and old.versions.exclude(status=choices.VersionStatus.DRAFT).exists():
            raise ValidationError(
                {f.removesuffix("_id"): _("A curriculum with submitted or approved versions cannot change this.")
                 for f in moved},
                code="identity_fixed",
            )
    _check_scope(curriculum)
    return _write(user, curriculum)


@transaction.atomic
def delete_curriculum(*, user, curriculum: Curriculum) -> None:
    """Delete a curriculum that has only drafts; submitted and approved versions are records to keep."""
    vet_services.require_permission(user, permissions.DELETE, curriculum)
    if curriculum.versions.exclude(status=choices.VersionStatus.DRAFT).exists():
        raise ValidationError(
            _("This curriculum has submitted or approved versions and cannot be deleted."), code="in_use"
        )
    vet_services.delete_registry_object(user=user, instance=curriculum)


# ---------------------------------------------------------------------------------------------- versions


@transaction.atomic
def save_curriculum_version(*, user, version: CurriculumVersion) -> CurriculumVersion:
    """Create a draft version or edit a draft; a submitted, approved or superseded version is frozen."""
    old = _locked(version)
    if old is None:
        vet_services.require_permission(user, permissions.ADD, version)
        if version.status != choices.VersionStatus.DRAFT:
            raise ValidationError(_("A new version starts as a draft."), code="not_draft")
    else:
        vet_services.require_permission(user, permissions.CHANGE, old)
        vet_services.require_permission(user, permissions.CHANGE, version)
        _refuse_frozen(old)
        version.status = old.status  # status moves only through submit / approve
    return _write(user, version)


@transaction.atomic
def start_curriculum_version(*, user, curriculum: Curriculum, based_on: CurriculumVersion | None = None,
                             **fields) -> CurriculumVersion:
    """A new draft of `curriculum`, with a copy of the components of `based_on` when given."""
    if based_on is not None and based_on.curriculum_id != curriculum.pk:
        raise ValidationError({"based_on": _("Choose a version of the same curriculum.")}, code="other_curriculum")
    if based_on is not None:
        vet_services.require_permission(user, permissions.VIEW, based_on)
        copied = {f: getattr(based_on, f) for f in ("origin", "partner_country", "awarding_body", "high_quality",
                                                     "duration_months", "output_standard")}
        fields = {**copied, **fields}
    version = save_curriculum_version(user=user, version=CurriculumVersion(curriculum=curriculum, **fields))
    if based_on is not None:
        for component in based_on.components.all():
            component.pk = None
            component.id = None
            component._state.adding = True
            component.version = version
            _write(user, component)
    return version


@transaction.atomic
def delete_curriculum_version(*, user, version: CurriculumVersion) -> None:
    """Delete a draft; submitted, approved and superseded versions stay on record."""
    vet_services.require_permission(user, permissions.DELETE, version)
    _refuse_frozen(_locked(version))
    vet_services.delete_registry_object(user=user, instance=version)


@transaction.atomic
def submit_curriculum_version(*, user, version: CurriculumVersion) -> CurriculumVersion:
    """Submit a draft for approval; from now on it cannot be edited."""
    version = _locked(version)
    vet_services.require_permission(user, permissions.CHANGE, version)
    if version.status != choices.VersionStatus.DRAFT:
        raise ValidationError(
            _("Only a draft can be submitted; this version is %(status)s.")
            % {"status": version.get_status_display().lower()},
            code="not_draft",
        )
    if not version.components.exists():
        raise ValidationError(_("A version without subjects or modules cannot be submitted."), code="empty")
    version.status = choices.VersionStatus.SUBMITTED
    return _write(user, version)


@transaction.atomic
def return_curriculum_version(*, user, version: CurriculumVersion) -> CurriculumVersion:
    """Send a submitted version back to draft so that it can be corrected."""
    version = _locked(version)
    vet_services.require_permission(user, permissions.CHANGE, version)
    if version.status != choices.VersionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be returned to draft."), code="not_submitted")
    version.status = choices.VersionStatus.DRAFT
    return _write(user, version)


@transaction.atomic
def approve_curriculum_version(
    *,
    user,
    version: CurriculumVersion,
    on: datetime.date | None = None,
    decision_number: str | None = None,
    decision_date: datetime.date | None = None,
    signer: str | None = None,
) -> CurriculumVersion:
    """The head of the school (or an administrator) approves a submitted version that fails no rule; it
    supersedes the approved one and is due for review after the rule set's review cycle (Circular 01/2024;
    3 years under Circular 03/2017)."""
    version = _locked(version)
    vet_services.require_permission(user, permissions.APPROVE, version)
    if version.status != choices.VersionStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted version can be approved; this version is %(status)s.")
            % {"status": version.get_status_display().lower()},
            code="not_submitted",
        )
    version.decision_number = decision_number if decision_number is not None else version.decision_number
    version.decision_date = decision_date if decision_date is not None else version.decision_date
    version.signer = signer if signer is not None else version.signer
    missing = {}
    if not version.decision_number:
        missing["decision_number"] = _("Enter the number of the decision that promulgates this version.")
    if not version.decision_date:
        missing["decision_date"] = _("Enter the date of the decision that promulgates this version.")
    if missing:
        raise ValidationError(missing, code="decision_missing")
    report, rule_set, facts = _validate(version, on=version.decision_date)
    if not report.passed:
        raise ValidationError(
            _("This version fails %(count)s rule(s) and cannot be approved: %(rules)s")
            % {"count": len(report.failures), "rules": " ".join(str(r.message) for r in report.failures)},
            code="validation_failed",
        )
    approved_on = on or datetime.date.today()
    cycle = rules.parameter(rule_set.rules, choices.RuleCode.REVIEW_CYCLE_YEARS, facts)
    for previous in CurriculumVersion.objects.select_for_update().filter(
        curriculum_id=version.curriculum_id, status=choices.VersionStatus.APPROVED
    ).exclude(pk=version.pk):
        previous.status = choices.VersionStatus.SUPERSEDED
        _write(user, previous)
    version.status = choices.VersionStatus.APPROVED
    version.approved_on = approved_on
    version.next_review_on = add_years(approved_on, int(cycle.value)) if cycle and cycle.value else None
    return _write(user, version)


@transaction.atomic
def add_version_comment(*, user, version: CurriculumVersion, text: str) -> VersionComment:
    """An officer of the province or the school's staff remarks on a version, in any status."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")}, code="empty")
    comment = VersionComment(version=version, author=user if getattr(user, "pk", None) else None, text=text)
    vet_services.require_permission(user, permissions.ADD, comment)
    return _write(user, comment)


# -------------------------------------------------------------------------------------------- components


@transaction.atomic
def save_curriculum_component(*, user, component: CurriculumComponent) -> CurriculumComponent:
    """Add or change a subject or module of a draft version."""
    old = _locked(component)
    if old is None:
        vet_services.require_permission(user, permissions.ADD, component)
    else:
        vet_services.require_permission(user, permissions.CHANGE, old)
        vet_services.require_permission(user, permissions.CHANGE, component)
        _refuse_frozen(old.version)
    if component.version_id:
        _refuse_frozen(CurriculumVersion.objects.filter(pk=component.version_id).first())
    return _write(user, component)


@transaction.atomic
def delete_curriculum_component(*, user, component: CurriculumComponent) -> None:
    """Remove a subject or module from a draft version."""
    vet_services.require_permission(user, permissions.DELETE, component)
    _refuse_frozen(CurriculumVersion.objects.filter(pk=component.version_id).first())
    vet_services.delete_registry_object(user=user, instance=component)


# ------------------------------------------------------------------------------------------------ checks


def version_facts(version: CurriculumVersion) -> rules.VersionFacts:
    """The plain facts of a version that the rules read."""
    return rules.VersionFacts(
        level=version.curriculum.level,
        entry_requirement=version.curriculum.entry_requirement,
        components=tuple(
            rules.ComponentFacts(
                code=c.code,
                kind=c.kind,
                group=c.group,
                credits=c.credits,
                theory_hours=c.theory_hours,
                practice_hours=c.practice_hours,
                internship_hours=c.internship_hours,
                exam_hours=c.exam_hours,
                general_subject_type=c.general_subject_type,
            )
            for c in version.components.all()
        ),
    )


def rule_set_facts(rule_set: CurriculumRuleSet) -> rules.RuleSet:
    """A stored rule set as plain data; a rule without its own source cites the set's document."""
    return rules.RuleSet(
        document=rule_set.document.number,
        effective_from=rule_set.effective_from,
        effective_to=rule_set.effective_to,
        rules=tuple(
            rules.Rule(
                code=r.code,
                unit=r.unit,
                source=r.source.number if r.source_id else rule_set.document.number,
                level=r.level,
                entry_requirement=r.entry_requirement,
                general_subject_type=r.general_subject_type,
                value=r.value,
                min_value=r.min_value,
                max_value=r.max_value,
                confirmed=r.confirmed,
                note=r.note,
            )
            for r in rule_set.rules.all()
        ),
    )


def _validate(version: CurriculumVersion, *, on: datetime.date | None):
    day = on or version.decision_date or version.approved_on or datetime.date.today()
    rule_set = rules.select_rule_set([rule_set_facts(s) for s in selectors.list_curriculum_rule_sets()], day)
    if rule_set is None:
        raise ValidationError(
            _("No curriculum rule set is in force on %(date)s; load the curriculum rules first.")
            % {"date": day.isoformat()},
            code="no_rule_set",
        )
    facts = version_facts(version)
    return rules.check_curriculum(facts, rule_set.rules, on=day, rule_set=rule_set.document), rule_set, facts


def validate_versions(versions, *, on: datetime.date | None = None) -> dict[int, rules.Report]:
    """Reports of many versions at once, keyed by version id, in a bounded number of queries (rule sets once,
    components once), whatever the number of versions. Each version is checked against the rule set in force
    on `on`, by default its own decision date. A version for whose day no rule set is in force is left out."""
    if isinstance(versions, QuerySet):
        versions = versions.select_related("curriculum").prefetch_related(
            Prefetch("components", queryset=CurriculumComponent.objects.order_by("position", "code")))
    rule_sets = [rule_set_facts(s) for s in selectors.list_curriculum_rule_sets()]
    reports: dict[int, rules.Report] = {}
    for version in versions:
        day = on or version.decision_date or version.approved_on or datetime.date.today()
        rule_set = rules.select_rule_set(rule_sets, day)
        if rule_set is not None:
            reports[version.pk] = rules.check_curriculum(version_facts(version), rule_set.rules, on=day,
                                                         rule_set=rule_set.document)
    return reports


def validate_curriculum(version: CurriculumVersion, *, on: datetime.date | None = None) -> rules.Report:
    """Check a version against the rule set in force on `on` (by default the version's decision date):
    Circular 01/2024 from 05/04/2024, Circular 03/2017 before."""
    return _validate(version, on=on)[0]


# ---------------------------------------------------------------------------------------- skill standards


@transaction.atomic
def save_skill_framework(*, user, framework: SkillFramework) -> SkillFramework:
    """Create or update a skill framework (reference data: administrators and the system only); an unchanged
    framework is not saved again, so no history entry is added."""
    old = _locked(framework)
    if old is None:
        vet_services.require_permission(user, permissions.ADD, framework)
    else:
        vet_services.require_permission(user, permissions.CHANGE, old)
        if all(getattr(old, f.attname) == getattr(framework, f.attname)
               for f in SkillFramework._meta.concrete_fields if f.editable):
            return framework
    return _write(user, framework)


@transaction.atomic
def map_component_to_unit(*, user, component: CurriculumComponent, unit: SkillUnit,
                          coverage: str = choices.Coverage.FULL) -> ComponentUnitMapping:
    """Record that a subject or module covers a competency unit (or change how much it covers). Mappings are an
    analysis of the curriculum, not part of its text, so they may be kept on any version, frozen or not, by
    whoever may edit the institution's mappings."""
    mapping = ComponentUnitMapping.objects.select_for_update().filter(component=component, unit=unit).first()
    if mapping is None:
        mapping = ComponentUnitMapping(component=component, unit=unit, coverage=coverage)
        vet_services.require_permission(user, permissions.ADD, mapping)
    else:
        vet_services.require_permission(user, permissions.CHANGE, mapping)
        if mapping.coverage == coverage:
            return mapping
        mapping.coverage = coverage
    return _write(user, mapping)


@transaction.atomic
def unmap_component_from_unit(*, user, component: CurriculumComponent, unit: SkillUnit) -> None:
    """Remove the mapping of a subject or module to a competency unit, on any version (see above)."""
    mapping = ComponentUnitMapping.objects.filter(component=component, unit=unit).first()
    if mapping is not None:
        vet_services.delete_registry_object(user=user, instance=mapping)


def get_coverage(version: CurriculumVersion, framework: SkillFramework, level: int | None = None,
                 *, partial_weight=coverage.DEFAULT_PARTIAL_WEIGHT) -> coverage.CoverageReport:
    """How far the components of `version` cover the competency units of `framework` (of `level` only, when
    given): full mapping = 1, partial = `partial_weight` (0.5 by default)."""
    units = [
        coverage.UnitFacts(code=u.code, group=u.group, level=u.level, nominal_hours=u.nominal_hours)
        for u in selectors.list_skill_units(framework)
    ]
    components = [coverage.ComponentFacts(code=c.code, hours=c.total_hours) for c in version.components.all()]
    mappings = [
        coverage.MappingFacts(component=m.component.code, unit=m.unit.code, coverage=m.coverage)
        for m in selectors.list_component_unit_mappings(version=version, framework=framework)
    ]
    return coverage.coverage_report(units, components, mappings, level, partial_weight=partial_weight)


def get_coverages(versions, framework: SkillFramework, level: int | None = None, *,
                  partial_weight=coverage.DEFAULT_PARTIAL_WEIGHT) -> dict[int, coverage.CoverageReport]:
    """Coverage of many versions against one framework, keyed by version id, in three queries whatever the
    number of versions (units once, components once, mappings once); same rules as `get_coverage`."""
    version_ids = [v.pk for v in versions]
    units = [
        coverage.UnitFacts(code=u.code, group=u.group, level=u.level, nominal_hours=u.nominal_hours)
        for u in selectors.list_skill_units(framework)
    ]
    components: dict[int, list[coverage.ComponentFacts]] = {pk: [] for pk in version_ids}
    for c in CurriculumComponent.objects.filter(version_id__in=version_ids).order_by("position", "code"):
        components[c.version_id].append(coverage.ComponentFacts(code=c.code, hours=c.total_hours))
    mappings: dict[int, list[coverage.MappingFacts]] = {pk: [] for pk in version_ids}
    for version_id, component, unit, how in ComponentUnitMapping.objects.filter(
        component__version_id__in=version_ids, unit__framework=framework
    ).values_list("component__version_id", "component__code", "unit__code", "coverage"):
        mappings[version_id].append(coverage.MappingFacts(component=component, unit=unit, coverage=how))
    return {
        pk: coverage.coverage_report(units, components[pk], mappings[pk], level, partial_weight=partial_weight)
        for pk in version_ids
    }


TIER_FRAMEWORK_KINDS = {"national": choices.FrameworkKind.NATIONAL, "asean": choices.FrameworkKind.ASEAN,
                        "international": choices.FrameworkKind.FOREIGN}


def best_tier_coverages(programs: set[tuple[int, int, str, str]]) -> dict[tuple[int, int, str, str], Decimal | None]:
    """Best coverage (%) of the approved version of each program (institution id, occupation id, level, tier)
    against the skill frameworks of the tier's kind (national → national standard, ASEAN → ASEAN standard,
    international → foreign program): those of the occupation and any other of that kind the version is mapped
    to. None when the program has no approved version or there is no such framework. Five queries whatever the
    number of programs (versions, frameworks, units, components, mappings), same rules as `get_coverages`."""
    if not programs:
        return {}
    institutions = {p[0] for p in programs}
    occupations = {p[1] for p in programs}
    kinds = {TIER_FRAMEWORK_KINDS[p[3]] for p in programs if p[3] in TIER_FRAMEWORK_KINDS}
    versions: dict[tuple[int, int, str], list[int]] = {}
    for pk, institution_id, occupation_id, level in CurriculumVersion.objects.filter(
        status=choices.VersionStatus.APPROVED, curriculum__institution_id__in=institutions,
        curriculum__occupation_id__in=occupations,
    ).values_list("pk", "curriculum__institution_id", "curriculum__occupation_id", "curriculum__level"):
        versions.setdefault((institution_id, occupation_id, level), []).append(pk)
    version_ids = [pk for pks in versions.values() for pk in pks]
    frameworks: dict[int, tuple[str, int | None]] = {
        pk: (kind, occupation_id) for pk, kind, occupation_id in SkillFramework.objects.filter(
            kind__in=kinds, occupation_id__in=occupations).values_list("pk", "kind", "occupation_id")
    }
    mappings: dict[tuple[int, int], list[coverage.MappingFacts]] = {}
    for version_id, framework_id, kind, component, unit, how in ComponentUnitMapping.objects.filter(
        component__version_id__in=version_ids, unit__framework__kind__in=kinds
    ).values_list("component__version_id", "unit__framework_id", "unit__framework__kind", "component__code",
                  "unit__code", "coverage"):
        frameworks.setdefault(framework_id, (kind, None))
        mappings.setdefault((version_id, framework_id), []).append(coverage.MappingFacts(component, unit, how))
    units: dict[int, list[coverage.UnitFacts]] = {pk: [] for pk in frameworks}
    for u in SkillUnit.objects.filter(framework_id__in=list(frameworks)).order_by("code"):
        units[u.framework_id].append(coverage.UnitFacts(code=u.code, group=u.group, level=u.level,
                                                        nominal_hours=u.nominal_hours))
    components: dict[int, list[coverage.ComponentFacts]] = {pk: [] for pk in version_ids}
    for c in CurriculumComponent.objects.filter(version_id__in=version_ids).order_by("position", "code"):
        components[c.version_id].append(coverage.ComponentFacts(code=c.code, hours=c.total_hours))
    result: dict[tuple[int, int, str, str], Decimal | None] = {}
    for program in programs:
        institution_id, occupation_id, level, tier = program
        kind = TIER_FRAMEWORK_KINDS.get(tier)
        best = None
        for version_id in versions.get((institution_id, occupation_id, level), ()):
            for framework_id, (framework_kind, framework_occupation) in frameworks.items():
                if framework_kind != kind or not units[framework_id]:
                    continue
                mapped = mappings.get((version_id, framework_id))
                if framework_occupation != occupation_id and not mapped:
                    continue
                report = coverage.coverage_report(units[framework_id], components[version_id], mapped or [])
                share = (report.share * 100).quantize(Decimal("0.01"))
                best = share if best is None else max(best, share)
        result[program] = best
    return result


@dataclass(frozen=True)
class SkillUnitRow:
    code: str
    name_vi: str
    name_en: str = ""
    group: str = ""
    level: int | None = None
    nominal_hours: int | None = None


@dataclass(frozen=True)
class CriterionRow:
    unit_code: str
    number: int
    text_vi: str
    text_en: str = ""


@dataclass(frozen=True)
class SkillImportSummary:
    units_created: int = 0
    units_updated: int = 0
    criteria_created: int = 0
    criteria_updated: int = 0


def _upsert(user, model, lookup: dict, values: dict) -> str:
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        vet_services.require_permission(user, permissions.ADD, instance)
        _write(user, instance)
        return "created"
    if all(getattr(instance, k) == v for k, v in values.items()):
        return "unchanged"
    vet_services.require_permission(user, permissions.CHANGE, instance)
    for k, v in values.items():
        setattr(instance, k, v)
    _write(user, instance)
    return "updated"


@transaction.atomic
def import_skill_units(*, user, framework: SkillFramework, units: list[SkillUnitRow],
                       criteria: list[CriterionRow]) -> SkillImportSummary:
    """Create or update the competency units and performance criteria of a framework (administrators only),
    all or nothing; units and criteria missing from the rows are left alone."""
    vet_services.require_permission(user, permissions.CHANGE, framework)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in units:
        outcome = _upsert(user, SkillUnit, {"framework": framework, "code": row.code}, {
            "name_vi": row.name_vi, "name_en": row.name_en, "group": row.group, "level": row.level,
            "nominal_hours": row.nominal_hours})
        counts[outcome] += 1
    stored = {u.code: u for u in SkillUnit.objects.filter(framework=framework)}
    criteria_counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in criteria:
        unit = stored.get(row.unit_code)
        if unit is None:
            raise ValidationError(_("Criteria name the unknown competency unit %(code)s.") % {"code": row.unit_code},
                                  code="unknown_unit")
        outcome = _upsert(user, PerformanceCriterion, {"unit": unit, "number": row.number},
                          {"text_vi": row.text_vi, "text_en": row.text_en})
        criteria_counts[outcome] += 1
    return SkillImportSummary(counts["created"], counts["updated"], criteria_counts["created"],
                              criteria_counts["updated"])


# ------------------------------------------------------------------------------------ component spreadsheets


@dataclass(frozen=True)
class ComponentRow:
    """One subject or module read from a spreadsheet (`curricula.importers`), with the model's field names."""

    code: str
    kind: str
    name_vi: str
    group: str
    name_en: str = ""
    compulsory: bool = True
    credits: Decimal = Decimal(0)
    theory_hours: int = 0
    practice_hours: int = 0
    internship_hours: int = 0
    exam_hours: int = 0
    general_subject_type: str = ""


@dataclass(frozen=True)
class ComponentImportSummary:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


COMPONENT_ROW_FIELDS = ("kind", "name_vi", "name_en", "group", "compulsory", "credits", "theory_hours",
                        "practice_hours", "internship_hours", "exam_hours", "general_subject_type")


def credit_rules_for(version: CurriculumVersion) -> tuple[rules.Rule, ...]:
    """The hours-per-credit rules (CREDIT_THEORY_HOURS, CREDIT_PRACTICE_HOURS) of the rule set in force on the
    version's decision date (today for an undated draft) that apply to its level and entry requirement; empty
    when no rule set is in force."""
    day = version.decision_date or datetime.date.today()
    rule_set = rules.select_rule_set([rule_set_facts(s) for s in selectors.list_curriculum_rule_sets()], day)
    if rule_set is None:
        return ()
    facts = rules.VersionFacts(level=version.curriculum.level,
                               entry_requirement=version.curriculum.entry_requirement)
    codes = (choices.RuleCode.CREDIT_THEORY_HOURS, choices.RuleCode.CREDIT_PRACTICE_HOURS)
    return tuple(r for r in rule_set.rules if r.code in codes and r.applies_to(facts))


def _positions(rows: list[ComponentRow], stored: dict[str, CurriculumComponent]) -> list[int]:
    """Positions that list the components in file order: the stored ones while they already do (a new row takes
    the position of the row above it), otherwise 1, 2, 3, … in file order."""
    kept: list[int] = []
    for row in rows:
        kept.append(stored[row.code].position if row.code in stored else (kept[-1] if kept else 0))
    keys = list(zip(kept, (row.code for row in rows), strict=True))
    if all(a < b for a, b in zip(keys, keys[1:], strict=False)):
        return kept
    return list(range(1, len(rows) + 1))


@transaction.atomic
def import_components(*, user, version: CurriculumVersion, rows: list[ComponentRow]) -> ComponentImportSummary:
    """The rows become the component list of a draft, all or nothing: components are matched on their code
    (created or updated, in file order), and components whose code is not in the rows are removed together with
    their mappings to competency units. Unchanged components are not written and get no history entry. A
    submitted, approved or superseded version is frozen."""
    locked = _locked(version) or version
    vet_services.require_permission(user, permissions.CHANGE, locked)
    _refuse_frozen(locked)
    stored = {c.code: c for c in CurriculumComponent.objects.filter(version=locked).select_for_update()}
    for component in stored.values():
        component.version = locked  # one curriculum lookup for every permission check below
    counts = {"created": 0, "updated": 0, "removed": 0, "unchanged": 0}
    wanted = {row.code for row in rows}
    for component in stored.values():
        if component.code not in wanted:
            vet_services.delete_registry_object(user=user, instance=component)
            counts["removed"] += 1
    for row, position in zip(rows, _positions(rows, stored), strict=True):
        values = {f: getattr(row, f) for f in COMPONENT_ROW_FIELDS} | {"position": position}
        component = stored.get(row.code)
        if component is None:
            component = CurriculumComponent(version=locked, code=row.code, **values)
            vet_services.require_permission(user, permissions.ADD, component)
            counts["created"] += 1
        elif all(getattr(component, f) == v for f, v in values.items()):
            counts["unchanged"] += 1
            continue
        else:
            vet_services.require_permission(user, permissions.CHANGE, component)
            for f, v in values.items():
                setattr(component, f, v)
            counts["updated"] += 1
        _write(user, component)
    return ComponentImportSummary(**counts)
