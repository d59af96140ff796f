"""Suites on a schedule: adding and removing schedules, and firing the due ones exactly once.

One beat entry (`suites.tick`, every SUITES_TICK_INTERVAL seconds) calls `fire_due`. A due
schedule's slot is its `next_run_at`; it is claimed with ONE conditional UPDATE that moves
`next_run_at` on only if it still holds that slot, in the same transaction that writes the run.
Whoever's UPDATE matches owns the slot; a second beat, a beat restarted mid-way or a retried task
matches nothing (PostgreSQL re-reads the row after the first transaction commits), and the unique
(schedule, slot) constraint on runs would refuse a second run even if it did. Nothing lives in
the scheduler's memory or its schedule file, so a restart neither skips nor doubles a slot: a
slot that came due while no scheduler ran is still `next_run_at`, and fires once when one is
back; the schedule then goes on from the first slot after now (the missed ones are not replayed).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from invocations import activity
from suites import runs
from suites.models import Schedule, SuiteRun

log = logging.getLogger(__name__)


@transaction.atomic
def add(suite, by, cron_text: str, profile_override: str = "") -> Schedule:
    """A schedule running `suite` as `by`; ValidationError (field `cron`) for a bad expression."""
    schedule = Schedule(
        suite=suite, run_as=by, cron=" ".join(cron_text.split()), profile_override=profile_override
    )
    schedule.next_run_at = timezone.now()  # replaced below, once the expression is known good
    schedule.full_clean(exclude=["next_run_at"])
    schedule.next_run_at = schedule.following(timezone.now())
    schedule.save()
    activity.record(
        "suite.schedule_added",
        actor=by,
        obj=suite,
        after={"cron": schedule.cron, "run_as": by.get_username()},
    )
    return schedule


@transaction.atomic
def remove(schedule: Schedule, by) -> None:
    activity.record("suite.schedule_removed", actor=by, obj=schedule.suite, before={"cron": schedule.cron})
    schedule.delete()


def fire(schedule: Schedule, now) -> SuiteRun | None:
    """Run `schedule`'s due slot if this call claims it; None when another did (or it is not due)."""
    slot = schedule.next_run_at
    if slot > now:
        return None
    following = schedule.following(max(now, slot))
    try:
        with transaction.atomic():
            claimed = Schedule.objects.filter(pk=schedule.pk, enabled=True, next_run_at=slot).update(
                next_run_at=following
            )
            if claimed != 1:
                return None
            return runs.start(
                schedule.suite,
                schedule.run_as,
                source="schedule",
                profile_override=schedule.profile_override,
                schedule=schedule,
                slot=slot,
            )
    except IntegrityError:
        log.warning("schedule %s: slot %s already has its run", schedule.uuid, slot.isoformat())
        return None


def fire_due(now=None) -> list[SuiteRun]:
    """Fire every enabled schedule whose slot has come (the beat's job); returns the runs started."""
    now = now or timezone.now()
    due = Schedule.objects.filter(
        enabled=True, next_run_at__lte=now, suite__deleted_at__isnull=True
    ).select_related("suite", "run_as")
    started = []
    for schedule in due:
        run = fire(schedule, now)
        if run is not None:
            started.append(run)
    return started
