"""The wire formats of the FC API versions, one small object each, chosen from a target in ONE place.

`for_target(target)` (and `for_version`) pick from `REGISTRY`; `FCClient` only sends the `Call`s a
protocol describes, signs them with the protocol's `headers()`, and reads errors and async records
back through it. Adding an API version is one more `Protocol` subclass and one registry entry:

* paths and query of each call (qualifier in the path for 2.0, as a query parameter for 3.0),
* signing and the headers that go with it (`FC` for 2.0, `ACS3-HMAC-SHA256` for 3.0),
* the error body (`ErrorCode`/`ErrorMessage` vs `Code`/`Message`/`RequestId`),
* the async id header (`x-fc-stateful-async-invocation-id` vs `x-fc-async-task-id`),
* async records, normalised to `ASYNC_RECORD_FIELDS` (see `normalise_async`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, NamedTuple
from urllib.parse import quote
from uuid import uuid4

from requests.structures import CaseInsensitiveDict

from . import acs3, signing
from .errors import FCError
from .targets import FC2_API_VERSION, FC3_API_VERSION, Target

Pair = tuple[str, str | None]

# The one shape of an async record (2.0 stateful async invocation, 3.0 async task), FC's own
# camelCase names where the versions agree, and neutral names where they differ:
# id (invocationId / taskId), errorMessage (invocationErrorMessage / taskErrorMessage),
# payload (invocationPayload / taskPayload). Absent fields are None; `events` is a list.
ASYNC_RECORD_FIELDS = (
    "id",
    "status",
    "qualifier",
    "startedTime",
    "endTime",
    "durationMs",
    "requestId",
    "instanceId",
    "events",
    "returnPayload",
    "errorMessage",
    "payload",
    "destinationStatus",
    "alreadyRetriedTimes",
)

# An id the client generates for an async invoke that names none (fc3-api.md 2: a letter or _,
# then letters, digits, _ or -, at most 128): a known id makes every async call traceable.
ASYNC_ID_PREFIX = "fcc-"


def new_async_id() -> str:
    return f"{ASYNC_ID_PREFIX}{uuid4().hex}"


class Credentials(NamedTuple):
    access_key_id: str
    secret: str
    token: str | None
    user_agent: str
    account_id: str | None


@dataclass(frozen=True)
class Call:
    """One API request, as a protocol describes it: `path` percent-encoded, `query` decoded."""

    method: str
    path: str
    action: str = ""  # the operation's name; 3.0 sends it as x-acs-action
    query: list[Pair] = field(default_factory=list)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


def seg(name: str) -> str:
    """One path segment, percent-encoded as both versions' SDKs do (`quote(safe='')`, `~` kept)."""
    if not name:
        raise ValueError("names in an FC path must not be empty")
    return quote(name, safe="~")


def epoch_ms(value: int | datetime | None) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return value


def params(query: Mapping[str, object]) -> list[Pair]:
    """Query pairs without the unset ones; booleans as `true`/`false`."""
    out: list[Pair] = []
    for name, value in query.items():
        if value is None:
            continue
        out.append((name, ("true" if value else "false") if isinstance(value, bool) else str(value)))
    return out


class Protocol:
    """What differs between API versions. Stateless; one shared instance per version."""

    version: ClassVar[str]
    async_id_header: ClassVar[str]
    async_list_key: ClassVar[str]

    # -- calls -------------------------------------------------------------------------------

    def invoke(self, target: Target, kind: str, log_tail: bool, async_id: str | None) -> Call:
        raise NotImplementedError

    def get_async(self, target: Target, async_id: str) -> Call:
        raise NotImplementedError

    def stop_async(self, target: Target, async_id: str) -> Call:
        raise NotImplementedError

    def list_async(self, target: Target, filters: Mapping[str, Any]) -> Call:
        raise NotImplementedError

    def get_function(self, target: Target) -> Call:
        raise NotImplementedError

    def list_triggers(self, target: Target, **query: Any) -> Call:
        raise NotImplementedError

    def list_aliases(self, target: Target, **query: Any) -> Call:
        raise NotImplementedError

    def list_versions(self, target: Target, **query: Any) -> Call:
        raise NotImplementedError

    # -- the wire ----------------------------------------------------------------------------

    def headers(self, creds: Credentials, call: Call, host: str, signed: bool = True) -> CaseInsensitiveDict:
        """Every header of one attempt (fresh date, nonce, signature)."""
        raise NotImplementedError

    def error(
        self, status: int, body: bytes, request_id: str | None, retry_after: str | None = None
    ) -> FCError:
        raise NotImplementedError

    def retry_after(self, headers: Mapping[str, str]) -> str | None:
        return headers.get("retry-after")

    def normalise_async(self, record: Mapping[str, Any]) -> dict:
        raise NotImplementedError


