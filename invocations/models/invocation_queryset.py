"""How invocation rows are submitted and seen; what happens to them after is `RowTransitions`
(invocations/lifecycle/rows.py)."""

from __future__ import annotations

import uuid
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fcconsole import statements
from invocations import activity, rules
from invocations.lifecycle.rows import RowTransitions
from invocations.models.roles import Role, require_role, role_of


class InvocationQuerySet(RowTransitions):
    def for_user(self, user):
        """The history a user may read: the whole team's, for every role (viewer and up).

        The history is the team's audit trail; hiding rows by profile would hide who ran what
        with which credential, the question a lead comes to answer. No role, no rows.
        """
        if role_of(user) is None:
            return self.none()
        return self.all()

    def submit(
        self,
        *,
        user,
        profile,
        region: str,
        service: str,
        function: str,
        qualifier: str = "",
        event: bytes | str = b"",
        invocation_type: str = "sync",
        client_timeout: int | None = None,
        async_invocation_id: str = "",
        http_request: dict | None = None,
        confirm_function: str | None = None,
        source: str = "web",
        rerun_of=None,
        enqueue: bool = True,
    ):
        """Validate, write the row `queued`, and hand its pk to the queue once committed.

        Raises PermissionDenied (role or profile) or ValidationError (field-keyed messages).
        A queue that cannot be reached leaves the row queued for the sweep; it never fails the
        caller, whose request is already safely recorded.
        `enqueue=False` (the CLI) sends no task: the caller runs it with `lifecycle.run.execute(pk)`.
        A protected profile needs `confirm_function` equal to `function`, whatever the source
        (form, API, Re-run, CLI): the ValidationError is keyed `confirm_function` otherwise.
        """
        require_role(user, Role.INVOKER)
        _require_usable(user, profile)
        fields = _checked_request(
            profile,
            region=region,
            service=service,
            function=function,
            qualifier=qualifier,
            event=event,
            invocation_type=invocation_type,
            client_timeout=client_timeout,
            async_invocation_id=async_invocation_id,
            http_request=http_request,
            confirm_function=confirm_function,
        )
        # The task's id and first send are stamped with the INSERT, sparing the queue path a
        # second UPDATE and commit; a send that fails resets them (mark_unsent). A process dying
        # between commit and publish leaves a row that looks sent: the sweep's lost-message
        # rule (FC_LOST_MESSAGE_AFTER) sends it then.
        sending = _first_send() if enqueue else {}
        invocation = self.model(user=user, source=source, rerun_of=rerun_of, **fields, **sending)
        # Written as a batch of one is (`submit_many`).
        self._write([invocation])
        if enqueue:
            transaction.on_commit(partial(self.send, invocation.pk, celery_task_id=invocation.celery_task_id))
        return invocation

    def submit_many(self, *, user, items: list[dict], source: str = "web", enqueue: bool = True) -> list:
        """Submit up to `rules.BATCH_LIMIT` invocations as one: all written, or none.

        Each item holds `submit`'s request arguments (profile, region, service, function, qualifier,
        event, invocation_type, client_timeout, async_invocation_id, http_request, confirm_function)
        and passes exactly its checks. A refusal refuses the whole batch and nothing is written:
        PermissionDenied naming the item, or `rules.ItemsRefused` holding every refused item's
        field-keyed errors. The rows are written in one statement with their audit entries
        (`_write`), and once committed handed to the queue in one round trip (`send_many`); a queue
        that cannot be reached leaves them queued for the sweep.
        Returns the rows, in the order of `items`.
        """
        try:
            rules.validate_batch_size(len(items))
        except ValidationError as exc:
            raise ValidationError({"items": exc.error_list}) from None
        require_role(user, Role.INVOKER)
        usable: set[int] = set()
        rows, refused = [], {}
        for index, item in enumerate(items):
            profile = item["profile"]
            if profile.pk not in usable:
                try:
                    _require_usable(user, profile)
                except PermissionDenied as exc:
                    raise PermissionDenied(f"Item {index}: {exc}") from None
                usable.add(profile.pk)
            try:
                fields = _checked_request(**{**_REQUEST_DEFAULTS, **item})
            except ValidationError as exc:
                refused[index] = exc
                continue
            rows.append(self.model(user=user, source=source, **fields, **(_first_send() if enqueue else {})))
        if refused:
            raise rules.ItemsRefused(refused)
        rows = self._write(rows)
        if enqueue:
            transaction.on_commit(partial(self.send_many, [(row.pk, row.celery_task_id) for row in rows]))
        return rows

    def _write(self, rows: list) -> list:
        """INSERT `rows` and, in the same statement, what follows them (the audit trail's entries,
        announced as `activity.invocations_writing`): all written, or none, and with no BEGIN and
        COMMIT of their own. Outside a transaction, committed on return."""
        inserts = statements.Inserts(self.model, rows)
        with inserts.writing():
            activity.invocations_writing.send(sender=self.model, rows=rows, inserts=inserts)
            return inserts.run()


# What a batch item may leave out, as `submit`'s defaults.
_REQUEST_DEFAULTS = {
    "region": "",
    "service": "",
    "qualifier": "",
    "event": b"",
    "invocation_type": "sync",
    "client_timeout": None,
    "async_invocation_id": "",
    "http_request": None,
    "confirm_function": None,
}


def _require_usable(user, profile) -> None:
    if not profile.is_usable_by(user):
        raise PermissionDenied(f"You may not invoke with the profile {profile.name}.")


def _checked_request(
    profile,
    *,
    region: str,
    service: str,
    function: str,
    qualifier: str,
    event: bytes | str,
    invocation_type: str,
    client_timeout: int | None,
    async_invocation_id: str,
    http_request: dict | None,
    confirm_function: str | None,
) -> dict:
    """The row's target fields for one request, once every rule of `rules.check` has passed.

    The one place `submit` and `submit_many` ask: a batch item is checked exactly like a submit.
    """
    if isinstance(event, str):
        event = event.encode()  # the one place text becomes bytes: FC takes the event as UTF-8
    region = profile.region_or_default(region)
    rules.check(
        region=region,
        service=service,
        function=function,
        qualifier=qualifier,
        event=event,
        invocation_type=invocation_type,
        client_timeout=client_timeout,
        async_invocation_id=async_invocation_id,
        http_request=http_request,
        protected_profile=profile.name if profile.protected else None,
        confirm_function=confirm_function,
    )
    if invocation_type == "async" and not async_invocation_id:
        async_invocation_id = rules.new_async_invocation_id()
    return {
        "profile": profile,
        "region": region,
        "service": service,
        "qualifier": qualifier,
        "function": function,
        "invocation_type": invocation_type,
        "event": event,
        "http_request": http_request,
        "client_timeout": client_timeout,
        "async_invocation_id": async_invocation_id,
    }


def _first_send() -> dict:
    return {"celery_task_id": str(uuid.uuid4()), "sent_at": timezone.now(), "send_attempts": 1}
