"""Single sign-on with OpenID Connect, against a real OpenID provider started on localhost
(oidc-provider, tests/oidc): sign-in, who is matched or created, and every refusal."""
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from cev_learn.accounts import sso, sso_views
from cev_learn.accounts.models import Role, SignInLink, User
from cev_learn.platform.db import db
from tests.helpers import PASSWORD, csrf_token, login, make_user, reload
from tests.mail import free_port
from tests.security.test_open_redirects import PAYLOADS, on_site
from tests.oidc.server import (CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, OTHER_SECRET,
                               Provider)

pytestmark = pytest.mark.slow  # a real OpenID provider (Node.js)

CALLBACK = "http://localhost/login/sso/callback"
REFUSED = "the answer from the identity provider could not be verified"


def sso_settings(provider, **overrides) -> dict:
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "BASE_URL": "http://localhost",
            "OIDC_SCOPES": "openid email profile cev", **overrides}


@pytest.fixture
def sso_app(make_app, oidc_provider):
    """sso_app(**settings): an app signing in through the test provider."""
    return lambda **overrides: make_app(**sso_settings(oidc_provider, **overrides))


def start(client) -> str:
    """Press "Sign in with single sign-on": the provider's authorization URL."""
    response = client.get("/login/sso")
    assert response.status_code == 302
    return response.location


def sign_in_through(provider, client, account: str):
    """The whole round trip: off to the provider, sign in as `account`, back with the code."""
    back = provider.sign_in(start(client), account)
    assert back.startswith(CALLBACK + "?")
    return client.get(back.removeprefix("http://localhost")), back


def test_a_person_signs_in_through_the_provider_and_is_linked_to_it(sso_app, oidc_provider):
    app = sso_app()
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Rep")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/sso"' in page and "Sign in with single sign-on" in page
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    response = client.get(oidc_provider.sign_in(authorize, "ana-at-idp")
                          .removeprefix("http://localhost"))
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/week").status_code == 200
    ana = reload(ana)
    assert (ana.sso_issuer, ana.sso_subject) == (oidc_provider.issuer, "ana-at-idp")
    assert ana.last_login_at is not None
    assert ana.role is Role.REP and ana.name == "Ana Rep"  # no mapping configured


def test_a_linked_person_is_found_by_their_provider_account_whatever_the_email(
        sso_app, oidc_provider):
    app = sso_app()
    kai = make_user(Role.COACH, email="kai.renamed@example.com")
    kai.sso_issuer, kai.sso_subject = oidc_provider.issuer, "kai@example.com"
    db.session.commit()
    response, _ = sign_in_through(oidc_provider, app.test_client(), "kai@example.com")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_state_works_once(sso_app, oidc_provider):
    app = sso_app()
    make_user(Role.REP, email="ben@example.com")
    client = app.test_client()
    response, back = sign_in_through(oidc_provider, client, "ben@example.com")
    assert response.status_code == 302
    replayed = client.get(back.removeprefix("http://localhost"))
    assert replayed.status_code == 400 and REFUSED in replayed.get_data(as_text=True)
    assert "Please correct the following" not in replayed.get_data(as_text=True)  # no field
    stranger = app.test_client().get(back.removeprefix("http://localhost"))
    assert stranger.status_code == 400 and REFUSED in stranger.get_data(as_text=True)


def test_an_expired_state_is_refused(sso_app, oidc_provider):
    app = sso_app()
    make_user(Role.REP, email="cy@example.com")
    client = app.test_client()
    authorize = start(client)
    with client.session_transaction() as session:  # ten minutes later
        state, expires = session[sso_views.STATE_KEY]
        session[sso_views.STATE_KEY] = [state, time.time() - 1]
    back = oidc_provider.sign_in(authorize, "cy@example.com")
    response = client.get(back.removeprefix("http://localhost"))
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    assert client.get("/week").status_code == 302  # not signed in


def verify(app, tokens: dict, nonce: str):
    """The ID token checks the callback makes, on a token response the provider gave."""
    with app.test_request_context():
        return sso.client().parse_id_token(tokens, nonce,
                                           leeway=app.config["OIDC_LEEWAY_SECONDS"])


def test_an_id_token_for_another_client_is_refused(sso_app, oidc_provider):
    app = sso_app()
    nonce = secrets.token_urlsafe(16)
    own = oidc_provider.tokens(CLIENT_ID, CLIENT_SECRET, CALLBACK, "dee@example.com", nonce)
    assert verify(app, own, nonce)["email"] == "dee@example.com"
    other = oidc_provider.tokens(OTHER_CLIENT_ID, OTHER_SECRET, CALLBACK, "dee@example.com",
                                 nonce)
    # aud names the other client only: refused (Authlib asks for the azp such a token lacks)
    with pytest.raises(sso.SSO_ERRORS, match="aud|azp"):
        verify(app, other, nonce)


def test_a_tampered_id_token_or_a_wrong_nonce_is_refused(sso_app, oidc_provider):
    app = sso_app()
    nonce = secrets.token_urlsafe(16)
    tokens = oidc_provider.tokens(CLIENT_ID, CLIENT_SECRET, CALLBACK, "eve@example.com", nonce)
    header, payload, signature = tokens["id_token"].split(".")
    forged = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    with pytest.raises(sso.SSO_ERRORS):
        verify(app, {**tokens, "id_token": ".".join((header, forged, signature))}, nonce)
    with pytest.raises(sso.SSO_ERRORS, match="nonce"):
        verify(app, tokens, "another-nonce")


