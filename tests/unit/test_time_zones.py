"""Times as a person reads them: in their zone, with its abbreviation, summer time included;
a zone cev_learn does not know is refused by name, and one stored that it no longer knows
shows UTC rather than failing."""
import datetime as dt

import pytest

from cev_learn.platform.time_zones import (DEFAULT_ZONE, format_moment, local, zone_names,
                                           zone_problem)

WINTER = dt.datetime(2026, 12, 7, 15, 45, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 7, 15, 45, tzinfo=dt.UTC)


@pytest.mark.parametrize("moment,zone,shown", [
    (WINTER, "Europe/Berlin", "07 Dec 2026 16:45 CET"),
    (SUMMER, "Europe/Berlin", "07 Jul 2026 17:45 CEST"),
    (WINTER, "America/New_York", "07 Dec 2026 10:45 EST"),
    (SUMMER, "America/New_York", "07 Jul 2026 11:45 EDT"),
    (WINTER, "Europe/London", "07 Dec 2026 15:45 GMT"),
    (SUMMER, "Europe/London", "07 Jul 2026 16:45 BST"),
    (WINTER, "UTC", "07 Dec 2026 15:45 UTC"),
    (WINTER, "Asia/Kolkata", "07 Dec 2026 21:15 IST"),
])
def test_a_moment_is_shown_in_the_zone_with_its_abbreviation(moment, zone, shown):
    assert format_moment(moment, zone) == shown


def test_the_day_changes_with_the_zone():
    late = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)
    assert format_moment(late, "Europe/Berlin") == "08 Dec 2026 00:30 CET"
    assert format_moment(late, "America/Los_Angeles", "%H:%M") == "15:30 PST"


def test_the_switch_to_summer_time_moves_the_clock_an_hour():
    # Europe switched on 29 March 2026 at 01:00 UTC.
    before = dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)
    after = dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)
    assert format_moment(before, "Europe/Berlin", "%H:%M") == "01:59 CET"
    assert format_moment(after, "Europe/Berlin", "%H:%M") == "03:00 CEST"


def test_a_zone_without_letters_reads_as_an_offset_from_utc():
    assert format_moment(WINTER, "Asia/Dubai", "%H:%M") == "19:45 UTC+04"


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus_Mons", "../../etc/passwd", "US/Eastern"])
def test_no_zone_or_an_unknown_one_shows_utc_and_says_so(zone):
    assert format_moment(WINTER, zone) == "07 Dec 2026 15:45 UTC"


def test_a_stored_naive_moment_is_utc_and_none_is_a_dash():
    assert local(dt.datetime(2026, 12, 7, 15, 45), "Europe/Berlin").hour == 16
    assert format_moment(None, "Europe/Berlin") == "—"


def test_an_unknown_zone_is_refused_by_name_with_an_example():
    assert zone_problem("Europe/Berlin") is None
    assert zone_problem(" America/New_York ") is None
    assert zone_problem("Mars/Olympus_Mons") == (
        "“Mars/Olympus_Mons” is not a time zone cev_learn knows: choose one from the list, "
        "like Europe/Berlin.")
    assert zone_problem("") == "Choose a time zone, like Europe/Berlin."
    assert len(zone_problem("x" * 500)) < 200  # a long name is cut in the message


def test_the_choices_are_canonical_names_and_utc():
    names = zone_names()
    assert DEFAULT_ZONE in names and "Europe/Berlin" in names and "America/New_York" in names
    assert "US/Eastern" not in names and "Etc/GMT+5" not in names
    assert list(names) == sorted(names)
