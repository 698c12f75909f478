"""Factories for cohorts (call inside the test's data context, after a content sync)."""
import datetime as dt

from cev_learn.cohorts.services import create_cohort, find_track, place_rep
from cev_learn.platform.db import db

_counter = {"n": 0}


def make_cohort(*, reps=(), coaches=(), track="test-track", start_on=None, territory=None,
                name=None):
    _counter["n"] += 1
    cohort = create_cohort(name=name or f"Cohort {_counter['n']}", track=find_track(track),
                           start_on=start_on or dt.date.today() - dt.timedelta(days=10),
                           territory=territory, coaches=list(coaches))
    for rep in reps:
        place_rep(rep, cohort, start_on=None, end_on=None, now=dt.datetime.now(dt.UTC))
    db.session.commit()
    return cohort
