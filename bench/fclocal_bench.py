"""fclocal benchmarks, each against a baseline measured in the same run.

    .venv/bin/python bench/fclocal_bench.py [--requests 2000] [--in-flight 1000] [--no-record]

1. Warm no-op invoke from a pooled client (one requests.Session, signed requests): p50/p99
   latency and requests/s, single client and 4 clients; p50/p99 also through FC 3.0
   (`/2023-03-30`, ACS3-signed) on the same server. Baseline: a bare stdlib
   ThreadingHTTPServer (HTTP/1.1, keep-alive, in its own process) answering the same signed POST
   with an empty 200.
2. Cold start: the first invoke of `noop` on a freshly started fclocal (spawns the instance
   process) against the second (warm). Baseline: spawning `python -c pass`.
3. 1,000 invocations of `slow` ({"seconds": 2}, instanceConcurrency 100) in flight at once, one
   connection each: wall time, failures, peak memory of fclocal and its instance processes.
   Baseline: the bare server sleeping 2 s per request for the same 1,000 clients.

Appends a dated section to bench/RESULTS.md unless --no-record.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import requests  # noqa: E402

from bench.common import PeakMemory, percentile  # noqa: E402
from fclocal.keys import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET  # noqa: E402
from invocations.fc import acs3  # noqa: E402
from invocations.fc.signing import http_date, sign  # noqa: E402
from tests.fixtures.fclocal import DEMO_CONFIG, DEMO_CONFIGS, FclocalServer  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
RESULTS_HEADER = """# Benchmark results

