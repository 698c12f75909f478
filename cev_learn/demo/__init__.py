"""Demo organisation: `cev-learn demo seed` fills an empty database with people to try things.

This module has the people and the command; `crm` makes each rep's CRM history, `progress`
their learning (modules, quizzes, sign-offs, coaching) and `large` the organisation of
thousands of reps that `--reps` asks for."""
import datetime as dt
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import click
from flask import current_app
from sqlalchemy import select

from cev_learn.accounts import services, sign_in_links
from cev_learn.accounts.models import LinkPurpose, Role, SignInLink, User
from cev_learn.accounts.passwords import hash_password
from cev_learn.certifications.expiry import announce_expired
from cev_learn.certifications.renewal import assign_renewals
from cev_learn.certifications.services import earn_certificates
from cev_learn.content.models import Track
from cev_learn.demo.crm import RepProfile, rep_profile, rep_random, write_rep_outcomes
from cev_learn.demo.crm_exports import crm_export_command, seed_crm_setup
from cev_learn.demo.practice import seed_practice
from cev_learn.demo.progress import seed_alumni, seed_progress
from cev_learn.demo.webhooks import seed_webhooks
from cev_learn.platform.db import db, utcnow
from cev_learn.ramp.facts import refresh_reps

DEMO_PASSWORD = "onboard-demo-2026"
DEMO_DOMAIN = "example.com"
TERRITORIES = ("EMEA North", "EMEA South", "DACH")
# Where each territory's people work: every time is shown to them in its zone. Head office
# (the admin and the manager) is in New York; newcomers have none until they first sign in.
TERRITORY_ZONES = {"EMEA North": "Europe/London", "EMEA South": "Europe/Madrid",
                   "DACH": "Europe/Berlin", "UK & Ireland": "Europe/London",
                   "Benelux": "Europe/Amsterdam", "Nordics": "Europe/Stockholm"}
HEAD_OFFICE_ZONE = "America/New_York"
FIRST_NAMES = ("Alex", "Bea", "Chidi", "Dora", "Emil", "Farah", "Gus", "Hana", "Ivo", "Jana",
               "Kofi", "Lena", "Mateo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tara")
LAST_NAMES = ("Andersen", "Bakker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat",
              "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov")
# Earlier cohorts' reps get names of their own, so a current rep's name stays unique on pages.
ALUMNI_FIRST_NAMES = ("Aino", "Bruno", "Carla", "Dario", "Elif", "Felix", "Greta", "Hugo", "Ines",
                      "Jonas", "Karin", "Luca", "Maja", "Nils", "Olga", "Pavel", "Ruth", "Stefan",
                      "Tomás", "Ulla", "Vera", "Wim", "Yara", "Zofia")
ALUMNI_LAST_NAMES = ("Almeida", "Berg", "Conti", "Demir", "Engel", "Ferreira", "Gruber", "Haas",
                     "Lindqvist", "Marino", "Nowak", "Olsen", "Pereira", "Quist", "Rossi",
                     "Schmid", "Toth", "Vidal", "Weber", "Zeman")
# Earlier cohorts, oldest first: (months before today, territory, coach, reps, the typical
# rep's days to a first deal). Each cohort got there faster than the one before.
HISTORY = ((14, "EMEA South", "coach.sam", 14, 148), (12, "DACH", "coach.rita", 16, 124),
           (10, "EMEA South", "coach.sam", 14, 102), (8, "DACH", "coach.rita", 16, 82),
           (6, "EMEA South", "coach.sam", 14, 56))
CURRENT_MEDIAN_TTP = 46
# The first reps of each current cohort struggle and slip (as their reading does).
CURRENT_KINDS = ("struggling", "slipping")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    territory: str | None = None
    start_on: dt.date | None = None

    @property
    def time_zone(self) -> str:
        return territory_zone(self.territory)


def territory_zone(territory: str | None) -> str:
    """The zone a demo person of that territory works in (head office's for none)."""
    return TERRITORY_ZONES.get(territory or "", HEAD_OFFICE_ZONE)


