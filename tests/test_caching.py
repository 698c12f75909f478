"""Cached pages are never stale: any change to the data they are built from is seen at once."""
import datetime as dt
import re
import threading
import time

import pytest
from sqlalchemy import insert, text

from cev_learn.accounts.models import LoginFailure, Role
from cev_learn.cohorts.services import place_rep
from cev_learn.platform.caching import (ScopeVersion, build_once, cache, cached_each, changed,
                                        cohort_scope, data_version, rep_scope, versions)
from cev_learn.platform.db import db
from tests.helpers import CSRF_META, make_user, post_form
from tests.factories import make_cohort

TODAY = dt.date.today()
DAYS_FROM_TODAY = ()  # TODAY moves to the day each test runs (conftest)


def test_a_change_bumps_the_data_version_once_per_transaction(app):
    with app.app_context():
        before = data_version()
        rep = make_user(Role.REP)  # a commit with an INSERT
        assert data_version() == before + 1
        rep.name = "Renamed"
        rep.territory = "DACH"
        db.session.flush()
        db.session.execute(text("SELECT 1"))
        rep.start_on = TODAY
        db.session.commit()  # three changes, one transaction
        assert data_version() == before + 2


def test_bookkeeping_and_rolled_back_writes_leave_the_version_alone(app):
    with app.app_context():
        before = data_version()
        db.session.execute(insert(LoginFailure), [{"key": "account:x@example.com",
                                                   "failed_at": dt.datetime.now(dt.UTC)}])
        db.session.commit()
        assert data_version() == before
        make_user(Role.REP, email="gone@example.com").name = "Changed"
        db.session.flush()
        db.session.rollback()
        assert data_version() == before + 1  # the user's commit, not the rolled-back change


def test_coach_home_is_served_from_the_cache_until_a_rep_joins(app, synced_track, count_queries,
                                                               signed_in):
    coach = make_user(Role.COACH)
    first = make_user(Role.REP, name="First Rep")
    cohort = make_cohort(reps=[first], coaches=[coach], start_on=TODAY - dt.timedelta(days=8))
    client = signed_in(coach)
    assert "First Rep" in client.get("/coach").get_data(as_text=True)
    with count_queries() as counter:
        again = client.get("/coach")
    assert "First Rep" in again.get_data(as_text=True)
    assert counter["n"] <= 4  # user, data version (and BEGIN on SQLite): no rep was read

    newcomer = make_user(Role.REP, name="Newcomer Rep")
    place_rep(newcomer, cohort, start_on=None, end_on=None, now=dt.datetime.now(dt.UTC))
    db.session.commit()
    assert "Newcomer Rep" in client.get("/coach").get_data(as_text=True)


def test_a_cached_page_is_built_for_each_viewer_scope(app, synced_track, signed_in):
    """A coach never gets the page cached for another coach (or a manager's wider one)."""
    sam, rita = make_user(Role.COACH), make_user(Role.COACH)
    manager = make_user(Role.MANAGER)
    make_cohort(name="Cohort Sam", reps=[make_user(Role.REP, name="Sam Rep")], coaches=[sam],
                start_on=TODAY - dt.timedelta(days=8))
    make_cohort(name="Cohort Rita", reps=[make_user(Role.REP, name="Rita Rep")],
                coaches=[rita], start_on=TODAY - dt.timedelta(days=8))
    for viewer, own, other in ((sam, "Sam", "Rita"), (rita, "Rita", "Sam")):
        client = signed_in(viewer)
        coach_home, ramp = (client.get(url).get_data(as_text=True) for url in ("/coach", "/ramp"))
        assert f"{own} Rep" in coach_home and f"{other} Rep" not in coach_home
        assert f"Cohort {own}" in ramp and f"Cohort {other}" not in ramp
    manager_view = signed_in(manager).get("/ramp").get_data(as_text=True)
    assert "Cohort Sam" in manager_view and "Cohort Rita" in manager_view


def _without_tokens(html: str) -> str:
    """The page without its viewer's CSRF token (in the page's meta and in its forms)."""
    return html.replace(CSRF_META.search(html).group(1), "")


