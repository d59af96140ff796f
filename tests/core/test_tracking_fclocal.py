"""What a tracker poll costs at FC, against a real fclocal that logs every request it answers.

FC pages ListStatefulAsyncInvocations at 100 records, so seeing N unfinished tasks of a function
takes ceil(N / 100) calls: a poll must spend no more than that, however much history the
function has, and a task FC never heard of must not make every poll read that history.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from invocations import tracking
from invocations.fc.client import FCClient
from invocations.models import Invocation, InvocationState
from tests.core.conftest import make_profile

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
        deadline = time.monotonic() + 60
        while fc.ended() < 150:
            assert time.monotonic() < deadline, "fclocal did not run the 150 quick tasks"
            time.sleep(0.2)
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
    return tracking.Group(profile.pk, "cn-hangzhou", "demo", FUNCTION, "")


def poll(fc, group) -> list[str]:
    Invocation.objects.filter(state=InvocationState.TRACKING).update(polled_at=None)  # due now
    since = fc.mark()
    tracking.poll(group)
    # No wait needed: fclocal logs a request in send_response, before the answer reaches us,
    # and its stderr is line-buffered.
    return fc.calls(since)


def ghost(rows, invoker, task_id: str, sent_ago: timedelta) -> Invocation:
    """A tracked async task FC never heard of."""
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


def test_a_poll_costs_one_list_call_per_100_unfinished_tasks_whatever_the_history(fc, rows):
    first = poll(fc, rows)  # the tasks are new to us: looked for from the newest down
    assert len(first) == 2 and all(LIST in call for call in first)
    assert "sortOrderByTime=desc" in first[0]
    assert not Invocation.objects.filter(fc_started_at=None).exists()

    again = poll(fc, rows)  # now placed: from the earliest unfinished one up, nothing older
    assert len(again) == 2
    earliest = Invocation.objects.order_by("fc_started_at").first().fc_started_at
    assert f"startedTimeBegin={round(earliest.timestamp() * 1000)}" in again[0]
    assert "sortOrderByTime=asc" in again[0]


def test_a_task_fc_never_listed_costs_one_get_not_a_read_of_the_history(fc, rows, invoker):
    poll(fc, rows)
    task = ghost(rows, invoker, "ghost_1", timedelta(minutes=2))
    calls = poll(fc, rows)
    assert len(calls) == 3, calls  # the two pages of unfinished tasks, and one Get of the ghost
    assert sum(f"{LIST}/ghost_1 " in call for call in calls) == 1
    task.refresh_from_db()
    assert task.state == InvocationState.TRACKING  # FC may still list it: not yet given up


def test_a_task_fc_never_knew_ends_unknown_after_the_longest_wait(fc, rows, invoker, settings):
    settings.FC_TRACK_UNSEEN_MAX = 600
    task = ghost(rows, invoker, "ghost_2", timedelta(minutes=11))
    poll(fc, rows)
    task.refresh_from_db()
    assert task.state == InvocationState.UNKNOWN
    assert "FC has no record of the async task ghost_2" in task.state_reason
    assert "StatefulAsyncInvocationNotFound" in task.state_reason
    assert task.finished_at is not None
    assert Invocation.objects.filter(async_invocation_id__startswith="busy_", state="tracking").count() == 124
