"""What the database being away looks like to the code that uses it: one rule for the worker,
the API and the CLI."""

from django.db import InterfaceError, OperationalError

# A refused or broken connection, the pool's checkout timing out (psycopg_pool's PoolTimeout, which
# Django raises as OperationalError), a connection closed under a statement. OperationalError also
# covers what a database that answers may raise for the moment (a statement cancelled, a deadlock,
# SQLite's "database is locked"): each of them is also "try again shortly".
DATABASE_AWAY = (OperationalError, InterfaceError)
# Seconds a client is told to wait before trying again (the API's and the pages' Retry-After).
RETRY_AFTER = 10
