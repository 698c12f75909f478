"""The track's readiness page: its competencies with their hand-set weights, the weights fitted
from the track's finished cohorts, and how well each ranks reps of held-out cohorts."""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cev_learn.accounts.models import User
from cev_learn.analytics import readiness_fit, reports
from cev_learn.analytics.pages import Column, Table
from cev_learn.analytics.queries import load_outcomes
from cev_learn.analytics.readiness import competency_score
from cev_learn.analytics.readiness_data import load_evidence
from cev_learn.cohorts.access import visible_cohorts
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.models import Track
from cev_learn.content.track_data import TrackData, track_data
from cev_learn.platform import caching
from cev_learn.platform.db import db


@dataclass
class ReadinessFitPage:
    track: Track
    as_of: dt.date
    competencies: list[dict]
    finished: list[Cohort]                 # the track's finished cohorts the viewer sees
    fit: readiness_fit.Fit | None          # None: no competencies or no finished cohort
    tables: dict[str, Table] = field(default_factory=dict)
    fit_day: int = readiness_fit.FIT_DAY

    def cohort_names(self, ids) -> str:
        names = {c.id: c.name for c in self.finished}
        return ", ".join(names[i] for i in ids) or "none"


def finished_cohorts(viewer: User, shared: TrackData, as_of: dt.date) -> list[Cohort]:
    """The track's cohorts the viewer sees whose onboarding was over by as_of, oldest first."""
    last_start = as_of - dt.timedelta(days=shared.onboarding_days)
    return list(db.session.scalars(
        visible_cohorts(viewer).options(joinedload(Cohort.track))
        .where(Cohort.track_id == shared.track.id, Cohort.start_on <= last_start)
        .order_by(Cohort.start_on, Cohort.name)))


def past_reps(cohorts: list[Cohort], shared: TrackData, as_of: dt.date
              ) -> list[readiness_fit.PastRep]:
    """Each rep of the cohorts with their competency scores on tenure day FIT_DAY and their
    time to productivity as seen on as_of (two statements)."""
    data = load_outcomes(cohorts, as_of)
    observed = [(cohort.id, member, outcome) for cohort in cohorts
                for member, outcome in reports.observed_reps(data, cohort)]
    rep_ids = (select(Membership.user_id).where(Membership.cohort_id.in_([c.id for c in cohorts]),
                                                Membership.moved_out_at.is_(None)))
    # Pace on day FIT_DAY reads only the weeks over by then.
    evidence = load_evidence({m.user_id: m.effective_start_on for _, m, _ in observed}, rep_ids,
                             [shared], as_of, until_week=readiness_fit.FIT_DAY // 7 + 1)
    targets = shared.track.activity_targets or {}
    reps = []
    for cohort_id, member, outcome in observed:
        scored_on = member.effective_start_on + dt.timedelta(days=readiness_fit.FIT_DAY)
        scores = tuple(competency_score(c, evidence[member.user_id], targets, scored_on)
                       for c in shared.track.competencies)
        reps.append(readiness_fit.PastRep(cohort_id, scores, outcome))
    return reps


def fit_page(viewer: User, track: Track, as_of: dt.date, today: dt.date) -> ReadinessFitPage:
    shared = track_data([track])[track.id]
    competencies = list(track.competencies or [])
    finished = finished_cohorts(viewer, shared, as_of)
    page = ReadinessFitPage(track, as_of, competencies, finished, None)
    if competencies and finished:
        hand = [c.get("weight", 1.0) for c in competencies]
        page.fit = caching.cached(
            "readiness-fit", (track.id, as_of, tuple(c.id for c in finished)),
            lambda: readiness_fit.fit_from_history(past_reps(finished, shared, as_of),
                                                   [c.id for c in finished], hand),
            today=today, scopes=[caching.cohort_scope(c.id) for c in finished])
    page.tables = {"weights": _weights_table(page)}
    return page


def _weights_table(page: ReadinessFitPage) -> Table:
    fit = page.fit
    hand_total = sum(c.get("weight", 1.0) for c in page.competencies) or 1.0
    rows = [[c["title"], c.get("weight", 1.0) / hand_total,
             fit.fitted_weights[i] if fit and fit.fitted_weights else None]
            for i, c in enumerate(page.competencies)]
    return Table("weights", "Competency weights: hand-set (track.yaml) and fitted from history",
                 [Column("Competency"), Column("Hand-set", "pct"), Column("Fitted", "pct")], rows)
