"""Shared fixtures: a small world of two provinces, each with an officer and a school with staff."""

from dataclasses import dataclass

import pytest
from django.urls import clear_url_caches
from rest_framework.test import APIClient

from vet import choices, services
from vet.models import Institution

from . import factories


@dataclass
class World:
    province_a: object
    province_b: object
    authority_a: object
    authority_b: object
    school_a: Institution
    school_a2: Institution
    school_b: Institution
    admin: object
    officer_a: object
    officer_b: object
    staff_a: object
    staff_b: object
    head_a: object

    def user(self, role: str):
        return {"public": None, "admin": self.admin, "officer": self.officer_a, "staff": self.staff_a,
                "head": self.head_a}[role]


@pytest.fixture
def world(db) -> World:
    province_a = factories.ProvinceFactory(code="82", name_vi="Tiền Giang", name_en="Tien Giang")
    province_b = factories.ProvinceFactory(code="31", name_vi="Hải Phòng", name_en="Hai Phong")
    authority_a = factories.AuthorityFactory(province=province_a)
    authority_b = factories.AuthorityFactory(province=province_b)
    school_a = factories.InstitutionFactory(province=province_a, code="SCH-A", name_vi="Trường Cao đẳng Điện lực A")
    school_a2 = factories.InstitutionFactory(province=province_a, code="SCH-A2")
    school_b = factories.InstitutionFactory(province=province_b, code="SCH-B")
    admin = factories.UserFactory(username="admin")
    officer_a = factories.UserFactory(username="officer_a")
    officer_b = factories.UserFactory(username="officer_b")
    staff_a = factories.UserFactory(username="staff_a")
    staff_b = factories.UserFactory(username="staff_b")
    head_a = factories.UserFactory(username="head_a")
    services.grant_role(user=admin, role=choices.Role.ADMIN)
    services.grant_role(user=officer_a, role=choices.Role.OFFICER, authority=authority_a)
    services.grant_role(user=officer_b, role=choices.Role.OFFICER, authority=authority_b)
    services.grant_role(user=staff_a, role=choices.Role.SCHOOL_STAFF, institution=school_a)
    services.grant_role(user=staff_b, role=choices.Role.SCHOOL_STAFF, institution=school_b)
    services.grant_role(user=head_a, role=choices.Role.SCHOOL_HEAD, institution=school_a)
    return World(province_a, province_b, authority_a, authority_b, school_a, school_a2, school_b, admin,
                 officer_a, officer_b, staff_a, staff_b, head_a)


@pytest.fixture
def english(settings):
    """English as the site's default language for one test. URL reversing caches its prefixes per language,
    so the caches are cleared on the way in and out (or later tests would get /en/ pages without the prefix)."""
    settings.LANGUAGE_CODE = "en"
    clear_url_caches()
    yield
    del settings.LANGUAGE_CODE
    clear_url_caches()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client
