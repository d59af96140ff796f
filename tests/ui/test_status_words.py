"""The status line of an invocation says each thing once and ends with one period, for the
reasons the lifecycle writes (outcomes for FC's answer, the tracker's store for async ends)."""

import re
from types import SimpleNamespace

import pytest

from invocations.fc.errors import FCError
from invocations.lifecycle import outcomes
from invocations.lifecycle.tracking import store

pytestmark = pytest.mark.django_db


def status_words(client, invocation) -> str:
    html = client.get(f"/invocations/{invocation.uuid}/").content.decode()
    text = re.search(r'<p class="plain">(.*?)</p>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", text).split()).replace("&#x27;", "'")


def answer(**fields):
    base = dict(
        status=200,
        request_id="r-1",
        request_url="",
        body=b"",
        headers={},
        log_tail="",
        error_type="",
        duration_ms=5,
        billed_duration_ms=5,
        memory_size_mb=128,
        max_memory_used_mb=20,
        instance_id="",
        code_checksum="",
        resolved_qualifier="",
        exchange=None,
        async_id="",
    )
    return SimpleNamespace(**(base | fields))


def written(make_invocation, user, profile, fields, **extra):
    return make_invocation(user, profile, **(extra | fields))


def test_a_function_failure_is_said_once(login, viewer, invoker, profile, make_invocation):
    body = b'{"errorMessage": "name is required.", "errorType": "Error"}'
    fields = outcomes.from_result(answer(body=body, error_type="UnhandledInvocationError"), is_async=False)
    inv = written(make_invocation, invoker, profile, fields)
    words = status_words(login(viewer), inv)
    assert words == "The function failed (UnhandledInvocationError): name is required."


def test_an_accepted_async_task_is_said_once(login, viewer, invoker, profile, make_invocation):
    fields = outcomes.from_result(answer(status=202, async_id="job-9"), is_async=True)
    inv = written(
        make_invocation, invoker, profile, fields, service="", async_status="Running", invocation_type="async"
    )
    assert (
        status_words(login(viewer), inv) == "FC accepted the async task; it is Running. Following its status."
    )


def test_an_async_task_sent_twice_says_so_once(login, viewer, invoker, profile, make_invocation):
    fields = outcomes.already_sent(FCError("StatefulAsyncInvocationAlreadyExists", "taken", 409), "job-9")
    inv = written(make_invocation, invoker, profile, fields, service="", invocation_type="async")
    words = status_words(login(viewer), inv)
    assert words.count("Following its status") == 1 and words.count("earlier send") == 1
    assert ".." not in words


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        ("Stopped", "", "The async task was stopped."),
        ("Failed", "boom.", "The async task failed: boom."),
        ("Failed", "", "The async task failed."),
    ],
)
def test_an_async_end_is_said_once_with_one_period(
    login, viewer, invoker, profile, make_invocation, status, error, expected
):
    inv = make_invocation(invoker, profile, service="", invocation_type="async", state="tracking")
    fields = store._changes(inv, {"status": status, "errorMessage": error})
    for name, value in fields.items():
        setattr(inv, name, value)
    inv.save()
    assert status_words(login(viewer), inv) == expected


def test_fc_refusing_the_call_names_its_message_once(login, viewer, invoker, profile, make_invocation):
    fields = outcomes.from_error(
        FCError("FunctionNotFound", "function 'nope' does not exist", 404), timeout=30
    )
    inv = written(make_invocation, invoker, profile, fields)
    words = status_words(login(viewer), inv)
    assert words.count("function 'nope' does not exist") == 1
    assert "FunctionNotFound" in words
