"""The instance process: FC's Python runtime, run as `python runtime.py <in_fd> <out_fd>`.

The server starts one such process per instance, with the function's code directory as working
directory and first `sys.path` entry, and the function's environment variables. It talks to the
server over two pipes in frames (`write_frame` / `read_frame`): a JSON header and raw bytes.

Server -> instance: `init` (import the handler, run the initializer), `invoke` (event handler),
`http` (WSGI handler). Instance -> server: `log` frames carrying what one request printed or logged
(sent as it happens, so a killed instance loses no log line, and tagged with the request id, so
concurrent requests never mix), then one `done` frame per request.

This file imports only the standard library: it runs inside the user's process, and must not put
fclocal's modules on the user's import path.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import struct
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

_HEADER = struct.Struct("!II")


def write_frame(stream, lock: threading.Lock, header: dict, body: bytes = b"") -> None:
    data = json.dumps(header, separators=(",", ":")).encode()
    with lock:
        stream.write(_HEADER.pack(len(data), len(body)) + data + body)
        stream.flush()


def read_frame(stream) -> tuple[dict, bytes] | None:
    """One frame, or None at end of stream."""
    prefix = _read_exactly(stream, _HEADER.size)
    if prefix is None:
        return None
    header_len, body_len = _HEADER.unpack(prefix)
    header = _read_exactly(stream, header_len)
    body = _read_exactly(stream, body_len) if body_len else b""
    if header is None or body is None:
        return None
    return json.loads(header), body


def _read_exactly(stream, n: int) -> bytes | None:
    chunks, remaining = [], n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def max_memory_mb() -> float:
    """Peak resident memory of this instance so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# Everything below runs only inside the instance process.

_current = threading.local()


class _RequestStream(io.TextIOBase):
    """stdout/stderr: text written while handling a request goes to that request's log."""

    def __init__(self, instance: InstanceRuntime, fallback):
        self.instance, self.fallback = instance, fallback

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        request_id = getattr(_current, "request_id", None)
        if request_id is None:
            self.fallback.write(text)
            self.fallback.flush()
        elif text:
            self.instance.send({"op": "log", "id": request_id}, text.encode("utf-8", "replace"))
        return len(text)

    def flush(self) -> None:
        self.fallback.flush()


