"""cev-learn cohorts create|list"""
import datetime as dt

import click
from sqlalchemy import func, select

from cev_learn.accounts.services import find_user_by_email
from cev_learn.cohorts import services
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.cohorts.queries import cohort_coaches
from cev_learn.platform.db import db

cohorts_cli = click.Group("cohorts", help="Create and list cohorts of reps.")


def _date(_ctx, _param, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-02") from None


@cohorts_cli.command("create")
@click.argument("name")
@click.option("--track", "track_slug", required=True, help="Slug of the track, e.g. sales-foundations.")
@click.option("--start", required=True, callback=_date, help="Start date, YYYY-MM-DD.")
@click.option("--territory", default=None)
@click.option("--coach", "coach_emails", multiple=True, help="Coach email; repeat for several.")
def create_command(name, track_slug, start, territory, coach_emails):
    """Create a cohort NAME on a track."""
    coaches = []
    for email in coach_emails:
        coach = find_user_by_email(email)
        if coach is None:
            raise click.ClickException(f"no user with the email {email}")
        coaches.append(coach)
    try:
        cohort = services.create_cohort(name=name, track=services.find_track(track_slug),
                                        start_on=start, territory=territory, coaches=coaches)
    except services.CohortError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created cohort {cohort.name} (id {cohort.id}) on {track_slug}, "
               f"starting {cohort.start_on:%Y-%m-%d}.")


@cohorts_cli.command("list")
def list_command():
    """List cohorts with their track, start, territory, coaches and rep count."""
    cohorts = list(db.session.scalars(select(Cohort).order_by(Cohort.start_on, Cohort.name)))
    if not cohorts:
        click.echo("No cohorts yet. Create one with: cev-learn cohorts create NAME --track SLUG --start DATE")
        return
    counts = dict(db.session.execute(select(Membership.cohort_id, func.count()).where(
        Membership.moved_out_at.is_(None)).group_by(Membership.cohort_id)).all())
    coaches = cohort_coaches([c.id for c in cohorts])
    click.echo(f"{'id':>4}  {'name':<28}{'track':<22}{'start':<12}{'territory':<14}{'reps':>5}  coaches")
    for c in cohorts:
        names = ", ".join(u.email for u in coaches[c.id]) or "-"
        click.echo(f"{c.id:>4}  {c.name[:27]:<28}{c.track.slug[:21]:<22}{c.start_on:%Y-%m-%d}  "
                   f"{(c.territory or '-')[:13]:<14}{counts.get(c.id, 0):>5}  {names}")
