"""Reminder emails (cev-learn reminders send), delivered to a real SMTP server on localhost."""
import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.cohorts.models import Assignment, AssignmentKind, ReminderLog
from cev_learn.cohorts.schedule import Standing, WorkItem
from cev_learn.cohorts.services import place_rep
from cev_learn.content.models import Module, ModuleProgress
from cev_learn.platform.db import db
from cev_learn.ramp.reminders import (COACH_WEEKLY, REP_DIGEST, plan_reminders, rep_digest,
                                         week_start)
from tests.helpers import make_user
from tests.mail import free_port
from tests.factories import make_cohort
from tests.quizzes.fixtures import quiz_track

TODAY = dt.date.today()
DAYS_FROM_TODAY = ()  # TODAY moves to the day each test runs (conftest)
BASE_URL = "https://learn.example.com"
MAIL_FROM = "cev_learn <reminders@example.com>"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def shown(day: dt.date) -> str:
    return day.strftime("%d %b %Y")


@pytest.fixture
def mailing_app(make_app):
    """An app under test that sends through the SMTP server on `port`."""
    return lambda port: make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL=BASE_URL,
                                 MAIL_FROM=MAIL_FROM, SMTP_TIMEOUT_SECONDS=5)


def cli(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def send(app, *options):
    return cli(app, "reminders", "send", *options)


def join(rep, cohort, *, start_on=None, end_on=None):
    place_rep(rep, cohort, start_on=start_on, end_on=end_on, now=dt.datetime.now(dt.UTC))
    db.session.commit()


@pytest.fixture
def synced(make_app, tmp_path):
    result = cli(make_app(), "content", "sync", str(quiz_track(tmp_path / "courses")))
    assert result.exit_code == 0, result.output


@pytest.fixture
def people(synced):
    """Two cohorts with reps in every situation. The track: Introduction due day 1,
    Discovery day 5, the quiz "Check yourself" day 7."""
    coach = make_user(Role.COACH, name="Cora Coach")
    other_coach = make_user(Role.COACH, name="Omar Coach")
    gone_coach = make_user(Role.COACH, active=False)
    late, soon = make_user(name="Lena <Late>"), make_user(name="Sol Soon")
    fresh, leaver = make_user(name="Fay Fresh"), make_user(name="Leo Leaver")
    deactivated, elsewhere = make_user(active=False), make_user(name="Eve Elsewhere")
    first = make_cohort(coaches=[coach, gone_coach], start_on=days(-10))
    second = make_cohort(coaches=[other_coach], start_on=days(-10))
    join(late, first)                        # all three items overdue, Introduction done
    join(soon, first, start_on=days(-5))     # Introduction overdue, Discovery due today
    join(fresh, first, start_on=days(5))     # nothing due for days: on track
    join(leaver, first, end_on=days(-1))     # left the company yesterday
    join(deactivated, first)
    join(elsewhere, second)
    intro = db.session.scalar(select(Module).where(Module.slug == "intro"))
    db.session.add(ModuleProgress(user_id=late.id, module_id=intro.id,
                                  completed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8)))
    db.session.commit()
    return SimpleNamespace(coach=coach, other_coach=other_coach, gone_coach=gone_coach,
                           late=late, soon=soon, fresh=fresh, leaver=leaver,
                           deactivated=deactivated, elsewhere=elsewhere)


def logged() -> set[tuple[int, str, dt.date]]:
    rows = db.session.execute(select(ReminderLog.user_id, ReminderLog.kind, ReminderLog.for_date))
    return {tuple(row) for row in rows}


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.mark.slow  # a real SMTP server
def test_a_rep_gets_a_digest_of_overdue_work_and_work_due_today_or_tomorrow(
        people, mail_server, mailing_app):
    mailbox, port = mail_server()
    result = send(mailing_app(port))
    assert result.exit_code == 0, result.output
    late = mailbox.to(people.late.email)
    assert late["Subject"] == "cev_learn: 2 overdue"
    assert late["To"] == people.late.email
    assert late["From"] == MAIL_FROM
    text = plain(late)
    assert f"- Discovery (Module) - was due {shown(days(-5))}" in text
    assert f"- Check yourself (Quiz) - was due {shown(days(-3))}" in text
    assert "Introduction" not in text  # done already
    assert f"Open your week: {BASE_URL}/week" in text
    assert f'<a href="{BASE_URL}/week">' in html(late)
    assert "Lena &lt;Late&gt;" in html(late) and "Lena <Late>" not in html(late)
    soon = mailbox.to(people.soon.email)
    assert soon["Subject"] == "cev_learn: 1 overdue, 1 due soon"
    text = plain(soon)
    assert f"- Introduction (Module) - was due {shown(days(-4))}" in text
    assert f"Due soon:\n- Discovery (Module) - due today, {shown(TODAY)}" in text
    assert "Check yourself" not in text  # due the day after tomorrow
    assert f"Discovery (Module) – due today, {shown(TODAY)}" in html(soon)


