"""What the browser is told and trusted with: signed cookies, cookie prefixes, no CORS,
secrets never in addresses, nothing of the code served, a clean browser after sign-out."""
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cev_learn.accounts.models import Role
from tests.api.helpers import token_for
from tests.helpers import PASSWORD, csrf_token, login, make_user, post_form


def _session_serializer(app, digest):
    return URLSafeTimedSerializer(app.secret_key, salt="cookie-session",
                                  serializer=TaggedJSONSerializer(),
                                  signer_kwargs={"key_derivation": "hmac",
                                                 "digest_method": digest})


def test_the_session_cookie_is_signed_with_hmac_sha256(app):
    client = app.test_client()
    login(client, make_user(Role.REP).email)
    cookie = client.get_cookie("cev_learn_session").value
    assert "_user_id" in _session_serializer(app, hashlib.sha256).loads(cookie)
    with pytest.raises(BadSignature):
        _session_serializer(app, hashlib.sha1).loads(cookie)


def test_a_session_cookie_signed_with_sha1_is_not_accepted(app):
    user = make_user(Role.REP)
    client = app.test_client()
    login(client, user.email)
    session = _session_serializer(app, hashlib.sha256).loads(
        client.get_cookie("cev_learn_session").value)
    forged = _session_serializer(app, hashlib.sha1).dumps(session)
    stranger = app.test_client()
    stranger.set_cookie("cev_learn_session", forged)
    assert stranger.get("/week").status_code == 302  # to the sign-in page


def test_behind_https_cookies_are_host_only_secure_and_prefixed(make_app):
    app = make_app(HTTPS=True)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    user = make_user(Role.REP)
    response = client.post("/login", data={
        "email": user.email, "password": PASSWORD, "remember": "y",
        "csrf_token": csrf_token(client)}, headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-cev_learn_session", "__Host-cev_learn_remember"}
    for header in cookies.values():
        attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
        assert {"secure", "httponly", "path", "samesite"} <= attributes
        assert "domain" not in attributes and "Path=/;" in header + ";"
    assert client.get("/week").status_code == 200  # the prefixed cookies sign in


@pytest.mark.parametrize("path", ["/api/v1/cohorts", "/login", "/week"])
def test_no_cross_origin_reads_are_allowed(client, path):
    user = make_user(Role.ADMIN)
    headers = {"Origin": "https://evil.example", "Authorization": f"Bearer {token_for(user)}",
               "Access-Control-Request-Method": "GET"}
    for response in (client.get(path, headers=headers),
                     client.options(path, headers=headers)):
        assert not any(name.lower().startswith("access-control-allow")
                       for name in response.headers.keys())


@pytest.mark.parametrize("query", ["access_token={secret}", "token={secret}",
                                   "api_key={secret}"])
def test_api_tokens_in_the_address_are_refused(client, query):
    secret = token_for(make_user(Role.ADMIN))
    response = client.get("/api/v1/cohorts?" + query.format(secret=secret))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/.git/config", "/.git/HEAD", "/static/../config.py",
                                  "/static/../../pyproject.toml", "/static/%2e%2e/config.py",
                                  "/instance/config.py", "/.env", "/migrations/env.py"])
def test_source_configuration_and_repository_files_are_never_served(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    body = response.get_data(as_text=True)
    assert "SECRET_KEY" not in body and "[core]" not in body and "import " not in body


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def _password_inputs(html):
    parser = _Inputs()
    parser.feed(html)
    return [i for i in parser.inputs if "password" in (i.get("name") or "") + (i.get("id") or "")
            or i.get("name") == "confirm"]


@pytest.mark.parametrize("path,role", [("/login", None), ("/account/password", Role.REP),
                                       ("/admin/users/new", Role.ADMIN)])
def test_password_fields_are_masked_and_let_password_managers_fill_them(client, path, role):
    if role:
        login(client, make_user(role).email)
    inputs = _password_inputs(client.get(path).get_data(as_text=True))
    assert inputs, f"no password field on {path}"
    for field in inputs:
        assert field["type"] == "password"
        assert field.get("autocomplete") in ("current-password", "new-password")
        assert "onpaste" not in field and "readonly" not in field


def test_signing_out_clears_the_browsers_cache_and_storage(client):
    login(client, make_user(Role.REP).email)
    response = post_form(client, "/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_pages_exports_and_api_answers_are_never_stored_by_browsers_or_proxies(client):
    coach = make_user(Role.COACH)
    secret = token_for(make_user(Role.ADMIN))
    login(client, coach.email)
    responses = [client.get("/coach"), client.get("/login"),
                 client.get("/api/v1/cohorts", headers={"Authorization": f"Bearer {secret}"}),
                 client.get("/api/v1/cohorts")]
    export = client.get("/ramp/export/cohorts.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    for response in [*responses, export]:
        assert response.headers["Cache-Control"] == "no-store", response.request.path


HTML_SINKS = re.compile(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write"
                        r"|\beval\(|new Function\(|setTimeout\(\s*['\"]")


def test_the_apps_scripts_write_text_never_markup():
    scripts = sorted((Path(__file__).parents[2] / "cev_learn" / "static").rglob("*.js"))
    assert scripts, "no scripts found"
    for script in scripts:
        source = script.read_text()
        assert not HTML_SINKS.search(source), f"{script.name} writes markup or runs strings"
    assert HTML_SINKS.search("el.innerHTML = text") and HTML_SINKS.search("eval(x)")


def test_a_signed_in_browser_cannot_use_the_api_without_a_token(client):
    login(client, make_user(Role.ADMIN).email)
    assert client.get("/admin/users").status_code == 200  # the browser is signed in
    response = client.get("/api/v1/cohorts")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
