"""The one place that decides who may do what to registry data.

Both the REST API (`vet.api.permissions`) and the Wagtail admin (`vet.admin_views`) ask this module.

Roles (see `vet.choices.Role`):
- system administrator: everything;
- provincial authority officer: reads everything of the institutions in its province(s) (its authority's
  province and the provinces merged into it), manages their registration, scope and key-occupation
  designations, and adds legal documents (the decisions it records);
- school staff: reads public data and its own institution's teachers and partners, edits its own institution's
  profile (not the facts set by the authority), its teachers and partners;
- head of school: school staff of its institution who may also approve (APPROVE) its curricula;
- public (anonymous): reads published registry data only.

Accreditation: school staff write their own school's self-assessments, council, ratings, evidence, outcomes,
equipment and action items; officers of the province read them, and write external assessments, findings, action
items and campaigns (`Campaign` belongs to an authority: `PROVINCE_OWNED_PATH`). Evidence is never public.
Whether a row may still change (a submitted self-assessment is locked; an assessor must not be staff of the
school) is decided by the services.

Other apps add their institution-owned models with `register_institution_model` (from their AppConfig.ready),
so that this module stays the one place that decides, and `vet` imports no other app.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from . import choices
from .models import (
    AccreditationFramework,
    ActionItem,
    ActualValue,
    Authority,
    Campaign,
    CouncilMember,
    Criterion,
    EnterprisePartner,
    EquipmentChecklist,
    EquipmentItem,
    Evidence,
    EvidenceVersion,
    ExternalAssessment,
    ExternalRating,
    Finding,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    OccupationOutcome,
    Province,
    ReadinessIndicator,
    ReadinessProfile,
    ScopeEntry,
    SelfAssessment,
    SelfAssessmentRating,
    SelfAssessmentRule,
    Standard,
    TargetIndicator,
    Teacher,
)

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
APPROVE = "approve"  # e.g. a curriculum version: only the head of its school (or an administrator)
WRITE_ACTIONS = (ADD, CHANGE, DELETE)

# Fields of an institution that only the provincial authority or an administrator may change.
AUTHORITY_CONTROLLED_INSTITUTION_FIELDS = (
    "code",
    "type",
    "ownership",
    "province",
    "managing_authority",
    "registration_document",
)


@dataclass(frozen=True)
class Roles:
    """What one user is: computed once per request from the user's memberships."""

    authenticated: bool = False
    is_admin: bool = False
    province_ids: frozenset[int] = field(default_factory=frozenset)
    institution_ids: frozenset[int] = field(default_factory=frozenset)
    head_institution_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_officer(self) -> bool:
        return bool(self.province_ids)

    @property
    def is_school_staff(self) -> bool:
        return bool(self.institution_ids)


ANONYMOUS = Roles()


def jurisdiction(province_ids: set[int]) -> set[int]:
    """A province's jurisdiction includes every province merged into it, transitively."""
    result = set(province_ids)
    frontier = set(province_ids)
    while frontier:
        frontier = set(Province.objects.filter(successor_id__in=frontier).values_list("pk", flat=True)) - result
        result |= frontier
    return result


