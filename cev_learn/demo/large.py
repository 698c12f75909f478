"""A large demo organisation: `cev-learn demo seed --reps N --cohorts M` builds three years of
cohorts in bulk.

The plan (who joins which cohort, who struggles, who left) is pure; every rep's data comes
from the rep's own generators (`demo.crm.rep_random`), so the same seed and the same day give
the same rows however they are chunked. Rows go in with bulk inserts. Achievements are worked
out with the milestone engine from the facts as they are generated (reading two million
records back would take longer than writing them): they are the rows `ramp.facts.refresh_reps`
stores.

CRM activity is kept as a connected CRM would send it for onboarding: calls, emails, meetings
and demos of each rep's first 26 weeks (the weeks the ramp pages chart), opportunities, won
deals and quotas for the whole tenure (so bookings, attainment and the quota streak hold).
"""
import datetime as dt
import math
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click
from sqlalchemy import insert, select

from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import hash_password
from cev_learn.cohorts.coaching import signoff_score
from cev_learn.cohorts.models import (Assignment, AssignmentKind, CoachingNote, Cohort,
                                      CohortCoach, Membership, Signoff)
from cev_learn.content.models import Milestone, Rubric, Track
from cev_learn.demo import (ALUMNI_FIRST_NAMES, ALUMNI_LAST_NAMES, DEMO_DOMAIN, DEMO_PASSWORD,
                            FIRST_NAMES, LAST_NAMES, TERRITORIES, DemoPerson, demo_people,
                            first_track, territory_zone)
from cev_learn.demo.crm import activity_rows, quota_rows, rep_profile, rep_random
from cev_learn.demo.boosters import seed_boosters
from cev_learn.demo.progress import TrackWork, answer_like, rep_work
from cev_learn.platform.db import db, no_cyclic_gc, refresh_statistics
from cev_learn.quizzes.models import AttemptState
from cev_learn.ramp import engine, facts
from cev_learn.ramp.achievements import AUTO
from cev_learn.ramp.models import Achievement, ActivityRecord, Quota

SPAN_DAYS = 3 * 365
COHORTS_PER_COACH = 5
LARGE_TERRITORIES = TERRITORIES + ("UK & Ireland", "Benelux", "Nordics")
# The typical rep's days to a first deal, in the oldest and the newest cohort: onboarding
# got faster over the three years.
OLDEST_MEDIAN_TTP, NEWEST_MEDIAN_TTP = 150, 46
DETAIL_DAYS = 26 * 7
WHOLE_TENURE_TYPES = frozenset({"opportunity", "deal_won"})
LEAVER_SHARE, LEAVES_AFTER = 0.4, (60, 900)  # reps who leave, some day in that range
KIND_SHARES = (("struggling", 0.05), ("slipping", 0.08), ("never", 0.03))  # others typical
RAMPING_DAYS = 90  # a cohort this young gets its coach's notes and an assignment
BOOSTED_DAYS = 120  # a cohort this young has boosters (answered and due)
CHUNK = 10_000
SQLITE_CACHE_KIB = 256 * 1024
# Progress bar steps per rep in each phase, roughly in proportion to the time they take.
PHASES = {"people": 1, "cohorts": 1, "reading and quizzes": 4, "CRM activity": 12,
          "ramp facts": 3, "achievements": 1}


@dataclass(frozen=True)
class RepPlan:
    key: str                # the email's local part; it also names the rep's generators
    name: str
    start_on: dt.date
    end_on: dt.date | None  # left the company
    kind: str               # see demo.crm.rep_profile
    diligence: float        # share of the scheduled reading and quizzes done

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class CohortPlan:
    name: str
    start_on: dt.date
    territory: str
    coach_email: str
    median_ttp: int
    reps: tuple[RepPlan, ...]


def check_scale(reps: int, cohorts: int) -> None:
    """Refuse more cohorts than reps to fill them (before anything is written)."""
    if cohorts > reps:
        raise click.BadParameter(f"{cohorts} is more than --reps ({reps}): every cohort needs "
                                 f"a rep", param_hint="'--cohorts'")


