"""Every write to the registry goes through here: permission, rules, validation, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import choices, permissions
from .models import (
    ActualValue,
    Authority,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    ScopeEntry,
)

REFUSALS = {
    permissions.VIEW: gettext_lazy("You may not see this %(model)s."),
    permissions.ADD: gettext_lazy("You may not add this %(model)s."),
    permissions.CHANGE: gettext_lazy("You may not change this %(model)s."),
    permissions.DELETE: gettext_lazy("You may not delete this %(model)s."),
    permissions.APPROVE: gettext_lazy("Only the head of the school may approve this %(model)s."),
}


def require_permission(user, action: str, obj: Model) -> None:
    """Raise PermissionDenied unless `user` may perform `action` on `obj`."""
    if not permissions.has_object_permission(user, action, obj):
        raise PermissionDenied(REFUSALS[action] % {"model": obj._meta.verbose_name})


def _tracked(field) -> bool:
    """A field whose change is a change of the record: editable ones, and those a service sets itself (such as a
    computed classification), but not the keys and timestamps the database or save() fill in."""
    return field.editable or not (field.primary_key or getattr(field, "auto_now", False)
                                  or getattr(field, "auto_now_add", False))


def _changed_fields(old: Model, new: Model) -> set[str]:
    return {
        f.name
        for f in new._meta.concrete_fields
        if _tracked(f) and getattr(old, f.attname) != getattr(new, f.attname)
    }


def _check_institution(user, old: Institution | None, new: Institution, changed: set[str]) -> None:
    """Staff cannot change what the authority registers; a provincial manager must cover the province."""
    if old is not None:
        refused = sorted(f for f in changed if not permissions.can_change_institution_field(user, f))
        if refused:
            raise ValidationError(
                {f: _("Only the provincial authority can change this field.") for f in refused},
                code="authority_controlled",
            )
    authority = new.managing_authority
    if authority and authority.level == choices.AuthorityLevel.PROVINCIAL and new.province_id:
        covered = permissions.jurisdiction({authority.province_id})
        if new.province_id not in covered:
            raise ValidationError(
                {"managing_authority": _("%(authority)s does not manage institutions in %(province)s.")
                 % {"authority": authority, "province": new.province}},
                code="authority_outside_province",
            )


def _check_designation(user, old, new: KeyOccupationDesignation, changed: set[str]) -> None:
    """A key occupation must be inside the institution's registered scope (DOMAIN.md §1, §4)."""
    if not (new.institution_id and new.occupation_id and new.level):
        return
    if not ScopeEntry.objects.filter(
        institution_id=new.institution_id, occupation_id=new.occupation_id, level=new.level
    ).exists():
        raise ValidationError(
            {"occupation": _(
                "%(occupation)s at %(level)s level is not in the registered scope of %(institution)s; "
                "add it to the scope first."
            ) % {"occupation": new.occupation, "level": new.get_level_display(), "institution": new.institution}},
            code="outside_scope",
        )
    if new.decision_id and new.decision.kind not in (choices.LegalDocumentKind.DECISION,
                                                     choices.LegalDocumentKind.RESOLUTION):
        raise ValidationError(
            {"decision": _("The approving act must be a decision or resolution.")}, code="not_a_decision"
        )


def _check_occupation(user, old, new: Occupation, changed: set[str]) -> None:
    """The field follows digits 2–3 of the code when the editor leaves it empty."""
    if new.field_id is None and new.code and len(new.code) == 7:
        new.field = OccupationField.objects.filter(code=new.code[1:3]).first()


def _stamp_actual(user, old, new: ActualValue, changed: set[str]) -> None:
    """An entered actual keeps who entered (or last changed) it."""
    if user is not None and getattr(user, "is_authenticated", False):
        new.entered_by = user


_RULES = {
    ActualValue: _stamp_actual,
    Institution: _check_institution,
    KeyOccupationDesignation: _check_designation,
    Occupation: _check_occupation,
}


@transaction.atomic
def save_registry_object(*, user, instance: Model) -> Model:
    """Create or update a registry row: checks permission on the old and new state, then every rule."""
    model = type(instance)
    old = None
    if instance.pk is not None and not instance._state.adding:
        old = model._default_manager.select_for_update().filter(pk=instance.pk).first()
    if old is None:
        require_permission(user, permissions.ADD, instance)
        changed = set()
    else:
        require_permission(user, permissions.CHANGE, old)
        require_permission(user, permissions.CHANGE, instance)
        changed = _changed_fields(old, instance)
        if not changed:
            return instance  # nothing to write: no history entry for a no-op save
    rule = _RULES.get(model)
    if rule:
        rule(user, old, instance, changed)
    instance.full_clean()
    if user is not None and user.is_authenticated:
        instance._history_user = user
    instance.save()
    return instance


