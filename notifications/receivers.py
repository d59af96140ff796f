"""What happened, turned into Delivery rows, each handed to the `notifications.deliver` task.

Receivers run in whatever process saw the event (a worker, the tracker, the sweep, a suite
runner), so they only write rows and queue their pks once committed; sending is the task's.
A row per (subscription, thing it is about) at most: an event announced twice notifies once.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from invocations.models import Invocation, InvocationState, role_of
from invocations.models.states import InvocationType, Source
from notifications.models import Delivery, Event, Subscription
from notifications.tasks import send

log = logging.getLogger(__name__)


# -- async invocations that end --------------------------------------------------------------
def invocation_ended(sender, pks, invocation_type=None, **kwargs) -> None:
    """`invocations.signals.invocation_ended`: the async rows among `pks` whose starter
    subscribed. Ends the sender knows to be sync (every sync call's, from its worker) cost
    nothing; others one query when nobody subscribed."""
    if invocation_type == InvocationType.SYNC:
        return
    wanted = Subscription.objects.filter(event=Event.INVOCATION_ENDED, user=OuterRef("user"))
    rows = list(
        Invocation.objects.filter(
            pk__in=pks, invocation_type=InvocationType.ASYNC, state__in=InvocationState.terminal()
        )
        .exclude(source=Source.OUTSIDE)  # FC's listing started it, not a person of ours
        .filter(Exists(wanted))
        .select_related("user", "profile")
    )
    if not rows:
        return
    subscriptions = Subscription.objects.filter(
        event=Event.INVOCATION_ENDED, user__in={row.user_id for row in rows}
    ).select_related("user")
    by_user: dict[int, list[Subscription]] = {}
    for subscription in subscriptions:
        by_user.setdefault(subscription.user_id, []).append(subscription)
    for row in rows:
        payload = invocation_payload(row)
        subject = f"[fcconsole] {row.target} {row.state}"
        for subscription in by_user.get(row.user_id, []):
            _write(subscription, f"invocation:{row.uuid}", subject, payload)


def invocation_payload(row: Invocation) -> dict:
    return {
        "event": Event.INVOCATION_ENDED.value,
        "invocation": {
            "id": str(row.uuid),
            "url": settings.SITE_URL.rstrip("/") + reverse("invocation", args=[row.uuid]),
            "target": str(row.target),
            "region": row.region,
            "service": row.service,
            "function": row.function,
            "qualifier": row.qualifier,
            "profile": row.profile.name,
            "user": row.user.get_username(),
            "state": row.state,
            "state_reason": row.state_reason,
            "async_status": row.async_status,
            "error_code": row.error_code,
            "error_type": row.error_type,
            "duration_ms": row.duration_ms,
            "created_at": row.created_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        },
    }


# -- suite runs (the `suites` app's `run_finished`, connected when that app is installed) ------
def suite_event(passed: bool, previous_passed: bool | None) -> str | None:
    """A run that fails after a pass (or as the first run) is news, and so is a pass after a
    failure; a suite that keeps failing (or passing) says nothing more."""
    if not passed and previous_passed is not False:
        return Event.SUITE_FAILED
    if passed and previous_passed is False:
        return Event.SUITE_RECOVERED
    return None


def suite_run_finished(sender, run, passed: bool, previous_passed: bool | None = None, **kwargs) -> None:
    """`suites.signals.run_finished`. What it reads of `run` (a SuiteRun) is `pk`, `uuid`,
    `get_absolute_url()` and `suite` (`name`, `uuid`) when present, and who may see it from
    `run.is_visible_to(user)` or `run.suite.is_visible_to(user)`, within the console roles (else:
    every console role, as for the history)."""
    event = suite_event(passed, previous_passed)
    if event is None:
        return
    payload = suite_payload(run, event, passed, previous_passed)
    suite_name = payload["suite"]["name"] or "suite"
    subject = f"[fcconsole] {suite_name} {'failed' if event == Event.SUITE_FAILED else 'recovered'}"
    for subscription in Subscription.objects.filter(event=event).select_related("user__membership"):
        if _may_see(run, subscription.user):
            _write(subscription, f"suite-run:{run.pk}:{event}", subject, payload)


def suite_payload(run, event: str, passed: bool, previous_passed: bool | None) -> dict:
    suite = getattr(run, "suite", None)
    url = run.get_absolute_url() if hasattr(run, "get_absolute_url") else ""
    return {
        "event": str(event),
        "suite": {
            "id": str(getattr(suite, "uuid", "") or "") or None,
            "name": str(getattr(suite, "name", "") or ""),
        },
        "run": {
            "id": str(getattr(run, "uuid", "") or run.pk),
            "url": settings.SITE_URL.rstrip("/") + url if url else None,
            "passed": passed,
            "previous_passed": previous_passed,
        },
    }


def _may_see(run, user) -> bool:
    """A console role first (a signed-up user without one sees nothing), then the suites app's
    own rule when it has one."""
    if role_of(user) is None:
        return False
    for thing in (run, getattr(run, "suite", None)):
        check = getattr(thing, "is_visible_to", None)
        if callable(check):
            return bool(check(user))
    return True


# -- writing and queueing ---------------------------------------------------------------------
def _write(subscription: Subscription, about: str, subject: str, payload: dict) -> None:
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                subscription=subscription,
                user=subscription.user,
                event=subscription.event,
                channel=subscription.channel,
                target=subscription.target(),
                about=about,
                subject=subject[:300],
                payload=payload,
            )
    except IntegrityError:
        return  # already written for this subscription: the event was announced before
    transaction.on_commit(partial(send, delivery.pk))
