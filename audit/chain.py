"""Checking the hash chain of the audit trail, entry by entry, in constant memory."""

from __future__ import annotations

from dataclasses import dataclass

from audit.models import AuditEntry


@dataclass(frozen=True)
class Verdict:
    checked: int  # entries found intact before the first broken one (all of them when intact)
    head: str  # hash of the last intact entry
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify(chunk_size: int = 2000) -> Verdict:
    """Walk the chain from the first entry; stop at the first link that does not hold.

    Catches an entry edited in place (its content no longer gives its hash), removed (a gap in
    `seq`, or the next entry's `prev_hash` pointing at nothing) or inserted out of order.
    Removing entries from the very end leaves no trace inside the chain: compare `head` with a
    copy kept elsewhere for that.
    """
    expected_seq, prev_hash, checked = 1, AuditEntry.GENESIS, 0
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for entry in entries:
        reason = ""
        if entry.seq != expected_seq:
            reason = f"entry #{expected_seq} is missing (the next entry is #{entry.seq})"
        elif entry.prev_hash != prev_hash:
            reason = f"its previous-entry hash does not match entry #{expected_seq - 1}"
        elif entry.compute_hash() != entry.hash:
            reason = "its content does not match its hash (it was changed after it was written)"
        if reason:
            return Verdict(checked, prev_hash, broken_seq=entry.seq, broken_id=entry.pk, reason=reason)
        expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
    return Verdict(checked, prev_hash)