@pytest.mark.slow  # a real SMTP server
def test_a_coach_gets_one_weekly_digest_naming_only_their_reps_who_need_help(
        people, mail_server, mailing_app):
    mailbox, port = mail_server()
    assert send(mailing_app(port)).exit_code == 0
    digest = mailbox.to(people.coach.email)
    assert digest["Subject"] == "cev_learn: 2 reps need attention this week"
    text = plain(digest)
    assert (f"- Lena <Late>: Behind, 2 overdue - {BASE_URL}/reps/{people.late.id}\n"
            f"- Sol Soon: Behind, 1 overdue - {BASE_URL}/reps/{people.soon.id}") in text
    for name in ("Fay Fresh", "Leo Leaver", people.deactivated.name, "Eve Elsewhere"):
        assert name not in text
    assert f'<a href="{BASE_URL}/reps/{people.late.id}">Lena &lt;Late&gt;</a>' in html(digest)
    assert f'<a href="{BASE_URL}/coach">' in html(digest)
    other = plain(mailbox.to(people.other_coach.email))
    assert "Eve Elsewhere: Behind, 3 overdue" in other and "Lena" not in other
    assert (people.coach.id, COACH_WEEKLY, week_start(TODAY)) in logged()


@pytest.mark.slow  # a real SMTP server
def test_reps_with_nothing_due_leavers_and_deactivated_accounts_get_nothing(
        people, mail_server, mailing_app):
    mailbox, port = mail_server()
    result = send(mailing_app(port))
    assert result.exit_code == 0, result.output
    assert result.stdout == ("Sent 5 reminders (3 rep digests, 2 coach digests); "
                             "0 already sent earlier.\n")
    expected = [people.late, people.soon, people.elsewhere, people.coach, people.other_coach]
    assert mailbox.recipients == sorted(u.email for u in expected)
    assert logged() == {(p.id, REP_DIGEST, TODAY) for p in expected[:3]} | {
        (p.id, COACH_WEEKLY, week_start(TODAY)) for p in expected[3:]}


@pytest.mark.slow  # a real SMTP server
def test_a_second_run_the_same_day_sends_nothing_and_says_so(people, mail_server, mailing_app):
    mailbox, port = mail_server()
    app = mailing_app(port)
    assert send(app).exit_code == 0
    assert len(mailbox.received) == 5
    again = send(app)
    assert again.exit_code == 0, again.output
    assert again.stdout == "Nothing to send; 5 already sent earlier.\n"
    assert len(mailbox.received) == 5 and len(logged()) == 5


