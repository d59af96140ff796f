"""Generated invocation history: users, profiles and N `Invocation` rows, made inside PostgreSQL.

Rows come from one `INSERT ... SELECT ... FROM generate_series` per chunk (no data leaves or is
committed to the repository), with skewed popularity like a real team's history: a few functions
and users account for most invocations, 90 % succeed, and times spread over 180 days. The seed is
fixed, so two runs hold the same rows. Every column of the model is filled: columns this file does
not know (added by a later migration) get the field's default, so the generator keeps working as
the model grows.

Plain indexes are dropped during the load and rebuilt after it (the usual bulk-load practice:
one sorted build instead of a million random inserts), then the table is VACUUM ANALYZEd as
autovacuum would have done on a live system.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

USERS = 20
# One user and one function with a handful of rows each (one per RARE_EVERY): filters that match
# almost nothing must not walk the whole history to fill a page.
RARE_EVERY = 100_000
RARE_FUNCTION = "job-rare"
PROFILES = 4
SERVICES = 10
FUNCTIONS_PER_SERVICE = 10
DAYS = 180


@dataclass
class History:
    rows: int
    user_ids: list[int]
    profile_ids: list[int]
    admin_id: int
    load_seconds: float = 0.0

    @staticmethod
    def service_of(fn: int) -> str:
        return f"svc{fn // FUNCTIONS_PER_SERVICE:02d}"

    @staticmethod
    def function_of(fn: int) -> str:
        return f"job-{fn:03d}"


def people():
    """The users and profiles the rows belong to (made through the ORM, like real ones)."""
    from django.contrib.auth import get_user_model

    from invocations.models import CredentialProfile, Membership, Role

    User = get_user_model()
    admin = User.objects.create_superuser("bench-admin", "bench@example.com", "bench-password")
    Membership.objects.create(user=admin, role=Role.ADMIN)
    users = []
    for i in range(USERS + 1):
        name = f"dev{i:02d}" if i < USERS else "rare-user"
        user = User.objects.create_user(name, f"{name}@example.com", "bench-password")
        Membership.objects.create(user=user, role=Role.INVOKER)
        users.append(user.pk)
    profiles = []
    for i in range(PROFILES):
        profile = CredentialProfile(
            name=f"bench-{i}",
            account_id="1234567890123456",
            access_key_id=f"LTAIbench{i}",
            endpoint="http://127.0.0.1:9000",
            all_invokers=True,
            created_by=admin,
        )
        profile.set_secret("bench-secret-not-used")
        profile.save()
        profiles.append(profile.pk)
    return admin.pk, users, profiles


# Columns this generator chooses; every other column gets its field's default (or NULL).
# `s` is the generated row: g (1..N), fn (function index, skewed), u (user index, skewed; the
# last user is the rare one),
# r (uniform, picks the state), t (created_at).
EXPRESSIONS = {
    "uuid": "gen_random_uuid()",
    "user_id": "(%(users)s::bigint[])[s.u + 1]",
    "profile_id": "(%(profiles)s::bigint[])[1 + s.g %% %(n_profiles)s]",
    "source": "(ARRAY['web','web','web','api','cli'])[1 + s.g %% 5]",
    "region": "'cn-hangzhou'",
    "service": f"'svc' || lpad((s.fn / {FUNCTIONS_PER_SERVICE})::text, 2, '0')",
    "qualifier": "(ARRAY['', 'LATEST', 'prod'])[1 + s.g %% 3]",
    "function": f"CASE WHEN s.g %% {RARE_EVERY} = 500 THEN '{RARE_FUNCTION}' ELSE 'job-' || lpad(s.fn::text, 3, '0') END",
    "invocation_type": "CASE WHEN s.g %% 5 = 0 THEN 'async' ELSE 'sync' END",
    "event": """convert_to('{"bucket": "photos", "key": "uploads/2026/' || s.g || '.jpg", '
        || '"size": ' || (s.g %% 100000) || ', "eventName": "ObjectCreated:PutObject"}', 'UTF8')""",
    "async_invocation_id": "CASE WHEN s.g %% 5 = 0 THEN 'bench-' || s.g ELSE '' END",
    "state": """CASE WHEN s.r < 0.90 THEN 'succeeded' WHEN s.r < 0.95 THEN 'failed'
        WHEN s.r < 0.98 THEN 'error' WHEN s.r < 0.99 THEN 'unknown' ELSE 'stopped' END""",
    "celery_task_id": "md5(s.g::text || 'task')",
    "send_attempts": "1",
    "created_at": "s.t",
    "sent_at": "s.t + interval '3 milliseconds'",
    "started_at": "s.t + interval '5 milliseconds'",
    "finished_at": "s.t + interval '5 milliseconds' + (s.g %% 3000) * interval '1 millisecond'",
    "http_status": "CASE WHEN s.r >= 0.95 AND s.r < 0.98 THEN 429 WHEN s.g %% 5 = 0 THEN 202 ELSE 200 END",
    "request_id": "md5(s.g::text)",
    "request_url": """'http://127.0.0.1:9000/2016-08-15/services/svc' || lpad((s.fn / 10)::text, 2, '0')
        || '/functions/job-' || lpad(s.fn::text, 3, '0') || '/invocations'""",
    "response_body": """convert_to('{"ok": true, "thumbnail": "thumbs/' || s.g || '.jpg"}', 'UTF8')""",
    "response_headers": """jsonb_build_object('X-Fc-Request-Id', md5(s.g::text), 'Content-Type',
        'application/json')""",
    "log_tail": """'FC Invoke Start RequestId: ' || md5(s.g::text) || E'\\n'
        || '2026-11-24T10:00:00.000Z ' || md5(s.g::text) || ' [INFO] resizing uploads/' || s.g || E'.jpg\\n'
        || 'FC Invoke End RequestId: ' || md5(s.g::text) || E'\\n'
        || 'Duration: ' || (s.g %% 3000) || ' ms, Billed Duration: ' || (s.g %% 3000 + 1)
        || ' ms, Memory Size: 128 MB, Max Memory Used: 31.2 MB'""",
    "error_type": "CASE WHEN s.r >= 0.90 AND s.r < 0.95 THEN 'UnhandledInvocationError' ELSE '' END",
    "error_code": "CASE WHEN s.r >= 0.95 AND s.r < 0.98 THEN 'ResourceThrottled' ELSE '' END",
    "error_message": "CASE WHEN s.r >= 0.95 AND s.r < 0.98 THEN 'Reserve resource exceeded limit' ELSE '' END",
    "duration_ms": "(s.g %% 3000)::float",
    "billed_duration_ms": "s.g %% 3000 + 1",
    "memory_size_mb": "128",
    "max_memory_used_mb": "31.2",
    "instance_id": "'c-' || md5((s.g %% 500)::text)",
    "code_checksum": "'1234567890123456789'",
    "resolved_qualifier": "'LATEST'",
    "async_status": "CASE WHEN s.g %% 5 = 0 THEN 'Succeeded' ELSE '' END",
}

SOURCE = f"""
    SELECT g,
        floor(power(random(), 2) * {SERVICES * FUNCTIONS_PER_SERVICE})::int AS fn,
        CASE WHEN g %% {RARE_EVERY} = 700 THEN %(n_users)s - 1
            ELSE floor(power(random(), 1.5) * (%(n_users)s - 1))::int END AS u,
        random() AS r,
        now() - random() * interval '{DAYS} days' AS t
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""


