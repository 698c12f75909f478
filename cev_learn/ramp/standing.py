"""Where each rep stands: their work (the track's schedule and a coach's assignments) and their
milestones, measured as the ramp measures them (the engine, the CRM facts, the stored
achievements); the rep's week, the coach's reps, a rep's page and who needs help now.

Every function costs a fixed number of statements however many reps or items there are:
work is loaded per track and per set of reps with IN/GROUP BY, never per rep.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sqlalchemy import Date, case, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from cev_learn.accounts.models import User
from cev_learn.cohorts.access import visible_cohorts
from cev_learn.cohorts.models import Assignment, AssignmentKind, Cohort, Membership, Signoff
from cev_learn.cohorts.queries import current_memberships
from cev_learn.cohorts.schedule import (Standing, WorkItem, at_risk_horizon, due_on, is_overdue,
                                        milestone_standing, rep_standing, tenure_day)
from cev_learn.content.models import Milestone, Module, ModuleProgress, Quiz
from cev_learn.content.track_data import TrackData, track_data
from cev_learn.platform.db import column_rows, db
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp import engine, facts
from cev_learn.ramp.models import Achievement, Quota

INACTIVE_AFTER = dt.timedelta(days=7)


@dataclass
class RepProgress:
    """What one rep has done, gathered for many reps at once."""

    modules_done: dict[int, dt.date] = field(default_factory=dict)     # module id -> date
    quizzes_passed: dict[int, dt.date] = field(default_factory=dict)   # quiz id -> date
    # graded attempts: (quiz id, day submitted, score)
    quiz_results: list[tuple[int, dt.date, float]] = field(default_factory=list)
    signoffs_passed: dict[int, dt.date] = field(default_factory=dict)  # rubric id -> date
    assignments: list[Assignment] = field(default_factory=list)
    waiting_grading: int = 0
    achieved: dict[int, dt.date] = field(default_factory=dict)  # milestone id -> stored date
    achieved_by: dict[int, str] = field(default_factory=dict)  # milestone id -> its source
    # CRM data: monthly sums (type, month, quantity, amount) from the start date, and quotas
    crm_months: list[tuple[str, dt.date, int, float]] = field(default_factory=list)
    quotas: dict[dt.date, float] = field(default_factory=dict)

    @property
    def has_crm_data(self) -> bool:
        return bool(self.crm_months or self.quotas)


@dataclass(frozen=True)
class MilestoneLine:
    milestone: Milestone
    due_on: dt.date
    standing: Standing | None  # None: measured from CRM data, not imported yet
    achieved_on: dt.date | None
    progress: float | None
    source: str | None = None  # who dated the achievement: auto | coach | import | api


@dataclass(frozen=True)
class RepSummary:
    rep: User
    membership: Membership
    start_on: dt.date
    tenure: int
    items: list[WorkItem]
    milestones: list[MilestoneLine]
    standing: Standing
    overdue: int
    waiting_grading: int
    inactive: bool
    track_data: "TrackData | None" = None

    @property
    def signoffs_to_do(self) -> list[MilestoneLine]:
        return [m for m in self.milestones
                if "signoff" in m.milestone.measure and m.achieved_on is None]

    @property
    def next_milestone(self) -> MilestoneLine | None:
        open_ones = [m for m in self.milestones if m.achieved_on is None]
        return min(open_ones, key=lambda m: m.due_on) if open_ones else None


def rep_progress(rep_ids: list[int]) -> dict[int, RepProgress]:
    """Completions, quiz results, sign-offs, assignments, achievements and CRM data of many
    reps: four statements."""
    progress = defaultdict(RepProgress)
    if not rep_ids:
        return progress
    _add_done(progress, rep_ids)
    for assignment in db.session.scalars(
            select(Assignment).options(joinedload(Assignment.module).joinedload(Module.track),
                                       joinedload(Assignment.quiz).joinedload(Quiz.track))
            .where(Assignment.user_id.in_(rep_ids)).order_by(Assignment.due_on)):
        progress[assignment.user_id].assignments.append(assignment)
    _add_crm_data(progress, rep_ids)
    return progress


def _add_done(progress: dict[int, RepProgress], rep_ids) -> None:
    """Finished modules, sign-offs, stored achievements and submitted attempts of some reps
    (a list or a subquery of ids): two statements."""
    for kind, user_id, item_id, on, source in column_rows(_dated_facts(rep_ids)):
        getattr(progress[user_id], kind)[item_id] = on
        if source is not None:
            progress[user_id].achieved_by[item_id] = source
    for user_id, quiz_id, state, score, passed, submitted in column_rows(
            select(Attempt.user_id, Attempt.quiz_id, Attempt.state, Attempt.score,
                   Attempt.passed, Attempt.submitted_at)
            .where(Attempt.user_id.in_(rep_ids), Attempt.state != AttemptState.IN_PROGRESS)):
        _add_attempt(progress[user_id], quiz_id, state, score, passed, _as_date(submitted))


def _add_attempt(progress: RepProgress, quiz_id: int, state: AttemptState, score: float,
                 passed: bool | None, submitted_on: dt.date) -> None:
    """Count one submitted attempt: waiting for a coach, or graded (and maybe passed)."""
    if state is AttemptState.NEEDS_GRADING:
        progress.waiting_grading += 1
        return
    progress.quiz_results.append((quiz_id, submitted_on, score))
    first_pass = progress.quizzes_passed.get(quiz_id)
    if passed and (first_pass is None or submitted_on < first_pass):
        progress.quizzes_passed[quiz_id] = submitted_on


def _dated_facts(rep_ids: list[int]):
    """(RepProgress field, rep, item, date, source) of finished modules, passed sign-offs and
    stored achievements (the only ones with a source), in one statement: dates on every
    database (the first SELECT's column is a Date, so SQLite's text is read as one)."""
    return union_all(
        select(literal_column("'modules_done'"), ModuleProgress.user_id,
               ModuleProgress.module_id, func.date(ModuleProgress.completed_at, type_=Date),
               null())
        .where(ModuleProgress.user_id.in_(rep_ids), ModuleProgress.completed_at.is_not(None)),
        select(literal_column("'signoffs_passed'"), Signoff.user_id, Signoff.rubric_id,
               func.min(Signoff.signed_on), null())
        .where(Signoff.user_id.in_(rep_ids), Signoff.passed.is_(True))
        .group_by(Signoff.user_id, Signoff.rubric_id),
        select(literal_column("'achieved'"), Achievement.user_id, Achievement.milestone_id,
               Achievement.achieved_on, Achievement.source)
        .where(Achievement.user_id.in_(rep_ids)))


def _add_crm_data(progress: dict[int, RepProgress], rep_ids: list[int]) -> None:
    """Monthly activity sums from each rep's start date (the ramp facts), and quotas: one
    statement."""
    activity = facts.monthly(rep_ids).subquery()
    for user_id, kind, month, quantity, amount in column_rows(union_all(
            select(activity.c.user_id, activity.c.type, activity.c.month, activity.c.quantity,
                   activity.c.amount),
            select(Quota.user_id, null(), Quota.month, null(), Quota.amount)
            .where(Quota.user_id.in_(rep_ids)))):
        if kind is None:
            progress[user_id].quotas[month] = amount
        else:
            progress[user_id].crm_months.append((kind, month, quantity, amount))


def _as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def summarise(membership: Membership, data: TrackData, progress: RepProgress,
              today: dt.date) -> RepSummary:
    """Everything about one rep's standing, from data already loaded (no statements)."""
    start = membership.effective_start_on
    items = _work_items(data, progress, start)
    tenure = tenure_day(start, today)
    measured = _engine_facts(data, progress, start)
    milestones = [_milestone_line(m, progress, measured, start, today)
                  for m in data.milestones]
    overdue = sum(1 for i in items if i.overdue(today))
    last_login = membership.user.last_login_at
    inactive = last_login is None or last_login.date() < today - INACTIVE_AFTER
    return RepSummary(membership.user, membership, start, tenure, items, milestones,
                      rep_standing(overdue, [m.standing for m in milestones]), overdue,
                      progress.waiting_grading, inactive, data)


