"""A timed quiz says its deadline, and autosave says when it saved, in the rep's own zone:
the two times a rep compares read alike."""
import datetime as dt
import re

from sqlalchemy import update

from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt
from tests.helpers import login, make_user, post_form

QUIZ_URL = "/tracks/test-track/quizzes/check"


def test_the_deadline_and_autosave_are_in_the_reps_zone(app, make_quiz):
    make_quiz(time_limit_minutes=10)
    rep = make_user(Role.REP)
    db.session.execute(update(User).where(User.id == rep.id).values(time_zone="Europe/Berlin"))
    db.session.commit()
    client = app.test_client()
    login(client, rep.email)
    started = post_form(client, QUIZ_URL + "/start", token_from=QUIZ_URL)
    attempt_url = started.headers["Location"]
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                       .values(deadline_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)))
    db.session.commit()
    page = client.get(attempt_url).get_data(as_text=True)
    assert re.search(r'Submit by <time datetime="[^"]+">\d\d:\d\d CET</time>', page)
    saved = client.post(f"/attempts/{attempt_id}/save", headers={"Accept": "application/json"},
                        data={"csrf_token": re.search(
                            r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)})
    assert saved.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d:\d\d CET", saved.get_json()["saved_at_shown"])


def test_a_rep_without_a_zone_reads_the_deadline_in_utc(app, make_quiz):
    make_quiz(time_limit_minutes=10)
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    started = post_form(client, QUIZ_URL + "/start", token_from=QUIZ_URL)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                       .values(deadline_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)))
    db.session.commit()
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert re.search(r'Submit by <time datetime="[^"]+">\d\d:\d\d UTC</time>', page)
