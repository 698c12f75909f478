"""Demo organisation: `cev-learn demo seed` fills an empty database with people to try things."""
import datetime as dt
import random
from dataclasses import dataclass

import click
from flask import current_app

from cev_learn.accounts import services
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import hash_password
from cev_learn.db import db

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
        DemoPerson(f"manager@{DEMO_DOMAIN}", "Morgan Lee", Role.MANAGER, "EMEA North"),
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
    people = demo_people(reps, seed, dt.date.today())
    seed_demo(people, DEMO_PASSWORD, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.commit()
    click.echo(f"Demo organisation created. Every account's password is: {DEMO_PASSWORD}")
    for person in people[:6]:
        click.echo(f"  {person.role.value:<8} {person.email}")
    if len(people) > 6:
        click.echo(f"  … and {len(people) - 6} more reps (rep03@{DEMO_DOMAIN} onwards)")
