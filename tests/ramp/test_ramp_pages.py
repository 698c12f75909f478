"""Ramp pages: the dashboard, a cohort and a rep, their charts, tables and CSV downloads."""
import csv
import datetime as dt
import io
import math
import re

from sqlalchemy import insert

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import Membership
from cev_learn.cohorts.services import find_track
from cev_learn.content.models import Milestone
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import db
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import Achievement, ActivityRecord, Quota
from tests.helpers import make_user
from tests.factories import make_cohort
from tests.ramp.helpers import D

AS_OF = "2026-03-31"


def svg(html: str, chart_id: str) -> str:
    found = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}[^"]*".*?</svg>', html, re.S)
    assert found, f"no chart {chart_id}"
    return found.group(0)


def points(html: str, chart_id: str) -> list[tuple[str, str]]:
    """(data-x, data-y) of the data points drawn in one chart."""
    return re.findall(r'class="point[^"]*"[^>]*data-x="([^"]*)" data-y="([^"]*)"',
                      svg(html, chart_id))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_dashboard_shows_time_to_productivity_per_cohort(app, organisation, signed_in):
    manager = make_user(Role.MANAGER)
    html = signed_in(manager).get(f"/ramp?as_of={AS_OF}").get_data(as_text=True)
    assert "2026-Q1 AEs" in html
    assert "30 days" in html  # the hand-worked median
    assert points(html, "ttp-trend") == [("Jan 2026", "30")]
    # Kaplan–Meier: productive share steps to 25% on day 10 and 62.5% on day 30.
    km = points(html, "km-cohorts")
    assert ("10", "0.25") in km and ("30", "0.625") in km


def test_dashboard_csv_downloads_match_the_report(app, organisation, signed_in):
    client = signed_in(Role.MANAGER)
    rows = csv_rows(client.get(f"/ramp/export/cohorts.csv?as_of={AS_OF}"))
    assert rows[0][:7] == ["Cohort", "Start", "Territory", "Reps", "Productive",
                           "Still ramping or left", "Median days to productivity"]
    assert rows[1] == ["2026-Q1 AEs", "2026-01-05", "", "4", "2", "2", "30",
                       "0.625", "0.625", "0.625", "0.625"]
    assert client.get("/ramp/export/nothing.csv").status_code == 404


def test_cohort_page_charts_funnel_and_ramp_curve(app, organisation, signed_in):
    cohort_id = db.session.scalar(db.select(Membership.cohort_id).limit(1))
    client = signed_in(Role.MANAGER)
    html = client.get(f"/ramp/cohorts/{cohort_id}?as_of={AS_OF}").get_data(as_text=True)
    assert points(html, "funnel") == [("First meeting", "2")]
    assert [x for x, _ in points(html, "ramp-curve")] == ["1", "2"]
    assert "Rep A" in html and "Left 25 Jan 2026" in html  # C left: listed, not dropped
    curve = csv_rows(client.get(f"/ramp/cohorts/{cohort_id}/export/ramp-curve.csv?as_of={AS_OF}"))
    assert curve[1:] == [["1", "3", "0.0", "0.0", "0.2"], ["2", "2", "0.675", "0.85", "1.025"]]
    reps = csv_rows(client.get(f"/ramp/cohorts/{cohort_id}/export/reps.csv?as_of={AS_OF}"))
    assert {(r[0], r[5]) for r in reps[1:]} == {("Rep A", "10"), ("Rep B", "30"), ("Rep C", ""),
                                                ("Rep D", "")}


def test_cohort_page_compares_cohorts_on_one_chart(app, organisation, signed_in):
    first = db.session.scalar(db.select(Membership.cohort_id).limit(1))
    rep = make_user(Role.REP, name="Rep Later")
    later = make_cohort(name="2026-Q2 AEs", reps=[rep], start_on=D(2026, 3, 2))
    client = signed_in(Role.MANAGER)
    html = client.get(f"/ramp/cohorts/{later.id}?as_of={AS_OF}").get_data(as_text=True)
    # By default the cohorts that started before are drawn next to this one.
    chart = svg(html, "km-cohort")
    assert "chart__legend" in chart and "2026-Q1 AEs" in chart and "2026-Q2 AEs" in chart
    alone = client.get(f"/ramp/cohorts/{later.id}?as_of={AS_OF}&compared=1").get_data(as_text=True)
    assert "2026-Q1 AEs" not in svg(alone, "km-cohort")
    chosen = client.get(f"/ramp/cohorts/{later.id}?as_of={AS_OF}&compare={first}")
    assert "2026-Q1 AEs" in svg(chosen.get_data(as_text=True), "km-cohort")
    assert client.get(f"/ramp/cohorts/{first}?compare=x").status_code == 400


def test_rep_ramp_page_weekly_pace_and_attainment(app, synced_track, signed_in):
    rep = make_user(Role.REP, name="Pace Rep")
    make_cohort(reps=[rep], start_on=D(2026, 3, 2))
    # Targets are calls [10, 20]: week 1 has 5 calls (50%), week 2 has 30 (150%).
    for n, (day, quantity) in enumerate([(D(2026, 3, 3), 5), (D(2026, 3, 10), 30),
                                         (D(2026, 2, 27), 99)]):  # before the start: ignored
        db.session.add(ActivityRecord(external_id=f"c{n}", user_id=rep.id, occurred_on=day,
                                      type="call", quantity=quantity))
    db.session.add(ActivityRecord(external_id="deal", user_id=rep.id, occurred_on=D(2026, 3, 20),
                                  type="deal_won", amount=2500))
    db.session.add(Quota(user_id=rep.id, month=D(2026, 3, 1), amount=10_000))
    refresh_reps([rep.id], D(2026, 3, 31))
    db.session.commit()
    client = signed_in(Role.MANAGER)
    html = client.get(f"/ramp/reps/{rep.id}?as_of=2026-03-16").get_data(as_text=True)
    assert points(html, "rep-weekly") == [("1", "0.5"), ("2", "1.5")]
    assert points(html, "rep-attainment") == [("Month 1 · Mar 2026", "0.0")]  # deal after as_of
    weekly = csv_rows(client.get(f"/ramp/reps/{rep.id}/export/weekly.csv?as_of=2026-03-16"))
    assert weekly[1:] == [["call", "1", "5", "10", "0.5"], ["call", "2", "30", "20", "1.5"]]
    later = client.get(f"/ramp/reps/{rep.id}?as_of=2026-03-31").get_data(as_text=True)
    assert points(later, "rep-attainment") == [("Month 1 · Mar 2026", "0.25")]


def test_rep_home_shows_this_weeks_pace(app, synced_track, signed_in):
    rep = make_user(Role.REP)
    today = dt.date.today()
    make_cohort(reps=[rep], start_on=today - dt.timedelta(days=8))  # week 2: target 20 calls
    db.session.add(ActivityRecord(external_id="today", user_id=rep.id, occurred_on=today,
                                  type="call", quantity=15))
    refresh_reps([rep.id], today)
    db.session.commit()
    html = signed_in(rep).get("/week").get_data(as_text=True)
    assert "Week 2 activity" in html
    assert re.search(r"call</span>\s*<strong>15</strong>\s*<span[^>]*>of 20</span>", html)
    assert "75%" in html


def meeting_status(html: str) -> str:
    """The status cell of the First meeting row of a rep's milestone table."""
    found = re.search(r"<td[^>]*>First meeting</td><td[^>]*>[^<]*</td>\s*<td[^>]*>(.*?)</td>",
                      html, re.S)
    assert found, "no First meeting row"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_crm_milestones_get_a_status_once_crm_data_exists(app, synced_track, signed_in):
    slow, busy = make_user(Role.REP), make_user(Role.REP)
    today = dt.date.today()
    make_cohort(reps=[slow, busy], start_on=today - dt.timedelta(days=25))
    # No CRM data yet: the meeting milestone (due day 21) cannot be judged.
    assert meeting_status(signed_in(slow).get("/week").get_data(as_text=True)) == (
        "Measured from CRM activity")
    db.session.add(ActivityRecord(external_id="call", user_id=slow.id, occurred_on=today,
                                  type="call"))
    db.session.add(ActivityRecord(external_id="meet", user_id=busy.id, occurred_on=today,
                                  type="meeting"))
    db.session.commit()
    refresh_reps([slow.id, busy.id], today)
    db.session.commit()
    assert meeting_status(signed_in(slow).get("/week").get_data(as_text=True)) == "Behind"
    assert meeting_status(signed_in(busy).get("/week").get_data(as_text=True)).startswith(
        "Reached")


def test_coaches_see_only_their_cohorts_and_bad_queries_say_why(app, organisation, signed_in):
    cohort_id = db.session.scalar(db.select(Membership.cohort_id).limit(1))
    rep_id = organisation["A"].id
    stranger = signed_in(Role.COACH)
    assert stranger.get(f"/ramp/cohorts/{cohort_id}").status_code == 404
    assert stranger.get(f"/ramp/reps/{rep_id}").status_code == 404
    assert stranger.get(f"/ramp/cohorts/{cohort_id}/export/km.csv").status_code == 404
    assert "2026-Q1 AEs" not in stranger.get("/ramp").get_data(as_text=True)
    elsewhere = signed_in(Role.MANAGER, territory="Nordics")
    assert elsewhere.get(f"/ramp/cohorts/{cohort_id}").status_code == 404
    manager = signed_in(Role.MANAGER)
    bad = manager.get("/ramp?as_of=March")
    assert bad.status_code == 400 and "as_of &#39;March&#39; is not a date" in bad.get_data(
        as_text=True)
    assert manager.get(f"/ramp/cohorts/{cohort_id}?page=0").status_code == 400
    assert signed_in(organisation["A"]).get("/ramp").status_code == 403


def test_correlations_appear_only_with_fifteen_productive_reps(app, synced_track, signed_in):
    start = D(2026, 1, 5)
    reps = [make_user(Role.REP) for _ in range(15)]
    make_cohort(reps=reps, start_on=start)
    # The more calls in weeks 1–8, the sooner the first meeting: a perfect negative rank order.
    for n, rep in enumerate(reps):
        for week in range(8):
            db.session.add(ActivityRecord(external_id=f"c{n}-{week}", user_id=rep.id,
                                          occurred_on=start + dt.timedelta(days=7 * week),
                                          type="call", quantity=30 - n))
        db.session.add(ActivityRecord(external_id=f"m{n}", user_id=rep.id, type="meeting",
                                      occurred_on=start + dt.timedelta(days=60 + n)))
    db.session.commit()
    refresh_reps([r.id for r in reps], D(2026, 11, 27))
    db.session.commit()
    client = signed_in(Role.MANAGER)
    html = client.get(f"/ramp?as_of={AS_OF}").get_data(as_text=True)
    assert "correlation, not cause" in html
    rows = csv_rows(client.get(f"/ramp/export/correlations.csv?as_of={AS_OF}"))
    assert rows[1:] == [["call", "-1.0", "15"]]
    db.session.delete(db.session.scalar(db.select(Achievement).where(
        Achievement.user_id == reps[0].id)))
    db.session.commit()
    fewer = client.get(f"/ramp?as_of={AS_OF}").get_data(as_text=True)
    assert "Shown once at least 15 reps" in fewer and "correlation, not cause" not in fewer


def _bulk_reps(cohort, n: int, start_on: dt.date) -> list[int]:
    """n reps in a cohort with meetings, calls, quotas and achievements, inserted in bulk."""
    offset = db.session.scalar(db.select(db.func.count()).select_from(User))
    db.session.execute(insert(User), [
        {"email": f"bulk{offset + i}@example.com", "name": f"Bulk {offset + i}",
         "role": Role.REP, "active": True, "password_hash": "x", "session_generation": 0}
        for i in range(n)])
    ids = list(db.session.scalars(db.select(User.id).where(User.email.like("bulk%"))
                                  .order_by(User.id.desc()).limit(n)))
    db.session.execute(insert(Membership), [{"cohort_id": cohort.id, "user_id": i} for i in ids])
    db.session.execute(insert(ActivityRecord), [
        {"external_id": f"{kind}-{i}-{k}", "user_id": i, "type": kind, "quantity": 1,
         "amount": 1000.0 if kind == "deal_won" else 0.0,
         "occurred_on": start_on + dt.timedelta(days=3 + 5 * k + i % 7)}
        for i in ids for kind in ("call", "meeting", "deal_won") for k in range(3)])
    db.session.execute(insert(Quota), [{"user_id": i, "month": start_on.replace(day=1),
                                        "amount": 5000.0} for i in ids])
    db.session.commit()
    return ids


def test_dashboard_and_cohort_page_cost_the_same_at_10_and_2000_reps(app, synced_track,
                                                                       page_statements, signed_in):
    manager = make_user(Role.MANAGER)
    start = dt.date.today() - dt.timedelta(days=40)

    def measure(n: int) -> dict:
        cohort = make_cohort(start_on=start)
        refresh_reps(_bulk_reps(cohort, n, start), dt.date.today())
        db.session.commit()
        client = signed_in(manager)
        rep_id = db.session.scalar(db.select(Membership.user_id)
                                   .where(Membership.cohort_id == cohort.id).limit(1))
        return {name: page_statements(client, url) for name, url in (
            ("dashboard", "/ramp"), ("cohort", f"/ramp/cohorts/{cohort.id}"),
            ("rep", f"/ramp/reps/{rep_id}"))}

    small = measure(10)
    large = measure(2000)
    assert small == large, (small, large)
    assert max(large.values()) <= 12, large
    # They read achievements and aggregates: the meeting milestone came from stored rows.
    assert db.session.scalar(db.select(db.func.count()).select_from(Achievement).join(
        Milestone)) >= 2010


def _csv_links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*/export/[^"]*\.csv[^"]*)"', html.replace("&amp;", "&")))


