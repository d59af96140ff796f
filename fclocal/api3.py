"""The FC 3.0 API (`/2023-03-30`, fc3-api.md): routes and one method per operation.

Functions are addressed by name (the 3.0 namespace of the project's 3.x files) or, for a 2.0
function, as `service$function`. The qualifier is the `qualifier` query parameter. HTTP triggers
of 3.0 functions are served at fclocal's own path `/2023-03-30/proxy/{function}[.{qualifier}]/...`
(FC gives each trigger an fcapp.run domain instead), which ListTriggers reports as the trigger's URL.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

from fclocal import errors, http3, paging, resources, resources3
from fclocal.core import ASYNC_ACCEPTED_STATUS, Core
from fclocal.model import Function, Trigger
from fclocal.store import AlreadyExists, AsyncRecord, Finished, NotFound
from fclocal.wire import Request, Response, etag, json_response, match, routes
from invocations.fc.acs3 import verify

PREFIX = "/2023-03-30"
_FN = "/functions/{function}"
ROUTES = routes(
    PREFIX,
    [
        ("GET", "/functions", "list_functions"),
        ("GET", _FN, "get_function"),
        ("POST", f"{_FN}/invocations", "invoke"),
        ("GET", f"{_FN}/async-tasks", "list_tasks"),
        ("GET", f"{_FN}/async-tasks/{{task}}", "get_task"),
        ("PUT", f"{_FN}/async-tasks/{{task}}/stop", "stop_task"),
        ("GET", f"{_FN}/triggers", "list_triggers"),
        ("GET", f"{_FN}/triggers/{{trigger}}", "get_trigger"),
        ("GET", f"{_FN}/aliases", "list_aliases"),
        ("GET", f"{_FN}/aliases/{{alias}}", "get_alias"),
        ("GET", f"{_FN}/versions", "list_versions"),
    ],
)
PROXY_RE = re.compile(f"^{PREFIX}/proxy/(?P<target>[^/]+)(?P<path>/.*)?$")
# ListAsyncTasks' default page size (fc3-api.md 5.1, SDK docstring).
TASKS_DEFAULT_LIMIT = 20
# unconfirmed (fc3-api.md 4): async tasks exist only for functions whose async-task switch is on
# (`asyncInvokeConfig.asyncTask: true`, FC's PutAsyncInvokeConfig); chose to follow the
# third-party report: without it an async invocation still runs (queued, retried, persisted) but
# is no task: no X-Fc-Async-Task-Id answer, GetAsyncTask/StopAsyncTask are AsyncTaskNotFound and
# ListAsyncTasks is empty. The caller's X-Fc-Async-Task-Id is then ignored.
TASKS_NEED_SWITCH = True


def error_response(exc: errors.ApiError, request_id: str) -> Response:
    """fc3-api.md 6.1: the SDKs read the request id from the body only."""
    body = {"Code": exc.code, "Message": exc.message, "RequestId": request_id}
    return Response(
        exc.status, json.dumps(body).encode(), [("Content-Type", "application/json"), *exc.headers]
    )


def has_tasks(fn: Function) -> bool:
    return fn.async_config.stateful or not TASKS_NEED_SWITCH


class Api3:
    def __init__(self, core: Core):
        self.core = core

    def dispatch(self, request: Request) -> Response:
        proxy = PROXY_RE.match(request.raw_path)
        if proxy:
            with self.core.http_trigger_errors():
                return self.http_trigger(request, unquote(proxy["target"]), proxy["path"] or "/")
        self.core.authenticate(request, verify, body=request.body)
        found = match(ROUTES, request.method, request.raw_path)
        if found is None:
            raise errors.path_not_supported(request.method, unquote(request.raw_path))
        name, params = found
        return getattr(self, name)(request, **{k: unquote(v) for k, v in params.items()})

    def _function(self, request: Request, name: str) -> tuple[Function, str, str]:
        return self.core.function3(name, request.query.get("qualifier", ""))

    def _versions(self, fn: Function):
        """The versions and aliases that qualify `fn`: its own (3.0) or its service's (2.0)."""
        return self.core.project.services[fn.service] if fn.service else self.core.project.versions3[fn.name]

    def _arn(self, fn: Function) -> str:
        return resources3.function_arn(fn, self.core.keys.account_id)

    # -- invoke ---------------------------------------------------------------------------------

    def invoke(self, request: Request, function: str) -> Response:
        fn, qualifier, version = self._function(request, function)
        if self.core.invocation_kind(request) == "Sync":
            return self.core.invoke_sync(fn, request, qualifier, version)
        if not has_tasks(fn):
            self.core.queue.submit(fn, qualifier, request.request_id, request.request_id, request.body)
            return Response(ASYNC_ACCEPTED_STATUS)
        task_id = self.core.task_id(request.headers.get("x-fc-async-task-id"), request, "async task id")
        try:
            self.core.queue.submit(fn, qualifier, task_id, request.request_id, request.body)
        except AlreadyExists:
            raise errors.task_exists(task_id) from None
        # unconfirmed (fc3-api.md 3.3): FC's answer carries the task id; sensible, so fclocal does.
        return Response(ASYNC_ACCEPTED_STATUS, b"", [("X-Fc-Async-Task-Id", task_id)])

    def http_trigger(self, request: Request, target: str, raw_path: str) -> Response:
        """A 3.0 function's HTTP trigger: the request as the JSON event of fc3-api.md 8.1."""
        name, _, qualifier = target.partition(".")
        fn, qualifier, version = self.core.function3(name, qualifier)
        trigger = fn.http_trigger_for(qualifier) if fn.is_fc3 else None
        if trigger is None:
            raise errors.trigger_not_found(fn.describe(), f"(http, qualifier {qualifier})")
        if trigger.auth_type != "anonymous":
            self.core.authenticate(request, verify, body=request.body)
        self.core.check_http_request(request, trigger.config["methods"])
        event = http3.event(request, raw_path, self.core.keys.account_id)
        outcome = self.core.run(fn, request, event, (qualifier, version))
        headers = self.core.outcome_headers(outcome, version, request)
        if outcome.error:
            return Response(502, outcome.body, [("Content-Type", "application/json"), *headers])
        status, own, body = http3.response(outcome.body)
        return Response(status, body, own + headers)

    # -- async tasks ----------------------------------------------------------------------------

    def _task_json(self, fn: Function, record: AsyncRecord, include_payload: bool) -> dict:
        return resources3.task_json(record, self._arn(fn), include_payload)

    def get_task(self, request: Request, function: str, task: str) -> Response:
        fn, _, _ = self._function(request, function)
        record = self.core.store.get(fn.service, fn.name, task) if has_tasks(fn) else None
        if record is None:
            raise errors.task_not_found(task)
        return json_response(self._task_json(fn, record, include_payload=True))

    def stop_task(self, request: Request, function: str, task: str) -> Response:
        fn, _, _ = self._function(request, function)
        if not has_tasks(fn):
            raise errors.task_not_found(task)
        try:
            self.core.queue.stop(fn.service, fn.name, task)
        except NotFound:
            raise errors.task_not_found(task) from None
        except Finished as done:
            raise errors.task_completed(task, done.status) from None
        return json_response({})

    def list_tasks(self, request: Request, function: str) -> Response:
        fn, _, _ = self._function(request, function)
        q = request.query
        records, after = self.core.task_page(
            fn,
            q,
            qualifier=q.get("qualifier") or None,
            prefix=q.get("prefix") or None,
            default_limit=TASKS_DEFAULT_LIMIT,
        )
        include = paging.flag_param(q, "includePayload")
        page = {"tasks": [self._task_json(fn, r, include) for r in records] if has_tasks(fn) else []}
        if after is not None and page["tasks"]:
            page["nextToken"] = after
        return json_response(page)

    # -- browsing -------------------------------------------------------------------------------

    def _function_json(self, fn: Function) -> dict:
        checksum = self.core.runner.pools[fn.key].checksum
        return resources3.function_json(fn, checksum, self.core.keys.account_id, self.core.loaded_at)

    def list_functions(self, request: Request) -> Response:
        q = request.query
        fc_version = q.get("fcVersion") or None
        if fc_version not in (None, "v2", "v3"):
            raise errors.invalid_argument(f"fcVersion must be v2 or v3, got '{fc_version}'")
        items = [
            self._function_json(fn)
            for fn in self.core.project.functions()
            if fc_version != ("v2" if fn.is_fc3 else "v3")
            and (not q.get("runtime") or fn.runtime == q["runtime"])
            and (not q.get("functionName") or q["functionName"] in fn.fc3_name)
            and (not q.get("description") or q["description"] in fn.description)
        ]
        return json_response(paging.paginate(items, "functionName", "functions", q))

    def get_function(self, request: Request, function: str) -> Response:
        fn, _, _ = self._function(request, function)
        data = self._function_json(fn)
        return json_response(data, headers=[("ETag", etag(data))])

    def _trigger_json(self, request: Request, fn: Function, trigger: Trigger) -> dict:
        target = fn.name if trigger.qualifier == "LATEST" else f"{fn.name}.{trigger.qualifier}"
        host = request.headers.get("host") or f"{request.server_name}:{request.server_port}"
        url = f"http://{host}{PREFIX}/proxy/{quote(target, safe='')}" if fn.is_fc3 else ""
        return resources3.trigger_json(fn, trigger, self.core.keys.account_id, url, self.core.loaded_at)

    def list_triggers(self, request: Request, function: str) -> Response:
        fn, _, _ = self.core.function3(function)
        items = [self._trigger_json(request, fn, t) for t in fn.triggers]
        return json_response(paging.paginate(items, "triggerName", "triggers", request.query))

    def get_trigger(self, request: Request, function: str, trigger: str) -> Response:
        fn, _, _ = self.core.function3(function)
        for t in fn.triggers:
            if t.name == trigger:
                return json_response(self._trigger_json(request, fn, t))
        raise errors.trigger_not_found(fn.describe(), trigger)

    def list_aliases(self, request: Request, function: str) -> Response:
        fn, _, _ = self.core.function3(function)
        items = [resources.alias_json(a, self.core.loaded_at) for a in self._versions(fn).aliases.values()]
        return json_response(paging.paginate(items, "aliasName", "aliases", request.query))

    def get_alias(self, request: Request, function: str, alias: str) -> Response:
        fn, _, _ = self.core.function3(function)
        found = self._versions(fn).aliases.get(alias)
        if found is None:
            raise errors.alias_not_found(f"function '{function}'", alias)
        return json_response(resources.alias_json(found, self.core.loaded_at))

    def list_versions(self, request: Request, function: str) -> Response:
        fn, _, _ = self.core.function3(function)
        versions = self._versions(fn).versions
        return json_response(resources.versions_page(versions, request.query, self.core.loaded_at))
