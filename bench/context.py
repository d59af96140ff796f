"""What a benchmark's `run(ctx)` gets: scale knobs, a work directory, shared processes, notes.

Processes are started on first use and shared by the benchmarks of one run, because starting
them is not what we measure; the caller stops them all (`stop_all`) however the run ends. Asking
for a worker or web server with other options (say, a worker with 1,000 threads) replaces the
running one, so two workers never split one queue.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench import services
from bench.common import ROOT


class Context:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self._running: dict[tuple[str, str], services.Service] = {}
        self.scale_used: dict[str, object] = {}
        self.notes: list[str] = []
        self.cache: dict[str, object] = {}  # data one benchmark generates and another reuses

    # --- scale -------------------------------------------------------------------------------
    def scale(self, name: str, default: int) -> int:
        """An integer knob from the environment (`BENCH_<NAME>`), recorded in the results entry."""
        value = int(os.environ.get(f"BENCH_{name}", default))
        self.scale_used[name] = value
        return value

    def note(self, text: str) -> None:
        self.notes.append(text)

    # --- processes ---------------------------------------------------------------------------
    def _get(self, kind: str, options: dict, start, *, exclusive: bool) -> services.Service:
        """The running process of this kind and options, else a new one.

        `exclusive`: one of the kind at a time (two workers would share the queue and blur what
        is measured), so asking for other options stops the running one first.
        """
        key = (kind, repr(sorted(options.items())))
        svc = self._running.get(key)
        if svc is not None and svc.proc.poll() is None:
            return svc
        if exclusive:
            for other in [k for k in self._running if k[0] == kind]:
                self._running.pop(other).stop()
        svc = self._running[key] = start()
        return svc

    def stop(self, kind: str) -> None:
        """Stop the running processes of one kind ("worker", "web", "fclocal"), if any."""
        for key in [k for k in self._running if k[0] == kind]:
            self._running.pop(key).stop()

    def stop_all(self) -> None:
        while self._running:
            self._running.popitem()[1].stop()

    def fclocal(self, config: Path | None = None, **options) -> services.HttpService:
        config = config or ROOT / "examples" / "s.yaml"
        return self._get(
            "fclocal",
            {"config": str(config), **options},
            lambda: services.fclocal(self.workdir, config, **options),
            exclusive=False,
        )

    def worker(self, **options) -> services.Service:
        return self._get("worker", options, lambda: services.worker(self.workdir, **options), exclusive=True)

    def web(self, **options) -> services.HttpService:
        return self._get("web", options, lambda: services.web(self.workdir, **options), exclusive=True)
