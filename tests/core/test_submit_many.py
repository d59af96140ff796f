"""Invocation.objects.submit_many (issue 18): a batch is each item's submit, all or nothing,
written in one transaction and published in one round trip to Redis."""

import pytest
import redis.connection
from celery.signals import before_task_publish
from django.core.exceptions import PermissionDenied, ValidationError

from audit import chain
from audit.models import AuditEntry
from invocations import rules
from invocations.models import Invocation, InvocationState
from tests.core.conftest import DEMO_SECRET, make_profile

pytestmark = pytest.mark.django_db


def item(profile, **changes):
    return {"profile": profile, "region": "cn-hangzhou", "service": "demo", "function": "hello", **changes}


def submit_many(user, items, **kwargs):
    return Invocation.objects.submit_many(user=user, items=items, source="api", **kwargs)


@pytest.fixture
def published():
    """Every task message this process publishes: (body, headers)."""
    messages = []

    def record(body=None, headers=None, **kwargs):
        messages.append((body, headers))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Every write of redis-py to a Redis socket in this process: one per round trip (a pipeline
    is packed into one write, then its answers read), as the packed command bytes."""
    writes = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        writes.append(b"".join(bytes(part) for part in command) if isinstance(command, list) else command)
        return send(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return writes


def test_it_writes_every_item_queued_in_order_with_its_own_target(invoker, nowhere_profile):
    rows = submit_many(
        invoker,
        [
            item(nowhere_profile, event='{"n": 0}'),
            item(nowhere_profile, service="", function="fc3_fn", invocation_type="async"),
            item(nowhere_profile, region="", qualifier="prod", client_timeout=30, event=b"\xff"),
        ],
    )

    stored = list(Invocation.objects.order_by("id"))
    assert [r.pk for r in rows] == [r.pk for r in stored]
    assert all(r.state == InvocationState.QUEUED and r.source == "api" and r.user == invoker for r in stored)
    assert [(r.service, r.function, r.invocation_type) for r in stored] == [
        ("demo", "hello", "sync"),
        ("", "fc3_fn", "async"),
        ("demo", "hello", "sync"),
    ]
    assert bytes(stored[0].event) == b'{"n": 0}' and bytes(stored[2].event) == b"\xff"
    assert stored[1].async_invocation_id.startswith("fcconsole-")  # trackable, as a submit's
    assert stored[2].region == nowhere_profile.default_region and stored[2].qualifier == "prod"
    assert all(r.send_attempts == 1 and r.sent_at and r.celery_task_id for r in stored)


def test_every_row_has_its_audit_entry_as_a_submit_would(invoker, nowhere_profile):
    single = Invocation.objects.submit(user=invoker, source="api", **item(nowhere_profile))
    rows = submit_many(invoker, [item(nowhere_profile, event="x" * n) for n in range(5)])

    entries = {e.object_id: e for e in AuditEntry.objects.filter(action="invocation.submitted")}
    assert set(entries) == {str(r.uuid) for r in [single, *rows]}
    by_submit, by_batch = entries[str(single.uuid)], entries[str(rows[3].uuid)]
    assert by_batch.actor == invoker and by_batch.object_type == by_submit.object_type
    assert by_batch.after == {**by_submit.after, "event_bytes": 3}
    assert all(e.mac == e.compute_mac() for e in entries.values())
    assert [e.seq for e in sorted(entries.values(), key=lambda e: e.seq)][-5:] == sorted(
        entries[str(r.uuid)].seq for r in rows
    )
    chain.seal()
    assert chain.verify().intact  # signed and numbered like any entry: the chain takes them


def test_one_bad_item_refuses_the_batch_naming_it_and_writes_nothing(
    invoker, nowhere_profile, published, django_capture_on_commit_callbacks
):
    items = [item(nowhere_profile) for _ in range(5)]
    items[3] = item(nowhere_profile, function="bad.name")
    items[4] = item(nowhere_profile, invocation_type="async", event=b"x" * 200_000)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(rules.ItemsRefused) as refused:
            submit_many(invoker, items)

    assert set(refused.value.items) == {3, 4}
    assert set(refused.value.items[3].message_dict) == {"function"}
    assert set(refused.value.message_dict) == {"items.3.function", "items.4.event"}
    assert not Invocation.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="invocation.").exists()
    assert callbacks == [] and published == []


def test_more_than_1000_items_are_refused(invoker, nowhere_profile):
    with pytest.raises(ValidationError) as refused:
        submit_many(invoker, [item(nowhere_profile)] * 1001)
    assert refused.value.message_dict == {
        "items": ["A batch carries at most 1,000 invocations; this one has 1,001."]
    }
    with pytest.raises(ValidationError):
        submit_many(invoker, [])
    assert not Invocation.objects.exists()


def test_a_protected_profile_item_without_the_function_name_refuses_the_batch(invoker, nowhere_profile):
    guarded = make_profile("guarded", "http://127.0.0.1:9", protected=True)
    items = [item(nowhere_profile), item(guarded, confirm_function="hell")]

    with pytest.raises(rules.ItemsRefused) as refused:
        submit_many(invoker, items)

    assert refused.value.message_dict == {
        "items.1.confirm_function": [
            "The profile guarded is protected: type the function name “hello” to confirm."
        ]
    }
    assert not Invocation.objects.exists()
    items[1]["confirm_function"] = "hello"
    assert len(submit_many(invoker, items)) == 2


def test_a_profile_not_granted_refuses_the_batch_naming_the_item(invoker, viewer, nowhere_profile):
    private = make_profile("private", "http://127.0.0.1:9", all_invokers=False)
    with pytest.raises(PermissionDenied, match=r"^Item 1: You may not invoke with the profile private\.$"):
        submit_many(invoker, [item(nowhere_profile), item(private)])
    with pytest.raises(PermissionDenied):
        submit_many(viewer, [item(nowhere_profile)])
    assert not Invocation.objects.exists()


def test_it_publishes_every_row_in_one_round_trip_once_committed(
    invoker, nowhere_profile, published, redis_round_trips, django_capture_on_commit_callbacks
):
    # A first batch opens the pooled connection and declares the queue (once per connection).
    with django_capture_on_commit_callbacks(execute=True):
        submit_many(invoker, [item(nowhere_profile)])
    published.clear()
    redis_round_trips.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = submit_many(invoker, [item(nowhere_profile, event='{"a": 1}') for _ in range(50)])
        assert published == [] and redis_round_trips == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    assert len(redis_round_trips) == 1, [w[:80] for w in redis_round_trips]
    assert redis_round_trips[0].count(b"LPUSH") == 50
    assert [(list(body[0]), body[1], headers["task"]) for body, headers in published] == [
        ([row.pk], {}, "invocations.invoke") for row in rows
    ]
    assert [headers["id"] for _, headers in published] == [row.celery_task_id for row in rows]
    assert DEMO_SECRET not in repr(published) and '"a"' not in repr(published)  # pk only
