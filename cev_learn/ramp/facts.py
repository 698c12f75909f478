"""Ramp facts kept current as data arrives: what the ramp pages read instead of raw records.

Every service that changes what a rep's ramp is measured from (CRM activities and quotas,
quiz results, module completions, sign-offs, memberships, milestone definitions) calls
`refresh_reps` for the reps it changed, in its own transaction, before the caller commits.
Views and commands never call it themselves.
"""
import datetime as dt
from collections.abc import Iterable

from cev_learn.ramp.achievements import recompute_for


def refresh_reps(rep_ids: Iterable[int], today: dt.date) -> int:
    """Bring the facts and achievements of these reps up to date with their records; returns
    how many achievements changed. Flushes only: the caller's transaction commits."""
    return recompute_for(rep_ids, today)
