"""The chain of the audit trail: sealing written entries into it, and checking it link by link.

Writers never touch the chain (audit.trail.record signs each entry on its own). `seal()` links the
entries committed since the last seal, in `seq` order, under a lock only sealers take: the
checkpoint task, `manage.py audit_checkpoint`, an export. A slow transaction's entry that commits
after a later one was sealed is simply sealed next time, after it: the chain's order is the order
of sealing, `position`, not `seq`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction

from audit import keys
from audit.models import AuditEntry

# Any constant: identifies "the audit sealer" among advisory locks of this database. Only sealers
# take it; record() never does.
SEAL_LOCK_ID = 0x6663_6175_6469_73  # "fcaudis"


@dataclass(frozen=True)
class Verdict:
    """The walk over the sealed chain, `position` 1, 2, ... up to the head."""

    checked: int  # entries found intact before the first broken one (all of them when intact)
    head: str  # hash of the last intact entry
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    # (seq, hash) at the positions the caller asked to `watch` (the digests' heads).
    seen: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def _check(entry: AuditEntry, expected: int, prev_hash: str, keyed_seen: bool) -> str:
    """Why this link does not hold ('' when it does)."""
    if entry.position != expected:
        return f"chain position {expected} is missing (the next sealed entry is at {entry.position})"
    if entry.prev_hash != prev_hash:
        return f"its previous-entry hash does not match chain position {expected - 1}"
    if entry.version == AuditEntry.LEGACY:
        # Legacy hashes need no key: a forger could rewrite keyed entries as "legacy" ones. Legacy
        # entries exist only below the first keyed one (they were all written before keys).
        if keyed_seen:
            return "an unkeyed (version 1) entry after keyed ones: the chain was rewritten"
        if entry.seq != entry.position:
            return "an unkeyed (version 1) entry out of its place"
        if not keys.same(entry.compute_legacy_hash(), entry.hash):
            return "its content does not match its hash (it was changed after it was written)"
        return ""
    if entry.version != AuditEntry.KEYED:
        return f"unknown entry version {entry.version}"
    if not keys.same(entry.compute_mac(), entry.mac):
        return "its content does not match its keyed MAC (changed after it was written, or not written with this key)"
    if not keys.same(AuditEntry.link_hash(entry.position, prev_hash, entry.mac), entry.hash):
        return "its chain hash does not match (relinked without the key)"
    return ""


def verify(chunk_size: int = 2000, *, watch=()) -> Verdict:
    """Walk the sealed chain from position 1; stop at the first link that does not hold.

    Catches a sealed entry edited in place (MAC or legacy hash), removed (a gap in `position`, or
    the next entry's `prev_hash` pointing at nothing), inserted or reordered, and any rewrite made
    without the key. Removing sealed entries from the very end leaves no trace inside the chain:
    that is what the digests are for (audit.digests; `watch` their positions).
    """
    watch = set(watch)
    expected, prev_hash, checked, keyed_seen, seen = 1, AuditEntry.GENESIS, 0, False, {}
    sealed = AuditEntry.objects.filter(position__isnull=False).order_by("position")
    for entry in sealed.iterator(chunk_size=chunk_size):
        reason = _check(entry, expected, prev_hash, keyed_seen)
        if reason:
            return Verdict(
                checked, prev_hash, broken_seq=entry.seq, broken_id=entry.pk, reason=reason, seen=seen
            )
        if entry.position in watch:
            seen[entry.position] = (entry.seq, entry.hash)
        keyed_seen = keyed_seen or entry.version == AuditEntry.KEYED
        expected, prev_hash, checked = expected + 1, entry.hash, checked + 1
    return Verdict(checked, prev_hash, seen=seen)


@dataclass(frozen=True)
class Unsealed:
    """Entries written but not yet sealed: each is checked against its own MAC only."""

    count: int
    oldest: AuditEntry | None
    forged: list[AuditEntry]


def check_unsealed(chunk_size: int = 2000) -> Unsealed:
    count, oldest, forged = 0, None, []
    pending = AuditEntry.objects.filter(position__isnull=True).order_by("seq")
    for entry in pending.iterator(chunk_size=chunk_size):
        count += 1
        oldest = oldest or entry
        if entry.version != AuditEntry.KEYED or not keys.same(entry.compute_mac(), entry.mac):
            forged.append(entry)
    return Unsealed(count, oldest, forged)


def head() -> tuple[int, int | None, str]:
    """(count, seq, hash) of the chain's last sealed entry; (0, None, GENESIS) when none is."""
    last = (
        AuditEntry.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", "seq", "hash")
        .first()
    )
    return last or (0, None, AuditEntry.GENESIS)


def _lock_sealer() -> None:
    """Serialise sealers until the surrounding transaction ends (writers never take this).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: transactions begin IMMEDIATE
    (settings.py), which already takes the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_ID])


def seal(batch_size: int = 2000) -> int:
    """Link every committed unsealed entry into the chain, in `seq` order; return how many.

    Sees only committed entries (READ COMMITTED): one still in its writer's transaction is sealed
    by a later call. An entry is never skipped: what is unsealed is `position IS NULL`, not a range.
    """
    table = AuditEntry._meta.db_table
    sealed = 0
    with transaction.atomic():
        _lock_sealer()
        position, _, prev_hash = head()
        while True:
            batch = list(
                AuditEntry.objects.filter(position__isnull=True)
                .order_by("seq")
                .values_list("id", "mac")[:batch_size]
            )
            if not batch:
                return sealed
            links = []
            for pk, mac in batch:
                position += 1
                link = AuditEntry.link_hash(position, prev_hash, mac)
                links.append((position, prev_hash, link, pk))
                prev_hash = link
            with connection.cursor() as cursor:
                # The one write to an existing entry: its chain fields, once (position IS NULL).
                cursor.executemany(
                    f"UPDATE {table} SET position = %s, prev_hash = %s, hash = %s "  # noqa: S608 - our table
                    "WHERE id = %s AND position IS NULL",
                    links,
                )
            sealed += len(links)
