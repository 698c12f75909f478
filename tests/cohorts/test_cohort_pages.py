"""Cohorts as managers, coaches and reps use them."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role
from cev_learn.cohorts.models import Assignment, CoachingNote, Cohort, Membership, Signoff
from cev_learn.content.models import Module, ModuleProgress
from cev_learn.platform.db import db
from tests.helpers import make_user, post_form
from tests.factories import make_cohort

TODAY = dt.date.today()
DAYS_FROM_TODAY = ()  # TODAY moves to the day each test runs (conftest)


@pytest.fixture
def track_app(app, synced_track):
    return app


def test_manager_creates_a_cohort_and_adds_reps(track_app, signed_in):
    manager, coach = make_user(Role.MANAGER), make_user(Role.COACH)
    rep = make_user(Role.REP, name="Nia Newhire")
    client = signed_in(manager)
    response = post_form(client, "/cohorts/new", {
        "name": "2026-Q1 AEs", "track": "test-track", "start_on": "2026-01-05",
        "territory": "DACH", "coaches": [str(coach.id)]}, token_from="/cohorts/new")
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert (cohort.name, cohort.territory, str(cohort.start_on)) == ("2026-Q1 AEs", "DACH", "2026-01-05")
    assert [link.coach_id for link in cohort.coach_links] == [coach.id]
    response = post_form(client, f"/cohorts/{cohort.id}/members",
                         {"rep": rep.email.upper(), "start_on": "2026-01-07"},
                         token_from=f"/cohorts/{cohort.id}")
    assert response.status_code == 302
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Nia Newhire" in page and "07 Jan 2026" in page and "(own date)" in page


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "This field is required."),
    ("start_on", "soon", "Not a valid date value."),
    ("track", "no-such-track", "Not a valid choice."),
    ("name", "Spring\u202e2026", "Name contains an invisible text-direction character"),
    ("territory", "EMEA\u2067", "Territory contains an invisible text-direction character"),
])
def test_bad_cohort_input_is_named_and_saves_nothing(track_app, field, value, message, signed_in):
    client = signed_in(Role.MANAGER)
    data = {"name": "X", "track": "test-track", "start_on": "2026-01-05", field: value}
    response = post_form(client, "/cohorts/new", data, token_from="/cohorts/new")
    assert response.status_code == 400
    assert f'id="{field}-error">{message}' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_duplicate_cohort_name_is_refused(track_app, signed_in):
    make_cohort(name="Taken")
    client = signed_in(Role.ADMIN)
    response = post_form(client, "/cohorts/new", {"name": "Taken", "track": "test-track",
                                                  "start_on": "2026-01-05"},
                         token_from="/cohorts/new")
    assert response.status_code == 400
    assert "a cohort named &#39;Taken&#39; already exists" in response.get_data(as_text=True)


def test_moving_a_rep_keeps_history(track_app, signed_in):
    rep = make_user(Role.REP)
    first, second = make_cohort(reps=[rep]), make_cohort()
    client = signed_in(Role.ADMIN)
    post_form(client, f"/cohorts/{second.id}/members", {"rep": rep.email},
              token_from=f"/cohorts/{second.id}")
    rows = db.session.scalars(select(Membership).where(Membership.user_id == rep.id)
                              .order_by(Membership.id)).all()
    assert [r.cohort_id for r in rows] == [first.id, second.id]
    assert rows[0].moved_out_at is not None and rows[1].moved_out_at is None


def test_end_date_before_start_is_refused(track_app, signed_in):
    rep = make_user(Role.REP)
    cohort = make_cohort(start_on=dt.date(2026, 3, 2))
    client = signed_in(Role.ADMIN)
    response = post_form(client, f"/cohorts/{cohort.id}/members",
                         {"rep": rep.email, "end_on": "2026-03-01"}, token_from=f"/cohorts/{cohort.id}")
    assert response.status_code == 400
    assert "the end date is before the start date" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


@pytest.mark.parametrize("who,message", [
    ("", "Enter the rep&#39;s email."),
    ("nobody@example.com", "No account has the email nobody@example.com."),
    ("coach", "{email} is a coach, not a rep."),
    ("deactivated", "{email} is deactivated."),
])
def test_adding_a_member_names_a_wrong_email_and_stores_nothing(track_app, who, message, signed_in):
    user = {"coach": lambda: make_user(Role.COACH),
            "deactivated": lambda: make_user(Role.REP, active=False)}.get(who, lambda: None)()
    email = user.email if user else who
    cohort = make_cohort()
    client = signed_in(Role.MANAGER)
    response = post_form(client, f"/cohorts/{cohort.id}/members", {"rep": email},
                         token_from=f"/cohorts/{cohort.id}")
    assert response.status_code == 400
    assert f'id="rep-error">{message.format(email=email)}' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_add_a_rep_suggests_only_reps_in_no_cohort(track_app, signed_in):
    waiting, placed = make_user(Role.REP, name="Wanda Waiting"), make_user(Role.REP)
    gone = make_user(Role.REP, active=False)
    cohort = make_cohort(reps=[placed])
    page = signed_in(Role.MANAGER).get(f"/cohorts/{cohort.id}").get_data(
        as_text=True)
    suggestions = page.split('<datalist id="unplaced-reps">')[1].split("</datalist>")[0]
    assert f'<option value="{waiting.email}">Wanda Waiting</option>' in suggestions
    assert f'value="{placed.email}"' not in suggestions
    assert f'value="{gone.email}"' not in suggestions
    assert 'list="unplaced-reps"' in page and 'type="email"' in page


def test_manager_with_a_territory_sees_only_its_cohorts(track_app, signed_in):
    make_cohort(name="North crew", territory="EMEA North")
    make_cohort(name="DACH crew", territory="DACH")
    north = signed_in(Role.MANAGER, territory="EMEA North")
    page = north.get("/cohorts").get_data(as_text=True)
    assert "North crew" in page and "DACH crew" not in page
    everyone = signed_in(Role.MANAGER).get("/cohorts").get_data(as_text=True)
    assert "North crew" in everyone and "DACH crew" in everyone


def test_rep_week_shows_overdue_first_and_due_items(track_app, signed_in):
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], start_on=TODAY - dt.timedelta(days=3))
    page = signed_in(rep).get("/week").get_data(as_text=True)
    # intro is due on day 1 (overdue), discovery on day 5, the quiz on day 7
    assert page.index("Overdue</h2>") < page.index("Due in the next 7 days")
    assert "Introduction" in page and "Discovery" in page and "Check yourself" in page
    assert "Continue: Introduction" in page
    assert "First meeting" in page and "Day 3 of your onboarding" in page


def test_individual_start_dates_and_leavers(track_app, signed_in):
    late_starter, leaver = make_user(Role.REP, name="Late Starter"), make_user(Role.REP, name="Gone")
    coach = make_user(Role.COACH)
    cohort = make_cohort(coaches=[coach], start_on=TODAY - dt.timedelta(days=10))
    from cev_learn.cohorts.services import place_rep

    now = dt.datetime.now(dt.UTC)
    place_rep(late_starter, cohort, start_on=TODAY, end_on=None, now=now)
    place_rep(leaver, cohort, start_on=None, end_on=TODAY - dt.timedelta(days=1), now=now)
    db.session.commit()
    week = signed_in(late_starter).get("/week").get_data(as_text=True)
    assert "Day 0 of your onboarding" in week and "Overdue</h2>" not in week
    coach_page = signed_in(coach).get("/coach").get_data(as_text=True)
    assert "Late Starter" in coach_page and "Gone" not in coach_page


def test_coach_home_ranks_reps_by_need(track_app, signed_in):
    coach = make_user(Role.COACH)
    slow, fast = make_user(Role.REP, name="Slow Sam"), make_user(Role.REP, name="Fast Fay")
    make_cohort(reps=[slow, fast], coaches=[coach], start_on=TODAY - dt.timedelta(days=6))
    for module in db.session.scalars(select(Module)):
        db.session.add(ModuleProgress(user_id=fast.id, module_id=module.id,
                                      completed_at=dt.datetime.now(dt.UTC),
                                      content_hash_read=module.content_hash))
    db.session.commit()
    page = signed_in(coach).get("/coach").get_data(as_text=True)
    assert page.index("Slow Sam") < page.index("Fast Fay")
    slow_row = page[page.index("Slow Sam"):page.index("Fast Fay")]
    assert "Behind" in slow_row and "Not in 7 days" in slow_row


def test_coach_assigns_a_module_and_the_rep_sees_it(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach], start_on=TODAY)
    module = db.session.scalar(select(Module).where(Module.slug == "discovery"))
    due = TODAY + dt.timedelta(days=2)
    response = post_form(signed_in(coach), f"/reps/{rep.id}/assignments", {
        "item": f"module:{module.id}", "due_on": due.isoformat(), "note": "Before Thursday."},
        token_from=f"/reps/{rep.id}")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1
    week = signed_in(rep).get("/week").get_data(as_text=True)
    assert "Assigned by your coach" in week and "Before Thursday." in week


def test_assignment_in_the_past_or_outside_the_track_is_refused(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    module = db.session.scalar(select(Module))
    for item, due in ((f"module:{module.id}", TODAY - dt.timedelta(days=1)),
                      ("module:999999", TODAY + dt.timedelta(days=1))):
        post_form(client, f"/reps/{rep.id}/assignments",
                  {"item": item, "due_on": due.isoformat()}, token_from=f"/reps/{rep.id}")
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_signoff_scores_and_completes(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    url = f"/reps/{rep.id}/signoffs/pitch"
    assert "Discovery questions" in client.get(url).get_data(as_text=True)
    post_form(client, url, {"score_0": "4", "score_1": "4", "score_2": "3",
                            "comment_0": "Good questions."}, token_from=url)
    post_form(client, url, {"score_0": "5", "score_1": "4", "score_2": "4"}, token_from=url)
    signoffs = db.session.scalars(select(Signoff).order_by(Signoff.id)).all()
    assert [(round(s.score, 4), s.passed) for s in signoffs] == [(round(8 / 12, 4), False),
                                                                 (round(10 / 12, 4), True)]
    assert signoffs[0].comments[0] == "Good questions."
    bad = post_form(client, url, {"score_0": "9", "score_1": "4", "score_2": "4"}, token_from=url)
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Signoff)) == 2


def test_private_notes_stay_private(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    post_form(client, f"/reps/{rep.id}/notes", {"body": "PRIVATE-NOTE"}, token_from=f"/reps/{rep.id}")
    post_form(client, f"/reps/{rep.id}/notes", {"body": "SHARED-NOTE", "shared": "y"},
              token_from=f"/reps/{rep.id}")
    assert db.session.scalar(select(func.count()).select_from(CoachingNote)) == 2
    week = signed_in(rep).get("/week").get_data(as_text=True)
    assert "SHARED-NOTE" in week and "PRIVATE-NOTE" not in week
    rep_page = client.get(f"/reps/{rep.id}").get_data(as_text=True)
    assert "PRIVATE-NOTE" in rep_page and "SHARED-NOTE" in rep_page


def test_other_coaches_and_reps_cannot_reach_a_rep(track_app, signed_in):
    coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    rep, other_rep = make_user(Role.REP), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    make_cohort(reps=[other_rep], coaches=[other_coach])
    outsider = signed_in(other_coach)
    assert outsider.get(f"/reps/{rep.id}").status_code == 404
    assert post_form(outsider, f"/reps/{rep.id}/notes", {"body": "x"},
                     token_from="/coach").status_code == 404
    assert outsider.get(f"/reps/{rep.id}/signoffs/pitch").status_code == 404
    assert "PRIVATE" not in outsider.get("/coach").get_data(as_text=True)
    assert rep.name not in outsider.get("/coach").get_data(as_text=True)
    rep_client = signed_in(other_rep)
    assert rep_client.get(f"/reps/{rep.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CoachingNote)) == 0


def test_coach_pages_cost_the_same_at_10_and_200_reps(track_app, page_statements, signed_in):
    def measure(n):
        coach = make_user(Role.COACH)
        reps = [make_user(Role.REP) for _ in range(n)]
        make_cohort(reps=reps, coaches=[coach], start_on=TODAY - dt.timedelta(days=8))
        client = signed_in(coach)
        rep_web = signed_in(reps[0])
        return {name: page_statements(who, url) for name, who, url in (
            ("coach home", client, "/coach"), ("rep page", client, f"/reps/{reps[0].id}"),
            ("rep week", rep_web, "/week"))}

    small, large = measure(10), measure(200)
    assert small == large
    assert max(large.values()) <= 12, large


def test_cohorts_cli(track_app):
    make_user(Role.COACH, email="sam@example.com")
    runner = track_app.test_cli_runner()
    created = runner.invoke(args=["cohorts", "create", "Spring AEs", "--track", "test-track",
                                  "--start", "2026-03-02", "--territory", "DACH",
                                  "--coach", "sam@example.com"])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(args=["cohorts", "list"])
    assert "Spring AEs" in listed.output and "sam@example.com" in listed.output
    for args, reason in ((["X", "--track", "nope", "--start", "2026-03-02"], "no active track"),
                         (["Y", "--track", "test-track", "--start", "March"], "is not a date"),
                         (["Spring AEs", "--track", "test-track", "--start", "2026-03-02"],
                          "already exists"),
                         (["Z", "--track", "test-track", "--start", "2026-03-02", "--coach",
                           "ghost@example.com"], "no user")):
        result = runner.invoke(args=["cohorts", "create", *args])
        assert result.exit_code != 0 and reason in result.output
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 1


def test_cohort_pages_are_scoped_to_the_managers_territory(track_app, signed_in):
    dach = make_cohort(name="DACH crew", territory="DACH", reps=[make_user(Role.REP)])
    north = signed_in(Role.MANAGER, territory="EMEA North")
    membership_id = db.session.scalar(select(Membership.id).where(Membership.cohort_id == dach.id))
    assert north.get(f"/cohorts/{dach.id}").status_code == 404
    assert post_form(north, f"/cohorts/{dach.id}/members/{membership_id}/remove",
                     token_from="/cohorts").status_code == 404
    assert db.session.get(Membership, membership_id).moved_out_at is None
    coach = signed_in(Role.COACH)
    assert coach.get(f"/cohorts/{dach.id}").status_code == 403


def test_coach_records_and_clears_a_milestone_by_hand(track_app, signed_in):
    from cev_learn.ramp.models import Achievement, AchievementChange

    coach, other, rep = make_user(Role.COACH), make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach], start_on=TODAY - dt.timedelta(days=30))
    make_cohort(coaches=[other])
    url = f"/reps/{rep.id}/milestones/first-meeting"
    day = (TODAY - dt.timedelta(days=3)).isoformat()
    assert post_form(signed_in(other), url, {"achieved_on": day},
                     token_from="/coach").status_code == 404
    client = signed_in(coach)
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    post_form(client, url, {"achieved_on": future}, token_from=f"/reps/{rep.id}")
    assert db.session.scalar(select(func.count()).select_from(Achievement)) == 0
    post_form(client, url, {"achieved_on": day, "note": "Met Tom; not in the CRM."},
              token_from=f"/reps/{rep.id}")
    stored = db.session.scalar(select(Achievement))
    assert (str(stored.achieved_on), stored.source, stored.note) == (
        day, "coach", "Met Tom; not in the CRM.")
    page = client.get(f"/reps/{rep.id}").get_data(as_text=True)
    assert "Reached" in page
    post_form(client, url, {"achieved_on": ""}, token_from=f"/reps/{rep.id}")
    assert "First meeting: correction cleared." in client.get(f"/reps/{rep.id}").get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Achievement)) == 0
    assert db.session.scalar(select(func.count()).select_from(AchievementChange)) == 2
    post_form(client, url, {"achieved_on": ""}, token_from=f"/reps/{rep.id}")
    assert "First meeting: nothing recorded by hand to clear." in client.get(
        f"/reps/{rep.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AchievementChange)) == 2


def test_assigning_to_the_whole_cohort_reaches_current_reps_only(track_app, signed_in):
    coach = make_user(Role.COACH)
    rep, mate, leaver = make_user(Role.REP), make_user(Role.REP), make_user(Role.REP)
    cohort = make_cohort(reps=[rep, mate], coaches=[coach], start_on=TODAY - dt.timedelta(days=5))
    from cev_learn.cohorts.services import place_rep

    place_rep(leaver, cohort, start_on=None, end_on=TODAY - dt.timedelta(days=1),
              now=dt.datetime.now(dt.UTC))
    db.session.commit()
    module = db.session.scalar(select(Module).where(Module.slug == "discovery"))
    post_form(signed_in(coach), f"/reps/{rep.id}/assignments", {
        "item": f"module:{module.id}", "due_on": (TODAY + dt.timedelta(days=2)).isoformat(),
        "whole_cohort": "y"}, token_from=f"/reps/{rep.id}")
    assigned = set(db.session.scalars(select(Assignment.user_id)))
    assert assigned == {rep.id, mate.id}


def test_cohorts_past_onboarding_fold_into_a_list_of_ramp_reports(track_app, signed_in):
    coach = make_user(Role.COACH)
    veteran = make_user(Role.REP, name="Veteran Rep")
    newcomer = make_user(Role.REP, name="Newcomer Rep")
    old = make_cohort(name="Old cohort", reps=[veteran], coaches=[coach],
                      start_on=TODAY - dt.timedelta(days=400))
    make_cohort(name="New cohort", reps=[newcomer], coaches=[coach],
                start_on=TODAY - dt.timedelta(days=8))
    page = signed_in(coach).get("/coach").get_data(as_text=True)
    finished = page[page.index("Finished onboarding"):]
    assert "Newcomer Rep" in page and "Veteran Rep" not in page
    assert "New cohort" not in finished and "Old cohort" in finished
    assert f"/ramp/cohorts/{old.id}" in finished
