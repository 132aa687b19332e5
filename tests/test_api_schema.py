"""schemathesis against the OpenAPI schema: no 5xx, every response matches the schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.api.app import create_app
from service.settings import Settings

# the batch endpoint takes NDJSON as a string body, and documents come as their bytes: send them as such
schemathesis.serializer.alias(["application/x-ndjson", "application/jsonl", "application/json-lines"], "text/plain")
schemathesis.serializer.alias(
    ["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    "application/octet-stream",
)

app = create_app(Settings(max_input_bytes=200_000, request_timeout_s=10))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_openapi_document_is_valid() -> None:
    """Every $ref resolves and the document follows OpenAPI 3.1 (openapi-spec-validator)."""
    from fastapi.testclient import TestClient
    from openapi_spec_validator import validate

    with TestClient(create_app(Settings())) as client:
        doc = client.get("/openapi.json").json()
    validate(doc)
    assert "ExtractRequest" in doc["components"]["schemas"]
    body = doc["paths"]["/v1/extract"]["post"]["requestBody"]["content"]
    assert {"application/pdf", "text/plain", "multipart/form-data", "application/json"} <= set(body)
    for path in doc["paths"].values():
        for op in path.values():
            assert "fast path" not in op.get("description", "").lower()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    )
