"""A no-op sync invoke through our FCClient vs the same call through the official `aliyun-fc2`.

Both hit the same fclocal, in the same run, interleaved (so drift hits both alike), with the
log tail requested. Prints p50/p99 per client and the ratio; `--record` appends a dated section
to bench/RESULTS.md.

    .venv/bin/python -m bench.invoker_vs_sdk --samples 2000 --warmup 200 --record
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import fc2
import psutil
import requests

from invocations.fc.client import FCClient

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT, KEY_ID, SECRET = "1234567890123456", "LTAIfclocalDemoKey", "fclocal-demo-secret-do-not-use"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fclocal(config: Path, state_dir: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(
        os.environ, FCLOCAL_ACCOUNT_ID=ACCOUNT, FCLOCAL_ACCESS_KEY_ID=KEY_ID, FCLOCAL_ACCESS_KEY_SECRET=SECRET
    )
    cmd = [sys.executable, "-m", "fclocal", "serve", "--config", str(config), "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), "--state-dir", state_dir],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"fclocal exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("fclocal did not start")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(url: str, service: str, function: str, samples: int, warmup: int) -> dict[str, list[float]]:
    ours = FCClient(url, KEY_ID, SECRET, account_id=ACCOUNT)
    sdk = fc2.Client(endpoint=url, accessKeyID=KEY_ID, accessKeySecret=SECRET)
    sdk_headers = {"x-fc-invocation-type": "Sync", "x-fc-log-type": "Tail"}
    calls = {
        "fcconsole FCClient": lambda: ours.invoke(service, function, b""),
        "aliyun-fc2 2.5.2": lambda: sdk.invoke_function(service, function, payload=b"", headers=sdk_headers),
    }
    for call in calls.values():
        for _ in range(warmup):
            call()
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(samples):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - start) * 1000)
    ours.close()
    return timings


def report(timings: dict[str, list[float]], args: argparse.Namespace) -> str:
    memory_gb = psutil.virtual_memory().total / 2**30
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — invoker vs aliyun-fc2 (no-op sync invoke)",
        "",
        f"Command: `.venv/bin/python -m bench.invoker_vs_sdk --samples {args.samples} --warmup {args.warmup}"
        f" --function {args.function}`",
        f"Machine: {os.cpu_count()} CPUs (nproc), {memory_gb:.1f} GiB RAM, {platform.platform()},"
        f" Python {platform.python_version()}; client and fclocal on the same machine, over 127.0.0.1.",
        f"Samples: {args.samples} per client after {args.warmup} warm-up calls each, interleaved;"
        " `X-Fc-Log-Type: Tail` on both.",
        "",
        "| client | p50 ms | p99 ms | mean ms |",
        "|---|---|---|---|",
    ]
    for name, values in timings.items():
        p50, p99, mean = percentile(values, 0.5), percentile(values, 0.99), statistics.fmean(values)
        lines.append(f"| {name} | {p50:.2f} | {p99:.2f} | {mean:.2f} |")
    ours, sdk = timings.values()
    lines += [
        "",
        f"Ratio aliyun-fc2 / FCClient: p50 {percentile(sdk, 0.5) / percentile(ours, 0.5):.2f}x,"
        f" p99 {percentile(sdk, 0.99) / percentile(ours, 0.99):.2f}x.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--config", type=Path, default=ROOT / "examples" / "s.yaml")
    parser.add_argument("--service", default="demo")
    parser.add_argument("--function", default="hello")
    parser.add_argument("--url", help="use a running fclocal instead of starting one")
    parser.add_argument("--record", action="store_true", help="append the result to bench/RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as state_dir:
        proc = None
        url = args.url
        if not url:
            proc, url = start_fclocal(args.config, state_dir)
        try:
            timings = run(url, args.service, args.function, args.samples, args.warmup)
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=10)
    text = report(timings, args)
    print(text)
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
