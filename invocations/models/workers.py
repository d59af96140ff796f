"""The workers that claim rows, and when each last said it was alive (its heartbeat)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper
from django.db.models.functions import Now
from django.utils import timezone


def seconds_ago(seconds: float) -> ExpressionWrapper:
    """The database's now minus `seconds`: heartbeats are written and judged on its clock."""
    return ExpressionWrapper(Now() - timedelta(seconds=seconds), output_field=models.DateTimeField())


class WorkerQuerySet(models.QuerySet):
    def dead(self):
        """Workers silent for FC_WORKER_DEAD_AFTER seconds: whatever they were calling has no caller.

        None, when no worker at all has beaten lately: then the heartbeats themselves could not be
        written (the database was away), and silence proves nothing. The sweep that asks runs in a
        worker, so in the ordinary case at least its own heartbeat is fresh.
        """
        if not self.filter(last_seen__gte=seconds_ago(2 * settings.FC_WORKER_HEARTBEAT)).exists():
            return self.none()
        return self.filter(last_seen__lt=seconds_ago(settings.FC_WORKER_DEAD_AFTER))


class Worker(models.Model):
    """One worker process (`celery worker`); its heartbeat thread (lifecycle/liveness.py) moves
    `last_seen` every FC_WORKER_HEARTBEAT seconds. Kept in PostgreSQL, not in Redis: a Redis outage
    (or restart, which empties it) must not make every live worker look dead."""

    name = models.CharField(max_length=200, unique=True, help_text="Celery hostname and pid")
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="shut down cleanly")
    declared_dead_at = models.DateTimeField(null=True, blank=True, help_text="the sweep ended its rows")

    objects = WorkerQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["last_seen"], name="worker_last_seen")]

    def __str__(self):
        return self.name