def demo_people(reps: int, seed: int, today: dt.date) -> list[DemoPerson]:
    """The staff of the demo organisation plus `reps` reps, the same for the same seed."""
    rng = random.Random(seed)
    people = [
        DemoPerson(f"admin@{DEMO_DOMAIN}", "Ada Admin", Role.ADMIN),
        DemoPerson(f"manager@{DEMO_DOMAIN}", "Morgan Lee", Role.MANAGER),
        DemoPerson(f"coach.sam@{DEMO_DOMAIN}", "Sam Whitfield", Role.COACH, "EMEA North"),
        DemoPerson(f"coach.rita@{DEMO_DOMAIN}", "Rita Schultz", Role.COACH, "DACH"),
    ]
    for number in range(1, reps + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        start_on = today - dt.timedelta(days=rng.randint(0, 120))
        people.append(DemoPerson(f"rep{number:02d}@{DEMO_DOMAIN}", name, Role.REP,
                                 rng.choice(TERRITORIES), start_on))
    return people


@dataclass(frozen=True)
class Alumnus:
    person: DemoPerson
    end_on: dt.date | None  # left the company
    kind: str               # see demo.crm.rep_profile


@dataclass(frozen=True)
class HistoryCohort:
    name: str
    start_on: dt.date
    territory: str
    coach_email: str
    median_ttp: int
    members: tuple[Alumnus, ...]


def history_plan(seed: int, today: dt.date) -> list[HistoryCohort]:
    """Earlier cohorts of the demo, the same for the same seed; about one leaver each."""
    rng = random.Random(f"demo-history:{seed}")
    names = [f"{first} {last}" for first in ALUMNI_FIRST_NAMES for last in ALUMNI_LAST_NAMES]
    rng.shuffle(names)
    cohorts, number = [], 0
    for months, territory, coach, size, median_ttp in HISTORY:
        start = today - dt.timedelta(days=round(months * 30.44))
        start -= dt.timedelta(days=start.weekday())  # cohorts start on a Monday
        leaver = rng.randrange(size)
        members = []
        for index in range(size):
            number += 1
            person = DemoPerson(f"alumni{number:03d}@{DEMO_DOMAIN}", names[number - 1], Role.REP,
                                territory, start)
            end_on, kind = None, "slipping" if index == (leaver + 1) % size else "typical"
            if index == leaver:
                end_on = min(today - dt.timedelta(days=1),
                             start + dt.timedelta(days=rng.randint(80, 220)))
                kind = rng.choice(["never", "typical"])
            members.append(Alumnus(person, end_on, kind))
        cohorts.append(HistoryCohort(f"{start:%b %Y} AEs · {territory}", start, territory,
                                     f"{coach}@{DEMO_DOMAIN}", median_ttp, tuple(members)))
    return cohorts


def seed_demo(people: list[DemoPerson], password: str, hash_method: str) -> list[User]:
    """Create the demo people. They share one password, so it is hashed once (demo only)."""
    shared_hash = hash_password(password, hash_method)
    users = []
    for person in people:
        user = services.create_user(email=person.email, name=person.name, role=person.role,
                                    territory=person.territory, start_on=person.start_on,
                                    time_zone=person.time_zone, password=None,
                                    hash_method=hash_method)
        user.password_hash = shared_hash
        users.append(user)
    db.session.flush()
    return users


# New people who have not joined yet, each in one of the states the users page shows:
# (email name, name, days since their invitation was sent; None: never invited).
NEWCOMERS = (("new.ines", "Ines Newcomer", 2), ("new.jon", "Jon Newcomer", 9),
             ("new.kim", "Kim Newcomer", None))


def seed_newcomers(now: dt.datetime, hash_method: str, invitation_days: int) -> list[User]:
    """Reps added but not joined: one invited two days ago, one whose invitation expired, one
    never invited. Their links' secrets were never kept (only digests are), as for real."""
    users = []
    for local, name, days_ago in NEWCOMERS:
        user = services.create_user(email=f"{local}@{DEMO_DOMAIN}", name=name, role=Role.REP,
                                    territory=TERRITORIES[0], password=None,
                                    hash_method=hash_method)
        users.append(user)
        if days_ago is not None:
            sent = now - dt.timedelta(days=days_ago)
            db.session.add(SignInLink(
                user_id=user.id, purpose=LinkPurpose.INVITATION, created_at=sent, sent_at=sent,
                digest=sign_in_links.digest(secrets.token_urlsafe(32)),
                expires_at=sent + dt.timedelta(days=invitation_days)))
    db.session.flush()
    return users


@dataclass(frozen=True)
class SeedSummary:
    cohorts: list[str]  # oldest first
    activities: int = 0
    quotas: int = 0


def first_track() -> Track | None:
    """The track demo cohorts follow: the first synced one still active."""
    return db.session.scalar(select(Track).where(Track.retired_at.is_(None)).order_by(Track.id))


def seed_cohorts(users: list[User], track: Track, today: dt.date, seed: int,
                 history: Sequence[HistoryCohort] = ()) -> SeedSummary:
    """Two current cohorts at different stages and the earlier ones, on `track`, with reading,
    quizzes, CRM outcomes and the achievements they add up to."""
    by_email = {u.email: u for u in users}
    alumni = {a.person.email for c in history for a in c.members}
    reps = [u for u in users if u.role is Role.REP and u.email not in alumni]
    half = (len(reps) + 1) // 2
    plan = [(f"{today - dt.timedelta(days=60):%b %Y} AEs · EMEA North", 60, "EMEA North",
             by_email[f"coach.sam@{DEMO_DOMAIN}"], reps[:half]),
            (f"{today - dt.timedelta(days=12):%b %Y} AEs · DACH", 12, "DACH",
             by_email[f"coach.rita@{DEMO_DOMAIN}"], reps[half:])]
    plan = [p for p in plan if p[4]]
    for _name, _age, territory, _coach, members in plan:
        for rep in members:
            rep.territory, rep.time_zone = territory, territory_zone(territory)
    seed_progress(track=track, cohorts=plan, today=today, rng=random.Random(seed))
    seed_alumni(track=track, today=today, rng=random.Random(f"demo-alumni:{seed}"), cohorts=[
        (c.name, c.start_on, c.territory, by_email[c.coach_email],
         [(by_email[a.person.email], a.end_on) for a in c.members]) for c in history])
    profiles = [(by_email[a.person.email].id, _profile(seed, a.person.email, a.person.start_on,
                                                       c.median_ttp, a.end_on, a.kind))
                for c in history for a in c.members]
    profiles += [(rep.id, _profile(seed, rep.email, rep.start_on, CURRENT_MEDIAN_TTP, None,
                                   CURRENT_KINDS[index] if index < len(CURRENT_KINDS)
                                   else "typical"))
                 for *_, members in plan for index, rep in enumerate(members)]
    activities, quotas = write_rep_outcomes(profiles, today, seed)
    refresh_reps([user_id for user_id, _ in profiles], today)
    # Quiz results were written in bulk: certificates are dated by the passes that earned them
    # (alumni of a year ago hold expired or expiring ones).
    earn_certificates([user_id for user_id, _ in profiles], today, dated_by_passes=True)
    assign_renewals(today, dt.datetime.combine(today, dt.time(6), dt.UTC))
    announce_expired(today, dt.datetime.combine(today, dt.time(6), dt.UTC))
    return SeedSummary([c.name for c in history] + [p[0] for p in plan], activities, quotas)


def _profile(seed: int, email: str, start_on: dt.date, median_ttp: int,
             end_on: dt.date | None, kind: str) -> RepProfile:
    key = email.split("@", 1)[0]
    return rep_profile(rep_random(seed, key, "profile"), key, start_on, median_ttp=median_ttp,
                       end_on=end_on, kind=kind)


demo_cli = click.Group("demo", help="Demo data to try cev_learn with.")
demo_cli.add_command(crm_export_command)


@demo_cli.command("seed")
@click.option("--reps", default=12, show_default=True, type=click.IntRange(0, 100_000),
              help="Reps in the two current cohorts (with --cohorts: in all of them).")
@click.option("--seed", "seed", default=1, show_default=True, type=int,
              help="Random seed: the same seed gives the same organisation.")
@click.option("--history/--no-history", default=True, show_default=True,
              help=f"Also add {len(HISTORY)} earlier cohorts (a fixed "
                   f"{sum(h[3] for h in HISTORY)} reps) for the ramp trend.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if users exist.")
@click.option("--cohorts", type=click.IntRange(1, 1000), default=None,
              help="Build a large organisation instead: this many cohorts over the last three "
                   "years, the reps split evenly among them (--history does not apply).")
def seed_command(reps, seed, history, if_empty, cohorts):
    """Create a demo organisation in an empty database and print the logins."""
    from cev_learn.demo import large  # it builds on this module

    if cohorts is not None:
        large.check_scale(reps, cohorts)
    if services.count_users():
        if if_empty:
            click.echo("Database already has users; demo data not added.")
            return
        raise click.ClickException("the database already has users; demo data needs an empty one")
    if cohorts is not None:
        return large.seed_large_command(reps=reps, cohorts=cohorts, seed=seed,
                                             hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    today = dt.date.today()
    people = demo_people(reps, seed, today)
    track = first_track()  # without synced content there are people but no cohorts
    earlier = history_plan(seed, today) if history and track else []
    alumni = [a.person for c in earlier for a in c.members]
    users = seed_demo(people + alumni, DEMO_PASSWORD, current_app.config["PASSWORD_HASH_METHOD"])
    summary = seed_cohorts(users, track, today, seed, earlier) if track else SeedSummary([])
    newcomers = seed_newcomers(utcnow(), current_app.config["PASSWORD_HASH_METHOD"],
                               current_app.config["INVITATION_DAYS"])
    seed_crm_setup(users)
    if track:
        seed_practice(track, utcnow())
    db.session.commit()
    logged = seed_webhooks([u.id for u in users if u.role is Role.REP], utcnow()) if track else 0
    db.session.commit()
    click.echo(f"Demo organisation created. Every account's password is: {DEMO_PASSWORD}")
    for name in summary.cohorts:
        click.echo(f"  cohort   {name}")
    if summary.activities:
        click.echo(f"  CRM data {summary.activities} activities, {summary.quotas} monthly quotas")
    for person in people[:6]:
        click.echo(f"  {person.role.value:<8} {person.email}")
    if len(people) > 6:
        click.echo(f"  … and {len(people) - 6} more reps (rep03@{DEMO_DOMAIN} onwards)")
    if alumni:
        click.echo(f"  … and {len(alumni)} reps of earlier cohorts ({alumni[0].email} onwards)")
    click.echo(f"  … and {len(newcomers)} new reps who have not joined yet "
               f"({', '.join(u.email for u in newcomers)}): see Users")
    if logged:
        click.echo(f"  … and an example webhook endpoint with {logged} deliveries in its log: "
                   "see Webhooks")