Measured figures only, newest last. Each section names its command, machine and sample counts;
compare figures only within one section (same machine, same run).
"""
KEY_ID, SECRET = DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET
TITLE = "fclocal: warm invoke latency, cold start, 1,000 in flight"


# -- the baseline server -------------------------------------------------------------------------


class _Bare(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seconds = float(parse_qs(urlparse(self.path).query).get("sleep", ["0"])[0])
        if seconds:
            time.sleep(seconds)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class _BareServer(ThreadingHTTPServer):
    request_queue_size = 4096
    daemon_threads = True


def serve_baseline() -> None:
    server = _BareServer(("127.0.0.1", 0), _Bare)
    print(server.server_address[1], flush=True)
    server.serve_forever()


class Baseline:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "baseline-server"], stdout=subprocess.PIPE, cwd=ROOT, text=True
        )
        self.url = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}"

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


# -- measuring -----------------------------------------------------------------------------------


def signed_post(session, base_url: str, path: str, body: bytes, query: str = "") -> requests.Response:
    if path.startswith(f"/{acs3.API_VERSION}/"):
        return _signed_post3(session, base_url, path, body)
    headers = {
        "Date": http_date(),
        "Content-Type": "application/octet-stream",
        "X-Fc-Invocation-Type": "Sync",
    }
    headers["Authorization"] = sign(KEY_ID, SECRET, "POST", path, headers)
    response = session.post(base_url + path + query, data=body, headers=headers, timeout=120)
    response.raise_for_status()
    return response


def _signed_post3(session, base_url: str, path: str, body: bytes) -> requests.Response:
    """An FC 3.0 InvokeFunction signed as the official Python SDK signs it (fc3-api.md 7)."""
    headers = acs3.request_headers(
        KEY_ID,
        SECRET,
        "POST",
        path,
        host=base_url.split("://", 1)[1],
        action="InvokeFunction",
        headers={"content-type": "application/octet-stream", "x-fc-invocation-type": "Sync"},
        body=body,
    )
    response = session.post(base_url + path, data=body, headers=headers, timeout=120)
    response.raise_for_status()
    return response


def latency(urls: dict[str, str], path: str, n: int, warmup: int = 100, paths=None) -> dict[str, dict]:
    """Sequential calls to each server, interleaved so that machine load drifts hit all alike.
    `paths` overrides `path` per name (the same server through another API)."""
    paths = {name: (paths or {}).get(name, path) for name in urls}
    sessions = {name: requests.Session() for name in urls}
    for name, url in urls.items():
        for _ in range(warmup):
            signed_post(sessions[name], url, paths[name], b"")
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(n):
        for name, url in urls.items():
            t = time.perf_counter()
            signed_post(sessions[name], url, paths[name], b"")
            samples[name].append((time.perf_counter() - t) * 1000)
    for session in sessions.values():
        session.close()
    return {
        name: {
            "p50_ms": percentile(s, 50),
            "p99_ms": percentile(s, 99),
            # requests/s of one sequential client: the inverse of the mean latency
            "rps": 1000 / statistics.mean(s),
        }
        for name, s in samples.items()
    }


def throughput(base_url: str, path: str, n: int, clients: int) -> float:
    def client(count: int) -> None:
        with requests.Session() as session:
            for _ in range(count):
                signed_post(session, base_url, path, b"")

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, [n // clients] * clients))
    return (n // clients * clients) / (time.perf_counter() - started)


def in_flight(base_url: str, path: str, body: bytes, n: int, pid: int, query: str = "") -> dict:
    barrier = threading.Barrier(n)
    failures: list[str] = []

    def one(_: int) -> None:
        barrier.wait()
        try:
            response = signed_post(requests, base_url, path, body, query)
            if response.headers.get("X-Fc-Error-Type"):
                failures.append(response.text)
        except requests.RequestException as exc:
            failures.append(repr(exc))

    with PeakMemory(server=pid) as memory, ThreadPoolExecutor(n) as pool:
        started = time.perf_counter()
        list(pool.map(one, range(n)))
        wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "failures": len(failures),
        "peak_mb": memory.peak_mb["server"],
        "first_failure": failures[:1],
    }


def cold_start(state: Path, rounds: int) -> dict:
    """First invoke of `noop` (a new instance process) on a server already warmed with `hello`,
    against the second (warm) invoke; one fresh server per round."""
    hello = "/2016-08-15/services/demo/functions/hello/invocations"
    noop = "/2016-08-15/services/demo/functions/noop/invocations"
    cold, warm = [], []
    for n in range(rounds):
        server = FclocalServer(DEMO_CONFIG, state / f"cold{n}", state / f"cold{n}.log").start()
        try:
            with requests.Session() as session:
                signed_post(session, server.url, hello, b"")
                for bucket in (cold, warm):
                    t = time.perf_counter()
                    signed_post(session, server.url, noop, b"")
                    bucket.append((time.perf_counter() - t) * 1000)
        finally:
            server.stop()
    spawn = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        spawn.append((time.perf_counter() - t) * 1000)
    return {
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "spawn_ms": statistics.median(spawn),
        "rounds": rounds,
    }


def machine() -> str:
    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        )
    except (OSError, StopIteration):
        pass
    ram = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({model or platform.machine()}), "
        f"{ram:.0f} GiB RAM, Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start"
    )


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure and its baseline from the same run."""

    metric: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    note: str


BARE = "bare stdlib HTTP server"


