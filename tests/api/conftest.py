"""API test helpers: tokens for users, and a client that sends them."""
import pytest

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.api.tokens import create_token
from cev_learn.platform.db import db, utcnow
from tests.helpers import make_user
from tests.ramp.conftest import organisation  # noqa: F401 - a fixture API tests share


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


@pytest.fixture
def api(app):
    """api(user, scope=Scope.READ) -> ApiClient acting with a new token of that user."""
    def build(user=None, scope: Scope = Scope.READ) -> ApiClient:
        return ApiClient(app.test_client(), token_for(user, scope) if user else None)
    return build


@pytest.fixture
def api_track(app, synced_track):
    """The small test track (modules, a quiz, the first-meeting milestone) synced."""
    return app


__all__ = ["ApiClient", "Role", "Scope", "make_user", "token_for"]
