"""One-time links by email to choose a password: invitations and password resets.

A link's secret is made when its email is composed, and only its SHA-256 digest is stored, so
the database alone never opens an account. An invitation is queued first (`invite`) and sent
later in a batch (`deliver`), so a bulk import sends one batch over one SMTP connection; a
password reset is made and sent at once (`send_password_reset`). Following a link
(`find_usable`, then `redeem`) sets the password, ends every session of the account and closes
the person's other open links: each link works once.

Services flush; `deliver` and `send_password_reset` also commit, because an email must never
carry a link the database does not have yet, and a link sent must be recorded as sent before a
later run looks for what is still to send.
"""
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import and_, bindparam, case, inspect, or_, select, update
from sqlalchemy.orm.util import identity_key

from flask import current_app

from cev_learn.accounts import services, sso
from cev_learn.accounts.models import LinkPurpose, SignInLink, User
from cev_learn.platform import mail
from cev_learn.platform.db import db, one_statement

LINKS = SignInLink.__table__  # batch updates by id: plain statements, one per batch
SECRET_BYTES = 32
ERROR_CHARS = 300
PATHS = {LinkPurpose.INVITATION: "/welcome/", LinkPurpose.PASSWORD_RESET: "/password/reset/"}
SUBJECTS = {LinkPurpose.INVITATION: "You are invited to cev_learn",
            LinkPurpose.PASSWORD_RESET: "Choose a new cev_learn password"}
TEMPLATES = {LinkPurpose.INVITATION: "email/invitation",
             LinkPurpose.PASSWORD_RESET: "email/password_reset"}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime(purpose: LinkPurpose, config: Mapping) -> dt.timedelta:
    if purpose is LinkPurpose.INVITATION:
        return dt.timedelta(days=int(config["INVITATION_DAYS"]))
    return dt.timedelta(minutes=int(config["PASSWORD_RESET_MINUTES"]))


# --- How a person signs in, as the admin pages show it --------------------------------------

class SignInState(Enum):
    PASSWORD = "Password"
    SSO = "Single sign-on"
    BOTH = "Password or single sign-on"
    INVITED = "Invited"
    INVITATION_QUEUED = "Invitation not sent yet"
    INVITATION_FAILED = "Invitation not delivered"
    INVITATION_EXPIRED = "Invitation expired"
    NEVER_JOINED = "Never joined"


@dataclass(frozen=True)
class SignIn:
    state: SignInState
    invitation: SignInLink | None = None  # the newest invitation, if any

    @property
    def joined(self) -> bool:
        return self.state in (SignInState.PASSWORD, SignInState.SSO, SignInState.BOTH)

    @property
    def can_invite(self) -> bool:
        return not self.joined


def sign_in_state(user: User, invitation: SignInLink | None, now: dt.datetime, *,
                  sso_only: bool = False) -> SignIn:
    """How `user` signs in, given their newest invitation and whether their email's domain
    signs in with single sign-on only (pure)."""
    if sso_only or (user.sso_subject is not None and user.password_hash is None):
        return SignIn(SignInState.SSO, invitation)
    if user.password_hash is not None:
        linked = user.sso_subject is not None
        return SignIn(SignInState.BOTH if linked else SignInState.PASSWORD, invitation)
    if invitation is None or invitation.revoked_at is not None or invitation.used_at is not None:
        return SignIn(SignInState.NEVER_JOINED, invitation)
    if invitation.sent_at is None:
        state = (SignInState.INVITATION_FAILED if invitation.delivery_error
                 else SignInState.INVITATION_QUEUED)
        return SignIn(state, invitation)
    if invitation.usable(now):
        return SignIn(SignInState.INVITED, invitation)
    return SignIn(SignInState.INVITATION_EXPIRED, invitation)


def newest_invitations(user_ids: Iterable[int]) -> dict[int, SignInLink]:
    """Each user's newest invitation (one statement)."""
    ids = list(user_ids)
    if not ids:
        return {}
    newest = {}
    for link in db.session.scalars(select(SignInLink).where(
            SignInLink.user_id.in_(ids), SignInLink.purpose == LinkPurpose.INVITATION)
            .order_by(SignInLink.id)):
        newest[link.user_id] = link
    return newest


# --- Invitations ----------------------------------------------------------------------------

