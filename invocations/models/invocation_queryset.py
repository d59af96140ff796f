"""How invocation rows are submitted and seen; what happens to them after is `RowTransitions`
(invocations/lifecycle/rows.py)."""

from __future__ import annotations

import uuid
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from invocations import rules
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
        if not profile.is_usable_by(user):
            raise PermissionDenied(f"You may not invoke with the profile {profile.name}.")
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
        # The task's id and first send are stamped with the INSERT, sparing the queue path a
        # second UPDATE and commit; a send that fails resets them (mark_unsent). A process dying
        # between commit and publish leaves a row that looks sent: the sweep's lost-message
        # rule (FC_LOST_MESSAGE_AFTER) sends it then.
        sending = (
            {"celery_task_id": str(uuid.uuid4()), "sent_at": timezone.now(), "send_attempts": 1}
            if enqueue
            else {}
        )
        with transaction.atomic():
            invocation = self.create(
                user=user,
                profile=profile,
                source=source,
                rerun_of=rerun_of,
                region=region,
                service=service,
                qualifier=qualifier,
                function=function,
                invocation_type=invocation_type,
                event=event,
                http_request=http_request,
                client_timeout=client_timeout,
                async_invocation_id=async_invocation_id,
                **sending,
            )
            if enqueue:
                transaction.on_commit(
                    partial(self.send, invocation.pk, celery_task_id=invocation.celery_task_id)
                )
        return invocation
