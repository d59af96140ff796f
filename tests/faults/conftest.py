"""The fault matrix's own world: a Redis, a worker, a scheduler and (when a case kills it) an
fclocal of its own, as real processes the case stops, kills and starts again.

Nothing is shared with the rest of the suite but PostgreSQL (the test database): the shared Redis
is never touched. Intervals are short through the same environment variables a deployment sets
(FC_SWEEP_INTERVAL, FC_WORKER_HEARTBEAT, FC_WORKER_DEAD_AFTER, ...), so a case's bound is the
deployment's formula with small numbers.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from fcconsole.celery import app as console_app
from invocations.models import Invocation, InvocationState, Worker
from tests.conftest import ROOT, WorkerProcess, _worker_env
from tests.core.conftest import make_profile
from tests.fc.edge_server import free_port
from tests.fixtures import waiting
from tests.fixtures.django_process import run_django

# A deployment's knobs, small: a dead worker's rows end within DEAD_AFTER + SWEEP + HEARTBEAT.
FAULT_ENV = {
    "FC_SWEEP_INTERVAL": "1",
    "FC_RESEND_AFTER": "1",
    "FC_WORKER_HEARTBEAT": "1",
    "FC_WORKER_DEAD_AFTER": "4",
    "FC_RETRY_BACKOFF": "1",
}
# How long any row may take to end once the fault is over (the figures are far below).
BOUND = 30.0


def _spawn(
    argv: list[str], log_path: Path, *, ready, what: str, seconds: float = 10, **popen
) -> subprocess.Popen:
    """A process of the case, its output appended to `log_path`, once `ready()` says it serves."""
    log = open(log_path, "ab")  # noqa: SIM115 - kept open for the process's life
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **popen)
    waiting.wait_until(ready, seconds=seconds, what=what)
    return proc


class RedisServer:
    """`redis-server` on a port of its own, without persistence: a restart loses every key, as a
    Redis restarted without a volume does."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.proc = _spawn(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            self.log_path,
            ready=self.answers,
            what=f"redis on {self.port}",
        )
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(7) == b"+PONG\r\n"
        except OSError:
            return False

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(10)


class DatabaseProxy:
    """PostgreSQL as one worker sees it, through a forwarder of its own (tcp_proxy.py): `stop`
    takes the database away from that worker alone, `start` brings it back on the same port."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        db = settings.DATABASES["default"]
        self.target = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
        self.database_url = f"postgres://{db['USER']}@127.0.0.1:{self.port}/{db['NAME']}"

    def start(self) -> DatabaseProxy:
        self.proc = _spawn(
            [sys.executable, "-m", "tests.faults.tcp_proxy", str(self.port), *map(str, self.target)],
            self.log_path,
            ready=self.listens,
            what=f"the database proxy on {self.port}",
            cwd=ROOT,
        )
        return self

    def listens(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        """SIGKILL: the worker's connections end as they would if PostgreSQL went away."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class OtherWorker:
    """The heartbeat of a worker elsewhere, whose database stays (written by a thread of the test
    process): a sweep sees a fresh heartbeat beside the case's worker's."""

    name = "celery@elsewhere pid 0"

    def __init__(self):
        self.beats = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="heartbeat-elsewhere", daemon=True)

    def start(self) -> OtherWorker:
        self._thread.start()
        return self

    def _loop(self) -> None:
        from django.db import connection
        from django.db.models.functions import Now

        try:
            while not self._stopping.wait(0.5 if self.beats else 0):
                Worker.objects.update_or_create(name=self.name, defaults={"last_seen": Now()})
                self.beats += 1
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)


class BeatProcess:
    """`celery -A fcconsole beat`: the scheduler as a deployment runs it, its schedule in var/."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> BeatProcess:
        self.proc = _spawn(
            [sys.executable, "-m", "celery", "-A", "fcconsole", "beat", "--loglevel=INFO"],
            self.log_path,
            ready=lambda: b"beat: Starting" in self.log_path.read_bytes(),
            what="beat",
            seconds=20,
            cwd=ROOT,
            env=self.env,
        )
        return self

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(10)


@dataclass
class Submitted:
    """One row a case submitted, and the marker that finds its runs in fclocal's function log."""

    row: Invocation
    marker: str
    function: str = "slow"


