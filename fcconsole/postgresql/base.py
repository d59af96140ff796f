"""Django's PostgreSQL backend, with a pool health check that costs a round trip only when needed,
server-side parameters that never refuse a statement for having too many, and psycopg's
conversion of a statement's placeholders kept for statements of up to 128 parameters.

With CONN_HEALTH_CHECKS, Django has psycopg_pool test every connection it hands out with an empty
query: one round trip per web request and two per worker call (each `lifecycle.db.database()`),
about 0.1 ms of CPU between client and server and up to a millisecond of wall time on a busy
machine, every time (issue 18, bench/RESULTS.md). `check_connection` below asks the socket first:
a connection whose server went away (PostgreSQL restarted or stopped, the backend terminated)
has its end of file, or the server's FATAL message, waiting to be read, and only then, or when
the connection is not idle, is the empty query sent, as before. The pool still replaces every
connection that fails it.
"""

from __future__ import annotations

import select

import psycopg
import psycopg._queries
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

# psycopg converts a statement's `%s` placeholders to `$n` by splitting its text, and keeps the
# result (an LRU of 128 statements) only for statements of at most 50 parameters and 4 KB, taking
# longer ones for one-off ORM inserts of many rows. A submit's INSERT of its row and audit entry
# (fcconsole/statements.py) is built once and has 64: split again on every submit, it was a quarter
# of the submit's CPU (issue 18, measured in-process: 0.97 -> 0.72 ms per submit). The text limit
# still keeps the cache small. Private to psycopg, hence the check: tests/core/test_server_binding.py
# fails if a psycopg upgrade moves it.
CACHED_STATEMENT_PARAMS = 128
if getattr(psycopg._queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < CACHED_STATEMENT_PARAMS:
    psycopg._queries.MAX_CACHED_STATEMENT_PARAMS = CACHED_STATEMENT_PARAMS


def check_connection(conn: psycopg.Connection) -> None:
    """Return quietly if `conn` is usable, else raise (the pool then replaces it)."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    try:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
        quiet = not poller.poll(0)
    except (OSError, ValueError, psycopg.Error):
        quiet = False
    if quiet and conn.info.transaction_status == TransactionStatus.IDLE:
        return
    # Something came (or the socket could not be asked): the full check, an empty query.
    from psycopg_pool import ConnectionPool

    ConnectionPool.check_connection(conn)


# PostgreSQL's protocol carries at most this many parameters with one statement.
MAX_BOUND_PARAMETERS = 65535


class ServerBindingCursor(base.ServerBindingCursor):
    """Parameters bound by the server (the statement text stays the same, so psycopg prepares the
    hot ones: settings.py), except for a statement with more than the protocol carries (a
    bulk_create of thousands of rows, an `__in` of a long list), whose values are quoted into its
    text as Django's default client-side cursor does, instead of failing."""

    def execute(self, query, params=None, **kwargs):
        if params is not None and len(params) > MAX_BOUND_PARAMETERS:
            query, params = psycopg.ClientCursor(self.connection).mogrify(query, params), None
        return super().execute(query, params, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params

    @property
    def pool(self):
        pool = super().pool
        # psycopg_pool keeps the check it was built with here; Django always passes its own.
        if (
            pool is not None
            and getattr(pool, "_check", None) is not None
            and pool._check is not check_connection
        ):
            pool._check = check_connection
        return pool
