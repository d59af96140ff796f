"""The pool's health check (fcconsole/postgresql/base.py): no round trip for a quiet idle
connection, the full check, and a failure, for one whose server has gone."""

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from fcconsole.postgresql.base import check_connection
from tests.fixtures.waiting import wait_until

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pool"),
]


def _connect():
    params = connection.get_connection_params()
    return psycopg.connect(**{**params, "autocommit": True})


def test_a_quiet_idle_connection_passes_without_a_query(monkeypatch):
    sent = []
    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(lambda conn: sent.append(conn)))
    with _connect() as conn:
        check_connection(conn)
        assert sent == []


def test_a_connection_whose_backend_was_terminated_fails_the_check():
    with _connect() as conn, _connect() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [conn.info.backend_pid])

        # The server's goodbye reaches the socket: then the full check runs, and fails.
        def refused() -> bool:
            try:
                check_connection(conn)
            except psycopg.OperationalError:
                return True
            return False

        wait_until(refused, seconds=1, interval=0.02, what="the check refusing the terminated connection")


def test_a_closed_connection_fails_the_check():
    conn = _connect()
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        check_connection(conn)


def test_the_pool_uses_this_check():
    pool = connection.pool
    if pool is None:
        pytest.skip("no pool configured")
    assert pool._check is check_connection
