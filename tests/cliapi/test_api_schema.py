"""The OpenAPI schema, its docs page, and a bounded schemathesis run holding every response to it."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from invocations.models import ApiToken, Invocation
from tests.cliapi.conftest import make_profile


@pytest.mark.django_db
def test_the_schema_is_openapi_3_and_public():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/invocations/", "/api/v1/profiles/{profile_id}/"} <= set(schema["paths"])
    # A body over the console's limit is refused before the view: documented where bodies go.
    invocations = schema["paths"]["/api/v1/invocations/"]
    assert "413" in invocations["post"]["responses"] and "413" not in invocations["get"]["responses"]
    # What the 500 handler answers for any operation, in the error body's shape.
    for method in ("get", "post"):
        responses = invocations[method]["responses"]
        assert "server_error" in responses["500"]["description"]
        assert "database_unavailable" in responses["503"]["description"]
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal token from your account page (shown once when created).",
    }


@pytest.mark.django_db
def test_the_schema_says_a_target_without_a_service_is_fc3():
    schemas = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    request, invocation = schemas["InvocationRequestRequest"], schemas["Invocation"]

    assert "service" not in request["required"] and "function" in request["required"]
    assert request["properties"]["service"]["description"].startswith(
        "FC 2.0 only; omit for an FC 3.0 function"
    )
    assert "FC 3.0" in invocation["properties"]["service"]["description"]
    for shape in (request, invocation):
        described = shape["properties"]["async_invocation_id"]["description"]
        assert "stateful async invocation id (FC 2.0)" in described
        assert "async task id (FC 3.0)" in described
    assert "endpoint_fc3" in schemas["Profile"]["properties"]


@pytest.mark.django_db
def test_the_docs_page_loads_everything_from_our_own_static_files_with_nothing_inline():
    client = Client()
    page = client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/static/css/api-docs.css" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "<style" not in page and not re.search(r"<script>\s*\S", page)
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


@pytest.fixture
def in_process_requests(db):
    """Requests run in this thread, inside the test's transaction: like Django's test client, keep
    the end of each request from closing the connection under the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(admin, invoker):
    """An admin's token, over data every list and shape has something to show."""
    profile = make_profile("team", token="sts", users=[invoker])
    done = Invocation.objects.submit(
        user=invoker,
        profile=profile,
        region="cn-hangzhou",
        service="demo",
        function="hello",
        event=b"\xff binary",
    )
    Invocation.objects.filter(pk=done.pk).update(
        state="succeeded",
        http_status=200,
        response_body=b'{"ok": true}',
        response_headers={"X-Fc-Request-Id": "r"},
        duration_ms=1.5,
        billed_duration_ms=2,
        memory_size_mb=128,
        max_memory_used_mb=20.5,
        log_tail="log",
    )
    Invocation.objects.submit(
        user=invoker,
        profile=profile,
        region="cn-hangzhou",
        service="demo",
        function="job",
        invocation_type="async",
    )
    return ApiToken.objects.issue(admin, "schemathesis")[1]


# Loaded at collection: the schema view needs no database (schemathesis' lazy fixture loader does
# not work with this pytest).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_response_conforms_to_the_schema_and_none_is_a_server_error(
    case, admin_token, in_process_requests
):
    if case.query and "wait" in case.query:
        case.query["wait"] = 0  # nothing runs the invocations here: do not hold the response
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


@pytest.mark.django_db
def test_the_schema_documents_the_batch_endpoint():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    post = schema["paths"]["/api/v1/invocations/batch"]["post"]
    schemas = schema["components"]["schemas"]

    request = schemas[post["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    items = request["properties"]["items"]
    assert request["required"] == ["items"]
    assert (items["type"], items["minItems"], items["maxItems"]) == ("array", 1, 1000)
    assert items["items"] == {"$ref": "#/components/schemas/InvocationRequestRequest"}  # the single shape
    created = post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert schemas[created]["properties"]["ids"]["items"] == {"type": "string", "format": "uuid"}
    assert "fields.items.<index>" in post["responses"]["400"]["description"]
