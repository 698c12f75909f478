"""cev-learn xapi push: send the statements due to the Learning Record Store now."""
import click
from flask import current_app
from flask.cli import AppGroup

from cev_learn.platform.db import utcnow
from cev_learn.xapi import push
from cev_learn.xapi.lrs import LrsClient
from cev_learn.xapi.statements import iso

xapi_cli = AppGroup("xapi", help="xAPI statements and the Learning Record Store.")


@xapi_cli.command("push")
def push_command():
    """Push every statement due to the LRS (LRS_URL) now, batch after batch, whatever the
    wait after an earlier failure; print what went. Exits 1 when the LRS failed (what is left
    goes with the next push)."""
    try:
        settings = push.PushSettings.from_config(current_app.config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if settings is None:
        raise click.ClickException("no LRS to push to: set LRS_URL (CEV_LEARN_LRS_URL)")
    warning = push.loopback_warning(settings.base_url)
    if warning:
        click.echo(f"Warning: {warning}.", err=True)
    client = LrsClient(settings.lrs)
    try:
        report = push.push_due(settings, client, utcnow, ignore_wait=True)
    finally:
        client.close()
    click.echo(summary(report))
    if report.failed:
        raise SystemExit(1)


def summary(report: push.PushReport) -> str:
    """One line: what went where, and what stopped it."""
    last = report.last
    if last.state == push.BUSY:
        return f"xAPI: another push to {report.url} is under way; nothing sent."
    went = (f"xAPI: {report.sent} statement{'s' * (report.sent != 1)} sent to {report.url} "
            f"in {report.batches} batch{'es' * (report.batches != 1)}")
    if report.conflicts:
        shown = ", ".join(report.conflicts[:3]) + ("…" if len(report.conflicts) > 3 else "")
        went += (f"; {len(report.conflicts)} already there with other content, kept as "
                 f"they were ({shown})")
    if last.state == push.FAILED:
        return (f"{went}; then the LRS failed: {last.error}. The rest waits: the worker tries "
                f"again from {iso(last.retry_at)}.")
    return f"{went}; nothing more is due."
