"""The fault matrix: each fault a real process suffers, and that no row is lost or doubled after it.

Every case runs its own Redis, worker(s) and scheduler (conftest.py), submits real invocations to
fclocal, causes the fault, and then asserts, with fclocal's function log as the witness: every row
terminal within a bound, 0 lost, 0 run twice, a reason on every row that did not succeed. No
person restarts anything: the processes reconnect, and the sweep (sent by the beat every
FC_SWEEP_INTERVAL) re-sends and ends what needs it.

One run (2 cores, FAULT_ENV: sweep 1 s, heartbeat 1 s, dead after 4 s), seconds from the fault's
end (or the kill) to the last row terminal; FAULTS_REPORT=path writes these rows again:

    broker down at submit, then back         3 rows  3 succeeded               5.2
    broker restarted (empty) under a worker  8 rows  8 succeeded              11.5
    database away from a worker, then back   5 rows  5 succeeded               8.1
    items not messages on the queue          6 rows  6 succeeded               3.5
    worker SIGKILL mid-call                  5 rows  2 unknown, 3 succeeded    6.1
    worker SIGKILL mid async send            1 row   1 succeeded (re-sent)     5.2
    the same task delivered 3 times          3 rows  3 succeeded               2.8
    fclocal SIGKILL mid-call, then back      3 rows  1 unknown, 2 succeeded    2.9
    scheduler SIGKILL, then restarted        3 rows  3 succeeded               8.9
    everything SIGKILLed, then restarted     6 rows  2 unknown, 4 succeeded   16.3
"""

from __future__ import annotations

import signal
import time

import psutil
import pytest
import redis
from celery import current_app
from django.conf import settings

from invocations.lifecycle import sweep
from invocations.lifecycle.rows import QUEUE_DOWN, RUN_TASK
from invocations.models import InvocationState, Worker
from tests.core.conftest import make_profile
from tests.faults.conftest import BOUND, FAULT_ENV, healthz
from tests.fixtures import waiting

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEAD_AFTER = int(FAULT_ENV["FC_WORKER_DEAD_AFTER"])


def running(*entries):
    def all_running():
        for entry in entries:
            entry.row.refresh_from_db()
        return all(entry.row.state == InvocationState.RUNNING for entry in entries)

    waiting.wait_until(all_running, seconds=20, what="the rows running")


def test_rows_submitted_while_the_broker_is_down_are_sent_when_it_is_back(stack):
    stack.start_worker()
    stack.start_beat()
    stack.redis.stop()

    for _ in range(3):
        started = time.monotonic()
        entry = stack.submit()
        assert time.monotonic() - started < 5  # the request is not held by the outage
        entry.row.refresh_from_db()
        assert (entry.row.state, entry.row.state_reason) == (InvocationState.QUEUED, QUEUE_DOWN)

    stack.redis.start()
    to_terminal = stack.wait_all_terminal()
    result = stack.ledger("broker down at submit, then back", to_terminal)
    assert result["ended"] == {"succeeded": 3}
    assert all(w.proc.poll() is None for w in stack.workers)


def test_the_worker_survives_a_broker_restart_and_goes_on(stack):
    """Redis restarted empty (no persistence) under a worker with calls running, prefetched and
    queued: the worker reconnects by itself, /healthz says so meanwhile, and every row runs once."""
    worker = stack.start_worker(concurrency=2)
    stack.start_beat()
    first = [stack.submit(1.5) for _ in range(2)]
    later = [stack.submit() for _ in range(4)]  # beyond the 2 threads: prefetched or still queued
    running(*first)

    stack.redis.stop()
    waiting.wait_until(
        lambda: "Trying again in" in worker.log(), seconds=15, what="the worker saying it reconnects"
    )
    status, body = healthz(stack)
    assert status == 503 and body["broker"] == "down" and body["worker"] == "reconnecting", body
    assert "reconnecting" in body["errors"]["broker"]

    outage = time.monotonic()
    stack.redis.start()
    more = [stack.submit() for _ in range(2)]
    to_terminal = stack.wait_all_terminal()
    waiting.wait_until(lambda: healthz(stack)[0] == 200, seconds=BOUND, what="/healthz ok again")

    result = stack.ledger("broker restarted (empty) while the worker runs", time.monotonic() - outage)
    assert result["ended"] == {"succeeded": len(first) + len(later) + len(more)}
    assert worker.proc.poll() is None, "the worker exited"
    assert "Unrecoverable error" not in worker.log()
    assert to_terminal < BOUND


