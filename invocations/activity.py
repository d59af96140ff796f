"""What people do that the audit trail keeps, announced for whoever listens.

The console's apps announce here (`activity.record("event.deleted", actor=user, obj=event)`) and
`audit` listens: the trail is written in the announcer's transaction, since a receiver runs
synchronously, yet no app imports `audit`. Row changes the trail can see for itself (a profile
saved, an invocation written, a login) it follows through Django's own model and auth signals.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with: action (e.g. "invocation.stopped"), actor, request, obj, before, after.
performed = Signal()
# Sent with: rows, the invocations a submit is about to write with one INSERT (which sends no
# post_save), and `inserts` (fcconsole.statements.Inserts) writing them: whoever follows written
# rows adds its own rows to `inserts`, to be written in the same statement (all, or none), and
# does not write itself. Sent inside `inserts.writing()` (elsewhere than PostgreSQL, the
# transaction the rows are written in). A receiver that raises refuses the submit; nothing is written.
invocations_writing = Signal()


def record(action: str, *, actor=None, request=None, obj=None, before=None, after=None) -> None:
    """Announce that `actor` (or the signed-in user of `request`) did `action` to `obj`."""
    performed.send(
        sender=type(obj) if obj is not None else None,
        action=action,
        actor=actor,
        request=request,
        obj=obj,
        before=before,
        after=after,
    )
