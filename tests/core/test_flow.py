"""One invocation end to end: submit -> Redis -> a real Celery worker -> fclocal over HTTP -> the row.

Nothing of ours is mocked. Outages are real: a broker on a closed port, a worker killed with
SIGKILL. fclocal's own function log (state dir) is the witness of how often a function ran.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import redis
from celery import current_app
from celery.signals import before_task_publish
from django.conf import settings as django_settings

from audit.models import AuditEntry
from invocations.lifecycle import sweep
from invocations.models import AsyncStatusEvent, Invocation, InvocationState
from invocations.tasks import invoke_invocation, track_async
from tests.conftest import _worker_env
from tests.core.conftest import make_profile
from tests.fc.edge_server import free_port
from tests.fixtures import waiting
from tests.fixtures.django_process import run_django

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def profile(fclocal):
    return make_profile("fclocal", fclocal.url, secret=fclocal.access_key_secret)


@pytest.fixture
def published():
    """Every task message this process publishes (body and headers)."""
    messages = []

    def record(body=None, headers=None, **kwargs):
        messages.append(repr(body) + repr(headers))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


def submit(user, profile, function="hello", event=b"{}", **fields) -> Invocation:
    return Invocation.objects.submit(
        user=user,
        profile=profile,
        region="cn-hangzhou",
        service="demo",
        function=function,
        event=event,
        **fields,
    )


def wait_for(invocation: Invocation, *states: str, seconds: float = 20, track: bool = False) -> Invocation:
    """Wait until the row reaches one of `states`; `track` runs the async tracker meanwhile."""
    return wait_until(invocation, lambda row: row.state in states, seconds=seconds, track=track)


def wait_until(invocation: Invocation, predicate, *, seconds: float = 20, track: bool = False) -> Invocation:
    def reached():
        if track:
            track_async()  # as the beat schedule does: one polling task per function, to the worker
        invocation.refresh_from_db()
        return predicate(invocation) and invocation

    return waiting.wait_until(
        reached,
        seconds=seconds,
        interval=0.1,
        what=lambda: f"still {invocation.state} ({invocation.state_reason})",
    )


def unique_seconds() -> float:
    """A sleep of 1.000001–1.999999 s that names one test's run in fclocal's function log.

    The function logs `str(seconds)`, the shortest repr: a marker written with a trailing zero
    ("1.591330") never matches what it logs ("1.59133"). Tests match on `str()` of this value.
    """
    return 1 + (uuid.uuid4().int % 999_999 + 1) / 10**6


def runs_of(fclocal, function: str, marker: str, seconds: float = 30) -> int:
    """How many times fclocal ran `function` with an event carrying `marker`, per its function log.

    fclocal logs a run when it ends. Wait for the first (generously: a loaded machine starts
    instances slowly), then until no message waits in the queue or is held by a worker, so by
    then any second run one could have caused has ended and is in the log too.
    """
    needle = f"sleeping {marker} seconds"
    waiting.wait_until(lambda: needle in fclocal.function_log(function), seconds=seconds, interval=0.1)
    waiting.wait_until(
        queue_drained, seconds=seconds, interval=0.1, what="the worker acknowledging every message"
    )
    return fclocal.function_log(function).count(needle)


def queue_drained() -> bool:
    """No task message waits in the queue, and no worker holds one, running or prefetched
    (asked over Celery's remote control: Redis keeps no copy of a delivered message)."""
    prefix = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    try:
        if broker.llen(f"{prefix}{django_settings.CELERY_TASK_DEFAULT_QUEUE}"):
            return False
    finally:
        broker.close()
    inspect = current_app.control.inspect(timeout=1)
    active, reserved = inspect.active(), inspect.reserved()
    if active is None or reserved is None:  # no worker answered: ask again
        return False
    return not any(active.values()) and not any(reserved.values())


def test_a_sync_invocation_stores_every_result_field(celery_worker, invoker, profile):
    invocation = wait_for(
        submit(invoker, profile, event=b'{"name": "fcconsole"}'), *InvocationState.terminal()
    )

    assert invocation.state == InvocationState.SUCCEEDED, invocation.state_reason
    assert invocation.http_status == 200
    assert invocation.request_id
    assert bytes(invocation.response_body)
    assert f"FC Invoke Start RequestId: {invocation.request_id}" in invocation.log_tail
    assert invocation.duration_ms is not None and invocation.billed_duration_ms is not None
    assert invocation.memory_size_mb == 128 and invocation.max_memory_used_mb is not None
    assert invocation.instance_id and invocation.code_checksum
    assert invocation.resolved_qualifier == "LATEST"
    assert invocation.request_url.startswith(f"{profile.endpoint}/2016-08-15/services/demo/functions/hello")
    assert {k.lower() for k in invocation.response_headers} >= {"x-fc-request-id", "x-fc-code-checksum"}
    assert invocation.started_at and invocation.finished_at and invocation.attempts == 1
    assert invocation.error_code == invocation.error_type == ""


def test_the_raw_exchange_is_stored_with_the_signature_masked(celery_worker, invoker, profile):
    invocation = wait_for(submit(invoker, profile), *InvocationState.terminal())
    assert invocation.request_method == "POST"
    sent = {name.lower(): value for name, value in invocation.request_headers.items()}
    assert sent["authorization"] == "FC LTAI****oKey:****"
    assert sent["x-fc-invocation-type"] == "Sync" and sent["x-fc-log-type"] == "Tail"
    assert profile.access_key_secret() not in json.dumps(invocation.to_dict())


def test_a_refused_call_keeps_its_raw_exchange_too(celery_worker, invoker, profile):
    invocation = wait_for(submit(invoker, profile, function="no-such-function"), *InvocationState.terminal())
    assert invocation.request_method == "POST" and invocation.http_status == 404
    assert {k.lower() for k in invocation.response_headers} >= {"x-fc-request-id"}


def test_an_http_trigger_request_is_answered_by_the_function(celery_worker, invoker, profile):
    request = {"method": "POST", "path": "/greet", "queries": {"lang": "en"}, "body": "hi"}
    invocation = wait_for(
        submit(invoker, profile, function="http-hello", event=b"", http_request=request), "succeeded"
    )
    answer = json.loads(bytes(invocation.response_body))
    assert (answer["method"], answer["path"], answer["query"], answer["body"]) == (
        "POST",
        "/greet",
        "lang=en",
        "hi",
    )
    assert invocation.http_status == 200 and invocation.request_id == answer["requestId"]
    assert "/2016-08-15/proxy/demo/http-hello/greet" in invocation.request_url
    # The figures and ids come from the trigger's answer headers, as for an invoke.
    assert invocation.duration_ms is not None and invocation.max_memory_used_mb is not None
    assert invocation.instance_id and invocation.code_checksum


def test_the_secret_never_reaches_the_queue_or_the_worker_log(celery_worker, invoker, profile, published):
    secret = profile.access_key_secret()
    for function, kind in (("hello", "sync"), ("no-such-function", "sync"), ("stateful-job", "async")):
        invocation = submit(
            invoker, profile, function=function, invocation_type=kind, event=b'{"seconds": 1}'
        )
        wait_for(invocation, InvocationState.TRACKING, *InvocationState.terminal())
    wait_for(invocation, *InvocationState.terminal(), track=True)
    assert len(published) >= 3
    assert not [message for message in published if secret in message]
    assert secret not in celery_worker.log()


def test_a_function_that_raises_ends_failed_with_its_error(celery_worker, invoker, profile):
    invocation = wait_for(submit(invoker, profile, function="fail"), *InvocationState.terminal())
    assert invocation.state == InvocationState.FAILED
    assert invocation.http_status == 200
    assert invocation.error_type == "UnhandledInvocationError"
    assert invocation.error_message
    assert invocation.state_reason.startswith("The function failed (UnhandledInvocationError)")


def test_a_call_fc_refuses_ends_error_with_fc_code(celery_worker, invoker, profile):
    invocation = wait_for(submit(invoker, profile, function="no-such-function"), *InvocationState.terminal())
    assert invocation.state == InvocationState.ERROR
    assert (invocation.error_code, invocation.http_status) == ("FunctionNotFound", 404)
    assert invocation.state_reason.startswith(
        "There is no such function in this region (or, for FC 2.0, in this service)."
    )


def test_a_sync_call_past_its_timeout_ends_unknown_and_runs_once(celery_worker, invoker, fclocal_factory):
    # Its own fclocal, so no other test's `slow` run can hold this call in the wait queue past the
    # client's timeout (then it would never run at all).
    fclocal = fclocal_factory()
    profile = make_profile("fclocal-own", fclocal.url, secret=fclocal.access_key_secret)
    seconds = unique_seconds()
    marker = str(seconds)
    invocation = submit(
        invoker, profile, function="slow", event=json.dumps({"seconds": seconds}), client_timeout=1
    )
    invocation = wait_for(invocation, *InvocationState.terminal())
    assert invocation.state == InvocationState.UNKNOWN
    assert invocation.error_code == "ReadTimeout"
    assert "the function may have run" in invocation.state_reason
    assert runs_of(fclocal, "slow", marker) == 1


def test_a_duplicated_task_message_invokes_once(celery_worker, invoker, profile, fclocal):
    seconds = unique_seconds()
    marker = str(seconds)
    invocation = submit(invoker, profile, function="slow", event=json.dumps({"seconds": seconds}))
    invoke_invocation.apply_async((invocation.pk,))
    invoke_invocation.apply_async((invocation.pk,))
    invocation = wait_for(invocation, *InvocationState.terminal())
    assert invocation.state == InvocationState.SUCCEEDED
    assert runs_of(fclocal, "slow", marker) == 1
    assert invocation.attempts == 1


def test_an_async_task_is_followed_to_succeeded_with_its_timeline(celery_worker, invoker, profile):
    invocation = submit(
        invoker, profile, function="stateful-job", event=b'{"seconds": 1}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING, *InvocationState.terminal())
    assert invocation.state == InvocationState.TRACKING, invocation.state_reason
    assert invocation.http_status == 202 and invocation.request_id

    invocation = wait_for(invocation, *InvocationState.terminal(), track=True)
    assert invocation.state == InvocationState.SUCCEEDED, invocation.state_reason
    assert invocation.async_status == "Succeeded"
    assert json.loads(bytes(invocation.response_body)) == {"steps": 1}
    assert invocation.finished_at is not None
    timeline = list(AsyncStatusEvent.objects.filter(invocation=invocation).values_list("status", "at"))
    statuses = [status for status, _ in timeline]
    assert statuses[0] == "Enqueued" and statuses[-1] == "Succeeded"
    assert "Running" in statuses
    assert [at for _, at in timeline] == sorted(at for _, at in timeline)


def test_an_async_task_can_be_stopped(celery_worker, invoker, profile):
    invocation = submit(
        invoker, profile, function="stateful-job", event=b'{"seconds": 30}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING)
    invocation.stop(invoker)
    invocation = wait_for(invocation, *InvocationState.terminal(), track=True)
    assert invocation.state == InvocationState.STOPPED
    assert invocation.stopped_by == invoker and invocation.stop_requested_at is not None
    assert "Stopped" in invocation.status_events.values_list("status", flat=True)
    assert AuditEntry.objects.filter(action="invocation.stopped", actor=invoker).count() == 1


def test_an_async_send_repeated_after_a_lost_worker_is_taken_as_already_sent(celery_worker, invoker, profile):
    invocation = submit(
        invoker, profile, function="stateful-job", event=b'{"seconds": 1}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING)
    # As the sweep does for a worker that died mid-send: the row goes back to the queue.
    Invocation.objects.filter(pk=invocation.pk).update(state=InvocationState.QUEUED)
    invoke_invocation.apply_async((invocation.pk,))
    invocation = wait_for(invocation, InvocationState.TRACKING, *InvocationState.terminal())
    assert invocation.attempts == 2
    assert invocation.state == InvocationState.TRACKING
    assert "from an earlier send" in invocation.state_reason


def test_a_submit_with_the_broker_down_stays_queued_until_the_sweep_sends_it(celery_worker, invoker, profile):
    """The submitting process's broker is a closed port; the sweep later runs with the real one."""
    script = (
        "import time\n"
        "from django.contrib.auth import get_user_model\n"
        "from invocations.models import CredentialProfile, Invocation\n"
        "started = time.monotonic()\n"
        f"i = Invocation.objects.submit(user=get_user_model().objects.get(pk={invoker.pk}),"
        f" profile=CredentialProfile.objects.get(pk={profile.pk}), region='cn-hangzhou',"
        " service='demo', function='hello', event=b'{}')\n"
        "print(i.pk, round(time.monotonic() - started))\n"
    )
    done = run_django(
        script,
        base=_worker_env(django_settings.DATABASES["default"]["NAME"]),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    assert done.returncode == 0, done.stderr
    pk, seconds = map(int, done.stdout.split())
    assert seconds <= 5  # bounded broker connect timeout, not a hang

    invocation = Invocation.objects.get(pk=pk)
    assert invocation.state == InvocationState.QUEUED
    assert invocation.sent_at is None and invocation.send_attempts == 1
    assert (
        invocation.state_reason
        == "Queued; the task queue is unreachable, it will be sent when the queue is back."
    )

    Invocation.objects.filter(pk=pk).update(created_at=invocation.created_at.replace(year=2020))
    assert sweep.resend_unsent() == 1
    invocation = wait_for(invocation, *InvocationState.terminal())
    assert invocation.state == InvocationState.SUCCEEDED
    assert invocation.send_attempts == 2 and invocation.state_reason == ""


def test_a_refused_connection_is_retried_through_the_queue_then_ends_in_error(
    worker_factory, invoker, monkeypatch
):
    monkeypatch.setenv("FC_RETRY_LIMIT", "2")
    monkeypatch.setenv("FC_RETRY_BACKOFF", "3")  # 1.5 to 3 s between the tries: long enough to see
    worker_factory(queue="core-retry")
    refused = make_profile("refused", f"http://127.0.0.1:{free_port()}")
    invocation = Invocation.objects.create(
        user=invoker, profile=refused, region="cn-hangzhou", service="demo", function="hello"
    )
    invoke_invocation.apply_async((invocation.pk,), queue="core-retry")

    between = wait_until(invocation, lambda row: row.attempts == 1 and row.state == InvocationState.QUEUED)
    assert "Could not connect to FC." in between.state_reason and "(attempt 2 of 2)" in between.state_reason
    invocation = wait_for(invocation, InvocationState.ERROR)
    assert invocation.attempts == 2
    assert invocation.error_code == "ConnectionRefused"


def test_a_row_whose_worker_was_killed_mid_call_ends_unknown_once_its_heartbeat_stops(
    worker_factory, celery_worker, invoker, profile, settings, monkeypatch
):
    """Not after the call's timeout plus grace (here 30 s + 60 s), but FC_WORKER_DEAD_AFTER after
    the worker's last heartbeat. `celery_worker` stands for the live worker a sweep runs in."""
    monkeypatch.setenv("FC_WORKER_HEARTBEAT", "1")
    monkeypatch.setenv("FC_WORKER_DEAD_AFTER", "3")
    settings.FC_WORKER_DEAD_AFTER = 3
    worker = worker_factory(queue="core-kill")
    invocation = Invocation.objects.create(
        user=invoker,
        profile=profile,
        region="cn-hangzhou",
        service="demo",
        function="slow",
        event=b'{"seconds": 4}',
        client_timeout=30,
    )
    invoke_invocation.apply_async((invocation.pk,), queue="core-kill")
    invocation = wait_for(invocation, InvocationState.RUNNING)
    assert invocation.claimed_by.endswith(f"pid {worker.proc.pid}")
    worker.stop(kill=True)
    killed = time.monotonic()

    assert sweep.end_dead_workers() == 0  # not before it has been silent FC_WORKER_DEAD_AFTER
    waiting.wait_until(sweep.end_dead_workers, seconds=10, what="the sweep ending the dead worker's row")
    assert time.monotonic() - killed < 3 + 2
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.UNKNOWN
    assert invocation.state_reason.startswith(
        f"No result: the worker {invocation.claimed_by} that was calling FC stopped answering at "
    )
    assert invocation.finished_at is not None
