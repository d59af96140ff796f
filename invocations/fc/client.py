"""`FCClient`: the FC 2.0 API calls the console makes, over one pooled, thread-safe session.

Every request is signed with the "FC" scheme (signing.py). Failures come out as `FCError`;
which of them are retried is decided by `errors.classify`: only what FC certainly did not act
on is sent again, and a call that may have reached FC is never re-sent unless it is a GET.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from http.cookiejar import DefaultCookiePolicy
from itertools import chain
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from . import backoff, http_trigger, network
from .errors import INVALID_RESPONSE, FCError, error_code_of
from .results import HttpInvokeResult, InvokeResult
from .signing import API_VERSION, http_date, sign

# `s invoke`'s client timeout without a function timeout (fc-api.md 10.2). Callers that know the
# function's timeout pass their own (the console stores one per invocation; `manage.py invoke`
# adds s invoke's margin to --timeout).
DEFAULT_INVOKE_TIMEOUT = 600.0
# Browsing and task calls answer at once; this only bounds a hung server.
API_TIMEOUT = 60.0
MAX_BACKOFF = 30.0
INVOCATION_TYPES = ("Sync", "Async")

Pair = tuple[str, str | None]  # a decoded query parameter; None for a bare key


def read_timeout(timeout: float | None) -> float:
    """How long to wait for FC's answer to an invoke, in seconds."""
    return float(timeout) if timeout else DEFAULT_INVOKE_TIMEOUT


