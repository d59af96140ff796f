"""The one POST action of the notifications page: add a subscription."""

from __future__ import annotations

from fnmatch import fnmatch
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from notifications.models import Channel, Event, Subscription

MIN_SECRET = 16


class SubscriptionForm(forms.Form):
    event = forms.ChoiceField(choices=Event.choices, label="When")
    channel = forms.ChoiceField(choices=Channel.choices, label="Tell me by")
    url = forms.URLField(
        required=False, max_length=500, label="Webhook URL", assume_scheme="https",
        help_text="Webhooks only: receives a signed JSON POST",
    )  # fmt: skip
    secret = forms.CharField(
        required=False,
        min_length=MIN_SECRET,
        strip=False,
        label="Webhook secret",
        # Never rendered back, even after an error elsewhere in the form.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"Webhooks only: at least {MIN_SECRET} characters; signs each request "
        "(X-Fcconsole-Signature), stored encrypted, never shown again",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        channel, url = cleaned.get("channel"), cleaned.get("url") or ""
        if channel == Channel.WEBHOOK:
            if not url:
                self.add_error("url", "A webhook needs the URL to send to.")
            elif not _allowed(url):
                self.add_error("url", "Webhooks may not be sent to this host (NOTIFY_WEBHOOK_ALLOWED_HOSTS).")
            if not cleaned.get("secret") and "secret" not in self.errors:
                self.add_error("secret", "A webhook needs a secret to sign its requests with.")
        elif channel == Channel.EMAIL:
            cleaned["url"] = ""
            if not self.user.email:
                raise ValidationError("Your account has no e-mail address: ask an admin to set one.")
        if (
            channel
            and cleaned.get("event")
            and Subscription.objects.filter(
                user=self.user, event=cleaned["event"], channel=channel, url=cleaned.get("url") or ""
            ).exists()
        ):
            raise ValidationError("You already have this subscription.")
        return cleaned

    def save(self) -> Subscription:
        data = self.cleaned_data
        subscription = Subscription(
            user=self.user, event=data["event"], channel=data["channel"], url=data["url"]
        )
        if subscription.channel == Channel.WEBHOOK:
            subscription.set_secret(data["secret"])
        subscription.save()
        return subscription


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and any(
        fnmatch(host, pattern.lower()) for pattern in settings.NOTIFY_WEBHOOK_ALLOWED_HOSTS
    )
