"""What both APIs share: the project and its warm instances, the async queue and its store, the
keys; finding a function and resolving a qualifier; running a request and FC's invoke headers."""

from __future__ import annotations

import base64
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fclocal import errors, paging
from fclocal.asyncq import AsyncQueue
from fclocal.config import ConfigError, load_projects
from fclocal.execution import Runner, RunResult
from fclocal.instances import Throttled
from fclocal.keys import Keys
from fclocal.model import FC2_NAME_SEPARATOR, Alias, Function, Project, Service, Version
from fclocal.store import STATUSES, AsyncRecord, Store
from fclocal.wire import Request, Response
from invocations.fc.signing import VerificationError

TASK_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
EXPOSED = (
    "Date,x-fc-request-id,x-fc-error-type,x-fc-code-checksum,x-fc-invocation-duration,"
    "x-fc-max-memory-usage,x-fc-log-result,x-fc-invocation-code-version,x-fc-instance-id"
)
# unconfirmed (fc-api.md 11, fc3-api.md 4): the status of an accepted async invocation; chose 202
# Accepted for both APIs, because the SDKs accept any 2xx and third-party clients expect 202.
ASYNC_ACCEPTED_STATUS = 202

Verifier = Callable[..., str]


@dataclass
class Options:
    max_instances: int = 10
    instance_wait: float = 10.0
    idle_seconds: float = 300.0
    async_workers: int = 32
    retry_delay: float = 1.0


def resolve(
    versions: dict[str, Version], aliases: dict[str, Alias], qualifier: str, owner: str
) -> tuple[str, str]:
    """A qualifier (LATEST when empty) -> (qualifier, version it runs). `owner` names the service
    or function the versions belong to, for the error."""
    qualifier = qualifier or "LATEST"
    if qualifier == "LATEST":
        return qualifier, "LATEST"
    if qualifier.isdigit():
        if qualifier not in versions:
            raise errors.version_not_found(owner, qualifier)
        return qualifier, qualifier
    if qualifier not in aliases:
        raise errors.alias_not_found(owner, qualifier)
    return qualifier, aliases[qualifier].version_id