def measure(requests_n: int, in_flight_n: int) -> list[Figure]:
    noop = "/2016-08-15/services/demo/functions/noop/invocations"
    noop3 = "/2023-03-30/functions/noop/invocations"
    slow = "/2016-08-15/services/demo/functions/slow/invocations"
    figures = []
    with tempfile.TemporaryDirectory(prefix="fclocal-bench-") as tmp:
        state = Path(tmp)
        baseline = Baseline()
        server = FclocalServer(DEMO_CONFIGS, state / "main", state / "main.log").start()
        try:
            urls = {"fclocal": server.url, "fclocal 3.0": server.url, "bare": baseline.url}
            timings = latency(urls, noop, requests_n, paths={"fclocal 3.0": noop3})
            ours, ours3, bare = timings["fclocal"], timings["fclocal 3.0"], timings["bare"]
            note = (
                f"{requests_n} sequential signed POSTs per server after 100 warm-up, one pooled "
                "requests.Session each, the two servers interleaved"
            )
            figures += [
                Figure("warm no-op p50", ours["p50_ms"], "ms", BARE, bare["p50_ms"], note),
                Figure("warm no-op p99", ours["p99_ms"], "ms", BARE, bare["p99_ms"], note),
                Figure("warm no-op p50, FC 3.0 API", ours3["p50_ms"], "ms", BARE, bare["p50_ms"], note),
                Figure("warm no-op p99, FC 3.0 API", ours3["p99_ms"], "ms", BARE, bare["p99_ms"], note),
                Figure("warm no-op, 1 client", ours["rps"], "req/s", BARE, bare["rps"], note),
            ]
            # three alternating rounds, median of each: load drifts hit both servers alike
            rounds = [
                (throughput(server.url, noop, requests_n, 4), throughput(baseline.url, noop, requests_n, 4))
                for _ in range(3)
            ]
            figures.append(
                Figure(
                    "warm no-op, 4 clients",
                    statistics.median(r[0] for r in rounds),
                    "req/s",
                    BARE,
                    statistics.median(r[1] for r in rounds),
                    f"{requests_n} requests over 4 threads, one Session each; median of 3 alternating rounds",
                )
            )
            body = json.dumps({"seconds": 2}).encode()
            ours_c = in_flight(server.url, slow, body, in_flight_n, server.proc.pid)
            bare_c = in_flight(baseline.url, slow, body, in_flight_n, baseline.proc.pid, query="?sleep=2")
            note = f"{in_flight_n} clients released by one barrier, each its own connection, 2 s sleep each"
            failures = "refused/reset connections or function errors"
            if ours_c["failures"]:
                failures += f"; first: {ours_c['first_failure'][0][:200]}"
            figures += [
                Figure(
                    f"{in_flight_n} in flight: wall time", ours_c["wall_s"], "s", BARE, bare_c["wall_s"], note
                ),
                Figure(
                    f"{in_flight_n} in flight: failures",
                    ours_c["failures"],
                    "",
                    BARE,
                    bare_c["failures"],
                    failures,
                ),
                Figure(
                    f"{in_flight_n} in flight: peak memory",
                    ours_c["peak_mb"],
                    "MB",
                    BARE,
                    bare_c["peak_mb"],
                    "RSS of the server plus its instance processes, sampled every 50 ms",
                ),
            ]
        finally:
            server.stop()
            baseline.stop()
        cold = cold_start(state, rounds=5)
        figures.append(
            Figure(
                "cold start: first invoke of noop",
                cold["cold_ms"],
                "ms",
                "spawning `python -c pass`",
                cold["spawn_ms"],
                f"median of {cold['rounds']} fresh servers warmed with another function; "
                f"the warm second invoke took {cold['warm_ms']:.2f} ms",
            )
        )
    return figures


def _show(value: float, unit: str) -> str:
    text = f"{value:.0f}" if unit in ("req/s", "MB", "") else f"{value:.2f}"
    return f"{text} {unit}".strip()


def record(figures: list[Figure], command: str, host: str) -> str:
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {TITLE}",
        "",
        f"Command: `{command}`  ",
        f"Machine: {host}",
        "",
        "| metric | fclocal | baseline (same run) | note |",
        "|---|---|---|---|",
        *[
            f"| {f.metric} | {_show(f.value, f.unit)} | {f.baseline}: {_show(f.baseline_value, f.unit)} | {f.note} |"
            for f in figures
        ],
        "",
    ]
    return "\n".join(lines)


def run(ctx) -> list:
    """Entry point for `python -m bench` (the bench stream's runner)."""
    from bench.common import Row

    figures = measure(ctx.scale("FCLOCAL_REQUESTS", 2000), ctx.scale("FCLOCAL_IN_FLIGHT", 1000))
    return [
        Row(
            "fclocal_bench",
            f.metric,
            f.value,
            f.unit,
            baseline=f.baseline,
            baseline_value=f.baseline_value,
            note=f.note,
        )
        for f in figures
    ]


def main() -> int:
    if sys.argv[1:2] == ["baseline-server"]:
        serve_baseline()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    command = "python bench/fclocal_bench.py " + " ".join(sys.argv[1:])
    host = machine()  # before the run: the load average says how busy the machine was
    section = record(measure(args.requests, args.in_flight), command.strip(), host)
    print(section)
    if not args.no_record:
        if not RESULTS.exists():
            RESULTS.write_text(RESULTS_HEADER)
        with RESULTS.open("a") as f:
            f.write("\n" + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
