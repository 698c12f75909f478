"""gunicorn workers whose own error pages carry the security headers of every cev_learn page.

gunicorn answers some requests itself, before the app sees them: a request line over 8190
bytes (414), header fields too many or too large (431), a request it cannot parse (400). It
writes those pages straight to the socket with no header but Content-Type, Content-Length and
Connection. Serve with `--worker-class cev_learn.ops.serving.SyncWorker` (`make run` does), or
`cev_learn.ops.serving.ThreadWorker` with `--threads`.

These workers also compile every page template and read what every rep of a track shares
(content.track_data) once they have loaded the app, before their first request, so no request
of a new process pays for either (a page's templates cost tens of milliseconds to compile); and
between requests, at most once a second, they read again any track a content sync changed, so
the requests after a sync do not pay for it either (only one that arrives within that second
of the sync may still read its track itself).
"""
import gc
import time
from importlib import import_module

from gunicorn.workers.gthread import ThreadWorker as _GunicornThreadWorker
from gunicorn.workers.sync import SyncWorker as _GunicornSyncWorker

from cev_learn.analytics import forecast
from cev_learn.content.track_data import read_active_tracks
from cev_learn.platform.security import security_headers


def with_headers(response: bytes, headers: dict[str, str]) -> bytes:
    """A raw HTTP response with headers added after its status line; anything else as it is."""
    status, crlf, rest = response.partition(b"\r\n")
    if not status.startswith(b"HTTP/") or not crlf:
        return response
    added = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return status + crlf + added.encode("latin-1") + rest


class _HeaderedSocket:
    """A client socket that adds headers to the response gunicorn writes whole to it."""

    def __init__(self, sock, headers: dict[str, str]):
        self._sock, self._headers = sock, headers

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(with_headers(data, self._headers))

    def __getattr__(self, name):
        return getattr(self._sock, name)


class _HeaderedErrorPages:
    def handle_error(self, req, client, addr, exc):
        """Answer as gunicorn does, with the app's security headers on the error page."""
        config = getattr(self.wsgi, "config", {})  # the Flask app, loaded by this worker
        headers = {**security_headers(https=bool(config.get("HTTPS"))),
                   "Cache-Control": "no-store"}
        super().handle_error(req, _HeaderedSocket(client, headers), addr, exc)


TRACKS_CHECKED_EVERY = 1.0  # seconds


def compile_templates(app) -> int:
    """Compile every template of the app into its Jinja environment's cache; returns how many."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith((".html", ".txt"))]
    for name in names:
        env.get_template(name)
    return len(names)


def import_first_use_libraries() -> None:
    """What the app imports on first use, to start its commands quickly: statsmodels and scipy
    (a forecast, readiness weights fitted) and the SCIM server. A worker imports them before
    it freezes what it keeps, rather than on a request after it."""
    forecast.hazard_regression()  # statsmodels, with the scipy it is built on
    import_module("cev_learn.api.scim")


class _ReadTracksFirst:
    _tracks_checked_at = float("-inf")

    def load_wsgi(self):
        super().load_wsgi()
        compile_templates(self.wsgi)
        self._read_tracks()
        import_first_use_libraries()
        # What the worker keeps for its whole life (modules, routes, templates, the tracks,
        # the libraries the app imports on first use)
        # leaves the garbage collector's view: the collections that a page building many
        # objects sets off then walk that page's objects only.
        gc.freeze()

    def notify(self):
        """gunicorn's heartbeat, called between requests: before each accept and after each
        wait for a connection. One statement when it reads the tracks' versions; six more for
        a track a sync changed."""
        super().notify()
        if time.monotonic() - self._tracks_checked_at >= TRACKS_CHECKED_EVERY:
            self._read_tracks()

    def _read_tracks(self):
        self._tracks_checked_at = time.monotonic()
        read_active_tracks(self.wsgi)


class SyncWorker(_ReadTracksFirst, _HeaderedErrorPages, _GunicornSyncWorker):
    """gunicorn's default worker."""


class ThreadWorker(_ReadTracksFirst, _HeaderedErrorPages, _GunicornThreadWorker):
    """gunicorn's worker for `--threads`."""
