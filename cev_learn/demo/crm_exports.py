"""The demo organisation's CRM as its exports look: a saved mapping for a CRM without a
built-in format, names the CRMs use for some reps, and `cev-learn demo crm-export`, which
writes this week's activities of the demo reps the way Salesforce or HubSpot export them, to
try the import with (docs/imports.md)."""
import csv
import datetime as dt
import io
import random

import click
from sqlalchemy import select

from cev_learn.accounts.models import Role, User
from cev_learn.platform.csv_safety import safe_cell
from cev_learn.platform.db import db
from cev_learn.ramp.crm_import import save_matches, save_mapping
from cev_learn.ramp.crm_mappings import SKIP
from cev_learn.ramp.models import CrmPerson

# A CRM with no built-in format, described once by the demo manager.
PIPEDRIVE = {"source": "pipedrive",
             "columns": {"rep": "Assigned to user", "occurred_on": "Due date", "type": "Type",
                         "external_id": "ID", "subject": "Subject"},
             "person": "name", "dates": "YYYY-MM-DD", "decimal": ".",
             "types": {"Call": "call", "Meeting": "meeting", "Lunch": "meeting",
                       "Email": "email", "Deadline": SKIP, "Task": SKIP}}
STRANGER = "Jordan Blake"  # a name in the exports that is nobody's account: the check page asks
SUBJECTS = ("Intro call", "Discovery", "Follow-up", "Pricing questions", "Demo prep",
            "Check-in", "Next steps")
SALESFORCE_TYPES = ("Logged Call", "Logged Call", "Event", "Email", "Task")
HUBSPOT_TYPES = ("Call", "Call", "Meeting", "Email", "Note")
CALL = 0  # the kind index of a call in both CRMs' types
FOOTER = ('"Demo activities this week"',
          '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
          '"Confidential Information - Do Not Distribute"')


def seed_crm_setup(users: list[User]) -> None:
    """The saved Pipedrive mapping, and the names Salesforce and HubSpot use for two reps
    (their first name and initial, as a CRM's user list often shows them)."""
    manager = next(u for u in users if u.role is Role.MANAGER)
    save_mapping(name="Pipedrive activities", kind="activities", definition=PIPEDRIVE,
                 actor=manager, types=("call", "email", "meeting", "demo", "opportunity",
                                       "deal_won"))
    reps = [u for u in users if u.role is Role.REP and u.active][:2]
    for source, rep in zip(("salesforce", "hubspot"), reps):
        first, _, last = rep.name.partition(" ")
        save_matches(source, {f"{first} {last[:1]}.": rep.id}, None)


def export_rows(reps: list[User], today: dt.date, seed: int,
                crm_names: dict[int, str]) -> list[tuple]:
    """(rep name, day, kind index, subject) of this week's demo activities: a few per rep on
    each of the last three weekdays, and one of someone who is no account. A rep the CRM
    names its own way (`crm_names`) is written so, with a call each of those days, so that
    every export shows the import counting activities of a rep it knows by that name."""
    rng = random.Random(f"demo-crm-export:{seed}:{today}")
    days = [today - dt.timedelta(days=n) for n in range(1, 8)
            if (today - dt.timedelta(days=n)).weekday() < 5][:3]
    rows = [(crm_names.get(rep.id, rep.name), day, rng.randrange(5), rng.choice(SUBJECTS))
            for rep in reps for day in days for _ in range(rng.randint(0, 2))]
    rows += [(name, day, CALL, rng.choice(SUBJECTS)) for name in crm_names.values()
             for day in days]
    rows.append((STRANGER, days[0], 0, "Cold call"))
    return rows


def salesforce_report(rows: list[tuple]) -> bytes:
    """A Salesforce activity report as "Export details" writes it: quoted cells, US dates,
    people by name, a footer after a blank line; UTF-8 with a byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["Assigned", "Activity Type", "Date", "Subject", "Priority"])
    for name, day, kind, subject in rows:
        writer.writerow([safe_cell(name), SALESFORCE_TYPES[kind],
                         f"{day.month}/{day.day}/{day.year}", subject, "Normal"])
    return ("\ufeff" + out.getvalue() + "\r\n" + "\r\n".join(FOOTER) + "\r\n").encode()


def hubspot_export(rows: list[tuple]) -> bytes:
    """A HubSpot activities export: record ids, date and time, semicolon-separated as Excel
    saves it in much of Europe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["Record ID", "Activity date", "Activity type", "Activity assigned to"])
    for number, (name, day, kind, _) in enumerate(rows, 1):
        writer.writerow([90_000_000 + number,
                         f"{day:%Y-%m-%d} {9 + number % 8:02d}:{number % 60:02d}",
                         HUBSPOT_TYPES[kind], safe_cell(name)])
    return out.getvalue().encode()


FORMATS = {"salesforce-activities": salesforce_report, "hubspot-activities": hubspot_export}


@click.command("crm-export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)),
              default="salesforce-activities", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def crm_export_command(file: str, fmt: str, seed: int):
    """Write this week's activities of the demo reps to FILE as a CRM exports them, to import
    on Ramp → Import CRM data (or with `cev-learn import activities FILE`)."""
    reps = db.session.scalars(select(User).where(User.role == Role.REP, User.active.is_(True))
                              .order_by(User.id).limit(12)).all()
    if not reps:
        raise click.ClickException("there are no reps; run `cev-learn demo seed` first")
    source = fmt.split("-")[0]
    crm_names = dict(db.session.execute(select(CrmPerson.user_id, CrmPerson.label)
                                        .where(CrmPerson.source == source)).all())
    rows = export_rows(list(reps), dt.date.today(), seed, crm_names)
    with open(file, "wb") as out:
        out.write(FORMATS[fmt](rows))
    click.echo(f"Wrote {len(rows)} activities to {file} as a {fmt} export; "
               f"{STRANGER} is no one's account, so the check page asks who it is.")
