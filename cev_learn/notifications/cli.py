"""cev-learn notifications digest [--dry-run]"""
import click
from flask import current_app

from cev_learn.notifications import mailing, services
from cev_learn.notifications.models import EmailFrequency
from cev_learn.platform.db import db, utcnow

notifications_cli = click.Group("notifications", help="Email people their notifications.")


@notifications_cli.command("digest")
@click.option("--dry-run", is_flag=True, help="List who would get what; send and record nothing.")
def digest_command(dry_run: bool):
    """Send each person who chose a daily digest one email with their notifications not
    emailed yet (run it once a day, from cron; a second run sends only what is new). Reps
    whose booster questions came due are told first, so the digest includes them."""
    if not dry_run:
        now = utcnow()
        told = services.boosters_came_due(now.date(), now)
        db.session.commit()
        if told:
            click.echo(f"Told {told} rep{'' if told == 1 else 's'} of boosters due.")
    if dry_run:
        outgoing, _quiet = mailing.plan(EmailFrequency.DAILY)
        for item in outgoing:
            click.echo(f"would send {len(item.items)} to {item.recipient.email}: {item.subject}")
        click.echo(f"Dry run: {len(outgoing)} digests to send. Nothing sent.")
        return
    report = mailing.send_digests(current_app.config, utcnow())
    for address, reason in report.failures:
        click.echo(f"digest to {address} not sent: {reason}", err=True)
    click.echo(f"Sent {report.sent} digest{'' if report.sent == 1 else 's'}.")
    if report.failures:
        raise click.ClickException(f"{len(report.failures)} not sent; they will be retried on "
                                   "the next run")
