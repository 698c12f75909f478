"""The readiness score where people see it: the coach's rep page, the manager's rep ramp page
(as of a day), the rep's progress JSON and the track's readiness page; who may see it, and
that a write shows at once."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts import coaching
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.cohorts.services import place_rep
from cev_learn.content import services as content_services
from cev_learn.content.models import Module, Rubric
from cev_learn.platform.db import db
from tests.api.helpers import ApiClient, token_for
from tests.factories import make_cohort
from tests.helpers import make_user, sync_content
from tests.quizzes.fixtures import quiz_track

COMPETENCIES = """\
competencies:
  - slug: basics
    title: Playbook basics
    measures:
      - {modules: [intro, discovery]}
      - {signoff: pitch, criteria: [Discovery questions]}
"""


@pytest.fixture
def team(app, tmp_path):
    root = quiz_track(tmp_path)
    track_yaml = root / "test-track" / "track.yaml"
    track_yaml.write_text(track_yaml.read_text() + COMPETENCIES)
    sync_content(app, root)
    coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    ana, ben = make_user(Role.REP, name="Ana"), make_user(Role.REP, name="Ben")
    start = dt.date.today() - dt.timedelta(days=40)
    make_cohort(reps=[ana], coaches=[coach], start_on=start)
    make_cohort(reps=[ben], coaches=[other_coach], start_on=start)
    return {"coach": coach, "other_coach": other_coach, "ana": ana, "ben": ben}


def score(html: str) -> str:
    found = re.search(r'readiness__score"><strong>([^<]+)</strong>', html)
    return found.group(1) if found else None


def complete(rep, slug: str) -> None:
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    content_services.complete_module(rep, module, dt.datetime.now(dt.UTC))
    db.session.commit()


def sign_off(rep, coach, discovery: int) -> None:
    rubric = db.session.scalar(select(Rubric).where(Rubric.slug == "pitch"))
    coaching.record_signoff(rep=rep, rubric=rubric, coach=coach, scores=[discovery, 3, 3],
                            comments=["", "", ""], today=dt.date.today())
    db.session.commit()


def test_the_coach_s_rep_page_shows_the_score_and_a_write_changes_it_at_once(team, signed_in):
    client = signed_in(team["coach"])
    page = f"/reps/{team['ana'].id}"
    html = client.get(page).get_data(as_text=True)
    assert score(html) == "0" and "Playbook basics" in html
    complete(team["ana"], "intro")     # modules 1 of 2: 0.5, weighted 1 of 2
    assert score(client.get(page).get_data(as_text=True)) == "25"
    sign_off(team["ana"], team["coach"], discovery=5)   # 5 of 5 reads as 1
    html = client.get(page).get_data(as_text=True)
    assert score(html) == "75"
    assert "▲ +75" in html  # all of it within the last 7 days


def test_the_ramp_page_shows_the_score_as_of_a_day(team, signed_in):
    complete(team["ana"], "intro")
    client = signed_in(make_user(Role.MANAGER))
    today, yesterday = dt.date.today(), dt.date.today() - dt.timedelta(days=1)
    assert score(client.get(f"/ramp/reps/{team['ana'].id}").get_data(as_text=True)) == "25"
    earlier = client.get(f"/ramp/reps/{team['ana'].id}?as_of={yesterday}")
    assert score(earlier.get_data(as_text=True)) == "0"
    csv = client.get(f"/ramp/reps/{team['ana'].id}/export/readiness.csv?as_of={today}")
    assert csv.status_code == 200 and '"Playbook basics",25.0' in csv.get_data(as_text=True)


def test_a_coach_sees_the_score_of_their_reps_only(team, signed_in):
    client = signed_in(team["coach"])
    assert client.get(f"/reps/{team['ben'].id}").status_code == 404
    assert client.get(f"/ramp/reps/{team['ben'].id}").status_code == 404
    response = ApiClient(client, token_for(team["coach"])).get(
        f"/api/v1/reps/{team['ben'].id}/readiness")
    assert response.status_code == 404


def test_a_rep_cannot_see_another_rep_s_score(team, signed_in):
    client = signed_in(team["ben"])
    for page in (f"/reps/{team['ana'].id}", f"/ramp/reps/{team['ana'].id}",
                 "/ramp/tracks/test-track/readiness"):
        response = client.get(page)
        assert response.status_code in (403, 404) and "Playbook basics" not in response.get_data(
            as_text=True)


def test_the_readiness_json_carries_the_score(team, signed_in):
    complete(team["ana"], "intro")
    client = signed_in(team["coach"])
    body = ApiClient(client, token_for(team["coach"])).get(
        f"/api/v1/reps/{team['ana'].id}/readiness").get_json()
    assert body["as_of"] == dt.date.today().isoformat()
    assert body["readiness"] == {
        "score": 25.0, "change_7_days": 25.0, "change_28_days": 25.0,
        "competencies": [{"slug": "basics", "title": "Playbook basics", "score": 25.0,
                          "change_7_days": 25.0, "change_28_days": 25.0}]}


def test_the_track_page_says_there_is_no_history_before_a_cohort_finishes(team, signed_in):
    client = signed_in(make_user(Role.MANAGER))
    html = client.get("/ramp/tracks/test-track/readiness").get_data(as_text=True)
    assert "Playbook basics" in html and "has finished onboarding" in html
    assert "Predictive on held-out" not in html


def test_a_bad_as_of_is_refused_by_name(team, signed_in):
    client = signed_in(make_user(Role.MANAGER))
    response = client.get("/ramp/tracks/test-track/readiness?as_of=soon")
    assert response.status_code == 400 and "is not a date like" in response.get_data(
        as_text=True)


def test_an_unknown_track_is_not_found(team, signed_in):
    client = signed_in(make_user(Role.MANAGER))
    assert client.get("/ramp/tracks/no-such-track/readiness").status_code == 404


def test_my_reps_has_a_readiness_column_for_the_coach_s_reps(team, signed_in):
    complete(team["ana"], "intro")
    html = signed_in(team["coach"]).get("/coach").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td class=\"table__lead\"><a [^>]*>Ana</a>.*?</tr>", html, re.S)
    assert row and re.search(r'data-label="Readiness">25 ', row.group(0))
    assert ">Ben</a>" not in html


def test_readiness_costs_the_same_statements_for_more_reps(team, signed_in, page_statements):
    client = signed_in(team["coach"])
    few = page_statements(client, "/coach")
    cohort_id = db.session.scalar(select(Membership.cohort_id).where(
        Membership.user_id == team["ana"].id))
    cohort = db.session.get(Cohort, cohort_id)
    for n in range(6):
        rep = make_user(Role.REP, name=f"Extra {n}")
        place_rep(rep, cohort, start_on=None, end_on=None, now=dt.datetime.now(dt.UTC))
        complete(rep, "intro")
    db.session.commit()
    assert page_statements(client, "/coach") == few


def test_the_demo_shows_scores_and_judges_them_on_held_out_cohorts(app, demo_organisation,
                                                                  signed_in):
    demo_organisation()
    manager = signed_in(make_user(Role.MANAGER))
    rep01 = db.session.scalar(select(User).where(User.email == "rep01@example.com"))
    assert score(manager.get(f"/ramp/reps/{rep01.id}").get_data(as_text=True)) is not None
    html = manager.get("/ramp/tracks/sales-foundations/readiness").get_data(as_text=True)
    assert "Is the score predictive?" in html and "Hand-set (track.yaml)" in html
    held_out = re.search(r"Hand-set \(track.yaml\)</td>(?:<td[^>]*>[^<]*</td>){2}"
                         r"<td class=\"num\">(\d+)</td>", html)
    assert held_out and int(held_out.group(1)) >= 15
    ramp = manager.get("/ramp").get_data(as_text=True)
    assert "/ramp/tracks/sales-foundations/readiness" in ramp
