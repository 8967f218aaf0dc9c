"""The readiness dashboard API fuzzed against its own schema while logged in (the project-wide fuzz test reads
GET endpoints anonymously only, which here stops at 401): no query string, however odd, gets a 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token

from tests.vet.test_api_schema_fuzz import CHECKS, _keep_test_connection, api_schema  # noqa: F401 - fixtures

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.include(path_regex="readiness-dashboard").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
          phases=[Phase.explicit, Phase.generate])
def test_readiness_dashboard_api_conforms_to_schema_as_officer(case, world):
    token, _ = Token.objects.get_or_create(user=world.officer_a)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)
