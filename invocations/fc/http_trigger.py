"""Turning an `s invoke` HTTP request description into a request to FC's proxy (fc-api.md 10.3),
or to an HTTP trigger's own URL (FC 3.0).

The description is `{method, path, headers, queries, body}` (the `http` event of fc-api.md 8).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from urllib3 import encode_multipart_formdata

from .signing import API_VERSION

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
DEFAULT_CONTENT_TYPE = "text/plain"


class HttpRequestError(ValueError):
    """The request description cannot be sent as given."""


@dataclass(frozen=True)
class ProxyRequest:
    method: str
    path: str  # on the wire: percent-encoded, without the query
    query: list[tuple[str, str | None]]  # decoded pairs, in the caller's order; None = bare key
    headers: dict[str, str]
    body: bytes


def proxy_path(service: str, function: str, qualifier: str | None, path: str = "") -> str:
    """`/2016-08-15/proxy/{service}[.{q}]/{function}/{path}`, percent-encoded.

    `s invoke` produces a double slash when `path` starts with `/`; we join with one slash, so
    `path` "/a" and "a" address the same thing.
    """
    target = f"{service}.{qualifier}" if qualifier else service
    rest = quote(path.lstrip("/"), safe="/")
    return f"/{API_VERSION}/proxy/{quote(target, safe='')}/{quote(function, safe='')}/{rest}"


def query_pairs(queries: Mapping[str, object] | None) -> list[tuple[str, str | None]]:
    """`{"a": "1", "b": ["2", "3"], "c": None}` -> `[("a","1"), ("b","2"), ("b","3"), ("c",None)]`."""
    if not queries:
        return []
    if not isinstance(queries, Mapping):
        raise HttpRequestError("queries must be an object mapping names to values")
    pairs: list[tuple[str, str | None]] = []
    for key, value in queries.items():
        if value is None or value == []:
            pairs.append((str(key), None))
        elif isinstance(value, list | tuple):
            pairs.extend((str(key), _scalar(v)) for v in value)
        else:
            pairs.append((str(key), _scalar(value)))
    return pairs


def encode_query(pairs: list[tuple[str, str | None]]) -> str:
    """RFC 3986 form (space as %20); a bare key stays bare."""
    return "&".join(
        quote(k, safe="") if v is None else urlencode([(k, v)], quote_via=quote) for k, v in pairs
    )


def serialize_body(body: object, content_type: str) -> tuple[bytes, str]:
    """The body bytes for `content_type`, and the Content-Type to send (multipart adds a boundary).

    Text and bytes go as they are. An object goes as JSON, except for form-urlencoded (a query
    string) and multipart/form-data (form fields), as `s invoke` does.
    """
    if body is None:
        return b"", content_type
    if isinstance(body, bytes):
        return body, content_type
    if isinstance(body, str):
        return body.encode("utf-8"), content_type
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded" and isinstance(body, Mapping):
        return urlencode(_form_pairs(body), quote_via=quote).encode(), content_type
    if kind == "multipart/form-data" and isinstance(body, Mapping):
        data, multipart_type = encode_multipart_formdata({str(k): _scalar(v) for k, v in body.items()})
        return data, multipart_type
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), content_type


def _form_pairs(body: Mapping[str, object]) -> list[tuple[str, str]]:
    return [(k, "" if v is None else v) for k, v in query_pairs(body)]


def build(request: Mapping[str, object], service: str, function: str, qualifier: str | None) -> ProxyRequest:
    """The FC 2.0 proxy request (`/2016-08-15/proxy/...`) for `request`."""
    return _build(request, lambda path: proxy_path(service, function, qualifier, path))


def build_for_url(request: Mapping[str, object], base_path: str = "") -> ProxyRequest:
    """The request for an HTTP trigger's own URL (FC 3.0 `urlInternet`, whose path is
    `base_path`): the description's path joined to it with one slash, percent-encoded."""
    base = base_path.rstrip("/")
    return _build(request, lambda path: f"{base}/{quote(path.lstrip('/'), safe='/')}")


def _build(request: Mapping[str, object], path_for: Callable[[str], str]) -> ProxyRequest:
    if not isinstance(request, Mapping):
        raise HttpRequestError("the HTTP request must be an object with method, path, headers, queries, body")
    method = str(request.get("method") or "GET").upper()
    if method not in METHODS:
        raise HttpRequestError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    path = request.get("path") or ""
    if not isinstance(path, str):
        raise HttpRequestError("path must be a string")
    headers = request.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise HttpRequestError("headers must be an object mapping names to values")
    headers = {str(k): _scalar(v) for k, v in headers.items()}
    for name, value in headers.items():
        if not _is_latin1(name + value):
            raise HttpRequestError(
                f"header {name!r} must be plain text (Latin-1); percent-encode other characters"
            )
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), DEFAULT_CONTENT_TYPE)
    body, content_type = serialize_body(request.get("body"), content_type)
    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
    headers["Content-Type"] = content_type
    return ProxyRequest(
        method=method,
        path=path_for(path),
        query=query_pairs(request.get("queries")),  # type: ignore[arg-type]
        headers=headers,
        body=body,
    )


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise HttpRequestError(f"expected a string or number, got {type(value).__name__}")


def _is_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return "\r" not in text and "\n" not in text
