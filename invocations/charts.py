"""The function page's charts, drawn on the server as SVG: duration (each run, with p50/p95 per
time bucket) and max memory used, over time, with real axes (nice ticks, units by magnitude).

Why SVG from the server rather than a vendored charting library (Chart.js, uPlot, ...): the
charts show at most the last 100 runs, which the view already holds; what a library would add
is the tick and unit logic, and that is the part we want under unit tests in Python (a 0.56 ms
maximum must read 0 … 0.6 ms, 6.00 s must read 0 … 6 s). Server SVG needs no JavaScript, so it
shows with scripts off, in the UI tests' HTML and at once in a screenshot; it is plain markup
under the Content-Security-Policy (no inline script or style: presentation attributes and
console.css only); its points carry <title> tooltips and the page stays printable. And it is
one less dependency to vendor, audit and keep up to date for ~200 lines of code.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

WIDTH, HEIGHT = 720, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 14, 30
PLOT_W = WIDTH - PAD_LEFT - PAD_RIGHT
PLOT_H = HEIGHT - PAD_TOP - PAD_BOTTOM

# (unit, size in the base unit, smallest top tick that unit may show). Largest first: an axis
# takes the first unit whose top tick reaches that size, so 6603 ms reads in s and 0.56 ms
# stays in ms (0.6 ms reads better than 600 µs), while 0.05 ms becomes 50 µs.
DURATION_UNITS = (("s", 1000.0, 1.0), ("ms", 1.0, 0.1), ("µs", 0.001, 0.0))
MEMORY_UNITS = (("GB", 1024.0, 1.0), ("MB", 1.0, 0.0))

# Steps of the time axis and of the p50/p95 buckets, in seconds: the usual clock divisions.
TIME_STEPS = (
    1, 2, 5, 10, 15, 30,
    60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
    3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
)  # fmt: skip
MAX_TIME_TICKS = 6
MAX_BUCKETS = 12


# -- value axes ----------------------------------------------------------------------------


def nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 × 10^n that is at least `raw` (> 0)."""
    exponent = math.floor(math.log10(raw))
    for mantissa in (1, 2, 5, 10):
        step = mantissa * 10.0**exponent
        if step >= raw * (1 - 1e-9):
            return step
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always ends at 10


def nice_ticks(top: float, target: int = 4) -> list[float]:
    """Ticks from 0 to the first nice multiple at or above `top`, about `target` intervals."""
    if top <= 0:
        return [0.0, 1.0]
    step = nice_step(top / target)
    decimals = max(0, -math.floor(math.log10(step)))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, decimals) for i in range(count + 1)]


@dataclass
class ValueAxis:
    unit: str
    size: float  # one `unit` in the base unit (ms or MB)
    ticks: list[float]  # in `unit`
    labels: list[str]

    @property
    def top(self) -> float:
        """The top tick in the base unit."""
        return self.ticks[-1] * self.size


def value_axis(maximum: float, units) -> ValueAxis:
    """Ticks and unit for values from 0 to `maximum` (in the base unit of `units`)."""
    if maximum <= 0:  # nothing to scale by: one base unit high
        unit, size, _ = next(u for u in units if u[1] == 1.0)
        return ValueAxis(unit, size, [0.0, 1.0], ["0", "1"])
    for unit, size, least_top in units:
        ticks = nice_ticks(maximum / size)
        if ticks[-1] >= least_top:
            return ValueAxis(unit, size, ticks, [_number(t) for t in ticks])
    raise ValueError("the smallest unit must take any value (least top 0)")


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_value(value: float, units) -> str:
    """One value in the largest unit it reaches (as the axes choose): `0.56 ms`, `950 ms`,
    `6.6 s`, `50 µs`, `25 MB`."""
    if value <= 0:
        return f"0 {next(u for u, s, _ in units if s == 1.0)}"
    unit, size = next((u, s) for u, s, least in units if value / s >= least)
    scaled = value / size
    return f"{scaled:.3g} {unit}" if scaled < 1000 else f"{scaled:.0f} {unit}"


# -- time axis and buckets -----------------------------------------------------------------


def _time_step(span: float, most: int) -> int:
    """The smallest clock step that cuts `span` seconds into at most `most` parts."""
    for step in TIME_STEPS:
        if span / step <= most:
            return step
    return TIME_STEPS[-1]


def _local_seconds(moment: dt.datetime) -> float:
    """Seconds since the epoch in the current time zone's wall clock, so that steps of an hour
    or a day fall on the hour and on local midnight."""
    local = timezone.localtime(moment)
    return local.timestamp() + local.utcoffset().total_seconds()


def _from_local_seconds(seconds: float) -> dt.datetime:
    naive = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)
    return timezone.make_aware(naive)


