"""What a tracker poll costs at FC, against a real fclocal that logs every request it answers.

A poll of a function is exactly one ListStatefulAsyncInvocations call however many tasks it has
unfinished: the head of its queue, or every FC_TRACK_SWEEP_EVERY-th poll the next page of the
sweep over the rest, which sees a change deep in the queue within ceil(N / 100) * that many polls.
A task FC never heard of costs one Get once the listing has gone past it, not a read of the history.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from invocations.fc.client import FCClient
from invocations.lifecycle.tracking import poll as tracking_poll
from invocations.models import Invocation, InvocationState
from tests.core.conftest import make_profile
from tests.fixtures.waiting import wait_until

pytestmark = pytest.mark.django_db

FUNCTION = "stateful-job"
LIST = "/functions/stateful-job/stateful-async-invocations"


class Fc:
    """One fclocal this module owns: 150 tasks ended, then 2 running and 122 waiting for a worker."""

    def __init__(self, server):
        self.server = server
        self.client = FCClient(server.url, server.access_key_id, server.access_key_secret)

    def send(self, task_id: str, seconds: int) -> None:
        self.client.invoke(
            "demo",
            FUNCTION,
            f'{{"seconds": {seconds}}}'.encode(),
            invocation_type="Async",
            async_invocation_id=task_id,
            log_tail=False,
        )

    def ended(self) -> int:
        return sum(
            1
            for r in self.client.list_stateful_async_invocations("demo", FUNCTION, limit=100)
            if r["status"] == "Succeeded"
        )

    def calls(self, since: int) -> list[str]:
        """The stateful-async requests fclocal answered after byte `since` of its log."""
        with self.server.log_path.open("rb") as f:
            f.seek(since)
            lines = f.read().decode(errors="replace").splitlines()
        return [ln for ln in lines if "stateful-async-invocations" in ln and '"GET ' in ln]

    def mark(self) -> int:
        return self.server.log_path.stat().st_size


@pytest.fixture(scope="module")
def fc(tmp_path_factory):
    from tests.fixtures.fclocal import DEMO_CONFIG, FclocalServer

    base = tmp_path_factory.mktemp("tracking-fclocal")
    server = FclocalServer(
        DEMO_CONFIG, base / "state", base / "fclocal.log", access_log=True, async_workers=2
    ).start()
    fc = Fc(server)
    try:
        for i in range(150):
            fc.send(f"done_{i:03d}", 0)
        wait_until(
            lambda: fc.ended() >= 150, seconds=60, interval=0.2, what="fclocal running the 150 quick tasks"
        )
        for i in range(124):  # two hold fclocal's two async workers for a minute; the rest wait
            fc.send(f"busy_{i:03d}", 60)
        yield fc
    finally:
        fc.client.close()
        server.stop(kill=True)


@pytest.fixture
def rows(fc, invoker):
    profile = make_profile("tracking-fclocal", fc.server.url, secret=fc.server.access_key_secret)
    sent = timezone.now() - timedelta(seconds=5)
    Invocation.objects.bulk_create(
        Invocation(
            user=invoker,
            profile=profile,
            region="cn-hangzhou",
            service="demo",
            function=FUNCTION,
            invocation_type="async",
            async_invocation_id=f"busy_{i:03d}",
            state=InvocationState.TRACKING,
            sent_at=sent,
        )
        for i in range(124)
    )
    return tracking_poll.Group(profile.pk, "cn-hangzhou", "demo", FUNCTION, "")


def poll(fc, group) -> list[str]:
    cache.delete(tracking_poll.polled_key(group))  # due now, whenever it was last polled
    since = fc.mark()
    tracking_poll.poll(group)
    # No wait needed: fclocal logs a request in send_response, before the answer reaches us,
    # and its stderr is line-buffered.
    return fc.calls(since)


def lists(calls: list[str]) -> list[str]:
    return [call for call in calls if f"{LIST}?" in call]


def started_ms(fc, task_id: str) -> int:
    return fc.client.get_stateful_async_invocation("demo", FUNCTION, task_id)["startedTime"]


def track(rows, invoker, task_id: str, sent_ago: timedelta = timedelta(seconds=5)) -> Invocation:
    """A tracked async task (whether FC knows it is up to the test)."""
    return Invocation.objects.create(
        user=invoker,
        profile_id=rows.profile_id,
        region="cn-hangzhou",
        service="demo",
        function=FUNCTION,
        invocation_type="async",
        async_invocation_id=task_id,
        state=InvocationState.TRACKING,
        sent_at=timezone.now() - sent_ago,
    )


def test_a_poll_is_one_list_call_of_the_head_however_many_tasks_are_unfinished(fc, rows, settings):
    settings.FC_TRACK_SWEEP_EVERY = 10**6  # the sweep's turn does not come
    first = poll(fc, rows)  # 124 unfinished tasks, none placed yet
    assert len(first) == 1 and lists(first) == first
    assert "sortOrderByTime=asc" in first[0] and "nextToken=" not in first[0]
    assert Invocation.objects.exclude(fc_started_at=None).count() == 100  # the head's 100, placed

    again = poll(fc, rows)
    assert len(again) == 1 and "nextToken=" not in again[0]
    # From the earliest unfinished task on: nothing that ended before it is read again.
    # (one millisecond before: whether FC's startedTimeBegin is inclusive is unconfirmed)
    assert f"startedTimeBegin={started_ms(fc, 'busy_000') - 1}&" in again[0]


def test_a_function_whose_poll_is_still_running_is_not_polled_again(fc, rows):
    cache.add(tracking_poll.lock_key(rows), "a poll that has not finished", 60)
    assert poll(fc, rows) == []
    assert cache.get(tracking_poll.polled_key(rows)) is None  # the function is left to that poll


def test_the_sweep_places_the_rows_beyond_the_head_a_page_every_few_polls(fc, rows, settings):
    settings.FC_TRACK_SWEEP_EVERY = 2
    calls = []
    for _ in range(1 + settings.FC_TRACK_SWEEP_EVERY):  # the head, then the sweep's turn comes
        calls.append(poll(fc, rows))
    assert all(len(c) == 1 for c in calls), calls
    # One sweep page, the rest head pages: the sweep lists on from the head page's last record
    # (by its start time, not FC's nextToken), the head from the first unfinished task.
    assert not Invocation.objects.filter(fc_started_at=None).exists()
    first_unfinished = Invocation.objects.order_by("fc_started_at").first().fc_started_at
    begins = [int(re.search(r"startedTimeBegin=(\d+)", c[0]).group(1)) for c in calls]
    assert len([b for b in begins if b > round(first_unfinished.timestamp() * 1000)]) == 1
    assert not any("nextToken=" in c[0] for c in calls)
    assert Invocation.objects.filter(state=InvocationState.TRACKING).count() == 124


def test_a_task_stopped_deep_in_the_queue_outside_the_console_ends_through_the_sweep(
    fc, rows, invoker, settings
):
    settings.FC_TRACK_SWEEP_EVERY = 2
    fc.send("busy_deep", 60)  # behind the 124 others: beyond the head page
    task = track(rows, invoker, "busy_deep")
    poll(fc, rows)
    fc.client.stop_stateful_async_invocation("demo", FUNCTION, "busy_deep")
    bound = math.ceil(125 / 100) * settings.FC_TRACK_SWEEP_EVERY  # the documented full pass
    for _ in range(bound):
        calls = poll(fc, rows)
        assert len(calls) == 1, calls  # the one List call, no Get
        task.refresh_from_db()
        if task.state != InvocationState.TRACKING:
            break
    assert task.state == InvocationState.STOPPED, f"still {task.async_status} after {bound} polls"
    assert task.fc_started_at is not None
    events = task.status_events.order_by("fc_event_id").values_list("status", flat=True)
    assert list(events) == ["Enqueued", "Stopping", "Stopped"]


def test_a_task_stopped_from_the_console_deep_in_the_queue_ends_on_the_next_poll(
    fc, rows, invoker, admin, settings
):
    settings.FC_TRACK_SWEEP_EVERY = 10**6  # the sweep's turn does not come: the Get must do it
    fc.send("busy_stop", 60)
    task = track(rows, invoker, "busy_stop")
    poll(fc, rows)
    task.stop(admin)
    calls = poll(fc, rows)
    assert len(lists(calls)) == 1 and sum(f"{LIST}/busy_stop " in call for call in calls) == 1
    task.refresh_from_db()
    assert task.state == InvocationState.STOPPED


def test_tasks_not_placed_yet_are_placed_and_end_a_page_further_each_poll(fc, rows, invoker):
    # 150 tasks that ended before the console saw them, sent within FC's clock slack of each
    # other: the head must move past the ended ones, not read the same first page again.
    done = [track(rows, invoker, f"done_{i:03d}") for i in range(150)]
    Invocation.objects.filter(async_invocation_id__startswith="busy_").delete()
    for expected in (100, 150):
        assert len(poll(fc, rows)) == 1
        assert Invocation.objects.filter(pk__in=[t.pk for t in done], state="succeeded").count() == expected
    assert not Invocation.objects.filter(async_invocation_id__startswith="done_", fc_started_at=None).exists()


def test_a_task_fc_never_listed_costs_one_get_once_the_listing_has_passed_it(fc, rows, invoker, settings):
    settings.FC_TRACK_SWEEP_EVERY = 2
    task = track(rows, invoker, "busy_ghost_1", timedelta(minutes=2))  # FC never heard of it
    gets = []
    while not any(gets) and len(gets) < 1 + settings.FC_TRACK_SWEEP_EVERY:  # a sweep pass ends by then
        calls = poll(fc, rows)
        assert len(lists(calls)) == 1, calls
        gets.append(sum(f"{LIST}/busy_ghost_1 " in call for call in calls))
    assert gets[-1] == 1
    assert len(gets) > 1  # not before the listing had gone past where FC would list it
    task.refresh_from_db()
    assert task.state == InvocationState.TRACKING  # FC may still list it: not yet given up


def test_a_task_fc_never_knew_ends_unknown_after_the_longest_wait(fc, rows, invoker, settings):
    settings.FC_TRACK_UNSEEN_MAX = 600
    settings.FC_TRACK_SWEEP_EVERY = 2
    task = track(rows, invoker, "busy_ghost_2", timedelta(minutes=11))  # FC never heard of it
    for _ in range(1 + settings.FC_TRACK_SWEEP_EVERY):
        poll(fc, rows)
    task.refresh_from_db()
    assert task.state == InvocationState.UNKNOWN
    assert "FC has no record of the async task busy_ghost_2" in task.state_reason
    assert "StatefulAsyncInvocationNotFound" in task.state_reason
    assert task.finished_at is not None
    assert Invocation.objects.filter(async_invocation_id__startswith="busy_", state="tracking").count() == 124
