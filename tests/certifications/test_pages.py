"""Certificate pages: a rep sees only their own, the PDF is a real PDF, the public
verification page shows the certification, the holder's name, validity and dates and nothing
else, and managers count certified, expiring and expired per cohort and territory."""
import datetime as dt
import io
import re

import pytest
from flask import g, request_finished
from pypdf import PdfReader
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.certifications.models import Certificate
from cev_learn.platform.db import db
from cev_learn.platform.outbox import OutboxEvent
from tests.certifications.test_earning import pass_quiz, sign_off, track  # noqa: F401
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user, post_form

TODAY = dt.date.today()
DAYS_FROM_TODAY = ()
NOW = dt.datetime.combine(TODAY, dt.time(9), dt.UTC)


def certify(rep, quiz, rubric, coach):
    sign_off(rep, rubric, coach, TODAY)
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    return db.session.scalar(select(Certificate).where(Certificate.user_id == rep.id))


@pytest.fixture
def certified(track):
    quiz, rubric = track
    rep = make_user(Role.REP, name="Ada Quinn", email="ada.quinn@example.com")
    coach = make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach], name="Secret Cohort Name", territory="Nordics")
    return rep, coach, certify(rep, quiz, rubric, coach)


def test_a_rep_finds_their_certificate_from_their_navigation(signed_in, certified):
    rep, _coach, certificate = certified
    client = signed_in(rep)
    week = client.get("/week", follow_redirects=True).get_data(as_text=True)
    assert 'href="/certificates"' in week
    mine = client.get("/certificates").get_data(as_text=True)
    assert "Pitch ready" in mine and f"/certificates/{certificate.id}" in mine
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert f"/verify/{certificate.code}" in page and "Valid" in page


def test_a_rep_never_sees_another_reps_certificate(signed_in, certified):
    _rep, _coach, certificate = certified
    other = signed_in(Role.REP)
    assert other.get(f"/certificates/{certificate.id}").status_code == 404
    assert other.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    assert "Pitch ready" not in other.get("/certificates").get_data(as_text=True)
    stranger_coach = signed_in(Role.COACH)
    assert stranger_coach.get(f"/certificates/{certificate.id}").status_code == 404


def test_the_coach_of_the_rep_sees_the_certificate(signed_in, certified):
    _rep, coach, certificate = certified
    assert signed_in(coach).get(f"/certificates/{certificate.id}").status_code == 200


def test_the_pdf_is_a_pdf_with_the_title_name_and_verification_link(signed_in, certified):
    rep, _coach, certificate = certified
    response = signed_in(rep).get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Pitch ready" in text and "Ada Quinn" in text
    assert certificate.code[:20] in text.replace("\n", "")


def test_the_verification_page_shows_validity_and_nothing_else(app, certified, track):
    rep, coach, certificate = certified
    quiz, rubric = track
    # a second certificate of another rep, which must not show either
    other = make_user(Role.REP, name="Bo Other")
    make_cohort(reps=[other], coaches=[coach])
    certify(other, quiz, rubric, coach)
    response = app.test_client().get(f"/verify/{certificate.code}")  # signed out
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pitch ready" in page and "Ada Quinn" in page and "Valid" in page
    assert f"{certificate.expires_on:%d %B %Y}" in page
    for secret in ("ada.quinn@example.com", "Secret Cohort Name", "Nordics", "Bo Other",
                   "100%", "score", coach.name, coach.email, "Check yourself", "Value pitch",
                   f"/certificates/{certificate.id}", "/reps/"):
        assert secret not in page, secret


def test_an_expired_or_revoked_certificate_says_so(app, certified):
    _rep, _coach, certificate = certified
    certificate.expires_on = TODAY
    db.session.commit()
    assert "Expired" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    certificate.revoked_at = NOW
    db.session.commit()
    assert "Revoked" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_a_wrong_code_answers_as_a_malformed_one(app, certified):
    _rep, _coach, certificate = certified
    client = app.test_client()
    wrong = client.get(f"/verify/{certificate.code[:-1]}{'A' if certificate.code[-1] != 'A' else 'B'}")
    malformed = client.get("/verify/x")
    assert wrong.status_code == malformed.status_code == 404
    assert wrong.get_data() == malformed.get_data()


