"""Configuration: defaults here, then instance/config.py, then CEV_LEARN_* environment variables."""
import os
from pathlib import Path

from flask import Flask

from cev_learn.platform.activity_types import ACTIVITY_TYPES, TYPE_SLUG

DEFAULTS = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLITE_BUSY_TIMEOUT_MS": 15_000,
    # How SQLite transactions begin (see db.py): "immediate" takes the write lock at BEGIN
    # for requests that write; "deferred" never does; "autocommit" runs each statement on
    # its own, holding no snapshot (for tools that inspect a live database, like tests).
    "SQLITE_BEGIN": "immediate",
    # OWASP password storage: scrypt with N=2^17, r=8, p=1.
    "PASSWORD_HASH_METHOD": "scrypt:131072:8:1",
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_NAME": "cev_learn_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_NAME": "cev_learn_remember",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
    # Idle timeout (refreshed on each request) and absolute timeout of a signed-in session.
    "PERMANENT_SESSION_LIFETIME": 2 * 3600,
    "SESSION_ABSOLUTE_LIFETIME": 12 * 3600,
    # Set to True behind HTTPS: secure cookies and HSTS.
    "HTTPS": False,
    # Number of trusted proxies in front of the app (X-Forwarded-For / -Proto).
    "PROXY_COUNT": 0,
    "LOGIN_THROTTLE_WINDOW_SECONDS": 15 * 60,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    # API clients that send this many secrets matching no token within the window (guessing
    # tokens) get 429 for every token, valid or not, until the window has passed them. Counted
    # in the database like sign-in failures, so the limit holds across workers and servers.
    "API_TOKEN_THROTTLE_WINDOW_SECONDS": 15 * 60,
    "API_TOKEN_MAX_FAILURES_PER_ADDRESS": 20,
    "MIGRATIONS_DIR": str(Path(__file__).resolve().parents[2] / "migrations"),
    "COURSES_DIR": str(Path(__file__).resolve().parents[2] / "courses"),
    "REQUEST_LOG": True,
    # Answers saved up to this long after a quiz deadline still count (network delays).
    "QUIZ_GRACE_SECONDS": 30,
    # Practice recordings: where they are kept (default instance/recordings; a shared volume
    # for several app servers), the largest upload, and how many days a coach has to review.
    "RECORDINGS_DIR": None,
    "RECORDING_MAX_BYTES": 50 * 1024 * 1024,
    "REVIEW_DAYS": 2,
    # Emails (reminders, invitations, password resets): the SMTP server, the sender, and the
    # address people open the app at, for links in messages.
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_TIMEOUT_SECONDS": 10,
    "MAIL_FROM": "cev_learn <no-reply@localhost>",
    "BASE_URL": "http://127.0.0.1:5000",
    # One-time links by email to choose a password: an invitation lasts a week, a password
    # reset an hour. "Forgot password?" sends at most this many links per email address and
    # per client address in an hour (counted where rate limits count: shared by every worker).
    "INVITATION_DAYS": 7,
    "PASSWORD_RESET_MINUTES": 60,
    "PASSWORD_RESET_LIMIT": "5 per hour",
    "PASSWORD_RESET_LIMIT_PER_ADDRESS": "20 per hour",
    # Single sign-on with OpenID Connect (Authorization Code flow with PKCE): the provider's
    # issuer URL (its discovery document is <issuer>/.well-known/openid-configuration) and this
    # app's client there, whose redirect URI is <BASE_URL>/login/sso/callback. People are
    # matched by verified email (OIDC_EMAILS_VERIFIED: the provider sends no email_verified
    # but issues only addresses it owns, as Microsoft Entra ID does for a tenant's domains);
    # OIDC_CREATE_ACCOUNTS creates the missing ones whose email domain is in
    # OIDC_CREATE_DOMAINS (as reps unless OIDC_ROLE_CLAIM names a claim holding rep, coach,
    # manager or admin). Email domains in OIDC_REQUIRED_DOMAINS may not sign in with a
    # password.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_SCOPES": "openid email profile",
    "OIDC_CREATE_ACCOUNTS": False,
    "OIDC_CREATE_DOMAINS": [],
    "OIDC_EMAILS_VERIFIED": False,
    "OIDC_ROLE_CLAIM": None,
    "OIDC_TERRITORY_CLAIM": None,
    "OIDC_REQUIRED_DOMAINS": [],
    "OIDC_LEEWAY_SECONDS": 60,
    "OIDC_PROVIDER_NAME": "single sign-on",
    # The xAPI feed serves statements this long after they are stored, so a write still
    # committing cannot land behind a client's cursor; longer than the slowest write
    # transaction (a large CRM import recomputing milestones).
    "XAPI_SETTLE_SECONDS": 60,
    # A Learning Record Store to push statements to (`cev-learn worker`, `cev-learn xapi
    # push`): its xAPI endpoint (statements go to <LRS_URL>/statements) and the key and secret
    # of HTTP Basic authentication there; none: no pushing. Batches of LRS_BATCH_SIZE
    # statements; a request gives up after LRS_TIMEOUT_SECONDS; after a failure the next try
    # waits each of LRS_RETRY_SECONDS in turn, then the last one again and again; a push holds
    # the LRS for at most LRS_LEASE_SECONDS (a worker that dies mid-push leaves it to the
    # next after that); the worker looks for new statements every LRS_PUSH_SECONDS.
    "LRS_URL": None,
    "LRS_KEY": None,
    "LRS_SECRET": None,
    "LRS_BATCH_SIZE": 100,
    "LRS_TIMEOUT_SECONDS": 10,
    "LRS_RETRY_SECONDS": [5, 30, 120, 600, 1800, 3600],
    "LRS_LEASE_SECONDS": 120,
    "LRS_PUSH_SECONDS": 10,
    # Webhooks (`cev-learn worker`): each request gives up after WEBHOOK_TIMEOUT_SECONDS; a
    # failed delivery is tried again after each wait of WEBHOOK_RETRY_SECONDS in turn (about a
    # day in all), then the endpoint is disabled and the admins are emailed. A worker leases
    # what it sends for WEBHOOK_LEASE_SECONDS (a worker that dies mid-delivery leaves it to
    # another after that), sends on WEBHOOK_CONCURRENCY connections at once, up to
    # WEBHOOK_CHAIN_LENGTH events of one rep in a row, looks for work every
    # WEBHOOK_POLL_SECONDS when idle, checks reps' standing for rep.at_risk every
    # WEBHOOK_STANDING_CHECK_SECONDS and keeps delivered events WEBHOOK_KEEP_DAYS days.
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    "WEBHOOK_RETRY_SECONDS": [5, 300, 1800, 7200, 18000, 36000, 36000],
    "WEBHOOK_LEASE_SECONDS": 120,
    "WEBHOOK_CONCURRENCY": 8,
    "WEBHOOK_CHAIN_LENGTH": 50,
    "WEBHOOK_POLL_SECONDS": 0.5,
    "WEBHOOK_STANDING_CHECK_SECONDS": 3600,
    "WEBHOOK_KEEP_DAYS": 30,
    # The worker emails the notifications of people who want them at once every
    # NOTIFICATION_EMAIL_SECONDS (the daily digests are `cev-learn notifications digest`'s).
    "NOTIFICATION_EMAIL_SECONDS": 60,
    # API rate limit per token (Flask-Limiter syntax) and where every rate limit counts:
    # database:// in the app's own database, shared by all workers and servers; or
    # redis://host:6379 to spare the database that write per request. (memory:// would count
    # per worker process: with N workers a client gets N times the limit.)
    "API_RATE_LIMIT": "600 per minute",
    # Public certificate checks (/verify/<code>) per client: enough for a person, too few to
    # guess codes (43 random characters) even were they guessable.
    "VERIFY_RATE_LIMIT": "30 per minute",
    "RATELIMIT_STORAGE_URI": "database://",
    # Cached pages (keyed by the versions of the data they show, so never stale), shared by
    # every worker of the server: files in CACHE_DIR (default: the instance folder's cache/);
    # "RedisCache" with CACHE_REDIS_URL to share them between app servers too.
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": None,
    "CACHE_DEFAULT_TIMEOUT": 3600,
    "CACHE_THRESHOLD": 5000,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Activity types beyond call, email, meeting, demo, opportunity and deal_won that CRM data,
    # milestones and weekly targets may use, e.g. ["linkedin_message", "referral"].
    "EXTRA_ACTIVITY_TYPES": [],
}

