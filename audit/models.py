"""The audit trail: one append-only, hash-chained row per change that matters."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk paths around save()/delete() are closed too: the trail is written one entry at a time."""

    def update(self, **kwargs):
        raise PermissionDenied("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionDenied("Audit entries cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied("Audit entries cannot be changed.")

    def bulk_create(self, objs, *args, **kwargs):
        raise PermissionDenied("Audit entries are chained one by one: use audit.record().")


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with a before/after summary.

    `seq` numbers the chain without gaps; `hash` covers every field below plus `prev_hash`, so an
    edited, removed or reordered row breaks the chain at that row (`manage.py verify_audit`).
    Names and object labels are copied at write time: the entry keeps saying what was true then.
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(editable=False)
    # PROTECT: a user with history is deactivated, never deleted (the entry must not change).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="username then; blank for the system")
    action = models.CharField(max_length=64)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    GENESIS = "0" * 64

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["action", "-seq"], name="audit_action"),
            models.Index(fields=["actor", "-seq"], name="audit_actor"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} by {self.actor_name or 'system'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit entries cannot be changed.")
        if not self.hash:
            raise ValueError("Write audit entries through audit.record(), which chains them.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries cannot be deleted.")

    def content(self) -> dict:
        """The hashed content: every stored field except the hash itself."""
        return {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "source_ip": self.source_ip,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_dict(self) -> dict:
        """The export shape (CSV columns and JSON Lines objects)."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_name,
            "action": self.action,
            "source_ip": self.source_ip or "",
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object": self.object_repr,
            "before": self.before,
            "after": self.after,
            "hash": self.hash,
            "prev_hash": self.prev_hash,
        }