def _done_on(progress: RepProgress, kind: str, item_id: int) -> dt.date | None:
    """When the rep finished a module or passed a quiz (None: not yet)."""
    return (progress.modules_done if kind == "module" else progress.quizzes_passed).get(item_id)


def _work_items(data: TrackData, progress: RepProgress, start: dt.date) -> list[WorkItem]:
    items = [WorkItem(kind, "track", title, due_on(start, due_day),
                      _done_on(progress, kind, item_id), dict(target))
             for kind, title, due_day, item_id, target in data.work]
    for assignment in progress.assignments:
        items.append(_assignment_item(assignment, progress))
    return items


def _assignment_item(assignment: Assignment, progress: RepProgress) -> WorkItem:
    if assignment.kind is AssignmentKind.MODULE:
        module = assignment.module
        return WorkItem("module", "assignment", module.title, assignment.due_on,
                        _done_on(progress, "module", module.id),
                        {"track": module.track.slug, "module": module.slug}, assignment.note)
    quiz = assignment.quiz
    return WorkItem("quiz", "assignment", quiz.title, assignment.due_on,
                    _done_on(progress, "quiz", quiz.id),
                    {"track": quiz.track.slug, "quiz": quiz.slug}, assignment.note)


def _engine_facts(data: TrackData, progress: RepProgress, start: dt.date) -> engine.RepFacts:
    """What the milestone engine measures a rep's milestones on the track from, as
    `rep_progress` loaded it (no statements)."""
    modules, quizzes, rubrics = data.module_slugs, data.quiz_slugs, data.rubric_slugs
    return replace(
        engine.facts_from_months(start, progress.crm_months, progress.quotas),
        quiz_attempts=[engine.QuizResult(quizzes[quiz_id], on, score)
                       for quiz_id, on, score in progress.quiz_results if quiz_id in quizzes],
        modules_completed={modules[module_id]: on
                           for module_id, on in progress.modules_done.items()
                           if module_id in modules},
        all_module_slugs=list(data.modules),
        signoffs=[engine.SignoffResult(rubrics[rubric_id], on, True)
                  for rubric_id, on in progress.signoffs_passed.items() if rubric_id in rubrics])


