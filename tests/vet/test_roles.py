"""Granting and revoking roles: admin access follows the memberships."""

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from vet import choices, permissions, services
from vet.models import Membership

pytestmark = pytest.mark.django_db


def test_grant_role_is_idempotent_and_opens_the_admin(world):
    user = factories.UserFactory()
    services.grant_role(user=user, role=choices.Role.SCHOOL_STAFF, institution=world.school_a)
    services.grant_role(user=user, role=choices.Role.SCHOOL_STAFF, institution=world.school_a)
    assert Membership.objects.filter(user=user).count() == 1
    assert user.has_perm("wagtailadmin.access_admin")


def test_revoke_role_removes_admin_access_and_rights(world):
    membership = Membership.objects.get(user=world.staff_a)
    services.revoke_role(user=world.admin, membership=membership)
    staff = type(world.staff_a).objects.get(pk=world.staff_a.pk)
    assert not staff.has_perm("wagtailadmin.access_admin")
    assert not permissions.get_roles(staff).is_school_staff


def test_revoke_admin_role_clears_superuser(world):
    membership = Membership.objects.get(user=world.admin)
    other_admin = factories.UserFactory()
    services.grant_role(user=other_admin, role=choices.Role.ADMIN)
    services.revoke_role(user=other_admin, membership=membership)
    world.admin.refresh_from_db()
    assert not world.admin.is_superuser


def test_only_an_administrator_may_revoke_a_role(world):
    membership = Membership.objects.get(user=world.staff_a)
    with pytest.raises(PermissionDenied):
        services.revoke_role(user=world.officer_a, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()