class FC2(Protocol):
    """FC 2.0 (2016-08-15): services contain functions; qualifier in the path (fc-api.md)."""

    version = FC2_API_VERSION
    async_id_header = "X-Fc-Stateful-Async-Invocation-Id"
    async_list_key = "invocations"

    @staticmethod
    def service_path(service: str, qualifier: str | None) -> str:
        target = f"{service}.{qualifier}" if qualifier else service
        return f"/{FC2_API_VERSION}/services/{seg(target)}"

    def function_path(self, service: str, qualifier: str | None, function: str) -> str:
        return f"{self.service_path(service, qualifier)}/functions/{seg(function)}"

    def tasks_path(self, service: str, qualifier: str | None, function: str) -> str:
        return f"{self.function_path(service, qualifier, function)}/stateful-async-invocations"

    def invoke_call(
        self,
        service: str,
        function: str,
        qualifier: str | None,
        kind: str,
        log_tail: bool,
        async_id: str | None,
        event: bytes = b"",
    ) -> Call:
        headers = {"Content-Type": "application/octet-stream", "X-Fc-Invocation-Type": kind}
        if kind == "Sync" and log_tail:
            headers["X-Fc-Log-Type"] = "Tail"
        if async_id:
            headers[self.async_id_header] = async_id
        path = f"{self.function_path(service, qualifier, function)}/invocations"
        return Call("POST", path, "InvokeFunction", headers=headers, body=event)

    def tasks_listing(
        self,
        service: str,
        function: str,
        *,
        qualifier: str | None = None,
        status: str | None = None,
        started_time_begin: int | datetime | None = None,
        started_time_end: int | datetime | None = None,
        sort_order_by_time: str | None = None,
        invocation_id_prefix: str | None = None,
        include_payload: bool = False,
        limit: int | None = None,
    ) -> Call:
        """ListStatefulAsyncInvocations (fc-api.md 4.1); times in epoch ms."""
        query = {
            "status": status,
            "startedTimeBegin": epoch_ms(started_time_begin),
            "startedTimeEnd": epoch_ms(started_time_end),
            "sortOrderByTime": sort_order_by_time,
            "invocationIdPrefix": invocation_id_prefix,
            "includePayload": "true" if include_payload else None,
            "limit": limit,
        }
        return Call(
            "GET",
            self.tasks_path(service, qualifier, function),
            "ListStatefulAsyncInvocations",
            params(query),
        )

    # -- target-based ------------------------------------------------------------------------

    def invoke(self, target: Target, kind: str, log_tail: bool, async_id: str | None) -> Call:
        return self.invoke_call(target.service, target.function, target.qualifier, kind, log_tail, async_id)

    def get_async(self, target: Target, async_id: str) -> Call:
        path = f"{self.tasks_path(target.service, target.qualifier, target.function)}/{seg(async_id)}"
        return Call("GET", path, "GetStatefulAsyncInvocation")

    def stop_async(self, target: Target, async_id: str) -> Call:
        path = f"{self.tasks_path(target.service, target.qualifier, target.function)}/{seg(async_id)}"
        return Call("PUT", path, "StopStatefulAsyncInvocation", headers={"Content-Type": "application/json"})

    def list_async(self, target: Target, filters: Mapping[str, Any]) -> Call:
        filters = dict(filters)
        if "id_prefix" in filters:
            filters["invocation_id_prefix"] = filters.pop("id_prefix")
        return self.tasks_listing(
            target.service, target.function, qualifier=target.qualifier or None, **filters
        )

    def get_function(self, target: Target) -> Call:
        return Call(
            "GET", self.function_path(target.service, target.qualifier, target.function), "GetFunction"
        )

    def list_triggers(self, target: Target, **query: Any) -> Call:
        path = f"{self.function_path(target.service, None, target.function)}/triggers"
        return Call("GET", path, "ListTriggers", params(query))

    def list_aliases(self, target: Target, **query: Any) -> Call:
        """A 2.0 function's aliases are its service's."""
        return Call("GET", f"{self.service_path(target.service, None)}/aliases", "ListAliases", params(query))

    def list_versions(self, target: Target, **query: Any) -> Call:
        """A 2.0 function's versions are its service's."""
        path = f"{self.service_path(target.service, None)}/versions"
        return Call("GET", path, "ListServiceVersions", params(query))

    # -- the wire ----------------------------------------------------------------------------

    def headers(self, creds: Credentials, call: Call, host: str, signed: bool = True) -> CaseInsensitiveDict:
        # Case-insensitive, so a caller's `x-fc-log-type` and our `X-Fc-Log-Type` are one header:
        # what we sign must be exactly what goes on the wire.
        out = CaseInsensitiveDict({"Content-Type": "application/json", **call.headers})
        out["Date"] = signing.http_date()
        out["User-Agent"] = creds.user_agent
        if creds.account_id:
            out["X-Fc-Account-Id"] = creds.account_id
        if creds.token:
            out["X-Fc-Security-Token"] = creds.token
        if signed:
            out["Authorization"] = signing.sign(
                creds.access_key_id, creds.secret, call.method, call.path, out, call.query
            )
        return out

    def error(
        self, status: int, body: bytes, request_id: str | None, retry_after: str | None = None
    ) -> FCError:
        return FCError.from_response(status, body, request_id, retry_after)

    def normalise_async(self, record: Mapping[str, Any]) -> dict:
        return _normalised(
            record, id="invocationId", errorMessage="invocationErrorMessage", payload="invocationPayload"
        )


