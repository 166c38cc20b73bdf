"""A small threaded HTTP server on 127.0.0.1 with a clean stop, for the HTTP emulators.

:class:`HttpServerThread` serves one handler class on its own port and, on :meth:`stop`, closes
every open connection so no thread or socket outlives it; :class:`JsonHandler` is the HTTP/1.1
keep-alive base handler that answers JSON (the ГИС МТ and Local Module emulators subclass it).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HttpServerThread", "JsonHandler"]

log = logging.getLogger("ffd12.emulator.http")


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(
        self, addr: tuple[str, int], handler: type[BaseHTTPRequestHandler], stop: threading.Event
    ) -> None:
        self.stop_event = stop
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        self.context: Any = None
        super().__init__(addr, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)


class HttpServerThread:
    """One HTTP server on 127.0.0.1 served by a thread; :meth:`stop` ends every connection."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        context: Any,
        *,
        port: int = 0,
        stop: threading.Event | None = None,
    ) -> None:
        self.stop_event = stop or threading.Event()
        self.server = _Server(("127.0.0.1", port), handler, self.stop_event)
        self.server.context = context
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"ffd12-http-{self.port}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        with self.server.conn_lock:
            conns = list(self.server.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server.server_close()
        self._thread.join()


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that answers JSON; subclasses implement :meth:`route`."""

    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.client_address[0], *args)

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0  # a broken length reads as an empty body: the route answers 400
        return self.rfile.read(min(length, 8 * 1024 * 1024)) if length > 0 else b""

    def send_json(self, status: int, obj: Any) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.route("GET", b"")

    def do_POST(self) -> None:
        self.route("POST", self._body())

    def route(self, method: str, body: bytes) -> None:
        raise NotImplementedError
