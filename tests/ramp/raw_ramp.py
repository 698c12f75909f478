"""Ramp figures worked out from the raw rows (activity records, memberships, quotas, quiz
attempts, module progress, sign-offs) with the pure functions only (ramp.engine and
analytics.metrics): what every figure built from the ramp facts must equal.

Nothing here reads the fact tables, the stored achievements or the analytics queries; the
tests compare those against these.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from cev_learn.analytics import metrics
from cev_learn.cohorts.models import Cohort, Membership, Signoff
from cev_learn.content.models import Milestone, Module, ModuleProgress, Quiz, Rubric, Track
from cev_learn.content.schema import MAX_AMOUNT
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp import engine
from cev_learn.ramp.models import (EARLY_WEEKS, Achievement, ActivityRecord, Quota,
                                   RepEarlyActivity, RepMonthActivity, RepWeekActivity)

TRACK_YAML = """\
title: Ramp Facts Track
summary: Every kind of milestone measure, for ramp facts tests.
schedule:
  - {module: intro, due_day: 1}
  - {module: discovery, due_day: 5}
  - {quiz: check, due_day: 7}
  - {milestone: first-meetings}
  - {milestone: check-passed}
  - {milestone: pitch-certified}
  - {milestone: ten-calls}
  - {milestone: playbook-read}
  - {milestone: first-bookings}
  - {milestone: half-quota}
  - {milestone: quota-streak}
milestones:
  - {slug: first-meetings, title: Two meetings, due_day: 21,
     measure: {activity: meeting, at_least: 2}}
  - {slug: check-passed, title: Check passed, due_day: 14,
     measure: {quiz: check, min_score: 0.75}}
  - {slug: pitch-certified, title: Pitch certified, due_day: 30, measure: {signoff: pitch}}
  - {slug: ten-calls, title: Ten calls, due_day: 30, measure: {activity: call, at_least: 10}}
  - {slug: playbook-read, title: Playbook read, due_day: 40, measure: {modules: all}}
  - {slug: first-bookings, title: First 5k booked, due_day: 60, measure: {bookings: 5000}}
  - {slug: half-quota, title: Half of quota in a month, due_day: 90,
     measure: {attainment: 0.5, consecutive_months: 1}}
  - {slug: quota-streak, title: Two months at quota, due_day: 150,
     measure: {attainment: 1.0, consecutive_months: 2}}
productivity_milestone: first-bookings
activity_targets:
  call: [5, 10]
  meeting: [1]
quizzes:
  check: {title: Check, file: quizzes/check.gift, pass_mark: 0.75, review: after_each_attempt}
rubrics:
  pitch: {title: Value pitch, pass_mark: 0.7,
          criteria: [Discovery questions, Value story, Next step]}
"""

# Two true-or-false questions, graded at once: a score of 0, 0.5 or 1.
QUIZ_GIFT = """\
::Discovery::Discovery comes before the demo. {TRUE}

