"""The end-of-invocation signal behind the API's `?wait`: real Redis, and what happens without it."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
import redis
from django.conf import settings
from django.core import signing
from django.db.models.functions import Now
from django.utils import timezone

from invocations.lifecycle import wakeups
from invocations.lifecycle.tracking import store as tracking_store
from invocations.models import Invocation, InvocationState
from tests.fc.edge_server import free_port


def submitted(user, profile, **fields) -> Invocation:
    """A row as the CLI submits it: queued, no task sent."""
    values = dict(region="cn-hangzhou", service="demo", function="hello", enqueue=False)
    return Invocation.objects.submit(user=user, profile=profile, **{**values, **fields})


@pytest.fixture
def store():
    wakeups._redis.cache_clear()
    yield redis.Redis.from_url(settings.CELERY_BROKER_URL)
    wakeups._redis.cache_clear()


@pytest.fixture
def without_redis(settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    wakeups._redis.cache_clear()
    yield
    wakeups._redis.cache_clear()


@pytest.fixture
def redis_down(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    wakeups._redis.cache_clear()
    yield
    wakeups._redis.cache_clear()


def test_a_finished_row_leaves_one_expiring_token_for_its_waiter(store, db, invoker, nowhere_profile):
    invocation = submitted(invoker, nowhere_profile)
    key = wakeups._key(invocation.pk)
    assert Invocation.objects.claim(invocation.pk) is not None
    assert store.llen(key) == 0

    assert Invocation.objects.finish(invocation.pk, state=InvocationState.SUCCEEDED)
    assert store.llen(key) == 1
    assert 0 < store.ttl(key) <= wakeups.SIGNAL_TTL
    # A second finish of the same row writes nothing, so it announces nothing either.
    assert not Invocation.objects.finish(invocation.pk, state=InvocationState.FAILED)
    assert store.llen(key) == 1
    store.delete(key)


@pytest.mark.django_db
def test_async_tasks_the_tracker_sees_end_are_announced_once_stored(
    store, invoker, nowhere_profile, django_capture_on_commit_callbacks
):
    def tracked(task_id):
        row = submitted(invoker, nowhere_profile, invocation_type="async", async_invocation_id=task_id)
        Invocation.objects.filter(pk=row.pk).update(state=InvocationState.TRACKING, async_status="Running")
        return Invocation.objects.get(pk=row.pk)

    done, going = tracked("fcconsole-done"), tracked("fcconsole-going")
    with django_capture_on_commit_callbacks(execute=True):
        tracking_store.apply_records(
            [
                (
                    done,
                    {"id": "fcconsole-done", "status": "Succeeded", "endTime": 1_700_000_000_000},
                ),
                (
                    going,
                    {
                        "id": "fcconsole-going",
                        "status": "Running",
                        "events": [{"status": "Running"}],
                    },
                ),
            ]
        )

    assert Invocation.objects.get(pk=done.pk).state == InvocationState.SUCCEEDED
    assert store.llen(wakeups._key(done.pk)) == 1
    assert store.llen(wakeups._key(going.pk)) == 0
    store.delete(wakeups._key(done.pk))


@pytest.mark.django_db
def test_an_async_invocation_stopped_before_it_was_sent_is_announced(store, invoker, nowhere_profile):
    invocation = submitted(invoker, nowhere_profile, invocation_type="async")

    invocation.stop(invoker)

    assert Invocation.objects.get(pk=invocation.pk).state == InvocationState.STOPPED
    assert store.llen(wakeups._key(invocation.pk)) == 1
    store.delete(wakeups._key(invocation.pk))


def test_the_signal_wakes_the_waiter_which_then_reads_the_row(store):
    pk = 10**12 + free_port()  # no row: only the signal is exercised
    checks = []

    def done(outcome):
        checks.append(outcome)
        return True

    threading.Timer(0.05, wakeups.announce, args=(pk,)).start()
    wakeups.wait(pk, done, seconds=30)
    assert checks == [None]  # woken once, asked once; the token carried no outcome
    assert store.llen(wakeups._key(pk)) == 0  # the token was taken


def test_a_waiter_without_a_signal_gives_up_when_its_time_is_over(store):
    pk = 10**12 + free_port()
    checks = []
    started = time.monotonic()
    wakeups.wait(pk, lambda outcome: checks.append(True) and False, seconds=1.5)
    # Woken at least every RECHECK to re-read the row, though nothing was announced.
    assert len(checks) == 2 and time.monotonic() - started >= 1.5


@pytest.mark.parametrize("broker", ["without_redis", "redis_down"])
def test_without_a_usable_redis_the_waiter_polls_the_row_and_announcing_is_harmless(broker, request):
    request.getfixturevalue(broker)
    wakeups.announce(1)  # no error
    answers = iter([False, False, False, True])
    checks = []

    def done(outcome):
        checks.append(outcome)
        return next(answers)

    wakeups.wait(1, done, seconds=30)
    assert checks == [None] * 4  # polled until the row said it was over, well before 30 s


def _token(store, pk) -> bytes:
    (token,) = store.lrange(wakeups._key(pk), 0, -1)
    return token


def _ended(invocation, **fields):
    assert Invocation.objects.claim(invocation.pk) is not None
    now = timezone.now()
    assert Invocation.objects.finish(
        invocation.pk,
        state=InvocationState.SUCCEEDED,
        finished_at=now,
        fc_started_at=now,
        request_id="req-1",
        http_status=200,
        response_headers={"x-fc-request-id": "req-1"},
        duration_ms=1.5,
        memory_size_mb=128,
        log_tail="FC Invoke End",
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_a_committed_end_hands_the_waiter_the_row_as_written(
    store, invoker, nowhere_profile, django_assert_num_queries
):
    invocation = submitted(invoker, nowhere_profile)
    _ended(invocation, response_body=b'{"ok": true}\x00\xff')
    carried = []
    wakeups.wait(invocation.pk, lambda outcome: carried.append(outcome) or True, seconds=5)

    # The waiter's copy, as submitted, takes the outcome without a statement ...
    with django_assert_num_queries(0):
        invocation.take_outcome(carried[0])
    # ... and is then the row, field for field, as a fresh read converts it.
    row = Invocation.objects.get(pk=invocation.pk)
    for name in Invocation.OUTCOME_FIELDS:
        attname = Invocation._meta.get_field(name).attname
        assert getattr(invocation, attname) == getattr(row, attname), name
    assert invocation.state == InvocationState.SUCCEEDED and invocation.response_headers["x-fc-request-id"]


@pytest.mark.django_db
def test_an_end_inside_a_transaction_only_wakes(store, invoker, nowhere_profile):
    # It may yet be rolled back: the waiter re-reads the row.
    invocation = submitted(invoker, nowhere_profile)
    _ended(invocation)
    assert _token(store, invocation.pk) == b"1"
    store.delete(wakeups._key(invocation.pk))


@pytest.mark.django_db(transaction=True)
def test_an_end_written_with_an_expression_is_stored_and_only_wakes(store, invoker, nowhere_profile):
    invocation = submitted(invoker, nowhere_profile)
    assert Invocation.objects.claim(invocation.pk) is not None
    assert Invocation.objects.finish(invocation.pk, state=InvocationState.SUCCEEDED, finished_at=Now())
    assert Invocation.objects.get(pk=invocation.pk).finished_at is not None
    assert _token(store, invocation.pk) == b"1"
    store.delete(wakeups._key(invocation.pk))


@pytest.mark.django_db(transaction=True)
def test_an_outcome_too_large_to_carry_only_wakes(store, invoker, nowhere_profile):
    invocation = submitted(invoker, nowhere_profile)
    _ended(invocation, response_body=os.urandom(wakeups.OUTCOME_MAX))
    assert _token(store, invocation.pk) == b"1"
    store.delete(wakeups._key(invocation.pk))


@pytest.mark.parametrize(
    "forged",
    [
        lambda pk: signing.Signer(key="not-ours", salt=wakeups._SALT).sign_object({"pk": pk, "values": []}),
        lambda pk: wakeups._sealed(pk + 1, ["succeeded"]).decode(),  # another row's
        lambda pk: json.dumps({"pk": pk, "values": ["succeeded"]}),
    ],
    ids=["other key", "other row", "unsigned"],
)
def test_an_outcome_that_fails_its_check_is_only_a_wake_up(store, forged):
    pk = 10**12 + free_port()
    store.rpush(wakeups._key(pk), forged(pk))
    carried = []
    wakeups.wait(pk, lambda outcome: carried.append(outcome) or True, seconds=5)
    assert carried == [None]


def test_a_carried_outcome_comes_back_value_for_value_whatever_the_driver_gave():
    # A dict is what a driver that parses JSON columns would give: not to be taken for bytes.
    moment = timezone.now()
    values = [
        {"b": "not bytes"},
        {"t": "not a time"},
        b"\x00\xff",
        memoryview(b"ok"),
        moment,
        1.5,
        7,
        None,
        "text",
    ]
    carried = wakeups._opened(5, wakeups._sealed(5, values))
    assert carried == [
        {"b": "not bytes"},
        {"t": "not a time"},
        b"\x00\xff",
        b"ok",
        moment,
        1.5,
        7,
        None,
        "text",
    ]


def test_an_outcome_json_cannot_hold_is_only_a_wake_up():
    assert wakeups._sealed(5, ["succeeded", object()]) == b"1"
