"""Due dates, the rep's week and status rules (docs/metrics.md)."""
import datetime as dt

import pytest

from cev_learn.cohorts.schedule import (Standing, WorkItem, at_risk_horizon, due_on,
                                        milestone_standing, rep_standing, tenure_day, week_view)

TODAY = dt.date(2026, 3, 16)


def item(title, due, done=None, kind="module"):
    return WorkItem(kind, "track", title, due, done, {})


def test_due_dates_count_from_the_reps_own_start():
    assert due_on(dt.date(2026, 3, 2), 0) == dt.date(2026, 3, 2)  # start date is day 0
    assert due_on(dt.date(2026, 3, 2), 21) == dt.date(2026, 3, 23)
    assert due_on(dt.date(2026, 2, 20), 10) == dt.date(2026, 3, 2)  # across a month end
    assert due_on(dt.date(2026, 3, 2), None) is None
    assert tenure_day(dt.date(2026, 3, 2), TODAY) == 14


def test_week_view_puts_overdue_first_and_looks_seven_days_ahead():
    items = [item("late", TODAY - dt.timedelta(days=2)), item("later late", TODAY - dt.timedelta(days=9)),
             item("today", TODAY), item("in six days", TODAY + dt.timedelta(days=6)),
             item("in seven days", TODAY + dt.timedelta(days=7)),
             item("done yesterday", TODAY, done=TODAY - dt.timedelta(days=1)),
             item("done long ago", TODAY, done=TODAY - dt.timedelta(days=30)),
             item("no due date", None)]
    week = week_view(items, TODAY)
    assert [i.title for i in week.overdue] == ["later late", "late"]
    assert [i.title for i in week.due_soon] == ["today", "in six days"]
    assert [i.title for i in week.recently_done] == ["done yesterday"]
    assert week.later == 2
    assert (week.done, week.total, week.percent) == (2, 8, 25)


def test_week_progress_is_the_track_progress_without_a_coachs_assignments():
    items = [item("read", TODAY, done=TODAY), item("quiz", TODAY, kind="quiz"),
             item("passed", TODAY, done=TODAY, kind="quiz"), item("unread", None),
             WorkItem("module", "assignment", "extra", TODAY, TODAY, {})]
    week = week_view(items, TODAY)
    assert (week.done, week.total, week.percent) == (2, 4, 50)


@pytest.mark.parametrize("achieved,progress,due_day,tenure,expected", [
    (True, 0.0, 21, 40, Standing.COMPLETE),
    (False, 0.9, 21, 22, Standing.BEHIND),         # past due, not achieved
    (False, 0.9, 21, 21, Standing.AT_RISK),        # due today: not behind yet, 90% < 100%
    (False, 0.25, 20, 17, Standing.AT_RISK),       # 4 days left (horizon 4): 25% < 85% gone
    (False, 0.25, 20, 10, Standing.ON_TRACK),      # short of pace, but 10 days left of 20
    (False, 0.5, 20, 10, Standing.ON_TRACK),       # exactly on pace
    (False, 0.0, 20, 10, Standing.NOT_STARTED),    # nothing yet, the due day far
    (False, 0.0, 20, 16, Standing.AT_RISK),        # nothing yet, due in 4 days
    (False, 0.85, 20, 16, Standing.ON_TRACK),      # due in 4 days, ahead of pace (85% > 80%)
    (False, 0.0, 20, 0, Standing.NOT_STARTED),     # the first day
    (False, None, 20, 10, None),                   # not measurable yet
    (False, None, 20, 25, Standing.BEHIND),
    # The report that led to the horizon: day 12, two months at quota due on day 150
    (False, 0.0, 150, 12, Standing.NOT_STARTED),
    (False, 0.05, 150, 12, Standing.ON_TRACK),     # short of pace, but months away
    (False, 0.5, 150, 136, Standing.AT_RISK),      # 14 days left: the horizon's cap
    (False, 0.5, 150, 135, Standing.ON_TRACK),     # 15 days left: not yet
])
def test_milestone_standing(achieved, progress, due_day, tenure, expected):
    assert milestone_standing(achieved=achieved, progress=progress, due_day=due_day,
                              tenure=tenure) is expected


@pytest.mark.parametrize("due_day,horizon", [(0, 1), (3, 1), (5, 1), (6, 2), (20, 4), (30, 6),
                                             (70, 14), (150, 14)])
def test_at_risk_horizon_is_the_last_fifth_of_the_window_at_most_two_weeks(due_day, horizon):
    assert at_risk_horizon(due_day) == horizon


def test_rep_standing_takes_the_worst_signal():
    assert rep_standing(0, [Standing.ON_TRACK, Standing.COMPLETE, None]) is Standing.ON_TRACK
    assert rep_standing(0, [Standing.NOT_STARTED, Standing.NOT_STARTED]) is Standing.ON_TRACK
    assert rep_standing(0, [Standing.ON_TRACK, Standing.AT_RISK]) is Standing.AT_RISK
    assert rep_standing(1, [Standing.ON_TRACK]) is Standing.BEHIND
    assert rep_standing(0, [Standing.AT_RISK, Standing.BEHIND]) is Standing.BEHIND


def test_signoff_score_is_the_share_of_the_maximum():
    from cev_learn.cohorts.coaching import signoff_score

    assert signoff_score([5, 5, 5, 5]) == 1.0
    assert signoff_score([1, 1, 1, 1]) == 0.0
    assert signoff_score([4, 4, 3, 4]) == pytest.approx(11 / 16)  # 0.6875: below a 0.7 pass mark
    assert signoff_score([4, 4, 4, 4]) == 0.75
