"""Talking to a Learning Record Store: its Statement Resource (xAPI 1.0.3, Communication
§2.1), with HTTP Basic authentication (the LRS's key and secret), a timeout, following no
redirect. POST stores a batch of statements all or nothing; PUT stores one by its id. Both
accept a statement the LRS already holds with the same id and content, so sending one again
is harmless; the same id with other content is a conflict (409)."""
import json
from dataclasses import dataclass, field

import requests

from cev_learn.xapi.statements import API_VERSION

USER_AGENT = "cev_learn-xapi/1"
MAX_ERROR = 500


@dataclass(frozen=True)
class Lrs:
    """Where statements go: the LRS's xAPI endpoint (statements at <url>/statements)."""

    url: str
    key: str | None
    secret: str | None = field(repr=False)
    timeout: float = 10.0

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


@dataclass(frozen=True)
class Answer:
    """What the LRS said: stored (or held already), a conflict, or an error."""

    ok: bool
    conflict: bool = False
    error: str | None = None


class LrsClient:
    """One LRS, over kept-alive connections; for one thread."""

    def __init__(self, lrs: Lrs):
        self.lrs = lrs
        self.session = requests.Session()
        self.session.headers.update({"X-Experience-API-Version": API_VERSION,
                                     "Content-Type": "application/json",
                                     "User-Agent": USER_AGENT})
        if lrs.key is not None or lrs.secret is not None:
            self.session.auth = (lrs.key or "", lrs.secret or "")

    def post(self, statements: list[dict]) -> Answer:
        """Store a batch, all or nothing."""
        return self._send("POST", self.lrs.statements_url, statements)

    def put(self, statement: dict) -> Answer:
        """Store one statement under its id."""
        return self._send("PUT", self.lrs.statements_url, statement,
                          params={"statementId": statement["id"]})

    def close(self) -> None:
        self.session.close()

    def _send(self, method: str, url: str, body, params=None) -> Answer:
        try:
            response = self.session.request(method, url, params=params, data=json.dumps(body),
                                            timeout=self.lrs.timeout, allow_redirects=False)
        except requests.Timeout:
            return Answer(False, error=f"no answer within {self.lrs.timeout:g} s")
        except requests.RequestException as exc:
            return Answer(False, error=_short(f"could not connect: {type(exc).__name__}"))
        if 200 <= response.status_code < 300:
            return Answer(True)
        answer = _short(f"HTTP {response.status_code}: {response.text.strip()}")
        return Answer(False, conflict=response.status_code == 409, error=answer)


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 1] + "…"
