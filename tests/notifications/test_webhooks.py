"""Webhooks: signed with the documented recipe, retried with backoff after a 500 through a real
worker, and recorded attempt by attempt on their Delivery row."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from notifications import receivers, sending
from notifications.models import Channel, Delivery, Event
from tests.fc.edge_server import free_port
from tests.fixtures.waiting import wait_until
from tests.notifications.conftest import WEBHOOK_SECRET, StandInRun, StandInSuite, subscribe


def documented_verify(secret: str, headers: dict, body: bytes) -> bool:
    """docs/notifications.md's recipe, written out again here rather than imported."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered["x-fcconsole-timestamp"]
    expected = (
        "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    return abs(time.time() - int(timestamp)) <= 300 and hmac.compare_digest(
        expected, lowered["x-fcconsole-signature"]
    )


def failed_suite(run=None):
    run = run or StandInRun(StandInSuite("nightly"))
    receivers.suite_run_finished(sender=StandInRun, run=run, passed=False, previous_passed=True)
    return run


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_webhook_is_signed_and_retried_after_a_500_through_the_worker(
    celery_worker, viewer, receiver, published
):
    hook = receiver(500, 200)
    subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url=hook.url)
    run = failed_suite()

    delivery = Delivery.objects.get()

    def ended():
        delivery.refresh_from_db()
        return delivery.status != Delivery.Status.PENDING

    wait_until(ended, seconds=30, what=lambda: f"delivery still pending: {delivery.to_dict()}")
    assert delivery.status == Delivery.Status.DELIVERED, delivery.last_error
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (2, 200, "")
    assert delivery.delivered_at and delivery.last_attempt_at

    assert len(hook.requests) == 2
    for headers, body in hook.requests:
        assert documented_verify(WEBHOOK_SECRET, headers, body)
        assert not documented_verify("some-other-secret-0123456789", headers, body)
        assert headers["X-Fcconsole-Delivery"] == str(delivery.uuid)
        assert headers["X-Fcconsole-Event"] == "suite.failed"
    sent = json.loads(hook.requests[-1][1])
    assert sent["event"] == "suite.failed"
    assert sent["suite"]["name"] == "nightly"
    assert sent["run"]["url"].endswith(f"/suites/runs/{run.uuid}/")
    assert sent["run"]["passed"] is False and sent["run"]["previous_passed"] is True

    # The task carried the delivery's pk, and nothing of the secret went to the queue or the log.
    assert published and all(f"({delivery.pk},)" in message for message in published)
    assert not [message for message in published if WEBHOOK_SECRET in message]
    assert WEBHOOK_SECRET not in celery_worker.log()


def test_an_answer_a_retry_cannot_change_fails_the_delivery_at_once(db, viewer, receiver):
    hook = receiver(404)
    subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url=hook.url)
    failed_suite()
    delivery = Delivery.objects.get()

    assert sending.attempt(delivery.pk).retry_in is None
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert (delivery.attempts, delivery.last_status_code) == (1, 404)
    assert delivery.last_error == "The receiver answered HTTP 404."


def test_an_unreachable_receiver_is_retried_with_backoff_then_given_up(db, viewer, settings, caplog):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BACKOFF = 4
    url = f"http://127.0.0.1:{free_port()}/hook"
    subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url=url)
    failed_suite()
    delivery = Delivery.objects.get()

    waits = [sending.attempt(delivery.pk).retry_in for _ in range(3)]
    assert 2 <= waits[0] <= 4 and 4 <= waits[1] <= 8  # invocations/fc/backoff.py: doubling, jittered
    assert waits[2] is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 3)
    assert delivery.last_error == "Could not connect to the receiver (connection error)."
    assert delivery.last_status_code is None
    assert WEBHOOK_SECRET not in caplog.text and WEBHOOK_SECRET not in delivery.last_error


def test_a_redelivered_task_after_the_end_sends_nothing_more(db, viewer, receiver):
    hook = receiver(200)
    subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url=hook.url)
    failed_suite()
    delivery = Delivery.objects.get()
    sending.attempt(delivery.pk)
    sending.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(hook.requests)) == (Delivery.Status.DELIVERED, 1, 1)


def test_an_event_announced_twice_is_delivered_once_per_subscription(db, viewer, receiver):
    hook = receiver(200)
    subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url=hook.url)
    subscribe(viewer, Event.SUITE_FAILED, Channel.EMAIL)
    run = failed_suite()
    failed_suite(run)
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "webhook"]


def test_a_delivery_whose_subscription_was_removed_is_not_sent(db, viewer, receiver):
    hook = receiver(200)
    subscription = subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url=hook.url)
    failed_suite()
    subscription.delete()
    delivery = Delivery.objects.get()
    sending.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and not hook.requests
