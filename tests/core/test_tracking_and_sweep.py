"""How FC's async records become rows and timelines, and what the sweep picks up."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from invocations.lifecycle import sweep
from invocations.lifecycle.tracking import poll, store
from invocations.lifecycle.tracking.cursor import Cursor
from invocations.models import AsyncStatusEvent, Invocation, InvocationState

T0 = 1_700_000_000_000  # epoch ms


def tracked(user, profile, **fields) -> Invocation:
    values = dict(
        region="cn-hangzhou",
        service="demo",
        function="stateful-job",
        invocation_type="async",
        async_invocation_id="job_1",
        state=InvocationState.TRACKING,
    )
    return Invocation.objects.create(user=user, profile=profile, **{**values, **fields})


def record(status, *events, **fields):
    return {
        "id": "job_1",
        "status": status,
        "events": [{"eventId": i, "status": s, "timestamp": T0 + i * 1000} for i, s in enumerate(events)],
        **fields,
    }


def apply(invocation, record):
    """Store one FC record the way a poll stores a page of them."""
    store.apply_records([(invocation, record)])


@pytest.mark.django_db
def test_each_status_change_is_stored_once_with_fcs_time(invoker, nowhere_profile):
    invocation = tracked(invoker, nowhere_profile)
    apply(invocation, record("Running", "Enqueued", "Running"))
    apply(invocation, record("Running", "Enqueued", "Running"))
    events = list(AsyncStatusEvent.objects.filter(invocation=invocation))
    assert [(e.status, e.fc_event_id) for e in events] == [("Enqueued", 0), ("Running", 1)]
    assert events[1].at - events[0].at == timedelta(seconds=1)
    invocation.refresh_from_db()
    assert (invocation.state, invocation.async_status) == (InvocationState.TRACKING, "Running")


@pytest.mark.django_db
def test_a_succeeded_task_copies_its_result(invoker, nowhere_profile):
    invocation = tracked(invoker, nowhere_profile)
    apply(
        invocation,
        record(
            "Succeeded",
            "Enqueued",
            "Succeeded",
            returnPayload='{"ok": 1}',
            durationMs=1200,
            endTime=T0 + 5000,
        ),
    )
    invocation.refresh_from_db()
    assert invocation.state == InvocationState.SUCCEEDED
    assert (bytes(invocation.response_body), invocation.duration_ms) == (b'{"ok": 1}', 1200)
    assert invocation.finished_at.timestamp() * 1000 == T0 + 5000


@pytest.mark.parametrize(
    "status, state",
    [("Failed", "failed"), ("Expired", "failed"), ("Invalid", "failed"), ("Stopped", "stopped")],
)
@pytest.mark.django_db
def test_fc_end_statuses_map_to_end_states(invoker, nowhere_profile, status, state):
    invocation = tracked(invoker, nowhere_profile)
    apply(invocation, record(status, status, errorMessage="UnhandledInvocationError"))
    invocation.refresh_from_db()
    assert invocation.state == state
    assert invocation.error_message == "UnhandledInvocationError"


@pytest.mark.django_db
def test_a_record_without_events_still_leaves_one_event_per_change(invoker, nowhere_profile):
    invocation = tracked(invoker, nowhere_profile)
    apply(invocation, {"id": "job_1", "status": "Running"})
    invocation.refresh_from_db()
    apply(invocation, {"id": "job_1", "status": "Running"})
    assert list(invocation.status_events.values_list("status", flat=True)) == ["Running"]


@pytest.mark.django_db
def test_a_function_with_several_tracked_tasks_is_one_group(invoker, nowhere_profile):
    tracked(invoker, nowhere_profile, async_invocation_id="job_1")
    tracked(invoker, nowhere_profile, async_invocation_id="job_2")
    tracked(invoker, nowhere_profile, async_invocation_id="job_3", function="other")
    groups = poll.due_groups()
    assert sorted(g.function for g in groups) == ["other", "stateful-job"]


@pytest.mark.django_db
def test_a_function_polled_less_than_half_an_interval_ago_is_not_due(invoker, nowhere_profile, settings):
    settings.FC_TRACK_INTERVAL = 1
    tracked(invoker, nowhere_profile)
    [group] = poll.due_groups()
    cache.set(poll.polled_key(group), timezone.now().timestamp())
    assert poll.due_groups() == []
    cache.set(poll.polled_key(group), timezone.now().timestamp() - 0.6)
    assert poll.due_groups() == [group]
    cache.delete(poll.polled_key(group))


@pytest.mark.django_db
def test_the_sweep_resends_rows_never_sent_and_leaves_fresh_or_sent_ones(invoker, nowhere_profile):
    old = timezone.now() - timedelta(minutes=1)
    never_sent = tracked(invoker, nowhere_profile, state=InvocationState.QUEUED)
    sent = tracked(invoker, nowhere_profile, state=InvocationState.QUEUED, sent_at=old)
    fresh = tracked(invoker, nowhere_profile, state=InvocationState.QUEUED)
    Invocation.objects.filter(pk__in=[never_sent.pk, sent.pk]).update(created_at=old)
    assert list(Invocation.objects.unsent()) == [never_sent]
    assert fresh not in Invocation.objects.unsent()


@pytest.mark.django_db
def test_the_sweep_sends_again_a_row_sent_long_ago_that_never_ran(invoker, nowhere_profile):
    long_ago = timezone.now() - timedelta(hours=1)
    lost = tracked(invoker, nowhere_profile, state=InvocationState.QUEUED, sent_at=long_ago)
    assert list(Invocation.objects.unsent()) == [lost]


@pytest.mark.django_db
def test_a_stuck_sync_row_ends_unknown_only_after_its_timeout_and_grace(invoker, nowhere_profile, settings):
    settings.FC_RUNNING_GRACE = 60
    running = dict(
        state=InvocationState.RUNNING, invocation_type="sync", async_invocation_id="", client_timeout=30
    )
    almost = tracked(invoker, nowhere_profile, started_at=timezone.now() - timedelta(seconds=85), **running)
    stuck = tracked(invoker, nowhere_profile, started_at=timezone.now() - timedelta(seconds=95), **running)
    assert sweep.end_stuck_running() == 1
    almost.refresh_from_db()
    stuck.refresh_from_db()
    assert almost.state == InvocationState.RUNNING
    assert stuck.state == InvocationState.UNKNOWN
    assert "30 s timeout and 60 s of grace" in stuck.state_reason


@pytest.mark.django_db
def test_a_stuck_async_send_is_queued_again_since_fc_deduplicates_it(invoker, nowhere_profile, settings):
    stuck = tracked(
        invoker,
        nowhere_profile,
        state=InvocationState.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
    )
    sweep.end_stuck_running()
    stuck.refresh_from_db()
    assert stuck.state == InvocationState.QUEUED
    assert "sending it again" in stuck.state_reason


def test_the_beat_schedule_runs_the_sweep_and_the_tracker(settings):
    from fcconsole.celery import app

    app.loader.import_default_modules()
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # The sweep's interval bounds how soon a dead worker's rows end (FC_SWEEP_INTERVAL, 10 s).
    assert (schedule["invocations.sweep"], schedule["invocations.track_async"]) == (10.0, 1.0)
    assert set(schedule) <= set(app.tasks)


@pytest.mark.parametrize(
    ("row_status", "record", "stored", "news"),
    [
        ("Running", {"status": "Running", "events": [{}, {}]}, 2, False),  # nothing new: no write
        ("Enqueued", {"status": "Running", "events": [{}, {}]}, 1, True),  # a new status
        ("Running", {"status": "Running", "events": [{}, {}, {}, {}]}, 2, True),  # Retrying came and went
        ("Running", {"status": "Running"}, 1, False),  # FC gave no events, status unchanged
        ("Succeeded", {"status": "Succeeded", "events": [{}]}, 1, True),  # a row still tracking must end
    ],
)
def test_a_poll_writes_only_tasks_whose_record_says_something_new(row_status, record, stored, news):
    assert store.has_news(Invocation(async_status=row_status), record, stored) is news


@pytest.mark.django_db
def test_a_page_of_changes_is_stored_in_one_insert_and_one_update_per_kind(
    invoker, nowhere_profile, django_assert_max_num_queries
):
    running = [tracked(invoker, nowhere_profile, async_invocation_id=f"run_{i}") for i in range(40)]
    ended = [tracked(invoker, nowhere_profile, async_invocation_id=f"end_{i}") for i in range(40)]
    pairs = [(row, record("Running", "Enqueued", "Running", startedTime=T0)) for row in running] + [
        (row, record("Succeeded", "Enqueued", "Succeeded", startedTime=T0, endTime=T0 + 2000))
        for row in ended
    ]
    with django_assert_max_num_queries(5):  # events, the two kinds of row, and a savepoint pair
        store.apply_records(pairs)
    assert AsyncStatusEvent.objects.count() == 160
    assert Invocation.objects.filter(state="tracking", async_status="Running").count() == 40
    assert Invocation.objects.filter(state="succeeded", fc_started_at__isnull=False).count() == 40


@pytest.mark.django_db
def test_a_row_that_already_ended_is_never_rewritten(invoker, nowhere_profile):
    invocation = tracked(invoker, nowhere_profile)
    Invocation.objects.filter(pk=invocation.pk).update(state=InvocationState.STOPPED, state_reason="stopped")
    apply(invocation, record("Failed", "Enqueued", "Failed", errorMessage="boom"))
    invocation.refresh_from_db()
    assert (invocation.state, invocation.state_reason, invocation.error_message) == ("stopped", "stopped", "")


def test_the_sweep_goes_on_by_start_time_and_uses_fcs_token_only_when_time_stands_still():
    query = {"started_time_begin": 1_000, "sort_order_by_time": "asc", "limit": 100}

    def page(last):
        return Cursor(sweep={"query": query, "token": "old-token", "last": last}).sweep_page()

    moved_on, stood_still, no_time = page(1_500), page(1_001), page(None)

    # From a millisecond before the last record's start, so it is listed inclusive or not.
    assert moved_on == ({**query, "started_time_begin": 1_499}, None)
    assert stood_still == no_time == (query, "old-token")


@pytest.mark.django_db
def test_a_sweep_under_way_elsewhere_is_not_run_twice(invoker, nowhere_profile):
    never_sent = tracked(invoker, nowhere_profile, state=InvocationState.QUEUED)
    Invocation.objects.filter(pk=never_sent.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    cache.add(sweep.LOCK, "another worker's sweep", 25)
    try:
        assert sweep.run() is False
        assert Invocation.objects.get(pk=never_sent.pk).send_attempts == 0  # left to that sweep
    finally:
        cache.delete(sweep.LOCK)
    assert sweep.run() is True
    assert Invocation.objects.get(pk=never_sent.pk).send_attempts == 1
    assert cache.get(sweep.LOCK) is None