def invite(users: Iterable[User], *, by: User | None, now: dt.datetime) -> list[SignInLink]:
    """Queue an invitation for each active user who has no password yet and no open
    invitation, and who may sign in with one (not single sign-on only); returns the new ones
    (send them with `deliver`). Running it again queues nothing more."""
    waiting = {u.id: u for u in users if u.active and u.password_hash is None
               and not sso.requires_sso(u.email, current_app.config)}
    if not waiting:
        return []
    already = set(db.session.scalars(select(SignInLink.user_id).where(
        SignInLink.user_id.in_(waiting), SignInLink.purpose == LinkPurpose.INVITATION,
        _open(now))))
    links = [SignInLink(user_id=user_id, purpose=LinkPurpose.INVITATION, created_at=now,
                        created_by_id=by.id if by else None)
             for user_id in sorted(waiting) if user_id not in already]
    db.session.add_all(links)
    db.session.flush()
    return links


def reinvite(user: User, *, by: User | None, now: dt.datetime) -> SignInLink | None:
    """Close the user's open invitations and queue a new one (None: they have joined or are
    deactivated)."""
    revoke_invitations(user, now)
    links = invite([user], by=by, now=now)
    return links[0] if links else None


def revoke_invitations(user: User, now: dt.datetime) -> int:
    """Close every open invitation of the user: their links stop working. Returns how many."""
    return db.session.execute(update(SignInLink).where(
        SignInLink.user_id == user.id, SignInLink.purpose == LinkPurpose.INVITATION,
        _open(now)).values(revoked_at=now)).rowcount


def queued_invitations() -> list[SignInLink]:
    """Invitations waiting to be sent (never sent, or refused by the mail server)."""
    return list(db.session.scalars(select(SignInLink).where(
        SignInLink.purpose == LinkPurpose.INVITATION, *_queued()).order_by(SignInLink.id)))


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)                   # email addresses
    failed: list[tuple[str, str]] = field(default_factory=list)     # (address, why)
    already_sent: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.sent)} invitation{'' if len(self.sent) == 1 else 's'} sent"]
        if self.failed:
            parts.append(f"{len(self.failed)} not delivered ({self.failed[0][1]})")
        if self.already_sent:
            parts.append(f"{self.already_sent} already sent before")
        return ", ".join(parts)


def deliver(links: Iterable[SignInLink], config: Mapping, now: dt.datetime) -> DeliveryReport:
    """Send these queued links in one batch over one SMTP connection, and commit (the
    caller's work with them: creating a link and sending it is one commit).

    The links still queued are claimed (marked sent, with their digest and expiry) and
    committed before the batch goes out, so no later run sends them again; a run at the same
    time finds them claimed and skips them. A fixed number of statements for any batch. A
    message the server refuses puts its link back in the queue with the reason, to be sent by
    the next run or the admin's "send again"."""
    report = DeliveryReport()
    wanted = {link.id: (secrets.token_urlsafe(SECRET_BYTES), link.purpose) for link in links}
    claimed = list(db.session.execute(
        update(LINKS).where(SignInLink.id.in_(wanted), *_queued())
        .values(sent_at=now, delivery_error=None,
                digest=case({link_id: digest(secret)
                             for link_id, (secret, _) in wanted.items()}, value=LINKS.c.id),
                expires_at=case({link_id: now + lifetime(purpose, config)
                                 for link_id, (_, purpose) in wanted.items()},
                                value=LINKS.c.id))
        .returning(SignInLink.id, SignInLink.user_id, SignInLink.purpose)).all()) if wanted else []
    report.already_sent = len(wanted) - len(claimed)
    users = _names({user_id for _, user_id, _ in claimed})
    db.session.commit()
    if not claimed:
        return report
    messages = [_message(purpose, users[user_id], wanted[link_id][0], config,
                         expires_at=now + lifetime(purpose, config))
                for link_id, user_id, purpose in claimed]
    failures = []
    for (link_id, user_id, _), delivery in zip(claimed, mail.send_messages(messages, config),
                                               strict=True):
        if delivery.sent:
            report.sent.append(users[user_id][0])
        else:
            report.failed.append((users[user_id][0], delivery.error))
            failures.append({"link_id": link_id, "error": delivery.error[:ERROR_CHARS]})
    if failures:  # back in the queue, with the reason (each link a write of its own)
        with one_statement() as connection:
            connection.execute(update(LINKS).where(LINKS.c.id == bindparam("link_id"))
                               .values(digest=None, sent_at=None, expires_at=None,
                                       delivery_error=bindparam("error")), failures)
    return report


