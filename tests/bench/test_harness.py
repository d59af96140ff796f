"""The benchmark harness's own arithmetic and its generated history (bench/common.py, bench/dataset.py).

Speed itself lives in bench/; these only prove the tools the figures are made with.
"""

import os
from datetime import UTC, datetime

import pytest
from django.test import override_settings

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


ALL_TABLE = """
== throughput: ...
| ignored | row | 1 | | | | | |

== all (2026-12-07 04:52 UTC)
| benchmark | metric | value | baseline | ratio | target | verdict | note |
|---|---|---|---|---|---|---|---|
| throughput | console sync, waiting clients | 1,185 /s | 1,499 (direct FCClient) | 0.12x | >= 200 /s | met | a \\| b |
| throughput | CPU per call, full path (every process) | 10.4 ms | 1.05 | 9.82x | <= 9.00 ms | MISSED | user+system: console web 4.53, worker 2.36, fclocal 0.65 (total 7.54 ms) |
| concurrency | worker peak RSS | 180 MB |  |  | <= 400 MB | met | one process |
| concurrency | skipped | — |  |  |  |  | no fclocal |
| hops | created -> publish: audit number, INSERT | 3.19 ms |  |  |  |  |  |
work directory (logs, plans, profiles): var/bench/x
"""


def test_the_interleaved_runner_reads_each_runs_figures_and_each_processs_cpu():
    from bench.against import parse_all_table

    found = parse_all_table(ALL_TABLE)
    assert found[("throughput", "console sync, waiting clients")] == 1185
    assert found[("concurrency", "worker peak RSS")] == 180
    assert found[("cpu per call", "web")] == 4.53 and found[("cpu per call", "fclocal")] == 0.65
    assert found[("cpu per call", "every process")] == 7.54
    assert ("ignored", "row") not in found and ("concurrency", "skipped") not in found
    # A row without a note (its last cells empty) is read too.
    assert found[("hops", "created -> publish: audit number, INSERT")] == 3.19
    # Each row's baseline, where it has one.
    assert found[("baseline", "throughput: console sync, waiting clients")] == 1499
    assert ("baseline", "concurrency: worker peak RSS") not in found


def test_its_summary_divides_cpu_by_the_control_measured_in_the_same_run():
    from bench.against import summary

    # The machine is twice as slow in the second run: fclocal (same code) doubles with it.
    before = {("cpu per call", "web"): 6.0, ("cpu per call", "fclocal"): 1.0, ("t", "rate"): 100.0}
    after = {("cpu per call", "web"): 6.0, ("cpu per call", "fclocal"): 2.0, ("t", "rate"): 50.0}
    text = summary("old", "new", [("old", before), ("new", after)])
    web = next(line for line in text.splitlines() if "web" in line)
    assert "| 6.00 | 6.00 | +0 % | -50 % |" in web
    rate = next(line for line in text.splitlines() if line.startswith("| t: rate"))
    assert "| 100 | 50.00 | -50 % |  |" in rate


def test_its_summary_reads_a_row_with_a_baseline_in_units_of_it():
    from bench.against import summary

    # The console's p50 against the direct call: the machine 1.5 times slower in the second run,
    # both move with it, the console's p50 in direct calls does not.
    before = {("lat", "added p50"): 10.0, ("baseline", "lat: added p50"): 1.0}
    after = {("lat", "added p50"): 15.0, ("baseline", "lat: added p50"): 1.5}
    text = summary("old", "new", [("old", before), ("new", after)])
    row = next(line for line in text.splitlines() if line.startswith("| lat: added p50"))
    assert row == "| lat: added p50 | 10.00 | 15.00 | +50 % | +0 % |"
    assert "baseline" not in text.split("\n", 2)[2]  # the baselines are no rows of their own