def test_managers_count_certified_expiring_and_expired_in_their_territory(signed_in, track,
                                                                          certified):
    quiz, rubric = track
    coach = make_user(Role.COACH)
    soon, lapsed = make_user(Role.REP), make_user(Role.REP)
    make_cohort(reps=[soon, lapsed], coaches=[coach], name="Nordics B", territory="Nordics")
    for rep, expires in ((soon, TODAY + dt.timedelta(days=10)), (lapsed, TODAY)):
        certify(rep, quiz, rubric, coach).expires_on = expires
    elsewhere = make_user(Role.REP)
    make_cohort(reps=[elsewhere], coaches=[coach], name="Iberia A", territory="Iberia")
    certify(elsewhere, quiz, rubric, coach)
    db.session.commit()
    manager = signed_in(Role.MANAGER, territory="Nordics")
    page = manager.get("/certifications").get_data(as_text=True)
    assert "Iberia" not in page
    row = page[page.index("By territory"):page.index("By cohort")]
    cells = [re.search(f'data-label="{label}">([^<]*)<', row).group(1)
             for label in ("Certified", "Expiring within 30 days", "Expired")]
    assert cells == ["2", "1", "1"]  # certified (the expiring one too), expiring, expired
    csv = manager.get("/certifications.csv").get_data(as_text=True).splitlines()
    assert csv[0] == "rep,email,cohort,territory,certification,earned_on,expires_on,status"
    assert len(csv) == 4 and not any("Iberia" in line for line in csv)
    assert signed_in(Role.MANAGER).get("/certifications").get_data(as_text=True).count(
        "Pitch ready") >= 2  # a manager of every territory sees both


def test_a_renewal_notification_opens_the_certificate(signed_in, certified):
    from cev_learn.certifications.renewal import assign_renewals
    rep, _coach, certificate = certified
    opens = certificate.expires_on - dt.timedelta(days=30)
    assign_renewals(opens, dt.datetime.combine(opens, dt.time(7), dt.UTC))
    db.session.commit()
    client = signed_in(rep)
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Pitch ready" in listing


def test_verification_checks_are_rate_limited_per_client(app, certified):
    _rep, _coach, certificate = certified
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    answers = [client.get(f"/verify/{certificate.code}").status_code for _ in range(3)]
    answers += [client.get(f"/verify/guess-{n}").status_code for n in range(2)]
    assert answers == [200, 200, 200, 429, 429]


def test_the_submission_that_earns_a_certificate_stays_within_the_statement_budget(
        app, signed_in, track):
    """The quiz submission that completes a certification writes it (and its webhook event)
    in its own request, within the budget every request keeps (tests/conftest.py), on
    SQLite and PostgreSQL alike: the certifications come with the track's shared data."""
    quiz, rubric = track
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach := make_user(Role.COACH)])
    sign_off(rep, rubric, coach, TODAY)
    db.session.commit()
    client = signed_in(rep)
    url = "/tracks/test-track/quizzes/check"
    started = post_form(client, url + "/start", token_from=url)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    take = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    field = re.search(r'name="(q-[0-9a-f]{16})"', take).group(1)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    costs = []

    def cost(_sender, **_extra):
        costs.append(g.sql_count)

    with request_finished.connected_to(cost, app):
        response = client.post(f"/attempts/{attempt_id}/submit",
                               data={field: "true", "confirm": "yes", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    (certificate,) = db.session.scalars(select(Certificate).where(Certificate.user_id == rep.id))
    assert certificate.earned_on == TODAY
    assert db.session.scalar(select(OutboxEvent.type).where(OutboxEvent.rep_id == rep.id)
                             .where(OutboxEvent.type.like("certification.%"))) \
        == "certification.earned"
    assert costs[0] <= 12  # the budget of every request: the ramp's lock (PostgreSQL), the
    # passes and certificates held in one read, the certificate, its event
