"""`FCClient`: the FC API calls the console makes, FC 2.0 (2016-08-15) and FC 3.0 (2023-03-30), over
one pooled, thread-safe session.

Callers name a `targets.Target(region, function, service="", qualifier="")`: with a service it is
FC 2.0, without it FC 3.0; `protocols.for_target` picks the wire format (paths, signing, headers,
error bodies, async ids and records) and callers never see it.

The target API (both versions):

* `invoke(target, event=b"", *, invocation_type="Sync", log_tail=True, async_id=None, timeout=None)`
  -> `InvokeResult` (async calls always carry an id: `result.async_id`)
* `invoke_http(target, request, *, invocation_type="Sync", signed=True, timeout=None, trigger=None)`
  -> `HttpInvokeResult`; `http_trigger(target)` -> the trigger it goes through (3.0)
* `get_async(target, async_id)` -> record; `async_page(target, *, next_token=None, **filters)` ->
  (records, next_token); `async_records(target, **filters)` -> iterator of records;
  `stop_async(target, async_id)` -> request id. Records have one shape for both versions,
  `protocols.ASYNC_RECORD_FIELDS`.
* `get_function(target)`, `list_triggers(target, *, limit, prefix)`, `list_aliases(target, *,
  limit, prefix)`, `list_versions(target, *, limit, direction)`; and
  `list_functions(*, prefix, limit, region, fc_version, description, function_name, gpu_type,
  resource_group_id, runtime, tags)` (FC 3.0: a region's functions).
* `endpoint_for_region(region, fc3=False)`: which host serves which call, and why;
  `endpoint_fc3` (optional) aims FC 3.0 calls elsewhere than FC 2.0 ones.

The FC 2.0-only legacy surface, unchanged, until the console moves to targets in one go:
`invoke(service, function, event, *, qualifier, invocation_type, log_tail, async_invocation_id,
timeout)`, `invoke_http(service, function, request, *, qualifier, ...)` (both dispatch on the type
of their first argument), `get_stateful_async_invocation`, `list_stateful_async_invocations`,
`stateful_async_invocation_page`, `stop_stateful_async_invocation` (raw 2.0 records),
`list_services`, `list_functions(service, qualifier=None, prefix=None, *, limit=None)`,
`get_function(service, function, qualifier=None)`, `list_aliases(service, *, limit)`,
`list_service_versions(service, *, limit)`, `list_triggers(service, function, *, limit)`.

Failures come out as `FCError`; which of them are retried is decided by `errors.classify`: only
what FC certainly did not act on is sent again, and a call that may have reached FC is never
re-sent unless it is a GET.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from http.cookiejar import DefaultCookiePolicy
from itertools import chain
from typing import Any, overload
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from . import backoff, http_trigger, network
from .errors import INVALID_RESPONSE, FCError, error_code_of
from .exchange import Exchange
from .protocols import (
    FC2,
    FC2_PROTOCOL,
    FC3_PROTOCOL,
    Call,
    Credentials,
    Protocol,
    for_target,
    list_functions_query,
    new_async_id,
    params,
    trigger_headers,
)
from .results import HttpInvokeResult, InvokeResult
from .signing import API_VERSION
from .targets import Target

# `s invoke`'s client timeout without a function timeout (fc-api.md 10.2). Callers that know the
# function's timeout pass their own (the console stores one per invocation; `manage.py invoke`
# adds s invoke's margin to --timeout).
DEFAULT_INVOKE_TIMEOUT = 600.0
# Browsing and task calls answer at once; this only bounds a hung server.
API_TIMEOUT = 60.0
MAX_BACKOFF = 30.0
INVOCATION_TYPES = ("Sync", "Async")
HTTP_TRIGGER_NOT_FOUND = "HttpTriggerNotFound"

Pair = tuple[str, str | None]  # a decoded query parameter; None for a bare key
Event = bytes | bytearray | memoryview | str

_FC_HOST_RE = re.compile(
    r"(?P<account>\d+)\.(?P<region>[a-z0-9-]+?)(?P<internal>-internal)?\.fc\.aliyuncs\.com"
)


def read_timeout(timeout: float | None) -> float:
    """How long to wait for FC's answer to an invoke, in seconds."""
    return float(timeout) if timeout else DEFAULT_INVOKE_TIMEOUT


