"""cev-learn worker [--once]: deliver webhooks. Run it next to the app server, like it (a
systemd unit, a container, `make run`): one or more per installation."""
import logging
import signal
import sys

import click
from flask import current_app

from cev_learn.webhooks.worker import Worker


@click.command("worker")
@click.option("--once", is_flag=True,
              help="Deliver everything due now, then exit (retries due later are left).")
def worker_command(once: bool):
    """Deliver webhooks: dispatch new events to the endpoints that want them, send them
    signed, retry failures, and announce reps turning at risk. Runs until stopped (SIGTERM
    or Ctrl-C), finishing what it is sending first."""
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("cev_learn.webhooks").setLevel(logging.INFO)
    worker = Worker(current_app._get_current_object())
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: worker.stop())
    counts = worker.run(once=once)
    if once:
        done = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()) if value)
        click.echo(f"Webhooks: {done or 'nothing to do'}.")
