"""The projected productivity date on the rep pages, the cohort page and the API, and the
backtest page: as_of, access, caching under writes and the statement budget."""
import datetime as dt
import re

import pytest
from sqlalchemy import insert

from cev_learn.accounts.models import Role
from cev_learn.analytics import forecast
from cev_learn.cohorts.models import Membership
from cev_learn.cohorts.services import place_rep
from cev_learn.platform.db import db
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import ActivityRecord
from tests.factories import make_cohort
from tests.helpers import make_user
from tests.ramp.helpers import D

AS_OF = D(2026, 3, 31)
NEW_START = D(2026, 3, 2)          # day 29 on AS_OF: four weeks of pace over
CALLS = (10, 20, 20, 20)           # the test track's call targets for weeks 1–4


def _records(rep, start: dt.date, pace: float, meeting_day: int | None, key: str) -> list[dict]:
    rows = [{"external_id": f"{key}-call-{w}", "user_id": rep.id, "type": "call",
             "occurred_on": start + dt.timedelta(days=7 * (w - 1)),
             "quantity": max(1, round(target * pace)), "amount": 0.0}
            for w, target in enumerate(CALLS, 1)]
    if meeting_day is not None:
        rows.append({"external_id": f"{key}-meeting", "user_id": rep.id, "type": "meeting",
                     "occurred_on": start + dt.timedelta(days=meeting_day), "quantity": 1,
                     "amount": 0.0})
    return rows


@pytest.fixture
def forecast_org(app, synced_track):
    """Two earlier cohorts of 20 reps each, all productive, the busier sooner (pace 0.5 to
    1.45: meeting on day 120 down to day 25), and a new cohort on AS_OF: Fast (150% pace),
    Slow (50%), Done (meeting on day 10) and Gone (left on day 15), and its coach."""
    now, rows, reps = dt.datetime.now(dt.UTC), [], {}
    for number, start in ((1, D(2025, 3, 3)), (2, D(2025, 9, 1))):
        cohort = make_cohort(name=f"Earlier {number}", start_on=start)
        for i in range(20):
            rep = make_user(Role.REP, name=f"Earlier {number}-{i:02d}")
            place_rep(rep, cohort, start_on=None, end_on=None, now=now)
            rows += _records(rep, start, 0.5 + i * 0.05, 120 - 5 * i - number, f"e{number}-{i}")
            reps[rep.name] = rep
    coach = make_user(Role.COACH)
    cohort = make_cohort(name="New AEs", start_on=NEW_START, coaches=[coach])
    for name, pace, meeting, end in (("Fast", 1.5, None, None), ("Slow", 0.5, None, None),
                                     ("Done", 1.0, 10, None), ("Gone", 0.8, None, 15)):
        rep = make_user(Role.REP, name=name)
        place_rep(rep, cohort, start_on=None,
                  end_on=None if end is None else NEW_START + dt.timedelta(days=end), now=now)
        rows += _records(rep, NEW_START, pace, meeting, name)
        reps[name] = rep
    db.session.execute(insert(ActivityRecord), rows)
    db.session.commit()
    refresh_reps([r.id for r in reps.values()], AS_OF)
    db.session.commit()
    reps["cohort"], reps["coach"] = cohort, coach
    return reps


def _card(html: str) -> str:
    found = re.search(r'<section class="card card--stat forecast".*?</section>', html, re.S)
    assert found, "no forecast card"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(re.search(r"\d\d \w{3} \d{4}", text).group(0), "%d %b %Y").date()


def test_rep_page_projects_a_later_date_for_a_slower_rep(forecast_org, signed_in):
    client = signed_in(Role.MANAGER)
    fast, slow = (_card(client.get(f"/ramp/reps/{forecast_org[name].id}?as_of={AS_OF}")
                        .get_data(as_text=True)) for name in ("Fast", "Slow"))
    assert "80% likely" in fast and "adjusted for early activity pace" in fast
    assert AS_OF < _date(fast) < _date(slow)


def test_a_productive_rep_is_shown_their_actual_date(forecast_org, signed_in):
    client = signed_in(Role.MANAGER)
    card = _card(client.get(f"/ramp/reps/{forecast_org['Done'].id}?as_of={AS_OF}")
                 .get_data(as_text=True))
    assert "12 Mar 2026" in card and "Productive on day 10" in card


def test_the_coach_sees_the_forecast_on_the_rep_page(forecast_org, signed_in):
    card = _card(signed_in(forecast_org["coach"]).get(f"/reps/{forecast_org['Slow'].id}").get_data(as_text=True))
    assert "Projected productive" in card and "How good are the forecasts?" in card


def test_cohort_page_shows_the_projected_median_and_the_ramping_reps(forecast_org, signed_in):
    html = signed_in(Role.MANAGER).get(
        f"/ramp/cohorts/{forecast_org['cohort'].id}?as_of={AS_OF}").get_data(as_text=True)
    section = html[html.index('id="forecast"'):html.index("How good are the forecasts?")]
    assert "Projected cohort median" in section
    assert "Fast" in section and "Slow" in section
    assert "Done" not in section and "Gone" not in section
    assert section.index("Fast") < section.index("Slow")  # soonest first


def test_records_after_as_of_do_not_move_the_forecast(forecast_org, signed_in):
    client = signed_in(Role.MANAGER)
    url = f"/ramp/reps/{forecast_org['Slow'].id}?as_of={AS_OF}"
    before = _card(client.get(url).get_data(as_text=True))
    slow = forecast_org["Slow"]
    db.session.add(ActivityRecord(external_id="slow-later", user_id=slow.id, type="meeting",
                                  occurred_on=AS_OF + dt.timedelta(days=2), quantity=1))
    db.session.commit()
    refresh_reps([slow.id], AS_OF + dt.timedelta(days=5))
    db.session.commit()
    assert _card(client.get(url).get_data(as_text=True)) == before


