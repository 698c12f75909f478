"""Notifications by email as each person chose, delivered to a real SMTP server on localhost:
immediately (the worker, one email each), a daily digest (`cev-learn notifications digest`,
one email per person), or off (nothing). Each goes out once; times in the person's zone."""
import datetime as dt

import pytest

from cev_learn.accounts.models import Role
from cev_learn.notifications.models import NotificationSettings
from cev_learn.platform.db import db
from cev_learn.webhooks.worker import Worker
from tests.helpers import make_user, post_form
from tests.notifications.helpers import give, stored

BASE_URL = "https://learn.example.com"
MAIL_FROM = "cev_learn <notifications@example.com>"
AT = dt.datetime(2026, 12, 7, 15, 45, tzinfo=dt.UTC)


@pytest.fixture
def mailing_app(make_app):
    """An app under test that sends through the SMTP server on `port`."""
    return lambda port: make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL=BASE_URL,
                                 MAIL_FROM=MAIL_FROM, SMTP_TIMEOUT_SECONDS=5)


def in_zone(user, zone: str):
    user.time_zone = zone
    db.session.commit()
    return user


def choose(user, frequency: str) -> None:
    db.session.add(NotificationSettings(user_id=user.id, email=frequency))
    db.session.commit()


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def run_worker_mail(app) -> int:
    with app.app_context():
        return Worker(app).email_notifications()


def digest(app, *options):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["notifications", "digest", *options])


@pytest.mark.slow  # a real SMTP server
def test_immediately_the_worker_sends_one_email_per_notification_once(
        app, mail_server, mailing_app):
    mailbox, port = mail_server()
    eager = in_zone(make_user(Role.REP, name="Ed <Eager>"), "America/New_York")
    choose(eager, "immediately")
    daily, off = make_user(Role.REP), make_user(Role.REP)
    choose(off, "off")
    give(eager, "Cora Coach assigned you “Discovery”", "/tracks/t/modules/discovery",
         created_at=AT)
    give(eager, "Cora Coach shared a note with you", "/week#notes", created_at=AT)
    give(eager, "Read already", "/week", created_at=AT).read_at = AT
    db.session.commit()
    give(daily, "For the digest"), give(off, "For nobody")
    sending = mailing_app(port)
    assert run_worker_mail(sending) == 2
    assert mailbox.recipients == [eager.email, eager.email]
    first = next(m for _, m in mailbox.received if "Discovery" in m["Subject"])
    assert first["Subject"] == "cev_learn: Cora Coach assigned you “Discovery”"
    assert first["From"] == MAIL_FROM
    text = plain(first)
    assert "07 Dec 2026 10:45 EST" in text  # the recipient's own time zone
    assert f"Open it: {BASE_URL}/tracks/t/modules/discovery" in text
    assert "Ed &lt;Eager&gt;" in html(first) and "Ed <Eager>" not in html(first)
    assert run_worker_mail(sending) == 0  # once only
    assert len(mailbox.received) == 2
    assert all(n.emailed_at for n in stored(eager))  # the read one settled without an email
    assert [n.emailed_at for n in stored(daily)] == [None]  # left for the digest


@pytest.mark.slow  # a real SMTP server
def test_the_digest_sends_one_email_per_person_with_whatever_is_new(
        app, mail_server, mailing_app):
    mailbox, port = mail_server()
    rep, coach = make_user(Role.REP), in_zone(make_user(Role.COACH), "Europe/Berlin")
    eager, off = make_user(Role.REP), make_user(Role.REP)
    choose(eager, "immediately"), choose(off, "off")
    give(rep, "First for the rep", "/week", created_at=AT)
    give(rep, "Second for the rep", "/tracks", created_at=AT)
    give(coach, "Rae Rep submitted “Check yourself”", "/attempts/4", created_at=AT)
    give(eager, "Sent at once instead"), give(off, "Never sent")
    sending = mailing_app(port)
    dry = digest(sending, "--dry-run")
    assert dry.exit_code == 0 and "Dry run: 2 digests to send. Nothing sent." in dry.output
    assert mailbox.received == []
    result = digest(sending)
    assert result.exit_code == 0, result.output
    assert "Sent 2 digests." in result.output
    assert mailbox.recipients == sorted([rep.email, coach.email])
    to_rep = mailbox.to(rep.email)
    assert to_rep["Subject"] == "cev_learn: 2 new notifications"
    text = plain(to_rep)
    assert "- First for the rep" in text and "- Second for the rep" in text
    assert f"{BASE_URL}/tracks" in text and "07 Dec 2026 15:45 UTC" in text
    to_coach = mailbox.to(coach.email)
    assert to_coach["Subject"] == "cev_learn: 1 new notification"
    assert "07 Dec 2026 16:45 CET" in plain(to_coach)
    assert f'<a href="{BASE_URL}/attempts/4">' in html(to_coach)
    again = digest(sending)
    assert again.exit_code == 0 and "Sent 0 digests." in again.output
    assert len(mailbox.received) == 2
    assert all(n.emailed_at for n in stored(off))  # off: settled, never to be sent
    assert [n.emailed_at for n in stored(eager)] == [None]  # the worker's to send


@pytest.mark.slow  # a real SMTP server
def test_a_refused_digest_is_tried_again_on_the_next_run(app, mail_server, mailing_app):
    rep = make_user(Role.REP, email="gone@example.com")
    mailbox, port = mail_server(reject=["gone@example.com"])
    give(rep, "Waiting")
    result = digest(mailing_app(port))
    assert result.exit_code != 0 and "digest to gone@example.com not sent" in result.output
    assert [n.emailed_at for n in stored(rep)] == [None]


def test_a_person_chooses_how_to_hear_by_email(app, signed_in):
    rep = make_user(Role.REP)
    client = signed_in(rep)
    page = client.get("/notifications/email").get_data(as_text=True)
    assert "You get them by email <strong>daily digest</strong>" in page  # the default
    assert "Emails</a>" in page  # beside Password and Time zone in the header
    response = post_form(client, "/notifications/email", {"frequency": "immediately"},
                         token_from="/notifications/email")
    assert response.status_code == 302
    assert "Notification emails: immediately." in client.get(
        "/notifications/email").get_data(as_text=True)
    refused = post_form(client, "/notifications/email", {"frequency": "hourly"},
                        token_from="/notifications/email")
    assert refused.status_code == 400
    assert "Email me about notifications: Not a valid choice." in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(NotificationSettings, rep.id).email == "immediately"


def test_turning_email_off_leaves_nothing_to_send_later(app, signed_in):
    rep = make_user(Role.REP)
    give(rep, "Pending")
    client = signed_in(rep)
    post_form(client, "/notifications/email", {"frequency": "off"},
              token_from="/notifications/email")
    [pending] = stored(rep)
    assert pending.emailed_at is not None and pending.read_at is None  # still unread
