"""What every benchmark shares: the row it reports, percentiles, the machine, the results file.

The convention: a benchmark is a module `bench/<name>.py` listed in `bench/__main__.py`, exposing
`TITLE` (one line) and `run(ctx) -> list[Row]`. Every row that states a speed also states the
baseline it was measured against in the same run (`baseline`, `baseline_value`), so the table
prints a ratio, and the target from the issue (`target`), so the table says met or missed by how
much. A benchmark that cannot run yet (a part it measures is not merged) raises `Skip`.
Processes a benchmark needs (fclocal, a Celery worker, a web server) come from `bench.services`
through the context, which stops them however the benchmark ends.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"


class Skip(Exception):  # noqa: N818 - reads as `raise Skip("needs core's tracker")`
    """The benchmark cannot run in this tree (the part it measures is not there)."""


@dataclass(frozen=True)
class Target:
    """A bound from the issue: `Target("<=", 50, "ms")` or `Target(">=", 200, "/s")`."""

    op: str
    bound: float

    def met(self, value: float) -> bool:
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def miss(self, value: float) -> str:
        """How far a value is from the bound, in the bound's terms ('' when met)."""
        if self.met(value):
            return ""
        over = value - self.bound if self.op == "<=" else self.bound - value
        return f"{'over' if self.op == '<=' else 'under'} by {fmt(over)} ({over / self.bound:.0%})"

    def __str__(self) -> str:
        return f"{self.op} {fmt(self.bound)}"


@dataclass
class Row:
    """One measured figure, with what it is compared against."""

    bench: str
    metric: str
    value: float | None
    unit: str = ""
    baseline: str = ""  # what the baseline is, e.g. "direct FCClient, same fclocal"
    baseline_value: float | None = None
    target: Target | None = None
    note: str = ""  # samples, scale, load, and for a miss what the profile showed

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline_value:
            return None
        return self.value / self.baseline_value

    @property
    def verdict(self) -> str:
        if self.target is None or self.value is None:
            return ""
        return "met" if self.target.met(self.value) else f"MISSED, {self.target.miss(self.value)}"


def fmt(value: float | None) -> str:
    """Figures as a person reads them: 3 significant digits, thousands grouped."""
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return f"{value:.{digits}f}"


# --- statistics ------------------------------------------------------------------------------