def test_the_ramp_report_reflects_an_import_at_once(app, tmp_path, synced_track, signed_in):
    manager = make_user(Role.MANAGER)
    rep = make_user(Role.REP, email="ramping@example.com")
    cohort = make_cohort(reps=[rep], start_on=TODAY - dt.timedelta(days=30))
    client = signed_in(manager)
    client.get("/ramp")  # shows the welcome message, once
    page = f"/ramp/cohorts/{cohort.id}"
    before = client.get(page).get_data(as_text=True)
    # served again, unchanged (but for the CSRF token, signed with the second it is made in)
    assert _without_tokens(client.get(page).get_data(as_text=True)) == _without_tokens(before)

    csv_file = tmp_path / "activities.csv"
    csv_file.write_text("external_id,rep_email,occurred_on,type,quantity,amount\n"
                        f"m-1,ramping@example.com,{TODAY - dt.timedelta(days=2)},meeting,1,\n")
    result = app.test_cli_runner().invoke(args=["import", "activities", str(csv_file)])
    assert result.exit_code == 0, result.output
    after = client.get(page).get_data(as_text=True)
    assert after != before


def test_a_reps_week_shows_a_new_shared_note_at_once(app, synced_track, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach], start_on=TODAY - dt.timedelta(days=8))
    coach_web, rep_web = signed_in(coach), signed_in(rep)  # signing in changes data too
    rep_web.get("/week")
    assert "Keep calling the warm leads" not in rep_web.get("/week").get_data(as_text=True)
    post_form(coach_web, f"/reps/{rep.id}/notes",
              {"body": "Keep calling the warm leads", "shared": "y"}, token_from="/coach")
    assert "Keep calling the warm leads" in rep_web.get("/week").get_data(as_text=True)


def test_viewers_sharing_a_cached_page_each_get_their_own_csrf_token(app, synced_track, signed_in):
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], start_on=TODAY - dt.timedelta(days=8))
    first, second = (signed_in(Role.ADMIN) for _ in range(2))
    tokens = []
    for client in (first, second):  # the second gets the page the first one's request built
        page = client.get(f"/reps/{rep.id}").get_data(as_text=True)
        meta = CSRF_META.search(page).group(1)  # the viewer's own token
        in_forms = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page))
        assert in_forms == {meta}
        tokens.append(meta)
    assert tokens[0] != tokens[1]
    for number, (client, token) in enumerate(zip((first, second), tokens)):
        posted = client.post(f"/reps/{rep.id}/notes",
                             data={"csrf_token": token, "body": f"Note {number}"})
        assert posted.status_code == 302


def test_an_activity_for_one_rep_rebuilds_only_the_pages_that_show_it(
        app, tmp_path, count_queries, synced_track, signed_in):
    """A CRM write names the reps it changed: their pages, their cohort's and the summary
    across cohorts are built again; another cohort's pages are still served from the cache."""
    busy, quiet = (make_user(Role.REP, email=f"{n}@example.com") for n in ("busy", "quiet"))
    start = TODAY - dt.timedelta(days=30)
    busy_cohort = make_cohort(name="Busy", reps=[busy], start_on=start)
    quiet_cohort = make_cohort(name="Quiet", reps=[quiet], start_on=start)
    manager, quiet_rep = signed_in(Role.MANAGER), signed_in(quiet)
    manager.get("/coach"), quiet_rep.get("/tracks")  # the welcome message, once
    pages = {url: manager.get(url).get_data(as_text=True)
             for url in (f"/ramp/cohorts/{busy_cohort.id}", f"/ramp/cohorts/{quiet_cohort.id}",
                         "/ramp")}
    week = quiet_rep.get("/week").get_data(as_text=True)
    quiet_scopes = [rep_scope(quiet.id), cohort_scope(quiet_cohort.id)]
    before, quiet_before, busy_before = (data_version(), versions(quiet_scopes),
                                         versions([rep_scope(busy.id)]))

    csv_file = tmp_path / "activities.csv"
    csv_file.write_text("external_id,rep_email,occurred_on,type,quantity,amount\n"
                        f"m-1,busy@example.com,{TODAY - dt.timedelta(days=2)},meeting,1,\n")
    result = app.test_cli_runner().invoke(args=["import", "activities", str(csv_file)])
    assert result.exit_code == 0, result.output

    assert data_version() == before  # no page of everything is thrown away
    assert versions(quiet_scopes) == quiet_before
    assert versions([rep_scope(busy.id)]) != busy_before
    with count_queries() as counter:
        # the same page, but for its CSRF token, which is signed with the second it is made in
        assert _without_tokens(quiet_rep.get("/week").get_data(as_text=True)) == \
            _without_tokens(week)
    assert counter["n"] <= 4  # user, versions (and BEGIN on SQLite): nothing rebuilt
    quiet_page = f"/ramp/cohorts/{quiet_cohort.id}"
    with count_queries() as counter:
        # the same page, but for its CSRF token, which is signed with the second it is made in
        assert _without_tokens(manager.get(quiet_page).get_data(as_text=True)) == \
            _without_tokens(pages[quiet_page])
    assert counter["n"] <= 6  # and the list of cohorts it is compared with, the bell's count
    for url in (f"/ramp/cohorts/{busy_cohort.id}", "/ramp"):
        assert manager.get(url).get_data(as_text=True) != pages[url]


