"""Creating notifications, in the transaction of what caused them, and reading them.

The services below announce what people should hear about (`platform.events`); `listen`
connects the listeners that turn each announcement into notifications then and there, in a
fixed number of statements however many people are told (one INSERT, or one INSERT … SELECT
for the reps of a changed module and the coaches of a rep). Flush only; callers commit."""
import datetime as dt
from collections.abc import Mapping

from flask import current_app
from sqlalchemy import String, case, cast, func, insert, literal, or_, select, update

from cev_learn.accounts import sessions
from cev_learn.accounts.models import User
from cev_learn.cohorts.models import AssignmentKind, CohortCoach, Membership
from cev_learn.content.models import Module, ModuleProgress, Track
from cev_learn.notifications.queries import unread_count_of
from cev_learn.notifications.models import (DEFAULT_FREQUENCY, EmailFrequency, Kind,
                                            Notification, NotificationSettings, TEXT_LENGTH)
from cev_learn.platform import events
from cev_learn.platform.db import UTCDateTime, db, utcnow
from cev_learn.quizzes.models import Booster

COLUMNS = ("recipient_id", "kind", "text", "link", "created_at")
UNREAD = "unread_notifications"  # read with the signed-in person (accounts.sessions)


def path(endpoint: str, **values) -> str:
    """The path of a page (what a notification links to), with or without a request."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def fitted(text: str) -> str:
    """The text as stored: cut with an ellipsis when names and titles make it too long for
    the column (PostgreSQL refuses a longer one; SQLite would keep it)."""
    return text if len(text) <= TEXT_LENGTH else text[:TEXT_LENGTH - 1] + "…"


def notify(recipient_ids: list[int], kind: Kind, text: str, link: str,
           now: dt.datetime) -> None:
    """Tell each of these people the same thing, in one statement."""
    if recipient_ids:
        db.session.execute(insert(Notification), [
            {"recipient_id": rid, "kind": kind.value, "text": fitted(text), "link": link,
             "created_at": now} for rid in recipient_ids])


def notify_coaches(about_reps: Mapping[int, tuple[str, str]], kind: Kind,
                   now: dt.datetime) -> None:
    """Tell the active coaches of each rep's current cohort (text, link) about that rep, in
    one INSERT … SELECT however many reps and coaches."""
    if not about_reps:
        return
    rep = Membership.user_id
    rows = (select(CohortCoach.coach_id, literal(kind.value),
                   case({rid: fitted(text) for rid, (text, _) in about_reps.items()}, value=rep),
                   case({rid: link for rid, (_, link) in about_reps.items()}, value=rep),
                   literal(now, UTCDateTime()))
            .join(Membership, Membership.cohort_id == CohortCoach.cohort_id)
            .join(User, User.id == CohortCoach.coach_id)
            .where(rep.in_(list(about_reps)), Membership.moved_out_at.is_(None),
                   User.active.is_(True)))
    db.session.execute(insert(Notification).from_select(COLUMNS, rows))


def reps_fell_behind(reps: list[tuple[int, str, str]], now: dt.datetime) -> None:
    """(rep id, name, standing label) of reps whose standing turned worse: their coaches hear."""
    notify_coaches({rep_id: (f"{name} is now {standing.lower()}",
                             path("cohorts.rep_page", user_id=rep_id))
                    for rep_id, name, standing in reps}, Kind.FALLING_BEHIND, now)


def boosters_came_due(today: dt.date, now: dt.datetime) -> int:
    """Tell each active rep whose booster questions came due by `today`, and who was not told
    of those due days yet, how many are due: one INSERT … SELECT, and one UPDATE marking them
    told when anyone was. Returns how many reps were told."""
    untold = (Booster.retired_at.is_(None), Booster.due_on <= today,
              or_(Booster.notified_on.is_(None), Booster.notified_on < Booster.due_on))
    count = func.count()
    text = case((count == 1, literal("Booster due: 1 short question from a module you completed")),
                else_=literal("Boosters due: ") + cast(count, String)
                + literal(" short questions from modules you completed"))
    rows = (select(Booster.user_id, literal(Kind.BOOSTERS_DUE.value), text,
                   literal(path("quizzes.boosters")), literal(now, UTCDateTime()))
            .join(User, User.id == Booster.user_id)
            .where(*untold, User.active.is_(True)).group_by(Booster.user_id))
    told = len(db.session.execute(insert(Notification).from_select(COLUMNS, rows)
                                  .returning(Notification.id)).all())
    if told:
        db.session.execute(update(Booster).where(*untold).values(notified_on=Booster.due_on)
                           .execution_options(synchronize_session=False))
    return told


def _on_work_assigned(_sender, *, assignments: list, coach: User) -> None:
    first = assignments[0]
    if first.kind is AssignmentKind.MODULE:
        item = first.module
        link = path("content.module", track_slug=item.track.slug, module_slug=item.slug)
    else:
        item = first.quiz
        link = path("quizzes.quiz", track_slug=item.track.slug, quiz_slug=item.slug)
    text = f"{coach.name} assigned you “{item.title}”, due {first.due_on:%d %b %Y}"
    notify([a.user_id for a in assignments], Kind.ASSIGNED, text, link, utcnow())


def _on_note_shared(_sender, *, note) -> None:
    notify([note.user_id], Kind.NOTE, f"{note.author.name} shared a note with you",
           path("cohorts.rep_home") + "#notes", utcnow())


def _on_attempt_graded(_sender, *, attempt, coach: User, now: dt.datetime) -> None:
    result = "passed" if attempt.passed else "not passed"
    notify([attempt.user_id], Kind.GRADED,
           f"{coach.name} graded your answers to “{attempt.quiz.title}”: {result}, "
           f"{round(100 * attempt.score)}%", path("quizzes.attempt", attempt_id=attempt.id), now)


def _on_attempt_awaits_grading(_sender, *, attempt, now: dt.datetime) -> None:
    text = f"{attempt.user.name} submitted “{attempt.quiz.title}”: written answers to grade"
    notify_coaches({attempt.user_id: (text, path("quizzes.attempt", attempt_id=attempt.id))},
                   Kind.TO_GRADE, now)


def _on_modules_revised(_sender, *, module_ids: list[int], now: dt.datetime) -> None:
    """Every active rep who had completed one of these modules hears of it, once per module:
    one SELECT of the modules, one INSERT … SELECT of the notifications."""
    modules = db.session.execute(select(Module.id, Module.title, Module.slug, Track.slug)
                                 .join(Track, Track.id == Module.track_id)
                                 .where(Module.id.in_(module_ids))).all()
    texts = {m[0]: fitted(f"“{m[1]}” was updated since you completed it") for m in modules}
    links = {m[0]: path("content.module", track_slug=m[3], module_slug=m[2]) for m in modules}
    module = ModuleProgress.module_id
    rows = (select(ModuleProgress.user_id, literal(Kind.MODULE_UPDATED.value),
                   case(texts, value=module), case(links, value=module),
                   literal(now, UTCDateTime()))
            .join(User, User.id == ModuleProgress.user_id)
            .where(module.in_(list(texts)), ModuleProgress.completed_at.is_not(None),
                   User.active.is_(True)))
    db.session.execute(insert(Notification).from_select(COLUMNS, rows))


def _on_certificates_renewing(_sender, *, certificates: list, now: dt.datetime) -> None:
    """Each holder hears that their certificate expires and what renews it: its quizzes,
    assigned again, and its practice exercises, recorded again."""
    rows = [{"recipient_id": c.user_id, "kind": Kind.RENEWAL.value,
             "text": fitted(f"Your certificate “{c.certification.title}” expires on "
                            f"{c.expires_on:%d %b %Y}: {_renewal_work(c.certification)}"),
             "link": path("certifications.certificate", certificate_id=c.id), "created_at": now}
            for c in certificates]
    if rows:
        db.session.execute(insert(Notification), rows)


def _renewal_work(certification) -> str:
    kinds = {kind for kind, _slug in certification.requires}
    work = (["its quizzes are assigned again"] if "quiz" in kinds else []) + (
        ["record its practice exercises again"] if "exercise" in kinds else [])
    return "; ".join(work) or "ask your coach how to renew it"


def listen() -> None:
    """Notify people of what the services below announce, in their transactions; read the
    signed-in person's unread count with them (the bell's, at no statement of its own)."""
    sessions.read_with_user(UNREAD, unread_count_of)
    events.work_assigned.connect(_on_work_assigned)
    events.note_shared.connect(_on_note_shared)
    events.attempt_graded.connect(_on_attempt_graded)
    events.attempt_awaits_grading.connect(_on_attempt_awaits_grading)
    events.modules_revised.connect(_on_modules_revised)
    events.certificates_renewing.connect(_on_certificates_renewing)


def mark_read(notification: Notification, now: dt.datetime) -> None:
    if notification.read_at is None:
        notification.read_at = now
        db.session.flush()


def mark_all_read(user: User, now: dt.datetime) -> int:
    """Mark every unread notification of this person read; returns how many, in one UPDATE."""
    result = db.session.execute(
        update(Notification).where(Notification.recipient_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))
    return result.rowcount


def email_frequency(user: User) -> EmailFrequency:
    settings = db.session.get(NotificationSettings, user.id)
    return settings.frequency if settings else DEFAULT_FREQUENCY


def set_email_frequency(user: User, frequency: EmailFrequency, now: dt.datetime) -> None:
    """Choose how this person hears by email; turned off, nothing pending is sent later."""
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        settings = NotificationSettings(user_id=user.id)
        db.session.add(settings)
    settings.email = frequency.value
    if frequency is EmailFrequency.OFF:
        db.session.execute(update(Notification).where(
            Notification.recipient_id == user.id, Notification.emailed_at.is_(None))
            .values(emailed_at=now).execution_options(synchronize_session=False))
    db.session.flush()
