"""History retention: finished invocations older than HISTORY_RETENTION_DAYS are deleted in batches.

Each batch is one transaction together with the audit entry saying what it removed (announced
through `activity`, whose receiver writes the trail synchronously), so the trail never misses a
deletion that happened, and a crash part way keeps what was already done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from invocations import activity
from invocations.models import AsyncStatusEvent, Invocation, InvocationState


@dataclass
class Pruned:
    invocations: int = 0
    status_events: int = 0
    cutoff: datetime | None = None


def prune_history(*, days: int | None = None, batch_size: int = 2000, now: datetime | None = None) -> Pruned:
    days = settings.HISTORY_RETENTION_DAYS if days is None else days
    if days <= 0:
        return Pruned()  # keep forever
    cutoff = (now or timezone.now()) - timedelta(days=days)
    # Still-running invocations are never pruned, however old: their worker may still write.
    expired = Invocation.objects.filter(created_at__lt=cutoff, state__in=InvocationState.terminal())
    pruned = Pruned(cutoff=cutoff)
    while True:
        with transaction.atomic():
            batch = list(expired.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                return pruned
            span = Invocation.objects.filter(pk__in=batch).aggregate(
                oldest=Min("created_at"), newest=Max("created_at")
            )
            events, _ = AsyncStatusEvent.objects.filter(invocation_id__in=batch).delete()
            # only("pk"): deleting must not load a batch of payloads into memory.
            _, per_model = Invocation.objects.filter(pk__in=batch).only("pk").delete()
            removed = per_model.get(Invocation._meta.label, 0)
            activity.record(
                "history.pruned",
                after={
                    "invocations": removed,
                    "status_events": events,
                    "retention_days": days,
                    "older_than": cutoff,
                    "oldest": span["oldest"],
                    "newest": span["newest"],
                },
            )
        pruned.invocations += removed
        pruned.status_events += events
