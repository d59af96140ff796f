"""Who wants to hear about what (Subscription), and each message sent for it (Delivery).

A Delivery row is written first, when the event happens, with the exact payload; a Celery task
carrying only its pk sends it and retries with the console's backoff, counting attempts on the
row. The row is the truth: its status, attempts, last HTTP status or error, and when.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models

from invocations import crypto


class Event(models.TextChoices):
    INVOCATION_ENDED = "invocation.ended", "An async invocation I started ends"
    SUITE_FAILED = "suite.failed", "A suite I can see starts failing"
    SUITE_RECOVERED = "suite.recovered", "A suite I can see passes again"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class Subscription(models.Model):
    """One user's wish to hear of `event` by `channel`: by e-mail to their address, or by a
    webhook to `url`, signed with a secret that is encrypted at rest and never read back into a
    page, an API answer, a log or a task message (see notifications/signing.py)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_subscriptions"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    url = models.URLField(max_length=500, blank=True, help_text="webhooks only")
    secret_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "channel", "url"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "channel", "url"], name="subscription_once"),
        ]
        indexes = [models.Index(fields=["event", "user"], name="subscription_event_user")]

    def __str__(self):
        return f"{self.user} {self.event} by {self.channel}"

    # -- the webhook secret: write-only from the outside ---------------------------------------
    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = crypto.encrypt(secret)

    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @property
    def host(self) -> str:
        """What pages and the audit trail name of a webhook: its host, not a path that may hold
        a token of the receiver's."""
        return urlsplit(self.url).hostname or ""

    def target(self) -> str:
        return self.user.email if self.channel == Channel.EMAIL else self.url

    def to_dict(self) -> dict:
        """The one JSON shape of a subscription. Holds no secret: only that one is set."""
        return {
            "id": str(self.uuid),
            "event": self.event,
            "channel": self.channel,
            "url": self.url or None,
            "has_secret": bool(self.secret_encrypted),
            "created_at": self.created_at.isoformat(),
        }


class DeliveryQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class Delivery(models.Model):
    """One notification for one subscription: written when the event happens, sent by a task."""

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for its (next) attempt
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up: attempts used, or an answer a retry cannot change

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    target = models.CharField(max_length=500, help_text="the e-mail address or webhook URL, when written")
    # What it is about, once per subscription: "invocation:<uuid>", "suite-run:<id>:<event>".
    about = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    payload = models.JSONField(help_text="the webhook body and the e-mail's facts, fixed at creation")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "about"], name="delivery_once")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="delivery_user"),
            models.Index(fields=["status", "created_at"], name="delivery_status"),
        ]

    def __str__(self):
        return f"{self.event} to {self.channel} ({self.status})"

    @property
    def shown_target(self) -> str:
        """The target as pages show it: an address, or a webhook's host."""
        if self.channel == Channel.WEBHOOK:
            return urlsplit(self.target).hostname or ""
        return self.target

    def to_dict(self) -> dict:
        return {
            "id": str(self.uuid),
            "event": self.event,
            "channel": self.channel,
            "target": self.shown_target,
            "subject": self.subject,
            "status": self.status,
            "attempts": self.attempts,
            "last_status_code": self.last_status_code,
            "last_error": self.last_error,
            "created_at": self.created_at.isoformat(),
            "last_attempt_at": self.last_attempt_at.isoformat() if self.last_attempt_at else None,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
        }