@pytest.mark.slow  # a real SMTP server
def test_dry_run_lists_messages_and_sends_and_logs_nothing(people, mail_server, mailing_app):
    mailbox, port = mail_server()
    result = send(mailing_app(port), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (f"would send rep_digest to {people.soon.email}: "
            "cev_learn: 1 overdue, 1 due soon") in lines
    assert (f"would send coach_weekly to {people.coach.email}: "
            "cev_learn: 2 reps need attention this week") in lines
    assert len(lines) == 6 and lines[-1].startswith("Dry run: 5 reminders (3 rep digests")
    assert mailbox.received == [] and logged() == set()


@pytest.mark.slow  # a real SMTP server
def test_smtp_down_reports_every_reminder_and_logs_nothing(people, mailing_app):
    port = free_port()  # nothing listens there
    result = send(mailing_app(port))
    assert result.exit_code == 1
    reasons = [line for line in result.stderr.splitlines() if "not sent:" in line]
    assert len(reasons) == 5
    assert f"rep_digest to {people.late.email} not sent: cannot use the mail server " \
           f"127.0.0.1:{port}: [Errno 111] Connection refused" in reasons
    assert result.stderr.endswith(
        "Error: 5 reminders not sent; they will be retried on the next run\n")
    assert logged() == set()


@pytest.mark.slow  # a real SMTP server
def test_a_refused_recipient_is_retried_on_the_next_run_alone(people, mail_server, mailing_app):
    picky, port = mail_server(reject=[people.late.email])
    result = send(mailing_app(port))
    assert result.exit_code == 1
    assert (f"rep_digest to {people.late.email} not sent: refused: {people.late.email}: "
            "550 5.1.1 No such mailbox here") in result.stderr
    assert "Error: 1 reminder not sent; it will be retried on the next run" in result.stderr
    assert result.stdout == ("Sent 4 reminders (2 rep digests, 2 coach digests); "
                             "0 already sent earlier.\n")
    assert people.late.email not in picky.recipients and len(picky.recipients) == 4
    assert (people.late.id, REP_DIGEST, TODAY) not in logged() and len(logged()) == 4

    mailbox, port = mail_server()
    retry = send(mailing_app(port))
    assert retry.exit_code == 0, retry.output
    assert mailbox.recipients == [people.late.email]
    assert retry.stdout == ("Sent 1 reminder (1 rep digest, 0 coach digests); "
                            "4 already sent earlier.\n")
    assert (people.late.id, REP_DIGEST, TODAY) in logged()


def test_planning_costs_the_same_statements_for_more_reps(synced, app, count_queries):
    def measure(n):
        coach = make_user(Role.COACH)
        reps = [make_user() for _ in range(n)]
        make_cohort(reps=reps, coaches=[coach], start_on=days(-8))
        module = db.session.scalar(select(Module).where(Module.slug == "intro"))
        db.session.add_all(Assignment(user_id=rep.id, kind=AssignmentKind.MODULE,
                                      module_id=module.id, due_on=TODAY, assigned_by_id=coach.id)
                           for rep in reps)
        db.session.commit()
        send(app, "--dry-run")  # the first run also reads the track
        with count_queries() as counter:
            result = send(app, "--dry-run")
        assert result.exit_code == 0, result.output
        return counter["n"], result.stdout.count("would send")

    small, large = measure(1), measure(12)
    assert small[1] == 2 and large[1] == 2 + 13  # the first cohort's reps are still due
    assert small[0] == large[0]


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    active: bool = True
    time_zone: str | None = None


def summary(rep: Person, standing: Standing, items=(), cohort_id=1):
    overdue = sum(1 for i in items if i.overdue(TODAY))
    return SimpleNamespace(rep=rep, membership=SimpleNamespace(cohort_id=cohort_id),
                           standing=standing, overdue=overdue, items=list(items))


def item(title: str, due: int, done: int | None = None) -> WorkItem:
    return WorkItem("module", "track", title, days(due), None if done is None else days(done), {})


def test_plan_picks_the_due_window_and_reps_at_risk_or_behind_and_honours_the_log():
    coach, bystander = Person(1, "Coach", "c@x"), Person(2, "Other coach", "o@x")
    behind = summary(Person(10, "Ben", "b@x"), Standing.BEHIND,
                     [item("Late", -1), item("Today", 0), item("Tomorrow", 1),
                      item("Later", 2), item("Done", -3, done=-4)])
    at_risk = summary(Person(11, "Ari", "a@x"), Standing.AT_RISK, [item("Later", 5)])
    fine = summary(Person(12, "Fin", "f@x"), Standing.ON_TRACK, [item("Later", 3)])
    away = summary(Person(13, "Al", "al@x"), Standing.BEHIND, cohort_id=2)
    summaries = [behind, at_risk, fine, away]
    links = {coach: {1}, bystander: {3}}

    digest = rep_digest(behind, TODAY)
    assert [i.title for i in digest.overdue] == ["Late"]
    assert [i.title for i in digest.due_soon] == ["Today", "Tomorrow"]
    plan = plan_reminders(summaries, links, set(), TODAY)
    assert [(r.kind, r.user_id) for r in plan.due] == [(REP_DIGEST, 10), (COACH_WEEKLY, 1)]
    assert [(line.name, line.standing) for line in plan.due[1].reps] == [
        ("Ben", Standing.BEHIND), ("Ari", Standing.AT_RISK)]

    monday = week_start(TODAY)
    old_log = {(1, COACH_WEEKLY, monday - dt.timedelta(days=7)), (10, REP_DIGEST, days(-1))}
    assert len(plan_reminders(summaries, links, old_log, TODAY).due) == 2
    this_week = {(1, COACH_WEEKLY, monday), (10, REP_DIGEST, TODAY)}
    done = plan_reminders(summaries, links, this_week, TODAY)
    assert (done.due, done.already_sent) == ([], 2)


def test_coach_digests_are_keyed_by_the_monday_of_the_iso_week():
    assert week_start(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)   # Monday
    assert week_start(dt.date(2026, 3, 8)) == dt.date(2026, 3, 2)   # Sunday
    assert week_start(dt.date(2026, 1, 1)) == dt.date(2025, 12, 29)
