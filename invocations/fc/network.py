"""Naming what went wrong on the wire, from the exceptions requests and urllib3 raise.

The distinction that matters is *before* or *after* the request was sent: a refused connection
means FC never saw it; a reset or a read timeout means it may have run.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError, ProtocolError, ReadTimeoutError

from .errors import (
    CONNECT_TIMEOUT,
    CONNECTION_FAILED,
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    READ_TIMEOUT,
    FCError,
)


def error_from(exc: requests.RequestException, method: str, path: str) -> FCError:
    """An `FCError` (status None) for a transport failure. The text names no header or secret."""
    where = f"{method} {path}"
    causes = list(_causes(exc))
    if isinstance(exc, requests.ConnectTimeout):
        return FCError(CONNECT_TIMEOUT, f"{where}: timed out connecting; nothing was sent")
    if isinstance(exc, requests.ReadTimeout) or _has(causes, ReadTimeoutError, socket.timeout):
        return FCError(READ_TIMEOUT, f"{where}: no answer before the read timeout; the request may have run")
    if _has(causes, NameResolutionError, socket.gaierror):
        return FCError(CONNECTION_FAILED, f"{where}: the endpoint's host name does not resolve")
    if _has(causes, ConnectionRefusedError):
        return FCError(CONNECTION_REFUSED, f"{where}: connection refused; nothing was sent")
    if _has(causes, NewConnectionError):
        return FCError(CONNECTION_FAILED, f"{where}: could not connect ({_root(causes)}); nothing was sent")
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return FCError(CONNECTION_FAILED, f"{where}: {type(exc).__name__}; nothing was sent")
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError) or _has(
        causes, ProtocolError, ConnectionError
    ):
        return FCError(
            CONNECTION_RESET,
            f"{where}: the connection broke after sending ({_root(causes)}); the request may have run",
        )
    return FCError(CONNECTION_FAILED, f"{where}: {type(exc).__name__}")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything it wraps: args, urllib3's `.reason`, `__cause__`, `__context__`."""
    stack, seen = [exc], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        stack.extend(e for e in linked if isinstance(e, BaseException))


def _has(causes: list[BaseException], *kinds: type) -> bool:
    return any(isinstance(c, kinds) for c in causes)


def _root(causes: list[BaseException]) -> str:
    """The innermost OS-level reason, e.g. `ConnectionResetError`, without addresses or headers."""
    os_errors = [c for c in causes if isinstance(c, OSError) and not isinstance(c, requests.RequestException)]
    return type(os_errors[-1] if os_errors else causes[-1]).__name__
