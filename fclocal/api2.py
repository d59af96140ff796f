"""The FC 2.0 API (`/2016-08-15`, fc-api.md): routes and one method per operation."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from fclocal import errors, paging, resources
from fclocal.core import ASYNC_ACCEPTED_STATUS, Core
from fclocal.model import Function
from fclocal.store import AlreadyExists, Finished, NotFound
from fclocal.wire import Request, Response, etag, json_response, match, routes
from invocations.fc.signing import verify

PREFIX = "/2016-08-15"
_FN = "/services/{service}/functions/{function}"
ROUTES = routes(
    PREFIX,
    [
        ("GET", "/services", "list_services"),
        ("GET", "/services/{service}", "get_service"),
        ("GET", "/services/{service}/functions", "list_functions"),
        ("GET", _FN, "get_function"),
        ("POST", f"{_FN}/invocations", "invoke"),
        ("GET", f"{_FN}/triggers", "list_triggers"),
        ("GET", f"{_FN}/triggers/{{trigger}}", "get_trigger"),
        ("GET", "/services/{service}/versions", "list_versions"),
        ("GET", "/services/{service}/aliases", "list_aliases"),
        ("GET", "/services/{service}/aliases/{alias}", "get_alias"),
        ("GET", f"{_FN}/stateful-async-invocations", "list_async"),
        ("GET", f"{_FN}/stateful-async-invocations/{{invocation}}", "get_async"),
        ("PUT", f"{_FN}/stateful-async-invocations/{{invocation}}", "stop_async"),
    ],
)
PROXY_RE = re.compile(f"^{PREFIX}/proxy/(?P<service>[^/]+)/(?P<function>[^/]+)(?P<path>/.*)?$")
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "date", "server", "keep-alive"}


def error_response(exc: errors.ApiError, request_id: str) -> Response:
    body = {"ErrorCode": exc.code, "ErrorMessage": exc.message}
    return Response(
        exc.status, json.dumps(body).encode(), [("Content-Type", "application/json"), *exc.headers]
    )


class Api2:
    def __init__(self, core: Core):
        self.core = core

    def dispatch(self, request: Request) -> Response:
        path = unquote(request.raw_path)
        proxy = PROXY_RE.match(path)
        if proxy:
            return self.http_trigger(request, **proxy.groupdict())
        self.core.authenticate(request, verify)
        found = match(ROUTES, request.method, path)
        if found is None:
            raise errors.path_not_supported(request.method, path)
        name, params = found
        return getattr(self, name)(request, **params)

    # -- invoke ---------------------------------------------------------------------------------

    def invoke(self, request: Request, service: str, function: str) -> Response:
        fn, qualifier, version = self.core.function2(service, function)
        kind = self.core.invocation_kind(request)
        if kind == "Async":
            given = request.headers.get("x-fc-stateful-async-invocation-id")
            invocation_id = self.core.task_id(given, request, "stateful async invocation id")
            try:
                self.core.queue.submit(fn, qualifier, invocation_id, request.request_id, request.body)
            except AlreadyExists:
                raise errors.invocation_exists(invocation_id) from None
            return Response(
                ASYNC_ACCEPTED_STATUS, b"", [("X-Fc-Stateful-Async-Invocation-Id", invocation_id)]
            )
        return self.core.invoke_sync(fn, request, qualifier, version)

    # -- HTTP triggers --------------------------------------------------------------------------

    def http_trigger(self, request: Request, service: str, function: str, path: str | None) -> Response:
        with self.core.http_trigger_errors():
            return self._http_trigger(request, service, function, path)

    def _http_trigger(self, request: Request, service: str, function: str, path: str | None) -> Response:
        """`/proxy/{service}[.{q}]/{function}/{path}` to a WSGI handler (fc-api.md 7.4)."""
        fn, qualifier, version = self.core.function2(service, function)
        trigger = fn.http_trigger
        if trigger is None or trigger.qualifier != qualifier:
            raise errors.trigger_not_found(fn.describe(), "(http)")
        if trigger.auth_type != "anonymous":
            if not request.headers.get("authorization") or not request.headers.get("date"):
                raise errors.ApiError(
                    400,
                    "MissingRequiredHeader",
                    "required HTTP header Date or Authorization was not specified",
                )
            self.core.authenticate(request, verify)
        self.core.check_http_request(request, trigger.config["methods"])
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
        outcome = self.core.run(fn, request, request.body, (qualifier, version), http)
        headers = self.core.outcome_headers(outcome, version, request)
        if outcome.error:
            return Response(502, outcome.body, [("Content-Type", "application/json"), *headers])
        own = [(k, v) for k, v in outcome.http_headers if k.lower() not in _HOP_BY_HOP]
        return Response(outcome.http_status, outcome.body, own + headers)

    # -- stateful async invocations -------------------------------------------------------------

    def get_async(self, request: Request, service: str, function: str, invocation: str) -> Response:
        fn, _, _ = self.core.function2(service, function)
        record = self.core.store.get(fn.service, fn.name, invocation)
        if record is None:
            raise errors.invocation_not_found(invocation)
        return json_response(resources.invocation_json(record, include_payload=True))

    def stop_async(self, request: Request, service: str, function: str, invocation: str) -> Response:
        fn, _, _ = self.core.function2(service, function)
        try:
            self.core.queue.stop(fn.service, fn.name, invocation)
        except NotFound:
            raise errors.invocation_not_found(invocation) from None
        except Finished as done:
            raise errors.invocation_completed(invocation, done.status) from None
        return Response(200)

    def list_async(self, request: Request, service: str, function: str) -> Response:
        fn, _, _ = self.core.function2(service, function)
        q = request.query
        records, after = self.core.task_page(
            fn,
            q,
            qualifier=service.partition(".")[2] or None,
            prefix=q.get("invocationIdPrefix") or None,
            default_limit=50,
        )
        include = paging.flag_param(q, "includePayload")
        page = {"invocations": [resources.invocation_json(r, include_payload=include) for r in records]}
        if after is not None:
            page["nextToken"] = after
        return json_response(page)

    # -- browsing -------------------------------------------------------------------------------

    def list_services(self, request: Request) -> Response:
        at = self.core.loaded_at
        items = [resources.service_json(s, at) for s in self.core.project.services.values()]
        return json_response(paging.paginate(items, "serviceName", "services", request.query))

    def get_service(self, request: Request, service: str) -> Response:
        svc, _, _ = self.core.service(service)
        return json_response(resources.service_json(svc, self.core.loaded_at))

    def list_functions(self, request: Request, service: str) -> Response:
        svc, _, _ = self.core.service(service)
        items = [self._function_json(fn) for fn in svc.functions.values()]
        return json_response(paging.paginate(items, "functionName", "functions", request.query))

    def get_function(self, request: Request, service: str, function: str) -> Response:
        fn, _, _ = self.core.function2(service, function)
        data = self._function_json(fn)
        return json_response(data, headers=[("ETag", etag(data))])

    def _function_json(self, fn: Function) -> dict:
        return resources.function_json(fn, self.core.runner.pools[fn.key].checksum, self.core.loaded_at)

    def list_triggers(self, request: Request, service: str, function: str) -> Response:
        fn, _, _ = self.core.function2(service, function)
        items = [resources.trigger_json(fn, t, self.core.loaded_at) for t in fn.triggers]
        return json_response(paging.paginate(items, "triggerName", "triggers", request.query))

    def get_trigger(self, request: Request, service: str, function: str, trigger: str) -> Response:
        fn, _, _ = self.core.function2(service, function)
        for t in fn.triggers:
            if t.name == trigger:
                return json_response(resources.trigger_json(fn, t, self.core.loaded_at))
        raise errors.trigger_not_found(fn.describe(), trigger)

    def list_versions(self, request: Request, service: str) -> Response:
        svc, _, _ = self.core.service(service)
        return json_response(resources.versions_page(svc.versions, request.query, self.core.loaded_at))

    def list_aliases(self, request: Request, service: str) -> Response:
        svc, _, _ = self.core.service(service)
        items = [resources.alias_json(a, self.core.loaded_at) for a in svc.aliases.values()]
        return json_response(paging.paginate(items, "aliasName", "aliases", request.query))

    def get_alias(self, request: Request, service: str, alias: str) -> Response:
        svc, _, _ = self.core.service(service)
        if alias not in svc.aliases:
            raise errors.alias_not_found(f"service '{svc.name}'", alias)
        return json_response(resources.alias_json(svc.aliases[alias], self.core.loaded_at))