class FC3(Protocol):
    """FC 3.0 (2023-03-30): functions at the top level; qualifier as a query parameter
    (fc3-api.md 2); ACS3 signature (acs3.py); `{Code, Message, RequestId}` errors (6.1)."""

    version = FC3_API_VERSION
    async_id_header = "x-fc-async-task-id"
    async_list_key = "tasks"

    @staticmethod
    def function_path(function: str) -> str:
        return f"/{FC3_API_VERSION}/functions/{seg(function)}"

    @staticmethod
    def qualifier(target: Target) -> list[Pair]:
        return [("qualifier", target.qualifier)] if target.qualifier else []

    def invoke(self, target: Target, kind: str, log_tail: bool, async_id: str | None) -> Call:
        # As the `s` fc3 component: Tail for Sync, None for Async (fc-api.md 10.5).
        headers = {
            "content-type": "application/octet-stream",
            "x-fc-invocation-type": kind,
            "x-fc-log-type": "Tail" if kind == "Sync" and log_tail else "None",
        }
        if async_id:
            headers[self.async_id_header] = async_id
        path = f"{self.function_path(target.function)}/invocations"
        return Call("POST", path, "InvokeFunction", self.qualifier(target), headers)

    def _task_path(self, target: Target, async_id: str) -> str:
        return f"{self.function_path(target.function)}/async-tasks/{seg(async_id)}"

    def get_async(self, target: Target, async_id: str) -> Call:
        return Call("GET", self._task_path(target, async_id), "GetAsyncTask", self.qualifier(target))

    def stop_async(self, target: Target, async_id: str) -> Call:
        path = f"{self._task_path(target, async_id)}/stop"
        return Call("PUT", path, "StopAsyncTask", self.qualifier(target))

    def list_async(self, target: Target, filters: Mapping[str, Any]) -> Call:
        return Call(
            "GET",
            f"{self.function_path(target.function)}/async-tasks",
            "ListAsyncTasks",
            self.qualifier(target) + params(async_task_filters(**filters)),
        )

    def get_function(self, target: Target) -> Call:
        return Call("GET", self.function_path(target.function), "GetFunction", self.qualifier(target))

    def list_triggers(self, target: Target, **query: Any) -> Call:
        return Call("GET", f"{self.function_path(target.function)}/triggers", "ListTriggers", params(query))

    def list_aliases(self, target: Target, **query: Any) -> Call:
        return Call("GET", f"{self.function_path(target.function)}/aliases", "ListAliases", params(query))

    def list_versions(self, target: Target, **query: Any) -> Call:
        path = f"{self.function_path(target.function)}/versions"
        return Call("GET", path, "ListFunctionVersions", params(query))

    def list_functions(self, query: Mapping[str, Any]) -> Call:
        return Call("GET", f"/{FC3_API_VERSION}/functions", "ListFunctions", params(query))

    # -- the wire ----------------------------------------------------------------------------

    def headers(self, creds: Credentials, call: Call, host: str, signed: bool = True) -> CaseInsensitiveDict:
        own = {"accept": "application/json", "user-agent": creds.user_agent, **call.headers}
        if not signed:
            return CaseInsensitiveDict(own)
        return CaseInsensitiveDict(
            acs3.request_headers(
                creds.access_key_id,
                creds.secret,
                call.method,
                call.path,
                host=host,
                action=call.action,
                query=call.query,
                headers=own,
                body=call.body,
                security_token=creds.token,
            )
        )

    def error(
        self, status: int, body: bytes, request_id: str | None, retry_after: str | None = None
    ) -> FCError:
        return FCError.from_acs3_response(status, body, request_id, retry_after)

    def retry_after(self, headers: Mapping[str, str]) -> str | None:
        """Seconds, from `Retry-After`, else from `x-acs-retry-after`.

        unconfirmed (fc3-api.md 6.1 step 3): the unit of `x-acs-retry-after`; we chose
        milliseconds, the unit of darabonba's retry policy, so a wrong guess waits less, not more
        (our own backoff still applies).
        """
        if headers.get("retry-after"):
            return headers["retry-after"]
        value = headers.get("x-acs-retry-after")
        try:
            return str(int(value) / 1000) if value and int(value) > 0 else None
        except ValueError:
            return None

    def normalise_async(self, record: Mapping[str, Any]) -> dict:
        return _normalised(record, id="taskId", errorMessage="taskErrorMessage", payload="taskPayload")


