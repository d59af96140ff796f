"""`python -m bench.against REV [--rounds N] NAME ...`: the same benchmarks at REV and at this
checkout, interleaved, and what moved.

This machine's speed drifts by up to 40 % between runs minutes apart (bench/RESULTS.md, issue 18),
which hides a change of 10 % in two runs made one after the other. So the two arms alternate,
ABBA (REV, here, here, REV, ...), each run a full `python -m bench --no-record NAME ...` in its own
process, and the summary gives every run's figure, the change of the means, and for the CPU of
each process per call (the `throughput` benchmark's note) the change once divided by fclocal's
CPU per call in the same run: fclocal's code is the same in both arms, so its CPU per call moves
only with the machine and serves as the control. A row measured against a baseline of the same
run (the added latency against the direct FCClient call, say) gets its change in units of that
baseline too: divided by it run by run, the console's p50 varied by 3 % across ten runs whose
milliseconds varied by 50 % (bench/RESULTS.md, 2026-12-07 23:37). That baseline is a control
only when its code is the same in both arms (the direct FCClient call is ours: a change to
invocations/fc/ moves it).

REV runs from a git worktree under var/bench/against/ with this checkout's venv (a REV whose
requirements differ must be given its own venv by hand). The summary is appended to
bench/RESULTS.md (unless --no-record); each run's full output stays in the work directory.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.common import RESULTS, ROOT

CONTROL = "fclocal"
BASELINE = "baseline"  # found[(BASELINE, "bench: metric")]: the row's baseline value in that run
NUMBER = re.compile(r"^-?[\d,]*\.?\d+")
# "console web 4.53, worker 2.36, postgres 1.61, ... (total 10.35 ms)" in throughput's CPU row.
CPU_NOTE = re.compile(r"console ((?:[a-z]+ [\d.]+, )*[a-z]+ [\d.]+) \(total ([\d.]+) ms\)")


def parse_all_table(output: str) -> dict[tuple[str, str], float]:
    """{(benchmark, metric): value} from the "== all" table a `python -m bench` run prints,
    plus ("cpu per call", process): ms for each process of throughput's full-path CPU row."""
    found: dict[tuple[str, str], float] = {}
    _, marker, rest = output.partition("\n== all (")
    if not marker:
        return found
    for line in rest.splitlines()[1:]:
        if not line.startswith("| ") or line.startswith(("| benchmark ", "|---")):
            if found:
                break
            continue
        # The outer "| " and " |" only: a row whose last cells are empty keeps them.
        cells = re.split(r"(?<!\\) \| ", line.strip()[2:-2])
        if len(cells) < 8:
            continue
        bench, metric, value, note = cells[0], cells[1], cells[2], cells[7]
        number = NUMBER.match(value)
        if number:
            found[(bench, metric)] = float(number.group().replace(",", ""))
            baseline = NUMBER.match(cells[3])
            if baseline and float(baseline.group().replace(",", "")):
                found[(BASELINE, f"{bench}: {metric}")] = float(baseline.group().replace(",", ""))
        if metric.startswith("CPU per call"):
            cpu = CPU_NOTE.search(note)
            if cpu:
                for part in cpu.group(1).split(", "):
                    process, ms = part.rsplit(" ", 1)
                    found[("cpu per call", process)] = float(ms)
                found[("cpu per call", "every process")] = float(cpu.group(2))
    return found