def test_amounts_stored_before_the_bound_cannot_break_ramp_pages_or_exports(app, organisation,
                                                                            signed_in):
    """Two won deals of 1e308 in one month sum past the largest float; a quota of the smallest
    float makes attainment infinite. Written straight to the database, as data imported before
    amounts were bounded: every ramp page and CSV download still answers, with finite charts."""
    rep = organisation["A"]
    db.session.execute(insert(ActivityRecord), [
        {"external_id": f"huge-{n}", "user_id": rep.id, "occurred_on": D(2026, 2, 20),
         "type": "deal_won", "quantity": 1, "amount": 1e308} for n in range(2)] + [
        {"external_id": "march", "user_id": rep.id, "occurred_on": D(2026, 3, 2),
         "type": "deal_won", "quantity": 1, "amount": 1e12}])
    db.session.add(Quota(user_id=rep.id, month=D(2026, 3, 1), amount=5e-324))
    db.session.commit()
    cohort_id = db.session.scalar(db.select(Membership.cohort_id).limit(1))
    client = signed_in(Role.MANAGER)
    for page in ("/ramp", f"/ramp/cohorts/{cohort_id}", f"/ramp/reps/{rep.id}"):
        response = client.get(f"{page}?as_of=2026-04-30")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        coordinates = re.findall(r' (?:x|y|cx|cy|width|height|x1|x2|y1|y2)="([^"]*)"', html)
        assert coordinates and all(math.isfinite(float(c)) for c in coordinates), page
        links = _csv_links(html)
        assert links, page
        for link in links:
            assert client.get(link).status_code == 200, link


