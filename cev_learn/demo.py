"""Demo organisation: `cev-learn demo seed` fills an empty database with people to try things."""
import datetime as dt
import random
from dataclasses import dataclass

import click
from flask import current_app
from sqlalchemy import select

from cev_learn.accounts import services
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import hash_password
from cev_learn.content.models import Track
from cev_learn.db import db
from cev_learn.demo_progress import seed_progress
from cev_learn.ramp.achievements import recompute_for

DEMO_PASSWORD = "onboard-demo-2026"
DEMO_DOMAIN = "example.com"
TERRITORIES = ("EMEA North", "EMEA South", "DACH")
FIRST_NAMES = ("Alex", "Bea", "Chidi", "Dora", "Emil", "Farah", "Gus", "Hana", "Ivo", "Jana",
               "Kofi", "Lena", "Mateo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tara")
LAST_NAMES = ("Andersen", "Bakker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat",
              "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    territory: str | None = None
    start_on: dt.date | None = None


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


def seed_demo(people: list[DemoPerson], password: str, hash_method: str) -> list[User]:
    """Create the demo people. They share one password, so it is hashed once (demo only)."""
    shared_hash = hash_password(password, hash_method)
    users = []
    for person in people:
        user = services.create_user(email=person.email, name=person.name, role=person.role,
                                    territory=person.territory, start_on=person.start_on,
                                    password=None, hash_method=hash_method)
        user.password_hash = shared_hash
        users.append(user)
    db.session.flush()
    return users


def seed_cohorts(users: list[User], today: dt.date, rng: random.Random) -> list[str]:
    """Two cohorts at different stages on the first synced track (if content is loaded)."""
    track = db.session.scalar(select(Track).where(Track.retired_at.is_(None)).order_by(Track.id))
    if track is None:
        return []
    coaches = {u.email: u for u in users if u.role is Role.COACH}
    reps = [u for u in users if u.role is Role.REP]
    half = (len(reps) + 1) // 2
    plan = [(f"{today - dt.timedelta(days=60):%b %Y} AEs · EMEA North", 60, "EMEA North",
             coaches[f"coach.sam@{DEMO_DOMAIN}"], reps[:half]),
            (f"{today - dt.timedelta(days=12):%b %Y} AEs · DACH", 12, "DACH",
             coaches[f"coach.rita@{DEMO_DOMAIN}"], reps[half:])]
    plan = [p for p in plan if p[4]]
    for _name, _age, territory, _coach, members in plan:
        for rep in members:
            rep.territory = territory
    seed_progress(track=track, cohorts=plan, today=today, rng=rng)
    recompute_for([rep.id for rep in reps], today)
    return [p[0] for p in plan]


demo_cli = click.Group("demo", help="Demo data to try cev_learn with.")


@demo_cli.command("seed")
@click.option("--reps", default=12, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--seed", "seed", default=1, show_default=True, type=int,
              help="Random seed: the same seed gives the same organisation.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if users exist.")
def seed_command(reps, seed, if_empty):
    """Create a demo organisation in an empty database and print the logins."""
    if services.count_users():
        if if_empty:
            click.echo("Database already has users; demo data not added.")
            return
        raise click.ClickException("the database already has users; demo data needs an empty one")
    today = dt.date.today()
    people = demo_people(reps, seed, today)
    users = seed_demo(people, DEMO_PASSWORD, current_app.config["PASSWORD_HASH_METHOD"])
    cohorts = seed_cohorts(users, today, random.Random(seed))
    db.session.commit()
    click.echo(f"Demo organisation created. Every account's password is: {DEMO_PASSWORD}")
    for name in cohorts:
        click.echo(f"  cohort   {name}")
    for person in people[:6]:
        click.echo(f"  {person.role.value:<8} {person.email}")
    if len(people) > 6:
        click.echo(f"  … and {len(people) - 6} more reps (rep03@{DEMO_DOMAIN} onwards)")
