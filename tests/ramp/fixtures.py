"""Ramp fixtures, for every test (registered in tests/conftest.py): a small organisation whose
ramp numbers were worked out by hand."""
import datetime as dt

import pytest

from cev_learn.accounts.models import Role
from cev_learn.cohorts.services import place_rep
from cev_learn.platform.db import db
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import Quota
from tests.helpers import make_user
from tests.factories import make_cohort
from tests.ramp.helpers import D, START, activity


@pytest.fixture
def organisation(app, synced_track):
    """Track milestone first-meeting (a meeting, due day 21) is the productivity milestone.

    A: meeting Jan 15 (day 10)           -> productive on day 10
    B: meeting Feb 4 (day 30)            -> productive on day 30
    C: left on Jan 25 (day 20), no meeting -> censored at 20
    D: own start Jan 10, meeting Apr 10  -> after as_of (Mar 31): censored at day 80
    E: starts Apr 5, after as_of         -> left out
    """
    reps = {name: make_user(Role.REP, name=f"Rep {name}") for name in "ABCDE"}
    cohort = make_cohort(name="2026-Q1 AEs", start_on=START)
    now = dt.datetime.now(dt.UTC)
    place_rep(reps["A"], cohort, start_on=None, end_on=None, now=now)
    place_rep(reps["B"], cohort, start_on=None, end_on=None, now=now)
    place_rep(reps["C"], cohort, start_on=None, end_on=D(2026, 1, 25), now=now)
    place_rep(reps["D"], cohort, start_on=D(2026, 1, 10), end_on=None, now=now)
    place_rep(reps["E"], cohort, start_on=D(2026, 4, 5), end_on=None, now=now)
    activity(reps["A"], "a-old", D(2026, 1, 2), "meeting")  # before the start: ignored
    activity(reps["A"], "a-1", D(2026, 1, 15), "meeting")
    activity(reps["B"], "b-1", D(2026, 2, 4), "meeting")
    activity(reps["D"], "d-1", D(2026, 4, 10), "meeting")
    # Ramp curve. Month 1 (Jan): A 4k/10k = 0.4, B 0/10k, D 0/10k. Month 2 (Feb): A 12k/10k,
    # B 5k/10k. Linear percentiles: Jan [0, 0, 0.4] -> p25 0, median 0, p75 0.2;
    # Feb [0.5, 1.2] -> p25 0.675, median 0.85, p75 1.025.
    activity(reps["A"], "a-deal-1", D(2026, 1, 20), "deal_won", 4000)
    activity(reps["A"], "a-deal-2", D(2026, 2, 10), "deal_won", 12000)
    activity(reps["B"], "b-deal-1", D(2026, 2, 15), "deal_won", 5000)
    for rep, months in ((reps["A"], (1, 2)), (reps["B"], (1, 2)), (reps["D"], (1,))):
        for month in months:
            db.session.add(Quota(user_id=rep.id, month=D(2026, month, 1), amount=10_000))
    db.session.commit()
    refresh_reps([r.id for r in reps.values()], D(2026, 11, 27))
    db.session.commit()
    return reps
