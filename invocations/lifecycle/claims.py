"""A worker's claims, made together: the threads that claim at once share one statement.

A worker process runs hundreds of calls on threads. When a burst arrives (a batch submit, many
clients at once), each thread's first step is the claim, one UPDATE per row, each with its own
connection checkout, round trip and PostgreSQL statement. Here the claims that arrive while one
is being made wait for it and are then made together, in one statement (`claim_many`): a
thread alone claims at once, as before, and under load a statement serves many threads. This is
group commit: no timer, nothing waits for company, only for the statement ahead of it.

Whoever claims first leads: it takes the database briefly (`db.database`), claims every row
asked for meanwhile, hands each thread its row (or None: a duplicate message, a row already
taken), and passes the lead to the oldest thread still waiting. A failed statement (the
database down) fails each of the threads it served with that error (each its own copy, caused by
the leader's), as their own claims would have, and each task tries again later (run.py,
DatabaseUnavailable); a deadlock with another process's multi-row UPDATE makes the leader claim
its rows one by one, which cannot deadlock.

Used on PostgreSQL outside a transaction; otherwise (SQLite, a caller's atomic block, whose rows
another thread's connection could not see) the thread claims alone.
"""

from __future__ import annotations

import copy
import threading

from django.db import OperationalError

from fcconsole import statements
from invocations.lifecycle.db import database
from invocations.models import Invocation


class _Claim:
    __slots__ = ("pk", "done", "lead", "row", "error")

    def __init__(self, pk: int):
        self.pk = pk
        self.done = threading.Event()
        self.lead = False
        self.row = None
        self.error: BaseException | None = None


class ClaimFailed(RuntimeError):
    """The statement that made this thread's claim failed (the leader's error is its cause)."""


class ClaimInterrupted(ClaimFailed):
    """The thread making the statement was interrupted before it had an answer."""


class Claims:
    """The claims of one process's threads (one instance per process: `claim` below)."""

    def __init__(self, claim_many=None):
        self._claim_many = claim_many or Invocation.objects.claim_many
        self._lock = threading.Lock()
        self._waiting: list[_Claim] = []
        self._leading = False

    def claim(self, pk: int):
        """Invocation `pk` claimed (queued -> running), or None when it was not queued."""
        mine = _Claim(pk)
        with self._lock:
            self._waiting.append(mine)
            if not self._leading:
                self._leading = mine.lead = True
        if not mine.lead:
            mine.done.wait()
        led = mine.lead
        if led:
            self._lead()
        if mine.error is None:
            return mine.row
        if led:
            raise mine.error
        # One exception object raised in many threads would collect all their tracebacks: each
        # thread raises its own copy, caused by the leader's.
        raise _copied(mine.error) from mine.error

    def _lead(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        rows, error = None, None
        try:
            rows = self._claim_all([claim.pk for claim in batch])
        except Exception as exc:  # noqa: BLE001 - each thread raises it, as its own claim would have
            error = exc
        finally:
            # Even when interrupted (a BaseException passes through): nobody is left waiting.
            self._hand_on(batch, rows, error or (None if rows is not None else ClaimInterrupted()))

    def _hand_on(self, batch: list[_Claim], rows: dict | None, error: BaseException | None) -> None:
        # The lead first, then the rows: the oldest waiting thread makes the next statement.
        with self._lock:
            successor = self._waiting[0] if self._waiting else None
            if successor is None:
                self._leading = False
            else:
                successor.lead = True
        seen = set()
        for claim in batch:
            claim.lead = False
            claim.error = error
            if rows is not None and claim.pk not in seen:  # a repeated pk: only the first gets the row
                claim.row = rows.get(claim.pk)
                seen.add(claim.pk)
            claim.done.set()
        if successor is not None:
            successor.done.set()

    def _claim_all(self, pks: list[int]) -> dict:
        with database():
            try:
                return self._claim_many(pks)
            except OperationalError as exc:
                if len(pks) == 1 or getattr(exc.__cause__, "sqlstate", None) != DEADLOCK:
                    raise
            rows = {}
            for pk in pks:
                rows.update(self._claim_many([pk]))
            return rows


def _copied(error: BaseException) -> BaseException:
    try:
        return copy.copy(error)
    except Exception:  # noqa: BLE001 - an exception that cannot be rebuilt from its args
        return ClaimFailed(f"the shared claim failed: {type(error).__name__}: {error}")


DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
_claims = Claims()


def claim(pk: int):
    """Claim invocation `pk` for this worker: the row, or None (see `Claims.claim`)."""
    connection = statements.default_connection()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with database():
            return Invocation.objects.claim(pk)
    return _claims.claim(pk)