class FCClient:
    """Thread-safe: one instance may serve many threads; connections are pooled and reused.

    See the module docstring for the target API and the FC 2.0-only legacy surface.
    """

    def __init__(
        self,
        endpoint: str,
        access_key_id: str,
        access_key_secret: str,
        security_token: str | None = None,
        *,
        connect_timeout: float = 5.0,
        max_retries: int = 3,
        user_agent: str | None = None,
        account_id: str | None = None,
        backoff: float = 0.5,
        pool_maxsize: int = 1000,
        endpoint_fc3: str | None = None,
    ):
        if not access_key_id or not access_key_secret:
            raise ValueError("an AccessKey id and secret are required")
        self.endpoint = normalize_endpoint(endpoint)
        # One account's 2.0 services and 3.0 functions through one client: FC 3.0 calls may go
        # to a host of their own (a profile's 3.0 override); by default both share `endpoint`.
        self.endpoint_fc3 = normalize_endpoint(endpoint_fc3) if endpoint_fc3 else self.endpoint
        # Real endpoints carry the account in the host; an override (fclocal) needs it given.
        self.account_id = account_id or account_id_of(self.endpoint) or account_id_of(self.endpoint_fc3)
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self._token = security_token or None
        self.connect_timeout = connect_timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.user_agent = user_agent or f"fcconsole/1 python-requests/{requests.__version__}"
        self._creds = Credentials(
            access_key_id, access_key_secret, self._token, self.user_agent, self.account_id
        )
        self._session = requests.Session()
        # Environment proxies and ~/.netrc would change who we talk to and could replace our
        # Authorization header; cookies would be shared mutable state between threads.
        self._session.trust_env = False
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        # One adapter, no urllib3 retries (we decide), a pool as large as our thread count.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_maxsize, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        fc3 = f", endpoint_fc3={self.endpoint_fc3!r}" if self.endpoint_fc3 != self.endpoint else ""
        return f"FCClient({self.endpoint!r}{fc3}, access_key_id={self.access_key_id!r})"

    @staticmethod
    def endpoint_for(account_id: str, region: str, internal: bool = False) -> str:
        suffix = "-internal" if internal else ""
        return f"https://{account_id}.{region}{suffix}.fc.aliyuncs.com"

    def endpoint_for_region(self, region: str | None, *, fc3: bool = False) -> str:
        """THE host of every call for a target in `region`: FC 2.0 calls go to `endpoint`, FC 3.0
        calls (`fc3`) to `endpoint_fc3`, which is `endpoint` unless the client was given another.

        An explicit endpoint (fclocal, a proxy) serves everything, both versions on one port. A
        real FC endpoint `{accountId}.{region}[-internal].fc.aliyuncs.com` is re-aimed at the
        target's region. FC 3.0 invoke goes there as the `s` fc3 component sends it (fc3-api.md 1);
        management calls go there too although the SDK's default is `fcv3.{region}.aliyuncs.com`:
        both hosts take the same paths and signature, and one host per region keeps one endpoint
        per profile (`Profile.endpoint_for`) and one connection pool for 2.0 and 3.0 alike.
        """
        endpoint = self.endpoint_fc3 if fc3 else self.endpoint
        parts = _FC_HOST_RE.fullmatch(urlsplit(endpoint).netloc)
        if not region or not parts or parts["region"] == region:
            return endpoint
        return self.endpoint_for(parts["account"], region, internal=bool(parts["internal"]))

    def close(self) -> None:
        self._session.close()

    def observe(self, hook: Callable[[requests.Response], object]) -> None:
        """Call `hook` with every HTTP response this client receives, each retry included; its
        `.request` is what was sent, Authorization and token headers included (mask them). Used by
        `manage.py invoke --debug`."""
        self._session.hooks["response"].append(hook)

    def __enter__(self) -> FCClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- invoking ---------------------------------------------------------------------------

    @overload
    def invoke(
        self,
        target: Target,
        event: Event = b"",
        *,
        invocation_type: str = "Sync",
        log_tail: bool = True,
        async_id: str | None = None,
        timeout: float | None = None,
    ) -> InvokeResult: ...

    @overload
    def invoke(
        self,
        service: str,
        function: str,
        event: Event = b"",
        *,
        qualifier: str | None = None,
        invocation_type: str = "Sync",
        log_tail: bool = True,
        async_invocation_id: str | None = None,
        timeout: float | None = None,
    ) -> InvokeResult: ...

    def invoke(self, target: Any, *args: Any, **kwargs: Any) -> InvokeResult:
        """InvokeFunction. A function that raised is a result with `function_failed`, not an error.

        `invoke(target, event, *, invocation_type, log_tail, async_id, timeout)`: an async call
        always carries an id (`async_id`, else one generated by `protocols.new_async_id`), found
        again in `result.async_id`. The legacy `invoke(service, function, event, *, qualifier,
        invocation_type, log_tail, async_invocation_id, timeout)` is FC 2.0 exactly as before.
        """
        if isinstance(target, Target):
            return self._invoke(target, *args, **kwargs)
        return self._invoke_fc2(target, *args, **kwargs)

    def _invoke(
        self,
        target: Target,
        event: Event = b"",
        *,
        invocation_type: str = "Sync",
        log_tail: bool = True,
        async_id: str | None = None,
        timeout: float | None = None,
    ) -> InvokeResult:
        protocol = for_target(target)
        kind = _invocation_type(invocation_type)
        if kind == "Async" and not async_id:
            async_id = new_async_id()
        call = replace(protocol.invoke(target, kind, log_tail, async_id), body=_bytes(event))
        response = self._send(call, protocol, region=target.region, timeout=read_timeout(timeout))
        return _with_exchange(
            InvokeResult.from_response(
                response.status_code,
                response.headers,
                response.content,
                response.url,
                async_id,
                async_id_header=protocol.async_id_header,
            ),
            response,
        )

    def _invoke_fc2(
        self,
        service: str,
        function: str,
        event: Event = b"",
        *,
        qualifier: str | None = None,
        invocation_type: str = "Sync",
        log_tail: bool = True,
        async_invocation_id: str | None = None,
        timeout: float | None = None,
    ) -> InvokeResult:
        kind = _invocation_type(invocation_type)
        call = FC2_PROTOCOL.invoke_call(
            service, function, qualifier, kind, log_tail, async_invocation_id, _bytes(event)
        )
        response = self._send(call, FC2_PROTOCOL, timeout=read_timeout(timeout))
        return _with_exchange(
            InvokeResult.from_response(
                response.status_code, response.headers, response.content, response.url, async_invocation_id
            ),
            response,
        )

    @overload
    def invoke_http(
        self,
        target: Target,
        request: Mapping[str, Any],
        *,
        invocation_type: str = "Sync",
        signed: bool = True,
        timeout: float | None = None,
        trigger: Mapping[str, Any] | None = None,
    ) -> HttpInvokeResult: ...

    @overload
    def invoke_http(
        self,
        service: str,
        function: str,
        request: Mapping[str, Any],
        *,
        qualifier: str | None = None,
        invocation_type: str = "Sync",
        signed: bool = True,
        timeout: float | None = None,
    ) -> HttpInvokeResult: ...

    def invoke_http(self, target: Any, *args: Any, **kwargs: Any) -> HttpInvokeResult:
        """Send `request` ({method, path, headers, queries, body}) to the function's HTTP trigger.

        Any status the function answers with is a result; only FC's own refusals (4xx/5xx with
        an FC error code body: auth, not found, throttling) raise `FCError`.
        Raises `http_trigger.HttpRequestError` (a ValueError) for an unusable description.

        FC 2.0 (a target with a service, or the legacy `invoke_http(service, function, request,
        *, qualifier, ...)`): through `/2016-08-15/proxy/`, FC-signed (fc-api.md 10.3).

        FC 3.0 has no proxy path in its API (fc3-api.md 2 lists none). Confirmed by the
        references: a trigger reports its URL (`httpTrigger.urlInternet`, ListTriggers) and its
        `authType` in `triggerConfig` (fc3-api.md 2, fc-api.md 5.2), `s` sends HTTP functions to
        `urlInternet` (fc-api.md 10.3), an `anonymous` trigger skips signature checks, and FC
        3.0's HTTP-trigger documentation names ACS3-HMAC-SHA256 for signed triggers. Chosen: the
        request goes to the `urlInternet` of the target's `http` trigger for its qualifier
        (`trigger` if the caller already has it, else one ListTriggers call, see `http_trigger`);
        an `anonymous` trigger gets no signature, any other `authType` an ACS3 signature over the
        trigger URL's path and the query, with the header set of `protocols.trigger_headers`
        (unconfirmed).
        """
        if isinstance(target, Target):
            return self._invoke_http(target, *args, **kwargs)
        return self._invoke_http_fc2(target, *args, **kwargs)

    def _invoke_http_fc2(
        self,
        service: str,
        function: str,
        request: Mapping[str, Any],
        *,
        qualifier: str | None = None,
        invocation_type: str = "Sync",
        signed: bool = True,
        timeout: float | None = None,
        region: str | None = None,
    ) -> HttpInvokeResult:
        _invocation_type(invocation_type)  # refused before the request description is looked at
        proxy = http_trigger.build(request, service, function, qualifier)
        call = self._http_call(proxy, invocation_type)
        response = self._send(
            call,
            FC2_PROTOCOL,
            region=region,
            timeout=read_timeout(timeout),
            signed=signed,
            is_error=_fc_refusal,
        )
        return _with_exchange(
            HttpInvokeResult.from_response(
                response.status_code, response.headers, response.content, response.url
            ),
            response,
        )

    def _invoke_http(
        self,
        target: Target,
        request: Mapping[str, Any],
        *,
        invocation_type: str = "Sync",
        signed: bool = True,
        timeout: float | None = None,
        trigger: Mapping[str, Any] | None = None,
    ) -> HttpInvokeResult:
        if target.service:
            return self._invoke_http_fc2(
                target.service,
                target.function,
                request,
                qualifier=target.qualifier or None,
                invocation_type=invocation_type,
                signed=signed,
                timeout=timeout,
                region=target.region,
            )
        trigger = trigger if trigger is not None else self.http_trigger(target)
        url = urlsplit(_trigger_url(trigger, target))
        built = http_trigger.build_for_url(request, url.path)
        call = self._http_call(built, invocation_type)
        response = self._send(
            call,
            FC3_PROTOCOL,
            base=f"{url.scheme}://{url.netloc}",
            timeout=read_timeout(timeout),
            signed=signed and _trigger_auth_type(trigger) != "anonymous",
            is_error=_fc_refusal,
            trigger=True,
        )
        return _with_exchange(
            HttpInvokeResult.from_response(
                response.status_code, response.headers, response.content, response.url
            ),
            response,
        )

    def http_trigger(self, target: Target) -> dict:
        """The target's HTTP trigger: the `http` trigger whose qualifier is the target's
        (`LATEST` when it names none), else the only `http` trigger. FCError HttpTriggerNotFound
        (status None: our finding, not FC's answer) when there is none."""
        wanted = target.qualifier or "LATEST"
        https = [t for t in self.list_triggers(target) if str(t.get("triggerType", "")).lower() == "http"]
        for candidate in https:
            if (candidate.get("qualifier") or "LATEST") == wanted:
                return candidate
        if len(https) == 1:
            return https[0]
        raise FCError(HTTP_TRIGGER_NOT_FOUND, f"{target} has no HTTP trigger for qualifier {wanted}")

    @staticmethod
    def _http_call(built: http_trigger.ProxyRequest, invocation_type: str) -> Call:
        kind = _invocation_type(invocation_type)
        headers = CaseInsensitiveDict(built.headers)
        headers["X-Fc-Invocation-Type"] = kind
        headers["X-Fc-Log-Type"] = "Tail" if kind == "Sync" else "None"
        return Call(built.method, built.path, "", built.query, headers, built.body)

    # -- async calls of a target: records in one shape (protocols.ASYNC_RECORD_FIELDS) ------

    def get_async(self, target: Target, async_id: str) -> dict:
        """GetStatefulAsyncInvocation (2.0) / GetAsyncTask (3.0), normalised."""
        protocol = for_target(target)
        return protocol.normalise_async(
            _json(self._send(protocol.get_async(target, async_id), protocol, region=target.region))
        )

    def async_page(
        self, target: Target, *, next_token: str | None = None, **filters: Any
    ) -> tuple[list[dict], str | None]:
        """Exactly one List call: normalised records and FC's nextToken (None on the last page).

        Filters (all optional): `status`, `started_time_begin`, `started_time_end` (epoch ms or
        datetime), `sort_order_by_time` (`asc`/`desc`), `id_prefix`, `include_payload`, `limit`.
        """
        protocol = for_target(target)
        call = protocol.list_async(target, filters)
        items, token = self._page(call, protocol, protocol.async_list_key, next_token, target.region)
        return [protocol.normalise_async(r) for r in items], token

    def async_records(self, target: Target, **filters: Any) -> Iterator[dict]:
        """Every matching normalised record, fetching pages only as they are consumed."""
        protocol = for_target(target)
        call = protocol.list_async(target, filters)
        pages = self._pages(call, protocol, protocol.async_list_key, target.region)
        return (protocol.normalise_async(r) for r in chain.from_iterable(pages))

    def stop_async(self, target: Target, async_id: str) -> str | None:
        """StopStatefulAsyncInvocation (2.0) / StopAsyncTask `PUT …/stop` (3.0); FC's request id."""
        protocol = for_target(target)
        response = self._send(protocol.stop_async(target, async_id), protocol, region=target.region)
        return response.headers.get("x-fc-request-id")

    # -- browsing a target --------------------------------------------------------------------

    def get_function(self, target: Any, *args: Any, **kwargs: Any) -> dict:
        """GetFunction: `get_function(target)`, or legacy 2.0 `get_function(service, function,
        qualifier=None)`."""
        if not isinstance(target, Target):
            target = _fc2_target(target, *args, **kwargs)
        protocol = for_target(target)
        return _json(self._send(protocol.get_function(target), protocol, region=target.region))

    def list_triggers(
        self, target: Any, *args: Any, limit: int | None = None, prefix: str | None = None
    ) -> Iterator[dict]:
        """ListTriggers of a function: `list_triggers(target)`, or legacy 2.0
        `list_triggers(service, function, *, limit=None)`."""
        if not isinstance(target, Target):
            target = _fc2_target(target, *args)
        protocol = for_target(target)
        return self._paginate(
            protocol.list_triggers(target, limit=limit, prefix=prefix), protocol, "triggers", target.region
        )

    def list_aliases(
        self, target: Any, *, limit: int | None = None, prefix: str | None = None
    ) -> Iterator[dict]:
        """ListAliases: of a 3.0 function, or of a 2.0 target's service; legacy 2.0
        `list_aliases(service, *, limit=None)`."""
        if not isinstance(target, Target):
            call = Call(
                "GET", f"{FC2.service_path(target, None)}/aliases", "ListAliases", params({"limit": limit})
            )
            return self._paginate(call, FC2_PROTOCOL, "aliases")
        protocol = for_target(target)
        return self._paginate(
            protocol.list_aliases(target, limit=limit, prefix=prefix), protocol, "aliases", target.region
        )

    def list_versions(
        self, target: Target, *, limit: int | None = None, direction: str | None = None
    ) -> Iterator[dict]:
        """ListFunctionVersions of a 3.0 function (`direction` FORWARD/BACKWARD), or
        ListServiceVersions of a 2.0 target's service."""
        protocol = for_target(target)
        call = protocol.list_versions(target, limit=limit, direction=direction)
        return self._paginate(call, protocol, "versions", target.region)

    def list_functions(
        self,
        service: str | None = None,
        qualifier: str | None = None,
        prefix: str | None = None,
        *,
        limit: int | None = None,
        region: str | None = None,
        **filters: Any,
    ) -> Iterator[dict]:
        """ListFunctions. With a `service`: FC 2.0, the service's functions (the legacy call,
        unchanged). Without: FC 3.0, the region's functions; `filters` are `fc_version` (`v3`,
        `v2`), `description`, `function_name`, `gpu_type`, `resource_group_id`, `runtime`, `tags`
        ({key: value})."""
        if service:
            if filters:
                raise TypeError(f"FC 2.0 ListFunctions takes no {', '.join(sorted(filters))}")
            call = Call(
                "GET",
                f"{FC2.service_path(service, qualifier)}/functions",
                "ListFunctions",
                params({"prefix": prefix, "limit": limit}),
            )
            return self._paginate(call, FC2_PROTOCOL, "functions", region)
        if qualifier:
            raise TypeError("FC 3.0 ListFunctions takes no qualifier")
        call = FC3_PROTOCOL.list_functions(list_functions_query(prefix=prefix, limit=limit, **filters))
        return self._paginate(call, FC3_PROTOCOL, "functions", region)

    # -- FC 2.0 legacy surface (service-based; the console's callers, until they move to targets) --

    def get_stateful_async_invocation(
        self, service: str, function: str, invocation_id: str, *, qualifier: str | None = None
    ) -> dict:
        """Legacy, 2.0 only: the raw record (see `get_async` for the normalised one)."""
        call = FC2_PROTOCOL.get_async(Target("", function, service, qualifier or ""), invocation_id)
        return _json(self._send(call, FC2_PROTOCOL))

    def list_stateful_async_invocations(self, service: str, function: str, **filters: Any) -> Iterator[dict]:
        """Legacy, 2.0 only. Every matching raw record, fetching pages (of `limit` records) only
        as they are consumed. Takes the filters of `stateful_async_invocation_page`, but its
        `next_token`.
        """
        call = FC2_PROTOCOL.tasks_listing(service, function, **filters)
        return chain.from_iterable(self._pages(call, FC2_PROTOCOL, "invocations"))

    def stateful_async_invocation_page(
        self, service: str, function: str, *, next_token: str | None = None, **filters: Any
    ) -> tuple[list[dict], str | None]:
        """Legacy, 2.0 only. Exactly one ListStatefulAsyncInvocations call: its raw records and
        FC's nextToken (None on the last page). A listing goes on later, one call at a time, with
        the same filters and the token. Filters: see `protocols.FC2.tasks_listing`.
        """
        call = FC2_PROTOCOL.tasks_listing(service, function, **filters)
        return self._page(call, FC2_PROTOCOL, "invocations", next_token)

    def stop_stateful_async_invocation(
        self, service: str, function: str, invocation_id: str, *, qualifier: str | None = None
    ) -> str | None:
        """Legacy, 2.0 only. StopStatefulAsyncInvocation; returns FC's request id."""
        return self.stop_async(Target("", function, service, qualifier or ""), invocation_id)

    def list_services(self, prefix: str | None = None, *, limit: int | None = None) -> Iterator[dict]:
        """2.0 only: FC 3.0 has no services."""
        call = Call(
            "GET", f"/{API_VERSION}/services", "ListServices", params({"prefix": prefix, "limit": limit})
        )
        return self._paginate(call, FC2_PROTOCOL, "services")

    def list_service_versions(self, service: str, *, limit: int | None = None) -> Iterator[dict]:
        """Legacy, 2.0 only (`list_versions(target)` serves both versions)."""
        call = Call(
            "GET",
            f"{FC2.service_path(service, None)}/versions",
            "ListServiceVersions",
            params({"limit": limit}),
        )
        return self._paginate(call, FC2_PROTOCOL, "versions")

    # -- transport --------------------------------------------------------------------------

    def _paginate(
        self, call: Call, protocol: Protocol, key: str, region: str | None = None
    ) -> Iterator[dict]:
        return chain.from_iterable(self._pages(call, protocol, key, region))

    def _pages(
        self, call: Call, protocol: Protocol, key: str, region: str | None = None
    ) -> Iterator[list[dict]]:
        seen: set[str] = set()
        token = None
        while True:
            items, token = self._page(call, protocol, key, token, region)
            yield items
            if not token:
                return
            if token in seen:  # a server repeating a token would loop us forever
                raise FCError(INVALID_RESPONSE, f"GET {call.path} returned the same nextToken twice")
            seen.add(token)

    def _page(
        self, call: Call, protocol: Protocol, key: str, token: str | None, region: str | None = None
    ) -> tuple[list[dict], str | None]:
        if token:
            call = replace(call, query=[*call.query, ("nextToken", token)])
        page = _json(self._send(call, protocol, region=region))
        items = page.get(key) or []
        if not isinstance(items, list):
            raise FCError(INVALID_RESPONSE, f"expected a list under {key!r} in the answer to GET {call.path}")
        return items, page.get("nextToken") or None

    def _prepare(
        self, method: str, url: str, headers: CaseInsensitiveDict, body: bytes
    ) -> requests.PreparedRequest:
        """What `Session.request` would prepare, without its per-call merging of cookies, auth,
        proxies and environment, none of which this session uses (it ignores the environment,
        keeps no cookies and signs itself): that merging was most of our client-side time.
        `url` is already percent-encoded ASCII (paths and query are built here) and `headers`
        are final (ours, or an HTTP request description `http_trigger` has checked)."""
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = url
        prepared.headers = headers
        prepared.prepare_body(body, None)
        prepared.prepare_hooks(self._session.hooks)
        return prepared

    def _send(
        self,
        call: Call,
        protocol: Protocol,
        *,
        region: str | None = None,
        base: str | None = None,
        timeout: float = API_TIMEOUT,
        signed: bool = True,
        is_error: Callable[[int, bytes], bool] = lambda status, body: status >= 400,
        trigger: bool = False,
    ) -> requests.Response:
        """Send with a fresh date and signature per attempt; retry only what `errors` allows."""
        base = base or self.endpoint_for_region(region, fc3=protocol is FC3_PROTOCOL)
        host = urlsplit(base).netloc
        url = base + call.path + (f"?{http_trigger.encode_query(call.query)}" if call.query else "")
        # GETs change nothing, so even one that may have reached FC is safe to send again.
        idempotent = call.method == "GET"
        attempt = 0
        while True:
            try:
                if trigger:
                    headers = trigger_headers(self._creds, call, host, signed)
                else:
                    headers = protocol.headers(self._creds, call, host, signed)
                response = self._session.send(
                    self._prepare(call.method, url, headers, call.body),
                    timeout=(self.connect_timeout, timeout),
                    allow_redirects=False,
                )
                if is_error(response.status_code, response.content):
                    refusal = protocol.error(
                        response.status_code,
                        response.content,
                        response.headers.get("x-fc-request-id"),
                        protocol.retry_after(response.headers),
                    )
                    refusal.exchange = Exchange.of(response)
                    raise refusal
                return response
            except requests.RequestException as exc:
                error, cause = network.error_from(exc, call.method, call.path), exc
            except FCError as exc:
                error, cause = exc, None
            may_retry = error.retryable or (idempotent and error.outcome_unknown)
            if not may_retry or attempt >= self.max_retries:
                raise error from cause
            time.sleep(
                backoff.delay(attempt, base=self.backoff, cap=MAX_BACKOFF, retry_after=error.retry_after)
            )
            attempt += 1


