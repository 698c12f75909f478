"""Cached pages are shared by viewers who see the same data, but times in them are each
viewer's own: a copy written for one zone is never served to a viewer in another."""
import datetime as dt

from sqlalchemy import update

from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt
from tests.factories import make_cohort
from tests.helpers import make_user

SUBMITTED_AT = dt.datetime(2026, 12, 7, 15, 45, tzinfo=dt.UTC)


def rep_with_an_attempt(make_attempt) -> User:
    """A rep in a cohort whose quiz attempt was submitted at SUBMITTED_AT."""
    rep = make_user(Role.REP)
    make_cohort(reps=[rep])
    attempt = make_attempt(rep, submitted=True)
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(submitted_at=SUBMITTED_AT))
    db.session.commit()
    return rep


def managers_in(*zones: str | None) -> list[User]:
    """Managers of no territory (one cached copy of a page serves them all), in these zones."""
    managers = [make_user(Role.MANAGER) for _ in zones]
    for manager, zone in zip(managers, zones, strict=True):
        db.session.execute(update(User).where(User.id == manager.id).values(time_zone=zone))
    db.session.commit()
    return managers


def test_two_viewers_of_a_cached_rep_page_see_its_times_in_their_own_zones(
        app, synced_track, make_attempt, signed_in):
    rep = rep_with_an_attempt(make_attempt)
    berlin, new_york = managers_in("Europe/Berlin", "America/New_York")
    url = f"/reps/{rep.id}"
    # Signed in first: a sign-in writes the person's row, and so rebuilds cached pages.
    in_berlin, in_new_york = signed_in(berlin), signed_in(new_york)
    first = in_berlin.get(url).get_data(as_text=True)
    second = in_new_york.get(url).get_data(as_text=True)  # the same data version
    again = in_berlin.get(url).get_data(as_text=True)
    assert "07 Dec 2026 16:45 CET" in first and "EST" not in first
    assert "07 Dec 2026 10:45 EST" in second and "CET" not in second
    assert "07 Dec 2026 16:45 CET" in again


def test_a_viewer_without_a_zone_sees_the_cached_page_in_utc(
        app, synced_track, make_attempt, signed_in):
    rep = rep_with_an_attempt(make_attempt)
    zoned, unzoned = managers_in("Asia/Tokyo", None)
    url = f"/reps/{rep.id}"
    in_tokyo, in_utc = signed_in(zoned), signed_in(unzoned)
    assert "08 Dec 2026 00:45 JST" in in_tokyo.get(url).get_data(as_text=True)
    assert "07 Dec 2026 15:45 UTC" in in_utc.get(url).get_data(as_text=True)
