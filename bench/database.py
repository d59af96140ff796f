"""The run's own PostgreSQL database and Redis key space: made at the start, removed at the end."""

from __future__ import annotations

from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql


def _admin_url(db_url: str) -> tuple[str, str]:
    """(url of the `postgres` maintenance database on the same server, name of the bench database)."""
    parsed = urlparse(db_url)
    name = parsed.path.lstrip("/")
    if not name.startswith("fcconsole_bench"):
        # Dropping is part of every run: refuse to aim it at a database not made for benchmarks.
        raise SystemExit(
            f"BENCH_DATABASE_URL must name a database starting with fcconsole_bench, not {name!r}"
        )
    return urlunparse(parsed._replace(path="/postgres")), name


def recreate(db_url: str) -> None:
    """Drop what a crashed run left, then create an empty database.

    Not WITH (FORCE): a database someone is connected to is another run's, which must go on.
    """
    admin, name = _admin_url(db_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        except psycopg.errors.ObjectInUse:
            raise SystemExit(
                f"database {name} is in use (another bench run?); wait for it, or set "
                "BENCH_DATABASE_URL to another fcconsole_bench* database"
            ) from None
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(db_url: str) -> None:
    admin, name = _admin_url(db_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def close() -> None:
    from django.db import connections

    connections.close_all()


def forget_redis_keys(prefix: str) -> None:
    """Delete the run's queue and result keys (everything under its prefix)."""
    from django.conf import settings

    if settings.BROKER_KIND == "filesystem":
        return
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