def percentile(samples: Iterable[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), p in [0, 100]."""
    data = sorted(samples)
    if not data:
        raise ValueError("percentile of no samples")
    k = (len(data) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def timed_samples(fn: Callable[[], object], n: int, warmup: int, budget: float = 30.0) -> list[float]:
    """Milliseconds per call over `n` calls after `warmup` calls that are not kept.

    Stops early once `budget` seconds are spent (keeping at least 5 samples): a case that takes
    seconds per call has made its point, and the row states how many samples it got.
    """
    deadline = time.monotonic() + budget
    for _ in range(warmup):
        fn()
        if time.monotonic() > deadline:
            break
    samples: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        if len(samples) >= 5 and time.monotonic() > deadline:
            break
    return samples


def interleaved_samples(
    calls: dict[str, Callable[[], object]], n: int, warmup: int
) -> dict[str, list[float]]:
    """Milliseconds per call of each of `calls`, called in turn `n` times after `warmup` calls of
    each that are not kept: drift and load in the machine hit every one of them alike."""
    for call in calls.values():
        for _ in range(warmup):
            call()
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - start) * 1000)
    return timings


def sample_note(n: int, warmup: int, wanted: int | None = None) -> str:
    cut = f" (cut from {wanted} by the time budget)" if wanted and wanted > n else ""
    return f"{n} samples{cut} after {warmup} warm-up"


class PeakMemory:
    """Samples the RSS of processes (and their children) in a thread; keeps the peak per name.

    Process trees: fclocal runs functions in child processes, so its figure is the tree's sum.
    """

    def __init__(self, interval: float = 0.05, **procs: int):
        import threading

        self.pids = procs
        self.peak_mb = dict.fromkeys(procs, 0.0)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak_mb[name] = max(self.peak_mb[name], tree_rss_mb(pid))
            self._stop.wait(self.interval)


class PeakConnections(PeakMemory):
    """Like PeakMemory, for the TCP connections a process holds to one port (PostgreSQL's)."""

    def __init__(self, port: int, interval: float = 0.05, **procs: int):
        super().__init__(interval, **procs)
        self.port = port
        self.peak = dict.fromkeys(procs, 0)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                try:
                    conns = psutil.Process(pid).net_connections(kind="tcp")
                except psutil.Error:
                    continue
                held = sum(1 for c in conns if c.raddr and c.raddr.port == self.port)
                self.peak[name] = max(self.peak[name], held)
            self._stop.wait(self.interval)


def tree_rss_mb(pid: int) -> float:
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


class CpuMeter:
    """CPU seconds (user + system) each named group of processes spends inside a `with` block.

    A group is a pid (with its children, e.g. gunicorn's workers or fclocal's instances), a
    psutil.Process (that process alone, e.g. the benchmark's own client threads, whose children
    are the services measured), or a process name matched on the whole machine (`"postgres"`,
    `"redis-server"`): PostgreSQL's backends come and go, so they are counted by name.
    """

    def __init__(self, **groups: int | str | psutil.Process):
        self.groups = groups
        self.used: dict[str, float] = {}

    def _procs(self, group: int | str | psutil.Process) -> list[psutil.Process]:
        if isinstance(group, psutil.Process):
            return [group]
        if isinstance(group, str):
            return [p for p in psutil.process_iter(["name"]) if p.info["name"] == group]
        try:
            proc = psutil.Process(group)
            return [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _snapshot(self) -> dict[str, dict[int, float]]:
        out = {}
        for name, group in self.groups.items():
            seconds = {}
            for proc in self._procs(group):
                try:
                    times = proc.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                seconds[proc.pid] = times.user + times.system
            out[name] = seconds
        return out

    def __enter__(self) -> CpuMeter:
        self._before = self._snapshot()
        return self

    def __exit__(self, *exc) -> None:
        after = self._snapshot()
        for name, seconds in after.items():
            before = self._before.get(name, {})
            self.used[name] = sum(t - before.get(pid, 0.0) for pid, t in seconds.items())

    def per(self, count: int, unit: str = "ms") -> str:
        """ "web 5.1 ms, worker 3.2 ms, ..." per one of `count` operations, biggest first."""
        if count <= 0:
            return "nothing completed"
        parts = sorted(self.used.items(), key=lambda kv: -kv[1])
        total = sum(self.used.values())
        shown = ", ".join(f"{name} {seconds * 1000 / count:.2f}" for name, seconds in parts)
        return f"{shown} (total {total * 1000 / count:.2f} {unit})"


# --- the machine and how busy it is ----------------------------------------------------------


def load_average() -> float:
    return os.getloadavg()[0]


def machine() -> dict[str, str]:
    """What a reader needs to compare two entries of RESULTS.md."""
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    vm = psutil.virtual_memory()
    return {
        "cores": f"{os.cpu_count()} logical ({psutil.cpu_count(logical=False) or '?'} physical) {cpu_model}".strip(),
        "memory": f"{vm.total / 2**30:.1f} GiB total, {vm.available / 2**30:.1f} GiB available at start",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": _command_version(["psql", "--version"]),
        "redis": _command_version(["redis-server", "--version"]),
        "git": _command_version(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
    }


def _command_version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def busy_processes(threshold: float = 20.0, sample: float = 1.0) -> list[str]:
    """Processes not ours using more than `threshold`% of a core right now (for the honest note)."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
    procs = [p for p in psutil.process_iter(["name"]) if p.pid not in mine]
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(sample)
    busy = []
    for p in procs:
        try:
            pct = p.cpu_percent(None)
        except psutil.Error:
            continue
        if pct >= threshold:
            try:
                what = " ".join(p.cmdline())[:60] or p.info["name"]
            except psutil.Error:
                what = p.info["name"]
            busy.append(f"`{what}` {pct:.0f}%")
    return busy


# --- the results file ------------------------------------------------------------------------


@dataclass
class RunInfo:
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    machine: dict[str, str] = field(default_factory=dict)
    scale: dict[str, object] = field(default_factory=dict)
    load: list[str] = field(default_factory=list)  # "bench: load 1.2 -> 3.4, busy: ..."
    notes: list[str] = field(default_factory=list)


def table(rows: list[Row]) -> str:
    """A Markdown table: readable in a terminal and in RESULTS.md alike."""
    header = ["benchmark", "metric", "value", "baseline", "ratio", "target", "verdict", "note"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        baseline = f"{fmt(r.baseline_value)} ({r.baseline})" if r.baseline else ""
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        value = f"{fmt(r.value)} {r.unit}".strip()
        target = f"{r.target} {r.unit}".strip() if r.target else ""
        cells = [r.bench, r.metric, value, baseline, ratio, target, r.verdict, r.note]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def entry(rows: list[Row], info: RunInfo) -> str:
    finished = datetime.now(UTC)
    out = [
        f"## {info.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"Run took {(finished - info.started).total_seconds() / 60:.1f} min.",
        "",
        *(f"- {k}: {v}" for k, v in info.machine.items()),
        "- scale: " + ", ".join(f"{k}={v}" for k, v in info.scale.items()),
        "",
        "Load on the machine while each benchmark ran (1-minute load average before -> after; "
        "other processes using >20% of a core just before):",
        "",
        *(f"- {line}" for line in info.load),
        "",
        table(rows),
        "",
    ]
    if info.notes:
        out += ["Notes:", "", *(f"- {n}" for n in info.notes), ""]
    return "\n".join(out) + "\n"


def append_results(rows: list[Row], info: RunInfo, path: Path = RESULTS) -> None:
    if not path.exists():
        path.write_text(
            "# Benchmark results\n\n"
            "Appended by `make bench` (`python -m bench [NAME ...]`), newest last. Every figure is "
            "compared with a baseline measured in the same run on the same machine; see "
            "bench/README.md for what each benchmark does.\n\n"
        )
    with path.open("a") as f:
        f.write(entry(rows, info))
