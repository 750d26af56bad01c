"""The API keeps its OpenAPI contract: Schemathesis sends generated requests (valid and invalid) to every
``/api/`` operation of the running stack, as the demo ``enterprise`` and ``reviewer``, and checks each
answer: no 5xx, only documented status codes, content types, headers and bodies (``forms/openapi.py``),
invalid input refused, and no operation that answers without its token.

Bounded for CI (the suite runs on SQLite and PostgreSQL at the same time on two cores): a fixed number of
examples per operation, derandomized so a failure comes back on the next run, no example database.
"""

import json
import uuid
from datetime import datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forms.app import create_app
from services.core.settings import get_settings

USERS = ("enterprise", "reviewer")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, missing_required_header, ignored_auth]


def _document() -> dict:
    """The document the app serves at /openapi.json (``test_the_served_document_is_this_one``), built while
    pytest collects, so that it lists one test per operation (Schemathesis' lazy ``from_fixture`` loader does
    not run under pytest 9.2). Settings are not left cached, so that nothing read at collection outlives it."""
    try:
        return create_app().openapi()
    finally:
        get_settings.cache_clear()


schema = schemathesis.openapi.from_dict(_document()).include(path_regex="^/api/")


@pytest.fixture(scope="module")
def signed_in(stack) -> dict[str, dict[str, str]]:
    return {user: stack.token(user) for user in USERS}


@schema.parametrize()
# at most 25 generated cases per operation, each sent as both users: about a minute per database
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_operation_keeps_the_contract(case, stack, signed_in):
    for user in USERS:
        headers = signed_in[user]
        if case.operation.path == "/api/v1/auth/logout":  # would revoke the token the other cases use
            headers = stack.token(user)
        case.call_and_validate(base_url=stack.base_url, headers=headers, checks=CHECKS, timeout=30)


def test_the_served_document_is_this_one(stack):
    with stack.client() as client:
        assert client.get("/openapi.json").json() == json.loads(json.dumps(_document()))


def test_the_schema_documents_our_errors():
    """No FastAPI default error body is left in the document: 422 is ``{detail, errors}``."""
    document = _document()
    assert "HTTPValidationError" not in str(document)
    operation = document["paths"]["/api/v1/applications/{application_id}"]["get"]
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/ErrorOut"}
    assert set(operation["responses"]) >= {"200", "401", "404", "422", "503"}


def test_datetimes_carry_the_china_offset(stack, sample_application):
    """Stored times are naive China time (services/core/clock.py); the API says so: ``…T10:37:40+08:00``."""
    with stack.client() as client:
        created = client.post("/api/v1/applications", json=sample_application,
                              headers=stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    submitted = created.json()["submitted_at"]
    assert submitted.endswith("+08:00") and datetime.fromisoformat(submitted).utcoffset() == timedelta(hours=8)

