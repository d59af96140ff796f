"""Running one request on an instance, and reporting it the way FC does.

`Runner.run` picks an instance from the function's pool, runs the event or HTTP handler, and
returns a `RunResult`: the body, FC's error JSON when the function failed (raised, crashed, timed
out, ran out of memory, failed to initialize), and the log in FC's layout (fc-api.md 3.3) with the
summary line. Every outcome's log is also appended, whole, to the function's log file under the
state directory (async invocations have no other place to show theirs).
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from fclocal.instances import Instance, InstanceDied, InstancePool
from fclocal.model import Function, Project

LOG_TAIL_BYTES = 4096
# 3.0 functions log under this folder of the log directory: not a valid service name, so it can
# never be a 2.0 service's folder.
FC3_LOG_FOLDER = "2023-03-30"
COLD_START_LINE = "FunctionCompute python3 runtime inited.\n"
UNHANDLED = "UnhandledInvocationError"
MEMORY_POLL_SECONDS = 0.05


@dataclass
class RunResult:
    request_id: str
    body: bytes = b""
    error: dict | None = None
    log: str = ""
    duration_ms: float = 0.0
    memory_size_mb: int = 0
    max_memory_mb: float = 0.0
    instance_id: str = ""
    code_checksum: str = ""
    stopped: bool = False
    http_status: int = 200
    http_headers: list = field(default_factory=list)

    @property
    def error_type(self) -> str | None:
        return UNHANDLED if self.error is not None else None

    @property
    def billed_ms(self) -> int:
        return max(1, math.ceil(self.duration_ms))

    @property
    def log_tail(self) -> str:
        """The last 4 KB of the log, cut on a character boundary."""
        data = self.log.encode()
        return data[-LOG_TAIL_BYTES:].decode("utf-8", "ignore")

    def summary(self) -> str:
        return (
            f"Duration: {self.duration_ms:.2f} ms, Billed Duration: {self.billed_ms} ms, "
            f"Memory Size: {self.memory_size_mb} MB, Max Memory Used: {self.max_memory_mb:.2f} MB"
        )


def _line(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def init_error_message(instance: Instance) -> str | None:
    """What the log's `FC Initialize End` line names as the initializer's error; None if it ran."""
    if instance.init_failure is None:
        return None
    return instance.init_failure.get("errorMessage") or "initialization failed"


def died_error(
    died: InstanceDied, function: Function, duration_ms: float, instance: Instance
) -> tuple[dict, str]:
    """FC's error JSON for an instance that ended mid-request, and the reason for the log."""
    memory = died.max_memory_mb
    if died.reason == "timeout":
        message = f"Function timed out after {function.timeout} seconds (maxMemoryUsage: {memory:.2f}MB)"
        return {"errorMessage": message}, message
    if died.reason == "init-timeout":
        limit = function.initialization_timeout
        message = f"Function initialization timed out after {limit} seconds (maxMemoryUsage: {memory:.2f}MB)"
        return {"errorMessage": message}, message
    if died.reason == "init-failed" and instance.init_failure is not None:
        return instance.init_failure, init_error_message(instance)
    message = (
        "Process exited unexpectedly before completing request "
        f"(duration: {round(duration_ms)}ms, maxMemoryUsage: {memory:.2f}MB)"
    )
    if died.reason == "memory":
        return {"errorMessage": message}, f"{message}: memory limit of {function.memory_size} MB exceeded"
    if died.reason == "stopped":
        stopper = "StopAsyncTask" if function.is_fc3 else "StopStatefulAsyncInvocation"
        return {"errorMessage": "the invocation was stopped"}, f"stopped by {stopper}"
    return {"errorMessage": message}, message