::Pricing::Quote the price before you know the pain. {FALSE}
"""
QUIZ_RIGHT = {"Discovery": "true", "Pricing": "false"}


def write_track(root):
    """The course tree of the track above, under `root` (for `content sync`)."""
    from tests.content.trees import good_track

    return good_track(root, slug="ramp-facts",
                      **{"track.yaml": TRACK_YAML, "quizzes/check.gift": QUIZ_GIFT})


def bounded(amount: float) -> float:
    """An amount as the ramp sums count it (0 to MAX_AMOUNT)."""
    return min(max(amount, 0.0), float(MAX_AMOUNT))


@dataclass(frozen=True)
class Member:
    cohort_id: int
    start_on: dt.date  # effective: their own, else the cohort's
    end_on: dt.date | None
    track_id: int


@dataclass(frozen=True)
class CohortInfo:
    name: str
    track_id: int
    track_slug: str
    productivity: str | None


@dataclass
class Raw:
    """Every raw row a ramp figure is built from, read in one go."""

    members: dict[int, Member]  # current memberships: rep id -> membership
    cohorts: dict[int, CohortInfo]
    records: list[engine.Activity]
    owner: dict[str, int]  # external_id -> rep id
    quotas: dict[int, dict[dt.date, float]]
    quiz: dict[int, list[engine.QuizResult]]
    modules: dict[int, dict[str, dt.date]]
    track_modules: dict[int, list[str]]
    signoffs: dict[int, list[engine.SignoffResult]]
    milestones: dict[int, list[tuple[int, str, dict]]]  # track -> (id, slug, measure) by due day
    by_rep: dict[int, list[engine.Activity]] = field(default_factory=dict)

    def __post_init__(self):
        by_rep = defaultdict(list)
        for record in self.records:
            by_rep[self.owner[record.external_id]].append(record)
        self.by_rep = dict(by_rep)

    def counted(self, rep_id: int, as_of: dt.date | None = None):
        """The records of a rep in a cohort that count: from their start date (to as_of)."""
        member = self.members[rep_id]
        return [r for r in self.by_rep.get(rep_id, ())
                if member.start_on <= r.occurred_on and (as_of is None or r.occurred_on <= as_of)]

    def rep_facts(self, rep_id: int) -> engine.RepFacts:
        member = self.members[rep_id]
        return engine.RepFacts(
            start_on=member.start_on, activities=list(self.by_rep.get(rep_id, ())),
            quotas=dict(self.quotas.get(rep_id, {})), quiz_attempts=list(self.quiz.get(rep_id, ())),
            modules_completed=dict(self.modules.get(rep_id, {})),
            all_module_slugs=list(self.track_modules.get(member.track_id, ())),
            signoffs=list(self.signoffs.get(rep_id, ())))


def read_raw() -> Raw:
    session = db.session
    members = {user_id: Member(cohort_id, own or cohort_start, end_on, track_id)
               for user_id, cohort_id, own, cohort_start, end_on, track_id in session.execute(
                   select(Membership.user_id, Membership.cohort_id, Membership.start_on,
                          Cohort.start_on, Membership.end_on, Cohort.track_id)
                   .join(Cohort, Cohort.id == Membership.cohort_id)
                   .where(Membership.moved_out_at.is_(None)))}
    cohorts = {cohort_id: CohortInfo(name, track_id, slug, productivity)
               for cohort_id, name, track_id, slug, productivity in session.execute(
                   select(Cohort.id, Cohort.name, Cohort.track_id, Track.slug,
                          Track.productivity_milestone).join(Track, Track.id == Cohort.track_id))}
    records, owner = [], {}
    for external_id, user_id, on, kind, quantity, amount in session.execute(select(
            ActivityRecord.external_id, ActivityRecord.user_id, ActivityRecord.occurred_on,
            ActivityRecord.type, ActivityRecord.quantity, ActivityRecord.amount)):
        records.append(engine.Activity(external_id, on, kind, quantity, amount))
        owner[external_id] = user_id
    quotas = defaultdict(dict)
    for user_id, month, amount in session.execute(select(Quota.user_id, Quota.month,
                                                         Quota.amount)):
        quotas[user_id][month] = amount
    quiz = defaultdict(list)
    for user_id, slug, submitted, score in session.execute(
            select(Attempt.user_id, Quiz.slug, Attempt.submitted_at, Attempt.score)
            .join(Quiz, Quiz.id == Attempt.quiz_id).where(Attempt.state == AttemptState.GRADED)):
        quiz[user_id].append(engine.QuizResult(slug, submitted.date(), score))
    modules = defaultdict(dict)
    for user_id, slug, completed in session.execute(
            select(ModuleProgress.user_id, Module.slug, ModuleProgress.completed_at)
            .join(Module, Module.id == ModuleProgress.module_id)
            .where(ModuleProgress.completed_at.is_not(None))):
        modules[user_id][slug] = completed.date()
    track_modules = defaultdict(list)
    for track_id, slug in session.execute(select(Module.track_id, Module.slug)
                                          .where(Module.retired_at.is_(None))):
        track_modules[track_id].append(slug)
    signoffs = defaultdict(list)
    for user_id, slug, signed, passed in session.execute(
            select(Signoff.user_id, Rubric.slug, Signoff.signed_on, Signoff.passed)
            .join(Rubric, Rubric.id == Signoff.rubric_id)):
        signoffs[user_id].append(engine.SignoffResult(slug, signed, passed))
    milestones = defaultdict(list)
    for milestone_id, track_id, slug, measure in session.execute(
            select(Milestone.id, Milestone.track_id, Milestone.slug, Milestone.measure)
            .where(Milestone.retired_at.is_(None)).order_by(Milestone.due_day, Milestone.slug)):
        milestones[track_id].append((milestone_id, slug, measure))
    return Raw(members, cohorts, records, owner, dict(quotas), dict(quiz), dict(modules),
               dict(track_modules), dict(signoffs), dict(milestones))


# --- What the fact tables must hold ---------------------------------------------------------

def expected_week_facts(raw: Raw) -> dict[tuple, tuple[int, dt.date]]:
    """(rep, type, tenure week) -> (quantity, last day) over every counted record."""
    facts = {}
    for rep_id, member in raw.members.items():
        for record in raw.counted(rep_id):
            key = (rep_id, record.type, metrics.tenure_week(member.start_on, record.occurred_on))
            quantity, last_on = facts.get(key, (0, record.occurred_on))
            facts[key] = (quantity + record.quantity, max(last_on, record.occurred_on))
    return facts


def expected_month_facts(raw: Raw) -> dict[tuple, tuple[int, float, dt.date]]:
    """(rep, type, month's first day) -> (quantity, amount, last day)."""
    facts = {}
    for rep_id in raw.members:
        for record in raw.counted(rep_id):
            key = (rep_id, record.type, record.occurred_on.replace(day=1))
            quantity, amount, last_on = facts.get(key, (0, 0.0, record.occurred_on))
            facts[key] = (quantity + record.quantity, amount + bounded(record.amount),
                          max(last_on, record.occurred_on))
    return facts


def stored_week_facts() -> dict[tuple, tuple[int, dt.date]]:
    """The weekly facts that sum records (an empty one reads as none)."""
    return {(f.user_id, f.type, f.week): (f.quantity, f.last_on)
            for f in db.session.scalars(select(RepWeekActivity).where(RepWeekActivity.records > 0))}


def sums(facts: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """Facts without their last day: what they sum."""
    return {key: value[:-1] for key, value in facts.items()}


def no_later_record(stored: dict[tuple, tuple], expected: dict[tuple, tuple]) -> bool:
    """Whether every stored fact's last day is on or after its latest record's (a correction
    that moved that record away may leave it later: still no record is later than it)."""
    return all(stored[key][-1] >= value[-1] for key, value in expected.items())


def same_facts(stored: dict[tuple, tuple], expected: dict[tuple, tuple]) -> bool:
    """The stored facts sum exactly the expected records, no record later than their day."""
    return sums(stored) == sums(expected) and no_later_record(stored, expected)


def expected_early_facts(raw: Raw) -> dict[tuple, tuple[int | None, ...]]:
    """(rep, type) -> quantity in each of tenure weeks 1..EARLY_WEEKS (None: no record), for
    the reps and types with a record in one of those weeks."""
    facts = {}
    for (rep_id, kind, week), (quantity, _) in expected_week_facts(raw).items():
        if week <= EARLY_WEEKS:
            weeks = facts.setdefault((rep_id, kind), [None] * EARLY_WEEKS)
            weeks[week - 1] = quantity
    return {key: tuple(weeks) for key, weeks in facts.items()}


def stored_early_facts() -> dict[tuple, tuple[int | None, ...]]:
    """The early weeks' facts with a week that sums records (one with none reads as none)."""
    rows = {(f.user_id, f.type): tuple(getattr(f, c.key) for c in f.week_columns())
            for f in db.session.scalars(select(RepEarlyActivity))}
    return {key: weeks for key, weeks in rows.items() if any(w is not None for w in weeks)}


def stored_month_facts() -> dict[tuple, tuple[int, float, dt.date]]:
    """Amounts to the cent: a sum of floats depends on the order the database adds them in,
    which a rebuild need not repeat (161.43 and 161.42999999999998 are one amount)."""
    return {(f.user_id, f.type, f.month): (f.quantity, round(f.amount, 2), f.last_on)
            for f in db.session.scalars(select(RepMonthActivity)
                                        .where(RepMonthActivity.records > 0))}


# --- Figures as of a day --------------------------------------------------------------------

def weekly(raw: Raw, rep_ids, as_of: dt.date, until_week: int | None = None) -> dict:
    """rep -> type -> tenure week -> quantity of the records from the start date to as_of;
    weeks whose quantity is 0 are left out (a figure of 0 and no figure read the same)."""
    result: dict = {}
    for rep_id in rep_ids:
        start_on = raw.members[rep_id].start_on
        for record in raw.counted(rep_id, as_of):
            week = metrics.tenure_week(start_on, record.occurred_on)
            if until_week is None or week <= until_week:
                by_week = result.setdefault(rep_id, {}).setdefault(record.type, {})
                by_week[week] = by_week.get(week, 0) + record.quantity
    return without_zeros(result)


def without_zeros(nested: dict) -> dict:
    """rep -> type -> week -> quantity without the zero quantities (and emptied levels)."""
    result = {}
    for rep_id, kinds in nested.items():
        kept = {kind: {week: q for week, q in weeks.items() if q}
                for kind, weeks in kinds.items()}
        kept = {kind: weeks for kind, weeks in kept.items() if weeks}
        if kept:
            result[rep_id] = kept
    return result


def bookings(raw: Raw, rep_ids, as_of: dt.date) -> dict[tuple[int, dt.date], float]:
    """(rep, month) -> won amount from the start date to as_of; zero months left out."""
    result: dict = {}
    for rep_id in rep_ids:
        for record in raw.counted(rep_id, as_of):
            if record.type == engine.BOOKING_TYPE:
                key = (rep_id, record.occurred_on.replace(day=1))
                result[key] = result.get(key, 0.0) + bounded(record.amount)
    return {key: amount for key, amount in result.items() if amount}


def quotas(raw: Raw, rep_ids, as_of: dt.date) -> dict[int, dict[dt.date, float]]:
    result = {}
    for rep_id in rep_ids:
        months = {month: amount for month, amount in raw.quotas.get(rep_id, {}).items()
                  if month <= as_of}
        if months:
            result[rep_id] = months
    return result


def achievements(raw: Raw, today: dt.date) -> dict[tuple[int, int], dt.date]:
    """(rep, milestone) -> the day the engine says each rep in a cohort reached each milestone
    of their track, over the raw rows, as of `today`."""
    result = {}
    for rep_id, member in raw.members.items():
        facts = raw.rep_facts(rep_id)
        for milestone_id, _slug, measure in raw.milestones.get(member.track_id, ()):
            reached = engine.achieved_on(measure, facts, today)
            if reached is not None:
                result[(rep_id, milestone_id)] = reached
    return result


def stored_achievements(rep_ids) -> dict[tuple[int, int], dt.date]:
    rep_ids = set(rep_ids)
    return {(a.user_id, a.milestone_id): a.achieved_on
            for a in db.session.scalars(select(Achievement)) if a.user_id in rep_ids}


def cohort_report(raw: Raw, cohort_id: int, as_of: dt.date,
                  reached: dict[tuple[int, int], dt.date]) -> dict:
    """The ramp JSON of a cohort (docs/formats.md) from raw bookings and quotas and the given
    achievements (those on or before as_of count), by the pure metrics alone."""
    info = raw.cohorts[cohort_id]
    members = sorted(rep_id for rep_id, m in raw.members.items() if m.cohort_id == cohort_id)
    started = [rep_id for rep_id in members if raw.members[rep_id].start_on <= as_of]
    milestones = raw.milestones.get(info.track_id, [])

    def outcomes(milestone_id):
        outs = []
        for rep_id in started:
            member = raw.members[rep_id]
            day = reached.get((rep_id, milestone_id))
            outs.append(metrics.RepOutcome(member.start_on, member.end_on,
                                           day if day is not None and day <= as_of else None))
        return outs

    productivity = next((mid for mid, slug, _ in milestones if slug == info.productivity), None)
    summary = metrics.cohort_summary(outcomes(productivity), as_of)
    entries = []
    for milestone_id, slug, _measure in milestones:
        observed = [o for o in (metrics.time_to_productivity(out, as_of)
                                for out in outcomes(milestone_id)) if o is not None]
        entries.append({"slug": slug, "achieved": sum(1 for o in observed if o.event),
                        "median_days": metrics.median_days(metrics.kaplan_meier(observed))})
    booked = bookings(raw, members, as_of)
    points = []
    for rep_id in members:
        start_on = raw.members[rep_id].start_on
        for month, amount in sorted(quotas(raw, [rep_id], as_of).get(rep_id, {}).items()):
            if amount and month >= start_on.replace(day=1):
                points.append((metrics.tenure_month(start_on, month),
                               booked.get((rep_id, month), 0.0) / amount))
    return {"cohort": info.name, "as_of": as_of.isoformat(), "track": info.track_slug,
            "reps": summary.reps, "productive": summary.productive, "censored": summary.censored,
            "median_days_to_productivity": summary.median_days_to_productivity,
            "pct_productive_by_day": summary.pct_productive_by_day,
            "milestones": entries, "ramp_curve": metrics.ramp_curve(points)}


def rep_attainment(raw: Raw, rep_id: int, as_of: dt.date) -> list[dict]:
    """Month by month for one rep: quota, bookings and attainment, as reports.rep_attainment
    lays it out."""
    start_on = raw.members[rep_id].start_on
    rep_quotas = quotas(raw, [rep_id], as_of).get(rep_id, {})
    booked: dict[dt.date, float] = {}
    for record in raw.counted(rep_id, as_of):
        if record.type == engine.BOOKING_TYPE:
            month = record.occurred_on.replace(day=1)
            booked[month] = booked.get(month, 0.0) + bounded(record.amount)
    rows = []
    for month in sorted({m for m in rep_quotas if m >= start_on.replace(day=1)} | set(booked)):
        quota = rep_quotas.get(month)
        amount = booked.get(month, 0.0)
        rows.append({"month": metrics.tenure_month(start_on, month), "calendar": month,
                     "quota": quota, "bookings": amount,
                     "attainment": amount / quota if quota else None})
    return rows
