"""History retention: finished invocations older than HISTORY_RETENTION_DAYS go, in batches, on record."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEntry
from fcconsole.celery import app
from invocations.history.retention import prune_history
from invocations.models import AsyncStatusEvent, Invocation
from invocations.tasks import prune_history as prune_history_task
from tests.history.conftest import make_invocation


def aged(invocation, days):
    # created_at is auto_now_add: age the row the way time would.
    Invocation.objects.filter(pk=invocation.pk).update(created_at=timezone.now() - timedelta(days=days))
    return invocation


@pytest.fixture
def old_and_new(invoker, profile):
    old = [aged(make_invocation(invoker, profile), 40) for _ in range(5)]
    AsyncStatusEvent.objects.create(invocation=old[0], status="Succeeded", at=timezone.now())
    running = aged(make_invocation(invoker, profile, state="running"), 40)
    recent = aged(make_invocation(invoker, profile), 10)
    return old, running, recent


@pytest.mark.django_db
def test_it_deletes_finished_history_older_than_the_retention_with_its_status_events(old_and_new):
    old, running, recent = old_and_new
    pruned = prune_history(days=30, batch_size=2)
    assert (pruned.invocations, pruned.status_events) == (5, 1)
    assert set(Invocation.objects.values_list("pk", flat=True)) == {running.pk, recent.pk}
    assert not AsyncStatusEvent.objects.exists()


@pytest.mark.django_db
def test_each_batch_is_recorded_with_what_it_removed(old_and_new):
    prune_history(days=30, batch_size=2)
    entries = AuditEntry.objects.filter(action="history.pruned").order_by("seq")
    assert [e.after["invocations"] for e in entries] == [2, 2, 1]
    assert sum(e.after["status_events"] for e in entries) == 1
    assert all(e.actor is None and e.after["retention_days"] == 30 for e in entries)


@pytest.mark.django_db
def test_zero_days_keeps_history_forever(old_and_new):
    assert prune_history(days=0).invocations == 0
    assert Invocation.objects.count() == 7
    assert not AuditEntry.objects.filter(action="history.pruned").exists()


@pytest.mark.django_db
def test_the_task_reads_the_setting(settings, old_and_new):
    settings.HISTORY_RETENTION_DAYS = 30
    assert prune_history_task.apply().get() == 5


@pytest.mark.django_db
def test_a_rerun_outlives_its_pruned_original(invoker, profile):
    original = aged(make_invocation(invoker, profile), 40)
    rerun = make_invocation(invoker, profile, rerun_of=original)
    prune_history(days=30)
    rerun.refresh_from_db()
    assert rerun.rerun_of is None


def test_the_prune_runs_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["prune-history"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and entry["schedule"] <= 24 * 3600
