"""Invocations: one entry when a row is written (submitted, or re-run of an earlier one).

Whoever submits (page, API, CLI) writes the row first, so the row's creation is the submission.
`submit` and `submit_many` write rows with one INSERT built once (fcconsole/statements.py), which
sends no post_save: they announce them as `invocations_writing`, and the entries are written in
the same statement as the rows. A row saved any other way (a shell, a fixture) is still recorded,
through post_save. Stopping is a user's request, not a state the tracker later sees: the code handling the stop
request records `invocation.stopped` itself.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from audit.trail import record, record_many
from invocations.activity import invocations_writing
from invocations.models import Invocation


@receiver(post_save, sender=Invocation, dispatch_uid="audit.invocation_created")
def invocation_created(sender, instance, created, raw=False, **kwargs):
    """A row saved outside `submit`."""
    if not created or raw:
        return
    record(**_entry(instance))


@receiver(invocations_writing, dispatch_uid="audit.invocations_writing")
def invocations_batch_written(sender, rows, inserts, **kwargs):
    """Submitted rows (a batch, or a single submit as a batch of one): the same entry each as
    above, written with them in one statement (issue 18)."""
    record_many([_entry(row) for row in rows], inserts=inserts)


def _entry(instance) -> dict:
    after = {
        "profile": instance.profile.name,
        "region": instance.region,
        "service": instance.service,
        "qualifier": instance.qualifier,
        "function": instance.function,
        "invocation_type": instance.invocation_type,
        "source": instance.source,
        "event_bytes": len(bytes(instance.event or b"")),
    }
    if instance.rerun_of_id:
        after["rerun_of"] = str(instance.rerun_of.uuid)
    action = "invocation.rerun" if instance.rerun_of_id else "invocation.submitted"
    return {"action": action, "actor": instance.user, "obj": instance, "after": after}