class _FCFormatter(logging.Formatter):
    """`2024-02-27T08:35:26.651Z <requestId> [INFO] message` (fc-api.md 7.3)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        request_id = getattr(_current, "request_id", "") or ""
        text = f"{stamp} {request_id} [{record.levelname}] {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class _Namespace:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"


class Credentials(_Namespace):
    pass


class FunctionMeta(_Namespace):
    pass


class ServiceMeta(_Namespace):
    pass


class FCContext(_Namespace):
    """The `context` argument (fc-api.md 7.2). fclocal has no service role: credentials are empty."""

    def getLogger(self) -> logging.Logger:  # noqa: N802 - FC's name
        return logging.getLogger()


def _context(meta: dict, request_id: str, qualifier: tuple[str, str] = ("LATEST", "LATEST")) -> FCContext:
    service = {**meta["service"], "qualifier": qualifier[0], "version_id": qualifier[1]}
    return FCContext(
        request_id=request_id,
        credentials=Credentials(access_key_id="", access_key_secret="", security_token=""),
        function=FunctionMeta(**meta["function"]),
        service=ServiceMeta(**service),
        region=meta["region"],
        account_id=meta["account_id"],
    )


def _user_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]


def error_body(exc: BaseException) -> dict:
    """The runtime's error JSON (fc-api.md 3.4), without fclocal's own frames."""
    frames = _user_frames(exc)
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": [
            [f'File "{f.filename}"', f"line {f.lineno}", f"in {f.name}", f.line or ""] for f in frames
        ],
    }


def to_bytes(result) -> bytes:
    """A handler's return value as the response body. FC documents str/bytes; others are
    rendered as JSON when possible (fclocal's choice), else with str()."""
    if result is None:
        return b""
    if isinstance(result, bytes | bytearray | memoryview):
        return bytes(result)
    if isinstance(result, str):
        return result.encode()
    try:
        return json.dumps(result).encode()
    except (TypeError, ValueError):
        return str(result).encode()


def _resolve(spec: str):
    module_name, _, attr = spec.rpartition(".")
    module = __import__(module_name.replace("/", "."), fromlist=["_"])
    return getattr(module, attr)


class InstanceRuntime:
    """This process's side of an instance: runs what the server sends, one thread per request."""

    def __init__(self, meta: dict, out_fd: int):
        self.meta = meta
        self.out = os.fdopen(out_fd, "wb", buffering=0)
        self.lock = threading.Lock()
        self.handler = None
        self.pool = ThreadPoolExecutor(max_workers=meta["function"]["concurrency"])

    def send(self, header: dict, body: bytes = b"") -> None:
        write_frame(self.out, self.lock, header, body)

    def done(self, request_id: str, started: float, body: bytes = b"", **fields) -> None:
        fields.update(id=request_id, op="done", duration_ms=(time.perf_counter() - started) * 1000)
        fields["max_memory_mb"] = max_memory_mb()
        self.send(fields, body)

    def handle(self, header: dict, body: bytes) -> None:
        request_id = header["id"]
        _current.request_id = request_id
        started = time.perf_counter()
        try:
            if header["op"] == "init":
                self.initialize(request_id)
                self.done(request_id, started)
            elif header["op"] == "invoke":
                result = self.handler(body, _context(self.meta, request_id, header["qualifier"]))
                self.done(request_id, started, to_bytes(result))
            else:
                context = _context(self.meta, request_id, header["qualifier"])
                status, headers, payload = self.call_wsgi(header["request"], body, context)
                self.done(request_id, started, payload, status=status, headers=headers)
        except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
            error = error_body(exc)
            logging.getLogger().error("%s", _format_tb(exc))
            self.done(request_id, started, json.dumps(error).encode(), error=error)
        finally:
            _current.request_id = None

    def initialize(self, request_id: str) -> None:
        function = self.meta["function"]
        try:
            self.handler = _resolve(function["handler"])
        except (ImportError, AttributeError, SyntaxError) as exc:
            raise type(exc)(f"Unable to import handler '{function['handler']}': {exc}") from exc
        if function["initializer"]:
            _resolve(function["initializer"])(_context(self.meta, request_id))

    def call_wsgi(self, request: dict, body: bytes, context: FCContext):
        environ = {
            "REQUEST_METHOD": request["method"],
            "SCRIPT_NAME": "",
            "PATH_INFO": request["path"],
            "QUERY_STRING": request["query"],
            "CONTENT_TYPE": request["headers"].get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": request["server_name"],
            "SERVER_PORT": str(request["server_port"]),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": request["remote_addr"],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "fc.context": context,
            "fc.request_uri": request["request_uri"],
        }
        for name, value in request["headers"].items():
            if name not in ("content-type", "content-length"):
                environ["HTTP_" + name.upper().replace("-", "_")] = value
        started: list = []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]
            return lambda data: chunks.append(data)

        chunks: list[bytes] = []
        result = self.handler(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if not started:
            raise RuntimeError("the WSGI handler returned without calling start_response")
        status = int(str(started[0]).split(" ", 1)[0])
        return status, [[str(k), str(v)] for k, v in started[1]], b"".join(bytes(c) for c in chunks)

    def serve(self, in_fd: int) -> None:
        stream = os.fdopen(in_fd, "rb", buffering=0)
        while (frame := read_frame(stream)) is not None:
            header, body = frame
            if header["op"] == "init":
                self.handle(header, body)  # nothing else may run before the handler exists
            else:
                self.pool.submit(self.handle, header, body)
        os._exit(0)  # the server closed the pipe: it is done with this instance


def _format_tb(exc: BaseException) -> str:
    frames = "".join(traceback.format_list(_user_frames(exc)))
    return f"Traceback (most recent call last):\n{frames}{type(exc).__name__}: {exc}"


def main() -> None:
    in_fd, out_fd = int(sys.argv[1]), int(sys.argv[2])
    meta = json.loads(sys.argv[3])
    # The user's code directory replaces fclocal's own directory on the import path.
    sys.path[0] = os.getcwd()
    instance = InstanceRuntime(meta, out_fd)
    sys.stdout = _RequestStream(instance, sys.__stdout__)
    sys.stderr = _RequestStream(instance, sys.__stderr__)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_FCFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    instance.serve(in_fd)


if __name__ == "__main__":
    main()
