"""cev-learn ramp cohort NAME [--as-of DATE] [--json], ramp recompute and ramp rebuild"""
import datetime as dt
import json

import click
from sqlalchemy import select

from cev_learn.analytics.reports import cohort_ramp
from cev_learn.cohorts.models import Membership
from cev_learn.cohorts.services import find_cohort
from cev_learn.platform.db import db
from cev_learn.ramp import facts

ramp_cli = click.Group("ramp", help="Ramp-up reports from stored achievements.")


def _date(_ctx, _param, value):
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-06-30") from None


@ramp_cli.command("cohort")
@click.argument("name")
@click.option("--as-of", "as_of", default=None, callback=_date,
              help="Report as on this day (records after it are ignored). Default: today.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of docs/formats.md.")
def cohort_command(name, as_of, as_json):
    """Time to productivity, milestones and ramp curve of cohort NAME."""
    cohort = find_cohort(name)
    if cohort is None:
        raise click.ClickException(f"no cohort named {name!r}; see cev-learn cohorts list")
    report = cohort_ramp(cohort, as_of)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    median = report["median_days_to_productivity"]
    click.echo(f"{report['cohort']} · {report['track']} · as of {report['as_of']}")
    click.echo(f"reps {report['reps']}, productive {report['productive']}, "
               f"still ramping or left {report['censored']}; median time to productivity: "
               f"{str(median) + ' days' if median is not None else 'not reached by half yet'}")
    click.echo("productive by day " + ", ".join(
        f"{day}: {share:.0%}" for day, share in report["pct_productive_by_day"].items()))
    for entry in report["milestones"]:
        days = entry["median_days"]
        click.echo(f"  {entry['slug']:<24}{entry['achieved']:>4} reached · median "
                   f"{str(days) + ' days' if days is not None else '—'}")
    for point in report["ramp_curve"]:
        click.echo(f"  month {point['month']:>2}: n={point['n']:<3} p25 {point['p25']:.2f}  "
                   f"median {point['median']:.2f}  p75 {point['p75']:.2f}")


@ramp_cli.command("recompute")
@click.option("--as-of", "as_of", default=None, callback=_date,
              help="Judge milestones as on this day. Default: today.")
def recompute_command(as_of):
    """Bring every current rep's achievements up to date.

    Every write (imports, quiz results, module completions, sign-offs, cohort changes, content
    sync) already brings the reps it touches up to date. Run this daily (e.g. from cron) so
    attainment milestones, which complete when a calendar month closes rather than on an
    event, are recorded the day after the month ends.
    """
    rep_ids = list(db.session.scalars(
        select(Membership.user_id).where(Membership.moved_out_at.is_(None))))
    changed = facts.refresh_reps(rep_ids, as_of)
    db.session.commit()
    click.echo(f"achievements: {changed} changed for {len(rep_ids)} reps")


@ramp_cli.command("rebuild")
@click.option("--as-of", "as_of", default=None, callback=_date,
              help="Judge milestones as on this day. Default: today.")
def rebuild_command(as_of):
    """Recompute every ramp fact (activity by week and by month) and every achievement from
    the raw records. Writes keep the facts current; this is for after a restore, a manual
    change in the database, or to check that nothing drifted."""
    reps, changed = facts.rebuild(as_of)
    db.session.commit()
    click.echo(f"ramp facts rebuilt for {reps} reps in a cohort; {changed} achievements changed")
