"""Property-based run of the whole API against its own OpenAPI schema (schemathesis):
no request, however odd, gets a 5xx, and every response matches the schema."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from certificates import batches, services
from tests import factories


@pytest.fixture
def _keep_test_connection():
    """Calling the WSGI app directly fires request_finished, whose handler would close the test's database
    connection (and its transaction) on PostgreSQL; Django's own test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, _keep_test_connection):
    factories.KeyOccupationDesignationFactory(institution=world.school_a)
    factories.TeacherFactory(institution=world.school_a)
    factories.EnterprisePartnerFactory(institution=world.school_a)
    version = factories.CurriculumVersionFactory(curriculum__institution=world.school_a, status="approved",
                                                 approved_on=datetime.date(2025, 6, 2))
    factories.CurriculumComponentFactory(version=version)
    # Certificates: a cohort with two graduates, one already holding a diploma, and a checked batch.
    cohort = factories.CohortFactory(curriculum_version=version)
    factories.DiplomaTemplateFactory(institution=world.school_a)
    holder, _ready = factories.EnrolmentFactory(cohort=cohort), factories.EnrolmentFactory(cohort=cohort)
    services.issue_diploma(user=world.staff_a, enrolment=holder)
    batches.prepare_batch(user=world.staff_a, cohort=cohort)
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    # The coverage phase multiplies the cases about tenfold; random generation keeps CI within minutes.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
          phases=[Phase.explicit, Phase.generate])
def test_api_conforms_to_schema_anonymous(case):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@schema.include(method=["POST", "PUT", "PATCH", "DELETE"]).parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
          phases=[Phase.explicit, Phase.generate])
def test_api_conforms_to_schema_as_admin(case, world):
    token, _ = Token.objects.get_or_create(user=world.admin)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)
