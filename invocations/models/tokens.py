import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "fcc_"  # noqa: S105 - marks our tokens in logs and secret scanners; not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(plaintext: str) -> str:
    # 256 random bits need no slow hash: nothing to brute-force, and lookups stay one indexed query.
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def issue(self, user, name: str) -> tuple["ApiToken", str]:
        """A new token for `user`; the plaintext is returned once and stored only as a hash."""
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(
            user=user, name=name, hint=plaintext[: len(TOKEN_PREFIX) + 4], digest=_digest(plaintext)
        )
        return token, plaintext

    def authenticate(self, plaintext: str) -> "ApiToken | None":
        """The active token with this plaintext whose user is still active, or None."""
        if not plaintext.startswith(TOKEN_PREFIX):
            return None
        # The membership comes along: every API view asks the user's role (roles.role_of). The
        # digest is unique, so get() rather than first(), whose ORDER BY is of no use here and
        # costs CPU on every API request (bench/RESULTS.md, 2026-12-03).
        try:
            token = self.active().select_related("user", "user__membership").get(digest=_digest(plaintext))
        except self.model.DoesNotExist:
            return None
        if not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            # One write a minute at most, however busy the script using it.
            self.model.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token


class ApiToken(models.Model):
    """A personal REST API token (`Authorization: Bearer fcc_...`), acting as its user."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, help_text="what uses it, e.g. 'CI deploy job'")
    hint = models.CharField(max_length=16, help_text="the first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