@transaction.atomic
def delete_registry_object(*, user, instance: Model) -> None:
    """Delete a registry row; refused while other records depend on it."""
    require_permission(user, permissions.DELETE, instance)
    if isinstance(instance, ScopeEntry) and KeyOccupationDesignation.objects.filter(
        institution_id=instance.institution_id, occupation_id=instance.occupation_id, level=instance.level
    ).exists():
        raise ValidationError(
            _("Key-occupation designations rest on this scope entry; remove them first."), code="in_use"
        )
    if user is not None and user.is_authenticated:
        instance._history_user = user
    try:
        instance.delete()
    except ProtectedError as exc:
        names = ", ".join(sorted({str(o._meta.verbose_name_plural) for o in exc.protected_objects}))
        raise ValidationError(
            _("Other records still use this %(model)s: %(names)s.")
            % {"model": instance._meta.verbose_name, "names": names},
            code="protected",
        ) from exc
    if isinstance(instance, Membership):
        _sync_role_access(instance.user)


# ----------------------------------------------------------------------------------------------- roles

ROLE_GROUPS = {
    choices.Role.ADMIN: "VETtrack administrators",
    choices.Role.OFFICER: "VETtrack provincial officers",
    choices.Role.SCHOOL_STAFF: "VETtrack school staff",
    choices.Role.SCHOOL_HEAD: "VETtrack heads of school",
}


def _role_group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    group.permissions.add(access)
    return group


@transaction.atomic
def grant_role(
    *, user, role: str, authority: Authority | None = None, institution: Institution | None = None, by=None
) -> Membership:
    """Give `user` a role; admin access follows from it. Idempotent."""
    membership = Membership(user=user, role=role, authority=authority, institution=institution)
    membership.full_clean(validate_constraints=True, validate_unique=False)
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, authority=authority, institution=institution
    )
    user.groups.add(_role_group(role))
    if role == choices.Role.ADMIN and not user.is_superuser:
        user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return membership


def _sync_role_access(user) -> None:
    """After a role is removed: leave only the groups (and superuser flag) the remaining memberships give."""
    remaining = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role, name in ROLE_GROUPS.items():
        if role not in remaining:
            user.groups.remove(*Group.objects.filter(name=name))
    if choices.Role.ADMIN not in remaining and user.is_superuser:
        user.is_superuser = False
        user.is_staff = False
        user.save(update_fields=["is_superuser", "is_staff"])
    user.__dict__.pop("_vet_roles", None)


@transaction.atomic
def revoke_role(*, user, membership: Membership) -> None:
    """Take a role away; the admin access that came with it goes too."""
    delete_registry_object(user=user, instance=membership)


# ---------------------------------------------------------------------------------------- occupations


@dataclass(frozen=True)
class OccupationRow:
    row: int
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_occupations(
    *, user, rows: Sequence[OccupationRow], catalogue_document: LegalDocument | None = None
) -> ImportSummary:
    """Create or update catalogue entries in one transaction: any invalid row leaves the catalogue as it was."""
    existing = {o.code: o for o in Occupation.objects.filter(code__in=[r.code for r in rows])}
    fields = {f.code: f for f in OccupationField.objects.all()}
    created = updated = unchanged = 0
    for r in rows:
        occupation = existing.get(r.code) or Occupation(code=r.code)
        before = (occupation.name_vi, occupation.name_en, occupation.catalogue_document_id, occupation.field_id)
        occupation.name_vi = r.name_vi
        occupation.name_en = r.name_en
        if catalogue_document is not None:
            occupation.catalogue_document = catalogue_document
        if occupation.field_id is None:
            occupation.field = fields.get(r.code[1:3])
        after = (occupation.name_vi, occupation.name_en, occupation.catalogue_document_id, occupation.field_id)
        if occupation.pk and before == after:
            unchanged += 1
            continue
        try:
            save_registry_object(user=user, instance=occupation)
        except ValidationError as exc:
            raise ValidationError({f"row {r.row}": exc.messages}) from exc
        if r.code in existing:
            updated += 1
        else:
            created += 1
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)

