"""A request as fclocal's operations see it, and the response they give back."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import unquote_plus


def new_request_id() -> str:
    """The newer FC request id form, e.g. `1-658af93f-a6c876063a36f1d872097e6a`."""
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"


@dataclass
class Request:
    method: str
    raw_path: str  # as received, percent-encoded, without the query
    raw_query: str
    headers: dict[str, str]  # lower-case names (the last value of a repeated header)
    body: bytes
    remote_addr: str
    server_name: str
    server_port: int
    request_id: str = field(default_factory=new_request_id)
    header_list: list[tuple[str, str]] = field(default_factory=list)  # as received, repeats kept

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


def json_response(data: dict, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        status, json.dumps(data).encode(), [("Content-Type", "application/json"), *(headers or [])]
    )


Route = tuple[str, re.Pattern, str]


def routes(prefix: str, table: list[tuple[str, str, str]]) -> list[Route]:
    """`(method, pattern below prefix, operation name)` rows, compiled; `{name}` is one segment."""
    return [
        (method, re.compile("^" + prefix + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"), name)
        for method, pattern, name in table
    ]


def match(table: list[Route], method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The operation a decoded path and method address, with its path parameters."""
    for route_method, pattern, name in table:
        found = pattern.match(path)
        if found and route_method == method:
            return name, found.groupdict()
    return None


def etag(data: dict) -> str:
    """An ETag that changes exactly when the resource's JSON does."""
    return '"' + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32] + '"'
