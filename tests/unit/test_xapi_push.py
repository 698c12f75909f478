"""Pushing to an LRS, the parts without one: its settings, the waits after failures, and the
warning about activity ids that point at this machine."""
import datetime as dt
import re

import pytest

from cev_learn.platform.config import DEFAULTS
from cev_learn.xapi.push import PushSettings, loopback_warning, retry_wait


def settings(**config):
    return PushSettings.from_config({**DEFAULTS, **config})


def test_without_an_lrs_url_there_is_no_pushing():
    assert settings() is None
    assert settings(LRS_URL="  ") is None


def test_the_settings_of_an_lrs():
    pushing = settings(LRS_URL="https://lrs.example.com/xapi/", LRS_KEY=1234, LRS_SECRET="s")
    assert pushing.lrs.statements_url == "https://lrs.example.com/xapi/statements"
    assert (pushing.lrs.key, pushing.lrs.secret) == ("1234", "s")  # digits read as a number
    assert (pushing.batch_size, pushing.retry_seconds[0], pushing.settle_seconds) == (100, 5, 60)
    assert "secret" not in repr(pushing.lrs)  # never in a log line


@pytest.mark.parametrize("config,message", [
    ({"LRS_URL": "lrs.example.com/xapi"}, "LRS_URL must be the http(s) address"),
    ({"LRS_URL": "ftp://lrs.example.com/"}, "LRS_URL must be the http(s) address"),
    ({"LRS_BATCH_SIZE": 0}, "LRS_BATCH_SIZE must be from 1 to 1000"),
    ({"LRS_RETRY_SECONDS": []}, "LRS_RETRY_SECONDS must be a list of waits"),
    ({"LRS_LEASE_SECONDS": 11}, "LRS_LEASE_SECONDS must exceed LRS_TIMEOUT_SECONDS"),
])
def test_settings_that_cannot_work_are_refused(config, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        settings(**{"LRS_URL": "https://lrs.example.com/xapi", **config})


def test_the_waits_after_failures_end_on_the_last_one_again_and_again():
    schedule = (5.0, 30.0, 120.0)
    assert [retry_wait(schedule, n) for n in (1, 2, 3, 4, 50)] == [
        dt.timedelta(seconds=s) for s in (5, 30, 120, 120, 120)]


@pytest.mark.parametrize("base_url,warned", [
    ("http://127.0.0.1:5000", True), ("http://localhost:8000/", True), ("http://[::1]", True),
    ("https://learn.example.com", False), ("http://10.0.0.5:5000", False)])
def test_activity_ids_that_point_at_this_machine_are_warned_about(base_url, warned):
    assert (loopback_warning(base_url) is not None) is warned
