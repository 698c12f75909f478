"""Reminder emails: a daily digest per rep with work overdue or due soon, a weekly digest per
coach naming reps who need help. Who gets what is worked out in plain Python from summaries
and the sent log; the service sends with one SMTP connection and logs each message it sent.
"""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cev_learn.accounts.models import User
from cev_learn.cohorts.models import CohortCoach, Membership, ReminderLog
from cev_learn.cohorts.queries import current_memberships
from cev_learn.cohorts.schedule import Standing, WorkItem
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import db
from cev_learn.platform import mail
from cev_learn.ramp.standing import RepSummary, rep_progress, summarise

REP_DIGEST = "rep_digest"
COACH_WEEKLY = "coach_weekly"
SOON_DAYS = 2  # "due soon": today or tomorrow
NEEDS_HELP = (Standing.AT_RISK, Standing.BEHIND)


def plural(count: int, word: str) -> str:
    return f"{count} {word if count == 1 else word + 's'}"


@dataclass(frozen=True)
class RepLine:
    """One rep in a coach's digest (plain values: safe to use after a commit)."""

    rep_id: int
    name: str
    standing: Standing
    overdue: int


@dataclass(frozen=True)
class RepDigest:
    user_id: int
    name: str
    email: str
    for_date: dt.date
    overdue: list[WorkItem]
    due_soon: list[WorkItem]
    time_zone: str | None = None  # the rep's: times in the email are written in it
    kind = REP_DIGEST
    template = "email/rep_digest"
    path = "/week"

    @property
    def subject(self) -> str:
        parts = ([f"{len(self.overdue)} overdue"] if self.overdue else []) + (
            [f"{len(self.due_soon)} due soon"] if self.due_soon else [])
        return "cev_learn: " + ", ".join(parts)


@dataclass(frozen=True)
class CoachDigest:
    user_id: int
    name: str
    email: str
    for_date: dt.date
    reps: list[RepLine]
    time_zone: str | None = None  # the coach's
    kind = COACH_WEEKLY
    template = "email/coach_weekly"
    path = "/coach"

    @property
    def subject(self) -> str:
        need = "needs" if len(self.reps) == 1 else "need"
        return f"cev_learn: {plural(len(self.reps), 'rep')} {need} attention this week"


Reminder = RepDigest | CoachDigest


def tally(reminders: list[Reminder]) -> str:
    """Like '5 reminders (3 rep digests, 2 coach digests)'."""
    reps = sum(1 for r in reminders if r.kind == REP_DIGEST)
    return (f"{plural(len(reminders), 'reminder')} ({plural(reps, 'rep digest')}, "
            f"{plural(len(reminders) - reps, 'coach digest')})")


@dataclass(frozen=True)
class Plan:
    due: list[Reminder]
    already_sent: int


def week_start(today: dt.date) -> dt.date:
    """The Monday of today's ISO week: a coach's digest is keyed by it."""
    return today - dt.timedelta(days=today.weekday())


def is_current_rep(membership: Membership, today: dt.date) -> bool:
    """Still in the cohort, not gone from the company, account not deactivated."""
    return (membership.moved_out_at is None and membership.user.active
            and (membership.end_on is None or membership.end_on >= today))


def rep_digest(summary: RepSummary, today: dt.date) -> RepDigest | None:
    """What a rep should hear about today, or None when nothing is overdue or due soon."""
    horizon = today + dt.timedelta(days=SOON_DAYS)
    open_items = [i for i in summary.items if i.done_on is None and i.due_on is not None]
    overdue = sorted((i for i in open_items if i.due_on < today), key=lambda i: (i.due_on, i.title))
    soon = sorted((i for i in open_items if today <= i.due_on < horizon),
                  key=lambda i: (i.due_on, i.title))
    if not overdue and not soon:
        return None
    rep = summary.rep
    return RepDigest(rep.id, rep.name, rep.email, today, overdue, soon, rep.time_zone)