def normalize_endpoint(endpoint: str) -> str:
    """`scheme://host[:port]`; a bare host means https, as in the Python SDK."""
    endpoint = endpoint.strip()
    if not endpoint:
        raise ValueError("an endpoint is required")
    if "://" not in endpoint:
        endpoint = f"https://{endpoint}"
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"endpoint must be an http(s) URL, got {endpoint!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"endpoint must not carry a path or query, got {endpoint!r}")
    return f"{parts.scheme}://{parts.netloc}"


def account_id_of(endpoint: str) -> str | None:
    """The account id in an FC endpoint's host (`{account}.{region}[-internal].fc.aliyuncs.com`)."""
    host = urlsplit(endpoint).hostname or ""
    first_label = host.split(".", 1)[0]
    return first_label if host.endswith(".fc.aliyuncs.com") and first_label.isdigit() else None


def _fc2_target(service: str, function: str, qualifier: str | None = None) -> Target:
    return Target("", function, service, qualifier or "")


def _fc_refusal(status: int, body: bytes) -> bool:
    """An HTTP function may answer any status; only FC's own error bodies are errors."""
    return status >= 400 and error_code_of(body) is not None


def _trigger_url(trigger: Mapping[str, Any], target: Target) -> str:
    url = (trigger.get("httpTrigger") or {}).get("urlInternet") or trigger.get("urlInternet")
    if not url:
        raise FCError(HTTP_TRIGGER_NOT_FOUND, f"the HTTP trigger of {target} reports no urlInternet")
    return str(url)


def _trigger_auth_type(trigger: Mapping[str, Any]) -> str:
    """`authType` from the trigger's config (a JSON string in 3.0, an object in 2.0 answers)."""
    config = trigger.get("triggerConfig") or {}
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            config = {}
    return str(config.get("authType", "function")).lower() if isinstance(config, dict) else "function"


def _invocation_type(value: str) -> str:
    kind = (value or "Sync").capitalize()
    if kind not in INVOCATION_TYPES:
        raise ValueError(f"invocation_type must be Sync or Async, got {value!r}")
    return kind


def _bytes(event: Event) -> bytes:
    if isinstance(event, str):
        return event.encode("utf-8")
    return bytes(event)


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise FCError(
            INVALID_RESPONSE,
            f"expected a JSON object from {response.request.method} {urlsplit(response.url).path}",
            response.status_code,
            response.headers.get("x-fc-request-id"),
        )
    return data


def _with_exchange(result, response: requests.Response):
    """The result, carrying the exchange it came from (secrets masked)."""
    result.exchange = Exchange.of(response)
    return result
