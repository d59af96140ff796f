"""The processes benchmarks measure: fclocal, a Celery worker, a web server — all on 127.0.0.1.

Each is a real subprocess started the way Procfile/docker-compose start it, against the bench
database and the bench's own Redis key prefix (inherited through the environment), with its
output in the run's work directory. They are stopped by the context that started them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench import attribution as attribution_counters
from bench.common import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    def start(self) -> Service:
        env = {**os.environ, **self.env}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: see {self.log_path}")

    def wait_for(self, ready, timeout: float = 60.0) -> Service:
        """Poll `ready()` until it is true; the process dying or the timeout is an error."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if ready():
                    return self
            except Exception:  # noqa: BLE001 - not up yet, whatever it says
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s: see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s; only this process (its session) is signalled."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(5)


class HttpService(Service):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def fclocal(workdir: Path, config: Path, *, name: str = "fclocal", extra: list[str] = ()) -> HttpService:
    """`python -m fclocal serve` on a free port with its own state directory."""
    port = free_port()
    state = workdir / f"{name}-state"
    state.mkdir(parents=True, exist_ok=True)
    svc = HttpService(
        name,
        [
            sys.executable,
            "-m",
            "fclocal",
            "serve",
            "--config",
            str(config),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--state-dir",
            str(state),
            *extra,
        ],
        workdir / f"{name}.log",
    )
    svc.port = port
    svc.start()
    return svc.wait_for(lambda: port_answers(port))


def worker(
    workdir: Path,
    *,
    pool: str = "threads",
    concurrency: int = 100,
    name: str = "worker",
    beat: bool = False,
    extra: list[str] = (),
    attribution: bool = False,
) -> Service:
    """A Celery worker like Procfile's, ready once it answered the ping task.

    `attribution`: with bench/attribution.py's counters (the project's app, through
    bench/attribution_worker.py), writing their snapshots in `workdir`."""
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "bench.attribution_worker" if attribution else "fcconsole",
        "worker",
        "-P",
        pool,
        "-c",
        str(concurrency),
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}-{os.getpid()}@%h",
        *extra,
    ]
    if beat:
        argv.append("-B")
        argv += ["-s", str(workdir / f"{name}-beat-schedule")]
    env = {attribution_counters.DIR_ENV: str(workdir)} if attribution else {}
    svc = Service(name, argv, workdir / f"{name}.log", env=env).start()

    from invocations.tasks import ping

    def answers() -> bool:
        return ping.apply_async(args=["ready"]).get(timeout=2) == "ready"

    return svc.wait_for(answers, timeout=90)


def web(
    workdir: Path,
    *,
    workers: int = 2,
    threads: int = 16,
    name: str = "web",
    settings: str | None = None,
    attribution: bool = False,
    env: dict[str, str] | None = None,
) -> HttpService:
    """gunicorn (as in docker-compose) with threads, so requests that wait do not block others.

    `settings`: another DJANGO_SETTINGS_MODULE (bench/floor_settings.py adds bench-only URLs).
    `attribution`: with bench/attribution.py's counters in each gunicorn worker, writing their
    snapshots in `workdir`. `env`: variables over this process's (tests/faults: another database)."""
    port = free_port()
    env = dict(env or {})
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    config = []
    if attribution:
        env[attribution_counters.DIR_ENV] = str(workdir)
        config = ["-c", str(ROOT / "bench" / "attribution_gunicorn.py")]
    svc = HttpService(
        name,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            *config,
            "fcconsole.wsgi:application",
        ],
        workdir / f"{name}.log",
        env=env,
    )
    svc.port = port
    svc.start()
    return svc.wait_for(lambda: requests.get(f"{svc.url}/login/", timeout=2).status_code == 200)