def test_a_write_before_as_of_updates_the_cached_cohort_page(forecast_org, signed_in):
    client = signed_in(Role.MANAGER)
    url = f"/ramp/cohorts/{forecast_org['cohort'].id}?as_of={AS_OF}"
    assert "Slow" in client.get(url).get_data(as_text=True).split('id="forecast"')[1]
    slow = forecast_org["Slow"]
    db.session.add(ActivityRecord(external_id="slow-meeting", user_id=slow.id, type="meeting",
                                  occurred_on=AS_OF - dt.timedelta(days=1), quantity=1))
    db.session.commit()
    refresh_reps([slow.id], AS_OF)
    db.session.commit()
    section = client.get(url).get_data(as_text=True).split('id="forecast"')[1]
    assert "Slow" not in section.split("How good are the forecasts?")[0]


def test_a_track_without_enough_history_says_so(app, synced_track, signed_in):
    rep = make_user(Role.REP, name="Lonely")
    cohort = make_cohort(name="First ever", start_on=NEW_START, reps=[rep])
    client = signed_in(Role.MANAGER)
    card = _card(client.get(f"/ramp/reps/{rep.id}?as_of={AS_OF}").get_data(as_text=True))
    assert "Not enough history" in card and f"fewer than {forecast.MIN_HISTORY}" in card
    html = client.get(f"/ramp/cohorts/{cohort.id}?as_of={AS_OF}").get_data(as_text=True)
    assert "Not enough history" in html


def test_the_api_gives_the_same_forecast_as_the_page(forecast_org, api, signed_in):
    manager = make_user(Role.MANAGER)
    body = api(manager).get(f"/api/v1/reps/{forecast_org['Fast'].id}/forecast?as_of={AS_OF}")
    assert body.status_code == 200
    made = body.get_json()
    assert made["model"]["method"] == "cox" and made["forecast"]["state"] == "forecast"
    card = _card(signed_in(manager).get(f"/ramp/reps/{forecast_org['Fast'].id}?as_of={AS_OF}")
                 .get_data(as_text=True))
    assert _date(card) == dt.date.fromisoformat(made["forecast"]["median_on"])
    cohort = api(manager).get(
        f"/api/v1/cohorts/{forecast_org['cohort'].id}/forecast?as_of={AS_OF}").get_json()
    states = {r["rep_id"]: r["state"] for r in cohort["reps"]}
    assert states[forecast_org["Done"].id] == "productive"
    assert states[forecast_org["Gone"].id] == "left"
    assert cohort["projected_median_on"] is not None


def test_the_api_refuses_a_bad_date_and_reps_it_may_not_see(forecast_org, api):
    manager = make_user(Role.MANAGER, territory="Elsewhere")
    client = api(make_user(Role.MANAGER))
    bad = client.get(f"/api/v1/reps/{forecast_org['Fast'].id}/forecast?as_of=soon")
    assert bad.status_code == 400 and "as_of" in bad.get_json()["detail"]
    hidden = api(manager).get(f"/api/v1/reps/{forecast_org['Fast'].id}/forecast")
    assert hidden.status_code == 404


def test_backtest_page_scores_the_second_cohort(forecast_org, signed_in):
    client = signed_in(Role.MANAGER)
    html = client.get(f"/ramp/forecasts?as_of={AS_OF}").get_data(as_text=True)
    assert "How good are the forecasts?" in html
    assert "Inside the 80% interval" in html and 'aria-labelledby="forecast-calibration' in html
    rows = client.get(f"/ramp/forecasts/export/by-cohort.csv?as_of={AS_OF}")
    assert rows.mimetype == "text/csv"
    assert "Earlier 2" in rows.get_data(as_text=True)


def test_backtest_page_lists_only_cohorts_the_coach_sees(forecast_org, signed_in):
    client = signed_in(forecast_org["coach"])
    page = client.get(f"/ramp/forecasts?as_of={AS_OF}")
    assert page.status_code == 200
    csv_text = client.get(f"/ramp/forecasts/export/by-cohort.csv?as_of={AS_OF}").get_data(
        as_text=True)
    assert "Earlier 2" not in csv_text


def test_backtest_page_refuses_an_unknown_track_and_reps(forecast_org, signed_in):
    response = signed_in(Role.MANAGER).get("/ramp/forecasts?track=nope")
    assert response.status_code == 400 and "nope" in response.get_data(as_text=True)
    assert signed_in(Role.REP).get("/ramp/forecasts").status_code == 403


def test_forecast_pages_cost_the_same_statements_with_more_history(forecast_org, signed_in,
                                                                   page_statements):
    client = signed_in(Role.MANAGER)
    urls = [f"/ramp/reps/{forecast_org['Fast'].id}?as_of={AS_OF}",
            f"/ramp/cohorts/{forecast_org['cohort'].id}?as_of={AS_OF}",
            f"/ramp/forecasts?as_of={AS_OF}"]
    before = [page_statements(client, url) for url in urls]
    more = make_cohort(name="Earlier 3", start_on=D(2025, 6, 2))
    now, rows = dt.datetime.now(dt.UTC), []
    for i in range(15):
        rep = make_user(Role.REP)
        place_rep(rep, more, start_on=None, end_on=None, now=now)
        rows += _records(rep, more.start_on, 1.0, 60 + i, f"e3-{i}")
    db.session.execute(insert(ActivityRecord), rows)
    db.session.commit()
    refresh_reps(list(db.session.scalars(db.select(Membership.user_id)
                                         .where(Membership.cohort_id == more.id))), AS_OF)
    db.session.commit()
    assert [page_statements(client, url) for url in urls] == before
