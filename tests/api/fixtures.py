"""API fixtures, for every test (registered in tests/conftest.py): a client acting with a new
token, and the small test track synced."""
import pytest

from cev_learn.accounts.api_tokens import Scope
from tests.api.helpers import ApiClient, token_for


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
