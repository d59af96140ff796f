"""A due slot fires exactly once: across a scheduler restart, and under two beats at once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from suites import schedules
from suites.models import SuiteRun
from tests.suites.conftest import check

pytestmark = pytest.mark.django_db(transaction=True)


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def scheduled(invoker, make_suite):
    # A check the console refuses without calling anything: the run starts and ends at once.
    suite = make_suite(invoker, [check("hello", event={"saved": "missing"})])
    schedule = schedules.add(suite, invoker, "*/15 * * * *")
    schedule.next_run_at = at(2030, 1, 1, 10, 15)
    schedule.save()
    return schedule


def test_a_slot_fires_once_across_a_scheduler_restart(scheduled):
    assert schedules.fire_due(now=at(2030, 1, 1, 10, 14)) == []  # not due yet
    fired = schedules.fire_due(now=at(2030, 1, 1, 10, 15, 5))
    assert [(r.schedule_id, r.slot, r.source) for r in fired] == [
        (scheduled.pk, at(2030, 1, 1, 10, 15), "schedule")
    ]
    # The scheduler restarts and beats again at once, within the same minute: nothing doubles.
    assert schedules.fire_due(now=at(2030, 1, 1, 10, 15, 20)) == []
    scheduled.refresh_from_db()
    assert scheduled.next_run_at == at(2030, 1, 1, 10, 30)


def test_slots_missed_while_down_fire_once_when_back(scheduled):
    # Down from 10:10 to 11:02: the 10:15, 10:30, 10:45 and 11:00 slots passed unseen.
    fired = schedules.fire_due(now=at(2030, 1, 1, 11, 2))
    assert [r.slot for r in fired] == [at(2030, 1, 1, 10, 15)]
    scheduled.refresh_from_db()
    assert scheduled.next_run_at == at(2030, 1, 1, 11, 15)
    assert schedules.fire_due(now=at(2030, 1, 1, 11, 3)) == []
    assert SuiteRun.objects.count() == 1


def test_two_beats_at_once_start_one_run(scheduled):
    barrier = threading.Barrier(2)
    results = []

    def beat():
        try:
            barrier.wait(5)
            results.append(len(schedules.fire_due(now=at(2030, 1, 1, 10, 16))))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 1]
    assert SuiteRun.objects.filter(schedule=scheduled).count() == 1


def test_a_scheduled_run_is_judged_and_runs_as_the_schedules_owner(scheduled, invoker):
    (run,) = schedules.fire_due(now=at(2030, 1, 1, 10, 15))
    run.refresh_from_db()
    assert (run.user, run.is_finished, run.passed) == (invoker, True, False)
    assert run.run_checks.get().verdict == "not_run"


def test_a_deleted_suites_schedule_does_not_fire(scheduled, invoker):
    scheduled.suite.soft_delete(invoker)
    assert schedules.fire_due(now=at(2030, 1, 1, 10, 15) + timedelta(days=1)) == []
