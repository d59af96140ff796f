"""Suite runs that fail or recover, through `suites.signals.run_finished` with stand-in runs."""

from __future__ import annotations

import sys

import pytest
from django.apps import apps

from notifications import receivers, sending
from notifications.models import Channel, Delivery, Event
from tests.notifications.conftest import StandInRun, StandInSuite, subscribe


@pytest.fixture
def run_finished():
    """The suites app's signal, as the notifications app connected to it at start-up."""
    from suites.signals import run_finished

    return run_finished


def test_the_app_listens_to_the_suites_signal_when_suites_is_installed(db, viewer, run_finished):
    subscribe(viewer, Event.SUITE_FAILED)
    run = StandInRun(StandInSuite("nightly"))
    run_finished.send(sender=StandInRun, run=run, passed=False, previous_passed=True)
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.subject) == ("suite.failed", "[fcconsole] nightly failed")
    assert delivery.payload["run"]["url"].endswith(f"/suites/runs/{run.uuid}/")


def test_without_suites_the_app_starts_and_listens_to_invocations_only(monkeypatch):
    monkeypatch.setitem(sys.modules, "suites.signals", None)  # importing it now raises ImportError
    apps.get_app_config("notifications").ready()  # no ImportError


@pytest.mark.parametrize(
    ("passed", "previous", "event"),
    [
        (False, True, Event.SUITE_FAILED),
        (False, None, Event.SUITE_FAILED),  # a first run that fails
        (False, False, None),  # still failing: said already
        (True, False, Event.SUITE_RECOVERED),
        (True, True, None),
        (True, None, None),
    ],
)
def test_only_a_change_is_news(passed, previous, event):
    assert receivers.suite_event(passed, previous) == event


def test_failed_and_recovered_reach_their_own_subscribers(db, viewer, invoker, mailoutbox):
    subscribe(viewer, Event.SUITE_FAILED)
    subscribe(invoker, Event.SUITE_RECOVERED)
    suite = StandInSuite("smoke")
    receivers.suite_run_finished(sender=StandInRun, run=StandInRun(suite), passed=False, previous_passed=True)
    receivers.suite_run_finished(
        sender=StandInRun, run=StandInRun(suite), passed=False, previous_passed=False
    )
    receivers.suite_run_finished(sender=StandInRun, run=StandInRun(suite), passed=True, previous_passed=False)
    by_user = sorted(Delivery.objects.values_list("user__username", "event"))
    assert by_user == [("ivan-invoker", "suite.recovered"), ("vera-viewer", "suite.failed")]

    for delivery in Delivery.objects.all():
        sending.attempt(delivery.pk)
    assert sorted(m.subject for m in mailoutbox) == [
        "[fcconsole] smoke failed",
        "[fcconsole] smoke recovered",
    ]
    assert "The suite smoke passed again." in next(m.body for m in mailoutbox if "recovered" in m.subject)


def test_a_suite_the_subscriber_cannot_see_tells_them_nothing(db, viewer, invoker, outsider):
    for user in (viewer, invoker, outsider):
        subscribe(user, Event.SUITE_FAILED, Channel.EMAIL)
    hidden = StandInSuite("secret-project", hidden_from=(invoker,))
    receivers.suite_run_finished(
        sender=StandInRun, run=StandInRun(hidden), passed=False, previous_passed=None
    )
    assert list(Delivery.objects.values_list("user__username", flat=True)) == ["vera-viewer"]

    # Without a visibility rule of the suites app, every console role sees it; no role, nothing.
    class Bare:
        pk = 42

    Delivery.objects.all().delete()
    receivers.suite_run_finished(sender=Bare, run=Bare(), passed=False, previous_passed=True)
    assert sorted(Delivery.objects.values_list("user__username", flat=True)) == [
        "ivan-invoker",
        "vera-viewer",
    ]
    assert Delivery.objects.first().payload["run"] == {
        "id": "42", "url": None, "passed": False, "previous_passed": True,
    }  # fmt: skip