def test_the_worker_rides_out_a_database_outage(stack):
    """PostgreSQL taken away from a worker (its forwarder killed: open connections end, new ones
    are refused) while calls run and others wait to be claimed. The results that come meanwhile
    are written once it is back, the claims are tried again, and no row waits for the sweep's
    lost-message rule (FC_LOST_MESSAGE_AFTER, 15 minutes) or ends without its result. The sweep
    runs in this worker too: with another worker's heartbeat fresh throughout, it still judges no
    worker dead while its own database was just away (liveness.may_judge)."""
    proxy = stack.database_proxy()
    # Heartbeats sparser than sweeps: once the database is back, a sweep comes before this worker's
    # heartbeat, and finds it silent for longer than DEAD_AFTER beside a fresh one elsewhere.
    slow_beat = {"FC_WORKER_HEARTBEAT": "3", "FC_WORKER_DEAD_AFTER": "9"}
    worker = stack.start_worker(
        env={"DATABASE_URL": proxy.database_url, "DB_CONNECT_TIMEOUT": "1"} | slow_beat
    )
    elsewhere = stack.heartbeat_elsewhere()  # another worker, whose database stays
    stack.start_beat()
    # A sweep has run: the first one on a new broker re-sends every queued row (sweep.resend_lost),
    # which a deployment's broker has long had behind it.
    broker = redis.Redis.from_url(stack.redis.url)
    waiting.wait_until(lambda: broker.keys(f"*{sweep.BROKER_EPOCH}"), seconds=15, what="a sweep")
    in_flight = [stack.submit(2) for _ in range(2)]
    running(*in_flight)

    proxy.stop()
    claims = [stack.submit() for _ in range(3)]  # their claims meet the outage
    # fclocal logs a run as it ends: the two results came while the database was away.
    waiting.wait_until(lambda: all(stack.runs(e) for e in in_flight), seconds=15, what="the two runs ended")
    waiting.wait_until(
        lambda: worker.log().count("database unreachable") >= 3,
        seconds=15,
        what="the worker meeting the outage (heartbeat, claims, results)",
    )
    time.sleep(int(slow_beat["FC_WORKER_DEAD_AFTER"]))  # longer than a worker may be silent

    outage = time.monotonic()
    proxy.start()
    to_terminal = stack.wait_all_terminal()
    result = stack.ledger("database away from a worker, then back", time.monotonic() - outage)
    assert result["ended"] == {"succeeded": len(in_flight) + len(claims)}
    assert all(entry.row.attempts == 1 for entry in in_flight + claims)
    assert worker.proc.poll() is None, "the worker exited"
    assert elsewhere.beats >= 10
    assert to_terminal < BOUND


def test_an_item_on_the_queue_that_is_not_a_message_does_not_stop_the_worker(stack):
    """Something other than Celery writes to the broker's queue (or a message arrives damaged):
    the worker drops it with an error in its log and goes on; the calls it was running and the
    rows around the item all succeed."""
    worker = stack.start_worker(concurrency=4)
    in_flight = [stack.submit(2) for _ in range(2)]
    running(*in_flight)

    queue = stack.env["CELERY_KEY_PREFIX"] + settings.CELERY_TASK_DEFAULT_QUEUE
    broker = redis.Redis.from_url(stack.redis.url)
    before = [stack.submit() for _ in range(2)]
    broker.lpush(queue, b"garbage", b'{"not": "a message"}')
    after = [stack.submit() for _ in range(2)]

    to_terminal = stack.wait_all_terminal()
    result = stack.ledger("items that are not messages on the queue", to_terminal)
    assert result["ended"] == {"succeeded": len(in_flight) + len(before) + len(after)}
    assert worker.proc.poll() is None, "the worker exited"
    assert "Unrecoverable error" not in worker.log()
    assert worker.log().count("that is not a message") == 2


def test_a_worker_killed_mid_call_has_its_rows_ended_or_resent(stack):
    doomed = stack.start_worker(concurrency=2)
    stack.start_beat()
    sync_calls = [stack.submit(3) for _ in range(2)]
    running(*sync_calls)
    queued = [stack.submit() for _ in range(3)]  # prefetched by the doomed worker, or in the queue
    name = Worker.objects.get(name__contains=f"pid {doomed.proc.pid}").name
    assert {e.row.claimed_by for e in sync_calls} == {name}

    doomed.stop(kill=True)
    killed = time.monotonic()
    stack.start_worker()
    to_terminal = stack.wait_all_terminal(seconds=DEAD_AFTER + BOUND)

    result = stack.ledger("worker SIGKILL mid-call", time.monotonic() - killed)
    assert result["ended"] == {"unknown": 2, "succeeded": len(queued)}
    for entry in sync_calls:
        assert entry.row.state_reason.startswith(
            f"No result: the worker {name} that was calling FC stopped answering at "
        )
        assert "The function may have run" in entry.row.state_reason
        assert stack.runs(entry) <= 1  # never re-sent
    # The heartbeat's bound, not the call's timeout plus grace (60 s): DEAD_AFTER + sweep + beat.
    assert to_terminal < DEAD_AFTER + 10


def test_an_async_send_of_a_killed_worker_is_sent_again_and_runs_once(stack, fclocal_factory):
    """The worker dies in the middle of an async send (fclocal frozen with SIGSTOP holds the
    request): FC may have taken the task, so the sweep re-sends it with the same task id, FC's
    duplicate answer is read as "already sent", and the beat's tracker follows it to the end."""
    own = fclocal_factory()
    stack.fclocal = own
    stack.profile = make_profile("faults-async", own.url, secret=own.access_key_secret)
    doomed = stack.start_worker(concurrency=2)
    stack.start_beat()
    own.proc.send_signal(signal.SIGSTOP)
    try:
        entry = stack.submit(function="stateful-job", invocation_type="async")
        running(entry)
        doomed.stop(kill=True)
    finally:
        own.proc.send_signal(signal.SIGCONT)
    killed = time.monotonic()
    stack.start_worker()
    stack.wait_all_terminal(seconds=DEAD_AFTER + BOUND)
    result = stack.ledger("worker SIGKILL mid async send", time.monotonic() - killed)
    assert result["ended"] == {"succeeded": 1}
    assert entry.row.attempts == 2


