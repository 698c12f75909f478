"""Validity arithmetic of certificates, on fixed dates."""
import datetime as dt

from cev_learn.certifications.validity import (Holding, Validity, expires_on, expiring_soon,
                                               is_earned, renewal_opens_on, validity)

EARNED = dt.date(2026, 3, 1)
REQUIRES = [("quiz", "demo"), ("signoff", "pitch")]


def test_a_certificate_is_valid_for_its_days_and_expired_on_the_day_after():
    expiry = expires_on(EARNED, 365)
    assert expiry == dt.date(2027, 3, 1)
    assert validity(expiry, dt.date(2027, 2, 28)) is Validity.VALID
    assert validity(expiry, expiry) is Validity.EXPIRED


def test_revoked_and_superseded_outrank_the_dates():
    expiry = expires_on(EARNED, 365)
    assert validity(expiry, EARNED, revoked=True) is Validity.REVOKED
    assert validity(expiry, EARNED, superseded=True) is Validity.SUPERSEDED


def test_expiring_soon_means_valid_and_within_thirty_days():
    expiry = dt.date(2027, 3, 1)
    assert expiring_soon(expiry, dt.date(2027, 1, 30))
    assert not expiring_soon(expiry, dt.date(2027, 1, 29))
    assert not expiring_soon(expiry, expiry)


def test_every_requirement_passed_earns_a_first_certificate():
    passed = {("quiz", "demo"): EARNED}
    assert not is_earned(REQUIRES, passed, None, 30, EARNED)
    passed[("signoff", "pitch")] = EARNED
    assert is_earned(REQUIRES, passed, None, 30, EARNED)


def test_renewal_needs_the_quizzes_passed_again_once_renewal_opens():
    holding = Holding(dt.date(2027, 3, 1))
    assert renewal_opens_on(holding.expires_on, 30) == dt.date(2027, 1, 30)
    old = {("quiz", "demo"): EARNED, ("signoff", "pitch"): EARNED}
    assert not is_earned(REQUIRES, old, holding, 30, dt.date(2027, 2, 10))
    early = {**old, ("quiz", "demo"): dt.date(2027, 1, 29)}
    assert not is_earned(REQUIRES, early, holding, 30, dt.date(2027, 1, 29))
    again = {**old, ("quiz", "demo"): dt.date(2027, 1, 30)}
    assert is_earned(REQUIRES, again, holding, 30, dt.date(2027, 1, 30))
    after_expiry = {**old, ("quiz", "demo"): dt.date(2027, 4, 2)}
    assert is_earned(REQUIRES, after_expiry, holding, 30, dt.date(2027, 4, 2))


def test_after_revocation_only_passes_from_that_day_count():
    holding = Holding(dt.date(2027, 3, 1), revoked_on=dt.date(2026, 6, 1))
    old = {("quiz", "demo"): EARNED, ("signoff", "pitch"): EARNED}
    assert not is_earned(REQUIRES, old, holding, 30, dt.date(2026, 6, 5))
    assert is_earned(REQUIRES, {**old, ("quiz", "demo"): dt.date(2026, 6, 5)}, holding, 30,
                     dt.date(2026, 6, 5))


def test_renewal_needs_a_required_exercise_passed_again_too():
    requires = [("exercise", "value-pitch"), ("signoff", "pitch")]
    holding = Holding(dt.date(2027, 3, 1))
    old = {("exercise", "value-pitch"): EARNED, ("signoff", "pitch"): EARNED}
    assert not is_earned(requires, old, holding, 30, dt.date(2027, 2, 10))
    again = {**old, ("exercise", "value-pitch"): dt.date(2027, 2, 10)}
    assert is_earned(requires, again, holding, 30, dt.date(2027, 2, 10))  # the sign-off stands