def async_task_filters(
    *,
    status: str | None = None,
    started_time_begin: int | datetime | None = None,
    started_time_end: int | datetime | None = None,
    sort_order_by_time: str | None = None,
    id_prefix: str | None = None,
    include_payload: bool = False,
    limit: int | None = None,
) -> dict[str, object]:
    """ListAsyncTasks' query (fc3-api.md 5.1), from the target API's filter names; times in
    epoch ms or datetimes. `includePayload` goes as `true` (fclocal compares case-insensitively)."""
    return {
        "status": status,
        "startedTimeBegin": epoch_ms(started_time_begin),
        "startedTimeEnd": epoch_ms(started_time_end),
        "sortOrderByTime": sort_order_by_time,
        "prefix": id_prefix,
        "includePayload": True if include_payload else None,
        "limit": limit,
    }


def list_functions_query(
    *,
    prefix: str | None = None,
    limit: int | None = None,
    fc_version: str | None = None,
    description: str | None = None,
    function_name: str | None = None,
    gpu_type: str | None = None,
    resource_group_id: str | None = None,
    runtime: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """ListFunctions' query (fc3-api.md 2). `tags` {key: value} goes as the SDK's JSON string
    `[{"key": …, "value": …}]`; `fc_version` is `v3` or `v2` (absent: both)."""
    return {
        "prefix": prefix,
        "limit": limit,
        "fcVersion": fc_version,
        "description": description,
        "functionName": function_name,
        "gpuType": gpu_type,
        "resourceGroupId": resource_group_id,
        "runtime": runtime,
        "tags": json.dumps([{"key": k, "value": v} for k, v in tags.items()]) if tags else None,
    }


def _normalised(record: Mapping[str, Any], **renamed: str) -> dict:
    out = {name: record.get(renamed.get(name, name)) for name in ASYNC_RECORD_FIELDS}
    out["events"] = list(record.get("events") or [])
    return out


# -- HTTP triggers -------------------------------------------------------------------------------

# unconfirmed (fc3-api.md 8; FC's "configure signature authentication for HTTP triggers" page
# names ACS3-HMAC-SHA256, `x-acs-date` and `x-acs-security-token`, but no action): a trigger
# request is not an API operation; we chose to send and sign the full x-acs-* set of fc3-api.md 3.1
# with the action InvokeFunction, because a verifier that follows `SignedHeaders` (fc3-api.md 7.3,
# fclocal) then accepts it, and extra signed headers are allowed by the signature's rules.
TRIGGER_ACTION = "InvokeFunction"


def trigger_headers(creds: Credentials, call: Call, host: str, signed: bool) -> CaseInsensitiveDict:
    """Headers for a request to an FC 3.0 HTTP trigger's own URL; see `FCClient.invoke_http`.
    Unsigned (anonymous trigger): the caller's headers and our user agent only."""
    call = replace(call, action=call.action or TRIGGER_ACTION)
    return FC3_PROTOCOL.headers(creds, call, host, signed)


# -- the registry: the one place a target becomes a wire format ---------------------------------

REGISTRY: dict[str, Protocol] = {FC2_API_VERSION: FC2(), FC3_API_VERSION: FC3()}
FC2_PROTOCOL: FC2 = REGISTRY[FC2_API_VERSION]  # type: ignore[assignment]
FC3_PROTOCOL: FC3 = REGISTRY[FC3_API_VERSION]  # type: ignore[assignment]


def for_version(version: str) -> Protocol:
    try:
        return REGISTRY[version]
    except KeyError:
        raise ValueError(f"unsupported FC API version {version!r}") from None


def for_target(target: Target) -> Protocol:
    return for_version(target.api_version)
