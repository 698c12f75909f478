"""Ramp test helpers: dates and activity records."""
import datetime as dt

from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord

D = dt.date
START = D(2026, 1, 5)


def activity(rep, ext, on, kind, amount=0.0):
    db.session.add(ActivityRecord(external_id=ext, user_id=rep.id, occurred_on=on, type=kind,
                                  quantity=1, amount=amount))