def coach_digest(coach: User, summaries: Iterable[RepSummary],
                 today: dt.date) -> CoachDigest | None:
    """A coach's reps at risk or behind, neediest first, or None when every rep is fine."""
    needy = sorted((s for s in summaries if s.standing in NEEDS_HELP),
                   key=lambda s: (-s.standing.rank, -s.overdue, s.rep.name))
    if not needy:
        return None
    lines = [RepLine(s.rep.id, s.rep.name, s.standing, s.overdue) for s in needy]
    return CoachDigest(coach.id, coach.name, coach.email, week_start(today), lines,
                       coach.time_zone)


def plan_reminders(summaries: list[RepSummary], coach_cohorts: Mapping[User, set[int]],
                   sent: set[tuple[int, str, dt.date]], today: dt.date) -> Plan:
    """Every reminder due now and not in the sent log; `summaries` are current reps only."""
    candidates: list[Reminder] = [d for d in (rep_digest(s, today) for s in summaries) if d]
    by_cohort = defaultdict(list)
    for summary in summaries:
        by_cohort[summary.membership.cohort_id].append(summary)
    for coach, cohort_ids in sorted(coach_cohorts.items(), key=lambda c: c[0].email):
        if coach.active:
            reps = [s for cohort_id in sorted(cohort_ids) for s in by_cohort[cohort_id]]
            if digest := coach_digest(coach, reps, today):
                candidates.append(digest)
    due = [c for c in candidates if (c.user_id, c.kind, c.for_date) not in sent]
    return Plan(due, len(candidates) - len(due))


def load_plan(today: dt.date) -> Plan:
    """Load everything in a fixed number of statements, however many reps, then plan."""
    memberships = [m for m in current_memberships() if is_current_rep(m, today)]
    data = track_data({m.cohort.track for m in memberships}) if memberships else {}
    progress = rep_progress([m.user_id for m in memberships])
    summaries = [summarise(m, data[m.cohort.track_id], progress[m.user_id], today)
                 for m in memberships]
    coach_cohorts = defaultdict(set)
    for link in db.session.scalars(select(CohortCoach).options(joinedload(CohortCoach.coach))):
        coach_cohorts[link.coach].add(link.cohort_id)
    return plan_reminders(summaries, coach_cohorts, _sent_log(today), today)


def _sent_log(today: dt.date) -> set[tuple[int, str, dt.date]]:
    rows = db.session.execute(select(ReminderLog.user_id, ReminderLog.kind, ReminderLog.for_date)
                              .where(or_(and_(ReminderLog.kind == REP_DIGEST,
                                              ReminderLog.for_date == today),
                                         and_(ReminderLog.kind == COACH_WEEKLY,
                                              ReminderLog.for_date == week_start(today)))))
    return {tuple(row) for row in rows}


def compose(reminder: Reminder, config: Mapping) -> EmailMessage:
    """The email for a reminder: plain text with an HTML alternative (autoescaped)."""
    link = config["BASE_URL"].rstrip("/") + reminder.path
    return mail.compose(to=reminder.email, subject=reminder.subject, template=reminder.template,
                        values={"reminder": reminder, "link": link}, config=config,
                        time_zone=reminder.time_zone)


@dataclass
class SendReport:
    sent: list[Reminder] = field(default_factory=list)
    failures: list[tuple[Reminder, str]] = field(default_factory=list)


def send_reminders(reminders: list[Reminder], config: Mapping, now: dt.datetime) -> SendReport:
    """Send over one connection; log and commit after each message the server accepted.

    Committing per message (not once at the end) is the point: a failure half-way keeps the
    record of what already went out, so the next run sends only the rest.
    """
    messages = [compose(r, config) for r in reminders]
    report = SendReport()
    for reminder, delivery in zip(reminders, mail.send_messages(messages, config), strict=True):
        if not delivery.sent:
            report.failures.append((reminder, delivery.error))
            continue
        db.session.add(ReminderLog(user_id=reminder.user_id, kind=reminder.kind,
                                   for_date=reminder.for_date, sent_at=now))
        try:
            db.session.commit()
        except IntegrityError:  # a run at the same time logged it first: it went out anyway
            db.session.rollback()
        report.sent.append(reminder)
    return report
