"""cev-learn reminders send [--dry-run]"""
import datetime as dt

import click
from flask import current_app

from cev_learn.platform.db import utcnow
from cev_learn.ramp import reminders

reminders_cli = click.Group("reminders", help="Email reps and coaches what needs doing.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List who would get what; send and record nothing.")
def send_command(dry_run: bool):
    """Send today's rep digests and this week's coach digests, each at most once (for cron)."""
    plan = reminders.load_plan(dt.date.today())
    earlier = f"{plan.already_sent} already sent earlier"
    if dry_run:
        for reminder in plan.due:
            click.echo(f"would send {reminder.kind} to {reminder.email}: {reminder.subject}")
        click.echo(f"Dry run: {reminders.tally(plan.due)} to send; {earlier}. Nothing sent.")
        return
    if not plan.due:
        click.echo(f"Nothing to send; {earlier}.")
        return
    report = reminders.send_reminders(plan.due, current_app.config, now=utcnow())
    for reminder, reason in report.failures:
        click.echo(f"{reminder.kind} to {reminder.email} not sent: {reason}", err=True)
    click.echo(f"Sent {reminders.tally(report.sent)}; {earlier}.")
    if report.failures:
        count = len(report.failures)
        them = "it" if count == 1 else "they"
        raise click.ClickException(f"{reminders.plural(count, 'reminder')} not sent; "
                                   f"{them} will be retried on the next run")