def test_a_write_beyond_ramp_data_rebuilds_every_page(app):
    """A transaction that names the reps it changed but also writes anything else (a person,
    a cohort…) moves the data version on: every cached page is built again."""
    with app.app_context():
        rep = make_user(Role.REP)
        before, scoped = data_version(), versions([rep_scope(rep.id)])
        changed([rep_scope(rep.id)])
        rep.name = "Renamed"
        db.session.commit()
        assert data_version() == before + 1
        assert versions([rep_scope(rep.id)])[1:] == scoped[1:]


def test_a_value_many_ask_for_at_once_is_built_once(app):
    """Right after a write every viewer of a page misses it together: one builds it, the
    others wait for that value instead of each building it."""
    builds, values = [], []
    started = threading.Barrier(6)

    def build():
        builds.append(1)
        time.sleep(0.3)
        return "the page"

    def viewer():  # past the versions' read (one statement): the key is known
        with app.app_context():
            started.wait()
            values.append(build_once("together|7", build))

    threads = [threading.Thread(target=viewer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert values == ["the page"] * 6
    assert len(builds) == 1, builds


def test_a_builder_that_fails_lets_the_next_request_build_at_once(app):
    def broken():
        raise RuntimeError("the database went away")

    with app.app_context():
        with pytest.raises(RuntimeError):
            build_once("fails once|3", broken)
        assert cache.get("fails once|3") is None
        assert cache.add("fails once|3|building", 1)  # nobody is left building it
        cache.delete("fails once|3|building")
        assert build_once("fails once|3", lambda: "built") == "built"
        assert cache.get("fails once|3") == "built"


def test_values_cached_together_are_built_again_only_when_their_scope_changes(app):
    """After a change to one cohort, only its value is built again; the values of the others,
    and of cohorts asked for by someone else, are kept."""
    scopes = {1: cohort_scope(1), 2: cohort_scope(2), 3: cohort_scope(3)}
    built = []

    def build(ids):
        built.append(sorted(ids))
        return {i: f"cohort {i}, build {len(built)}" for i in ids}

    with app.app_context():
        cached_each("per-cohort", (), scopes, build, today=TODAY)
        cached_each("per-cohort", (), {1: scopes[1]}, build, today=TODAY)
        db.session.add(ScopeVersion(scope=cohort_scope(2), version=1))
        db.session.commit()
        values = cached_each("per-cohort", (), scopes, build, today=TODAY)

    assert built == [[1, 2, 3], [2]]
    assert values == {1: "cohort 1, build 1", 2: "cohort 2, build 2", 3: "cohort 3, build 1"}


def test_values_cached_together_are_kept_apart_whatever_their_versions(app):
    """Each value is cached under its own scope: two cohorts whose versions are the same
    number never get each other's value."""
    scopes = {1: cohort_scope(1), 2: cohort_scope(2)}
    with app.app_context():
        first = cached_each("per-cohort", (), scopes, lambda ids: {i: f"cohort {i}" for i in ids},
                            today=TODAY)
        again = cached_each("per-cohort", (), scopes, lambda ids: {i: "rebuilt" for i in ids},
                            today=TODAY)
    assert first == again == {1: "cohort 1", 2: "cohort 2"}