class Core:
    def __init__(self, config_paths: list[Path], state_dir: Path, keys: Keys, options: Options):
        self.config_paths = list(config_paths)
        self.keys = keys
        self.project: Project = load_projects(self.config_paths)
        self.loaded_at = self._mtime()
        self.store = Store(state_dir)
        self.runner = Runner(
            self.project,
            keys.account_id,
            state_dir / "logs",
            max_instances=options.max_instances,
            instance_wait=options.instance_wait,
            idle_seconds=options.idle_seconds,
        )
        self.queue = AsyncQueue(
            self.store, self.runner, self.find_function, options.async_workers, options.retry_delay
        )
        self._reload_lock = threading.Lock()

    def _mtime(self) -> float:
        return max(p.stat().st_mtime for p in self.config_paths)

    def reload(self) -> None:
        """Re-read the project files and the code; a broken file keeps the running project."""
        with self._reload_lock:
            try:
                project = load_projects(self.config_paths)
            except ConfigError as exc:
                print(f"fclocal: not reloaded: {exc}", file=sys.stderr, flush=True)
                return
            self.runner.load(project)
            self.project = project
            self.loaded_at = self._mtime()

    def shutdown(self) -> None:
        self.queue.shutdown()
        self.runner.shutdown()
        self.store.close()

    # -- lookup ---------------------------------------------------------------------------------

    def find_function(self, service: str, function: str, qualifier: str) -> tuple[Function, str] | None:
        """The function and the version a qualifier resolves to now, or None when gone."""
        try:
            if service:
                fn, _, version = self.function2(f"{service}.{qualifier}", function)
            else:
                fn, _, version = self.function3(function, qualifier)
        except errors.ApiError:
            return None
        return fn, version

    def service(self, segment: str) -> tuple[Service, str, str]:
        """2.0: `name[.qualifier]` -> (service, qualifier as given or LATEST, version run)."""
        name, _, qualifier = segment.partition(".")
        service = self.project.services.get(name)
        if service is None:
            raise errors.service_not_found(name)
        return (service, *resolve(service.versions, service.aliases, qualifier, f"service '{name}'"))

    def function2(self, segment: str, function: str) -> tuple[Function, str, str]:
        service, qualifier, version = self.service(segment)
        fn = service.functions.get(function)
        if fn is None:
            raise errors.function_not_found(service.name, function)
        return fn, qualifier, version

    def function3(self, name: str, qualifier: str = "") -> tuple[Function, str, str]:
        """3.0: a function by name, or a 2.0 one as `service$function`, and the qualifier."""
        fn = self.project.functions3.get(name)
        if fn is not None:
            own = self.project.versions3[name]
            return (fn, *resolve(own.versions, own.aliases, qualifier, f"function '{name}'"))
        service, sep, function = name.partition(FC2_NAME_SEPARATOR)
        if sep and service in self.project.services:
            try:
                return self.function2(f"{service}.{qualifier}" if qualifier else service, function)
            except errors.ApiError as exc:
                if exc.code != "FunctionNotFound":
                    raise
        raise errors.function_not_found("", name)

    # -- requests -------------------------------------------------------------------------------

    def authenticate(self, request: Request, verify: Verifier, **extra) -> str:
        """The access key id of a correctly signed request; raises ApiError otherwise."""
        try:
            return verify(
                request.method,
                request.raw_path,
                request.headers,
                request.query_pairs,
                self.keys.secrets,
                time.time(),
                **extra,
            )
        except VerificationError as exc:
            raise errors.ApiError(exc.status, exc.code, exc.message) from None

    @staticmethod
    def invocation_kind(request: Request) -> str:
        """Sync or Async from `x-fc-invocation-type`, with the payload limit of that kind checked."""
        kind = request.headers.get("x-fc-invocation-type", "Sync") or "Sync"
        if kind not in ("Sync", "Async"):
            raise errors.invalid_argument(f"X-Fc-Invocation-Type must be Sync or Async, got '{kind}'")
        limit = errors.ASYNC_PAYLOAD_LIMIT if kind == "Async" else errors.SYNC_PAYLOAD_LIMIT
        if len(request.body) > limit:
            raise errors.entity_too_large(limit)
        return kind

    @staticmethod
    def task_id(given: str | None, request: Request, noun: str) -> str:
        """The id of an async record: the caller's, checked, else the request id (fclocal's
        choice for both APIs: the caller can find the task by the id it was answered with)."""
        if not given:
            return request.request_id
        if not TASK_ID_RE.match(given):
            raise errors.invalid_argument(
                f"invalid {noun} '{given}': it must start with a letter or _, "
                "then letters, digits, _ or -, at most 128 characters"
            )
        return given

    def invoke_sync(self, fn: Function, request: Request, qualifier: str, version: str) -> Response:
        """A sync InvokeFunction, the same on both APIs: 200 with the result, or with the error
        JSON and X-Fc-Error-Type when the function failed (fc-api.md 3.4, fc3-api.md 4)."""
        outcome = self.run(fn, request, request.body, (qualifier, version))
        headers = self.outcome_headers(outcome, version, request)
        content_type = "application/json" if outcome.error else "application/octet-stream"
        return Response(200, outcome.body, [("Content-Type", content_type), *headers])

    def run(
        self, fn: Function, request: Request, body: bytes, qualifier: tuple[str, str], http=None
    ) -> RunResult:
        try:
            return self.runner.run(fn, request.request_id, body, request=http, qualifier=qualifier)
        except Throttled:
            raise errors.throttled(fn.describe()) from None

    @staticmethod
    def outcome_headers(outcome: RunResult, version: str, request: Request) -> list[tuple[str, str]]:
        """FC's invoke response headers (fc-api.md 3.2; read unchanged by 3.0 clients, fc3-api.md
        3.3). unconfirmed (fc3-api.md 3.3): whether 3.0 sends X-Fc-Invocation-Duration and
        X-Fc-Max-Memory-Usage; fclocal sends them on both APIs, as the log tail's summary line
        carries the same figures."""
        headers = [
            ("X-Fc-Code-Checksum", outcome.code_checksum),
            ("X-Fc-Invocation-Duration", str(round(outcome.duration_ms))),
            ("X-Fc-Max-Memory-Usage", f"{outcome.max_memory_mb:.2f}"),
            ("X-Fc-Invocation-Service-Version", version),
            ("X-Fc-Instance-Id", outcome.instance_id),
            ("Access-Control-Expose-Headers", EXPOSED),
        ]
        if outcome.error_type:
            headers.append(("X-Fc-Error-Type", outcome.error_type))
        if request.headers.get("x-fc-log-type", "").lower() == "tail":
            headers.append(("X-Fc-Log-Result", base64.b64encode(outcome.log_tail.encode()).decode()))
        return headers

    @staticmethod
    @contextmanager
    def http_trigger_errors() -> Iterator[None]:
        """Request errors of HTTP triggers carry `X-Fc-Error-Type: FcCommonError`, with the
        statuses of FC's HTTP-trigger troubleshooting table (help doc 85445): 400 without Date or
        Authorization, 403 for a bad signature or a method the trigger lacks, 404 without a
        trigger; a failing function answers 502 with `UnhandledInvocationError`."""
        try:
            yield
        except errors.ApiError as exc:
            exc.headers.append(("X-Fc-Error-Type", "FcCommonError"))
            raise

    @staticmethod
    def check_http_request(request: Request, methods: list[str]) -> None:
        """What HTTP triggers of both APIs refuse before running anything (fclocal runs them
        synchronously only)."""
        if request.method not in methods:
            raise errors.ApiError(
                403, "AccessDenied", f"method {request.method} is not allowed by the trigger"
            )
        if request.headers.get("x-fc-invocation-type", "Sync") == "Async":
            raise errors.invalid_argument("fclocal runs HTTP triggers synchronously only")
        if len(request.body) > errors.SYNC_PAYLOAD_LIMIT:
            raise errors.entity_too_large(errors.SYNC_PAYLOAD_LIMIT)

    def task_page(
        self,
        fn: Function,
        q: dict[str, str],
        *,
        qualifier: str | None,
        prefix: str | None,
        default_limit: int,
    ) -> tuple[list[AsyncRecord], str | None]:
        """One page of a function's async records for either API's List call, with `status`,
        `startedTimeBegin/End`, `sortOrderByTime`, `limit` and `nextToken`: (records, next token)."""
        status = q.get("status") or None
        if status is not None and status not in STATUSES:
            raise errors.invalid_argument(f"unknown status '{status}'")
        records, after = self.store.page(
            fn.service,
            fn.name,
            qualifier=qualifier,
            status=status,
            begin=paging.int_param(q, "startedTimeBegin"),
            end=paging.int_param(q, "startedTimeEnd"),
            prefix=prefix,
            descending=paging.task_order(q),
            limit=paging.parse_limit(q, default=default_limit),
            after=paging.decode_cursor(q.get("nextToken")),
        )
        return records, paging.encode_cursor(after)
