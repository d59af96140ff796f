"""Where the time went, when a target is missed: py-spy on our subprocesses, pyinstrument in-process.

The summary is a line for the results entry ("own time: psycopg wait 31%, ..."); the full profile
stays in the run's work directory.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path


def _py_spy() -> str | None:
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


class Spy:
    """`py-spy record` of one process for the duration of a `with` block (collapsed stacks)."""

    def __init__(self, pid: int, out: Path, *, subprocesses: bool = False, rate: int = 200):
        self.out = out
        self.argv = [
            _py_spy() or "py-spy",
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--output",
            str(out),
            "--rate",
            str(rate),
            "--nonblocking",
        ]
        if subprocesses:
            self.argv.append("--subprocesses")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Spy:
        if _py_spy():
            log = self.out.with_suffix(".log").open("wb")
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        # SIGINT makes py-spy write what it sampled so far.
        self.proc.send_signal(2)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def summary(self, top: int = 6) -> str:
        if self.proc is None:
            return "no profile (py-spy not installed)"
        if not self.out.exists():
            return f"no profile (py-spy wrote nothing: see {self.out.with_suffix('.log').name})"
        return collapsed_summary(self.out.read_text(), top)


def collapsed_summary(collapsed: str, top: int = 6) -> str:
    """Top frames by own time (the leaf of each sampled stack), idle waits named as such."""
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        leaf = frames[-1]
        # "function (path/to/module.py:123)" -> "function (module.py)"
        name, _, where = leaf.partition(" (")
        where = where.rstrip(")").rsplit("/", 1)[-1].split(":")[0]
        own[f"{name} ({where})" if where else name] += int(count)
        total += int(count)
    if not total:
        return "profile empty"
    text = "own time: " + ", ".join(f"{name} {n / total:.0%}" for name, n in own.most_common(top))
    ours = _collapsed_project_inclusive(collapsed)
    if ours:
        text += "; in our code (inclusive): " + ", ".join(
            f"{name} {n / total:.0%}" for name, n in ours.most_common(top)
        )
    return text


def _project_packages() -> set[str]:
    from bench.common import ROOT

    return {d.name for d in ROOT.iterdir() if (d / "__init__.py").exists()} - {"bench", "tests"}


def _collapsed_project_inclusive(collapsed: str) -> Counter[str]:
    """Samples under each of the project's own functions (py-spy names modules by import path)."""
    packages = _project_packages()
    inclusive: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            module = where.split(":")[0]
            if module.split("/")[0] in packages:
                key = f"{name} ({module.rsplit('/', 1)[-1]})"
                if key not in seen:
                    seen.add(key)
                    inclusive[key] += int(count)
    return inclusive


def in_process(fn: Callable[[], object], repeat: int, out: Path) -> str:
    """pyinstrument over `repeat` calls; the text profile is written to `out`."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        fn()
    profiler.stop()
    out.write_text(profiler.output_text(unicode=False, color=False, show_all=True))
    session = profiler.last_session
    own: Counter[str] = Counter()

    def walk(frame, parent=None) -> None:
        # pyinstrument books a frame's own time on a synthetic "[self]" child: charge its parent.
        if frame.is_synthetic_leaf and parent is not None:
            own[f"{parent.function} ({Path(parent.file_path or '?').name})"] += frame.time
        elif not frame.children:
            own[f"{frame.function} ({Path(frame.file_path or '?').name})"] += frame.time
        for child in frame.children:
            walk(child, frame)

    root = session.root_frame()
    if root is None:
        return "profile empty"
    walk(root)
    total = sum(own.values()) or 1
    ours = _project_inclusive(root)
    text = "own time: " + ", ".join(f"{name} {t / total:.0%}" for name, t in own.most_common(6))
    if ours:
        text += "; in our code (inclusive): " + ", ".join(
            f"{name} {t / root.time:.0%}" for name, t in ours.most_common(6)
        )
    return text


def _project_inclusive(root) -> Counter[str]:
    """Inclusive time of the project's own functions (not bench/, not site-packages)."""
    from bench.common import ROOT

    inclusive: Counter[str] = Counter()

    def walk(frame, seen: frozenset) -> None:
        path = Path(frame.file_path or "/")
        key = f"{frame.function} ({path.name})"
        parts = path.relative_to(ROOT).parts if path.is_relative_to(ROOT) else (".venv",)
        mine = parts[0] not in (".venv", "bench")
        if mine and key not in seen:
            inclusive[key] += frame.time
            seen = seen | {key}
        for child in frame.children:
            walk(child, seen)

    walk(root, frozenset())
    return inclusive
