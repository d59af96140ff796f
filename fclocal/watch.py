"""`--reload`: poll the project files and every function's code for changes.

Polling (once a second) needs no dependency and sees edits on every file system; a change
reloads the project, which retires the instances of functions whose code or settings changed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fclocal.app import App
from fclocal.checksum import code_files

POLL_SECONDS = 1.0


def _snapshot(app: App) -> dict[Path, float]:
    paths = list(app.config_paths)
    for function in app.project.functions():
        paths += code_files(function.code_dir)
    stamps = {}
    for path in paths:
        try:
            stamps[path] = path.stat().st_mtime_ns
        except OSError:
            stamps[path] = -1
    return stamps


def watch(app: App, stop: threading.Event) -> None:
    before = _snapshot(app)
    while not stop.wait(POLL_SECONDS):
        now = _snapshot(app)
        if now != before:
            app.reload()
            before = _snapshot(app)
