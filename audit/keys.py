"""The audit trail's key: HMAC-SHA256 over entries, chain links and digests.

Someone who can write the database but does not hold this key cannot produce a MAC, a link or a
digest signature that verifies, so a rewrite with recomputed hashes shows. `AUDIT_KEY` (or
`AUDIT_KEY_FILE`) sets it; left empty, a development key is derived from SECRET_KEY the way
`invocations.crypto` derives its development key, and production refuses to start without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings


def key() -> bytes:
    # Read on every call (cheap): tests and rotations change settings, no stale copy survives.
    configured = settings.AUDIT_KEY
    if configured:
        return configured.encode()
    return hashlib.sha256(f"fcconsole-audit-dev:{settings.SECRET_KEY}".encode()).digest()


def canonical(data: dict) -> bytes:
    """The one byte form of a dict that is hashed or signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def mac(label: str, message: bytes) -> str:
    """HMAC-SHA256 of `message` under the trail's key, separated by `label` so that an entry's MAC
    can never be passed off as a link or a digest signature."""
    return hmac.new(key(), label.encode() + b"\n" + message, hashlib.sha256).hexdigest()


def key_id() -> str:
    """A short name for the key (not the key): digests carry it, so a digest made with another key
    says so instead of reading as altered."""
    return mac("fcaudit.key-id", b"")[:16]


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a, b)
