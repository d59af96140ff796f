"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body bytes.

The recipe a receiver follows (docs/notifications.md says the same, with code):

1. Read the headers `X-Fcconsole-Timestamp` (Unix seconds) and `X-Fcconsole-Signature`
   (`sha256=<hex>`), and the raw request body, byte for byte (before any JSON parsing).
2. Compute `hex(HMAC-SHA256(key=secret, msg=timestamp + "." + body))`, the timestamp as sent.
3. Compare with the header's hex in constant time; refuse a timestamp more than five minutes
   from your clock (a replayed old request). `X-Fcconsole-Delivery` is the same for every
   attempt of one delivery: use it to drop duplicates (delivery is at least once).
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Fcconsole-Timestamp"
SIGNATURE_HEADER = "X-Fcconsole-Signature"
TOLERANCE = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Fcconsole-Signature` value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str, timestamp: str, sent_signature: str, body: bytes, *, now: float | None = None
) -> bool:
    """The receiver's side of the recipe: a signature made with `secret`, at most TOLERANCE old."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= TOLERANCE and hmac.compare_digest(signature(secret, timestamp, body), sent_signature or "")
