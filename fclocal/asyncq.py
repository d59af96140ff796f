"""Async invocations of both APIs: accepted into the store, run by worker threads, retried, stopped.

Status flow (fc-api.md 4.3, fc3-api.md 5.3): Enqueued -> Running -> Succeeded | Failed, with Retrying -> Running
again while `maxAsyncRetryAttempts` allows; Expired when older than `maxAsyncEventAgeInSeconds`
when its turn comes; Stopping -> Stopped on StopStatefulAsyncInvocation / StopAsyncTask. After a restart, waiting
records run again and records that were running become Failed (their instance died with the
server; nobody knows how far they got).
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
from collections.abc import Callable

from fclocal.execution import Runner
from fclocal.instances import Instance
from fclocal.model import Function
from fclocal.store import (
    ENQUEUED,
    EXPIRED,
    FAILED,
    INVALID,
    RETRYING,
    RETURN_PAYLOAD_LIMIT,
    RUNNING,
    STOPPED,
    STOPPING,
    SUCCEEDED,
    TERMINAL,
    WAITING,
    AsyncRecord,
    Finished,
    NotFound,
    Store,
)

RESTART_REASON = "fclocal restarted while the invocation was running"
MAX_RETRY_DELAY = 60.0


class AsyncQueue:
    def __init__(
        self,
        store: Store,
        runner: Runner,
        find_function: Callable[[str, str, str], tuple[Function, str] | None],
        workers: int,
        retry_delay: float,
    ):
        self.store = store
        self.runner = runner
        self.find_function = find_function
        self.retry_delay = retry_delay
        self._heap: list[tuple[float, int, tuple[str, str, str]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._records = threading.RLock()  # one read-modify-write of a record at a time
        self._running: dict[tuple[str, str, str], Instance] = {}
        self._stopped = False
        self._recover()
        for n in range(workers):
            threading.Thread(target=self._work, name=f"fclocal-async-{n}", daemon=True).start()

    def _recover(self) -> None:
        for record in self.store.in_progress():
            if record.status == STOPPING:
                record.transition(STOPPED)
            else:
                record.error_message = RESTART_REASON
                record.transition(FAILED, json.dumps({"Error": RESTART_REASON}))
            self.store.save(record)
        for record in self.store.waiting():
            self._schedule(record)

    def _schedule(self, record: AsyncRecord) -> None:
        with self._cond:
            heapq.heappush(self._heap, (record.due_at, next(self._seq), record.key))
            self._cond.notify()

    def shutdown(self) -> None:
        """Stop taking work. Records running now stay Running: the next start marks them Failed."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        with self._records:
            pass  # wait for a record being saved

    # -- API ------------------------------------------------------------------------------------

    def submit(self, function: Function, qualifier: str, invocation_id: str, request_id: str, payload: bytes):
        record = AsyncRecord(
            service=function.service,
            function=function.name,
            invocation_id=invocation_id,
            qualifier=qualifier,
            request_id=request_id,
            payload=payload,
        )
        record.transition(ENQUEUED)
        self.store.insert(record)  # raises AlreadyExists
        self._schedule(record)
        return record

    def stop(self, service: str, function: str, invocation_id: str) -> None:
        """Raises NotFound, or Finished for a record that has ended."""
        with self._records:
            record = self.store.get(service, function, invocation_id)
            if record is None:
                raise NotFound(invocation_id)
            if record.status in TERMINAL:
                raise Finished(record.status)
            if record.status == STOPPING:
                return
            waiting = record.status in WAITING
            record.transition(STOPPING)
            if waiting:
                record.transition(STOPPED)
            self.store.save(record)
            instance = self._running.get(record.key)
        if instance is not None:
            instance.kill("stopped", culprit=record.request_id)

    # -- workers --------------------------------------------------------------------------------

    def _next(self) -> tuple[str, str, str] | None:
        with self._cond:
            while not self._stopped:
                if self._heap and self._heap[0][0] <= time.time():
                    return heapq.heappop(self._heap)[2]
                timeout = self._heap[0][0] - time.time() if self._heap else None
                self._cond.wait(timeout)
            return None

    def _work(self) -> None:
        while (key := self._next()) is not None:
            self._execute(key)

    def _execute(self, key: tuple[str, str, str]) -> None:
        with self._records:
            record = self.store.get(*key)
            if record is None or record.status not in WAITING:
                return  # stopped while waiting
            found = self.find_function(record.service, record.function, record.qualifier)
            if found is None:
                where = f" in service '{record.service}'" if record.service else ""
                record.error_message = f"function '{record.function}' no longer exists{where}"
                record.transition(INVALID, json.dumps({"Error": record.error_message}))
                self.store.save(record)
                return
            function, version = found
            age = time.time() - record.started_time / 1000
            if age > function.async_config.max_event_age_seconds:
                record.transition(EXPIRED, json.dumps({"Error": "maxAsyncEventAgeInSeconds exceeded"}))
                self.store.save(record)
                return
            record.transition(RUNNING)
            self.store.save(record)

        def track(instance: Instance | None) -> bool:
            """Register the instance running this task, so that Stop can end it; a task
            stopped while it waited for an instance does not start."""
            with self._records:
                if instance is None:
                    self._running.pop(key, None)
                    return True
                current = self.store.get(*key)
                if current.status == STOPPING:
                    return False
                self._running[key] = instance
                current.instance_id = instance.id  # visible while it runs
                self.store.save(current)
                return True

        try:
            outcome = self.runner.run(
                function,
                record.request_id,
                record.payload,
                qualifier=(record.qualifier, version),
                wait=None,
                on_instance=track,
            )
        except Exception as exc:  # noqa: BLE001 - a record must never stay Running
            with self._records:
                if self._stopped:
                    return
                record = self.store.get(*key)
                record.error_message = f"fclocal could not run the invocation: {exc}"
                record.transition(FAILED, json.dumps({"Error": record.error_message}))
                self.store.save(record)
            raise
        retry = False
        with self._records:
            if self._stopped:
                return  # the instance died with the server, not by the function's doing
            record = self.store.get(*key)
            record.instance_id = outcome.instance_id
            record.duration_ms = round(outcome.duration_ms)
            if record.status == STOPPING or outcome.stopped:
                record.transition(STOPPED)
            elif outcome.error is None:
                record.return_payload = outcome.body[:RETURN_PAYLOAD_LIMIT]
                record.destination_status = SUCCEEDED
                record.transition(SUCCEEDED)
            elif record.retried < function.async_config.max_retry_attempts:
                record.retried += 1
                record.due_at = time.time() + min(
                    MAX_RETRY_DELAY, self.retry_delay * 2 ** (record.retried - 1)
                )
                record.transition(RETRYING, json.dumps({"Error": outcome.error_type}))
                retry = True
            else:
                record.error_message = outcome.error_type
                record.return_payload = outcome.body[:RETURN_PAYLOAD_LIMIT]
                record.destination_status = FAILED
                record.transition(FAILED, json.dumps({"Error": outcome.error_type}))
            self.store.save(record)
        if retry:
            self._schedule(record)
