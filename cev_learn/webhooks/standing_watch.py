"""`rep.at_risk`: where a rep stands is computed when it is read (ramp.standing), so nothing is
written when a rep slips — time passing is enough. The worker therefore looks at every rep still
onboarding now and then (WEBHOOK_STANDING_CHECK_SECONDS; when it starts, then hourly by
default), compares each one's standing with the one it saw last (WebhookRepStanding) and raises
`rep.at_risk` when it turned worse: on track (or not seen before: a rep new to onboarding) to at
risk or behind, or at risk to behind. A rep who recovers is remembered as on track, so slipping
again is announced again.

The very first check of an installation only takes note of where everyone stands: endpoints
hear about reps turning at risk from then on, not about everyone who already was. Standings
are remembered whether or not an endpoint listens, so an endpoint that subscribes later is not
sent the past either.

The same check tells the coaches of a rep who turned worse (a notification each, whether or not
an endpoint listens; not on the very first check either)."""
import datetime as dt

from sqlalchemy import select

from cev_learn.cohorts.models import Cohort
from cev_learn.cohorts.schedule import Standing
from cev_learn.notifications import services as notifications
from cev_learn.platform import outbox
from cev_learn.platform.db import db
from cev_learn.ramp.standing import HelpNeeded, needing_help
from cev_learn.webhooks.models import WebhookEndpoint, WebhookRepStanding, WebhookSettings

EVENT = "rep.at_risk"


def anyone_listens() -> bool:
    return any(EVENT in types for types in db.session.scalars(select(
        WebhookEndpoint.event_types).where(WebhookEndpoint.enabled.is_(True))))


def check_standings(today: dt.date, now: dt.datetime) -> int:
    """Raise `rep.at_risk` for every rep whose standing turned worse since the last check
    (none on the first check: it only takes note); returns how many. Flushes; the caller
    commits (the events are written then)."""
    marker = db.session.get(WebhookSettings, 1)
    if marker is None:
        marker = WebhookSettings(id=1, allow_private_addresses=False)
        db.session.add(marker)
    first_check = marker.standings_checked_at is None
    announce = not first_check and anyone_listens()
    needing = {h.rep_id: h for h in needing_help(list(db.session.scalars(select(Cohort))),
                                                 today)}
    seen = {row.rep_id: row for row in db.session.scalars(select(WebhookRepStanding))}
    raised, worse = 0, []
    for rep_id, help_needed in needing.items():
        row = seen.get(rep_id)
        before = Standing(row.standing) if row else None
        if before is help_needed.standing:
            continue
        if help_needed.standing.rank > (before.rank if before else 0) and not first_check:
            worse.append((rep_id, help_needed.rep_name, help_needed.standing.label))
            if announce:
                outbox.emit(EVENT, rep_id, _about(help_needed, before, today), now)
                raised += 1
        _remember(row, rep_id, help_needed.standing, now)
    notifications.reps_fell_behind(worse, now)
    for rep_id, row in seen.items():
        if rep_id not in needing and row.standing != Standing.ON_TRACK.value:
            _remember(row, rep_id, Standing.ON_TRACK, now)
    marker.standings_checked_at = now
    db.session.flush()
    return raised


def _remember(row: WebhookRepStanding | None, rep_id: int, standing: Standing,
              now: dt.datetime) -> None:
    if row is None:
        db.session.add(WebhookRepStanding(rep_id=rep_id, standing=standing.value,
                                          changed_at=now))
    else:
        row.standing, row.changed_at = standing.value, now


def _about(help_needed: HelpNeeded, before: Standing | None, today: dt.date) -> dict:
    following = None
    if help_needed.next_slug is not None:
        following = {"slug": help_needed.next_slug, "title": help_needed.next_title,
                     "due_on": help_needed.next_due.isoformat()}
    return {"standing": help_needed.standing.value,
            "previous_standing": before.value if before else None,
            "as_of": today.isoformat(), "tenure_day": help_needed.tenure,
            "overdue_items": help_needed.overdue, "next_milestone": following}