class FCClient:
    """Thread-safe: one instance may serve many threads; connections are pooled and reused."""

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
    ):
        if not access_key_id or not access_key_secret:
            raise ValueError("an AccessKey id and secret are required")
        self.endpoint = normalize_endpoint(endpoint)
        # Real endpoints carry the account in the host; an override (fclocal) needs it given.
        self.account_id = account_id or account_id_of(self.endpoint)
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self._token = security_token or None
        self.connect_timeout = connect_timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.user_agent = user_agent or f"fcconsole/1 python-requests/{requests.__version__}"
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
        return f"FCClient({self.endpoint!r}, access_key_id={self.access_key_id!r})"

    @staticmethod
    def endpoint_for(account_id: str, region: str, internal: bool = False) -> str:
        suffix = "-internal" if internal else ""
        return f"https://{account_id}.{region}{suffix}.fc.aliyuncs.com"

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

    def invoke(
        self,
        service: str,
        function: str,
        event: bytes = b"",
        *,
        qualifier: str | None = None,
        invocation_type: str = "Sync",
        log_tail: bool = True,
        async_invocation_id: str | None = None,
        timeout: float | None = None,
    ) -> InvokeResult:
        """InvokeFunction. A function that raised is a result with `function_failed`, not an error."""
        kind = _invocation_type(invocation_type)
        headers = {"Content-Type": "application/octet-stream", "X-Fc-Invocation-Type": kind}
        if kind == "Sync" and log_tail:
            headers["X-Fc-Log-Type"] = "Tail"
        if async_invocation_id:
            headers["X-Fc-Stateful-Async-Invocation-Id"] = async_invocation_id
        path = f"{_function_path(service, qualifier, function)}/invocations"
        response = self._call(
            "POST", path, headers=headers, body=_bytes(event), timeout=read_timeout(timeout)
        )
        return InvokeResult.from_response(
            response.status_code, response.headers, response.content, response.url, async_invocation_id
        )

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
    ) -> HttpInvokeResult:
        """Send `request` ({method, path, headers, queries, body}) to the function's HTTP trigger.

        Any status the function answers with is a result; only FC's own refusals (4xx/5xx with
        an FC ErrorCode body: auth, not found, throttling) raise `FCError`.
        Raises `http_trigger.HttpRequestError` (a ValueError) for an unusable description.
        """
        kind = _invocation_type(invocation_type)
        proxy = http_trigger.build(request, service, function, qualifier)
        headers = CaseInsensitiveDict(proxy.headers)
        headers["X-Fc-Invocation-Type"] = kind
        headers["X-Fc-Log-Type"] = "Tail" if kind == "Sync" else "None"
        response = self._call(
            proxy.method,
            proxy.path,
            query=proxy.query,
            headers=headers,
            body=proxy.body,
            timeout=read_timeout(timeout),
            signed=signed,
            is_error=lambda status, body: status >= 400 and error_code_of(body) is not None,
        )
        return HttpInvokeResult.from_response(
            response.status_code, response.headers, response.content, response.url
        )

    # -- stateful async invocations (fc-api.md 4) -------------------------------------------

    def get_stateful_async_invocation(
        self, service: str, function: str, invocation_id: str, *, qualifier: str | None = None
    ) -> dict:
        path = f"{_tasks_path(service, qualifier, function)}/{_seg(invocation_id)}"
        return _json(self._call("GET", path))

    def list_stateful_async_invocations(self, service: str, function: str, **filters: Any) -> Iterator[dict]:
        """Every matching record, fetching pages (of `limit` records) only as they are consumed.

        Takes the filters of `stateful_async_invocation_page`, but its `next_token`.
        """
        path, query = _tasks_listing(service, function, **filters)
        return chain.from_iterable(self._pages(path, "invocations", query))

    def stateful_async_invocation_page(
        self, service: str, function: str, *, next_token: str | None = None, **filters: Any
    ) -> tuple[list[dict], str | None]:
        """Exactly one ListStatefulAsyncInvocations call: its records and FC's nextToken (None on
        the last page). A listing goes on later, one call at a time, with the same filters and
        the token. Filters: see `_tasks_listing`.
        """
        path, query = _tasks_listing(service, function, **filters)
        return self._page(path, "invocations", query, next_token)

    def stop_stateful_async_invocation(
        self, service: str, function: str, invocation_id: str, *, qualifier: str | None = None
    ) -> str | None:
        """StopStatefulAsyncInvocation; returns FC's request id."""
        path = f"{_tasks_path(service, qualifier, function)}/{_seg(invocation_id)}"
        response = self._call("PUT", path, headers={"Content-Type": "application/json"})
        return response.headers.get("x-fc-request-id")

    # -- browsing (fc-api.md 5) -------------------------------------------------------------

    def list_services(self, prefix: str | None = None, *, limit: int | None = None) -> Iterator[dict]:
        return self._paginate(f"/{API_VERSION}/services", "services", {"prefix": prefix, "limit": limit})

    def list_functions(
        self,
        service: str,
        qualifier: str | None = None,
        prefix: str | None = None,
        *,
        limit: int | None = None,
    ) -> Iterator[dict]:
        path = f"{_service_path(service, qualifier)}/functions"
        return self._paginate(path, "functions", {"prefix": prefix, "limit": limit})

    def get_function(self, service: str, function: str, qualifier: str | None = None) -> dict:
        return _json(self._call("GET", _function_path(service, qualifier, function)))

    def list_aliases(self, service: str, *, limit: int | None = None) -> Iterator[dict]:
        return self._paginate(f"{_service_path(service, None)}/aliases", "aliases", {"limit": limit})

    def list_service_versions(self, service: str, *, limit: int | None = None) -> Iterator[dict]:
        return self._paginate(f"{_service_path(service, None)}/versions", "versions", {"limit": limit})

    def list_triggers(self, service: str, function: str, *, limit: int | None = None) -> Iterator[dict]:
        path = f"{_function_path(service, None, function)}/triggers"
        return self._paginate(path, "triggers", {"limit": limit})

    # -- transport --------------------------------------------------------------------------

    def _paginate(self, path: str, key: str, query: Mapping[str, object]) -> Iterator[dict]:
        return chain.from_iterable(self._pages(path, key, query))

    def _pages(self, path: str, key: str, query: Mapping[str, object]) -> Iterator[list[dict]]:
        seen: set[str] = set()
        token = None
        while True:
            items, token = self._page(path, key, query, token)
            yield items
            if not token:
                return
            if token in seen:  # a server repeating a token would loop us forever
                raise FCError(INVALID_RESPONSE, f"GET {path} returned the same nextToken twice")
            seen.add(token)

    def _page(
        self, path: str, key: str, query: Mapping[str, object], token: str | None
    ) -> tuple[list[dict], str | None]:
        params = [(k, str(v)) for k, v in query.items() if v is not None]
        page = _json(self._call("GET", path, query=params + ([("nextToken", token)] if token else [])))
        items = page.get(key) or []
        if not isinstance(items, list):
            raise FCError(INVALID_RESPONSE, f"expected a list under {key!r} in the answer to GET {path}")
        return items, page.get("nextToken") or None

    def _headers(
        self, method: str, path: str, headers: Mapping[str, str], query: Sequence[Pair], signed: bool
    ) -> CaseInsensitiveDict:
        # Case-insensitive, so a caller's `x-fc-log-type` and our `X-Fc-Log-Type` are one header:
        # what we sign must be exactly what goes on the wire.
        out = CaseInsensitiveDict({"Content-Type": "application/json", **headers})
        out["Date"] = http_date()
        out["User-Agent"] = self.user_agent
        if self.account_id:
            out["X-Fc-Account-Id"] = self.account_id
        if self._token:
            out["X-Fc-Security-Token"] = self._token
        if signed:
            out["Authorization"] = sign(self.access_key_id, self._secret, method, path, out, query)
        return out

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[Pair] = (),
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        timeout: float = API_TIMEOUT,
        signed: bool = True,
        is_error: Callable[[int, bytes], bool] = lambda status, body: status >= 400,
    ) -> requests.Response:
        """Send with a fresh Date and signature per attempt; retry only what `errors` allows."""
        query = list(query)
        url = self.endpoint + path + (f"?{http_trigger.encode_query(query)}" if query else "")
        # GETs change nothing, so even one that may have reached FC is safe to send again.
        idempotent = method == "GET"
        attempt = 0
        while True:
            try:
                response = self._session.request(
                    method,
                    url,
                    headers=self._headers(method, path, headers or {}, query, signed),
                    data=body,
                    timeout=(self.connect_timeout, timeout),
                    allow_redirects=False,
                )
                if is_error(response.status_code, response.content):
                    raise FCError.from_response(
                        response.status_code,
                        response.content,
                        response.headers.get("x-fc-request-id"),
                        response.headers.get("retry-after"),
                    )
                return response
            except requests.RequestException as exc:
                error, cause = network.error_from(exc, method, path), exc
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


