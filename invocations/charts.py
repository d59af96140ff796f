"""A small server-rendered SVG chart: duration and max memory of recent invocations over time.

No chart library and no CDN: a few polylines and labels are enough to see a trend.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 720, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 56, 12, 24


@dataclass
class Series:
    label: str
    unit: str
    points: list[tuple[float, float]]  # (x in 0..1, value)
    css: str


@dataclass
class Chart:
    width: int
    height: int
    lines: list[dict]  # {"css", "label", "points": "x,y x,y", "dots": [(x, y, title)], "max": str}
    x_start: str
    x_end: str
    empty: bool


def _scale(value: float, top: float) -> float:
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    return PAD_TOP + plot - (value / top * plot if top else 0)


def duration_memory_chart(invocations) -> Chart:
    """`invocations`: oldest first, each with created_at, duration_ms, max_memory_used_mb."""
    measured = [i for i in invocations if i.duration_ms is not None or i.max_memory_used_mb is not None]
    if not measured:
        return Chart(WIDTH, HEIGHT, [], "", "", True)
    start, end = measured[0].created_at, measured[-1].created_at
    span = (end - start).total_seconds() or 1.0
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT

    def x(inv) -> float:
        if len(measured) == 1:
            return PAD_LEFT + plot_w / 2
        return PAD_LEFT + (inv.created_at - start).total_seconds() / span * plot_w

    lines = []
    for attr, label, unit, css in (
        ("duration_ms", "Duration", "ms", "duration"),
        ("max_memory_used_mb", "Max memory used", "MB", "memory"),
    ):
        values = [(x(i), getattr(i, attr), i) for i in measured if getattr(i, attr) is not None]
        if not values:
            continue
        top = max(v for _, v, _ in values) * 1.1 or 1.0
        dots = [
            (round(px, 1), round(_scale(v, top), 1), f"{i.created_at:%Y-%m-%d %H:%M:%S} · {v:g} {unit}")
            for px, v, i in values
        ]
        lines.append(
            {
                "css": css,
                "label": label,
                "points": " ".join(f"{px},{py}" for px, py, _ in dots),
                "dots": dots,
                "max": f"{top:.0f} {unit}",
            }
        )
    return Chart(WIDTH, HEIGHT, lines, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", False)