class Runner:
    def __init__(
        self,
        project: Project,
        account_id: str,
        log_dir: Path,
        max_instances: int,
        instance_wait: float,
        idle_seconds: float,
    ):
        self.account_id = account_id
        self.log_dir = log_dir
        self.max_instances = max_instances
        self.instance_wait = instance_wait
        self.idle_seconds = idle_seconds
        self.pools: dict[tuple[str, str], InstancePool] = {}
        self._log_lock = threading.Lock()
        self._log_files: dict[tuple[str, str], TextIO] = {}
        self._stop = threading.Event()
        self.load(project)
        threading.Thread(target=self._watch, name="fclocal-monitor", daemon=True).start()

    def load(self, project: Project) -> None:
        """(Re)build the pools for a project; pools whose code or settings changed are replaced
        and their instances retired once idle."""
        checksums = project.checksums()
        pools = {}
        for function in project.functions():
            old = self.pools.get(function.key)
            checksum = checksums[function.key]
            if old is not None and old.function == function and old.checksum == checksum:
                pools[function.key] = old
                continue
            pools[function.key] = InstancePool(function, self._meta(function), checksum, self.max_instances)
            if old is not None:
                old.retire_all()
        for key, old in self.pools.items():
            if key not in pools:
                old.retire_all()
        self.pools = pools

    def _meta(self, function: Function) -> dict:
        region = function.region
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "HOME")}
        env.update(
            FC_FUNC_CODE_PATH=str(function.code_dir),
            FC_FUNCTION_NAME=function.name,
            FC_REGION=region,
            FC_ACCOUNT_ID=self.account_id,
            FC_FUNCTION_MEMORY_SIZE=str(function.memory_size),
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if function.service:
            env["FC_SERVICE_NAME"] = function.service
        env.update(function.environment)
        return {
            "function": {
                "name": function.name,
                "handler": function.handler,
                "memory": function.memory_size,
                "timeout": function.timeout,
                "initializer": function.initializer,
                "initialization_timeout": function.initialization_timeout,
                "concurrency": function.instance_concurrency,
            },
            # The qualifier and version are per request: the runtime adds them to each context.
            "service": {"name": function.service, "log_project": "", "log_store": ""},
            "region": region,
            "account_id": self.account_id,
            "env": env,
        }

    def shutdown(self) -> None:
        self._stop.set()
        for pool in self.pools.values():
            pool.retire_all()
            for instance in pool.instances:
                instance.kill("retired")
        with self._log_lock:
            for log in self._log_files.values():
                log.close()
            self._log_files.clear()

    # -- running --------------------------------------------------------------------------------

    def run(
        self,
        function: Function,
        request_id: str,
        body: bytes,
        request: dict | None = None,
        qualifier: tuple[str, str] = ("LATEST", "LATEST"),
        wait: float | None = -1.0,
        on_instance: Callable[[Instance | None], bool] | None = None,
    ) -> RunResult:
        """Run one request. `request` set means an HTTP-trigger (WSGI) call. `qualifier`: as
        called and as resolved (for `context.service`). `wait`: seconds to wait for a free slot
        (-1: the server's setting, None: forever). `on_instance` hears of the instance once it
        is assigned (returning False gives it back unused: a stopped outcome) and of None at the
        end. Raises Throttled."""
        pool = self.pools[function.key]
        instance = pool.acquire(self.instance_wait if wait == -1.0 else wait)
        if on_instance is not None and not on_instance(instance):
            pool.release(instance)
            return RunResult(request_id=request_id, memory_size_mb=function.memory_size, stopped=True)
        outcome = RunResult(
            request_id=request_id,
            memory_size_mb=function.memory_size,
            instance_id=instance.id,
            code_checksum=pool.checksum,
        )
        log = ""
        started = time.perf_counter()
        try:
            init = instance.ensure_started(request_id)
            if init is not None:
                failure = init_error_message(instance)
                log += COLD_START_LINE + self._init_log(function, request_id, init.log, failure)
            if instance.init_failure is not None and init is not None:
                outcome.error = instance.init_failure
                outcome.body = json.dumps(outcome.error).encode()
                outcome.max_memory_mb = init.max_memory_mb
            else:
                header = {"op": "http" if request else "invoke", "id": request_id, "qualifier": qualifier}
                if request:
                    header["request"] = request
                reply = instance.call(header, body, function.timeout)
                outcome.body = reply.body
                outcome.error = reply.header.get("error")
                outcome.duration_ms = reply.duration_ms
                outcome.max_memory_mb = reply.max_memory_mb
                outcome.http_status = reply.header.get("status", 200)
                outcome.http_headers = reply.header.get("headers", [])
                log += self._invoke_log(request_id, reply.log, None)
        except InstanceDied as died:
            outcome.duration_ms = (time.perf_counter() - started) * 1000
            outcome.max_memory_mb = died.max_memory_mb
            outcome.error, reason = died_error(died, function, outcome.duration_ms, instance)
            outcome.body = json.dumps(outcome.error).encode()
            outcome.stopped = died.reason == "stopped"
            if died.during_init:
                log += COLD_START_LINE + self._init_log(function, request_id, died.log, reason)
            else:
                log += self._invoke_log(request_id, died.log, reason)
        finally:
            if on_instance is not None:
                on_instance(None)
            pool.release(instance)
        outcome.log = log + "\n" + outcome.summary()
        self._append_log(function, outcome.log)
        return outcome

    @staticmethod
    def _init_log(function: Function, request_id: str, text: str, error: str | None = None) -> str:
        if not function.initializer:
            return _line(text)
        end = f"FC Initialize End RequestId: {request_id}" + (f", Error: {error}" if error else "")
        return f"FC Initialize Start RequestId: {request_id}\n{_line(text)}{end}\n"

    @staticmethod
    def _invoke_log(request_id: str, text: str, error: str | None) -> str:
        end = f"FC Invoke End RequestId: {request_id}" + (f", Error: {error}" if error else "")
        return f"FC Invoke Start RequestId: {request_id}\n{_line(text)}{end}\n"

    def _append_log(self, function: Function, text: str) -> None:
        with self._log_lock:
            log = self._log_files.get(function.key)
            if log is None:
                path = self.log_dir / (function.service or FC3_LOG_FOLDER) / f"{function.name}.log"
                path.parent.mkdir(parents=True, exist_ok=True)
                log = self._log_files[function.key] = path.open("a", encoding="utf-8")
            log.write(text + "\n\n")
            log.flush()

    # -- the monitor: memory limits and idle instances ------------------------------------------

    def _watch(self) -> None:
        last_reap = time.monotonic()
        while not self._stop.wait(MEMORY_POLL_SECONDS):
            for pool in list(self.pools.values()):
                for instance in list(pool.instances):
                    if instance.in_flight and instance.alive and instance.proc is not None:
                        if instance.sample_memory() > pool.function.memory_size:
                            instance.kill("memory")
            if time.monotonic() - last_reap > 1.0:
                last_reap = time.monotonic()
                for pool in list(self.pools.values()):
                    pool.reap_idle(self.idle_seconds)