def large_plan(reps: int, cohorts: int, seed: int,
               today: dt.date) -> tuple[list[DemoPerson], list[CohortPlan]]:
    """The staff, and cohorts over the three years before today (oldest first) with the reps
    split evenly; numbering starts in the newest cohort, so rep0001 is still ramping."""
    names = _names(seed)
    coach_count = math.ceil(cohorts / COHORTS_PER_COACH)
    width = max(2, len(str(coach_count)))
    coaches = [DemoPerson(f"coach{n:0{width}d}@{DEMO_DOMAIN}", names[-n], Role.COACH,
                          LARGE_TERRITORIES[(n - 1) % len(LARGE_TERRITORIES)])
               for n in range(1, coach_count + 1)]
    staff = [p for p in demo_people(0, seed, today) if p.role in (Role.ADMIN, Role.MANAGER)]
    rep_width, number_width = max(4, len(str(reps))), max(3, len(str(cohorts)))
    plans, next_rep = [], 1
    for age_rank in range(cohorts):  # 0: the newest
        number = cohorts - age_rank  # 1: the oldest
        start = today - dt.timedelta(days=round(SPAN_DAYS * (age_rank + 1) / cohorts))
        start -= dt.timedelta(days=start.weekday())  # cohorts start on a Monday
        coach = coaches[age_rank % coach_count]  # each coach has a young cohort and older ones
        trend = (number - 1) / (cohorts - 1) if cohorts > 1 else 1.0
        median = (OLDEST_MEDIAN_TTP + (NEWEST_MEDIAN_TTP - OLDEST_MEDIAN_TTP) * trend) * \
            random.Random(f"demo-large:{seed}:cohort:{number}").uniform(0.92, 1.08)
        size = reps // cohorts + (age_rank < reps % cohorts)
        members = tuple(_rep_plan(seed, f"rep{n:0{rep_width}d}", names[(n - 1) % len(names)],
                                  start, today) for n in range(next_rep, next_rep + size))
        next_rep += size
        plans.append(CohortPlan(f"AEs #{number:0{number_width}d} · {start:%d %b %Y} · "
                                f"{coach.territory}", start, coach.territory, coach.email,
                                round(median), members))
    return staff + coaches, plans[::-1]


def _names(seed: int) -> list[str]:
    names = [f"{first} {initial}. {last}" for first in FIRST_NAMES + ALUMNI_FIRST_NAMES
             for initial in "ABCDEFGHJKLMNPRSTW" for last in LAST_NAMES + ALUMNI_LAST_NAMES]
    random.Random(f"demo-large-names:{seed}").shuffle(names)
    return names


def _rep_plan(seed: int, key: str, name: str, cohort_start: dt.date, today: dt.date) -> RepPlan:
    rng = rep_random(seed, key, "plan")
    start_on = min(today, cohort_start + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2))))
    leaves_on = start_on + dt.timedelta(days=rng.randint(*LEAVES_AFTER))
    end_on = leaves_on if rng.random() < LEAVER_SHARE and leaves_on < today else None
    draw, kind = rng.random(), "typical"
    for candidate, share in KIND_SHARES:
        if draw < share:
            kind = candidate
            break
        draw -= share
    if end_on and kind == "typical" and rng.random() < 0.3:
        kind = "never"  # leavers often never got a deal
    diligence = {"struggling": 0.5, "slipping": 0.75}.get(kind) or rng.choice((0.9, 1.0, 1.0))
    return RepPlan(key, name, start_on, end_on, kind, diligence)


# --- Writing --------------------------------------------------------------------------------

@dataclass
class LargeSummary:
    cohorts: int = 0
    reps: int = 0
    leavers: int = 0
    module_progress: int = 0
    attempts: int = 0
    answers: int = 0
    signoffs: int = 0
    activities: int = 0
    quotas: int = 0
    achievements: int = 0
    coaches: int = 0

    def lines(self) -> list[str]:
        return [f"{self.cohorts} cohorts, {self.reps} reps ({self.leavers} left), "
                f"{self.coaches} coaches",
                f"{self.module_progress} module progress rows, {self.attempts} quiz attempts "
                f"({self.answers} answers), {self.signoffs} sign-offs",
                f"{self.activities} CRM activities, {self.quotas} monthly quotas, "
                f"{self.achievements} achievements"]


@dataclass
class _Learning:
    """What a rep read and passed, as the milestone engine sees it."""

    modules: dict[str, dt.date] = field(default_factory=dict)
    quizzes: list[engine.QuizResult] = field(default_factory=list)
    signoffs: list[engine.SignoffResult] = field(default_factory=list)


class Progress:
    """Steps through the phases, drawn as a bar on stderr when it is a terminal."""

    def __init__(self, bar=None):
        self.bar, self.weight = bar, 0

    def phase(self, name: str) -> None:
        self.weight = PHASES[name]
        if self.bar is not None:
            self.bar.label = _label(name)
            self.bar.render_progress()

    def advance(self, reps: int) -> None:
        if self.bar is not None:
            self.bar.update(reps * self.weight)