def test_a_large_cohort_page_folds_its_long_tables_and_keeps_them_whole_in_csv(app, synced_track,
                                                                               signed_in):
    """45 reps: the page lists 20 at a time (reps, pace chart and table), a data table longer
    than 100 rows shows its first 100, and the CSV still holds every row."""
    start = dt.date.today() - dt.timedelta(days=100)
    cohort = make_cohort(start_on=start)
    refresh_reps(_bulk_reps(cohort, 45, start), dt.date.today())
    db.session.commit()
    client = signed_in(Role.MANAGER)
    html = client.get(f"/ramp/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Page 1 of 3 · 45 reps" in html
    assert len(re.findall(r'href="/ramp/reps/\d+', html)) == 20
    weeks = 14  # weeks of tenure over by today, each a row per rep in the pace table
    assert f"The first 100 of {20 * weeks} rows; the CSV has them all." in html
    pace = csv_rows(client.get(f"/ramp/cohorts/{cohort.id}/export/pace.csv"))
    assert len(pace) == 1 + 20 * weeks


def test_coach_home_shows_the_twelve_reps_who_need_help_most_per_cohort(app, synced_track,
                                                                        signed_in):
    coach = make_user(Role.COACH)
    start = dt.date.today() - dt.timedelta(days=10)
    cohort = make_cohort(start_on=start, coaches=[coach])
    refresh_reps(_bulk_reps(cohort, 15, start), dt.date.today())
    db.session.commit()
    html = signed_in(coach).get("/coach").get_data(as_text=True)
    assert len(re.findall(r'href="/reps/\d+"', html)) == 12
    assert "The 12 who need you most of 15." in html
    assert f'href="/ramp/cohorts/{cohort.id}"' in html


def test_the_dashboard_lists_who_needs_help_until_their_onboarding_window_ends(app, synced_track,
                                                                               signed_in):
    track = find_track("test-track")
    window = track_data([track])[track.id].onboarding_days
    today = dt.date.today()
    rep_on_last_day, rep_past_it, leaver = (
        make_user(Role.REP, name=name) for name in ("Lana Last", "Pat Past", "Lee Left"))
    make_cohort(name="Last day", start_on=today - dt.timedelta(days=window),
                reps=[rep_on_last_day])
    make_cohort(name="Past it", start_on=today - dt.timedelta(days=window + 1), reps=[rep_past_it])
    make_cohort(name="Recent", start_on=today - dt.timedelta(days=20), reps=[leaver])
    leaving = db.session.scalar(db.select(Membership).where(Membership.user_id == leaver.id))
    leaving.end_on = today - dt.timedelta(days=1)
    db.session.commit()

    rows = csv_rows(signed_in(Role.MANAGER).get("/ramp/export/needs-help.csv"))
    listed = {row[0]: row for row in rows[1:]}
    # Nothing done on the window's last day: behind, with every item of the track overdue.
    work = track_data([track])[track.id].work
    assert listed["Lana Last"][1:5] == ["Last day", "Behind", str(window), str(len(work))]
    assert "Pat Past" not in listed          # onboarding is over: followed by cohort, not daily
    assert "Lee Left" not in listed          # left the company
