"""E-mail when an async invocation I started ends: real worker, fclocal and the async tracker."""

from __future__ import annotations

import pytest
from celery import current_app
from django.core import mail

from invocations.models import Invocation, InvocationState
from invocations.models.states import Source
from invocations.signals import invocation_ended
from notifications import sending
from notifications.models import Channel, Delivery, Event
from tests.core.conftest import make_profile
from tests.core.test_flow import submit, wait_for
from tests.fixtures.waiting import wait_until
from tests.notifications.conftest import subscribe


@pytest.fixture
def profile(fclocal):
    return make_profile("fclocal", fclocal.url, secret=fclocal.access_key_secret)


@pytest.fixture
def tracked_here():
    """The tracker's fan-out and the deliveries it causes run in this process (Celery eager), so
    the row ends here and its mail reaches this process's `mail.outbox`; sending the invocation
    itself (`send_task`) still goes to the real worker."""
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # the submit's send_task
def test_an_email_reaches_the_outbox_when_my_async_invocation_ends(
    celery_worker, invoker, other_invoker, profile, tracked_here
):
    subscribe(invoker, Event.INVOCATION_ENDED, Channel.EMAIL)
    subscribe(other_invoker, Event.INVOCATION_ENDED, Channel.EMAIL)  # not theirs: no mail
    invocation = submit(
        invoker, profile, function="stateful-job", event=b'{"seconds": 1}', invocation_type="async"
    )
    invocation = wait_for(invocation, InvocationState.TRACKING, *InvocationState.terminal())
    assert invocation.state == InvocationState.TRACKING, invocation.state_reason
    assert mail.outbox == []

    invocation = wait_for(invocation, *InvocationState.terminal(), track=True)
    assert invocation.state == InvocationState.SUCCEEDED

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [invoker.email]
    assert message.subject == "[fcconsole] demo/stateful-job succeeded"
    assert f"/invocations/{invocation.uuid}/" in message.body
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.about) == (
        Delivery.Status.DELIVERED,
        1,
        f"invocation:{invocation.uuid}",
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_that_tracks_the_end_sends_the_mail_itself(celery_worker, invoker, profile):
    """Nothing in this process: the tracker runs on the worker, which writes the Delivery and
    sends it through its own mail backend (the console backend prints it to the worker's log)."""
    subscribe(invoker, Event.INVOCATION_ENDED, Channel.EMAIL)
    invocation = submit(
        invoker, profile, function="stateful-job", event=b'{"seconds": 1}', invocation_type="async"
    )
    invocation = wait_for(invocation, *InvocationState.terminal(), track=True)

    def delivered():
        return Delivery.objects.filter(about=f"invocation:{invocation.uuid}", status="delivered").first()

    delivery = wait_until(delivered, seconds=20, what="the delivery to be sent by the worker")
    assert delivery.attempts == 1 and delivery.target == invoker.email
    wait_until(
        lambda: f"/invocations/{invocation.uuid}/" in celery_worker.log(), what="the mail in the worker log"
    )


def ended(row):
    Invocation.objects.filter(pk=row.pk).update(state=InvocationState.SUCCEEDED)
    invocation_ended.send(sender=None, pks=[row.pk])


def row(user, profile, **fields):
    """An async invocation submitted (not sent) by `user`; `fields` override."""
    values = dict(
        region="cn-hangzhou", service="demo", function="job", invocation_type="async", enqueue=False
    )
    return Invocation.objects.submit(user=user, profile=profile, **{**values, **fields})


def test_only_async_rows_started_by_the_subscriber_notify(db, invoker, other_invoker, nowhere_profile):
    subscribe(invoker, Event.INVOCATION_ENDED, Channel.EMAIL)
    mine_sync = row(invoker, nowhere_profile, invocation_type="sync")
    theirs = row(other_invoker, nowhere_profile)
    outside = row(invoker, nowhere_profile)
    Invocation.objects.filter(pk=outside.pk).update(source=Source.OUTSIDE)
    mine = row(invoker, nowhere_profile)
    for each in (mine_sync, theirs, outside, mine):
        ended(each)
    assert list(Delivery.objects.values_list("about", flat=True)) == [f"invocation:{mine.uuid}"]


def test_a_user_without_an_address_gets_a_failed_delivery_not_a_retry(db, invoker, nowhere_profile):
    subscribe(invoker, Event.INVOCATION_ENDED, Channel.EMAIL)
    invoker.email = ""
    invoker.save()
    row = Invocation.objects.submit(
        user=invoker, profile=nowhere_profile, region="cn-hangzhou", service="demo", function="job",
        invocation_type="async", enqueue=False,
    )  # fmt: skip
    ended(row)
    delivery = Delivery.objects.get()
    assert sending.attempt(delivery.pk).retry_in is None
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and "no e-mail address" in delivery.last_error
    assert mail.outbox == []


def test_a_sync_end_costs_no_notification_query_an_async_one_still_notifies(db, invoker, nowhere_profile):
    """The worker says the row's type with its finish (issue 18: the subscriber query on every
    sync end was most of a worker's CPU per call); an async end said so is still delivered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    subscribe(invoker, Event.INVOCATION_ENDED, Channel.EMAIL)

    def running(invocation_type):
        submitted = row(invoker, nowhere_profile, invocation_type=invocation_type)
        Invocation.objects.filter(pk=submitted.pk).update(state=InvocationState.RUNNING)
        return submitted

    sync_row, async_row = running("sync"), running("async")
    with CaptureQueriesContext(connection) as queries:
        assert Invocation.objects.finish(
            sync_row.pk, invocation_type="sync", state=InvocationState.SUCCEEDED, state_reason=""
        )
    assert len(queries) == 1, [q["sql"] for q in queries]  # the UPDATE, and nothing else
    assert Invocation.objects.get(pk=sync_row.pk).state == InvocationState.SUCCEEDED

    assert Invocation.objects.finish(async_row.pk, invocation_type="async", state=InvocationState.FAILED)
    assert list(Delivery.objects.values_list("about", flat=True)) == [f"invocation:{async_row.uuid}"]
    # Terminal rows are never rewritten: a second finish finds nothing to update.
    assert not Invocation.objects.finish(
        async_row.pk, invocation_type="async", state=InvocationState.SUCCEEDED
    )
