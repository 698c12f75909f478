"""The real OpenID provider of the single sign-on tests (oidc-provider on Node.js, see
provider.mjs), started on a free port, and a person signing in at it."""
import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from tests.mail import free_port

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "cev-learn", "cev-learn-test-secret"
OTHER_CLIENT_ID, OTHER_SECRET = "other-app", "other-app-test-secret"


class Provider:
    def __init__(self, redirect_uris: list[str], accounts: dict, id_token_ttl: int = 3600):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris},
                   {"client_id": OTHER_CLIENT_ID, "client_secret": OTHER_SECRET,
                    "redirect_uris": redirect_uris}]
        env = {**os.environ, "PORT": str(self.port), "OIDC_CLIENTS": json.dumps(clients),
               "OIDC_ACCOUNTS": json.dumps(accounts), "ID_TOKEN_TTL": str(id_token_ttl)}
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            pytest.fail("the test OpenID provider is not installed: run `make test` (npm ci in "
                        "tests/oidc)")
        self.process = subprocess.Popen(["node", str(HERE / "provider.mjs")], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration",
                                timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the test OpenID provider did not start: "
                           + self.process.stdout.read().decode(errors="replace"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()

    def sign_in(self, authorize_url: str, account: str) -> str:
        """Follow the authorization request as a person would, signing in as `account`;
        the URL the provider sends the browser back to (the app's callback, with the code)."""
        browser = requests.Session()
        response = browser.get(authorize_url, allow_redirects=False)
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.issuer):
                return location
            response = browser.get(location, allow_redirects=False)
            form = re.search(r'<form method="post" action="([^"]+)"', response.text)
            if form:
                response = browser.post(urljoin(response.url, form.group(1)),
                                        data={"login": account}, allow_redirects=False)
        raise AssertionError(f"the provider did not send the browser back: {response.text}")

    def tokens(self, client_id: str, secret: str, redirect_uri: str, account: str,
               nonce: str) -> dict:
        """What the token endpoint gives `client_id` after `account` signs in (the whole
        Authorization Code flow with PKCE, done by hand): the ID token is the provider's own."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"client_id": client_id, "response_type": "code",
                           "scope": "openid email profile", "redirect_uri": redirect_uri,
                           "state": secrets.token_urlsafe(16), "nonce": nonce,
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        back = self.sign_in(f"{self.issuer}/auth?{query}", account)
        code = parse_qs(urlsplit(back).query)["code"][0]
        response = requests.post(f"{self.issuer}/token", auth=(client_id, secret), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier}, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID provider on localhost that knows this app (client `cev-learn`, sending
    people back to http://localhost/login/sso/callback) and another client; accounts are
    whatever id is typed at its sign-in page (email = the id, verified), except these."""
    provider = Provider(["http://localhost/login/sso/callback"], ACCOUNTS)
    yield provider
    provider.stop()


ACCOUNTS = {
    "ana-at-idp": {"email": "Ana@Example.com", "email_verified": True, "name": "Ana Idp"},
    "unverified": {"email": "unverified@example.com", "email_verified": False},
    "new-coach": {"email": "new.coach@example.com", "email_verified": True,
                  "name": "Nova Coach", "cev_role": "coach", "cev_territory": "DACH"},
}
