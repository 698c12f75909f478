"""Every route declares who may use it, and that rule holds for every role.

The routes come from app.url_map, so a new route without an access rule, or with a rule
that is not enforced, fails here without anyone writing a test for it.
"""
from urllib.parse import urlsplit

import pytest

from cev_learn import create_app
from cev_learn.accounts.decorators import PUBLIC
from cev_learn.accounts.models import Role
from tests.conftest import csrf_token, login, make_user
from tests.content.trees import good_track

_APP = create_app({"SECRET_KEY": "routes", "DATABASE_URL": "sqlite://", "REQUEST_LOG": False})
ROUTES = sorted(
    (rule.endpoint, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in _APP.url_map.iter_rules() if rule.endpoint != "static"
)
ACTORS = [None, *Role]


def access_rule(endpoint):
    return getattr(_APP.view_functions[endpoint], "access_rule", None)


@pytest.mark.parametrize("endpoint", sorted({r[0] for r in ROUTES}))
def test_every_route_declares_an_access_rule(endpoint):
    rule = access_rule(endpoint)
    assert rule == PUBLIC or (isinstance(rule, frozenset) and rule <= set(Role)), (
        f"{endpoint} has no access rule: decorate it with @public or @role_required(...)")


def sample_args(rule_args, target):
    values = {"user_id": target.id, "track_slug": "test-track", "module_slug": "intro",
              "path": "chart.png"}
    missing = set(rule_args) - set(values)
    assert not missing, f"add sample values for {missing} to the access matrix test"
    return {name: values[name] for name in rule_args}


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.value if a else "anonymous")
@pytest.mark.parametrize("endpoint,path,methods", ROUTES, ids=[r[0] for r in ROUTES])
def test_role_matrix(app, tmp_path, endpoint, path, methods, actor):
    target = make_user(Role.REP)
    app.test_cli_runner().invoke(args=["content", "sync", str(good_track(tmp_path))])
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = app.url_map.bind("localhost").build(endpoint, sample_args(rule.arguments, target))
    client = app.test_client()
    if actor is not None:
        user = make_user(actor)
        assert login(client, user.email).status_code == 302
    method = "GET" if "GET" in methods else methods[0]
    data = {"csrf_token": csrf_token(client, "/")} if method != "GET" else None
    response = client.open(url, method=method, data=data)

    allowed = access_rule(endpoint)
    location = urlsplit(response.headers.get("Location", ""))
    sent_to_sign_in = location.path == "/login" and "next=" in location.query
    if allowed == PUBLIC:
        assert response.status_code != 403
    elif actor is None:
        assert response.status_code == 302 and sent_to_sign_in, (
            f"anonymous {method} {url} should be sent to sign in")
    elif actor in allowed:
        assert response.status_code != 403 and not sent_to_sign_in, (
            f"{actor.value} may use {endpoint} but got {response.status_code}")
        if method == "GET":
            assert response.status_code < 400, f"{url} gave {response.status_code}"
    else:
        assert response.status_code == 403, (
            f"{actor.value} must not use {endpoint}, got {response.status_code}")