@contextmanager
def _progress(reps: int) -> Iterator[Progress]:
    """A progress bar on a terminal; silent in a pipe."""
    if not sys.stderr.isatty():
        yield Progress()
        return
    with click.progressbar(length=reps * sum(PHASES.values()), file=sys.stderr,
                           label=_label(next(iter(PHASES)))) as bar:
        yield Progress(bar)


def _label(phase: str) -> str:
    return phase.ljust(max(map(len, PHASES)))


def seed_large_command(*, reps: int, cohorts: int, seed: int, hash_method: str) -> None:
    """Build the large organisation, commit it and print what was made."""
    started = time.monotonic()
    track = first_track()
    if track is None:
        raise click.ClickException("no track for the cohorts: run `cev-learn content sync` first")
    today = dt.date.today()
    staff, plan = large_plan(reps, cohorts, seed, today)
    with no_cyclic_gc(), _roomy_sqlite_cache(), _progress(reps) as progress:
        summary = seed_large(staff, plan, track=track, today=today, seed=seed,
                             hash_method=hash_method, progress=progress)
    db.session.commit()
    refresh_statistics()
    click.echo(f"Demo organisation created in {time.monotonic() - started:.0f} s. "
               f"Every account's password is: {DEMO_PASSWORD}")
    for line in summary.lines():
        click.echo(f"  {line}")
    newest = plan[-1]
    for role, email in (("admin", staff[0].email), ("manager", staff[1].email),
                        ("coach", newest.coach_email), ("rep", newest.reps[0].email)):
        click.echo(f"  {role:<8} {email}")


@contextmanager
def _roomy_sqlite_cache() -> Iterator[None]:
    """Give SQLite a page cache the size of the demo for the inserts: with the default 2 MB,
    each insert into an index of millions of rows reads its pages again."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def seed_large(staff: list[DemoPerson], plan: list[CohortPlan], *, track: Track,
               today: dt.date, seed: int, hash_method: str,
               progress: Progress) -> LargeSummary:
    """Write the people, cohorts, reading, quizzes, CRM data and achievements of `plan`."""
    summary = LargeSummary(cohorts=len(plan),
                           coaches=sum(1 for p in staff if p.role is Role.COACH))
    progress.phase("people")
    users = _write_people(staff, plan, today, seed, hash_password(DEMO_PASSWORD, hash_method))
    summary.reps = sum(len(c.reps) for c in plan)
    summary.leavers = sum(1 for c in plan for r in c.reps if r.end_on)
    progress.advance(summary.reps)
    progress.phase("cohorts")
    _write_cohorts(plan, track, users)
    progress.advance(summary.reps)
    progress.phase("reading and quizzes")
    work = TrackWork.load(track)
    learned = _write_learning(plan, work, users, today, seed, summary, progress)
    progress.phase("CRM activity")
    reached = _write_crm(plan, work, users, learned, today, seed, summary, progress)
    progress.phase("ramp facts")
    facts.sum_activity()
    progress.advance(summary.reps)
    progress.phase("achievements")
    summary.achievements = _write_achievements(reached, today)
    progress.advance(summary.reps)
    db.session.flush()
    return summary


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _write_people(staff: list[DemoPerson], plan: list[CohortPlan], today: dt.date, seed: int,
                  password_hash: str) -> dict[str, User]:
    """Insert everyone with the shared password hash; return them by email."""
    hired = _at(plan[0].start_on - dt.timedelta(days=30), 9)
    rows = [{"email": p.email, "name": p.name, "role": p.role, "territory": p.territory,
             "time_zone": p.time_zone, "active": True, "password_hash": password_hash, "session_generation": 0,
             "start_on": None, "created_at": hired, "last_login_at": None} for p in staff]
    for cohort in plan:
        for rep in cohort.reps:
            rows.append({"email": rep.email, "name": rep.name, "role": Role.REP,
                         "territory": cohort.territory,
                         "time_zone": territory_zone(cohort.territory),
                         "active": rep.end_on is None,
                         "password_hash": password_hash, "session_generation": 0,
                         "start_on": rep.start_on,
                         "created_at": _at(rep.start_on - dt.timedelta(days=7), 9),
                         "last_login_at": _last_login(seed, rep, today)})
    _insert_in_chunks(User, rows)
    return {u.email: u for u in db.session.scalars(select(User))}


def _last_login(seed: int, rep: RepPlan, today: dt.date) -> dt.datetime | None:
    rng = rep_random(seed, rep.key, "login")
    if rep.end_on:
        return _at(rep.end_on - dt.timedelta(days=rng.randint(0, 4)), 8)
    return _at(today - dt.timedelta(days=rng.randint(0, 6)), 8) if rng.random() < 0.85 else None


def _write_cohorts(plan: list[CohortPlan], track: Track, users: dict[str, User]) -> None:
    """Insert the cohorts, their coaches and their members' memberships."""
    ids = db.session.scalars(insert(Cohort).returning(Cohort.id, sort_by_parameter_order=True), [
        {"name": c.name, "track_id": track.id, "start_on": c.start_on, "territory": c.territory,
         "created_at": _at(c.start_on - dt.timedelta(days=14), 9)} for c in plan]).all()
    _insert_in_chunks(CohortCoach, [{"cohort_id": cohort_id, "coach_id": users[c.coach_email].id}
                                    for cohort_id, c in zip(ids, plan, strict=True)])
    _insert_in_chunks(Membership, [
        {"cohort_id": cohort_id, "user_id": users[rep.email].id,
         "start_on": rep.start_on if rep.start_on != c.start_on else None,
         "end_on": rep.end_on, "joined_at": _at(c.start_on, 10), "moved_out_at": None}
        for cohort_id, c in zip(ids, plan, strict=True) for rep in c.reps])


