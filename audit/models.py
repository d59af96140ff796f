"""The audit trail: one append-only row per change that matters, MAC'd when written, chained later.

How the trail resists tampering (DESIGN.md, README "Audit trail"):

1. **Written**: `audit.record()` inserts the entry in the caller's transaction with its `seq` (from a
   database sequence: no lock, gaps where a transaction rolled back) and its `mac`, an HMAC-SHA256
   of its content under AUDIT_KEY. No shared lock: concurrent submits do not wait on each other.
2. **Sealed**: the sealer (`audit.chain.seal()`, run by every checkpoint) takes committed unsealed
   entries in `seq` order and gives each its `position` in the chain, `prev_hash` and `hash` =
   HMAC(position, prev_hash, mac). Only the sealer takes the chain's lock.
3. **Checkpointed**: `audit.digests.checkpoint()` writes the chain head (count, hash, signature,
   chained to the previous digest) to an append-only file outside the database, and a mirror row
   (`AuditCheckpoint`). `manage.py verify_audit` checks all three.

Entries written before keys (version 1) keep their unkeyed SHA-256 chain and still verify; the first
keyed link after them covers their head under the key.
"""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from audit import keys


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk paths around save()/delete() are closed too: the trail is written one entry at a time."""

    def update(self, **kwargs):
        raise PermissionDenied("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionDenied("Audit entries cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied("Audit entries cannot be changed.")

    def bulk_create(self, objs, *args, **kwargs):
        raise PermissionDenied("Audit entries are written one by one: use audit.record().")


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with a before/after summary.

    Content fields never change after the insert. The chain fields (`position`, `prev_hash`, `hash`)
    are empty until the sealer fills them, once (its UPDATE matches `position IS NULL` only).
    Names and object labels are copied at write time: the entry keeps saying what was true then.
    """

    LEGACY = 1  # unkeyed SHA-256 chained at write time under one lock (before issue 14)
    KEYED = 2  # HMAC-SHA256 `mac` at write time, keyed chain link at sealing

    seq = models.PositiveBigIntegerField(
        unique=True, editable=False, help_text="write order; gaps where a transaction rolled back"
    )
    version = models.PositiveSmallIntegerField(default=KEYED, editable=False)
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
    mac = models.CharField(max_length=64, blank=True, editable=False, help_text="HMAC of the content")
    position = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False, help_text="place in the chain; empty until sealed"
    )
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

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
            # What the sealer and the page's "not yet sealed" count read: small, the recent tail.
            models.Index(fields=["seq"], condition=Q(position__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} by {self.actor_name or 'system'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit entries cannot be changed.")
        if not self.mac:
            raise ValueError("Write audit entries through audit.record(), which signs them.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries cannot be deleted.")

    @property
    def sealed(self) -> bool:
        return self.position is not None

    def content(self) -> dict:
        """What an entry says: every stored field except the MAC and the chain fields."""
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
        }

    def compute_mac(self) -> str:
        """Version 2: HMAC-SHA256 of the content, computed when written (needs no other entry)."""
        return keys.mac("fcaudit.entry.v2", keys.canonical({"v": self.KEYED, **self.content()}))

    @staticmethod
    def link_hash(position: int, prev_hash: str, mac: str) -> str:
        """Version 2 chain link: the entry's MAC bound to its place and to the link before it."""
        return keys.mac("fcaudit.link.v2", f"{position}\n{prev_hash}\n{mac}".encode())

    def compute_legacy_hash(self) -> str:
        """Version 1 (entries written before keys): unkeyed SHA-256 of the content and prev_hash."""
        content = {**self.content(), "prev_hash": self.prev_hash}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
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
            "hash": self.hash or "",
            "prev_hash": self.prev_hash,
            "position": self.position,
            "mac": self.mac,
        }


class AuditCheckpoint(models.Model):
    """The database's copy of one digest line (audit.digests): the file is the evidence; this copy
    lets `verify_audit` notice digests missing from the file's end, and the page name the last one."""

    number = models.PositiveBigIntegerField(unique=True)
    count = models.PositiveBigIntegerField(help_text="entries in the chain when written")
    head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    signature = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"checkpoint {self.number}: {self.count} entries"
