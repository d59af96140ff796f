"""Writing the audit trail: `record()` is the one way in.

The trail's receivers call `record("profile.created", obj=profile)` (the apps announce through
`invocations.activity` and a receiver records it); the actor and the source address come from the
request being served when not given. Before/after summaries pass
through `scrub()`, which makes logging a secret impossible by key: any key naming a secret, token,
password or encrypted value is stored as "[redacted]", however deep it sits.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid
from enum import Enum

from django.db import connection, models, transaction
from django.utils import timezone

from audit.client_ip import client_ip
from audit.context import current_request
from audit.models import AuditEntry
from fcconsole import statements

ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SECRET_KEY = re.compile(r"secret|token|passw|encrypted|private_key", re.IGNORECASE)
REDACTED = "[redacted]"
MAX_TEXT = 1000  # a summary, not a copy: long values are cut and say so


def is_secret_key(key) -> bool:
    return bool(SECRET_KEY.search(str(key)))


def scrub(value):
    """A JSON-safe copy of `value` with every secret-named key's value replaced by "[redacted]"."""
    if isinstance(value, dict):
        return {str(k): (REDACTED if is_secret_key(k) else scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [scrub(v) for v in items]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return scrub(value.value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)[:200]
    text = str(value).replace("\x00", "")  # PostgreSQL's jsonb cannot store NUL
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]}… ({len(text)} characters)"
    return text


def describe(obj) -> tuple[str, str, str]:
    """(object_type, object_id, object_repr) of a model instance: addressed by uuid when it has one."""
    if obj is None:
        return "", "", ""
    ident = getattr(obj, "uuid", None) or obj.pk
    return obj._meta.label_lower, str(ident or ""), str(obj)[:200]


def _next_seq() -> int:
    """The next entry's number, taken before the insert because the MAC covers it.

    PostgreSQL: `nextval` of the table's id sequence, which never waits on another transaction
    (the number a rolled-back submit took is a gap, which is why gaps in `seq` are not tampering).
    The id and the seq are then the same number. SQLite: transactions begin IMMEDIATE (settings.py),
    so the writer already holds the database's single write lock and max + 1 is safe.
    """
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - our table name
        return cursor.fetchone()[0]


def record(action: str, *, actor=None, request=None, obj=None, before=None, after=None) -> AuditEntry:
    """Append one entry to the trail and return it.

    action: dotted name, e.g. "profile.created", "invocation.submitted".
    actor: the user who acted; defaults to the signed-in user of `request` (None: the system).
    request: defaults to the request being served (see audit.context).
    obj: the model instance acted on (its type, uuid or pk, and label are copied).
    before/after: summaries of what changed; secret-named keys are redacted.
    """
    entry = _unsigned(action, actor=actor, request=request, obj=obj, before=before, after=after)
    # Inside a caller's transaction (a submit writing its row), the entry commits or rolls back
    # with it; no savepoint of its own, which spared two round trips on every submit. No lock either:
    # the entry is signed on its own (its MAC) and linked into the chain later by the sealer
    # (audit.chain.seal), so concurrent submits do not wait on each other here.
    with transaction.atomic(savepoint=False):
        entry.id = entry.seq = _next_seq()
        entry.at = timezone.now()
        entry.mac = entry.compute_mac()
        entry.save()
    return entry


def record_many(entries: list[dict], *, inserts: statements.Inserts) -> list[AuditEntry]:
    """Append several entries at once (`record`'s arguments each): what a submit writes.

    Each entry is exactly what `record` would write, signed on its own, numbered from the same
    sequence (one query for all), and added to `inserts`: the rows the entries go with (a submit's
    invocations, fcconsole/statements.py), written in the same statement, all or none (issue 18:
    two round trips per entry were most of a 1,000-row batch's time).
    """
    if not entries:
        return []
    built = [_unsigned(**entry) for entry in entries]
    now = timezone.now()
    for entry, seq in zip(built, _next_seqs(len(built)), strict=True):
        entry.id = entry.seq = seq
        entry.at = now
        entry.mac = entry.compute_mac()
    # The append-only manager refuses bulk_create so that nothing writes unsigned entries;
    # these are signed above, one by one, like record's.
    inserts.add(AuditEntry, built)
    return built


def _next_seqs(count: int) -> list[int]:
    """`count` numbers for new entries, as `_next_seq` takes one."""
    table = AuditEntry._meta.db_table
    connection = statements.default_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s::integer)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - our table name
        first = cursor.fetchone()[0]
        return list(range(first, first + count))


def _unsigned(action: str, *, actor=None, request=None, obj=None, before=None, after=None) -> AuditEntry:
    if not ACTION.match(action or ""):
        raise ValueError(
            f"audit action must be a dotted lower-case name like 'profile.created', not {action!r}"
        )
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    object_type, object_id, object_repr = describe(obj)
    entry = AuditEntry(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        source_ip=client_ip(request) if request is not None else None,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=scrub(before) if before is not None else None,
        after=scrub(after) if after is not None else None,
    )
    return entry
