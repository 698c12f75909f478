"""SCIM 2.0 provisioning at /scim/v2: an independent compliance checker (scim2-tester) finds no
fault in the running app, and what an identity provider writes reaches cev_learn's people — a
deactivation ends their sessions and API tokens at once."""
import re
from collections import Counter

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from sqlalchemy import select

from bench.servers import Server, instance_env
from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role, User
from cev_learn.api.scim import ScimUser
from cev_learn.platform.db import db
from tests.api.helpers import token_for
from tests.helpers import FAST_HASH, login, make_user, post_form, reload

SCIM_JSON = "application/scim+json"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def scim(client, method: str, path: str, token: str, body: dict | None = None):
    return client.open("/scim/v2" + path, method=method, json=body,
                       headers={"Authorization": f"Bearer {token}", "Accept": SCIM_JSON})


def new_user(email: str, name: str = "Nia Scim", **extra) -> dict:
    return {"schemas": [CORE, ENTERPRISE], "userName": email, "displayName": name,
            "emails": [{"value": email, "primary": True, "type": "work"}], "active": True,
            ENTERPRISE: {"division": "DACH"}, **extra}


@pytest.fixture
def provisioning(app):
    """(test client, a SCIM token of an admin)."""
    return app.test_client(), token_for(make_user(Role.ADMIN), Scope.SCIM)


@pytest.mark.slow  # a gunicorn server
def test_an_independent_scim_checker_finds_no_fault(app, database_url, tmp_path):
    """scim2-tester, over HTTP against gunicorn: discovery, creation, queries with attributes,
    replacement, PATCH add / remove / replace of every attribute, deletion."""
    token = token_for(make_user(Role.ADMIN), Scope.SCIM)
    env = instance_env(tmp_path, database_url, SECRET_KEY="scim-check",
                       PASSWORD_HASH_METHOD=FAST_HASH, API_RATE_LIMIT="100000 per minute")
    with Server(env, 1, tmp_path / "gunicorn.log") as server:
        client = SyncSCIMClient(Client(base_url=server.url + "/scim/v2",
                                       headers={"Authorization": f"Bearer {token}"}))
        client.discover()
        results = check_server(client)
    outcome = Counter(result.status for result in results)
    print("scim2-tester:", len(results), "checks,", dict(outcome))
    faults = [f"{r.title}: {r.reason}" for r in results
              if r.status not in (Status.SUCCESS, Status.SKIPPED)]
    assert faults == []
    assert outcome[Status.SUCCESS] >= 100, outcome


def test_a_provisioned_person_is_a_rep_with_the_email_name_and_territory_sent(provisioning):
    client, token = provisioning
    response = scim(client, "POST", "/Users", token, new_user("Nia.Scim@Example.com"))
    assert response.status_code == 201, response.json
    assert response.headers["Content-Type"].startswith(SCIM_JSON)
    nia = db.session.scalar(select(User).where(User.email == "nia.scim@example.com"))
    assert (nia.name, nia.role, nia.territory, nia.active) == ("Nia Scim", Role.REP, "DACH", True)
    assert nia.password_hash is None
    assert scim(client, "GET", f"/Users/{response.json['id']}", token).json["userName"] == \
        "Nia.Scim@Example.com"
    found = scim(client, "GET", '/Users?filter=userName eq "nia.scim@example.com"', token)
    assert found.json["totalResults"] == 1


def test_someone_already_in_cev_learn_is_taken_over_not_duplicated(provisioning):
    client, token = provisioning
    ana = make_user(Role.COACH, email="ana@example.com", name="Ana Before")
    response = scim(client, "POST", "/Users", token, new_user("ana@example.com", "Ana After"))
    assert response.status_code == 201
    ana = reload(ana)
    assert (ana.name, ana.role) == ("Ana After", Role.COACH)  # the role stays cev_learn's
    again = scim(client, "POST", "/Users", token, new_user("ANA@example.com", "Ana Twice"))
    assert again.status_code == 409 and again.json["scimType"] == "uniqueness"
    assert db.session.scalar(select(ScimUser.user_id)) == ana.id


def test_a_deactivation_ends_a_copied_session_and_an_api_token_within_one_request(
        app, provisioning):
    client, token = provisioning
    created = scim(client, "POST", "/Users", token, new_user("leaver@example.com"))
    leaver = db.session.scalar(select(User).where(User.email == "leaver@example.com"))
    leaver.password_hash = make_user(Role.REP).password_hash  # they had chosen a password
    leaver.role = Role.COACH  # staff: their API token may list cohorts
    db.session.commit()
    browser = app.test_client()
    assert login(browser, "leaver@example.com").status_code == 302
    assert browser.get("/account/password").status_code == 200
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    api_token = token_for(leaver, Scope.READ)
    assert app.test_client().get("/api/v1/cohorts", headers={
        "Authorization": f"Bearer {api_token}"}).status_code == 200

    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert scim(client, "PATCH", f"/Users/{created.json['id']}", token, patch).status_code in (200, 204)

    copied = app.test_client()
    copied.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
    assert copied.get("/account/password").status_code == 302  # to the sign-in page
    assert browser.get("/account/password").status_code == 302
    assert app.test_client().get("/api/v1/cohorts", headers={
        "Authorization": f"Bearer {api_token}"}).status_code == 401
    assert reload(leaver).active is False