def _time_label(moment: dt.datetime, step: int) -> str:
    local = timezone.localtime(moment)
    if step >= 86400:
        return local.strftime("%b %d")
    if step < 60:
        return local.strftime("%H:%M:%S")
    return local.strftime("%H:%M")


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, PostgreSQL's
    percentile_cont): the same figure the functions list computes in the database."""
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Bucket:
    start: dt.datetime
    end: dt.datetime
    count: int
    p50: float
    p95: float


def duration_buckets(invocations, most: int = MAX_BUCKETS) -> list[Bucket]:
    """p50 and p95 of the measured durations per clock-aligned time bucket (at most `most`
    buckets between the first and the last run; empty buckets are left out)."""
    measured = [
        (_local_seconds(i.created_at), i.duration_ms) for i in invocations if i.duration_ms is not None
    ]
    if not measured:
        return []
    first = min(s for s, _ in measured)
    last = max(s for s, _ in measured)
    step = _time_step(last - first, most)
    # Enough for `most` buckets once aligned to the step: one more if the alignment splits it.
    while math.floor(last / step) - math.floor(first / step) + 1 > most and step != TIME_STEPS[-1]:
        step = TIME_STEPS[TIME_STEPS.index(step) + 1]
    groups: dict[int, list[float]] = {}
    for seconds, duration in measured:
        groups.setdefault(math.floor(seconds / step), []).append(duration)
    return [
        Bucket(
            start=_from_local_seconds(key * step),
            end=_from_local_seconds((key + 1) * step),
            count=len(values),
            p50=percentile(values, 0.5),
            p95=percentile(values, 0.95),
        )
        for key, values in sorted(groups.items())
    ]


# -- the charts ----------------------------------------------------------------------------


@dataclass
class Tick:
    at: float  # pixel position along the axis
    label: str


@dataclass
class Line:
    css: str
    label: str
    points: str  # "x,y x,y" for <polyline>
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # (x, y, title)


@dataclass
class Panel:
    """One SVG: a value axis on the left, the shared time axis below."""

    css: str
    title: str
    y_title: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: list[Line]
    dots: list[Line]  # each run as a dot, one Line per series
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    right: int = WIDTH - PAD_RIGHT
    top: int = PAD_TOP
    bottom: int = HEIGHT - PAD_BOTTOM


@dataclass
class Chart:
    panels: list[Panel]
    time_title: str
    empty: bool


class _TimeScale:
    def __init__(self, moments: list[dt.datetime]):
        self.start, self.end = min(moments), max(moments)
        if self.end == self.start:  # one run, or all in the same instant: a minute around it
            self.start -= dt.timedelta(seconds=30)
            self.end += dt.timedelta(seconds=30)
        self.span = (self.end - self.start).total_seconds()

    def x(self, moment: dt.datetime) -> float:
        return round(PAD_LEFT + (moment - self.start).total_seconds() / self.span * PLOT_W, 1)

    def ticks(self) -> list[Tick]:
        step = _time_step(self.span, MAX_TIME_TICKS)
        first = math.ceil(_local_seconds(self.start) / step)
        last = math.floor(_local_seconds(self.end) / step)
        moments = [_from_local_seconds(k * step) for k in range(first, last + 1)]
        return [Tick(self.x(m), _time_label(m, step)) for m in moments]


def _y(value: float, axis: ValueAxis) -> float:
    return round(PAD_TOP + PLOT_H - value / axis.top * PLOT_H, 1)


def _y_ticks(axis: ValueAxis) -> list[Tick]:
    return [
        Tick(_y(t * axis.size, axis), f"{label} {axis.unit}")
        for t, label in zip(axis.ticks, axis.labels, strict=True)
    ]


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


def duration_memory_chart(invocations) -> Chart:
    """`invocations`: oldest first, each with created_at, duration_ms, max_memory_used_mb."""
    measured = [i for i in invocations if i.duration_ms is not None or i.max_memory_used_mb is not None]
    if not measured:
        return Chart([], "", True)
    scale = _TimeScale([i.created_at for i in measured])
    x_ticks = scale.ticks()
    panels = []

    timed = [i for i in measured if i.duration_ms is not None]
    if timed:
        buckets = duration_buckets(timed)
        axis = value_axis(max(i.duration_ms for i in timed), DURATION_UNITS)

        def duration(v: float) -> str:
            return format_value(v, DURATION_UNITS)

        dots = Line(
            "duration",
            "Duration",
            "",
            [
                (
                    scale.x(i.created_at),
                    _y(i.duration_ms, axis),
                    f"{_when(i.created_at)} · {duration(i.duration_ms)}",
                )
                for i in timed
            ],
        )
        lines = []
        for attr, label in (("p50", "p50"), ("p95", "p95")):
            points = []
            for b in buckets:
                middle = b.start + (b.end - b.start) / 2
                # A bucket's point sits at its middle, kept inside the plot at the edges.
                x = min(max(scale.x(middle), PAD_LEFT), WIDTH - PAD_RIGHT)
                title = (
                    f"{_when(b.start)} – {timezone.localtime(b.end):%H:%M:%S} · {b.count} run{'s' if b.count != 1 else ''}"
                    f" · {label} {duration(getattr(b, attr))}"
                )
                points.append((x, _y(getattr(b, attr), axis), title))
            lines.append(Line(attr, label, " ".join(f"{x},{y}" for x, y, _ in points), points))
        panels.append(
            Panel("durations", "Duration", f"Duration ({axis.unit})", _y_ticks(axis), x_ticks, lines, [dots])
        )

    used = [i for i in measured if i.max_memory_used_mb is not None]
    if used:
        axis = value_axis(max(i.max_memory_used_mb for i in used), MEMORY_UNITS)
        dots = [
            (
                scale.x(i.created_at),
                _y(i.max_memory_used_mb, axis),
                f"{_when(i.created_at)} · {format_value(i.max_memory_used_mb, MEMORY_UNITS)}",
            )
            for i in used
        ]
        line = Line("memory", "Max memory used", " ".join(f"{x},{y}" for x, y, _ in dots), [])
        panels.append(
            Panel(
                "memory",
                "Max memory used",
                f"Memory ({axis.unit})",
                _y_ticks(axis),
                x_ticks,
                [line],
                [Line("memory", "Max memory used", "", dots)],
            )
        )

    zone = timezone.get_current_timezone_name()
    span = f"{_when(scale.start)[:16]} – {_when(scale.end)[:16]}"
    return Chart(panels, f"Time ({zone}), {span}", False)
