"""`invocations.signals.invocation_ended`: sent once per end, after the tracker's end is committed,
and never able to fail the end it announces."""

from __future__ import annotations

import pytest

from invocations.lifecycle.tracking import store as tracking_store
from invocations.models import Invocation, InvocationState
from invocations.signals import invocation_ended
from tests.core.test_ended import submitted


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, pks, **kwargs):
        calls.append(list(pks))

    invocation_ended.connect(receiver, weak=False)
    yield calls
    invocation_ended.disconnect(receiver)


def test_a_finished_row_is_announced_once(db, invoker, nowhere_profile, heard):
    invocation = submitted(invoker, nowhere_profile)
    assert Invocation.objects.claim(invocation.pk) is not None
    assert Invocation.objects.finish(invocation.pk, state=InvocationState.SUCCEEDED)
    assert not Invocation.objects.finish(invocation.pk, state=InvocationState.FAILED)
    assert heard == [[invocation.pk]]


def test_tracked_rows_are_announced_once_the_tracker_commits(
    db, invoker, nowhere_profile, heard, django_capture_on_commit_callbacks
):
    row = submitted(invoker, nowhere_profile, invocation_type="async", async_invocation_id="fcconsole-sig")
    Invocation.objects.filter(pk=row.pk).update(state=InvocationState.TRACKING, async_status="Running")
    row = Invocation.objects.get(pk=row.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tracking_store.apply_records([(row, {"id": "fcconsole-sig", "status": "Succeeded", "endTime": 1})])
    assert heard == []  # not before the commit
    for callback in callbacks:
        callback()
    assert heard == [[row.pk]]


def test_a_failing_receiver_does_not_fail_the_end(db, invoker, nowhere_profile, heard, caplog):
    def broken(sender, pks, **kwargs):
        raise RuntimeError("receiver bug")

    invocation_ended.connect(broken, weak=False)
    try:
        invocation = submitted(invoker, nowhere_profile)
        Invocation.objects.claim(invocation.pk)
        assert Invocation.objects.finish(invocation.pk, state=InvocationState.SUCCEEDED)
    finally:
        invocation_ended.disconnect(broken)
    assert heard == [[invocation.pk]]
    assert "invocation_ended failed (RuntimeError)" in caplog.text


def test_an_async_row_fc_accepted_wakes_waiters_but_is_not_announced_as_ended(
    db, invoker, nowhere_profile, heard
):
    invocation = submitted(invoker, nowhere_profile, invocation_type="async")
    Invocation.objects.claim(invocation.pk)
    assert Invocation.objects.finish(invocation.pk, state=InvocationState.TRACKING)
    assert heard == []
