"""Whose rows the sweep may end: a dead worker's, never a live one's nor the CLI's."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from invocations.lifecycle import claimant, liveness, sweep
from invocations.models import Invocation, InvocationState, Worker

pytestmark = pytest.mark.django_db


def running_row(invoker, profile, claimed_by: str, **fields) -> Invocation:
    return Invocation.objects.create(
        user=invoker,
        profile=profile,
        region="cn-hangzhou",
        service="demo",
        function="slow",
        state=InvocationState.RUNNING,
        started_at=timezone.now() - timedelta(seconds=120),
        claimed_by=claimed_by,
        **fields,
    )


@pytest.fixture
def profile(db):
    from tests.core.conftest import make_profile

    return make_profile("liveness", "http://127.0.0.1:9")


def beat(name: str, seconds_ago: float) -> Worker:
    return Worker.objects.create(name=name, last_seen=timezone.now() - timedelta(seconds=seconds_ago))


def test_the_claim_names_who_claimed(invoker, profile):
    row = Invocation.objects.create(user=invoker, profile=profile, region="r", service="s", function="f")
    assert Invocation.objects.claim(row.pk).claimed_by == claimant.name()
    assert claimant.name().endswith("(not a worker)")  # this process is no Celery worker


def test_a_silent_worker_s_sync_row_ends_unknown_naming_it(invoker, profile, settings):
    settings.FC_WORKER_DEAD_AFTER = 30
    beat("celery@alive pid 1", 1)
    beat("celery@dead pid 2", 31)
    alive = running_row(invoker, profile, "celery@alive pid 1")
    dead = running_row(invoker, profile, "celery@dead pid 2")

    assert sweep.end_dead_workers() == 1
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.state == InvocationState.RUNNING
    assert dead.state == InvocationState.UNKNOWN
    assert dead.state_reason.startswith("No result: the worker celery@dead pid 2 that was calling FC stopped")
    assert Worker.objects.get(name="celery@dead pid 2").declared_dead_at is not None


def test_a_row_the_cli_claimed_is_left_to_its_timeout_and_grace(invoker, profile, settings):
    settings.FC_RUNNING_GRACE = 1
    beat("celery@alive pid 1", 1)
    cli = running_row(invoker, profile, "laptop pid 7 (not a worker)", client_timeout=5)

    assert sweep.end_dead_workers() == 0
    assert sweep.end_stuck_running() == 1
    cli.refresh_from_db()
    assert cli.state == InvocationState.UNKNOWN
    assert cli.state_reason.startswith("No result: the worker stopped answering while calling FC")


def test_nobody_is_judged_when_no_heartbeat_at_all_is_fresh(invoker, profile):
    """Every heartbeat old at once means they could not be written (the database was away)."""
    beat("celery@a pid 1", 300)
    row = running_row(invoker, profile, "celery@a pid 1")
    assert sweep.end_dead_workers() == 0
    row.refresh_from_db()
    assert row.state == InvocationState.RUNNING


def test_a_worker_whose_database_was_just_away_judges_nobody_until_it_has_been_back_long_enough(
    invoker, profile, settings, monkeypatch
):
    """The sweep runs in a worker; after its own database was away, another worker's silence may
    be the database's, not a death. The state is liveness's own: the heartbeat that failed, the
    first one written after it (tests/faults/test_matrix.py drives it with a real outage)."""
    settings.FC_WORKER_DEAD_AFTER = 30
    monkeypatch.setattr(claimant, "_worker", "celery@judge pid 3")
    beat("celery@alive pid 1", 1)
    beat("celery@late pid 2", 31)
    late = running_row(invoker, profile, "celery@late pid 2")

    monkeypatch.setattr(liveness, "_reachable_since", None)  # its last heartbeat failed
    assert sweep.end_dead_workers() == 0
    monkeypatch.setattr(liveness, "_reachable_since", time.monotonic() - 29)  # back for 29 s
    assert sweep.end_dead_workers() == 0
    late.refresh_from_db()
    assert late.state == InvocationState.RUNNING

    monkeypatch.setattr(liveness, "_reachable_since", time.monotonic() - 30)
    assert sweep.end_dead_workers() == 1
    late.refresh_from_db()
    assert late.state == InvocationState.UNKNOWN
