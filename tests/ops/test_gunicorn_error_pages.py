"""Pages gunicorn writes itself (a request line or header too long, a request it cannot parse)
carry the security headers of every page the app writes, under gunicorn started as
`make run` starts it."""
import http.client
import re
import socket
from pathlib import Path

import pytest
import requests

from bench.servers import Server, instance_env
from cev_learn.ops.serving import with_headers
from cev_learn.platform.security import security_headers

pytestmark = pytest.mark.slow  # real gunicorn servers

ROOT = Path(__file__).resolve().parents[2]
# gunicorn's limits (limit_request_line, limit_request_field_size) are 8190 bytes.
TOO_LONG = 8191


def make_run_worker_class() -> str:
    """The --worker-class of the gunicorn command in the Makefile's `run` target."""
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    found = re.search(r"gunicorn\b.*--worker-class[ =](\S+)", run)
    assert found, "make run starts gunicorn without --worker-class"
    return found.group(1)


SERVERS = {  # (worker class, more gunicorn options, HTTPS setting)
    "as make run serves": (make_run_worker_class, (), False),
    "with threads, behind HTTPS": (lambda: "cev_learn.ops.serving.ThreadWorker",
                                   ("--threads", "2"), True),
}


@pytest.fixture(scope="module", params=SERVERS.values(), ids=SERVERS.keys())
def server(request, database_url, tmp_path_factory):
    worker_class, more, https = request.param
    options = ("--worker-class", worker_class(), *more)
    instance = tmp_path_factory.mktemp("gunicorn")
    env = instance_env(instance, database_url, SECRET_KEY="error-pages",
                       HTTPS="true" if https else "false")
    with Server(env, 1, instance / "gunicorn.log", options=options) as running:
        yield running, https


def raw_request(server: Server, request: bytes) -> http.client.HTTPResponse:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
        return response


REQUESTS = {
    "request line too long": (b"GET /" + b"a" * TOO_LONG + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "header field too large": (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * TOO_LONG
                               + b"\r\n\r\n", 431),
    "too many header fields": (b"GET / HTTP/1.1\r\nHost: x\r\n"
                               + b"".join(b"X-%d: 1\r\n" % n for n in range(101)) + b"\r\n", 431),
    "unparsable request line": (b"NONSENSE\r\n\r\n", 400),
}


@pytest.mark.parametrize("request_bytes,status", REQUESTS.values(), ids=REQUESTS.keys())
def test_gunicorns_own_error_pages_carry_the_security_headers(server, request_bytes, status):
    running, https = server
    response = raw_request(running, request_bytes)
    assert response.status == status
    expected = security_headers(https=https)
    for name in security_headers(https=True):  # HSTS only behind HTTPS
        assert response.getheader(name) == expected.get(name), name
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
    assert response.getheader("Cache-Control") == "no-store"
    assert response.getheader("Content-Type") == "text/html"
    assert len(response.headers.get_all("X-Content-Type-Options")) == 1


def test_the_apps_own_pages_are_unchanged_under_this_worker(server):
    running, https = server
    page = requests.get(running.url + "/login", timeout=10)
    assert page.status_code == 200
    expected = {**security_headers(https=https), "Cache-Control": "no-store"}
    for name in (*security_headers(https=True), "Cache-Control"):
        assert page.headers.get(name) == expected.get(name), name


def test_headers_go_after_the_status_line_of_a_response_and_nowhere_else():
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    assert with_headers(b"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n\r\n<html>",
                        headers) == (b"HTTP/1.1 414 URI Too Long\r\nX-Content-Type-Options: "
                                     b"nosniff\r\nCache-Control: no-store\r\nConnection: "
                                     b"close\r\n\r\n<html>")
    assert with_headers(b"more of a body\r\n", headers) == b"more of a body\r\n"
    assert with_headers(b"HTTP/1.1 400 Bad Request", headers) == b"HTTP/1.1 400 Bad Request"


def test_a_worker_compiles_every_template_before_its_first_request(app):
    """What `load_wsgi` runs: afterwards rendering any template compiles nothing."""
    from cev_learn.ops.serving import compile_templates

    env = app.jinja_env
    env.cache.clear()
    count = compile_templates(app)
    assert count >= 50 and len(env.cache) == count
    compiled = dict(env.cache)
    env.get_template("ramp/import.html")
    assert dict(env.cache) == compiled  # served from the cache, not compiled again