def _write_learning(plan: list[CohortPlan], work: TrackWork, users: dict[str, User],
                    today: dt.date, seed: int, summary: LargeSummary,
                    progress: Progress) -> dict[int, _Learning]:
    """Reading, quiz attempts and sign-offs as the small demo makes them, cohort by cohort."""
    module_slugs = {m.id: slug for slug, m in work.modules.items()}
    quiz_slugs = {form.quiz.id: slug for slug, form in work.quizzes.items()}
    learned = {}
    for cohort in plan:
        coach, signoffs = users[cohort.coach_email], []
        for rep in cohort.reps:
            user = users[rep.email]
            readings, attempts = len(work.readings), len(work.attempts)
            last_day = min(today, rep.end_on or today)
            rep_work(user, work, rep.start_on, last_day, rep.diligence,
                      rep_random(seed, rep.key, "learning"), coach)
            learning = learned[user.id] = _Learning(
                {module_slugs[r["module_id"]]: r["completed_at"].date()
                 for r in work.readings[readings:]},
                [engine.QuizResult(quiz_slugs[a["quiz_id"]], a["submitted_at"].date(), a["score"])
                 for a in work.attempts[attempts:] if a["state"] is AttemptState.GRADED])
            if work.rubric and (last_day - rep.start_on).days > 28 and rep.diligence > 0.7:
                signoff = _signoff(seed, rep, user, coach, work.rubric)
                signoffs.append(signoff)
                learning.signoffs.append(engine.SignoffResult(
                    work.rubric.slug, signoff["signed_on"], signoff["passed"]))
        if (today - cohort.start_on).days <= BOOSTED_DAYS:  # boosters of reps onboarding now
            seed_boosters(work.readings, {m.id: m for m in work.modules.values()}, today,
                          random.Random(f"demo-boosters:{seed}:{cohort.start_on}"), answer_like)
        summary.module_progress += len(work.readings)
        summary.attempts += len(work.attempts)
        summary.answers += sum(map(len, work.answers))
        summary.signoffs += len(signoffs)
        work.write()
        _insert_in_chunks(Signoff, signoffs)
        progress.advance(len(cohort.reps))
    _write_coaching(plan, users, work, today)
    return learned


def _signoff(seed: int, rep: RepPlan, user: User, coach: User, rubric: Rubric) -> dict:
    """A sign-off row scored as `coaching.record_signoff` scores it."""
    rng = rep_random(seed, rep.key, "signoff")
    scores = [rng.choice((3, 4, 4, 5)) for _ in rubric.criteria]
    score, signed_on = signoff_score(scores), rep.start_on + dt.timedelta(days=rng.randint(20, 28))
    passed = score >= rubric.pass_mark - 1e-9
    return {"user_id": user.id, "rubric_id": rubric.id, "coach_id": coach.id, "scores": scores,
            "comments": ["" for _ in scores], "score": score, "passed": passed,
            "signed_on": signed_on, "created_at": _at(signed_on, 16)}


