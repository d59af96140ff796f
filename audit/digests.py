"""Signed digests of the chain head, written out of the database's reach.

Each checkpoint seals what was written (audit.chain.seal), then appends one JSON line to
`AUDIT_DIGEST_DIR/digests.jsonl`:

    {"n": 7, "count": 1234, "seq": 1290, "head_hash": "...", "at": "...Z", "key_id": "...",
     "prev": "<signature of digest 6>", "signature": "<HMAC of everything else>"}

`count` is the chain's length, `seq`/`head_hash` its last entry. The signature (AUDIT_KEY) makes a
line unforgeable without the key; `prev` chains the lines, so a line removed from the middle shows.
A copy of each line goes to the database (AuditCheckpoint), so lines removed from the file's end,
or the whole file, show too. What a digest proves: the chain had `count` entries ending in
`head_hash` at `at`; entries sealed or written after the last digest are covered only by the next.

The file is opened for appending only and fsynced; making it append-only on disk too (`chattr +a`,
a WORM bucket, a host the database cannot reach) is the operator's part (README).
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import chain, keys
from audit.models import AuditCheckpoint, AuditEntry

FILENAME = "digests.jsonl"
FIELDS = ("n", "count", "seq", "head_hash", "at", "key_id", "prev")


def path() -> Path:
    return Path(settings.AUDIT_DIGEST_DIR) / FILENAME


def sign(digest: dict) -> str:
    return keys.mac("fcaudit.digest.v1", keys.canonical({k: digest[k] for k in FIELDS}))


class DigestFileDamaged(Exception):
    pass


@dataclass(frozen=True)
class Written:
    sealed: int
    digest: dict | None  # None: the head had not moved since the last digest, nothing written


def read(file: Path | None = None) -> list[dict]:
    """Every line of the digest file, parsed; a line that is not JSON is kept as {"unreadable": text}."""
    file = file or path()
    if not file.exists():
        return []
    lines = []
    for text in file.read_text().splitlines():
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        lines.append(value if isinstance(value, dict) else {"unreadable": text[:80]})
    return lines


def _last(fd: int) -> dict | None:
    """The file's last line, read from its end: the file grows by a line per checkpoint, for years."""
    size = os.fstat(fd).st_size
    tail, step = b"", 4096
    while size > 0:
        start = max(0, size - step)
        tail = os.pread(fd, size - start, start) + tail
        size = start
        lines = tail.strip().splitlines()
        if len(lines) > 1 or (lines and size == 0):
            try:
                last = json.loads(lines[-1])
            except ValueError:
                last = None
            if not isinstance(last, dict) or not isinstance(last.get("n"), int):
                # Chaining onto it would hide what happened to the file: stop, and let a person look.
                raise DigestFileDamaged(
                    f"the last line of {FILENAME} is not a digest; run manage.py verify_audit"
                )
            return last
    return None


def checkpoint() -> Written:
    """Seal, then write a digest of the head when it moved (or when there is none yet)."""
    sealed = chain.seal()
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    # One checkpoint at a time writes the file (the beat's task and a manual run may overlap);
    # O_APPEND: the file is never rewritten, only extended.
    fd = os.open(file, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last(fd)
        count, seq, head_hash = chain.head()
        now = timezone.now()
        if last is not None and last.get("count") == count and last.get("head_hash") == head_hash:
            return Written(sealed, None)
        digest = {
            "n": (last.get("n", 0) if last else 0) + 1,
            "count": count,
            "seq": seq,
            "head_hash": head_hash,
            "at": now.astimezone(UTC).isoformat(timespec="microseconds"),
            "key_id": keys.key_id(),
            "prev": last.get("signature", AuditEntry.GENESIS) if last else AuditEntry.GENESIS,
        }
        digest["signature"] = sign(digest)
        os.write(fd, (json.dumps(digest, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the flock
    # The file first: a digest the database lacks is harmless; one the file lacks is an alarm.
    with transaction.atomic():
        AuditCheckpoint.objects.create(
            number=digest["n"],
            count=count,
            head_seq=seq,
            head_hash=head_hash,
            at=now,
            signature=digest["signature"],
        )
    return Written(sealed, digest)
