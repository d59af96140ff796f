"""FC 3.0 end to end: the twins of test_flow.py's FC 2.0 cases, through a real worker on Redis
against fclocal's 3.0 demo project (examples/fc3/s.yaml). A target without a service is FC 3.0."""

from __future__ import annotations

import json

import pytest

from invocations.models import AsyncStatusEvent, Invocation, InvocationState
from invocations.tasks import invoke_invocation
from tests.core.conftest import make_profile
from tests.core.test_flow import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def profile(fclocal):
    """The session's fclocal serves the 2.0 and the 3.0 demo projects on one port."""
    return make_profile("fclocal", fclocal.url, secret=fclocal.access_key_secret)


def submit3(user, profile, function="hello", event=b"{}", **fields) -> Invocation:
    return Invocation.objects.submit(
        user=user, profile=profile, region="cn-hangzhou", service="", function=function, event=event, **fields
    )


def test_a_sync_fc3_invocation_stores_every_result_field(celery_worker, invoker, profile):
    invocation = wait_for(
        submit3(invoker, profile, event=b'{"name": "fcconsole"}'), *InvocationState.terminal()
    )

    assert invocation.state == InvocationState.SUCCEEDED, invocation.state_reason
    assert invocation.is_fc3 and str(invocation.target) == "hello"
    assert invocation.http_status == 200 and invocation.request_id
    assert invocation.request_url.startswith(f"{profile.endpoint}/2023-03-30/functions/hello/invocations")
    assert f"FC Invoke Start RequestId: {invocation.request_id}" in invocation.log_tail
    assert invocation.duration_ms is not None and invocation.memory_size_mb == 128
    assert invocation.instance_id and invocation.code_checksum
    sent = {name.lower(): value for name, value in invocation.request_headers.items()}
    assert sent["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI****oKey,SignedHeaders=")
    assert sent["authorization"].endswith("Signature=****") and sent["x-acs-action"] == "InvokeFunction"


def test_an_fc3_alias_is_invoked_through_its_qualifier(celery_worker, invoker, profile):
    invocation = wait_for(submit3(invoker, profile, qualifier="prod"), *InvocationState.terminal())
    assert invocation.state == InvocationState.SUCCEEDED, invocation.state_reason
    assert "qualifier=prod" in invocation.request_url


def test_an_fc3_function_that_raises_ends_failed_with_its_error(celery_worker, invoker, profile):
    invocation = wait_for(submit3(invoker, profile, function="fail"), *InvocationState.terminal())
    assert invocation.state == InvocationState.FAILED
    assert invocation.error_type == "UnhandledInvocationError"
    assert invocation.state_reason.startswith("The function failed (UnhandledInvocationError)")


def test_an_unknown_fc3_function_ends_error_with_fcs_code(celery_worker, invoker, profile):
    invocation = wait_for(submit3(invoker, profile, function="no-such-function"), *InvocationState.terminal())
    assert invocation.state == InvocationState.ERROR
    assert (invocation.error_code, invocation.http_status) == ("FunctionNotFound", 404)
    assert invocation.state_reason.startswith("There is no such function in this region")


def test_an_fc3_http_trigger_request_is_answered_by_the_function(celery_worker, invoker, profile):
    request = {"method": "POST", "path": "/greet", "queries": {"lang": "en"}, "body": "hi"}
    invocation = wait_for(
        submit3(invoker, profile, function="http-echo", event=b"", http_request=request),
        *InvocationState.terminal(),
    )
    assert invocation.state == InvocationState.SUCCEEDED, invocation.state_reason
    assert invocation.http_status == 200
    answer = json.loads(bytes(invocation.response_body))
    assert answer["requestId"] == invocation.request_id
    event = answer["event"]  # the JSON event of fc3-api.md §8.1, as the function received it
    assert (event["requestContext"]["http"]["method"], event["rawPath"], event["body"]) == (
        "POST",
        "/greet",
        "hi",
    )
    assert event["queryParameters"] == {"lang": "en"}
    assert {k.lower(): v for k, v in invocation.response_headers.items()}["x-demo"] == "http-echo"
    assert invocation.duration_ms is not None and invocation.instance_id and invocation.code_checksum
    assert "/2023-03-30/proxy/http-echo/greet" in invocation.request_url


def test_an_fc3_async_task_is_followed_to_succeeded_with_its_timeline(celery_worker, invoker, profile):
    invocation = submit3(
        invoker, profile, function="async-job", event=b'{"seconds": 1}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING, *InvocationState.terminal())
    assert invocation.state == InvocationState.TRACKING, invocation.state_reason
    assert invocation.http_status == 202 and invocation.async_invocation_id

    invocation = wait_for(invocation, *InvocationState.terminal(), track=True)
    assert invocation.state == InvocationState.SUCCEEDED, invocation.state_reason
    assert invocation.async_status == "Succeeded"
    statuses = list(AsyncStatusEvent.objects.filter(invocation=invocation).values_list("status", flat=True))
    assert statuses[0] == "Enqueued" and "Running" in statuses and statuses[-1] == "Succeeded"


def test_an_fc3_async_task_can_be_stopped(celery_worker, invoker, profile):
    invocation = submit3(
        invoker, profile, function="async-job", event=b'{"seconds": 30}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING)
    invocation.stop(invoker)
    invocation = wait_for(invocation, *InvocationState.terminal(), track=True)
    assert invocation.state == InvocationState.STOPPED
    assert "Stopped" in invocation.status_events.values_list("status", flat=True)


def test_a_resent_fc3_async_task_is_recognised_as_already_sent(celery_worker, invoker, profile):
    invocation = submit3(
        invoker, profile, function="async-job", event=b'{"seconds": 1}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING)
    # As the sweep does for a worker that died mid-send: the row goes back to the queue.
    Invocation.objects.filter(pk=invocation.pk).update(state=InvocationState.QUEUED)
    invoke_invocation.apply_async((invocation.pk,))
    invocation = wait_for(invocation, InvocationState.TRACKING, *InvocationState.terminal())
    assert invocation.attempts == 2 and invocation.state == InvocationState.TRACKING
    assert "from an earlier send" in invocation.state_reason
