"""Shared fixtures: personas, and a real Celery worker process on Redis.

Nothing of ours is mocked here. Tests that need the worker use `celery_worker` and
`@pytest.mark.django_db(transaction=True)`, since the worker reads committed rows only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.fixtures.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.fixtures.personas", "tests.fixtures.fclocal"]


def _worker_env(db_name: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["FCCONSOLE_ENV"] = "test"
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db_name}"
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db_name}"
    return env


class WorkerProcess:
    """A `celery worker` subprocess against this test run's database and Redis key space."""

    def __init__(
        self,
        db_name: str,
        log_path: Path,
        pool: str = "threads",
        concurrency: int = 16,
        queue: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.db_name = db_name
        # Variables over the test run's own (tests/faults: a broker of its own, short intervals).
        self.env = env or {}
        self.log_path = log_path
        self.pool = pool
        self.concurrency = concurrency
        # A worker of its own queue gets exactly the tasks a test sends there (e.g. to kill it).
        self.queue = queue
        self.proc: subprocess.Popen | None = None

    def start(self, wait: float = 30.0) -> WorkerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process's life
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fcconsole",
                "worker",
                "-P",
                self.pool,
                "-c",
                str(self.concurrency),
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                *(["-Q", self.queue] if self.queue else []),
            ],
            cwd=ROOT,
            env=_worker_env(self.db_name) | self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_ready(wait)
        except BaseException:
            # A worker that never answered is nobody's to stop: it outlived its test run.
            self.stop(kill=True)
            raise
        return self

    def wait_ready(self, wait: float) -> None:
        from invocations.tasks import ping

        route = {"queue": self.queue} if self.queue else {}

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: see {self.log_path}")
            try:
                return ping.apply_async(args=["ready"], **route).get(timeout=2) == "ready"
            except Exception:  # noqa: BLE001 - not up yet
                return False

        try:
            wait_until(answers, seconds=wait, interval=0)
        except AssertionError:
            raise RuntimeError(f"celery worker not ready after {wait}s: see {self.log_path}") from None

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real worker for the session (threads pool), stopped at the end."""
    worker = WorkerProcess(
        settings.DATABASES["default"]["NAME"], tmp_path_factory.mktemp("worker") / "worker.log"
    )
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def worker_factory(django_db_setup, tmp_path):
    """Start (and always stop) extra workers a test wants to stop or kill itself."""
    started: list[WorkerProcess] = []

    def make(**kwargs) -> WorkerProcess:
        w = WorkerProcess(
            settings.DATABASES["default"]["NAME"], tmp_path / f"worker{len(started)}.log", **kwargs
        )
        started.append(w)
        return w.start()

    yield make
    for w in started:
        w.stop(kill=True)
