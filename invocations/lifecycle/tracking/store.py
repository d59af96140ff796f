"""Writing what FC's listing says of many tracked rows at once: status events, ends, start times.

Rows are written only when FC has news of them (`has_news`); the writes are one INSERT of events
and one UPDATE per set of changed fields, and never touch a row that has already ended.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from invocations import activity
from invocations.lifecycle import outcomes, wakeups
from invocations.lifecycle.tracking.cursor import from_ms
from invocations.models import AsyncStatusEvent, Invocation, InvocationState
from invocations.models.follows import outside_user
from invocations.models.states import InvocationType, Source

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
# What a poll reads of a row FC listed or it looks up (besides `sent` and its stored events).
READ_FIELDS = (
    "pk",
    "async_invocation_id",
    "async_status",
    "request_id",
    "fc_started_at",
    "stop_requested_at",
)


def with_events(rows):
    """`rows` as a poll reads them, each with its count of stored events: a record whose status
    is unchanged may still carry news (Retrying came and went)."""
    return rows.only(*READ_FIELDS).annotate(stored_events=Count("status_events")).order_by()


def adopt(records: list[dict], *, profile_id: int, region: str, service: str, function: str, qualifier: str):
    """Rows for the tasks of `records` that no row knows: the console did not send them.

    Whether the console knows a task is asked of every row of the function, whatever its profile
    or qualifier (a listing without a qualifier shows the tasks sent to every alias). The new rows
    start `tracking` and come back as (row, record) pairs for `apply_records`, which gives them
    their status, events and end as for any other. They keep what FC told of them: the payload
    when FC returned it, the start time (as their created_at, so the history puts them in
    place), the request id.
    """
    ids = [record["id"] for record in records if record.get("id")]
    if not ids:
        return []
    known = set(
        Invocation.objects.filter(
            region=region, service=service, function=function, async_invocation_id__in=ids
        ).values_list("async_invocation_id", flat=True)
    )
    foreign = {record["id"]: record for record in records if record.get("id") and record["id"] not in known}
    if not foreign:
        return []
    user = outside_user()
    rows = Invocation.objects.bulk_create(
        Invocation(
            user=user,
            profile_id=profile_id,
            source=Source.OUTSIDE,
            region=region,
            service=service,
            function=function,
            qualifier=qualifier or _named_qualifier(record),
            invocation_type=InvocationType.ASYNC,
            event=str(record.get("payload") or "").encode(),
            async_invocation_id=task_id,
            state=InvocationState.TRACKING,
            state_reason="Started outside the console; FC listed it for a function the console follows.",
            request_id=record.get("requestId") or "",
        )
        for task_id, record in foreign.items()
    )
    for row in rows:
        started = from_ms(foreign[row.async_invocation_id].get("startedTime"))
        if started:
            Invocation.objects.filter(pk=row.pk).update(created_at=started)
        activity.record(
            "invocation.started_outside", obj=row, after={"async_invocation_id": row.async_invocation_id}
        )
    return [(row, foreign[row.async_invocation_id]) for row in rows]


def _named_qualifier(record: dict) -> str:
    """The alias or version a listed task was sent to; LATEST is the function itself ("")."""
    named = record.get("qualifier") or ""
    return "" if named == "LATEST" else named


def has_news(invocation: Invocation, record: dict, stored_events: int) -> bool:
    """Whether FC's record of a task says something the row does not hold yet."""
    status = record.get("status") or ""
    return (
        status != invocation.async_status
        or status in END_STATES
        or len(record.get("events") or []) > stored_events
        or (invocation.fc_started_at is None and bool(record.get("startedTime")))
    )


def apply_records(pairs: list[tuple[Invocation, dict]]) -> None:
    """Store FC's view of many tasks at once: each new status as an event, and each end.

    One INSERT for all the events (those already stored are skipped by their unique key) and one
    UPDATE per set of changed fields, only of rows still tracking: an ended row is never rewritten.
    The in-memory rows take the new values.
    """
    events, by_fields, ends = [], defaultdict(list), []
    for invocation, record in pairs:
        events += _events(invocation, record)
        fields = _changes(invocation, record)
        for name, value in fields.items():
            setattr(invocation, name, value)
        by_fields[tuple(sorted(fields))].append(invocation)
        if "state" in fields:
            ends.append(invocation.pk)
    with transaction.atomic():
        AsyncStatusEvent.objects.bulk_create(events, ignore_conflicts=True)
        for names, rows in by_fields.items():
            _update_tracking(rows, names)
        # Whoever waits on a row that ended (the API's `?wait`) is woken once this commits.
        transaction.on_commit(lambda: wakeups.announce(*ends, invocation_type=InvocationType.ASYNC))


def _update_tracking(rows: list[Invocation], names: tuple[str, ...]) -> None:
    """Write `names` of each row (its own values) in one UPDATE, to rows still tracking only.

    PostgreSQL gets UPDATE ... FROM (VALUES ...): bulk_update's CASE WHEN per field and row cost
    the tracker more Python time building expressions than the database spent running them.
    """
    if connection.vendor != "postgresql":
        Invocation.objects.filter(state=InvocationState.TRACKING).bulk_update(rows, names)
        return
    quote = connection.ops.quote_name
    fields = [Invocation._meta.get_field(name) for name in names]
    pk = Invocation._meta.pk
    casts = [f"%s::{pk.rel_db_type(connection)}", *(f"%s::{field.db_type(connection)}" for field in fields)]
    values = ", ".join([f"({', '.join(casts)})"] * len(rows))
    params = []
    for row in rows:
        params.append(row.pk)
        params += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    columns = [quote(field.column) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Invocation._meta.db_table)} AS row SET "
            + ", ".join(f"{column} = new.{column}" for column in columns)
            + f" FROM (VALUES {values}) AS new(pk, {', '.join(columns)})"
            + f" WHERE row.{quote(pk.column)} = new.pk AND row.{quote('state')} = %s",
            [*params, InvocationState.TRACKING.value],
        )


def _events(invocation: Invocation, record: dict) -> list[AsyncStatusEvent]:
    status = record.get("status") or ""
    events = [
        AsyncStatusEvent(
            invocation=invocation,
            status=event.get("status", ""),
            at=from_ms(event.get("timestamp")) or timezone.now(),
            detail=event.get("eventDetail") or "",
            fc_event_id=event.get("eventId"),
        )
        for event in record.get("events") or []
    ]
    if not events and status and status != invocation.async_status:
        events = [AsyncStatusEvent(invocation=invocation, status=status, at=timezone.now())]
    return events


def _changes(invocation: Invocation, record: dict) -> dict:
    status = record.get("status") or ""
    fields = {"async_status": status}
    if record.get("requestId") and not invocation.request_id:
        fields["request_id"] = record["requestId"]
    if record.get("startedTime") and not invocation.fc_started_at:
        fields["fc_started_at"] = from_ms(record["startedTime"])
    end_state = END_STATES.get(status)
    if end_state:
        error = record.get("errorMessage") or ""
        reason = _END_REASONS.get(status, "")
        fields.update(
            state=end_state,
            state_reason=outcomes.sentence(f"{reason}: {error}" if reason and error else reason),
            finished_at=from_ms(record.get("endTime")) or timezone.now(),
            duration_ms=record.get("durationMs"),
            instance_id=record.get("instanceId") or "",
            error_message=error,
        )
        if record.get("returnPayload") is not None:
            fields["response_body"] = str(record["returnPayload"]).encode()
    return fields
