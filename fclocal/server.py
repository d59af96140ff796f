"""HTTP plumbing: a threading HTTP/1.1 server with keep-alive and a deep listen backlog.

One thread per connection holds up well past 1,000 requests in flight (each waits on its
instance), and the backlog keeps a burst of new connections from being refused.
"""

from __future__ import annotations

import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fclocal import errors
from fclocal.app import App
from fclocal.wire import Request, Response

LISTEN_BACKLOG = 4096
# Bodies beyond this are not even drained: the connection is closed after the 400.
DRAIN_LIMIT = 2 * errors.SYNC_PAYLOAD_LIMIT


class PayloadTooLarge(Exception):
    pass


class Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App, access_log: bool = False):
        super().__init__(address, Handler)
        self.app = app
        self.access_log = access_log

    def handle_error(self, request, client_address) -> None:
        """A client that hung up before its answer is routine (a timeout on its side), not a bug."""
        if isinstance(sys.exception(), ConnectionError):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection holds a thread; close it after this many seconds.
    timeout = 120
    server: Server

    def do_GET(self) -> None:  # noqa: N802 - BaseHTTPRequestHandler's names
        self.handle_api()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def handle_api(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        request = Request(
            method=self.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers={k.lower(): v for k, v in self.headers.items()},
            header_list=list(self.headers.items()),
            body=b"",
            remote_addr=self.client_address[0],
            server_name=self.server.server_address[0],
            server_port=self.server.server_address[1],
        )
        try:
            request.body = self.read_body()
            response = self.server.app.dispatch(request)
        except PayloadTooLarge:
            response = self.server.app.error_response(
                request, errors.entity_too_large(errors.SYNC_PAYLOAD_LIMIT)
            )
        except errors.ApiError as exc:
            response = self.server.app.error_response(request, exc)
        except Exception:  # noqa: BLE001 - the client gets FC's 500, the operator the traceback
            traceback.print_exc(file=sys.stderr)
            response = self.server.app.error_response(
                request,
                errors.ApiError(500, "InternalServerError", "an internal error has occurred. Please retry."),
            )
        self.send(response, request.request_id)

    def read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self.read_chunked()
            return b""
        length = int(length)
        if length > errors.SYNC_PAYLOAD_LIMIT:
            if length <= DRAIN_LIMIT:
                self.drain(length)
            else:
                self.close_connection = True
            raise PayloadTooLarge()
        return self.rfile.read(length)

    def read_chunked(self) -> bytes:
        chunks, total = [], 0
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            total += size
            if total > errors.SYNC_PAYLOAD_LIMIT:
                self.close_connection = True
                raise PayloadTooLarge()
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)

    def drain(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                break
            length -= len(chunk)

    def send(self, response: Response, request_id: str) -> None:
        self.send_response(response.status)
        self.send_header("X-Fc-Request-Id", request_id)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def version_string(self) -> str:
        return "fclocal"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if self.server.access_log:
            super().log_message(format, *args)
