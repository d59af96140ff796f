"""Runs `manage.py invoke` (or another command) as a real subprocess on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
CREDENTIAL_ENV = ("AccountID", "AccessKeyID", "AccessKeySecret", "SecurityToken")


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    raw: bytes


def command_env(**extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV and not k.startswith("s_default_")}
    env["FCCONSOLE_ENV"] = "test"
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update(extra)
    return env


def manage(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None, cwd: Path = ROOT) -> Run:
    proc = subprocess.run(  # noqa: S603 - our own manage.py with arguments from the test
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        env=env or command_env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode(errors="replace"),
        proc.stderr.decode(errors="replace"),
        proc.stdout,
    )


def invoke(*args: str, **kwargs) -> Run:
    return manage("invoke", *args, **kwargs)
