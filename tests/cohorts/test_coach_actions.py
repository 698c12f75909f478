"""What coaches rely on not to trip over: a sign-off that records only the levels they chose,
an Assign form that starts at work the rep has not done, a coach list that keeps every coach
ticked, and who has not yet passed a quiz or completed a module."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import Cohort, Signoff
from cev_learn.content import services as content_services
from cev_learn.content.models import Module, Quiz
from cev_learn.platform.db import db, utcnow
from tests.factories import make_cohort
from tests.helpers import make_user, post_form


@pytest.fixture
def track_app(app, synced_track):
    return app


def signoff_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Signoff))


def test_signoff_starts_with_no_level_chosen_and_shows_level_descriptions(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    page = signed_in(coach).get(f"/reps/{rep.id}/signoffs/pitch").get_data(as_text=True)
    assert page.count('type="radio"') == 15  # 3 criteria x 5 levels
    assert "checked" not in page
    assert "Pitches before asking." in page and "Uncovers the pain and its cost." in page
    assert "<legend>Value story</legend>" in page


def test_signoff_with_a_criterion_left_unchosen_is_refused_by_name(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    url = f"/reps/{rep.id}/signoffs/pitch"
    response = post_form(client, url, {"score_0": "4", "score_2": "5",
                                       "comment_0": "Good questions."}, token_from=url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a level from 1 to 5 for Value story." in page
    assert "for Discovery questions" not in page and "for Next step" not in page
    # what the coach chose stays chosen
    assert re.search(r'id="score_0-3"[^>]*checked|checked[^>]*id="score_0-3"', page)
    assert signoff_count() == 0
    # a blank submit names every criterion and stores nothing either
    blank = post_form(client, url, {}, token_from=url).get_data(as_text=True)
    assert all(f"Choose a level from 1 to 5 for {name}." in blank
               for name in ("Discovery questions", "Value story", "Next step"))
    assert signoff_count() == 0
    post_form(client, url, {"score_0": "4", "score_1": "4", "score_2": "3"}, token_from=url)
    assert signoff_count() == 1


def _selected_option(page: str) -> str:
    select_html = page[page.index('<select class="field__input" id="item"'):]
    select_html = select_html[:select_html.index("</select>")]
    return re.search(r'<option selected value="([^"]*)">|<option[^>]*selected[^>]*value="([^"]*)"'
                     r'|<option value="([^"]*)" selected', select_html).group(0), select_html


def test_assign_starts_at_the_first_item_the_rep_has_not_done(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    intro, discovery = (db.session.scalar(select(Module).where(Module.slug == slug))
                        for slug in ("intro", "discovery"))
    content_services.complete_module(rep, intro, utcnow())
    db.session.commit()
    page = signed_in(coach).get(f"/reps/{rep.id}").get_data(as_text=True)
    selected, options = _selected_option(page)
    assert f"module:{discovery.id}" in selected
    assert f">{intro.title} (done)</option>" in options
    assert f">{discovery.title}</option>" in options


def test_assign_offers_a_prompt_first_and_refuses_it(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    page = client.get(f"/reps/{rep.id}").get_data(as_text=True)
    assert '<option value="">Choose a module or quiz</option>' in page
    post_form(client, f"/reps/{rep.id}/assignments",
              {"item": "", "due_on": dt.date.today().isoformat()}, token_from=f"/reps/{rep.id}")
    assert "Choose a module or quiz and a due date." in client.get(f"/reps/{rep.id}").get_data(
        as_text=True)


def test_rep_page_gives_each_milestone_its_own_labelled_form(track_app, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    page = signed_in(coach).get(f"/reps/{rep.id}").get_data(as_text=True)
    assert '<label class="field__label" for="on-first-meeting">Reached on</label>' in page
    assert '<label class="field__label" for="note-first-meeting">Note</label>' in page
    assert 'aria-labelledby="ms-first-meeting"' in page


def test_cohort_coaches_are_checkboxes_and_every_ticked_coach_is_kept(track_app, signed_in):
    first, second, third = (make_user(Role.COACH, name=n) for n in ("Cora", "Dev", "Eli"))
    client = signed_in(Role.MANAGER)
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert '<legend class="field__label">Coaches</legend>' in form
    group = _section(form, '<legend class="field__label">Coaches', "</fieldset>")
    for coach in (first, second, third):
        assert re.search(rf'<label class="checkbox"><input id="coaches-\d+" name="coaches" '
                         rf'type="checkbox" value="{coach.id}"> {coach.name} ', group), group
    assert "<select" not in group
    response = post_form(client, "/cohorts/new", {
        "name": "Two coaches", "track": "test-track", "start_on": "2026-01-05",
        "coaches": [str(first.id), str(third.id)]}, token_from="/cohorts/new")
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert sorted(link.coach_id for link in cohort.coach_links) == sorted([first.id, third.id])
    edit = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    ticked = re.findall(r'<input checked id="coaches-\d" name="coaches" type="checkbox" '
                        r'value="(\d+)">', edit)
    assert sorted(map(int, ticked)) == sorted([first.id, third.id])


@pytest.fixture
def two_teams(track_app, make_attempt):
    """A coach with reps who have not started the quiz, attempted it without passing, passed
    it; and another coach's rep who has not started."""
    coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    fresh, failing, passing = (make_user(Role.REP, name=n) for n in
                               ("Fresh Fern", "Failing Finn", "Passing Pia"))
    elsewhere = make_user(Role.REP, name="Other Otto")
    make_cohort(reps=[fresh, failing, passing], coaches=[coach])
    make_cohort(reps=[elsewhere], coaches=[other_coach])
    make_attempt(failing, submitted=True)
    passed = make_attempt(passing, submitted=True)
    passed.passed, passed.score = True, 1.0
    db.session.commit()
    return coach, other_coach


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start):page.index(end, page.index(start))]