def test_the_same_task_delivered_twice_runs_once(stack):
    stack.start_worker()
    stack.start_beat()
    entries = [stack.submit(0.5) for _ in range(3)]
    for entry in entries:
        current_app.send_task(RUN_TASK, (entry.row.pk,))
        current_app.send_task(RUN_TASK, (entry.row.pk,))
    to_terminal = stack.wait_all_terminal()
    result = stack.ledger("the same task delivered 3 times", to_terminal)
    assert result["ended"] == {"succeeded": 3}
    assert all(entry.row.attempts == 1 for entry in entries)


def test_fclocal_killed_mid_call_ends_the_calls_unknown_and_runs_none_twice(stack, fclocal_factory):
    own = fclocal_factory()
    stack.fclocal = own
    stack.profile = make_profile("faults-own", own.url, secret=own.access_key_secret)
    stack.start_worker()
    stack.start_beat()
    in_flight = [stack.submit(3) for _ in range(2)]
    running(*in_flight)
    # fclocal starts a function's instance process when a request for it arrives: once one runs,
    # fclocal has taken a call (a claimed row alone may not have sent its request yet).
    waiting.wait_until(
        lambda: psutil.Process(own.proc.pid).children(recursive=True),
        seconds=20,
        what="fclocal running a call",
    )

    own.stop(kill=True)
    killed = time.monotonic()
    refused = stack.submit()  # FC surely did not see it: retried until fclocal is back

    def refused_once():
        # Refused, not merely claimed: a claim alone could still reach fclocal once it is back.
        row = refused.row.__class__.objects.get(pk=refused.row.pk)
        return "Could not connect to FC" in row.state_reason or row.attempts >= 2

    waiting.wait_until(refused_once, seconds=10, what="the call refused once")
    own.start()
    stack.wait_all_terminal()
    result = stack.ledger("fclocal SIGKILL mid-call, then back", time.monotonic() - killed)
    # A call fclocal had taken ends unknown ("may have run"); one whose request had not left the
    # worker yet was refused, so it is tried again and succeeds: either way, at most one run.
    assert result["ended"].get("unknown", 0) >= 1
    for entry in in_flight:
        assert entry.row.state in (InvocationState.UNKNOWN, InvocationState.SUCCEEDED)
        if entry.row.state == InvocationState.UNKNOWN:
            assert "may have run" in entry.row.state_reason, entry.row.state_reason
    assert refused.row.state == InvocationState.SUCCEEDED and refused.row.attempts >= 2


def test_the_scheduler_killed_and_restarted_goes_on(stack):
    stack.start_worker()
    beat = stack.start_beat()
    beat.stop(kill=True)
    served = stack.submit()  # the worker does not need the scheduler to run a call
    stack.redis.stop()
    stranded = [stack.submit() for _ in range(2)]  # queued, unsent: only a sweep sends them
    stack.redis.start()
    waiting.wait_until(lambda: served.row.__class__.objects.get(pk=served.row.pk).is_terminal, seconds=BOUND)
    assert all(e.row.__class__.objects.get(pk=e.row.pk).state == InvocationState.QUEUED for e in stranded)

    restarted = time.monotonic()
    stack.start_beat()
    stack.wait_all_terminal()
    result = stack.ledger("scheduler SIGKILL, then restarted", time.monotonic() - restarted)
    assert result["ended"] == {"succeeded": 3}


def test_everything_killed_and_restarted_loses_and_doubles_nothing(stack, fclocal_factory):
    own = fclocal_factory()
    stack.fclocal = own
    stack.profile = make_profile("faults-all", own.url, secret=own.access_key_secret)
    first = stack.start_worker(concurrency=2)
    stack.start_beat()
    in_flight = [stack.submit(3) for _ in range(2)]
    running(*in_flight)
    waiting_rows = [stack.submit() for _ in range(3)]
    async_row = stack.submit(function="stateful-job", invocation_type="async")

    first.stop(kill=True)
    stack.beat.stop(kill=True)
    own.stop(kill=True)
    stack.redis.stop(kill=True)
    down = time.monotonic()

    stack.redis.start()
    own.start()
    stack.start_worker()
    stack.start_beat()
    stack.wait_all_terminal(seconds=DEAD_AFTER + BOUND)
    result = stack.ledger("everything SIGKILLed, then restarted", time.monotonic() - down)
    assert result["lost"] == result["doubled"] == 0
    assert result["ended"].get("unknown", 0) <= len(in_flight)
    assert result["ended"].get("succeeded", 0) >= len(waiting_rows) + 1
    assert async_row.row.state == InvocationState.SUCCEEDED
