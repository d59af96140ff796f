"""One attempt at one Delivery: claim it, send it by its channel, write down what happened.

Errors are recorded by kind and HTTP status, never by an exception's own text (which may quote a
URL, a header or a body): no secret can reach the row, the page, the log or a retry's message.
"""

from __future__ import annotations

import json
import logging
import smtplib
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from invocations.crypto import DecryptionError
from invocations.fc import backoff
from notifications import signing
from notifications.models import Channel, Delivery

log = logging.getLogger(__name__)

# Answers a later attempt may change: the receiver's trouble, not a refusal of this request.
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


class Failed(Exception):
    """An attempt that did not deliver: `reason` is safe to store and show."""

    def __init__(self, reason: str, *, status: int | None = None, retryable: bool = True, retry_after=None):
        super().__init__(reason)
        self.reason, self.status, self.retryable, self.retry_after = reason, status, retryable, retry_after


@dataclass
class Outcome:
    """What the task does next: nothing (`retry_in` None), or try again in `retry_in` seconds."""

    retry_in: float | None = None


def attempt(delivery_pk: int) -> Outcome:
    """Make the next attempt at a pending delivery; a delivered or failed one is left alone (a
    redelivered task message). Attempts are counted on the row before sending."""
    now = timezone.now()
    if not Delivery.objects.filter(pk=delivery_pk, status=Delivery.Status.PENDING).update(
        attempts=F("attempts") + 1, last_attempt_at=now
    ):
        return Outcome()
    delivery = Delivery.objects.select_related("subscription", "user").get(pk=delivery_pk)
    try:
        status = _send(delivery)
    except Failed as failed:
        final = not failed.retryable or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery_pk).update(
            status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
            last_status_code=failed.status,
            last_error=failed.reason,
        )
        log.warning(
            "delivery %s attempt %s failed%s: %s",
            delivery.uuid,
            delivery.attempts,
            "; giving up" if final else "; will retry",
            failed.reason,
        )
        if final:
            return Outcome()
        wait = backoff.delay(
            delivery.attempts - 1,
            base=settings.NOTIFY_RETRY_BACKOFF,
            cap=settings.NOTIFY_RETRY_CAP,
            retry_after=failed.retry_after,
        )
        return Outcome(retry_in=wait)
    Delivery.objects.filter(pk=delivery_pk).update(
        status=Delivery.Status.DELIVERED, last_status_code=status, last_error="", delivered_at=timezone.now()
    )
    log.info("delivery %s delivered on attempt %s", delivery.uuid, delivery.attempts)
    return Outcome()


def _send(delivery: Delivery) -> int | None:
    if delivery.subscription is None:
        raise Failed("The subscription was removed before it could be sent.", retryable=False)
    if delivery.channel == Channel.WEBHOOK:
        return _webhook(delivery)
    return _email(delivery)


def body_of(delivery: Delivery) -> bytes:
    """The exact bytes a webhook receives (and its signature covers)."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def _webhook(delivery: Delivery) -> int:
    try:
        secret = delivery.subscription.secret()
    except DecryptionError:
        raise Failed(
            "The webhook's secret cannot be decrypted with the configured keys.", retryable=False
        ) from None
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "fcconsole-webhooks/1",
        "X-Fcconsole-Event": delivery.event,
        "X-Fcconsole-Delivery": str(delivery.uuid),
        **signing.headers(secret, body),
    }
    try:
        response = requests.post(
            delivery.target,
            data=body,
            headers=headers,
            timeout=(settings.NOTIFY_WEBHOOK_CONNECT_TIMEOUT, settings.NOTIFY_WEBHOOK_TIMEOUT),
            allow_redirects=False,
        )
    except requests.Timeout:
        raise Failed("The receiver did not answer in time (timeout).") from None
    except requests.ConnectionError:
        raise Failed("Could not connect to the receiver (connection error).") from None
    except requests.RequestException as exc:
        raise Failed(f"The request could not be made ({type(exc).__name__}).") from None
    if 200 <= response.status_code < 300:
        return response.status_code
    raise Failed(
        f"The receiver answered HTTP {response.status_code}.",
        status=response.status_code,
        retryable=response.status_code in RETRYABLE_STATUS,
        retry_after=_retry_after(response),
    )


def _retry_after(response) -> float | None:
    try:
        return min(float(response.headers.get("Retry-After", "")), settings.NOTIFY_RETRY_CAP)
    except ValueError:
        return None


def _email(delivery: Delivery) -> None:
    if not delivery.target:
        raise Failed("The user has no e-mail address.", retryable=False)
    try:
        send_mail(
            delivery.subject,
            email_text(delivery),
            settings.DEFAULT_FROM_EMAIL,
            [delivery.target],
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError) as exc:
        raise Failed(f"The mail server refused or could not be reached ({type(exc).__name__}).") from None
    return None


def email_text(delivery: Delivery) -> str:
    data = delivery.payload
    if "invocation" in data:
        inv = data["invocation"]
        lines = [
            f"Your async invocation of {inv['target']} ({inv['region']}, profile {inv['profile']}) "
            f"ended: {inv['state']}.",
            inv["state_reason"],
            f"Error: {inv['error_code'] or inv['error_type']}"
            if inv["error_code"] or inv["error_type"]
            else "",
            f"Started {inv['created_at']}, finished {inv['finished_at']}.",
            inv["url"],
        ]
    else:
        run = data["run"]
        verdict = "failed" if data["event"] == "suite.failed" else "passed again"
        lines = [f"The suite {data['suite']['name'] or '(unnamed)'} {verdict}.", run["url"] or ""]
    footer = "You get this because of your subscription on the console's Notifications page."
    return "\n".join(line for line in lines if line) + "\n\n" + footer + "\n"
