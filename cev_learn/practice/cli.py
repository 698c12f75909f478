"""cev-learn practice erase-recordings EMAIL"""
import click
from sqlalchemy import func, select

from cev_learn.accounts.models import User
from cev_learn.platform.db import db
from cev_learn.platform.media_storage import recording_store
from cev_learn.practice.services import erase_recordings

practice_cli = click.Group("practice", help="Practice recordings.")


@practice_cli.command("erase-recordings")
@click.argument("email")
def erase_recordings_command(email: str):
    """Delete every practice recording of this person (their files, submissions and the
    reviews of them) and the peer reviews they wrote, for a request to erase their data."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    count = erase_recordings(user, recording_store())
    db.session.commit()
    click.echo(f"Erased {count} recording{'' if count == 1 else 's'} of {user.email}.")
