"""Users → Learning record store: an admin sees where statements are pushed and how that goes
(sent, due, the last error and the next try), or how to configure an LRS; no one else sees it.
"""
import datetime as dt

from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.content.models import ModuleProgress
from cev_learn.platform.db import db, utcnow
from cev_learn.xapi.models import LrsCursor
from tests.helpers import login, make_user
from tests.xapi.test_lrs_push import achieved, at, completed

LRS = "https://lrs.example.com/xapi"
PAGE = "/admin/lrs"


def page_of(app, role=Role.ADMIN) -> tuple[int, str]:
    client = app.test_client()
    assert login(client, make_user(role).email).status_code == 302
    response = client.get(PAGE)
    return response.status_code, " ".join(response.get_data(as_text=True).split())


def test_without_an_lrs_the_page_says_how_to_configure_one(app, signed_in):
    admin = signed_in(Role.ADMIN)
    assert 'href="/admin/lrs"' in admin.get("/admin/users").get_data(as_text=True)
    status, text = page_of(app)
    assert status == 200
    assert "No LRS to push to" in text and "CEV_LEARN_LRS_URL" in text


def test_an_lrs_that_cannot_work_is_named_with_the_reason(make_app):
    status, text = page_of(make_app(LRS_URL="ftp://lrs.example.com"))
    assert status == 200
    assert "Pushing is configured, but cannot work: LRS_URL must be the http(s) address" in text


def test_before_the_first_push_everything_recorded_is_due(make_app, synced_track):
    rep = make_user(Role.REP)
    completed(rep, "discovery", at(2))
    achieved(rep, dt.date(2026, 3, 3), at(3))
    status, text = page_of(make_app(LRS_URL=LRS, BASE_URL="https://learn.example.com"))
    assert status == 200
    assert f'Pushing to <span class="break">{LRS}</span>' in text and "Not started" in text
    assert "Statements sent</dt><dd>0</dd>" in text
    assert "Due now</dt><dd>2</dd>" in text
    assert "Nothing sent yet" in text


def test_a_failing_push_shows_its_error_the_next_try_and_what_waits(make_app, synced_track):
    rep = make_user(Role.REP)
    completed(rep, "discovery", at(2))
    achieved(rep, dt.date(2026, 3, 3), at(3))
    now = utcnow()
    module_done = db.session.scalar(select(ModuleProgress.id))
    db.session.add(LrsCursor(lrs_url=LRS, stored_at=at(2), kind="module", row_id=module_done,
                             statements_sent=1, failures=3, last_attempt_at=now,
                             next_attempt_at=now + dt.timedelta(minutes=2),
                             last_error="the LRS answered 503 Service Unavailable"))
    db.session.commit()
    status, text = page_of(make_app(LRS_URL=LRS, BASE_URL="https://learn.example.com"))
    assert "Failing" in text and "Failures in a row</dt><dd>3</dd>" in text
    assert "The LRS failed: the LRS answered 503 Service Unavailable." in text
    assert "Statements sent</dt><dd>1</dd>" in text
    assert "Due now</dt><dd>1</dd>" in text  # the milestone, recorded after the module


def test_the_activity_ids_pointing_at_this_machine_are_warned_of(make_app):
    _, text = page_of(make_app(LRS_URL=LRS, BASE_URL="http://127.0.0.1:5000"))
    assert "BASE_URL is http://127.0.0.1:5000" in text


def test_only_admins_see_it(make_app):
    app = make_app(LRS_URL=LRS)
    assert [page_of(app, role)[0] for role in (Role.REP, Role.COACH, Role.MANAGER)] == [403] * 3
