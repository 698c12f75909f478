"""GET /api/v1/reps/<id>/certificates: a rep's certificates with their status and
verification link, for the staff who may see the rep's page, refused to everyone else."""
import datetime as dt
from urllib.parse import urlsplit

import pytest

from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from tests.certifications.test_earning import certificates, pass_quiz, sign_off, track  # noqa: F401
from tests.factories import make_cohort
from tests.helpers import make_user

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


@pytest.fixture
def team(track):
    """Ana (coached by Kim, EMEA) holds the certificate; Cy is coached by Lou (DACH)."""
    kim, lou = make_user(Role.COACH), make_user(Role.COACH)
    ana = make_user(Role.REP, name="Ana Rep", email="ana@example.com")
    cy = make_user(Role.REP)
    make_cohort(name="Spring", reps=[ana], coaches=[kim], territory="EMEA")
    make_cohort(name="Autumn", reps=[cy], coaches=[lou], territory="DACH")
    quiz, rubric = track
    sign_off(ana, rubric, kim, NOW.date())
    pass_quiz(ana, quiz, NOW)
    db.session.commit()
    return {"kim": kim, "lou": lou, "ana": ana, "cy": cy, "quiz": quiz}


def test_the_reps_coach_reads_the_certificate_and_its_verification_link(app, team, api):
    ana = team["ana"]
    (held,) = certificates(ana)
    response = api(team["kim"]).get(f"/api/v1/reps/{ana.id}/certificates")
    assert response.status_code == 200, response.json
    (item,) = response.json["items"]
    link = item.pop("verification_url")
    assert item == {"id": held.id, "certification": "pitch-ready", "title": "Pitch ready",
                    "track": "test-track", "earned_on": "2026-03-02",
                    "expires_on": "2027-03-02",
                    "status": "valid" if dt.date.today() < held.expires_on else "expired",
                    "renewal_assigned_on": None}
    assert link == f"{app.config['BASE_URL'].rstrip('/')}/verify/{held.code}"
    page = app.test_client().get(urlsplit(link).path)  # signed out
    assert page.status_code == 200 and "Pitch ready" in page.get_data(as_text=True)


def test_a_renewed_certificate_is_listed_superseded_after_the_new_one(team, api):
    ana = team["ana"]
    (first,) = certificates(ana)
    renewal = dt.datetime.combine(first.expires_on - dt.timedelta(days=10), dt.time(9), dt.UTC)
    pass_quiz(ana, team["quiz"], renewal)
    db.session.commit()
    items = api(make_user(Role.ADMIN)).get(f"/api/v1/reps/{ana.id}/certificates").json["items"]
    assert [(i["earned_on"], i["status"]) for i in items] == [
        (renewal.date().isoformat(), "valid"), ("2026-03-02", "superseded")]


def test_a_rep_without_certificates_has_an_empty_list(team, api):
    response = api(team["lou"]).get(f"/api/v1/reps/{team['cy'].id}/certificates")
    assert response.status_code == 200 and response.json == {"items": []}


def test_staff_who_may_not_see_the_rep_and_reps_are_refused(team, api):
    url = f"/api/v1/reps/{team['ana'].id}/certificates"
    for user, status in ((team["lou"], 404), (make_user(Role.MANAGER, territory="DACH"), 404),
                         (team["ana"], 403), (team["cy"], 403)):
        response = api(user).get(url)
        assert response.status_code == status, (user.role, response.json)
        assert response.mimetype == "application/problem+json"
        assert "Pitch ready" not in response.get_data(as_text=True)
    assert api(team["kim"]).get("/api/v1/reps/999999/certificates").status_code == 404
    assert api(None).get(url).status_code == 401
