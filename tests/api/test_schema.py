"""schemathesis against the OpenAPI schema the API serves: for every operation, generated
requests (valid and invalid parameters) as an anonymous caller and with a committee member's
token. No answer may be a server error, and every answer must match the schema.

Runs in-process through Django's WSGI application, on the test database with the `world`
data (tests/api/conftest.py).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema(world):
    # As Django's test client does: neither the start nor the end of a request may close the
    # connection that holds the test's transaction.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17  # every list and detail, and the report file
    return operations


def _run(schema, headers):
    for operation in _operations(schema):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


def test_schema_holds_for_anonymous_callers(api_schema):
    _run(api_schema, headers={})


def test_schema_holds_for_token_callers(api_schema, committee_member, token_for):
    _run(api_schema, headers={"Authorization": f"Bearer {token_for(committee_member)}"})