@dataclass
class Stack:
    """Redis, workers, beat and fclocal of one case, and what it submitted."""

    tmp: Path
    db_name: str
    redis: RedisServer
    env: dict[str, str]
    fclocal: object
    profile: object
    user: object
    workers: list[WorkerProcess] = field(default_factory=list)
    beat: BeatProcess | None = None
    proxies: list[DatabaseProxy] = field(default_factory=list)
    others: list[OtherWorker] = field(default_factory=list)
    submitted: list[Submitted] = field(default_factory=list)

    def start_worker(self, concurrency: int = 4, env: dict[str, str] | None = None) -> WorkerProcess:
        worker = WorkerProcess(
            self.db_name,
            self.tmp / f"worker{len(self.workers)}.log",
            concurrency=concurrency,
            env=self.env | (env or {}),
        )
        self.workers.append(worker)
        return worker.start()

    def database_proxy(self) -> DatabaseProxy:
        """A forwarder to the test database (started), for a worker the case takes it away from."""
        proxy = DatabaseProxy(self.tmp / f"proxy{len(self.proxies)}.log").start()
        self.proxies.append(proxy)
        return proxy

    def heartbeat_elsewhere(self) -> OtherWorker:
        """A live worker's heartbeat, written from this process every 0.5 s until the case ends."""
        other = OtherWorker()
        self.others.append(other)
        return other.start()

    def start_beat(self) -> BeatProcess:
        self.beat = BeatProcess(_worker_env(self.db_name) | self.env, self.tmp / "beat.log").start()
        return self.beat

    def submit(self, seconds: float = 0.0, *, function: str = "slow", **fields) -> Submitted:
        """A sync call of `slow` sleeping 1.xxxxxx + `seconds` s: the fraction is its marker."""
        marker = 1 + (uuid.uuid4().int % 999_999 + 1) / 10**6 + seconds
        row = Invocation.objects.submit(
            user=self.user,
            profile=self.profile,
            region="cn-hangzhou",
            service="demo",
            function=function,
            event=json.dumps({"seconds": marker}).encode(),
            **fields,
        )
        entry = Submitted(row, str(marker), function)
        self.submitted.append(entry)
        return entry

    def runs(self, entry: Submitted) -> int:
        """Runs of `slow` with this entry's marker; of any other function, every run in the log
        (a case gives such a function one row, on an fclocal of its own)."""
        if entry.function == "slow":
            return self.fclocal.function_log("slow").count(f"sleeping {entry.marker} seconds")
        return self.fclocal.calls(entry.function)

    def rows(self) -> list[Invocation]:
        for entry in self.submitted:
            entry.row.refresh_from_db()
        return [entry.row for entry in self.submitted]

    def wait_all_terminal(self, seconds: float = BOUND) -> float:
        """Wait until every submitted row is terminal; the seconds it took."""
        started = time.monotonic()
        waiting.wait_until(
            lambda: all(row.is_terminal for row in self.rows()),
            seconds=seconds,
            interval=0.2,
            what=lambda: [(r.pk, r.state, r.state_reason) for r in self.rows() if not r.is_terminal],
        )
        return time.monotonic() - started

    def wait_runs_logged(self) -> None:
        """fclocal logs a run as it ends: wait for every succeeded row's run to be in its log."""
        waiting.wait_until(
            lambda: all(self.runs(e) for e in self.submitted if e.row.state == InvocationState.SUCCEEDED),
            seconds=10,
            what="fclocal's log of every succeeded run",
        )

    def ledger(self, case: str, to_terminal: float) -> dict:
        """0 lost, 0 doubled, a reason on every row that did not succeed: the matrix's row of this case."""
        self.wait_runs_logged()
        rows = self.rows()
        by_state: dict[str, int] = {}
        for row in rows:
            by_state[row.state] = by_state.get(row.state, 0) + 1
        doubled = [e.row.pk for e in self.submitted if self.runs(e) > 1]
        lost = [row.pk for row in rows if not row.is_terminal]
        unexplained = [r.pk for r in rows if r.state != InvocationState.SUCCEEDED and not r.state_reason]
        result = {
            "case": case,
            "submitted": len(rows),
            "ended": by_state,
            "lost": len(lost),
            "doubled": len(doubled),
            "to_terminal_s": round(to_terminal, 1),
        }
        report = os.environ.get("FAULTS_REPORT")
        if report:
            with open(report, "a") as out:
                out.write(json.dumps(result) + "\n")
        assert not lost and not doubled and not unexplained, (result, unexplained)
        return result


def _stack_app(redis_url: str, prefix: str) -> Celery:
    """This test process's Celery app on the case's Redis (submits, pings): the console's own,
    rebuilt from the same settings with the case's broker."""
    app = Celery("fcconsole-faults", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    options = {"global_keyprefix": prefix}
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        broker_transport_options=options,
        result_backend_transport_options=options,
    )
    return app


@pytest.fixture
def stack(django_db_setup, tmp_path, fclocal, invoker):
    """A case's Redis (started), its Celery app made current; workers and beat started by the case."""
    redis = RedisServer(tmp_path / "redis.log").start()
    prefix = f"faults-{uuid.uuid4().hex[:8]}:"
    env = FAULT_ENV | {
        "CELERY_BROKER_URL": redis.url,
        "REDIS_URL": redis.url,
        "CELERY_KEY_PREFIX": prefix,
        "FCCONSOLE_VAR_DIR": str(tmp_path / "var"),
    }
    app = _stack_app(redis.url, prefix)
    app.set_current()
    profile = make_profile("faults", fclocal.url, secret=fclocal.access_key_secret)
    world = Stack(tmp_path, settings.DATABASES["default"]["NAME"], redis, env, fclocal, profile, invoker)
    try:
        yield world
    finally:
        # Results this process waited on (the workers' readiness pings) unsubscribe from their
        # Redis when collected. Collected in a later case, after this Redis is gone, one blocked
        # that case's thread for 20 s of reconnect retries (CI, 2026-12-07): collect them now.
        gc.collect()
        for worker in world.workers:
            worker.stop(kill=True)
        if world.beat:
            world.beat.stop(kill=True)
        for proxy in world.proxies:
            proxy.stop()
        for other in world.others:
            other.stop()
        redis.stop(kill=True)
        console_app.set_current()
        app.close()


def healthz(stack: Stack) -> tuple[int, dict]:
    """/healthz as a web process on the case's Redis and database answers it."""
    script = "from django.test import Client; r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    done = run_django(script, base=_worker_env(stack.db_name) | stack.env)
    status, _, body = done.stdout.strip().partition(" ")
    assert body, done.stderr[-2000:]
    return int(status), json.loads(body)
