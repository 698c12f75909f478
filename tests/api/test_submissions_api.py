"""GET /api/v1/reps/<id>/submissions: a rep's practice recordings with the coach's and the
peers' reviews, for the staff who may see the rep, refused to everyone else; never the file."""
import pytest

from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.practice.services import peer_review_submission, review_submission
from tests.factories import make_cohort
from tests.helpers import make_user
from tests.practice.recordings import make_submission, rubric_of


@pytest.fixture
def team(app, data_context, synced_track, monkeypatch, tmp_path):
    """Ana (coached by Kim, with Pat in her cohort) recorded the peer exercise twice: Kim asked
    for another take of the first, Pat reviewed it; the second waits. Cy is coached by Lou."""
    for each in (app, data_context):
        monkeypatch.setitem(each.config, "RECORDINGS_DIR", str(tmp_path / "recordings"))
    kim, lou = make_user(Role.COACH, name="Kim Coach"), make_user(Role.COACH)
    ana, pat = make_user(Role.REP, name="Ana Rep"), make_user(Role.REP, name="Pat Peer")
    cy = make_user(Role.REP)
    make_cohort(reps=[ana, pat], coaches=[kim], territory="EMEA")
    make_cohort(reps=[cy], coaches=[lou], territory="DACH")
    first = make_submission(ana, slug="peer-pitch")
    rubric = rubric_of(first)
    review_submission(submission=first, rubric=rubric, coach=kim, scores=[5, 5, 5],
                      summary="Again, with a next step.", comments_text="0:02 Name the date",
                      resubmit=True, now=first.submitted_at)
    peer_review_submission(submission=first, rubric=rubric, peer=pat, scores=[4, 4, 4],
                           summary="Nice.", comments_text="", now=first.submitted_at)
    db.session.commit()
    second = make_submission(ana, slug="peer-pitch")
    return {"kim": kim, "lou": lou, "ana": ana, "pat": pat, "cy": cy, "first": first,
            "second": second}


def test_the_reps_coach_reads_the_submissions_and_their_reviews(team, api):
    ana, first, second = team["ana"], team["first"], team["second"]
    response = api(team["kim"]).get(f"/api/v1/reps/{ana.id}/submissions")
    assert response.status_code == 200, response.json
    waiting, reviewed = response.json["items"]
    assert (waiting["id"], waiting["state"], waiting["reviews"]) == (second.id, "waiting", [])
    assert waiting["review_due_on"] == second.review_due_on.isoformat()
    assert (reviewed["id"], reviewed["exercise"], reviewed["exercise_title"],
            reviewed["state"], reviewed["duration_seconds"]) == (
        first.id, "peer-pitch", "Peer pitch", "resubmit", 3.0)
    coach, peer = reviewed["reviews"]
    assert {k: coach[k] for k in ("peer", "reviewer", "scores", "score", "passed", "resubmit",
                                  "summary", "comments")} == {
        "peer": False, "reviewer": "Kim Coach", "scores": [5, 5, 5], "score": 1.0,
        "passed": True, "resubmit": True, "summary": "Again, with a next step.",
        "comments": [{"at": 2, "text": "Name the date"}]}
    assert (peer["peer"], peer["reviewer"], peer["summary"]) == (True, "Pat Peer", "Nice.")


def test_no_file_name_or_link_to_the_recording_is_given(team, api):
    body = api(team["kim"]).get(f"/api/v1/reps/{team['ana'].id}/submissions").get_data(
        as_text=True)
    for secret in (team["first"].storage_key, team["second"].storage_key, "/recording"):
        assert secret not in body


def test_staff_who_may_not_see_the_rep_and_reps_are_refused(team, api):
    url = f"/api/v1/reps/{team['ana'].id}/submissions"
    for user, status in ((team["lou"], 404), (make_user(Role.MANAGER, territory="DACH"), 404),
                         (team["ana"], 403), (team["pat"], 403), (team["cy"], 403)):
        response = api(user).get(url)
        assert response.status_code == status, (user.role, response.json)
        assert response.mimetype == "application/problem+json"
        assert "Again, with a next step." not in response.get_data(as_text=True)
    assert api(team["kim"]).get("/api/v1/reps/999999/submissions").status_code == 404
    assert api(None).get(url).status_code == 401


def test_a_rep_without_recordings_has_an_empty_list(team, api):
    response = api(team["lou"]).get(f"/api/v1/reps/{team['cy'].id}/submissions")
    assert response.status_code == 200 and response.json == {"items": []}