def test_an_expired_id_token_is_refused(make_app):
    provider = Provider([CALLBACK], {}, id_token_ttl=1)
    try:
        app = make_app(**sso_settings(provider, OIDC_LEEWAY_SECONDS=0))
        nonce = secrets.token_urlsafe(16)
        tokens = provider.tokens(CLIENT_ID, CLIENT_SECRET, CALLBACK, "fay@example.com", nonce)
        time.sleep(2.1)
        with pytest.raises(sso.SSO_ERRORS, match="expired"):
            verify(app, tokens, nonce)
    finally:
        provider.stop()


def test_no_account_is_created_unless_the_setting_says_so(sso_app, oidc_provider):
    response, _ = sign_in_through(oidc_provider, sso_app().test_client(), "new-coach")
    assert response.status_code == 400
    assert "There is no cev_learn account for new.coach@example.com" in response.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_accounts_are_created_just_in_time_with_the_mapped_role_and_territory(
        sso_app, oidc_provider):
    app = sso_app(OIDC_CREATE_ACCOUNTS=True, OIDC_CREATE_DOMAINS=["Example.com"],
                  OIDC_ROLE_CLAIM="cev_role", OIDC_TERRITORY_CLAIM="cev_territory")
    client = app.test_client()
    outsider, _ = sign_in_through(oidc_provider, client, "someone@elsewhere.example")
    assert outsider.status_code == 400  # not one of the organisation's domains
    assert "There is no cev_learn account for someone@elsewhere.example" in outsider.get_data(
        as_text=True)
    response, _ = sign_in_through(oidc_provider, client, "new-coach")
    assert response.status_code == 302
    nova = db.session.scalar(select(User).where(User.email == "new.coach@example.com"))
    assert (nova.name, nova.role, nova.territory) == ("Nova Coach", Role.COACH, "DACH")
    assert nova.password_hash is None
    assert client.get("/").location.endswith("/coach")


def test_an_unverified_email_matches_no_one_unless_the_provider_is_trusted_for_emails(
        sso_app, oidc_provider):
    make_user(Role.REP, email="unverified@example.com")
    response, _ = sign_in_through(oidc_provider, sso_app().test_client(), "unverified")
    assert response.status_code == 400
    assert "did not give a verified email address" in response.get_data(as_text=True)
    trusted = sso_app(OIDC_EMAILS_VERIFIED=True)  # e.g. Entra ID, which sends no such claim
    response, _ = sign_in_through(oidc_provider, trusted.test_client(), "unverified")
    assert response.status_code == 302


def test_a_deactivated_person_cannot_sign_in_through_the_provider(sso_app, oidc_provider):
    gil = make_user(Role.REP, email="gil@example.com")
    gil.active = False
    db.session.commit()
    response, _ = sign_in_through(oidc_provider, sso_app().test_client(), "gil@example.com")
    assert response.status_code == 400 and "deactivated" in response.get_data(as_text=True)


def test_a_domain_that_requires_single_sign_on_gets_no_password_sign_in(
        sso_app, oidc_provider):
    app = sso_app(OIDC_REQUIRED_DOMAINS=["example.org"])
    hal = make_user(Role.REP, email="hal@example.org")
    client = app.test_client()
    response = login(client, hal.email, PASSWORD)
    assert response.status_code == 400
    assert ("Accounts at example.org sign in with single sign-on"
            in response.get_data(as_text=True))
    assert client.get("/week").status_code == 302
    client.post("/password/forgot", data={"csrf_token": csrf_token(client, "/password/forgot"),
                                          "email": hal.email})
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0
    assert login(app.test_client(), make_user(Role.REP, email="ivy@example.com").email,
                 PASSWORD).status_code == 302  # other domains keep their passwords
    response, _ = sign_in_through(oidc_provider, client, "hal@example.org")
    assert response.status_code == 302


def test_a_provider_that_cannot_be_reached_is_said_so(make_app, oidc_provider):
    app = make_app(**sso_settings(oidc_provider, OIDC_ISSUER=f"http://127.0.0.1:{free_port()}"))
    response = app.test_client().get("/login/sso")
    assert response.status_code == 503
    assert "The identity provider cannot be reached right now" in response.get_data(as_text=True)


def test_without_a_provider_there_is_no_single_sign_on(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    assert "single sign-on" not in client.get("/login").get_data(as_text=True)


def test_next_never_leads_off_the_site_after_single_sign_on(sso_app, oidc_provider):
    app = sso_app()
    make_user(Role.REP, email="nat@example.com")
    for target in ["/week?tab=due", *PAYLOADS]:
        client = app.test_client()
        started = client.get("/login/sso", query_string={"next": target})
        if started.status_code == 400:  # refused outright (a NUL), nowhere to go
            continue
        back = oidc_provider.sign_in(started.location, "nat@example.com")
        response = client.get(back.removeprefix("http://localhost"))
        assert response.status_code == 302 and on_site(response.location), target
        if target == "/week?tab=due":
            assert response.location == target


def test_the_admin_sees_who_signs_in_through_the_provider(sso_app, oidc_provider):
    app = sso_app(OIDC_REQUIRED_DOMAINS=["example.org"])
    make_user(Role.REP, email="ola@example.com", name="Ola Linked")
    only = make_user(Role.REP, email="sso.only@example.org", name="Sid Domain")
    only.password_hash = None
    db.session.commit()
    sign_in_through(oidc_provider, app.test_client(), "ola@example.com")
    admin = app.test_client()
    assert login(admin, make_user(Role.ADMIN).email).status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    for name, state in (("Ola Linked", "Password or single sign-on"),
                        ("Sid Domain", "Single sign-on")):
        row = page[page.index(name):page.index("</tr>", page.index(name))]
        assert f">{state}<" in row, name
