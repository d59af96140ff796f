import base64
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from fcconsole import statements
from invocations import activity, s_invoke
from invocations.fc.errors import ASYNC_ALREADY_ENDED, FCError
from invocations.fc.targets import Target
from invocations.lifecycle.outcomes import refused_reason
from invocations.models.invocation_queryset import InvocationQuerySet
from invocations.models.roles import Role, require_role, role_of
from invocations.models.states import InvocationState, InvocationType, Source


class Invocation(models.Model):
    """One call to a function: who, with which profile, what target, the full payload, the result.

    Written first (queued), then a Celery task carrying only the pk does the call. Immutable
    once terminal.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # who and how
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invocations")
    profile = models.ForeignKey(
        "invocations.CredentialProfile", on_delete=models.PROTECT, related_name="invocations"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    # target
    region = models.CharField(max_length=32)
    service = models.CharField(
        max_length=128, blank=True, help_text="FC 2.0 only: empty for an FC 3.0 function"
    )
    qualifier = models.CharField(max_length=128, blank=True)
    function = models.CharField(max_length=128)
    # request
    invocation_type = models.CharField(
        max_length=8, choices=InvocationType.choices, default=InvocationType.SYNC
    )
    event = models.BinaryField(default=b"", blank=True)
    http_request = models.JSONField(null=True, blank=True, help_text="HTTP-trigger request, when used")
    client_timeout = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    async_invocation_id = models.CharField(max_length=128, blank=True, db_index=True)
    # progress
    state = models.CharField(max_length=16, choices=InvocationState.choices, default=InvocationState.QUEUED)
    state_reason = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True, help_text="the Celery message that runs it")
    send_attempts = models.PositiveIntegerField(default=0, help_text="tries to hand the task to the queue")
    attempts = models.PositiveIntegerField(default=0, help_text="times a worker claimed it to call FC")
    claimed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="who claimed it last: a worker (invocations.Worker name) or the CLI's process",
    )
    stop_requested_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # result
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    request_url = models.TextField(blank=True)
    request_method = models.CharField(max_length=8, blank=True)
    request_headers = models.JSONField(null=True, blank=True, help_text="as sent, signature and token masked")
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(null=True, blank=True)
    log_tail = models.TextField(blank=True)
    error_type = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    billed_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    memory_size_mb = models.PositiveIntegerField(null=True, blank=True)
    max_memory_used_mb = models.FloatField(null=True, blank=True)
    instance_id = models.CharField(max_length=128, blank=True)
    code_checksum = models.CharField(max_length=64, blank=True)
    resolved_qualifier = models.CharField(max_length=128, blank=True)
    async_status = models.CharField(max_length=16, blank=True)
    fc_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="FC's startedTime of the async task: where the tracker's listing begins",
    )

    objects = InvocationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="inv_created"),
            models.Index(fields=["service", "function", "-created_at"], name="inv_function"),
            # History filtered by function name alone (any service): a rare name was a 2 s scan at 1M rows.
            # Pattern ops: history matches a name or id by its start (LIKE 'x%'), which a plain
            # index serves only under the C collation; equality is served all the same.
            models.Index(
                fields=["function", "-created_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="inv_function_name",
            ),
            models.Index(fields=["user", "-created_at"], name="inv_user"),
            models.Index(fields=["profile", "-created_at"], name="inv_profile"),
            models.Index(fields=["state", "-created_at"], name="inv_state"),
            models.Index(fields=["request_id"], opclasses=["varchar_pattern_ops"], name="inv_request_id"),
            # The home's usage figures (invocations/dashboard.py) read the latest few thousand rows'
            # function, state and duration: from the index alone, not from ~1 random heap page each.
            models.Index(
                fields=["-created_at"],
                include=["service", "function", "state", "duration_ms"],
                name="inv_recent_usage",
            ),
        ]

    def __str__(self):
        return f"{self.target} {self.state} {self.created_at:%Y-%m-%d %H:%M:%S}"

    # Written once at submit and never changed after.
    SUBMITTED_FIELDS = (
        "id", "uuid", "user", "profile", "source", "rerun_of", "region", "service", "qualifier",
        "function", "invocation_type", "event", "http_request", "client_timeout", "created_at",
    )  # fmt: skip

    def refresh_outcome(self) -> None:
        """Re-read what workers, the tracker and the sweep write since submit, and nothing else.

        Keeps the submitter, profile and original (re-run) already loaded (refresh_from_db()
        drops them, and serialising the row then costs one query each), and does not read the
        event (up to 32 MB) back on every poll.
        """
        statements.refresh_fields(self, self.OUTCOME_FIELDS)

    def take_outcome(self, values) -> None:
        """Set what `refresh_outcome` re-reads from the values a wake-up carried (the row as the
        write that ended it committed it: lifecycle/wakeups.py), without a statement."""
        statements.assign(self, self.OUTCOME_FIELDS, values)

    @property
    def target(self) -> Target:
        """What it calls: with a service an FC 2.0 function, without one an FC 3.0 function."""
        return Target(self.region, self.function, self.service, self.qualifier)

    @property
    def is_fc3(self) -> bool:
        return not self.service

    @property
    def is_terminal(self) -> bool:
        return self.state in InvocationState.terminal()

    @property
    def is_async(self) -> bool:
        return self.invocation_type == InvocationType.ASYNC

    @property
    def call_timeout(self) -> int:
        """Seconds a worker waits on FC for this row: the read timeout of its one call."""
        if self.is_async:
            return settings.FC_ASYNC_SEND_TIMEOUT
        return self.client_timeout or settings.FC_DEFAULT_CLIENT_TIMEOUT

    def rerun(self, user, *, source: str = Source.WEB, confirm_function: str | None = None) -> "Invocation":
        """The same request again as a new row (a fresh async task id: FC refuses a reused one).
        A protected profile asks for the function name again, as on the first run."""
        return Invocation.objects.submit(
            user=user,
            profile=self.profile,
            region=self.region,
            service=self.service,
            function=self.function,
            qualifier=self.qualifier,
            event=bytes(self.event),
            invocation_type=self.invocation_type,
            client_timeout=self.client_timeout,
            http_request=self.http_request,
            confirm_function=confirm_function,
            source=source,
            rerun_of=self,
        )

    # -- what a user may do with it --------------------------------------------------------------
    @property
    def started_outside(self) -> bool:
        """A task FC listed that the console did not send: read-only, with what FC told of it."""
        return self.source == Source.OUTSIDE

    def may_rerun(self, user) -> bool:
        """An invoker who may still use its profile (a viewer sees the history, and no more). A
        task started outside the console has no request of ours to send again."""
        role = role_of(user)
        return (
            not self.started_outside
            and bool(role and role.allows(Role.INVOKER))
            and self.profile.is_usable_by(user)
        )

    def may_stop(self, user) -> bool:
        """Whether `user` may stop it now: what the page offers, and what `stop` enforces."""
        if not self.is_async or self.is_terminal:
            return False
        try:
            self._check_may_stop(user)
        except PermissionDenied:
            return False
        return True

    def _check_may_stop(self, user) -> None:
        """Its starter or an admin (anyone who may invoke with its profile, for a task started
        outside the console), with a profile they may still use; else PermissionDenied."""
        role = require_role(user, Role.INVOKER)
        if self.user_id != user.pk and role != Role.ADMIN and not self.started_outside:
            raise PermissionDenied("Only the person who started it or an admin may stop it.")
        if not self.profile.is_usable_by(user):
            raise PermissionDenied(f"You may no longer use the profile {self.profile.name}.")

    def stop(self, user) -> None:
        """Stop an async task: its starter or an admin, with a profile they may still use.

        A row not yet handed to FC (queued) is simply cancelled here; a task FC is running gets
        a stop (StopStatefulAsyncInvocation in 2.0, StopAsyncTask in 3.0), and the tracker records Stopping/Stopped as FC reports them.
        Raises PermissionDenied, or ValidationError saying why it cannot be stopped.
        """
        self._check_may_stop(user)
        now = timezone.now()
        cancelled = Invocation.objects.finish(
            self.pk,
            from_state=InvocationState.QUEUED,
            state=InvocationState.STOPPED,
            state_reason=f"Stopped by {user.get_username()} before it was sent to FC.",
            stop_requested_at=now,
            stopped_by=user,
            finished_at=now,
        )
        if cancelled:
            activity.record("invocation.stopped", actor=user, obj=self, after={"before_sending": True})
            return
        self.refresh_from_db(fields=["state"])
        if self.state != InvocationState.TRACKING or not self.is_async:
            raise ValidationError(f"Only a running async task can be stopped; this one is {self.state}.")
        async_id = self.async_invocation_id
        try:
            self.profile.client(self.region).stop_async(self.target, async_id)
        except FCError as exc:
            if exc.code in ASYNC_ALREADY_ENDED:
                raise ValidationError(
                    "The task had already finished; its final status shows shortly."
                ) from None
            raise ValidationError(refused_reason(exc)) from None
        Invocation.objects.filter(pk=self.pk, state=InvocationState.TRACKING).update(
            stop_requested_at=now,
            stopped_by=user,
            state_reason=f"Stop requested by {user.get_username()}; waiting for FC to stop the task.",
        )
        activity.record("invocation.stopped", actor=user, obj=self, after={"async_invocation_id": async_id})

    def s_invoke_command(self) -> str:
        """The `s invoke` command line that sends the same request (for "copy as s invoke")."""
        return s_invoke.command_line(self)

    def to_dict(self, *, with_timeline: bool = False) -> dict:
        """The one JSON shape of an invocation (REST API, exports). Holds no secret.

        Payloads are text when they are UTF-8, else base64, said by the `*_encoding` keys.
        `with_timeline` adds the async status events (one more query per async row; a sync
        invocation has no timeline).
        """
        event, event_encoding = text_or_base64(self.event)
        body, body_encoding = text_or_base64(self.response_body)
        data = {
            "id": str(self.uuid),
            "user": self.user.get_username(),
            "profile": self.profile.name,
            "source": self.source,
            "rerun_of": str(self.rerun_of.uuid) if self.rerun_of_id else None,
            "region": self.region,
            "service": self.service,
            "qualifier": self.qualifier,
            "function": self.function,
            "invocation_type": self.invocation_type,
            "event": event,
            "event_encoding": event_encoding,
            "http_request": self.http_request,
            "client_timeout": self.client_timeout,
            "async_invocation_id": self.async_invocation_id,
            "state": self.state,
            "state_reason": self.state_reason,
            "attempts": self.attempts,
            "created_at": _iso(self.created_at),
            "sent_at": _iso(self.sent_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "http_status": self.http_status,
            "request_id": self.request_id,
            "request_url": self.request_url,
            "request_method": self.request_method,
            "request_headers": self.request_headers,
            "response_body": body,
            "response_body_encoding": body_encoding,
            "response_headers": self.response_headers,
            "log_tail": self.log_tail,
            "error_type": self.error_type,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "duration_ms": self.duration_ms,
            "billed_duration_ms": self.billed_duration_ms,
            "memory_size_mb": self.memory_size_mb,
            "max_memory_used_mb": self.max_memory_used_mb,
            "instance_id": self.instance_id,
            "code_checksum": self.code_checksum,
            "resolved_qualifier": self.resolved_qualifier,
            "async_status": self.async_status,
            "stop_requested_at": _iso(self.stop_requested_at),
            "stopped_by": self.stopped_by.get_username() if self.stopped_by_id else None,
        }
        if with_timeline:
            data["timeline"] = [
                {"status": e.status, "at": _iso(e.at), "detail": e.detail}
                for e in (self.status_events.all() if self.is_async else ())
            ]
        return data


def _iso(value):
    return value.isoformat() if value else None


def text_or_base64(data) -> tuple[str | None, str]:
    """(text, encoding) of stored bytes: UTF-8 text as it is, anything else base64 (None stays None)."""
    if data is None:
        return None, "utf-8"
    data = bytes(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


class AsyncStatusEvent(models.Model):
    """One status change of an async (stateful) invocation, as FC reported it."""

    invocation = models.ForeignKey(Invocation, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(max_length=16)
    at = models.DateTimeField()
    detail = models.TextField(blank=True)
    fc_event_id = models.IntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invocation", "status", "at"], name="async_event_once"),
        ]

    def __str__(self):
        return f"{self.status} at {self.at:%H:%M:%S}"


# What `refresh_outcome` reads again: every column but those written once at submit.
# Everything else: what claims, calls, the tracker, the sweep and stops write after the submit.
Invocation.OUTCOME_FIELDS = tuple(
    field.name for field in Invocation._meta.concrete_fields if field.name not in Invocation.SUBMITTED_FIELDS
)
