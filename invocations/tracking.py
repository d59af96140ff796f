"""Following async tasks until they end, and stopping them.

Every FC_TRACK_INTERVAL seconds, the tracking rows are grouped by function (profile, region,
service, qualifier, function) and each group costs about one ListStatefulAsyncInvocations call,
narrowed by start time and by the common prefix of the task ids, instead of one Get per task.
A group is claimed by stamping its rows' `polled_at` in one conditional update, so overlapping
tracker runs (or several beat schedulers) do not poll the same rows twice.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import audit
from invocations import outcomes
from invocations.db import database
from invocations.fc.errors import FCError
from invocations.models import AsyncStatusEvent, CredentialProfile, Invocation, InvocationState, Role, role_of

log = logging.getLogger(__name__)

# FC status -> our end state (fc-api.md §4.3); other statuses mean "still going".
END_STATES = {
    "Succeeded": InvocationState.SUCCEEDED,
    "Failed": InvocationState.FAILED,
    "Expired": InvocationState.FAILED,
    "Invalid": InvocationState.FAILED,
    "Stopped": InvocationState.STOPPED,
}
_END_REASONS = {
    "Failed": "The async task failed",
    "Expired": "FC discarded the async task: it waited longer than the function's maximum event age",
    "Invalid": "FC did not run the async task (invalid, e.g. the function was deleted)",
    "Stopped": "The async task was stopped",
}
# FC's clocks and ours differ; and a record's startedTime may trail our send a little.
_START_SLACK = timedelta(minutes=5)
# Tasks not listed this long after their send are looked up one by one (at most a few per poll).
_GET_AFTER = timedelta(seconds=30)
_GETS_PER_POLL = 5


class Group(NamedTuple):
    profile_id: int
    region: str
    service: str
    function: str
    qualifier: str


def _due(now):
    cutoff = now - timedelta(seconds=settings.FC_TRACK_INTERVAL) + timedelta(milliseconds=200)
    return Q(state=InvocationState.TRACKING) & (Q(polled_at__isnull=True) | Q(polled_at__lt=cutoff))


def due_groups() -> list[Group]:
    rows = (
        Invocation.objects.filter(_due(timezone.now()))
        .order_by()
        .values_list("profile_id", "region", "service", "function", "qualifier")
        .distinct()
    )
    return [Group(*row) for row in rows]


def poll(group: Group) -> int:
    """One status poll for one function's tracking rows; returns how many rows it looked at."""
    now = timezone.now()
    with database():
        with transaction.atomic():
            rows = list(
                Invocation.objects.filter(_due(now), **group._asdict())
                .select_for_update(skip_locked=True)
                .only("pk", "async_invocation_id", "async_status", "request_id", "sent_at", "created_at")
            )
            Invocation.objects.filter(pk__in=[r.pk for r in rows]).update(polled_at=now)
        if not rows:
            return 0
        client = CredentialProfile.objects.get(pk=group.profile_id).client(group.region)

    records = _list(client, group, rows)
    unlisted = [
        row
        for row in rows
        if row.async_invocation_id not in records and now - (row.sent_at or row.created_at) > _GET_AFTER
    ]
    for row in unlisted[:_GETS_PER_POLL]:
        record = _get(client, group, row.async_invocation_id)
        if record:
            records[row.async_invocation_id] = record

    with database():
        for row in rows:
            if row.async_invocation_id in records:
                apply_record(row, records[row.async_invocation_id])
    return len(rows)


def _list(client, group: Group, rows) -> dict[str, dict]:
    earliest = min(r.sent_at or r.created_at for r in rows) - _START_SLACK
    prefix = os.path.commonprefix([r.async_invocation_id for r in rows])
    wanted = {r.async_invocation_id for r in rows}
    found = {}
    try:
        for record in client.list_stateful_async_invocations(
            group.service,
            group.function,
            qualifier=group.qualifier or None,
            started_time_begin=int(earliest.timestamp() * 1000),
            invocation_id_prefix=prefix or None,
            limit=100,
        ):
            if record.get("invocationId") in wanted:
                found[record["invocationId"]] = record
                if len(found) == len(wanted):
                    break  # no need for further pages
    except FCError as exc:
        log.warning(
            "async tracking of %s/%s: list failed: %s (%s)",
            group.service,
            group.function,
            exc.code,
            exc.message,
        )
    return found