def _write_coaching(plan: list[CohortPlan], users: dict[str, User], work: TrackWork,
                    today: dt.date) -> None:
    """In each young cohort the coach has notes on the rep who needs most help, and work."""
    written, notes, assignments = _at(today - dt.timedelta(days=1), 15), [], []
    module = work.modules.get("objection-handling")
    for cohort in plan:
        staying = [r for r in cohort.reps if r.end_on is None]
        if (today - cohort.start_on).days > RAMPING_DAYS or not staying:
            continue
        rep = min(staying, key=lambda r: r.diligence)
        author, rep_id = users[cohort.coach_email].id, users[rep.email].id
        notes += [{"user_id": rep_id, "author_id": author, "shared": False, "created_at": written,
                   "body": "Behind on reading; agreed two 30-minute reading blocks a week."},
                  {"user_id": rep_id, "author_id": author, "shared": True, "created_at": written,
                   "body": "Good energy on calls. This week: finish the next module before "
                           "your discovery meetings."}]
        if module is not None:
            assignments.append({"user_id": rep_id, "kind": AssignmentKind.MODULE,
                                "module_id": module.id, "quiz_id": None,
                                "due_on": today + dt.timedelta(days=3), "assigned_by_id": author,
                                "note": "Read this before Thursday's call.",
                                "created_at": written})
    _insert_in_chunks(CoachingNote, notes)
    _insert_in_chunks(Assignment, assignments)


def _write_crm(plan: list[CohortPlan], work: TrackWork, users: dict[str, User],
               learned: dict[int, _Learning], today: dt.date, seed: int,
               summary: LargeSummary, progress: Progress) -> list[tuple[int, int, dt.date]]:
    """Insert activities and quotas rep by rep; return the (rep, milestone, day) reached."""
    milestones = list(db.session.scalars(select(Milestone).where(
        Milestone.track_id == work.track.id, Milestone.retired_at.is_(None))
        .order_by(Milestone.id)))
    module_slugs = list(work.modules)
    activities, quotas, reached = [], [], []
    for cohort in plan:
        for rep in cohort.reps:
            user_id, learning = users[rep.email].id, learned[users[rep.email].id]
            rows, months = _crm_rows(seed, rep, cohort.median_ttp, today)
            for row in rows:
                row["user_id"] = user_id
            activities += rows
            quotas += ({"user_id": user_id, "month": m, "amount": a} for m, a in months.items())
            facts = engine.RepFacts(
                start_on=rep.start_on, quotas=months, quiz_attempts=learning.quizzes,
                activities=[engine.Activity(r["external_id"], r["occurred_on"], r["type"],
                                            r["quantity"], r["amount"]) for r in rows],
                modules_completed=learning.modules, all_module_slugs=module_slugs,
                signoffs=learning.signoffs)
            reached += ((user_id, m.id, day) for m in milestones
                        if (day := engine.achieved_on(m.measure, facts, today)) is not None)
            if len(activities) >= CHUNK:
                summary.activities += _insert_in_chunks(ActivityRecord, activities)
                activities = []
            if len(quotas) >= CHUNK:
                summary.quotas += _insert_in_chunks(Quota, quotas)
                quotas = []
        progress.advance(len(cohort.reps))
    summary.activities += _insert_in_chunks(ActivityRecord, activities)
    summary.quotas += _insert_in_chunks(Quota, quotas)
    return reached


def _crm_rows(seed: int, rep: RepPlan, median_ttp: int,
              today: dt.date) -> tuple[list[dict], dict[dt.date, float]]:
    """The rep's activities as the CRM sends them (see the module's docstring), and quotas."""
    profile = rep_profile(rep_random(seed, rep.key, "profile"), rep.key, rep.start_on,
                          median_ttp=median_ttp, end_on=rep.end_on, kind=rep.kind)
    detail_until = rep.start_on + dt.timedelta(days=DETAIL_DAYS)
    rows = [row for row in activity_rows(rep_random(seed, rep.key, "activity"), profile, today)
            if row["occurred_on"] < detail_until or row["type"] in WHOLE_TENURE_TYPES]
    return rows, {row["month"]: row["amount"] for row in quota_rows(profile, today)}


def _write_achievements(reached: list[tuple[int, int, dt.date]], today: dt.date) -> int:
    """Store the reached milestones and their history as `ramp.facts.refresh_reps` would,
    stamped at the start of the day (not the clock) so a seed always gives the same rows."""
    stamp = _at(today, 0)
    _insert_in_chunks(Achievement, [
        {"user_id": user_id, "milestone_id": milestone_id, "achieved_on": day, "source": AUTO,
         "recorded_by_id": None, "note": None, "updated_at": stamp}
        for user_id, milestone_id, day in reached])
    return len(reached)  # their history: written by the database as they are


def _insert_in_chunks(model, rows: list[dict]) -> int:
    """Insert plain rows (a core executemany: the ORM's bulk path costs a third more)."""
    connection, statement = db.session.connection(), insert(model.__table__)
    for start in range(0, len(rows), CHUNK):
        connection.execute(statement, rows[start:start + CHUNK])
    return len(rows)