CRM_MEASURES = frozenset({"activity", "bookings", "attainment"})


def _milestone_line(milestone: Milestone, progress: RepProgress, measured: engine.RepFacts,
                    start: dt.date, today: dt.date) -> MilestoneLine:
    """The day reached is the stored achievement (every write keeps it current, a coach's
    correction included); progress towards one not reached yet is the engine's, as of today."""
    achieved_on = progress.achieved.get(milestone.id)
    if achieved_on is not None:
        fraction = 1.0
    elif (engine.measure_kind(milestone.measure) in CRM_MEASURES
          and not progress.has_crm_data):
        fraction = None  # measured from CRM data, and none imported yet
    else:
        value, target = engine.progress(milestone.measure, measured, today)
        fraction = min(value / target, 1.0) if target else 0.0
    # Milestones measured from CRM data get a standing once ramp data exists, not before.
    standing = None if fraction is None and achieved_on is None else milestone_standing(
        achieved=achieved_on is not None, progress=fraction, due_day=milestone.due_day,
        tenure=tenure_day(start, today))
    return MilestoneLine(milestone, start + dt.timedelta(days=milestone.due_day), standing,
                         achieved_on, fraction, progress.achieved_by.get(milestone.id))


def rep_summary(rep: User, today: dt.date,
                memberships: list[Membership] | None = None) -> RepSummary | None:
    """Where the rep stands today; `memberships`: their current ones, when already read."""
    if memberships is None:
        memberships = current_memberships(rep_ids=[rep.id])
    if not memberships:
        return None
    membership = memberships[0]
    data = track_data([membership.cohort.track])[membership.cohort.track_id]
    return summarise(membership, data, rep_progress([rep.id])[rep.id], today)