def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from the chain of sources, last one wins."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CEV_LEARN")
    else:
        app.config.from_mapping(test_config)
    _finish(app)


def _finish(app: Flask) -> None:
    cfg = app.config
    os.makedirs(app.instance_path, exist_ok=True)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    url = cfg.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'cev_learn.sqlite'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(url)
    cfg["ACTIVITY_TYPES"] = _activity_types(cfg["EXTRA_ACTIVITY_TYPES"])
    if cfg["CACHE_TYPE"] == "FileSystemCache" and not cfg.get("CACHE_DIR"):
        cfg["CACHE_DIR"] = str(Path(app.instance_path) / "cache")
    if not cfg.get("RECORDINGS_DIR"):
        cfg["RECORDINGS_DIR"] = str(Path(app.instance_path) / "recordings")
    if cfg["HTTPS"]:
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
        cfg["PREFERRED_URL_SCHEME"] = "https"
        # __Host-: browsers keep such a cookie only if it is Secure, for the whole site and
        # set by this host, so no subdomain can plant or overwrite it.
        for key in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME"):
            if cfg[key] == DEFAULTS[key] and not cfg.get(key.replace("NAME", "DOMAIN")):
                cfg[key] = "__Host-" + cfg[key]


def _activity_types(extra) -> tuple[str, ...]:
    """The built-in activity types and the configured extra ones (lower-case slugs)."""
    if isinstance(extra, str) or not all(isinstance(t, str) and TYPE_SLUG.fullmatch(t)
                                         for t in extra):
        raise ValueError("EXTRA_ACTIVITY_TYPES must be a list of lower-case slugs like "
                         f"'linkedin_message', not {extra!r}")
    return ACTIVITY_TYPES + tuple(t for t in dict.fromkeys(extra) if t not in ACTIVITY_TYPES)


def _normalise_database_url(url: str) -> str:
    """Let people write postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance: Path) -> str:
    """Read, or create once, a random secret key kept beside the database."""
    path = instance / "secret_key"
    if not path.exists():
        import secrets

        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()
