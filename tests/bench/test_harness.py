"""The benchmark harness's own arithmetic and its generated history (bench/common.py, bench/dataset.py).

Speed itself lives in bench/; these only prove the tools the figures are made with.
"""

import pytest

from bench import dataset
from bench.common import Row, Target, percentile, table
from bench.profiling import collapsed_summary


def test_percentile_interpolates_between_ranks_like_numpy():
    samples = [10, 20, 30, 40]
    assert percentile(samples, 0) == 10
    assert percentile(samples, 50) == 25
    assert percentile(samples, 100) == 40
    assert percentile(samples, 95) == pytest.approx(38.5)


def test_percentile_of_no_samples_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_a_missed_upper_bound_says_by_how_much():
    target = Target("<=", 50)
    assert target.met(50)
    assert target.miss(75) == "over by 25.0 (50%)"


def test_a_missed_lower_bound_says_by_how_much():
    target = Target(">=", 200)
    assert not target.met(150)
    assert target.miss(150) == "under by 50.0 (25%)"


def test_the_table_prints_the_ratio_to_the_baseline_and_the_verdict():
    row = Row("b", "p95", 60.0, "ms", baseline="1,000 rows", baseline_value=30.0, target=Target("<=", 50))
    text = table([row])
    assert "2.00x" in text
    assert "MISSED, over by 10.0 (20%)" in text


def test_collapsed_stacks_are_summarised_by_own_time_of_the_leaf():
    collapsed = "\n".join(
        [
            "main (app.py:1);handle (views.py:10);wait (psycopg/connection.py:495) 30",
            "main (app.py:1);render (template/base.py:5) 10",
        ]
    )
    assert collapsed_summary(collapsed) == "own time: wait (connection.py) 75%, render (base.py) 25%"


@pytest.mark.django_db(transaction=True)
def test_the_generated_history_fills_every_row_and_has_its_rare_user_and_function():
    from invocations.models import Invocation

    class Ctx:
        cache: dict = {}

    history = dataset.history(Ctx())
    dataset.add_rows(history, 1_000, chunk=400)
    assert Invocation.objects.count() == 1_000
    assert Invocation.objects.filter(user__username="rare-user").count() == 1
    assert Invocation.objects.filter(function=dataset.RARE_FUNCTION).count() == 1
    # Indexes dropped for the load are back.
    from django.db import connection

    with connection.cursor() as cursor:
        names = {name for name, _ in dataset._plain_indexes(cursor, Invocation._meta.db_table)}
    assert {"inv_created", "inv_function", "inv_user", "inv_state"} <= names
