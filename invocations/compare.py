"""Two invocations side by side: result diff, metric deltas, and which run came before.

Plain functions over two rows; the page is `views/compare.py`. A suite run comparison
(`suites/compare.py`) builds on `metric_deltas`; nothing here knows a suite.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from django.db.models import Q

from invocations import jsontext
from invocations.models import Invocation, InvocationState

# Larger bodies are not diffed (difflib's time grows fast with size): the page says so.
DIFF_LIMIT = 256 * 1024
METRICS = (
    ("duration_ms", "Duration", "ms"),
    ("billed_duration_ms", "Billed duration", "ms"),
    ("max_memory_used_mb", "Max memory used", "mb"),
    ("memory_size_mb", "Memory size", "mb"),
)


@dataclass
class ResultDiff:
    kind: str  # "json", "text", "binary", "large"
    same: bool
    lines: list[tuple[str, str]]  # (css class, line) of a unified diff


def _as_text(body: bytes) -> tuple[str, str | None]:
    """("json", pretty text) | ("text", text) | ("binary", None)."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return "binary", None
    try:
        value = jsontext.loads(text) if text.strip() else None
    except ValueError:
        return "text", text
    if value is None and not text.strip():
        return "text", text
    return "json", json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def result_diff(a: Invocation, b: Invocation) -> ResultDiff:
    """A unified diff of the two results: of their pretty-printed JSON (keys sorted, so order
    does not count) when both are JSON, else of their text."""
    body_a, body_b = bytes(a.response_body or b""), bytes(b.response_body or b"")
    if len(body_a) > DIFF_LIMIT or len(body_b) > DIFF_LIMIT:
        return ResultDiff("large", body_a == body_b, [])
    kind_a, text_a = _as_text(body_a)
    kind_b, text_b = _as_text(body_b)
    if text_a is None or text_b is None:
        return ResultDiff("binary", body_a == body_b, [])
    if kind_a == kind_b == "json":
        kind = "json"
    else:
        kind, text_a, text_b = "text", body_a.decode(), body_b.decode()
    lines = difflib.unified_diff(
        text_a.splitlines(), text_b.splitlines(), fromfile="A", tofile="B", lineterm="", n=3
    )
    pairs = [(_diff_class(line), line) for line in lines]
    return ResultDiff(kind, not pairs, pairs)


def _diff_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")


@dataclass
class Delta:
    label: str
    unit: str  # "ms" or "mb": how the page formats the values
    a: float | None
    b: float | None

    @property
    def change(self) -> float | None:
        """B - A, when both are known."""
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def sign(self) -> str:
        change = self.change
        if not change:
            return ""
        return "+" if change > 0 else "−"

    @property
    def magnitude(self) -> float | None:
        return None if self.change is None else abs(self.change)

    @property
    def percent(self) -> float | None:
        """The change as a percentage of A; None without A (or with A zero)."""
        if self.change is None or not self.a:
            return None
        return abs(self.change) / self.a * 100


def metric_deltas(a: Invocation, b: Invocation) -> list[Delta]:
    return [Delta(label, unit, getattr(a, name), getattr(b, name)) for name, label, unit in METRICS]


def previous_run(invocation: Invocation, queryset=None) -> Invocation | None:
    """The terminal row before this one of the same target through the same profile (the same
    account's function): what "compare with previous run" compares with."""
    rows = Invocation.objects.all() if queryset is None else queryset
    earlier = Q(created_at__lt=invocation.created_at) | Q(
        created_at=invocation.created_at, id__lt=invocation.id
    )
    return (
        rows.filter(
            earlier,
            profile_id=invocation.profile_id,
            region=invocation.region,
            service=invocation.service,
            function=invocation.function,
            qualifier=invocation.qualifier,
            state__in=InvocationState.terminal(),
        )
        .order_by("-created_at", "-id")
        .first()
    )