def test_delete_deactivates_and_the_resource_is_gone(provisioning):
    client, token = provisioning
    created = scim(client, "POST", "/Users", token, new_user("gone@example.com")).json
    assert scim(client, "DELETE", f"/Users/{created['id']}", token).status_code == 204
    assert scim(client, "GET", f"/Users/{created['id']}", token).status_code == 404
    gone = db.session.scalar(select(User).where(User.email == "gone@example.com"))
    assert gone is not None and gone.active is False  # history stays


def test_a_user_without_an_email_is_refused_and_nothing_is_stored(provisioning):
    client, token = provisioning
    body = {"schemas": [CORE], "userName": "no-address", "emails": [{"value": "not an email"}]}
    response = scim(client, "POST", "/Users", token, body)
    assert response.status_code == 400 and "email" in response.json["detail"]
    assert db.session.scalar(select(User).where(User.email == "no-address")) is None
    assert db.session.scalar(select(ScimUser)) is None


def test_only_a_scim_token_of_an_admin_gets_in_and_a_scim_token_opens_no_api(app):
    client = app.test_client()
    assert client.get("/scim/v2/Users").status_code == 401
    admin = make_user(Role.ADMIN)
    assert scim(client, "GET", "/Users", token_for(admin, Scope.WRITE)).status_code == 403
    assert scim(client, "GET", "/Users", token_for(make_user(Role.MANAGER), Scope.SCIM)) \
        .status_code == 403
    scim_token = token_for(admin, Scope.SCIM)
    assert scim(client, "GET", "/Users", scim_token).status_code == 200
    assert client.get("/api/v1/cohorts", headers={
        "Authorization": f"Bearer {scim_token}"}).status_code == 403
    unknown = scim(client, "GET", "/Users", "cev_not-a-token")
    assert unknown.status_code == 401 and unknown.json["schemas"] == [
        "urn:ietf:params:scim:api:messages:2.0:Error"]


def test_scim_requests_stay_within_the_statement_limit(provisioning, count_queries):
    client, token = provisioning
    for n in range(5):
        scim(client, "POST", "/Users", token, new_user(f"rep{n}@example.com"))
    created = scim(client, "POST", "/Users", token, new_user("more@example.com")).json
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "replace", "path": "active", "value": False}]}
    for method, path, body in [("GET", "/Users", None), ("GET", f"/Users/{created['id']}", None),
                               ("POST", "/Users", new_user("one.more@example.com")),
                               ("PATCH", f"/Users/{created['id']}", patch),
                               ("DELETE", f"/Users/{created['id']}", None)]:
        with count_queries() as counter:
            assert scim(client, method, path, token, body).status_code < 300, (method, path)
        assert counter["n"] <= 12, (method, path, counter["n"])


def test_the_tokens_page_creates_scim_tokens(app):
    client = app.test_client()
    admin = make_user(Role.ADMIN)
    assert login(client, admin.email).status_code == 302
    page = post_form(client, "/admin/tokens", {"email": admin.email, "name": "Okta", "scim": "y"},
                     token_from="/admin/tokens").get_data(as_text=True)
    secret = re.search(r"cev_[A-Za-z0-9_-]{20,}", page).group(0)
    assert scim(app.test_client(), "GET", "/ServiceProviderConfig", secret).status_code == 200
    assert "SCIM provisioning" in client.get("/admin/tokens").get_data(as_text=True)


def group(name: str, *member_ids: str) -> dict:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name,
            "members": [{"value": member_id} for member_id in member_ids]}


def test_role_groups_give_their_members_the_role_and_other_groups_change_nothing(
        provisioning):
    client, token = provisioning
    ids = {name: scim(client, "POST", "/Users", token, new_user(f"{name}@example.com")).json["id"]
           for name in ("kim", "lou")}

    def role(name: str) -> Role:
        return db.session.scalar(select(User.role).where(User.email == f"{name}@example.com"))

    coaches = scim(client, "POST", "/Groups", token,
                   group("cev_learn Coaches", ids["kim"], ids["lou"])).json
    assert (role("kim"), role("lou")) == (Role.COACH, Role.COACH)
    scim(client, "POST", "/Groups", token, group("CEV_LEARN MANAGER", ids["kim"]))
    assert role("kim") is Role.MANAGER  # the highest of their role groups
    scim(client, "POST", "/Groups", token, group("Sales EMEA", ids["lou"]))
    assert role("lou") is Role.COACH  # not a role group
    leave = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "remove", "path": f'members[value eq "{ids["lou"]}"]'}]}
    assert scim(client, "PATCH", f"/Groups/{coaches['id']}", token, leave).status_code < 300
    assert role("lou") is Role.REP and role("kim") is Role.MANAGER
    assert scim(client, "DELETE", f"/Groups/{coaches['id']}", token).status_code == 204
    assert role("kim") is Role.MANAGER