def summary(rev: str, here: str, runs: list[tuple[str, dict]]) -> str:
    """The comparison table: each metric's runs per arm (in run order), the change of the means,
    and for per-process CPU the change after dividing each run's figure by its control's."""
    arms = {rev: [r for arm, r in runs if arm == rev], here: [r for arm, r in runs if arm == here]}
    keys = sorted(
        {key for _, found in runs for key in found if key[0] != BASELINE},
        key=lambda k: (k[0] != "cpu per call", k),
    )
    lines = [
        f"| measure | {rev} (runs) | {here} (runs) | change of means "
        f"| change, by the control ({CONTROL}'s CPU; else the row's baseline, same run) |",
        "|---|---|---|---|---|",
    ]
    for key in keys:
        before = [found[key] for found in arms[rev] if key in found]
        after = [found[key] for found in arms[here] if key in found]
        if not before or not after:
            continue
        change = _change(statistics.mean(before), statistics.mean(after))
        normalised = ""
        control = ("cpu per call", CONTROL)
        if key[0] == "cpu per call" and key != control:
            b = [f[key] / f[control] for f in arms[rev] if key in f and f.get(control)]
            a = [f[key] / f[control] for f in arms[here] if key in f and f.get(control)]
            if b and a:
                normalised = _change(statistics.mean(b), statistics.mean(a))
        elif key[0] != "cpu per call":
            base = (BASELINE, f"{key[0]}: {key[1]}")
            b = [f[key] / f[base] for f in arms[rev] if key in f and f.get(base)]
            a = [f[key] / f[base] for f in arms[here] if key in f and f.get(base)]
            if b and a:
                normalised = _change(statistics.mean(b), statistics.mean(a))
        name = f"CPU ms per call: {key[1]}" if key[0] == "cpu per call" else f"{key[0]}: {key[1]}"
        lines.append(
            f"| {name} | {' / '.join(_fmt(v) for v in before)} | {' / '.join(_fmt(v) for v in after)} "
            f"| {change} | {normalised} |"
        )
    return "\n".join(lines)


def _change(before: float, after: float) -> str:
    return f"{(after - before) / before * 100:+.0f} %" if before else ""


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def worktree(rev: str) -> tuple[Path, str]:
    """A worktree of `rev` (made once, reused), with this checkout's venv."""
    sha = _git("rev-parse", "--short", f"{rev}^{{commit}}")
    path = ROOT / "var" / "bench" / "against" / sha
    if not (path / ".git").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _git("worktree", "add", "--detach", "--force", str(path), sha)
    venv = path / ".venv"
    if not venv.exists():
        venv.symlink_to(ROOT / ".venv")
    return path, sha


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.against", description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare this checkout with (e.g. main, a sha)")
    parser.add_argument("names", nargs="+", metavar="NAME", help="benchmarks to run (see python -m bench)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per arm (default 2: ABBA)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)

    tree, rev = worktree(args.rev)
    here = _git("describe", "--always", "--dirty")
    workdir = ROOT / "var" / "bench" / "against" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    workdir.mkdir(parents=True)
    started = datetime.now(UTC)
    order = []
    for index in range(args.rounds):
        pair = [(rev, tree), (here, ROOT)]
        order += pair if index % 2 == 0 else pair[::-1]
    runs = []
    for number, (arm, cwd) in enumerate(order, 1):
        print(f"== run {number}/{len(order)}: {arm}", flush=True)
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "bench", "--no-record", *args.names],
            cwd=cwd,
            env={**os.environ, "FCCONSOLE_ENV": os.environ.get("FCCONSOLE_ENV", "test")},
            capture_output=True,
            text=True,
        )
        (workdir / f"{number}-{arm}.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            print(done.stdout[-3000:] + done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"run {number} ({arm}) failed: see {workdir}")
        runs.append((arm, parse_all_table(done.stdout)))
    table = summary(rev, here, runs)
    entry = (
        f"\n## {started:%Y-%m-%d %H:%M} UTC — {rev} against {here}, interleaved\n\n"
        f"`python -m bench.against {args.rev} --rounds {args.rounds} {' '.join(args.names)}`: "
        f"{len(order)} runs of `python -m bench --no-record {' '.join(args.names)}` in the order "
        f"{', '.join(arm for arm, _ in order)} (each run's output in {workdir.relative_to(ROOT)}). "
        f"Figures are each run's, in that order per arm.\n\n{table}\n"
    )
    print(entry)
    if not args.no_record:
        with RESULTS.open("a") as results:
            results.write(entry)
        print("appended to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
