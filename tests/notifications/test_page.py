"""The notifications page and API: choosing subscriptions, seeing deliveries; webhook secrets are
written once and never shown back (page, API, audit trail, logs, exception texts)."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from invocations import crypto
from notifications.models import Channel, Delivery, Event, Subscription
from tests.notifications.conftest import WEBHOOK_SECRET, subscribe

PAGE = reverse("notifications:subscriptions")
API = reverse("notifications:api")


def add_webhook(client, url="https://hooks.example.com/fcconsole?token=abc", secret=WEBHOOK_SECRET, **extra):
    data = {"event": Event.SUITE_FAILED, "channel": Channel.WEBHOOK, "url": url, "secret": secret, **extra}
    return client.post(PAGE, data)


def test_it_needs_a_console_role(as_user, outsider):
    assert as_user(None).get(PAGE).status_code == 302
    assert as_user(outsider).get(PAGE).status_code == 403


def test_a_viewer_subscribes_by_email(as_user, viewer):
    client = as_user(viewer)
    response = client.post(PAGE, {"event": Event.SUITE_RECOVERED, "channel": Channel.EMAIL}, follow=True)
    assert response.status_code == 200
    subscription = Subscription.objects.get(user=viewer)
    assert (subscription.event, subscription.channel, subscription.url) == ("suite.recovered", "email", "")
    assert "A suite I can see passes again" in response.content.decode()
    assert "vera-viewer@example.com" in response.content.decode()


def test_a_webhook_secret_is_stored_encrypted_and_never_shown_back(as_user, invoker, caplog):
    caplog.set_level(logging.DEBUG)
    client = as_user(invoker)
    assert add_webhook(client).status_code == 302
    subscription = Subscription.objects.get(user=invoker)
    assert WEBHOOK_SECRET not in subscription.secret_encrypted
    assert crypto.decrypt(subscription.secret_encrypted) == WEBHOOK_SECRET

    page = client.get(PAGE).content.decode()
    assert "(secret set)" in page and WEBHOOK_SECRET not in page
    # A form sent back with an error elsewhere does not echo the secret either.
    again = add_webhook(client, url="ftp://nope", secret=WEBHOOK_SECRET + "x")
    assert again.status_code == 400 and WEBHOOK_SECRET not in again.content.decode()

    api = client.get(API)
    assert api.status_code == 200
    assert api.json()["subscriptions"][0]["has_secret"] is True
    assert WEBHOOK_SECRET not in api.content.decode()

    entry = AuditEntry.objects.get(action="notification.subscribed")
    assert entry.after == {"event": "suite.failed", "channel": "webhook", "host": "hooks.example.com"}
    assert WEBHOOK_SECRET not in str(entry.__dict__)
    assert WEBHOOK_SECRET not in caplog.text
    assert WEBHOOK_SECRET not in repr(subscription) + str(subscription)


def test_a_secret_that_cannot_be_decrypted_fails_without_naming_it(db, viewer, settings):
    subscription = subscribe(viewer, Event.SUITE_FAILED, Channel.WEBHOOK, url="https://hooks.example.com/x")
    settings.FCCONSOLE_ENCRYPTION_KEYS = [crypto.generate_key()]
    with pytest.raises(crypto.DecryptionError) as caught:
        subscription.secret()
    assert WEBHOOK_SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": ""}, "url", "A webhook needs the URL to send to."),
        ({"secret": ""}, "secret", "A webhook needs a secret to sign its requests with."),
        ({"secret": "short"}, "secret", "at least 16 characters"),
        ({"url": "https://intranet.local/hook"}, "url", "Webhooks may not be sent to this host"),
    ],
)
def test_a_webhook_needs_an_allowed_url_and_a_long_secret(as_user, invoker, settings, fields, field, message):
    settings.NOTIFY_WEBHOOK_ALLOWED_HOSTS = ["hooks.example.com", "127.0.0.1"]
    response = add_webhook(as_user(invoker), **fields)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Subscription.objects.exists()


def test_the_same_subscription_twice_is_refused(as_user, invoker):
    client = as_user(invoker)
    add_webhook(client)
    response = add_webhook(client)
    assert response.status_code == 400 and "You already have this subscription." in response.content.decode()


def test_i_remove_my_subscription_and_not_someone_elses(as_user, invoker, viewer):
    mine, theirs = subscribe(invoker, Event.SUITE_FAILED), subscribe(viewer, Event.SUITE_FAILED)
    client = as_user(invoker)
    assert client.post(reverse("notifications:unsubscribe", args=[theirs.uuid])).status_code == 404
    assert client.post(reverse("notifications:unsubscribe", args=[mine.uuid])).status_code == 302
    assert list(Subscription.objects.all()) == [theirs]
    assert AuditEntry.objects.filter(action="notification.unsubscribed").count() == 1


def test_my_latest_deliveries_show_their_status_attempts_and_last_answer(as_user, invoker, viewer):
    subscription = subscribe(
        invoker, Event.SUITE_FAILED, Channel.WEBHOOK, url="https://hooks.example.com/t?k=1"
    )
    Delivery.objects.create(
        subscription=subscription, user=invoker, event="suite.failed", channel="webhook",
        target=subscription.url, about="suite-run:1:suite.failed", subject="[fcconsole] nightly failed",
        payload={}, status="pending", attempts=2, last_status_code=503, last_error="The receiver answered HTTP 503.",
    )  # fmt: skip
    page = as_user(invoker).get(PAGE).content.decode()
    assert "[fcconsole] nightly failed" in page and "HTTP 503" in page and "pending" in page
    assert "hooks.example.com" in page
    assert "nightly failed" not in as_user(viewer).get(PAGE).content.decode()
    deliveries = as_user(invoker).get(API).json()["deliveries"]
    assert [(d["status"], d["attempts"], d["last_status_code"], d["target"]) for d in deliveries] == [
        ("pending", 2, 503, "hooks.example.com")
    ]


def test_the_nav_links_to_the_page(as_user, viewer):
    assert f'href="{PAGE}"' in as_user(viewer).get(reverse("history")).content.decode()
