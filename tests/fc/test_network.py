"""Naming transport failures from the exception chains requests raises (as built by its adapter)."""

from __future__ import annotations

import socket
from http.client import RemoteDisconnected

import pytest
import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from invocations.fc.network import error_from

URL = "/2016-08-15/services/demo/functions/hello/invocations"


def _new_connection_error(cause: OSError) -> NewConnectionError:
    error = NewConnectionError(None, f"Failed to establish a new connection: {cause}")
    error.__cause__ = cause
    return error


CASES = [
    (
        requests.ConnectionError(
            MaxRetryError(None, URL, _new_connection_error(ConnectionRefusedError(111, "refused")))
        ),
        "ConnectionRefused",
    ),
    (
        requests.ConnectTimeout(MaxRetryError(None, URL, ConnectTimeoutError(None, "timed out"))),
        "ConnectTimeout",
    ),
    (
        requests.ConnectionError(
            MaxRetryError(
                None,
                URL,
                NameResolutionError("nohost", None, socket.gaierror(-2, "Name or service not known")),
            )
        ),
        "ConnectionFailed",
    ),
    (
        requests.ConnectionError(
            MaxRetryError(None, URL, _new_connection_error(OSError(101, "Network is unreachable")))
        ),
        "ConnectionFailed",
    ),
    (requests.exceptions.SSLError("certificate verify failed"), "ConnectionFailed"),
    (requests.ReadTimeout(ReadTimeoutError(None, URL, "Read timed out.")), "ReadTimeout"),
    # a read timeout while reading the body surfaces as a ConnectionError
    (requests.ConnectionError(ReadTimeoutError(None, URL, "Read timed out.")), "ReadTimeout"),
    (
        requests.ConnectionError(ProtocolError("Connection aborted.", RemoteDisconnected("closed"))),
        "ConnectionReset",
    ),
    (
        requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))),
        "ConnectionReset",
    ),
    (
        requests.exceptions.ChunkedEncodingError(ProtocolError("Response ended prematurely")),
        "ConnectionReset",
    ),
    (requests.exceptions.InvalidURL("bad"), "ConnectionFailed"),
]


@pytest.mark.parametrize(("exc", "code"), CASES, ids=[c for _, c in CASES])
def test_transport_failures_get_their_code(exc, code):
    error = error_from(exc, "POST", URL)
    assert error.code == code
    assert error.status is None
    assert error.message.startswith(f"POST {URL}: ")
