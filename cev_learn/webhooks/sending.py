"""Sending one message: signed as the Standard Webhooks specification says (the
`standardwebhooks` library signs), posted to the address the SSRF guard checked, with a
timeout, following no redirect, keeping only the start of the answer.

Connections go to the checked IP address; the Host header and, for https, the name the
certificate must carry (SNI and hostname check) are the URL's host. Kept-alive connections are
pooled per (scheme, address, port, host), safe to share between threads."""
import datetime as dt
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import urllib3
from standardwebhooks import Webhook
from urllib3.exceptions import HTTPError as Urllib3Error

from cev_learn.webhooks.addresses import AddressError, IPAddress, Target, check_url

USER_AGENT = "cev_learn-webhooks/1"
MAX_RESPONSE_KEPT = 1_000    # characters of an answer's body kept in the delivery log
MAX_RESPONSE_READ = 64 * 1024  # bytes read from an answer at most
MAX_ERROR = 500


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    response: str | None = None


def signature_headers(message_id: str, body: bytes, secrets: Iterable[str],
                      now: dt.datetime) -> dict[str, str]:
    """The Standard Webhooks headers of a message: its id, the time it is sent and one
    signature per secret (two while a secret is being replaced)."""
    signatures = " ".join(Webhook(secret).sign(message_id, now, body) for secret in secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures}


class Sender:
    """Posts messages; one per worker process, shared by its delivery threads."""

    def __init__(self, timeout: float, connections_per_host: int = 4):
        self.timeout = float(timeout)
        self.connections_per_host = connections_per_host
        self._pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context()

    def post(self, url: str, body: bytes, headers: dict[str, str],
             allow_private: bool) -> Outcome:
        try:
            target, addresses = check_url(url, allow_private)
        except AddressError as exc:
            return Outcome(False, error=_short(f"Refused: {exc}"))
        pool = self._pool(target, addresses[0])
        try:
            response = pool.urlopen(
                "POST", target.path, body=body, redirect=False, retries=False,
                assert_same_host=False, preload_content=False,
                timeout=urllib3.Timeout(total=self.timeout),
                headers={"Host": target.host_header, "User-Agent": USER_AGENT,
                         "Content-Type": "application/json", **headers})
        except Urllib3Error as exc:
            return Outcome(False, error=_short(_describe(exc, target, addresses[0],
                                                         self.timeout)))
        try:
            data = response.read(MAX_RESPONSE_READ, decode_content=False)
            complete = len(data) < MAX_RESPONSE_READ
        except Urllib3Error:
            data, complete = b"", False
        finally:
            if complete:
                response.release_conn()
            else:
                response.close()
        status = response.status
        text = data.decode("utf-8", "replace")[:MAX_RESPONSE_KEPT] or None
        if 200 <= status < 300:
            return Outcome(True, status, None, text)
        if 300 <= status < 400:
            where = response.headers.get("Location", "")
            error = f"HTTP {status}: redirects are not followed" + (
                f" (to {where})" if where else "")
        else:
            error = f"HTTP {status}"
        return Outcome(False, status, _short(error), text)

    def _pool(self, target: Target, address: IPAddress) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, str(address), target.port, target.host)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                options = {"maxsize": self.connections_per_host, "block": False,
                           "retries": False}
                if target.scheme == "https":
                    pool = urllib3.HTTPSConnectionPool(
                        str(address), target.port, ssl_context=self._tls,
                        server_hostname=target.host, assert_hostname=target.host, **options)
                else:
                    pool = urllib3.HTTPConnectionPool(str(address), target.port, **options)
                self._pools[key] = pool
            return pool

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()


def _describe(exc: Exception, target: Target, address: IPAddress, timeout: float) -> str:
    where = f"{target.host}:{target.port}" + (
        "" if target.literal is not None else f" ({address})")
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # before timeouts: a subclass
        return f"Cannot connect to {where}: {_reason(exc)}"
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"No answer from {where} within {timeout:g} s"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS failed with {where}: {_reason(exc)}"
    return f"Request to {where} failed: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(cause or exc)
    if "Connection refused" in text:
        return "connection refused"
    return text.split(": ", 1)[-1] if "Failed to establish" in text else text


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 1] + "…"
