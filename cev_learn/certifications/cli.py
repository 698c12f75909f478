"""cev-learn certifications renew | award"""
import datetime as dt

import click
from sqlalchemy import select

from cev_learn.accounts.models import Role, User
from cev_learn.certifications import expiry, renewal, services
from cev_learn.platform.db import db, utcnow, write_transaction

certifications_cli = click.Group("certifications", help="Certificates: renewals and awards.")


@certifications_cli.command("renew")
def renew_command():
    """Remind the holders of certificates whose renewal opened and assign them the quizzes
    again, then announce the certificates that expired, once each (the worker runs this too;
    running it twice a day changes nothing)."""
    now = utcnow()
    with write_transaction():
        due = renewal.assign_renewals(now.date(), now)
    with write_transaction():
        expired = expiry.announce_expired(now.date(), now)
    click.echo(f"Re-certification work assigned for {len(due)} certificate(s); "
               f"{len(expired)} expired certificate(s) announced.")


@certifications_cli.command("award")
def award_command():
    """Award the certificates reps already earned before their certification was declared,
    each dated the day its last requirement was passed."""
    today = dt.date.today()
    with write_transaction():
        rep_ids = list(db.session.scalars(select(User.id).where(User.role == Role.REP)))
        earned = services.earn_certificates(rep_ids, today, dated_by_passes=True)
    click.echo(f"{len(earned)} certificate(s) awarded.")

