"""Single sign-on with OpenID Connect: the provider as the app's settings name it (Authlib's
client does the protocol: discovery, the Authorization Code flow with PKCE, state and nonce,
and the ID token's signature, issuer, audience and expiry), and which cev_learn account the
person it vouches for is.

A person is found by the provider's account they signed in with before (issuer and subject),
else by a verified email, and linked to it; with OIDC_CREATE_ACCOUNTS a missing one is
created if its email domain is one of OIDC_CREATE_DOMAINS. OIDC_ROLE_CLAIM and OIDC_TERRITORY_CLAIM, when set, keep role and territory as the
provider says at every sign-in. Flushes only: the caller commits.
"""
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy import select

from cev_learn.accounts import services
from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db

EXTENSION = "cev_learn_oidc"
CALLBACK_PATH = "/login/sso/callback"
# What the protocol can refuse: a state that is missing, replayed or expired, an error from
# the provider, a token that fails its checks, or a provider that cannot be reached.
SSO_ERRORS = (AuthlibBaseError, JoseError, RequestException, KeyError, ValueError)


def init_app(app: Flask) -> None:
    """Register the app's provider, if its settings name one (each app its own client)."""
    if not app.config["OIDC_ISSUER"]:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register(
        "oidc", client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "timeout": 10})


def client():
    """The current app's OpenID client (Authlib)."""
    return current_app.extensions[EXTENSION].oidc


def enabled(config: Mapping) -> bool:
    return bool(config["OIDC_ISSUER"])


def requires_sso(email: str, config: Mapping) -> bool:
    """True when the email's domain signs in with single sign-on only (no password)."""
    domain = services.normalise_email(email).rpartition("@")[2]
    return enabled(config) and domain in {d.strip().lower()
                                          for d in config["OIDC_REQUIRED_DOMAINS"]}


def redirect_uri(config: Mapping) -> str:
    return config["BASE_URL"].rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True)
class SsoResult:
    user: User | None
    problem: str | None = None  # why nobody is signed in, fit to show


def sign_in(claims: Mapping, *, issuer: str, config: Mapping, now: dt.datetime) -> SsoResult:
    """The account of the person the provider's verified claims describe, linked to their
    provider account and with role and territory as mapped; or why there is none."""
    subject = str(claims.get("sub") or "")
    if not subject:
        return SsoResult(None, "The identity provider did not say who you are.")
    user = db.session.scalar(select(User).where(User.sso_issuer == issuer,
                                                User.sso_subject == subject))
    if user is None:
        email = services.normalise_email(str(claims.get("email") or ""))
        verified = claims.get("email_verified") is True or config["OIDC_EMAILS_VERIFIED"]
        if not email or not verified:
            return SsoResult(None, "The identity provider did not give a verified email "
                                   "address, so no cev_learn account can be matched.")
        user = services.find_user_by_email(email)
        if user is None and not _may_create(email, config):
            return SsoResult(None, f"There is no cev_learn account for {email}. Ask your "
                                   "cev_learn admin to add you.")
        if user is None:
            user = services.create_user(
                email=email, name=_name(claims, email), role=_role(claims, config) or Role.REP,
                territory=_territory(claims, config), password=None,
                hash_method=config["PASSWORD_HASH_METHOD"])
        elif user.sso_subject is not None:
            return SsoResult(None, f"{email} signs in with another account of the identity "
                                   "provider. Ask your cev_learn admin.")
        user.sso_issuer, user.sso_subject = issuer, subject
    if not user.active:
        return SsoResult(None, "This account is deactivated. Ask your cev_learn admin.")
    _apply_mapping(user, claims, config)
    user.last_login_at = now
    db.session.flush()
    return SsoResult(user)


def _may_create(email: str, config: Mapping) -> bool:
    """Accounts are created just in time only when the settings say so, and only for the
    organisation's own email domains: a provider such as Google vouches for anyone's."""
    domains = {d.strip().lower() for d in config["OIDC_CREATE_DOMAINS"]}
    return bool(config["OIDC_CREATE_ACCOUNTS"]) and email.rpartition("@")[2] in domains


def _name(claims: Mapping, email: str) -> str:
    name = " ".join(str(claims.get("name") or "").split())[:120]
    return name or email.partition("@")[0]


def _role(claims: Mapping, config: Mapping) -> Role | None:
    claim = config["OIDC_ROLE_CLAIM"]
    value = str(claims.get(claim) or "").strip().lower() if claim else ""
    return Role(value) if value in {r.value for r in Role} else None


def _territory(claims: Mapping, config: Mapping) -> str | None:
    claim = config["OIDC_TERRITORY_CLAIM"]
    value = " ".join(str(claims.get(claim) or "").split())[:80] if claim else ""
    return value or None


def _apply_mapping(user: User, claims: Mapping, config: Mapping) -> None:
    """Role and territory as the provider's claims say, where they are mapped and given."""
    if (role := _role(claims, config)) is not None:
        user.role = role
    if (territory := _territory(claims, config)) is not None:
        user.territory = territory