def _seg(name: str) -> str:
    if not name:
        raise ValueError("names in an FC path must not be empty")
    return quote(name, safe="")


def _service_path(service: str, qualifier: str | None) -> str:
    target = f"{service}.{qualifier}" if qualifier else service
    return f"/{API_VERSION}/services/{_seg(target)}"


def _function_path(service: str, qualifier: str | None, function: str) -> str:
    return f"{_service_path(service, qualifier)}/functions/{_seg(function)}"


def _tasks_path(service: str, qualifier: str | None, function: str) -> str:
    return f"{_function_path(service, qualifier, function)}/stateful-async-invocations"


def _tasks_listing(
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
) -> tuple[str, dict]:
    """Path and query of ListStatefulAsyncInvocations (fc-api.md 4.1); times in epoch ms."""
    return _tasks_path(service, qualifier, function), {
        "status": status,
        "startedTimeBegin": _epoch_ms(started_time_begin),
        "startedTimeEnd": _epoch_ms(started_time_end),
        "sortOrderByTime": sort_order_by_time,
        "invocationIdPrefix": invocation_id_prefix,
        "includePayload": "true" if include_payload else None,
        "limit": limit,
    }


def _invocation_type(value: str) -> str:
    kind = (value or "Sync").capitalize()
    if kind not in INVOCATION_TYPES:
        raise ValueError(f"invocation_type must be Sync or Async, got {value!r}")
    return kind


def _bytes(event: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(event, str):
        return event.encode("utf-8")
    return bytes(event)


def _epoch_ms(value: int | datetime | None) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return value


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