def test_quiz_results_list_who_has_not_passed_split_and_scoped(two_teams, signed_in):
    coach, other_coach = two_teams
    quiz = db.session.scalar(select(Quiz))
    page = signed_in(coach).get(f"/quizzes/{quiz.id}/results").get_data(as_text=True)
    outstanding = page[page.index('id="outstanding"'):]
    assert "Not passed yet (2)" in outstanding
    not_started = _section(outstanding, "Not started (1)", "</div>")
    attempted = _section(outstanding, "Attempted, not passed (1)", "</div>")
    assert "Fresh Fern" in not_started and "Failing Finn" not in not_started
    assert "Failing Finn" in attempted and "1 attempt, best 0%" in attempted
    assert "Passing Pia" not in outstanding and "Other Otto" not in page
    other = signed_in(other_coach).get(f"/quizzes/{quiz.id}/results").get_data(as_text=True)
    assert "Other Otto" in other and "Fresh Fern" not in other and "Failing Finn" not in other
    overview = signed_in(coach).get("/quizzes").get_data(as_text=True)
    row = _section(overview, quiz.title, "</tr>")
    assert re.findall(r'#outstanding">(\d+)</a>', row) == ["1", "1"]


def test_a_manager_sees_everyone_who_has_not_passed(two_teams, signed_in):
    quiz = db.session.scalar(select(Quiz))
    page = signed_in(Role.MANAGER).get(f"/quizzes/{quiz.id}/results").get_data(as_text=True)
    assert "Not started (2)" in page and "Other Otto" in page and "Fresh Fern" in page


def test_module_page_lists_who_has_not_completed_it_scoped(two_teams, signed_in):
    coach, _ = two_teams
    intro = db.session.scalar(select(Module).where(Module.slug == "intro"))
    pia = db.session.scalar(select(User).where(User.name == "Passing Pia"))
    finn = db.session.scalar(select(User).where(User.name == "Failing Finn"))
    content_services.complete_module(pia, intro, utcnow())
    content_services.record_opened(finn, intro, utcnow())
    db.session.commit()
    page = signed_in(coach).get("/tracks/test-track/modules/intro").get_data(as_text=True)
    outstanding = page[page.index('id="outstanding"'):]
    assert "Not completed yet (2)" in outstanding
    assert "Fresh Fern" in _section(outstanding, "Not opened (1)", "</div>")
    assert "Failing Finn" in _section(outstanding, "Opened, not completed (1)", "</div>")
    assert "Passing Pia" not in outstanding and "Other Otto" not in page


def test_not_done_lists_cost_the_same_at_5_and_60_reps(track_app, page_statements,
                                                        signed_in):
    quiz = db.session.scalar(select(Quiz))

    def measure(n):
        coach = make_user(Role.COACH)
        make_cohort(reps=[make_user(Role.REP) for _ in range(n)], coaches=[coach])
        client = signed_in(coach)
        return [page_statements(client, url) for url in (
            "/quizzes", f"/quizzes/{quiz.id}/results", "/tracks/test-track/modules/intro")]

    small, large = measure(5), measure(60)
    assert small == large
    assert max(large) <= 12, large