def summaries(memberships: list[Membership], today: dt.date, *,
              onboarding_only: bool = False) -> list[RepSummary]:
    """Summaries of the reps still with the company, from loaded memberships (with their
    cohort and user): a fixed number of statements for any number of reps. With
    `onboarding_only`, only reps still inside their track's onboarding window."""
    staying = [m for m in memberships if m.end_on is None or m.end_on >= today]
    if not staying:
        return []
    data = track_data({m.cohort.track for m in staying})
    if onboarding_only:
        staying = [m for m in staying
                   if tenure_day(m.effective_start_on, today)
                   <= data[m.cohort.track_id].onboarding_days]
        if not staying:
            return []
    progress = rep_progress([m.user_id for m in staying])
    return [summarise(m, data[m.cohort.track_id], progress[m.user_id], today) for m in staying]


class HelpNeeded(NamedTuple):
    """A rep behind or at risk today, as the ramp dashboard lists them (plain values: the
    dashboard caches them, hundreds at a time)."""

    rep_id: int
    rep_name: str
    cohort_id: int
    cohort_name: str
    standing: Standing
    tenure: int
    overdue: int
    next_slug: str | None   # their next milestone: the open one due first
    next_title: str | None
    next_due: dt.date | None


def needing_help(cohorts: list[Cohort], today: dt.date) -> list[HelpNeeded]:
    """The onboarding reps of some cohorts who are behind or at risk today, each with the
    standing `summarise` gives them, in a fixed number of statements. Overdue work or a
    milestone past its due day makes a rep behind whatever their progress, so CRM data is read
    and the engine run only for the other reps."""
    if not cohorts:
        return []
    tracks = track_data({c.track for c in cohorts})
    reps = column_rows(select(
        Membership.user_id, User.name, Membership.cohort_id, Cohort.name, Cohort.track_id,
        func.coalesce(Membership.start_on, Cohort.start_on, type_=Date))
        .join(User, User.id == Membership.user_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(*_onboarding(cohorts, tracks, today)))
    if not reps:
        return []
    onboarding = select(Membership.user_id).join(Cohort, Cohort.id == Membership.cohort_id).where(
        *_onboarding(cohorts, tracks, today))
    progress = defaultdict(RepProgress)
    _add_done(progress, onboarding)
    dues = defaultdict(list)  # rep -> (due day, done day) of their assignments
    for user_id, kind, module_id, quiz_id, due in column_rows(
            select(Assignment.user_id, Assignment.kind, Assignment.module_id, Assignment.quiz_id,
                   Assignment.due_on).where(Assignment.user_id.in_(onboarding))):
        done = _done_on(progress[user_id], kind.value, module_id or quiz_id)
        dues[user_id].append((due, done))
    found, measured_later = [], []
    # Past due without CRM data to measure: behind (one measured from CRM data has no
    # standing until some is imported, so it waits for the rep's data below).
    not_crm = {track_id: [m for m in data.milestones
                          if engine.measure_kind(m.measure) not in CRM_MEASURES]
               for track_id, data in tracks.items()}
    for user_id, name, cohort_id, cohort_name, track_id, start in reps:
        data, rep = tracks[track_id], progress[user_id]
        tenure = tenure_day(start, today)
        overdue = _overdue_track_work(data, rep, tenure)
        overdue += sum(1 for due, done in dues[user_id] if is_overdue(due, done, today))
        past_due = any(milestone_standing(achieved=False, progress=None, due_day=m.due_day,
                                          tenure=tenure) is Standing.BEHIND
                       for m in not_crm[track_id]
                       if m.id not in rep.achieved and tenure > m.due_day)
        row = (user_id, name, cohort_id, cohort_name, data, start, tenure, overdue)
        if overdue or past_due:
            found.append(_help_needed(row, Standing.BEHIND, rep.achieved))
        elif any(m.id not in rep.achieved and _may_need_help(m.due_day, tenure)
                 for m in data.milestones):
            measured_later.append(row)
    if measured_later:
        _add_crm_data(progress, [row[0] for row in measured_later])
    for row in measured_later:
        user_id, _, _, _, data, start, tenure, overdue = row
        rep = progress[user_id]
        open_ones = [m for m in data.milestones if m.id not in rep.achieved]
        measured = _engine_facts(data, rep, start) if open_ones else None
        # Nothing overdue: by `rep_standing`, behind when a milestone is (one measured from
        # CRM data, past due), else at risk as soon as one milestone is, else on track.
        standings = {_milestone_line(m, rep, measured, start, today).standing
                     for m in open_ones}
        for worst in (Standing.BEHIND, Standing.AT_RISK):
            if worst in standings:
                found.append(_help_needed(row, worst, rep.achieved))
                break
    return found


def _may_need_help(due_day: int, tenure: int) -> bool:
    """Whether an open milestone can be behind or at risk on tenure day `tenure` whatever the
    rep's progress (`milestone_status`): past its due day, or near it (`at_risk_horizon`).
    Earlier it is on track or not started yet, so its progress need not be measured."""
    return due_day - tenure <= at_risk_horizon(due_day)


def _overdue_track_work(data: TrackData, progress: RepProgress, tenure: int) -> int:
    """How many of the track's modules and quizzes are overdue (`is_overdue`) on tenure day
    `tenure`: not done, and due on an earlier day (start + due day < today is due day <
    tenure)."""
    done_on = {"module": progress.modules_done, "quiz": progress.quizzes_passed}  # `_done_on`
    overdue = 0
    for due_day, kind, item_id in data.dated_work:
        if due_day >= tenure:
            break
        if done_on[kind].get(item_id) is None:
            overdue += 1
    return overdue


def _onboarding(cohorts: list[Cohort], tracks: dict[int, TrackData], today: dt.date) -> tuple:
    """Conditions on Membership and Cohort naming the reps of some cohorts still with the
    company and inside their track's onboarding window today (tenure day up to the track's
    `onboarding_days`, as in `summaries`)."""
    earliest_start = {track_id: today - dt.timedelta(days=data.onboarding_days)
                      for track_id, data in tracks.items()}
    return (Membership.cohort_id.in_([c.id for c in cohorts]), Membership.moved_out_at.is_(None),
            or_(Membership.end_on.is_(None), Membership.end_on >= today),
            func.coalesce(Membership.start_on, Cohort.start_on, type_=Date)
            >= case(earliest_start, value=Cohort.track_id, else_=None))


def _help_needed(row: tuple, standing: Standing, achieved: dict[int, dt.date]) -> HelpNeeded:
    user_id, name, cohort_id, cohort_name, data, start, tenure, overdue = row
    # The open one due first: milestones are listed by due day (then slug).
    nxt = next((m for m in data.milestones if m.id not in achieved), None)
    return HelpNeeded(user_id, name, cohort_id, cohort_name, standing, tenure, overdue,
                      nxt.slug if nxt else None, nxt.title if nxt else None,
                      start + dt.timedelta(days=nxt.due_day) if nxt else None)


@dataclass(frozen=True)
class CohortGroup:
    cohort: Cohort
    reps: list[RepSummary]


@dataclass(frozen=True)
class CoachCohorts:
    onboarding: list[CohortGroup]  # cohorts with reps still onboarding, newest first
    finished: list[Cohort]         # cohorts whose reps are all past onboarding


def coach_groups(viewer: User, today: dt.date) -> CoachCohorts:
    """The viewer's cohorts with every rep still onboarding summarised, neediest first; the
    cohorts whose reps have all finished onboarding, by name only."""
    cohorts = list(db.session.scalars(visible_cohorts(viewer).order_by(Cohort.start_on.desc())))
    memberships = current_memberships(cohort_ids=[c.id for c in cohorts]) if cohorts else []
    by_cohort = defaultdict(list)
    for summary in summaries(memberships, today, onboarding_only=True):
        by_cohort[summary.membership.cohort_id].append(summary)
    with_members = {m.cohort_id for m in memberships}
    onboarding = [CohortGroup(c, sorted(by_cohort[c.id], key=lambda s: (
        -s.standing.rank, -s.overdue, s.rep.name)))
        for c in cohorts if by_cohort[c.id] or c.id not in with_members]
    return CoachCohorts(onboarding, [c for c in cohorts
                                     if c.id in with_members and not by_cohort[c.id]])