def _insert_sql(connection) -> tuple[str, list]:
    """INSERT ... SELECT for every concrete column; defaults become literal parameters."""
    from invocations.models import Invocation

    columns, exprs, params = [], [], {}
    for f in Invocation._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.column in EXPRESSIONS:
            exprs.append(EXPRESSIONS[f.column])
        elif f.null:
            exprs.append("NULL")
        else:
            params[f"default_{f.column}"] = f.get_db_prep_save(f.get_default(), connection)
            exprs.append(f"%(default_{f.column})s")
    table = connection.ops.quote_name(Invocation._meta.db_table)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM ({SOURCE}) AS s"
    return statement, params


def _plain_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        """,
        [table],
    )
    return cursor.fetchall()


def add_rows(history: History, upto: int, chunk: int = 100_000, *, rebuild_indexes: bool = True) -> None:
    """Grow the table to `upto` generated rows."""
    from django.db import connection, transaction

    from invocations.models import Invocation

    table = Invocation._meta.db_table
    statement, params = _insert_sql(connection)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [history.rows / max(upto, 1) / 2])
        indexes = _plain_indexes(cursor, table) if rebuild_indexes else []
        with transaction.atomic():
            # Django's foreign keys are deferred: check them per statement, or the index
            # rebuild below finds pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            for first in range(history.rows + 1, upto + 1, chunk):
                last = min(first + chunk - 1, upto)
                cursor.execute(
                    statement,
                    {
                        **params,
                        "users": history.user_ids,
                        "profiles": history.profile_ids,
                        "n_users": len(history.user_ids),
                        "n_profiles": len(history.profile_ids),
                        "first": first,
                        "last": last,
                    },
                )
                print(f"   generated {last:,} rows ({time.monotonic() - started:.0f} s)", flush=True)
            for _, definition in indexes:
                cursor.execute(definition)
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
    history.rows = upto
    history.load_seconds += time.monotonic() - started


def history(ctx) -> History:
    """The generated history of this run, made once (people only; rows via `add_rows`)."""
    if "history" not in ctx.cache:
        admin, users, profiles = people()
        ctx.cache["history"] = History(rows=0, user_ids=users, profile_ids=profiles, admin_id=admin)
    return ctx.cache["history"]
