"""The HTTP side of the wire servers: the server loop, its handler and the response writer."""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ._wire_core import (
    Answer,
    ApiKind,
    Exchange,
    Fault,
    FaultKind,
    Headers,
    RecordedRequest,
    Reply,
    Responder,
    as_answer_function,
)


class Writer:
    """Writes one HTTP response on a handler's connection (used by the format modules)."""

    def __init__(self, handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        self._handler = handler
        self._stop = stop

    def send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)

    def send_bytes(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
        declared_length: int | None = None,
    ) -> None:
        """Send a complete body; a larger `declared_length` makes it a truncated one."""
        h = self._handler
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(declared_length or len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def send_truncated_json(self, body: Any, headers: Mapping[str, str] | None = None) -> None:
        """Promise the whole JSON body, send half of it, then hang up."""
        data = json.dumps(body).encode()
        self.send_bytes(
            200, data[: len(data) // 2], "application/json", headers, declared_length=len(data)
        )
        self.hang_up()

    def start_stream(self, headers: Mapping[str, str] | None = None) -> None:
        h = self._handler
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()

    def sse(self, data: Any, event: str | None = None) -> None:
        """Write one server-sent event (`data` is JSON-encoded unless a str) as one chunk."""
        text = data if isinstance(data, str) else json.dumps(data)
        payload = ((f"event: {event}\n" if event else "") + f"data: {text}\n\n").encode()
        self._handler.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self._handler.wfile.flush()

    def end_stream(self) -> None:
        self._handler.wfile.write(b"0\r\n\r\n")
        self._handler.wfile.flush()

    def hang_up(self) -> None:
        """Drop the connection without finishing the response."""
        self._handler.close_connection = True
        with contextlib.suppress(OSError):
            self._handler.wfile.flush()
        _shutdown(self._handler.connection)

    def hold(self, seconds: float) -> None:
        """Sleep up to `seconds`, returning early when the server stops."""
        self._stop.wait(seconds)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    """A unique id in the provider's style, e.g. `msg_000001...`."""
    return f"{prefix}{next(_ids):06d}{time.time_ns() % 10**12:012d}"


class Wire:
    """A provider format: its routes, its error bodies and how it writes each answer."""

    routes: ClassVar[Mapping[str, ApiKind]]
    errors: ClassVar[Mapping[FaultKind, tuple[int, str]]]  # fault -> (status, error type)
    latency: float = 0.0  # seconds before an answer's first byte (set by the server)
    # routes whose path holds an id: (path prefix, api); the batch endpoints among them
    prefix_routes: ClassVar[tuple[tuple[str, ApiKind], ...]] = ()
    batch_apis: ClassVar[frozenset[ApiKind]] = frozenset()

    def route(self, path: str) -> ApiKind:
        path = path.rstrip("/")
        if path in self.routes:
            return self.routes[path]
        return next(
            (api for prefix, api in self.prefix_routes if path.startswith(prefix)), "unknown"
        )

    def handle_batch(
        self,
        request: RecordedRequest,
        out: Writer,
        answer: Callable[[RecordedRequest, Writer], None],
    ) -> None:
        """Answer a request to a batch endpoint (`answer` writes one batched request's answer)."""
        raise NotImplementedError

    def error_body(self, kind: str, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def error_headers(self, fault: Fault) -> dict[str, str]:
        if fault.retry_after is None:
            return {}
        return {"retry-after": f"{fault.retry_after:g}"}

    def write_answer(self, request: RecordedRequest, answer: Answer, out: Writer) -> None:
        """Write a Reply, or the EMPTY / TRUNCATED variants of one."""
        raise NotImplementedError

    def status_of(self, answer: Answer) -> int:
        """The HTTP status `write` sends for `answer` (0: no response at all)."""
        if isinstance(answer, Fault) and answer.kind in self.errors:
            return self.errors[answer.kind][0]
        return 0 if isinstance(answer, Fault) and answer.kind is FaultKind.TIMEOUT else 200

    def write(self, request: RecordedRequest, answer: Answer, out: Writer) -> None:
        if isinstance(answer, Reply) or answer.kind in (FaultKind.EMPTY, FaultKind.TRUNCATED):
            return self.write_answer(request, answer, out)
        if answer.kind is FaultKind.TIMEOUT:
            out.hold(answer.seconds)
            return out.hang_up()
        if answer.kind is FaultKind.INVALID_JSON and request.stream:
            out.start_stream()
            out.sse('{"id": "broken", "choices": [')
            return out.end_stream()
        if answer.kind is FaultKind.INVALID_JSON:
            return out.send_bytes(200, b'{"id": "broken", "content": [', "application/json")
        status, kind = self.errors[answer.kind]
        out.send_json(status, self.error_body(kind, answer.message), self.error_headers(answer))


class WireServer:
    """A local HTTP server (127.0.0.1, free port, daemon thread) speaking one wire format."""

    wire_class: ClassVar[type[Wire]]
    url_suffix: ClassVar[str] = ""

    def __init__(
        self,
        responder: Responder = "ok",
        *,
        max_requests: int = 200,
        latency: float = 0.0,
        batch_fault: Fault | None = None,
    ) -> None:
        self._answer = as_answer_function(responder)
        self._max_requests = max_requests
        self._batch_fault = batch_fault  # every request to a batch endpoint gets it
        self._wire = self.wire_class()
        self._wire.latency = latency
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._requests: list[RecordedRequest] = []
        self._batched: list[Exchange] = []
        self._errors: list[BaseException] = []
        self._stop = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- public surface -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started: use it as a context manager")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self.url_suffix}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def exchanges(self) -> list[Exchange]:
        """Every answered request with the answer and HTTP status (0 = no response)."""
        with self._lock:
            return list(self._exchanges)

    @property
    def batched(self) -> list[Exchange]:
        """Every request answered inside a batch, as its synchronous endpoint would have seen it."""
        with self._lock:
            return list(self._batched)

    @property
    def responder_errors(self) -> list[BaseException]:
        with self._lock:
            return list(self._errors)

    def start(self) -> None:
        server = self

        class Handler(_Handler):
            owner = server

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = False  # server_close() joins handler threads
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving, drop open connections, join every thread."""
        if self._httpd is None:
            return
        self._stop.set()
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for sock in connections:
            _shutdown(sock)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> WireServer:
        self.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close()
        errors = self.responder_errors
        if errors and exc is None:
            raise RuntimeError(f"the responder raised: {errors[0]!r}") from errors[0]

    # -- handling (called from handler threads) -------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        request = _read_request(handler, self._wire.route)
        out = Writer(handler, self._stop)
        with self._lock:
            self._requests.append(request)
            over_limit = len(self._requests) > self._max_requests
        if request.api == "unknown":
            return self._refuse(request, out, 404, "not_found_error", f"no route {request.path}")
        if over_limit:
            return self._refuse(request, out, 400, "invalid_request_error", "request limit hit")
        if request.api in self._wire.batch_apis and self._batch_fault is not None:
            self._record(request, self._batch_fault, self._wire.status_of(self._batch_fault))
            return self._wire.write(request, self._batch_fault, out)
        if request.api in self._wire.batch_apis:
            return self._wire.handle_batch(request, out, self._answer_batched)
        if not isinstance(request.body, dict):
            return self._refuse(request, out, 400, "invalid_request_error", "body is not JSON")
        try:
            answer = self._answer(request)
        except Exception as error:  # a broken responder must fail the test, not hang it
            with self._lock:
                self._errors.append(error)
            return self._refuse(request, out, 400, "invalid_request_error", repr(error))
        self._record(request, answer, self._wire.status_of(answer))
        self._wire.write(request, answer, out)

    def _answer_batched(self, request: RecordedRequest, out: Writer) -> None:
        """Write the answer to one request of a batch as the synchronous endpoint would."""
        try:
            answer = self._answer(request)
        except Exception as error:  # as for a synchronous request: a 400, and the test fails
            with self._lock:
                self._errors.append(error)
                self._batched.append(Exchange(request, None, 400))
            body = self._wire.error_body("invalid_request_error", repr(error))
            return out.send_json(400, body)
        with self._lock:
            self._batched.append(Exchange(request, answer, self._wire.status_of(answer)))
        self._wire.write(request, answer, out)

    def _refuse(
        self, request: RecordedRequest, out: Writer, status: int, kind: str, message: str
    ) -> None:
        self._record(request, None, status)
        out.send_json(status, self._wire.error_body(kind, message))

    def _record(self, request: RecordedRequest, answer: Answer | None, status: int) -> None:
        with self._lock:
            self._exchanges.append(Exchange(request, answer, status))

    def _track(self, sock: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)
        if alive and self._stop.is_set():
            _shutdown(sock)


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[WireServer]
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection cannot pin a thread forever

    def setup(self) -> None:
        super().setup()
        self.owner._track(self.connection, alive=True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.owner._track(self.connection, alive=False)

    def _serve(self) -> None:
        try:
            self.owner._handle(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)

    do_POST = do_GET = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; the exchange log is the record


def _read_request(
    handler: BaseHTTPRequestHandler, route: Callable[[str], ApiKind]
) -> RecordedRequest:
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    url = urlsplit(handler.path)
    return RecordedRequest(
        api=route(url.path),
        method=handler.command,
        path=url.path,
        query=url.query,
        headers=Headers(handler.headers.items()),
        body=body,
        raw_body=raw,
    )
