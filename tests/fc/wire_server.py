"""A tiny HTTP server that records exactly what arrives and answers what a test scripts: for the
FC 3.0 client's wire tests. It plays no FC logic."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus


@dataclass
class Received:
    method: str
    raw_path: str  # as on the request line, without the query
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def query_pairs(self) -> list[tuple[str, str | None]]:
        """Decoded form-style, as fclocal does."""
        pairs = []
        for part in filter(None, self.raw_query.split("&")):
            key, sep, value = part.partition("=")
            pairs.append((unquote_plus(key), unquote_plus(value) if sep else None))
        return pairs

    @property
    def query(self) -> dict[str, str | None]:
        return dict(self.query_pairs)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


class WireServer:
    """`answer(n, received)` for the n-th request (0-based) returns an `Answer`."""

    def __init__(self, answer):
        self.answer = answer
        self.received: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                raw_path, _, raw_query = self.path.partition("?")
                got = Received(
                    self.command, raw_path, raw_query, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with server._lock:
                    n = len(server.received)
                    server.received.append(got)
                reply = server.answer(n, got)
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"

    def __enter__(self) -> WireServer:
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def last(self) -> Received:
        return self.received[-1]
