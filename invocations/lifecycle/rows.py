"""The row's way through the queue: every step one conditional UPDATE on the state it expects.

The row is the truth and Celery is transport: two workers (or a worker and the sweep) racing for
the same row cannot both win. `InvocationQuerySet` (models/invocation_queryset.py) builds on
these; the steps that use them are `run`, `sweep` and `tracking` beside this module.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache

from celery import current_app
from django.conf import settings
from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from kombu.exceptions import KombuError
from kombu.utils.uuid import uuid

from fcconsole import statements
from invocations.lifecycle import claimant, wakeups
from invocations.models.states import InvocationState

log = logging.getLogger(__name__)

# The Celery task that runs one row (invocations/tasks.py); sent by name, so that writing a row
# needs nothing of the worker's code.
RUN_TASK = "invocations.invoke"
QUEUE_DOWN = "Queued; the task queue is unreachable, it will be sent when the queue is back."


@cache
def _claim_statement(model, count: int) -> tuple[str, list, list]:
    """The claim's SQL for `count` rows (built once per process; on PostgreSQL one text for any
    count, the ids bound as one array) and the fields its result columns fill, in order."""
    quote = connection.ops.quote_name
    meta = model._meta
    profile_meta = meta.get_field("profile").related_model._meta
    row_fields, profile_fields = list(meta.concrete_fields), list(profile_meta.concrete_fields)

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    postgresql = connection.vendor == "postgresql"
    ids = "= ANY(%s)" if postgresql else f"IN ({', '.join(['%s'] * count)})"
    update = (
        f"UPDATE {quote(meta.db_table)} SET {column('state')} = %s, "
        f"{column('state_reason')} = '', {column('started_at')} = %s, "
        f"{column('attempts')} = {column('attempts')} + 1, {column('claimed_by')} = %s "
        f"WHERE {column('id')} {ids} AND {column('state')} = %s "
        f"RETURNING {', '.join(quote(f.column) for f in row_fields)}"
    )
    if not postgresql:
        # SQLite has no UPDATE inside WITH: the profile is read when first used.
        return update, statements.columns(row_fields, meta.db_table), []
    selected = ", ".join(
        [f"claimed.{quote(f.column)}" for f in row_fields] + [f"p.{quote(f.column)}" for f in profile_fields]
    )
    sql = (
        f"WITH claimed AS ({update}) SELECT {selected} FROM claimed "
        f"LEFT JOIN {quote(profile_meta.db_table)} p ON p.{quote(profile_meta.pk.column)} = claimed.{column('profile')}"
    )
    return (
        sql,
        statements.columns(row_fields, meta.db_table),
        statements.columns(profile_fields, profile_meta.db_table),
    )


def _publish(producer, sends: list[tuple[int, str]]) -> None:
    """Publish the run task of each (pk, celery_task_id) on `producer`: what `send_task` does for
    each, with the route looked up once per call. Its per-message lookups (configuration, task
    registry, route, a result object) were a third of a 1,000-row batch's CPU and a tenth of a
    submit's (bench/RESULTS.md, issue 18). Messages are still built and published by Celery
    (protocol 2 headers, the publish signals); `ignore_result`: nothing waits on a result, so the
    result backend is not contacted. Connection errors surface as kombu's, as from send_task.
    """
    app = current_app
    amqp = app.amqp
    options = amqp.router.route({}, RUN_TASK, None, None, app.tasks.get(RUN_TASK))
    # Not declared again per message (a copy and bind of the Queue each, a sixth of a publish):
    # Celery sends a route with a direct exchange through the default exchange straight to the
    # queue, which needs no binding, and the workers declare the queues they consume. A route
    # with another kind of exchange keeps Celery's declaration.
    queue = options.get("queue")
    if getattr(getattr(queue, "exchange", None), "type", "direct") == "direct":
        options["declare"] = []
    with producer.connection._reraise_as_library_errors():
        for pk, celery_task_id in sends:
            message = amqp.create_task_message(
                celery_task_id,
                RUN_TASK,
                (pk,),
                {},
                reply_to=app.thread_oid,
                ignore_result=True,
                # What Celery's saferepr would write for these arguments, without its walk.
                argsrepr=f"({pk},)",
                kwargsrepr="{}",
            )
            amqp.send_task_message(producer, RUN_TASK, message, **options)


class RowTransitions(models.QuerySet):
    # -- the queue ----------------------------------------------------------------------------
    def send(self, pk: int, *, celery_task_id: str | None = None) -> bool:
        """Hand row `pk` to the queue (its pk only: never a secret or the payload); True when
        the queue took it.

        The broker connect timeout is bounded (CELERY_BROKER_CONNECTION_TIMEOUT), so a send with
        Redis down costs the caller about two seconds and no error: the row stays queued with a
        reason saying so, and the sweep sends it once the queue is back.
        `celery_task_id`: the id already stamped on the row with its first send (see `submit`); without
        it a new id is recorded once the queue has taken the task.
        """
        task_id = celery_task_id or uuid()
        try:
            with current_app.producer_or_acquire() as producer:
                _publish(producer, [(pk, task_id)])
        except (KombuError, OSError) as exc:
            self.mark_unsent(pk, counted=celery_task_id is not None)
            log.warning("invocation %s stays queued: task queue unreachable (%s)", pk, type(exc).__name__)
            return False
        if celery_task_id is None:
            self.mark_sent(pk, task_id)
        return True

    def send_many(self, sends: list[tuple[int, str]]) -> bool:
        """Hand many rows to the queue in one round trip to Redis; True when the queue took them.

        `sends`: (pk, celery_task_id) of rows whose first send was stamped when written
        (`submit_many`). Each message is the one `send` would publish (its pk only, sent by task
        name, built by `_publish`); kombu's producer batch (kombu 5.7, Redis transport)
        buffers their LPUSHes in one non-transactional pipeline, executed once on leaving the
        batch (bench/RESULTS.md, issue 18: one pipeline against one LPUSH per message for a loop of
        `send_task`, or three commands per message for a Celery `group`). A transport without
        batches (the file-system broker of `make run` without Redis) publishes them one by one.
        A failed pipeline may have delivered some of them: all stay queued with the "queue
        unreachable" reason and the sweep sends them; a duplicate message finds nothing to claim.
        """
        if not sends:
            return True
        try:
            with current_app.producer_or_acquire() as producer, producer.batch(max_size=len(sends)):
                _publish(producer, sends)
        except (KombuError, OSError) as exc:  # a failed pipeline is kombu's BatchPublishError
            self.mark_unsent([pk for pk, _ in sends], counted=True)
            log.warning(
                "%s invocations stay queued: task queue unreachable (%s)", len(sends), type(exc).__name__
            )
            return False
        return True

    def mark_sent(self, pk: int, celery_task_id: str) -> None:
        self.filter(pk=pk).update(
            celery_task_id=celery_task_id,
            sent_at=timezone.now(),
            send_attempts=F("send_attempts") + 1,
            # Only the "queue unreachable" reason goes: a retry's reason stays until it runs.
            state_reason=Case(
                When(state_reason=QUEUE_DOWN, then=Value("")),
                default=F("state_reason"),
                output_field=models.TextField(),
            ),
        )

    def mark_unsent(self, pk: int | list[int], *, counted: bool = False) -> None:
        """The queue did not take it: the sweep sends it (queued rows only) once the queue is back.

        `pk`: a row, or a list of them (a batch, `send_many`).
        `counted`: the attempt was already counted (stamped at submit).
        """
        (self.filter(pk__in=pk) if isinstance(pk, list) else self.filter(pk=pk)).update(
            sent_at=None,
            send_attempts=F("send_attempts") + (0 if counted else 1),
            state_reason=Case(
                When(state=InvocationState.QUEUED, then=Value(QUEUE_DOWN)),
                default=F("state_reason"),
                output_field=models.TextField(),
            ),
        )

    # -- worker side --------------------------------------------------------------------------
    def claim(self, pk: int):
        """queued -> running, once: the row as claimed, or None (a duplicate or redelivered message)."""
        return self.claim_many([pk]).get(pk)

    def claim_many(self, pks: list[int]) -> dict:
        """queued -> running, once each, in one statement: {pk: the row as claimed} of those that
        were still queued (a duplicate, redelivered or repeated pk finds nothing).

        One statement: an UPDATE ... RETURNING (PostgreSQL, and SQLite since 3.35) that also
        brings each row's profile, which the call needs next, instead of an UPDATE, a SELECT of the
        row and a SELECT of the profile: the claim is on every call's path (bench/RESULTS.md,
        2026-12-03 and issue 18 have the figures). A worker's threads claim together through
        `lifecycle.claims`. The row records who claimed it (`claimant`): if that worker dies, the
        sweep knows whose rows to end (see `of_dead_workers`).
        """
        pks = list(dict.fromkeys(pks))
        if not pks:
            return {}
        connection = statements.default_connection()
        postgresql = connection.vendor == "postgresql"
        sql, row_columns, profile_columns = _claim_statement(self.model, 0 if postgresql else len(pks))
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    InvocationState.RUNNING.value,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    claimant.name(),
                    *([pks] if postgresql else pks),
                    InvocationState.QUEUED.value,
                ],
            )
            rows = cursor.fetchall()
        claimed = {}
        profile_model = self.model._meta.get_field("profile").related_model
        for values in rows:
            invocation = statements.from_db(self.model, row_columns, values[: len(row_columns)], self.db)
            profile_values = values[len(row_columns) :]
            # The join finds the profile (rows PROTECT theirs); without it, it is read when first used.
            if profile_values and any(value is not None for value in profile_values):
                invocation.profile = statements.from_db(
                    profile_model, profile_columns, profile_values, self.db
                )
            claimed[invocation.pk] = invocation
        return claimed

    def finish(
        self,
        pk: int,
        *,
        from_state: str = InvocationState.RUNNING,
        invocation_type: str | None = None,
        **fields,
    ) -> bool:
        """Write an outcome onto the row only while it is still `from_state`: a worker's onto the
        row it holds (running), the tracker's onto one it tracks, a stop onto one still queued.

        If the sweep has meanwhile declared the row unknown, the row stays as the history
        already shows it: terminal rows are never rewritten. A caller waiting on the row (the API's
        `?wait`) is woken at once (see `wakeups`). `invocation_type`: the row's, when the caller
        knows it, passed on to the listeners of the end (`signals.invocation_ended`), which then
        need not look it up.
        """
        if statements.default_connection().in_atomic_block or not statements.writes_plain_values(fields):
            # What the UPDATE returns may yet be rolled back (or an expression is written, which
            # the ORM's UPDATE cannot return): waiters are woken to re-read the row.
            if statements.update_where_state(self.model, pk, from_state, fields) != 1:
                return False
            outcome = None
        else:
            # Committed as it runs: the waiter is handed the row as written (see `wakeups`).
            outcome = statements.update_where_state(
                self.model, pk, from_state, fields, returning=self.model.OUTCOME_FIELDS
            )
            if outcome is None:
                return False
        # An async row FC accepted (running -> tracking) wakes its waiters too, but has not ended.
        wakeups.announce(
            pk,
            ended=fields.get("state") in InvocationState.terminal(),
            invocation_type=invocation_type,
            outcome=outcome,
        )
        return True

    def requeue(self, pk: int, reason: str) -> bool:
        """running -> queued: FC did not run it, a retry will claim it again.

        `sent_at` is stamped: the retry is already on its way (a Celery retry, or the CLI's own
        loop), so the sweep leaves the row alone unless that retry is lost (see `unsent`).
        """
        return (
            self.filter(pk=pk, state=InvocationState.RUNNING).update(
                state=InvocationState.QUEUED, state_reason=reason, sent_at=timezone.now()
            )
            == 1
        )

    # -- what the sweep looks for --------------------------------------------------------------
    def unsent(self):
        """Queued rows the queue never took (broker down at submit) or that look lost."""
        now = timezone.now()
        never_sent = Q(sent_at__isnull=True, created_at__lt=now - timedelta(seconds=settings.FC_RESEND_AFTER))
        lost = Q(sent_at__lt=now - timedelta(seconds=settings.FC_LOST_MESSAGE_AFTER))
        return self.filter(never_sent | lost, state=InvocationState.QUEUED)

    def of_dead_workers(self, dead_workers):
        """Running rows claimed by one of `dead_workers` (a Worker queryset)."""
        return self.filter(state=InvocationState.RUNNING, claimed_by__in=dead_workers.values("name")).only(
            "pk", "claimed_by", "invocation_type", "async_invocation_id"
        )

    def stuck_running(self):
        """Running rows whose worker must have given up long ago: past timeout plus grace."""
        now = timezone.now()
        grace = timedelta(seconds=settings.FC_RUNNING_GRACE)
        # The shortest possible deadline narrows the scan in SQL; each row's own is checked after.
        candidates = self.filter(
            state=InvocationState.RUNNING, started_at__lt=now - grace - timedelta(seconds=1)
        ).only("pk", "started_at", "client_timeout", "invocation_type", "async_invocation_id")
        return [
            row for row in candidates if row.started_at + timedelta(seconds=row.call_timeout) + grace < now
        ]
