"""The function page's chart arithmetic: nice ticks, units by magnitude, p50/p95 buckets."""

import datetime as dt

import pytest

from invocations.charts import (
    DURATION_UNITS,
    MEMORY_UNITS,
    duration_buckets,
    duration_memory_chart,
    format_value,
    nice_step,
    nice_ticks,
    percentile,
    value_axis,
)

T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)


class Run:
    def __init__(self, seconds, duration_ms=None, max_memory_used_mb=None):
        self.created_at = T0 + dt.timedelta(seconds=seconds)
        self.duration_ms = duration_ms
        self.max_memory_used_mb = max_memory_used_mb


@pytest.mark.parametrize(
    ("raw", "step"), [(0.14, 0.2), (1.5, 2), (0.2, 0.2), (3, 5), (7, 10), (1650, 2000), (0.001, 0.001)]
)
def test_steps_are_one_two_or_five_times_a_power_of_ten(raw, step):
    assert nice_step(raw) == pytest.approx(step)


def test_a_sub_millisecond_maximum_reads_in_tenths_of_a_millisecond():
    axis = value_axis(0.56, DURATION_UNITS)
    assert axis.unit == "ms"
    assert axis.labels == ["0", "0.2", "0.4", "0.6"]


def test_six_seconds_reads_in_seconds():
    axis = value_axis(6000.0, DURATION_UNITS)
    assert (axis.unit, axis.labels) == ("s", ["0", "2", "4", "6"])


def test_a_maximum_between_ticks_gets_the_next_tick_above_it():
    axis = value_axis(6603.0, DURATION_UNITS)
    assert (axis.unit, axis.labels) == ("s", ["0", "2", "4", "6", "8"])
    assert axis.top == 8000


def test_tens_of_microseconds_read_in_microseconds():
    axis = value_axis(0.056, DURATION_UNITS)
    assert (axis.unit, axis.labels) == ("µs", ["0", "20", "40", "60"])


def test_hundreds_of_milliseconds_stay_in_milliseconds():
    axis = value_axis(420.0, DURATION_UNITS)
    assert (axis.unit, axis.labels) == ("ms", ["0", "200", "400", "600"])


def test_memory_reads_in_megabytes_then_gigabytes():
    assert value_axis(27.5, MEMORY_UNITS).labels == ["0", "10", "20", "30"]
    assert value_axis(27.5, MEMORY_UNITS).unit == "MB"
    big = value_axis(1500.0, MEMORY_UNITS)
    assert (big.unit, big.labels) == ("GB", ["0", "0.5", "1", "1.5"])


def test_a_zero_maximum_still_has_an_axis():
    assert value_axis(0.0, DURATION_UNITS).labels == ["0", "1"]
    assert value_axis(0.0, DURATION_UNITS).unit == "ms"
    assert nice_ticks(0) == [0.0, 1.0]


def test_ticks_carry_no_float_noise():
    assert nice_ticks(0.7) == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert all(len(str(t)) <= 4 for t in nice_ticks(0.7))


@pytest.mark.parametrize(
    ("value", "words"),
    [(0.56, "0.56 ms"), (950, "950 ms"), (6603, "6.6 s"), (0.05, "50 µs"), (30, "30 ms"), (0, "0 ms")],
)
def test_a_single_duration_reads_in_the_largest_unit_it_reaches(value, words):
    assert format_value(value, DURATION_UNITS) == words


def test_percentiles_interpolate_between_ranks():
    assert percentile([10, 20, 30, 40], 0.5) == 25
    assert percentile([10, 20, 30, 40], 0.95) == pytest.approx(38.5)
    assert percentile([7], 0.95) == 7


def test_durations_are_bucketed_on_clock_boundaries_with_p50_and_p95_each():
    # 20 minutes of runs: 12 buckets at most, so 2-minute buckets aligned to even minutes.
    runs = [Run(s, d) for s, d in [(0, 1), (30, 3), (90, 100), (600, 5), (610, 7), (1200, 9)]]
    buckets = duration_buckets(runs)
    assert [(b.start.minute, b.end.minute) for b in buckets] == [(0, 2), (10, 12), (20, 22)]
    first = buckets[0]
    assert first.count == 3
    assert first.p50 == 3
    assert first.p95 == pytest.approx(90.3)
    assert (buckets[1].p50, buckets[1].count) == (6, 2)


def test_buckets_leave_out_runs_without_a_duration():
    assert duration_buckets([Run(0, None, 10)]) == []
    assert [b.count for b in duration_buckets([Run(0, 5), Run(1, None)])] == [1]


def test_hours_of_runs_have_time_ticks_on_the_hour():
    runs = [Run(0, 1), Run(5 * 3600 + 60, 2)]
    labels = [t.label for t in duration_memory_chart(runs).panels[0].x_ticks]
    assert labels == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00"]


def test_days_of_runs_have_time_ticks_labelled_by_day():
    runs = [Run(0, 1), Run(4 * 86400, 2)]
    labels = [t.label for t in duration_memory_chart(runs).panels[0].x_ticks]
    assert labels == ["Mar 02", "Mar 03", "Mar 04", "Mar 05"]


def test_there_are_never_more_than_twelve_buckets():
    runs = [Run(s * 37, s) for s in range(300)]
    assert len(duration_buckets(runs)) <= 12


def test_the_chart_has_a_duration_and_a_memory_panel_with_their_units():
    runs = [Run(0, 0.31, 20), Run(60, 0.56, 24.5), Run(120, 0.42, 22)]
    chart = duration_memory_chart(runs)
    durations, memory = chart.panels
    assert [t.label for t in durations.y_ticks] == ["0 ms", "0.2 ms", "0.4 ms", "0.6 ms"]
    assert [t.label for t in memory.y_ticks] == ["0 MB", "10 MB", "20 MB", "30 MB"]
    # Two minutes: 30-second ticks on the clock, labelled with their seconds.
    assert [t.label for t in durations.x_ticks] == [
        "10:00:00",
        "10:00:30",
        "10:01:00",
        "10:01:30",
        "10:02:00",
    ]
    assert durations.x_ticks[0].at == durations.left and durations.x_ticks[-1].at == durations.right
    assert [line.css for line in durations.lines] == ["p50", "p95"]
    assert len(durations.dots[0].dots) == 3
    assert chart.time_title == "Time (UTC), 2025-03-01 10:00 – 2025-03-01 10:02"


def test_the_top_tick_sits_at_the_top_of_the_plot_and_zero_at_the_bottom():
    panel = duration_memory_chart([Run(0, 6000.0), Run(10, 3000.0)]).panels[0]
    assert panel.y_ticks[0].at == panel.bottom
    assert panel.y_ticks[-1].at == panel.top
    assert panel.y_ticks[-1].label == "6 s"


def test_one_run_is_charted_in_the_middle_of_a_minute():
    panel = duration_memory_chart([Run(0, 12.0)]).panels[0]
    ((x, _, title),) = panel.dots[0].dots
    assert x == pytest.approx((panel.left + panel.right) / 2, abs=1)
    assert title.endswith("12 ms")


def test_nothing_measured_is_an_empty_chart():
    assert duration_memory_chart([Run(0)]).empty
