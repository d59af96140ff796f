"""The FC 2.0 API over the project: routing, authentication, and one method per operation."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_plus

from fclocal import errors, resources
from fclocal.asyncq import AsyncQueue
from fclocal.config import ConfigError, Function, Project, Service, load_project
from fclocal.execution import Outcome, Runner
from fclocal.instances import Throttled
from fclocal.keys import Keys
from fclocal.store import STATUSES, Store
from invocations.fc.signing import VerificationError, verify

API = "/2016-08-15"
INVOCATION_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
EXPOSED = (
    "Date,x-fc-request-id,x-fc-error-type,x-fc-code-checksum,x-fc-invocation-duration,"
    "x-fc-max-memory-usage,x-fc-log-result,x-fc-invocation-code-version,x-fc-instance-id"
)
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "date", "server", "keep-alive"}


def new_request_id() -> str:
    """The newer FC request id form, e.g. `1-658af93f-a6c876063a36f1d872097e6a`."""
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"


@dataclass
class Request:
    method: str
    raw_path: str  # as received, percent-encoded, without the query
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    remote_addr: str
    server_name: str
    server_port: int
    request_id: str = field(default_factory=new_request_id)

    @property
    def query_pairs(self) -> list[tuple[str, str | None]]:
        """Decoded query pairs; a key without `=` has the value None (it signs as the bare key)."""
        pairs = []
        for part in filter(None, self.raw_query.split("&")):
            key, sep, value = part.partition("=")
            pairs.append((unquote_plus(key), unquote_plus(value) if sep else None))
        return pairs

    @property
    def query(self) -> dict[str, str]:
        return {k: v or "" for k, v in self.query_pairs}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(data: dict, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), [("Content-Type", "application/json")])


ROUTES: list[tuple[str, re.Pattern, str]] = [
    (method, re.compile(f"^{API}{pattern}$"), name)
    for method, pattern, name in [
        ("GET", "/services", "list_services"),
        ("GET", "/services/(?P<service>[^/]+)", "get_service"),
        ("GET", "/services/(?P<service>[^/]+)/functions", "list_functions"),
        ("GET", "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)", "get_function"),
        ("POST", "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)/invocations", "invoke"),
        ("GET", "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)/triggers", "list_triggers"),
        (
            "GET",
            "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)/triggers/(?P<trigger>[^/]+)",
            "get_trigger",
        ),
        ("GET", "/services/(?P<service>[^/]+)/versions", "list_versions"),
        ("GET", "/services/(?P<service>[^/]+)/aliases", "list_aliases"),
        ("GET", "/services/(?P<service>[^/]+)/aliases/(?P<alias>[^/]+)", "get_alias"),
        (
            "GET",
            "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)/stateful-async-invocations",
            "list_async",
        ),
        (
            "GET",
            "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)/stateful-async-invocations/(?P<invocation>[^/]+)",
            "get_async",
        ),
        (
            "PUT",
            "/services/(?P<service>[^/]+)/functions/(?P<function>[^/]+)/stateful-async-invocations/(?P<invocation>[^/]+)",
            "stop_async",
        ),
    ]
]
PROXY_RE = re.compile(f"^{API}/proxy/(?P<service>[^/]+)/(?P<function>[^/]+)(?P<path>/.*)?$")


@dataclass
class Options:
    max_instances: int = 10
    instance_wait: float = 10.0
    idle_seconds: float = 300.0
    async_workers: int = 32
    retry_delay: float = 1.0


class App:
    def __init__(self, config_path: Path, state_dir: Path, keys: Keys, options: Options):
        self.config_path = config_path
        self.keys = keys
        self.project: Project = load_project(config_path)
        self.loaded_at = config_path.stat().st_mtime
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

    def reload(self) -> None:
        """Re-read the project file and the code; a broken file keeps the running project."""
        with self._reload_lock:
            try:
                project = load_project(self.config_path)
            except ConfigError as exc:
                print(f"fclocal: not reloaded: {exc}", file=sys.stderr, flush=True)
                return
            self.runner.load(project)
            self.project = project
            self.loaded_at = self.config_path.stat().st_mtime

    def shutdown(self) -> None:
        self.queue.shutdown()
        self.runner.shutdown()
        self.store.close()

    # -- lookup ---------------------------------------------------------------------------------

    def find_function(self, service: str, function: str, qualifier: str) -> tuple[Function, str] | None:
        """The function and the version a qualifier resolves to now, or None when gone."""
        try:
            fn, _, version = self.function(f"{service}.{qualifier}", function)
        except errors.ApiError:
            return None
        return fn, version

    def service(self, segment: str) -> tuple[Service, str, str]:
        """`name[.qualifier]` -> (service, qualifier as given or LATEST, version actually run)."""
        name, _, qualifier = segment.partition(".")
        service = self.project.services.get(name)
        if service is None:
            raise errors.service_not_found(name)
        qualifier = qualifier or "LATEST"
        if qualifier == "LATEST":
            return service, qualifier, "LATEST"
        if qualifier.isdigit():
            if qualifier not in service.versions:
                raise errors.version_not_found(name, qualifier)
            return service, qualifier, qualifier
        if qualifier not in service.aliases:
            raise errors.alias_not_found(name, qualifier)
        return service, qualifier, service.aliases[qualifier].version_id

    def function(self, segment: str, function: str) -> tuple[Function, str, str]:
        service, qualifier, version = self.service(segment)
        fn = service.functions.get(function)
        if fn is None:
            raise errors.function_not_found(service.name, function)
        return fn, qualifier, version

    # -- dispatch -------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        path = unquote(request.raw_path)
        proxy = PROXY_RE.match(path)
        if proxy:
            return self.http_trigger(request, **proxy.groupdict())
        self.authenticate(request)
        for method, pattern, name in ROUTES:
            match = pattern.match(path)
            if match and method == request.method:
                return getattr(self, name)(request, **match.groupdict())
        raise errors.path_not_supported(request.method, path)

    def authenticate(self, request: Request) -> None:
        try:
            verify(
                request.method,
                request.raw_path,
                request.headers,
                request.query_pairs,
                self.keys.secrets,
                time.time(),
            )
        except VerificationError as exc:
            raise errors.ApiError(exc.status, exc.code, exc.message) from None

    # -- invoke ---------------------------------------------------------------------------------

    def invoke(self, request: Request, service: str, function: str) -> Response:
        fn, qualifier, version = self.function(service, function)
        kind = request.headers.get("x-fc-invocation-type", "Sync") or "Sync"
        if kind not in ("Sync", "Async"):
            raise errors.invalid_argument(f"X-Fc-Invocation-Type must be Sync or Async, got '{kind}'")
        limit = errors.ASYNC_PAYLOAD_LIMIT if kind == "Async" else errors.SYNC_PAYLOAD_LIMIT
        if len(request.body) > limit:
            raise errors.entity_too_large(limit)
        if kind == "Async":
            # Without an id from the caller, the task is known by its request id (fclocal's choice).
            invocation_id = request.headers.get("x-fc-stateful-async-invocation-id") or request.request_id
            if invocation_id != request.request_id and not INVOCATION_ID_RE.match(invocation_id):
                raise errors.invalid_argument(
                    f"invalid stateful async invocation id '{invocation_id}': it must start with a letter or _, "
                    "then letters, digits, _ or -, at most 128 characters"
                )
            self.queue.submit(fn, qualifier, invocation_id, request.request_id, request.body)
            return Response(202, b"", [("X-Fc-Stateful-Async-Invocation-Id", invocation_id)])
        outcome = self.run(fn, request, request.body, (qualifier, version))
        headers = self.outcome_headers(outcome, version, request)
        content_type = "application/json" if outcome.error else "application/octet-stream"
        return Response(200, outcome.body, [("Content-Type", content_type), *headers])

    def run(
        self, fn: Function, request: Request, body: bytes, qualifier: tuple[str, str], http=None
    ) -> Outcome:
        try:
            return self.runner.run(fn, request.request_id, body, request=http, qualifier=qualifier)
        except Throttled:
            raise errors.throttled(fn.service, fn.name) from None

    @staticmethod
    def outcome_headers(outcome: Outcome, version: str, request: Request) -> list[tuple[str, str]]:
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

    # -- HTTP triggers --------------------------------------------------------------------------

    def http_trigger(self, request: Request, service: str, function: str, path: str | None) -> Response:
        """Request errors of HTTP triggers carry `X-Fc-Error-Type: FcCommonError`, with the
        statuses of FC's HTTP-trigger troubleshooting table (help doc 85445): 400 without Date or
        Authorization, 403 for a bad signature or a method the trigger lacks, 404 without a trigger;
        a failing function answers 502 with `UnhandledInvocationError`."""
        try:
            return self._http_trigger(request, service, function, path)
        except errors.ApiError as exc:
            exc.headers.append(("X-Fc-Error-Type", "FcCommonError"))
            raise

    def _http_trigger(self, request: Request, service: str, function: str, path: str | None) -> Response:
        fn, qualifier, version = self.function(service, function)
        trigger = fn.http_trigger
        if trigger is None or trigger.qualifier != qualifier:
            raise errors.trigger_not_found(fn.service, fn.name, "(http)")
        if trigger.auth_type != "anonymous":
            if not request.headers.get("authorization") or not request.headers.get("date"):
                raise errors.ApiError(
                    400,
                    "MissingRequiredHeader",
                    "required HTTP header Date or Authorization was not specified",
                )
            self.authenticate(request)
        if request.method not in trigger.config["methods"]:
            raise errors.ApiError(
                403, "AccessDenied", f"method {request.method} is not allowed by the trigger"
            )
        if request.headers.get("x-fc-invocation-type", "Sync") == "Async":
            raise errors.invalid_argument("fclocal runs HTTP triggers synchronously only")
        if len(request.body) > errors.SYNC_PAYLOAD_LIMIT:
            raise errors.entity_too_large(errors.SYNC_PAYLOAD_LIMIT)
        query = f"?{request.raw_query}" if request.raw_query else ""
        http = {
            "method": request.method,
            "path": path or "/",
            "query": request.raw_query,
            "headers": request.headers,
            "remote_addr": request.remote_addr,
            "server_name": request.server_name,
            "server_port": request.server_port,
            "request_uri": request.raw_path + query,
        }
        outcome = self.run(fn, request, request.body, (qualifier, version), http)
        headers = self.outcome_headers(outcome, version, request)
        if outcome.error:
            return Response(502, outcome.body, [("Content-Type", "application/json"), *headers])
        own = [(k, v) for k, v in outcome.http_headers if k.lower() not in _HOP_BY_HOP]
        return Response(outcome.http_status, outcome.body, own + headers)

    # -- stateful async invocations -------------------------------------------------------------

    def get_async(self, request: Request, service: str, function: str, invocation: str) -> Response:
        fn, _, _ = self.function(service, function)
        record = self.store.get(fn.service, fn.name, invocation)
        if record is None:
            raise errors.invocation_not_found(invocation)
        return json_response(record.to_json(include_payload=True))

    def stop_async(self, request: Request, service: str, function: str, invocation: str) -> Response:
        fn, _, _ = self.function(service, function)
        self.queue.stop(fn.service, fn.name, invocation)
        return Response(200)

    def list_async(self, request: Request, service: str, function: str) -> Response:
        fn, _, _ = self.function(service, function)
        q = request.query
        status = q.get("status") or None
        if status is not None and status not in STATUSES:
            raise errors.invalid_argument(f"unknown status '{status}'")
        order = q.get("sortOrderByTime") or "desc"
        if order not in ("asc", "desc"):
            raise errors.invalid_argument(f"sortOrderByTime must be asc or desc, got '{order}'")
        records, after = self.store.page(
            fn.service,
            fn.name,
            qualifier=service.partition(".")[2] or None,
            status=status,
            begin=_int_param(q, "startedTimeBegin"),
            end=_int_param(q, "startedTimeEnd"),
            prefix=q.get("invocationIdPrefix") or None,
            descending=order == "desc",
            limit=resources.parse_limit(q, default=50),
            after=_decode_token(q.get("nextToken")),
        )
        include = q.get("includePayload", "").lower() == "true"
        page = {"invocations": [r.to_json(include_payload=include) for r in records]}
        if after is not None:
            page["nextToken"] = base64.urlsafe_b64encode(json.dumps(after).encode()).decode()
        return json_response(page)

    # -- browsing -------------------------------------------------------------------------------

    def list_services(self, request: Request) -> Response:
        items = [resources.service_json(s, self.loaded_at) for s in self.project.services.values()]
        return json_response(resources.paginate(items, "serviceName", "services", request.query))

    def get_service(self, request: Request, service: str) -> Response:
        svc, _, _ = self.service(service)
        return json_response(resources.service_json(svc, self.loaded_at))

    def list_functions(self, request: Request, service: str) -> Response:
        svc, _, _ = self.service(service)
        items = [self._function_json(fn) for fn in svc.functions.values()]
        return json_response(resources.paginate(items, "functionName", "functions", request.query))

    def get_function(self, request: Request, service: str, function: str) -> Response:
        fn, _, _ = self.function(service, function)
        return json_response(self._function_json(fn))

    def _function_json(self, fn: Function) -> dict:
        return resources.function_json(fn, self.runner.pools[fn.key].checksum, self.loaded_at)

    def list_triggers(self, request: Request, service: str, function: str) -> Response:
        fn, _, _ = self.function(service, function)
        items = [resources.trigger_json(fn, t, self.loaded_at) for t in fn.triggers]
        return json_response(resources.paginate(items, "triggerName", "triggers", request.query))

    def get_trigger(self, request: Request, service: str, function: str, trigger: str) -> Response:
        fn, _, _ = self.function(service, function)
        for t in fn.triggers:
            if t.name == trigger:
                return json_response(resources.trigger_json(fn, t, self.loaded_at))
        raise errors.trigger_not_found(fn.service, fn.name, trigger)

    def list_versions(self, request: Request, service: str) -> Response:
        svc, _, _ = self.service(service)
        return json_response(resources.versions_page(svc, request.query, self.loaded_at))

    def list_aliases(self, request: Request, service: str) -> Response:
        svc, _, _ = self.service(service)
        items = [resources.alias_json(svc, a, self.loaded_at) for a in svc.aliases]
        return json_response(resources.paginate(items, "aliasName", "aliases", request.query))

    def get_alias(self, request: Request, service: str, alias: str) -> Response:
        svc, _, _ = self.service(service)
        if alias not in svc.aliases:
            raise errors.alias_not_found(svc.name, alias)
        return json_response(resources.alias_json(svc, alias, self.loaded_at))


def _int_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    if not raw.lstrip("-").isdigit():
        raise errors.invalid_argument(f"{name} must be epoch milliseconds, got '{raw}'")
    return int(raw)


def _decode_token(token: str | None) -> tuple[int, str] | None:
    if not token:
        return None
    try:
        started, invocation_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(started), str(invocation_id)
    except (ValueError, TypeError, binascii.Error):
        raise errors.invalid_argument(f"invalid nextToken '{token}'") from None
