"""API test helpers: tokens for users, and a client that sends them."""
from cev_learn.accounts.api_tokens import Scope
from cev_learn.api.tokens import create_token
from cev_learn.platform.db import db, utcnow


def token_for(user, scope: Scope = Scope.READ) -> str:
    """A fresh API token's secret for this user (committed)."""
    _token, secret = create_token(user=user, name="tests", scope=scope, actor=None, now=utcnow())
    db.session.commit()
    return secret


class ApiClient:
    """The test client with 'Authorization: Bearer <token>' on every request."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def _headers(self, extra):
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**headers, **(extra or {})}

    def get(self, path, headers=None, **kwargs):
        return self.client.get(path, headers=self._headers(headers), **kwargs)

    def post(self, path, json=None, headers=None, **kwargs):
        return self.client.post(path, json=json, headers=self._headers(headers), **kwargs)

    def put(self, path, json=None, headers=None, **kwargs):
        return self.client.put(path, json=json, headers=self._headers(headers), **kwargs)
