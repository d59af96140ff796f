"""Async tasks the console did not start: started through the official SDK straight at fclocal,
they enter the history as started outside the console once the tracker lists their function."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache

from invocations.fc.targets import Target
from invocations.lifecycle.tracking import poll as tracking_poll
from invocations.models import FollowedFunction, Invocation, InvocationState
from invocations.models.follows import OUTSIDE_USERNAME
from invocations.models.states import Source
from tests.core.conftest import make_profile
from tests.fclocal.helpers3 import invoke3
from tests.fixtures.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def profile(fclocal, invoker):
    return make_profile("fclocal", fclocal.url, secret=fclocal.access_key_secret)


def polled_until(group, predicate, seconds=30):
    """Poll the function as the beat would, until `predicate()` holds."""

    def once():
        cache.delete(tracking_poll.polled_key(group))  # due now, whenever it was last polled
        tracking_poll.poll(group)
        return predicate()

    return wait_until(once, seconds=seconds, interval=0.2, what="the tracker's listing")


def test_a_task_started_through_the_sdk_on_a_followed_function_appears_in_history(fclocal, invoker, profile):
    FollowedFunction.objects.follow(invoker, profile, Target("cn-hangzhou", "async-job"))
    task_id = f"started-elsewhere-{uuid.uuid4().hex[:8]}"
    invoke3(fclocal, "async-job", b'{"seconds": 1}', kind="Async", task_id=task_id, log="None")

    group = tracking_poll.Group(profile.pk, "cn-hangzhou", "", "async-job", "")
    assert group in tracking_poll.due_groups()
    row = polled_until(
        group,
        lambda: Invocation.objects.filter(
            async_invocation_id=task_id, state=InvocationState.SUCCEEDED
        ).first(),
    )

    assert (row.source, row.user.username, row.profile_id) == (Source.OUTSIDE, OUTSIDE_USERNAME, profile.pk)
    assert row.is_fc3 and row.invocation_type == "async" and row.async_status == "Succeeded"
    assert list(row.status_events.values_list("status", flat=True))[-1] == "Succeeded"
    assert Invocation.objects.for_user(invoker).filter(pk=row.pk).exists()  # in the team's history
    assert not row.may_rerun(invoker)  # nothing of ours to send again
    assert Invocation.objects.filter(async_invocation_id=task_id).count() == 1  # adopted once


def test_a_foreign_task_is_adopted_only_once_its_function_is_followed(
    celery_worker, fclocal, invoker, profile
):
    ours = Invocation.objects.submit(
        user=invoker, profile=profile, region="cn-hangzhou", service="", function="async-job",
        event=b'{"seconds": 3}', invocation_type="async",
    )  # fmt: skip
    wait_until(lambda: Invocation.objects.get(pk=ours.pk).state != InvocationState.QUEUED, what="our send")
    foreign = f"elsewhere-{uuid.uuid4().hex[:8]}"
    invoke3(fclocal, "async-job", b'{"seconds": 1}', kind="Async", task_id=foreign, log="None")

    group = tracking_poll.Group(profile.pk, "cn-hangzhou", "", "async-job", "")
    polled_until(group, lambda: Invocation.objects.get(pk=ours.pk).fc_started_at)  # ours is listed
    assert not Invocation.objects.filter(async_invocation_id=foreign).exists()  # not followed: left alone

    FollowedFunction.objects.follow(invoker, profile, Target("cn-hangzhou", "async-job"))
    adopted = polled_until(group, lambda: Invocation.objects.filter(async_invocation_id=foreign).first())
    assert adopted.source == Source.OUTSIDE and adopted.pk != ours.pk
    assert Invocation.objects.get(pk=ours.pk).source == Source.WEB


def test_a_foreign_task_started_just_before_ours_is_adopted_once_its_function_is_followed(
    celery_worker, fclocal, invoker, profile
):
    """The head of a followed function reaches back to the follow, not only to our earliest row:
    listed from ours alone, a task started outside a moment before it was never adopted (CI saw
    the test above fail so when its worker sent ours after the foreign task had started)."""
    foreign = f"elsewhere-{uuid.uuid4().hex[:8]}"
    invoke3(fclocal, "async-job", b'{"seconds": 3}', kind="Async", task_id=foreign, log="None")
    ours = Invocation.objects.submit(
        user=invoker, profile=profile, region="cn-hangzhou", service="", function="async-job",
        event=b'{"seconds": 3}', invocation_type="async",
    )  # fmt: skip
    group = tracking_poll.Group(profile.pk, "cn-hangzhou", "", "async-job", "")
    wait_until(lambda: Invocation.objects.get(pk=ours.pk).state == InvocationState.TRACKING, what="our send")
    polled_until(group, lambda: Invocation.objects.get(pk=ours.pk).fc_started_at)  # ours is listed
    assert not Invocation.objects.filter(async_invocation_id=foreign).exists()

    FollowedFunction.objects.follow(invoker, profile, Target("cn-hangzhou", "async-job"))
    adopted = polled_until(group, lambda: Invocation.objects.filter(async_invocation_id=foreign).first())
    assert adopted.source == Source.OUTSIDE
    assert adopted.fc_started_at < Invocation.objects.get(pk=ours.pk).fc_started_at


@pytest.mark.django_db
def test_any_invoker_of_its_profile_may_stop_a_task_started_outside(invoker, other_invoker, viewer, profile):
    profile.all_invokers = True
    profile.save()
    from invocations.models.follows import outside_user

    row = Invocation.objects.create(
        user=outside_user(), profile=profile, source=Source.OUTSIDE, region="cn-hangzhou", service="",
        function="async-job", invocation_type="async", async_invocation_id="x", state=InvocationState.TRACKING,
    )  # fmt: skip
    assert row.may_stop(invoker) and row.may_stop(other_invoker)
    assert not row.may_stop(viewer)
