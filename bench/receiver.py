"""A real webhook receiver on localhost, for the tests and the delivery benchmark: a threaded
HTTP/1.1 server that keeps every request it gets and answers as it is told (fail the first N,
answer slowly, redirect…)."""
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered
    at: float    # time.monotonic()

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A sender that gave up (timed out, was killed) leaves a closed connection: expected
        here, not worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """`with Receiver(fail_first=5) as receiver: ... receiver.url ... receiver.accepted`.

    `fail_first` requests get `fail_status`; then each waits `delay` seconds and gets 204.
    `answer(n)` may choose the status of the n-th request (1-based) instead; `hold` makes a
    request wait until `release()` (the request has been counted when `arrived` is set)."""

    def __init__(self, *, fail_first: int = 0, fail_status: int = 503, delay: float = 0.0,
                 answer=None, hold: bool = False, response_body: bytes = b"",
                 headers: dict[str, str] | None = None, keep_bodies: bool = True,
                 tls: tuple[str, str] | None = None):
        self.fail_first, self.fail_status, self.delay = fail_first, fail_status, delay
        self.answer, self.response_body = answer, response_body
        self.extra_headers = headers or {}
        self.keep_bodies = keep_bodies
        self.requests: list[Received] = []
        self.count = 0
        self.arrived = threading.Event()
        self._held = threading.Event()
        if not hold:
            self._held.set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - the http.server protocol
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._status_for_next()
                with receiver._lock:
                    receiver.requests.append(Received(
                        {k.lower(): v for k, v in self.headers.items()},
                        body if receiver.keep_bodies else b"", status, time.monotonic()))
                receiver.arrived.set()
                receiver._held.wait()
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.response_body)))
                self.end_headers()
                self.wfile.write(receiver.response_body)

            def log_message(self, *_args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:  # (certificate file, key file): https
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _status_for_next(self) -> int:
        with self._lock:
            self.count += 1
            number = self.count
        if self.answer is not None:
            return self.answer(number)
        return self.fail_status if number <= self.fail_first else 204

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hooks"

    @property
    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def release(self) -> None:
        self._held.set()

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
