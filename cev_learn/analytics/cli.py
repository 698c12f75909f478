"""cev-learn ramp cohort NAME [--as-of DATE] [--json], ramp backtest, ramp recompute and ramp
rebuild"""
import datetime as dt
import json

import click
from sqlalchemy import select

from cev_learn.analytics import backtest, forecast, forecasts, synthetic
from cev_learn.analytics.reports import cohort_ramp
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.cohorts.services import find_cohort
from cev_learn.content.models import Track
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


@ramp_cli.command("backtest")
@click.option("--track", "track_slug", default=None,
              help="The track's slug. Default: the one track that has cohorts.")
@click.option("--as-of", "as_of", default=None, callback=_date,
              help="Backtest as on this day (records after it are ignored). Default: today.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of docs/formats.md.")
@click.option("--generated", is_flag=True,
              help="Backtest a generated organisation whose effect of early pace is known "
                   "(analytics/synthetic.py) instead of the database.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="With --generated: the random seed of the organisation.")
def backtest_command(track_slug, as_of, as_json, generated, seed):
    """How good the projected productivity dates are: every finished cohort forecast again
    as on its days 30, 60 and 90, scored against what happened (docs/metrics.md)."""
    if generated:
        org = synthetic.generate(seed)
        result = backtest.backtest(org.reps, org.starts, org.names, org.targets, org.as_of)
        model = forecast.fit_track(org.reps, org.targets, org.as_of)
        report = {**backtest.as_json(result, "generated", org.names),
                  "true_effect": synthetic.TRUE_BETA, "fitted_effect": round(model.beta, 4),
                  "fitted_standard_error": round(model.standard_error or 0, 4)}
    else:
        report = forecasts.track_backtest(_track(track_slug), as_of, dt.date.today()).json
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(f"{report['track']} · as of {report['as_of']} · "
               f"{len(report['finished_cohorts'])} finished cohorts")
    if generated:
        click.echo(f"effect of doubling early pace on the log rate: true {report['true_effect']}, "
                   f"fitted {report['fitted_effect']} ± {report['fitted_standard_error']}")
    for figures in [*report["by_day"], report["overall"]]:
        if figures is None:
            continue
        calibration = figures["calibration"]
        click.echo(f"  {figures['label']:<8} reps {figures['reps']:>4} · inside the 80% interval "
                   f"{'—' if calibration is None else f'{calibration:.0%}'} · median error "
                   f"{_days(figures['median_abs_error_days'])} (baseline "
                   f"{_days(figures['baseline_median_abs_error_days'])}) · not enough history "
                   f"{figures['no_history']}")


def _days(value) -> str:
    return "—" if value is None else f"{value:g} days"


def _track(slug: str | None) -> Track:
    """The track named, or the only one with cohorts; a one-line reason otherwise."""
    tracks = list(db.session.scalars(
        select(Track).where(Track.id.in_(select(Cohort.track_id))).order_by(Track.slug)))
    if slug is not None:
        found = next((t for t in tracks if t.slug == slug), None)
        if found is None:
            raise click.ClickException(f"no track {slug!r} with cohorts; tracks with cohorts: "
                                       f"{', '.join(t.slug for t in tracks) or 'none'}")
        return found
    if len(tracks) != 1:
        raise click.ClickException(
            "no cohorts yet" if not tracks else
            f"several tracks have cohorts ({', '.join(t.slug for t in tracks)}): choose one "
            f"with --track")
    return tracks[0]