class SystemActor:
    """Management commands and loaders: trusted like an administrator, recorded as nobody in the history."""

    is_authenticated = False
    is_active = True
    pk = None
    _vet_roles = Roles(authenticated=True, is_admin=True)

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def get_roles(user) -> Roles:
    """Roles of `user`, cached on the user object for the rest of the request."""
    cached = getattr(user, "_vet_roles", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    today = datetime.date.today()
    is_admin = user.is_superuser
    province_ids: set[int] = set()
    institution_ids: set[int] = set()
    head_institution_ids: set[int] = set()
    for m in Membership.objects.filter(user=user).select_related("authority"):
        if m.role == choices.Role.ADMIN:
            is_admin = True
        elif m.role == choices.Role.OFFICER and m.authority.is_valid_on(today) and m.authority.province_id:
            province_ids.add(m.authority.province_id)
        elif m.role in choices.INSTITUTION_ROLES:
            institution_ids.add(m.institution_id)
            if m.role == choices.Role.SCHOOL_HEAD:
                head_institution_ids.add(m.institution_id)
    roles = Roles(
        authenticated=True,
        is_admin=is_admin,
        province_ids=frozenset(jurisdiction(province_ids)),
        institution_ids=frozenset(institution_ids),
        head_institution_ids=frozenset(head_institution_ids),
    )
    user._vet_roles = roles
    return roles


# Models everyone (including the public) may read in full.
PUBLIC_MODELS = (LegalDocument, Province, Authority, OccupationField, Occupation, Institution, ScopeEntry,
                 KeyOccupationDesignation, AccreditationFramework, Criterion, Standard, ReadinessProfile,
                 ReadinessIndicator, SelfAssessmentRule, TargetIndicator, ActualValue)
# Models that belong to one institution, and the path from them to it.
INSTITUTION_PATH = {
    Institution: "pk",
    ScopeEntry: "institution_id",
    KeyOccupationDesignation: "institution_id",
    Teacher: "institution_id",
    EnterprisePartner: "institution_id",
}
_ALL = {VIEW, ADD, CHANGE, DELETE}
# Accreditation and readiness rows of an institution: path to the institution, officer's and staff's actions.
# Whether a row may still change (a submitted self-assessment is locked, an assessor must not be staff of the
# school) is the services' business; this module only says who may try.
_ACCREDITATION = {
    SelfAssessment: ("institution_id", {VIEW, ADD}, _ALL),
    CouncilMember: ("self_assessment__institution_id", {VIEW}, _ALL),
    SelfAssessmentRating: ("self_assessment__institution_id", {VIEW}, _ALL),
    Evidence: ("institution_id", {VIEW}, _ALL),
    EvidenceVersion: ("evidence__institution_id", {VIEW}, {VIEW, ADD}),
    ExternalAssessment: ("self_assessment__institution_id", {VIEW, ADD, CHANGE}, {VIEW}),
    ExternalRating: ("assessment__self_assessment__institution_id", _ALL, {VIEW}),
    Finding: ("assessment__self_assessment__institution_id", _ALL, {VIEW}),
    ActionItem: ("institution_id", _ALL, {VIEW, ADD, CHANGE}),
    OccupationOutcome: ("institution_id", {VIEW}, _ALL),
    EquipmentChecklist: ("institution_id", {VIEW}, _ALL),
    EquipmentItem: ("checklist__institution_id", {VIEW}, _ALL),
}
for _model, (_path, _officer, _staff) in _ACCREDITATION.items():
    INSTITUTION_PATH[_model] = _path
PROVINCE_PATH = {
    Institution: "province_id",
    ScopeEntry: "institution__province_id",
    KeyOccupationDesignation: "institution__province_id",
    Teacher: "institution__province_id",
    EnterprisePartner: "institution__province_id",
    **{m: path.removesuffix("_id") + "__province_id" for m, (path, _o, _s) in _ACCREDITATION.items()},
}
# What each role may do with each institution-owned model (beyond public reads).
OFFICER_ACTIONS = {
    Institution: {VIEW, ADD, CHANGE},
    ScopeEntry: {VIEW, ADD, CHANGE, DELETE},
    KeyOccupationDesignation: {VIEW, ADD, CHANGE, DELETE},
    Teacher: {VIEW},
    EnterprisePartner: {VIEW},
    **{m: officer for m, (_p, officer, _s) in _ACCREDITATION.items()},
}
STAFF_ACTIONS = {
    Institution: {VIEW, CHANGE},
    ScopeEntry: {VIEW},
    KeyOccupationDesignation: {VIEW},
    Teacher: {VIEW, ADD, CHANGE, DELETE},
    EnterprisePartner: {VIEW, ADD, CHANGE, DELETE},
    **{m: staff for m, (_p, _o, staff) in _ACCREDITATION.items()},
}
# Models that belong to a province's authority (e.g. a campaign): its officers manage them; staff of the schools
# it names read them. Path from the row to its province.
# Entered actuals: the officers of the province (national ones: administrators); everyone reads them.
PROVINCE_OWNED_PATH = {Campaign: "authority__province_id", ActualValue: "province_id"}
# What a head of school may do beyond its staff actions (e.g. APPROVE a curriculum version).
HEAD_ACTIONS: dict[type[Model], set[str]] = {}
# Models the public may read only in part: the rows matching the condition (e.g. approved curricula).
PUBLIC_ROWS: dict[type[Model], Q] = {}


def register_institution_model(
    model: type[Model],
    *,
    institution_path: str,
    province_path: str,
    officer_actions: Iterable[str],
    staff_actions: Iterable[str],
    head_actions: Iterable[str] = (),
    public_rows: Q | None = None,
) -> None:
    """Let this module decide for a model of another app that belongs to one institution."""
    INSTITUTION_PATH[model] = institution_path
    PROVINCE_PATH[model] = province_path
    OFFICER_ACTIONS[model] = set(officer_actions)
    STAFF_ACTIONS[model] = set(staff_actions)
    HEAD_ACTIONS[model] = set(head_actions)
    if public_rows is not None:
        PUBLIC_ROWS[model] = public_rows


def register_public_model(model: type[Model]) -> None:
    """Let everyone read a reference model of another app in full; only administrators write it."""
    global PUBLIC_MODELS
    if model not in PUBLIC_MODELS:
        PUBLIC_MODELS = (*PUBLIC_MODELS, model)


def _institution_id(obj: Model, path: str) -> int | None:
    """Follow `path` (e.g. "curriculum__institution_id") from `obj` in Python, for rows not yet saved."""
    value = obj
    try:
        for step in path.split("__"):
            value = getattr(value, step)
            if value is None:
                return None
    except ObjectDoesNotExist:
        return None
    return value


def _model(obj_or_model) -> type[Model]:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return model._meta.concrete_model


def has_permission(user, action: str, model: type[Model]) -> bool:
    """May `user` perform `action` on some rows of `model`? (Model level: menus, list pages, create forms.)"""
    model = _model(model)
    roles = get_roles(user)
    if roles.is_admin:
        return True
    if action == VIEW and (model in PUBLIC_MODELS or model in PUBLIC_ROWS):
        return True
    if model in PROVINCE_OWNED_PATH:
        return roles.is_officer or (action == VIEW and roles.is_school_staff)
    if roles.is_officer:
        if action in OFFICER_ACTIONS.get(model, ()):
            return True
        if model is LegalDocument and action == ADD:
            return True
    if roles.is_school_staff and action in STAFF_ACTIONS.get(model, ()):
        return True
    if roles.head_institution_ids and action in HEAD_ACTIONS.get(model, ()):
        return True
    return False


def has_object_permission(user, action: str, obj: Model) -> bool:
    """May `user` perform `action` on this row (for ADD: the row about to be created)?"""
    model = _model(obj)
    roles = get_roles(user)
    if roles.is_admin:
        return True
    if action == VIEW and model in PUBLIC_MODELS:
        return True
    if model in PROVINCE_OWNED_PATH:
        return _province_owned_permission(roles, action, obj)
    if model not in INSTITUTION_PATH:
        return has_permission(user, action, model)
    institution_id = obj.pk if model is Institution else _institution_id(obj, INSTITUTION_PATH[model])
    if roles.is_officer and action in OFFICER_ACTIONS[model]:
        province_id = obj.province_id if model is Institution else _institution_province(institution_id)
        if province_id in roles.province_ids:
            return True
    if roles.is_school_staff and action in STAFF_ACTIONS[model] and institution_id in roles.institution_ids:
        return True
    if action in HEAD_ACTIONS.get(model, ()) and institution_id in roles.head_institution_ids:
        return True
    if action == VIEW and model in PUBLIC_ROWS and obj.pk is not None:
        return model._default_manager.filter(PUBLIC_ROWS[model], pk=obj.pk).exists()
    return False


def _province_owned_permission(roles: Roles, action: str, obj: Model) -> bool:
    province_id = _institution_id(obj, PROVINCE_OWNED_PATH[_model(obj)])
    if roles.is_officer and province_id in roles.province_ids:
        return True
    if action == VIEW and roles.is_school_staff and obj.pk is not None:
        return obj.institutions.filter(pk__in=roles.institution_ids).exists()
    return False


def _institution_province(institution_id: int | None) -> int | None:
    if institution_id is None:
        return None
    return Institution.objects.filter(pk=institution_id).values_list("province_id", flat=True).first()


def scope_queryset(user, queryset: QuerySet, action: str = VIEW) -> QuerySet:
    """Rows of `queryset` that `user` may perform `action` on."""
    model = _model(queryset.model)
    roles = get_roles(user)
    if roles.is_admin:
        return queryset
    if action == VIEW and model in PUBLIC_MODELS:
        return queryset
    if model in PROVINCE_OWNED_PATH:
        condition = Q(**{f"{PROVINCE_OWNED_PATH[model]}__in": roles.province_ids})
        if action == VIEW and roles.is_school_staff:
            named = model.institutions.through.objects.filter(institution_id__in=roles.institution_ids)
            condition |= Q(pk__in=named.values(f"{model._meta.model_name}_id"))
        return queryset.filter(condition)
    if model not in INSTITUTION_PATH:
        return queryset if has_permission(user, action, model) else queryset.none()
    condition = Q(pk__in=[])
    if action == VIEW and model in PUBLIC_ROWS:
        condition |= PUBLIC_ROWS[model]
    if roles.is_officer and action in OFFICER_ACTIONS[model]:
        condition |= Q(**{f"{PROVINCE_PATH[model]}__in": roles.province_ids})
    if roles.is_school_staff and action in STAFF_ACTIONS[model]:
        condition |= Q(**{f"{INSTITUTION_PATH[model]}__in": roles.institution_ids})
    if roles.head_institution_ids and action in HEAD_ACTIONS.get(model, ()):
        condition |= Q(**{f"{INSTITUTION_PATH[model]}__in": roles.head_institution_ids})
    return queryset.filter(condition)


def institutions_for(user) -> QuerySet:
    """Institutions whose rows `user` may edit: an officer's province(s), a staff member's own school."""
    return scope_queryset(user, Institution.objects.all(), CHANGE)


def provinces_for(user) -> QuerySet:
    """Provinces in which `user` may register institutions."""
    roles = get_roles(user)
    if roles.is_admin:
        return Province.objects.all()
    return Province.objects.filter(pk__in=roles.province_ids)


def can_change_institution_field(user, field_name: str) -> bool:
    """School staff may not change the facts the authority registers (code, type, province, …)."""
    roles = get_roles(user)
    if roles.is_admin or roles.is_officer:
        return True
    return field_name not in AUTHORITY_CONTROLLED_INSTITUTION_FIELDS
