"""Which Celery broker to use, decided once: Redis when it answers, else a file-system queue.

Said at start-up (see `describe()`), never silently.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlparse


def redis_answers(url: str, timeout: float = 0.3) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout):
            return True
    except OSError:
        return False


def filesystem_broker(var_dir: Path) -> tuple[str, dict]:
    folder = var_dir / "broker"
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    return "filesystem://", options
