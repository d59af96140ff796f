"""Instances (one process each) and the per-function pool that hands them out.

An instance runs `fclocal/runtime.py`; the first request to reach it also initializes it (imports
the handler, runs the initializer) and so carries the cold-start log. An instance serves up to
`instanceConcurrency` requests at once and stays warm until it is idle for `idle_seconds`, its code
changes, or it is killed: for a request over its timeout, for memory over `memorySize`, or to stop
an async task. A request on a killed or crashed instance learns why through `InstanceDied`.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from fclocal import runtime
from fclocal.model import Function

RUNTIME_FILE = Path(runtime.__file__).resolve()


class InstanceDied(Exception):
    """The instance ended before answering. `reason`: crash, timeout, memory, stopped, init-timeout."""

    def __init__(self, reason: str, max_memory_mb: float, log: str = "", during_init: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.max_memory_mb = max_memory_mb
        self.log = log
        self.during_init = during_init  # raised to the request that was initializing the instance


class Throttled(Exception):
    """No instance slot became free in time (FC: 429 ResourceExhausted)."""


@dataclass
class Reply:
    header: dict
    body: bytes
    log: str
    duration_ms: float
    max_memory_mb: float


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    log: list[bytes] = field(default_factory=list)
    header: dict | None = None
    body: bytes = b""
    died: InstanceDied | None = None

    def log_text(self) -> str:
        return b"".join(self.log).decode("utf-8", "replace")


def new_instance_id() -> str:
    return f"c-{int(time.time()):08x}-{secrets.token_hex(8)}"


class Instance:
    def __init__(self, function: Function, meta: dict, on_exit: Callable[[], None]):
        self.function = function
        self.meta = meta
        self.on_exit = on_exit  # tells the pool a slot may have opened
        self.id = new_instance_id()
        self.in_flight = 0
        self.retired = False
        self.last_used = time.monotonic()
        self.peak_memory_mb = 0.0
        self.proc: subprocess.Popen | None = None
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._ready = threading.Event()
        self.init_failure: dict | None = None  # the initializer's error JSON, for every caller
        self._init_died: InstanceDied | None = None
        self._starting = False
        self._death_reason: str | None = None
        self._culprit: str | None = None

    # -- life cycle -----------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return self._death_reason is None and (self.proc is None or self.proc.poll() is None)

    def ensure_started(self, request_id: str) -> Reply | None:
        """Start and initialize the instance if nobody has; the caller that does gets the
        initialization `Reply` (its log belongs to that request). Raises InstanceDied if
        initialization failed, for every caller."""
        with self._lock:
            first = not self._starting
            self._starting = True
        if not first:
            self._ready.wait()
            if self._init_died is not None:
                raise InstanceDied(self._init_died.reason, self._init_died.max_memory_mb)
            if self.init_failure is not None:
                raise InstanceDied("init-failed", self.peak_memory_mb)
            return None
        try:
            self._spawn()
            timeout = (
                self.function.initialization_timeout if self.function.initializer else self.function.timeout
            )
            reply = self.call({"op": "init", "id": request_id}, b"", timeout, kill_reason="init-timeout")
            if "error" in reply.header:
                self.init_failure = reply.header["error"]
                self.kill("init-failed")
            return reply
        except InstanceDied as died:
            self._init_died = died
            raise InstanceDied(died.reason, died.max_memory_mb, died.log, during_init=True) from None
        finally:
            self._ready.set()

    def _spawn(self) -> None:
        parent_in, child_out = os.pipe()
        child_in, parent_out = os.pipe()
        with self._lock:  # a kill (say, a stop) that came first wins: no process then
            if self._death_reason is not None:
                for fd in (parent_in, child_out, child_in, parent_out):
                    os.close(fd)
                raise InstanceDied(self._death_reason, 0.0)
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-u",
                    str(RUNTIME_FILE),
                    str(child_in),
                    str(child_out),
                    json.dumps(self.meta),
                ],
                cwd=self.function.code_dir,
                env=self.meta["env"],
                pass_fds=(child_in, child_out),
                stdin=subprocess.DEVNULL,
            )
        os.close(child_in)
        os.close(child_out)
        self._to_child = os.fdopen(parent_out, "wb", buffering=0)
        reader = threading.Thread(target=self._read, args=(os.fdopen(parent_in, "rb"),), daemon=True)
        reader.start()

    def kill(self, reason: str, culprit: str | None = None) -> None:
        """End the process. Requests in flight fail with `reason` (`culprit` alone gets `reason`
        and the others `crash`, e.g. when one request timed out)."""
        with self._lock:
            if self._death_reason is None:
                self._death_reason, self._culprit = reason, culprit
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def retire(self) -> None:
        """Take no new requests; end once idle (code changed, or idle too long)."""
        self.retired = True
        if self.in_flight == 0:
            self.close()

    def close(self) -> None:
        self.kill("retired")

    # -- requests ------------------------------------------------------------------------------

    def call(self, header: dict, body: bytes, timeout: float, kill_reason: str = "timeout") -> Reply:
        request_id = header["id"]
        pending = _Pending()
        with self._lock:
            if self._death_reason is not None:
                raise InstanceDied(self._death_reason, self.peak_memory_mb)
            self._pending[request_id] = pending
        try:
            runtime.write_frame(self._to_child, self._write_lock, header, body)
        except (OSError, ValueError):
            pass  # the process is gone (ValueError: its pipe is closed already); the reader reports why
        if not pending.done.wait(timeout):
            self.kill(kill_reason, culprit=request_id)
            pending.done.wait()
        if pending.died is not None:
            raise InstanceDied(pending.died.reason, pending.died.max_memory_mb, pending.log_text())
        self.peak_memory_mb = max(self.peak_memory_mb, pending.header["max_memory_mb"])
        return Reply(
            header=pending.header,
            body=pending.body,
            log=pending.log_text(),
            duration_ms=pending.header["duration_ms"],
            max_memory_mb=self.peak_memory_mb,
        )

    def _read(self, stream) -> None:
        while (frame := runtime.read_frame(stream)) is not None:
            header, body = frame
            pending = self._pending.get(header["id"])
            if pending is None:
                continue
            if header["op"] == "log":
                pending.log.append(body)
            else:
                pending.header, pending.body = header, body
                with self._lock:
                    self._pending.pop(header["id"], None)
                pending.done.set()
        stream.close()
        self.proc.wait()
        with self._write_lock:
            self._to_child.close()
        with self._lock:
            if self._death_reason is None:
                self._death_reason = "crash"
            pending_now, self._pending = self._pending, {}
        for request_id, pending in pending_now.items():
            reason = self._death_reason
            if self._culprit is not None and request_id != self._culprit:
                reason = "crash"
            pending.died = InstanceDied(reason, self.peak_memory_mb)
            pending.done.set()
        self._ready.set()
        self.on_exit()

    def sample_memory(self) -> float:
        """Current resident memory in MB (0 when the process is gone)."""
        try:
            rss = psutil.Process(self.proc.pid).memory_info().rss / (1024 * 1024)
        except (psutil.Error, AttributeError):
            return 0.0
        self.peak_memory_mb = max(self.peak_memory_mb, rss)
        return rss


class InstancePool:
    """The instances of one function. `acquire` returns an instance with a free slot, starting a
    new one below `max_instances`, else waits up to `wait` seconds, else raises Throttled."""

    def __init__(self, function: Function, meta: dict, checksum: str, max_instances: int):
        self.function = function
        self.meta = meta
        self.checksum = checksum
        self.max_instances = max_instances
        self.instances: list[Instance] = []
        self._cond = threading.Condition()

    def acquire(self, wait: float | None) -> Instance:
        deadline = None if wait is None else time.monotonic() + wait
        with self._cond:
            while True:
                self.instances = [
                    i for i in self.instances if i.alive and not (i.retired and i.in_flight == 0)
                ]
                live = [i for i in self.instances if not i.retired]
                free = [i for i in live if i.in_flight < self.function.instance_concurrency]
                if free:
                    instance = max(free, key=lambda i: i.in_flight)  # fill warm instances first
                elif len(live) < self.max_instances:
                    instance = Instance(self.function, self.meta, on_exit=self.notify)
                    self.instances.append(instance)
                else:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise Throttled()
                    self._cond.wait(remaining)
                    continue
                instance.in_flight += 1
                instance.last_used = time.monotonic()
                return instance

    def release(self, instance: Instance) -> None:
        with self._cond:
            instance.in_flight -= 1
            instance.last_used = time.monotonic()
            if instance.retired and instance.in_flight == 0:
                instance.close()
            self._cond.notify()

    def notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def retire_all(self) -> None:
        with self._cond:
            for instance in self.instances:
                instance.retire()
            self._cond.notify_all()

    def reap_idle(self, idle_seconds: float) -> None:
        now = time.monotonic()
        with self._cond:
            for instance in self.instances:
                if instance.in_flight == 0 and now - instance.last_used > idle_seconds:
                    instance.retire()