@pytest.mark.django_db
def test_the_floor_endpoints_exist_only_under_the_bench_settings(client):
    body, kind = '{"function": "noop"}', "application/json"
    assert client.post("/floor/django/", body, content_type=kind).status_code == 404
    with override_settings(ROOT_URLCONF="bench.floor_urls"):
        assert client.post("/floor/django/", body, content_type=kind).status_code == 201
        assert client.post("/floor/drf/", body, content_type=kind).status_code == 201
        # The API's own authentication: no token, no answer.
        assert client.post("/floor/drf-auth/", body, content_type=kind).status_code == 401
        assert client.get("/login/").status_code == 200


def test_the_attribution_counts_a_wrapped_functions_calls_and_cpu_between_two_snapshots(tmp_path):
    """bench/attribution.py in a real process: a function wrapped by name, two SIGUSR2 snapshots,
    and the table of their difference, per call of the measured phase."""
    import subprocess
    import sys

    from bench import attribution
    from bench.common import ROOT

    script = (
        "import sys, time\n"
        "from bench import attribution\n"
        "attribution.start('worker', ['textwrap:dedent'])\n"
        "import textwrap\n"
        "print('ready', flush=True)\n"
        "for line in sys.stdin:\n"
        "    for _ in range(int(line)):\n"
        "        textwrap.dedent('    a\\n' * 200)\n"
        "    print('done', flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, attribution.DIR_ENV: str(tmp_path)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline() == "ready\n"

        def run(calls: int) -> None:
            proc.stdin.write(f"{calls}\n")
            proc.stdin.flush()
            assert proc.stdout.readline() == "done\n"

        run(7)  # before the measured phase: not counted
        with attribution.Counted(tmp_path, "phase", {"worker": [proc.pid]}) as counting:
            run(300)
        note = counting.report(calls=100)
    finally:
        proc.kill()
        proc.wait()
    counts = [counting.before["worker"]["counts"], counting.after["worker"]["counts"]]
    assert counts[1]["textwrap:dedent"][0] - counts[0]["textwrap:dedent"][0] == 300
    assert counting.after["worker"]["cpu_ns"] > counting.before["worker"]["cpu_ns"]
    assert "phase-attribution.md" in note
    table = (tmp_path / "phase-attribution.md").read_text()
    row = next(line for line in table.splitlines() if "`textwrap:dedent`" in line)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "3.00"  # calls per measured call
    assert 0 < float(cells[2].replace(",", "")) and cells[4].endswith("%")

    # Off (the benchmarks' default): no signal, no file, no note.
    with attribution.Counted(tmp_path, "off", {"worker": [proc.pid]}, enabled=False) as off:
        pass
    assert off.report(calls=1) == "" and not (tmp_path / "off-attribution.md").exists()


def test_the_hop_split_cuts_a_call_at_its_row_times_and_its_redis_commands():
    from bench import hops

    def iso(seconds: float) -> str:
        return datetime.fromtimestamp(base + seconds, tz=UTC).isoformat()

    base = 1_000_000.0
    call = {
        "sent": base,
        "received": base + 0.012,
        "created_at": iso(0.003),
        "started_at": iso(0.006),
        "finished_at": iso(0.009),
    }
    commands = [
        (base - 0.001, "RPUSH", "p:fcconsole.ended.7"),  # the call before: outside the window
        (base + 0.004, "LPUSH", "p:other-queue"),
        (base + 0.005, "LPUSH", "p:fcconsole"),
        (base + 0.0055, "BLPOP", "p:fcconsole.ended.8"),
        (base + 0.010, "RPUSH", "p:fcconsole.ended.8"),
    ]
    split = hops.split(call, commands, "p:fcconsole")
    assert [round(ms, 3) for ms in split] == [3.0, 2.0, 1.0, 3.0, 1.0, 2.0]
    assert hops.split(call, commands[:2], "p:fcconsole") is None  # no publish seen


def test_interleaved_samples_calls_each_in_turn_and_keeps_no_warm_up():
    from bench.common import interleaved_samples

    order = []
    calls = {"a": lambda: order.append("a"), "b": lambda: order.append("b")}
    timings = interleaved_samples(calls, n=3, warmup=2)

    assert order == ["a", "a", "b", "b", "a", "b", "a", "b", "a", "b"]
    assert {name: len(samples) for name, samples in timings.items()} == {"a": 3, "b": 3}
