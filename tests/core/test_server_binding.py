"""Server-side parameters (fcconsole/postgresql/base.py, settings.py): hot statements are
prepared once per connection, and a statement with more parameters than the protocol carries
still runs."""

import pytest
from django.db import connection

from fcconsole.postgresql.base import MAX_BOUND_PARAMETERS
from invocations.models import Invocation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's protocol"),
]


def test_a_statement_run_five_times_is_prepared_on_the_server():
    for _ in range(6):
        Invocation.objects.filter(pk=-1, state="queued").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "invocations_invocation"' in text and "$1" in text for text in prepared), prepared


def test_more_parameters_than_the_protocol_carries_still_run():
    many = list(range(-MAX_BOUND_PARAMETERS - 10, 0))
    assert Invocation.objects.filter(pk__in=many).count() == 0
    assert Invocation.objects.filter(pk__in=many, function="x%y").count() == 0  # a literal % too


def test_the_placeholders_of_a_submits_insert_are_converted_once(invoker, nowhere_profile):
    import psycopg._queries

    def submit():
        Invocation.objects.submit(
            user=invoker, profile=nowhere_profile, region="", service="demo", function="f", enqueue=False
        )

    submit()
    hits = psycopg._queries._query2pg.cache_info().hits
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # psycopg is what runs the statements
    submit()
    # The INSERT (64 parameters: above psycopg's own limit of 50) and nextval both came from the cache.
    assert psycopg._queries._query2pg.cache_info().hits - hits >= 2