def _get(client, group: Group, invocation_id: str) -> dict | None:
    try:
        return client.get_stateful_async_invocation(
            group.service, group.function, invocation_id, qualifier=group.qualifier or None
        )
    except FCError as exc:
        log.info("async tracking: %s not found yet: %s", invocation_id, exc.code)
        return None


def _from_ms(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def apply_record(invocation: Invocation, record: dict) -> None:
    """Store FC's view of one task: each new status as an event, and its end when it ended."""
    status = record.get("status") or ""
    events = [
        AsyncStatusEvent(
            invocation=invocation,
            status=event.get("status", ""),
            at=_from_ms(event.get("timestamp")) or timezone.now(),
            detail=event.get("eventDetail") or "",
            fc_event_id=event.get("eventId"),
        )
        for event in record.get("events") or []
    ]
    if not events and status and status != invocation.async_status:
        events = [AsyncStatusEvent(invocation=invocation, status=status, at=timezone.now())]
    AsyncStatusEvent.objects.bulk_create(events, ignore_conflicts=True)

    fields = {"async_status": status}
    if record.get("requestId") and not invocation.request_id:
        fields["request_id"] = record["requestId"]
    end_state = END_STATES.get(status)
    if end_state:
        error = record.get("invocationErrorMessage") or ""
        reason = _END_REASONS.get(status, "")
        fields.update(
            state=end_state,
            state_reason=f"{reason}: {error}." if reason and error else (f"{reason}." if reason else ""),
            finished_at=_from_ms(record.get("endTime")) or timezone.now(),
            duration_ms=record.get("durationMs"),
            instance_id=record.get("instanceId") or "",
            error_message=error,
        )
        if record.get("returnPayload") is not None:
            fields["response_body"] = str(record["returnPayload"]).encode()
    Invocation.objects.filter(pk=invocation.pk, state=InvocationState.TRACKING).update(**fields)


def stop(invocation: Invocation, user) -> None:
    """Stop an async task: its starter or an admin, with a profile they may still use.

    A row not yet handed to FC (queued) is simply cancelled here; a task FC is running gets
    StopStatefulAsyncInvocation, and the tracker records Stopping/Stopped as FC reports them.
    """
    role = role_of(user)
    if role is None or not role.allows(Role.INVOKER):
        raise PermissionDenied("Stopping needs the invoker role.")
    if invocation.user_id != user.pk and role != Role.ADMIN:
        raise PermissionDenied("Only the person who started it or an admin may stop it.")
    if not CredentialProfile.objects.usable_by(user).filter(pk=invocation.profile_id).exists():
        raise PermissionDenied(f"You may no longer use the profile {invocation.profile.name}.")
    now = timezone.now()
    cancelled = Invocation.objects.filter(pk=invocation.pk, state=InvocationState.QUEUED).update(
        state=InvocationState.STOPPED,
        state_reason=f"Stopped by {user.get_username()} before it was sent to FC.",
        stop_requested_at=now,
        stopped_by=user,
        finished_at=now,
    )
    if cancelled:
        audit.record("invocation.stopped", actor=user, obj=invocation, after={"before_sending": True})
        return
    invocation.refresh_from_db(fields=["state"])
    if invocation.state != InvocationState.TRACKING or not invocation.is_async:
        raise ValidationError(f"Only a running async task can be stopped; this one is {invocation.state}.")
    task_id = invocation.async_invocation_id
    try:
        invocation.profile.client(invocation.region).stop_stateful_async_invocation(
            invocation.service, invocation.function, task_id, qualifier=invocation.qualifier or None
        )
    except FCError as exc:
        if exc.code == "StatefulAsyncInvocationAlreadyCompleted":
            raise ValidationError("The task had already finished; its final status shows shortly.") from None
        raise ValidationError(outcomes.refused_reason(exc)) from None
    Invocation.objects.filter(pk=invocation.pk, state=InvocationState.TRACKING).update(
        stop_requested_at=now,
        stopped_by=user,
        state_reason=f"Stop requested by {user.get_username()}; waiting for FC to stop the task.",
        polled_at=None,
    )
    audit.record("invocation.stopped", actor=user, obj=invocation, after={"async_invocation_id": task_id})