def _names(user_ids: set[int]) -> dict[int, tuple[str, str, str | None]]:
    """(email, name, time zone) of these users: those the request has loaded already (the
    people it just invited, as a rule) read no statement, the others one."""
    found, missing = {}, set()
    for user_id in user_ids:
        user = db.session.identity_map.get(identity_key(User, user_id))
        if user is not None and not {"email", "name", "time_zone"} & inspect(user).unloaded:
            found[user_id] = (user.email, user.name, user.time_zone)
        else:
            missing.add(user_id)
    if missing:
        found.update((user_id, tuple(rest)) for user_id, *rest in db.session.execute(
            select(User.id, User.email, User.name, User.time_zone)
            .where(User.id.in_(missing))))
    return found


def _message(purpose: LinkPurpose, person: tuple[str, str, str | None], secret: str,
             config: Mapping, *, expires_at: dt.datetime):
    """The email with the link, its expiry written in the recipient's time zone."""
    email, name, time_zone = person
    base_url = config["BASE_URL"].rstrip("/")
    return mail.compose(
        to=email, subject=SUBJECTS[purpose], template=TEMPLATES[purpose],
        values={"name": name, "link": base_url + PATHS[purpose] + secret,
                "lifetime": _in_words(lifetime(purpose, config)), "expires_at": expires_at},
        config=config, time_zone=time_zone)


def _in_words(span: dt.timedelta) -> str:
    if span.days:
        return f"{span.days} day{'' if span.days == 1 else 's'}"
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


# --- Password reset -------------------------------------------------------------------------

def send_password_reset(email: str, config: Mapping, now: dt.datetime) -> bool:
    """Email a password-reset link to the active account with this address, and commit;
    False when there is none, or its domain signs in with single sign-on only (the caller
    answers the same either way)."""
    user = services.find_user_by_email(email)
    if user is None or not user.active or sso.requires_sso(email, config):
        return False
    link = SignInLink(user_id=user.id, purpose=LinkPurpose.PASSWORD_RESET, created_at=now)
    db.session.add(link)
    db.session.flush()
    report = deliver([link], config, now)
    return bool(report.sent)


# --- Following a link -----------------------------------------------------------------------

@dataclass(frozen=True)
class OpenedLink:
    """A usable link and the active account it lets choose a password for."""

    link: SignInLink
    user: User


def find_usable(secret: str, purpose: LinkPurpose, now: dt.datetime) -> OpenedLink | None:
    """The link this secret opens, if it is still usable and its account active."""
    if not secret or len(secret) > 200:
        return None
    found = db.session.execute(
        select(SignInLink, User).join(User, User.id == SignInLink.user_id)
        .where(SignInLink.digest == digest(secret), SignInLink.purpose == purpose)).first()
    if found is None:
        return None
    link, user = found
    return OpenedLink(link, user) if link.usable(now) and user.active else None


def redeem(opened: OpenedLink, password: str, *, hash_method: str, now: dt.datetime) -> bool:
    """Use the link: set the password, end every other session of the account, close the
    person's other open links, and count it as signing in. False when another request used
    it first: it works once."""
    link, user = opened.link, opened.user
    used = db.session.execute(update(LINKS).where(
        LINKS.c.id == link.id, LINKS.c.used_at.is_(None), LINKS.c.revoked_at.is_(None))
        .values(used_at=now)).rowcount
    if not used:
        return False
    db.session.execute(update(LINKS).where(
        LINKS.c.user_id == user.id, LINKS.c.id != link.id, _open(now)).values(revoked_at=now))
    services.set_password(user, password, hash_method)
    user.last_login_at = now
    db.session.flush()
    return True


def _open(now: dt.datetime):
    """Links waiting to be sent, or sent and still usable."""
    return and_(SignInLink.used_at.is_(None), SignInLink.revoked_at.is_(None),
                or_(SignInLink.sent_at.is_(None), SignInLink.expires_at > now))


def _queued() -> tuple:
    """Links waiting to be sent: never sent (or refused by the mail server), still open."""
    return (SignInLink.sent_at.is_(None), SignInLink.revoked_at.is_(None),
            SignInLink.used_at.is_(None))
