"""Forms that ask before doing what cannot be taken back (console.js's data-confirm, no inline JS)."""

import pytest

from savedevents.models import SavedEvent, Visibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_restore_asks_first_and_does_nothing_when_declined(page, live_server, sign_in, invoker):
    event = SavedEvent(owner=invoker, name="orders", body='{"v": 1}', visibility=Visibility.PRIVATE)
    event.save_new(invoker)
    event.body = '{"v": 2}'
    event.save_edit(invoker)
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/events/{event.uuid}/")

    questions = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.click("button:has-text('Restore')")
    assert questions == ["Make version 1's body current again (as a new version)?"]
    event.refresh_from_db()
    assert event.version == 2

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button:has-text('Restore')")
    event.refresh_from_db()
    assert (event.version, event.body) == (3, '{"v": 1}')
