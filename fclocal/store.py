"""Async invocation records, persisted in SQLite under the state directory.

A record is both what FC reports (a stateful async invocation of 2.0, fc-api.md 4.2; an async
task of 3.0, fc3-api.md 5.2) and the queued work: records in `Enqueued` or `Retrying` are run when
`due_at` comes, also after a restart. 3.0 functions have no service: their records carry
`service == ""`, so the two APIs' ids never collide.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ENQUEUED, RUNNING, RETRYING = "Enqueued", "Running", "Retrying"
SUCCEEDED, FAILED, STOPPING, STOPPED, EXPIRED, INVALID = (
    "Succeeded",
    "Failed",
    "Stopping",
    "Stopped",
    "Expired",
    "Invalid",
)
WAITING = (ENQUEUED, RETRYING)
TERMINAL = (SUCCEEDED, FAILED, STOPPED, EXPIRED, INVALID)
STATUSES = (ENQUEUED, "Dequeued", RUNNING, SUCCEEDED, FAILED, STOPPING, STOPPED, EXPIRED, INVALID, RETRYING)
RETURN_PAYLOAD_LIMIT = 1024 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS async_invocations (
    service TEXT NOT NULL,
    function TEXT NOT NULL,
    invocation_id TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    request_id TEXT NOT NULL,
    status TEXT NOT NULL,
    started_time INTEGER NOT NULL,
    end_time INTEGER,
    payload BLOB NOT NULL,
    return_payload BLOB,
    error_message TEXT NOT NULL DEFAULT '',
    destination_status TEXT NOT NULL DEFAULT '',
    retried INTEGER NOT NULL DEFAULT 0,
    instance_id TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER,
    due_at REAL NOT NULL,
    events TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (service, function, invocation_id)
);
CREATE INDEX IF NOT EXISTS async_by_time ON async_invocations (service, function, started_time, invocation_id);
CREATE INDEX IF NOT EXISTS async_waiting ON async_invocations (status, due_at);
"""

COLUMNS = (
    "service function invocation_id qualifier request_id status started_time end_time payload return_payload "
    "error_message destination_status retried instance_id duration_ms due_at events"
).split()


def now_ms() -> int:
    return int(time.time() * 1000)


class AlreadyExists(Exception):
    """The id is taken (for this function)."""


class NotFound(Exception):
    """No such record."""


class Finished(Exception):
    """The record has ended already; `.status` says how."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


# unconfirmed (fc-api.md 11, fc3-api.md 5.1): whether startedTimeBegin/startedTimeEnd include their
# edges; chose both inclusive, because a window [t, t] then finds a task started at t, and a
# client that wants exclusive edges can move them by a millisecond.
STARTED_TIME_BEGIN_OP = ">="
STARTED_TIME_END_OP = "<="


@dataclass
class AsyncRecord:
    service: str
    function: str
    invocation_id: str
    qualifier: str
    request_id: str
    payload: bytes
    status: str = ENQUEUED
    started_time: int = field(default_factory=now_ms)
    end_time: int | None = None
    return_payload: bytes | None = None
    error_message: str = ""
    destination_status: str = ""
    retried: int = 0
    instance_id: str = ""
    duration_ms: int | None = None
    due_at: float = field(default_factory=time.time)
    events: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.function, self.invocation_id)

    def transition(self, status: str, detail: str = "") -> None:
        self.status = status
        self.events.append(
            {"eventId": len(self.events) + 1, "status": status, "timestamp": now_ms(), "eventDetail": detail}
        )
        if status in TERMINAL:
            self.end_time = now_ms()


def payload_text(data: bytes) -> str:
    """Payloads are strings in FC's JSON; binary ones are given base64-encoded (fclocal's choice)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(data).decode()


class Store:
    def __init__(self, state_dir: Path):
        state_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            state_dir / "fclocal.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _row(self, record: AsyncRecord) -> tuple:
        values = {**record.__dict__, "events": json.dumps(record.events)}
        return tuple(values[c] for c in COLUMNS)

    @staticmethod
    def _record(row: tuple) -> AsyncRecord:
        values = dict(zip(COLUMNS, row, strict=True))
        values["events"] = json.loads(values["events"])
        return AsyncRecord(**values)

    def insert(self, record: AsyncRecord) -> None:
        marks = ",".join("?" * len(COLUMNS))
        try:
            with self._lock:
                self._db.execute(
                    f"INSERT INTO async_invocations ({','.join(COLUMNS)}) VALUES ({marks})", self._row(record)
                )
        except sqlite3.IntegrityError:
            raise AlreadyExists(record.invocation_id) from None

    def save(self, record: AsyncRecord) -> None:
        assignments = ",".join(f"{c}=?" for c in COLUMNS[3:])
        with self._lock:
            self._db.execute(
                f"UPDATE async_invocations SET {assignments} WHERE service=? AND function=? AND invocation_id=?",
                self._row(record)[3:] + record.key,
            )

    def get(self, service: str, function: str, invocation_id: str) -> AsyncRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {','.join(COLUMNS)} FROM async_invocations WHERE service=? AND function=? AND invocation_id=?",
                (service, function, invocation_id),
            ).fetchone()
        return self._record(row) if row else None

    def waiting(self) -> list[AsyncRecord]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {','.join(COLUMNS)} FROM async_invocations WHERE status IN (?, ?) ORDER BY due_at",
                WAITING,
            ).fetchall()
        return [self._record(r) for r in rows]

    def in_progress(self) -> list[AsyncRecord]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {','.join(COLUMNS)} FROM async_invocations WHERE status IN (?, ?)",
                (RUNNING, STOPPING),
            ).fetchall()
        return [self._record(r) for r in rows]

    def page(
        self,
        service: str,
        function: str,
        *,
        qualifier: str | None,
        status: str | None,
        begin: int | None,
        end: int | None,
        prefix: str | None,
        descending: bool,
        limit: int,
        after: tuple[int, str] | None,
    ) -> tuple[list[AsyncRecord], tuple[int, str] | None]:
        """One page in (startedTime, invocationId) order; the cursor of the next page or None."""
        where, params = ["service=?", "function=?"], [service, function]
        for clause, value in (
            ("qualifier=?", qualifier),
            ("status=?", status),
            (f"started_time{STARTED_TIME_BEGIN_OP}?", begin),
            (f"started_time{STARTED_TIME_END_OP}?", end),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if prefix:
            where.append("substr(invocation_id, 1, ?)=?")
            params += [len(prefix), prefix]
        if after is not None:
            where.append(f"(started_time, invocation_id) {'<' if descending else '>'} (?, ?)")
            params += list(after)
        order = "DESC" if descending else "ASC"
        sql = (
            f"SELECT {','.join(COLUMNS)} FROM async_invocations WHERE {' AND '.join(where)} "
            f"ORDER BY started_time {order}, invocation_id {order} LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (*params, limit + 1)).fetchall()
        records = [self._record(r) for r in rows[:limit]]
        more = len(rows) > limit
        return records, ((records[-1].started_time, records[-1].invocation_id) if more else None)
