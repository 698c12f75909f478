"""Reps hear of booster questions that came due: once per due day, in the bell and so in the
daily digest (or at once, or never, as each chose), however often the check runs."""
import datetime as dt

import pytest

from cev_learn.accounts.models import Role
from cev_learn.notifications.services import boosters_came_due
from cev_learn.platform.db import db
from tests.factories import make_cohort
from tests.helpers import make_user
from tests.notifications.helpers import stored
from tests.quizzes.boosting import boosters_of, completed

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def rep(make_quiz):
    make_quiz(covers="[intro]")
    rep = make_user(Role.REP)
    make_cohort(reps=[rep])
    return rep


def test_due_boosters_tell_the_rep_once_per_due_day(rep):
    completed(rep, days_ago=1)  # due tomorrow
    assert boosters_came_due(NOW.date(), NOW) == 0
    assert boosters_came_due(NOW.date() + dt.timedelta(days=1), NOW) == 1
    db.session.commit()
    assert boosters_came_due(NOW.date() + dt.timedelta(days=1), NOW) == 0
    [told] = stored(rep)
    assert (told.kind, told.text, told.link) == (
        "boosters_due", "Boosters due: 3 short questions from modules you completed", "/boosters")
    assert {b.notified_on for b in boosters_of(rep)} == {NOW.date() + dt.timedelta(days=1)}


def test_an_inactive_rep_is_not_told(rep):
    completed(rep, days_ago=3)
    rep.active = False
    db.session.commit()
    assert boosters_came_due(NOW.date(), NOW) == 0 and stored(rep) == []


@pytest.mark.slow  # a real SMTP server
def test_the_daily_digest_includes_the_boosters_due(app, rep, mail_server, make_app):
    completed(rep, days_ago=3)
    mailbox, port = mail_server()
    sending = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://learn.example.com",
                       MAIL_FROM="cev_learn <n@example.com>", SMTP_TIMEOUT_SECONDS=5)
    with sending.app_context():
        result = sending.test_cli_runner().invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "Told 1 rep of boosters due." in result.output and "Sent 1 digest." in result.output
    text = mailbox.to(rep.email).get_body(preferencelist=("plain",)).get_content()
    assert "Boosters due: 3 short questions" in text
    assert "https://learn.example.com/boosters" in text
