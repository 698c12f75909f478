"""Peer reviews: reps of the submitter's cohort play a recording of an exercise that takes
peer reviews and score it, once each, never their own; it counts for nothing and is shown apart
from the coach's review. Anyone else gets the 404 of a recording that does not exist."""
import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.certifications.models import Certificate
from cev_learn.cohorts.models import Signoff
from cev_learn.platform.db import db
from cev_learn.platform.media_storage import recording_store
from cev_learn.practice.models import Review, Submission, SubmissionState
from cev_learn.practice.services import erase_recordings
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user
from tests.practice.recordings import fetch, make_submission

FULL_MARKS = {"score_0": "5", "score_1": "5", "score_2": "5"}


@pytest.fixture
def cohort(app, data_context, synced_track, signed_in, monkeypatch, tmp_path):
    """Rita and Pat in one cohort with their coach; Rita's recording of the peer exercise."""
    for each in (app, data_context):
        monkeypatch.setitem(each.config, "RECORDINGS_DIR", str(tmp_path / "recordings"))
    rita, pat = make_user(Role.REP, name="Rita Rep"), make_user(Role.REP, name="Pat Peer")
    coach = make_user(Role.COACH, name="Cora Coach")
    make_cohort(reps=[rita, pat], coaches=[coach])
    submission = make_submission(rita, slug="peer-pitch")
    return signed_in(rita), signed_in(pat), signed_in(coach), submission


def peer_review(client, submission_id, **fields):
    url = f"/practice/submissions/{submission_id}/peer-review"
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def reviews():
    return list(db.session.scalars(select(Review).order_by(Review.id)))


def test_a_cohort_mate_finds_the_recording_plays_it_and_reviews_it(cohort):
    rita, pat, _coach, submission = cohort
    practice = pat.get("/practice").get_data(as_text=True)
    assert "Your cohort's recordings to review" in practice
    assert f"/practice/submissions/{submission.id}/peer-review" in practice
    page = pat.get(f"/practice/submissions/{submission.id}").get_data(as_text=True)
    assert "Save peer review" in page and "checked" not in page
    assert "Ask the rep to record it again" not in page
    assert fetch(pat, f"/practice/submissions/{submission.id}/recording").status_code == 200
    response = peer_review(pat, submission.id, **FULL_MARKS, summary="Crisp opening.",
                           comments="0:01 Nice question")
    assert response.status_code == 302
    (review,) = reviews()
    assert (review.peer, review.reviewer_id, review.score) == (True, pat.user.id, 1.0)
    assert review.comments == [{"at": 1, "text": "Nice question"}]
    assert f"/practice/submissions/{submission.id}/peer-review" not in \
        pat.get("/practice").get_data(as_text=True)  # reviewed: off their list
    assert "Crisp opening." in pat.get(
        f"/practice/submissions/{submission.id}/peer-review").get_data(as_text=True)


def test_a_peer_review_counts_for_nothing(cohort):
    _rita, pat, _coach, submission = cohort
    peer_review(pat, submission.id, **FULL_MARKS)
    assert db.session.scalar(select(Submission.state).where(Submission.id == submission.id)) \
        is SubmissionState.WAITING
    assert db.session.scalar(select(Signoff.id)) is None
    assert db.session.scalar(select(Certificate.id)) is None


def test_the_rep_and_the_coach_see_peer_reviews_apart_from_the_coachs(cohort):
    rita, pat, coach, submission = cohort
    peer_review(pat, submission.id, **FULL_MARKS, summary="From a peer.")
    review_page = coach.get(f"/practice/submissions/{submission.id}/review").get_data(
        as_text=True)
    assert "Peer reviews" in review_page and "From a peer." in review_page
    url = f"/practice/submissions/{submission.id}/review"
    coach.post(url, data={"csrf_token": csrf_token(coach, url), "score_0": "2",
                          "score_1": "2", "score_2": "2", "summary": "From the coach."})
    page = rita.get(f"/practice/submissions/{submission.id}").get_data(as_text=True)
    assert page.index("From the coach.") < page.index("Peer reviews") < page.index("From a peer.")
    assert "Pat Peer" in page
    assert "From a peer." in coach.get(f"/practice/submissions/{submission.id}").get_data(
        as_text=True)
    exercise_page = rita.get("/practice/peer-pitch").get_data(as_text=True)
    assert "not passed yet" in exercise_page  # the coach's verdict, not the peer's full marks


def test_a_rep_of_another_cohort_gets_404_on_the_page_the_recording_and_the_post(
        cohort, signed_in):
    _rita, _pat, _coach, submission = cohort
    outsider = make_user(Role.REP)
    make_cohort(reps=[outsider])
    client = signed_in(outsider)
    base = f"/practice/submissions/{submission.id}"
    for url in (base, base + "/recording", base + "/peer-review"):
        assert fetch(client, url).status_code == 404, url
    missing = client.get("/practice/submissions/999999/peer-review")
    assert missing.status_code == 404
    response = client.post(base + "/peer-review",
                           data={"csrf_token": csrf_token(client, "/practice"), **FULL_MARKS})
    assert response.status_code == 404
    assert reviews() == []
    assert f"{base}/peer-review" not in client.get("/practice").get_data(as_text=True)


def test_recordings_of_exercises_without_peer_reviews_stay_private(cohort):
    rita, pat, _coach, _submission = cohort
    private = make_submission(rita.user)  # cold-pitch: no peer reviews
    base = f"/practice/submissions/{private.id}"
    for url in (base, base + "/recording", base + "/peer-review"):
        assert fetch(pat, url).status_code == 404, url
    response = pat.post(base + "/peer-review",
                        data={"csrf_token": csrf_token(pat, "/practice"), **FULL_MARKS})
    assert response.status_code == 404 and reviews() == []


def test_the_submitter_cannot_review_their_own_recording(cohort):
    rita, _pat, _coach, submission = cohort
    assert rita.get(f"/practice/submissions/{submission.id}/peer-review").status_code == 404
    assert f"/practice/submissions/{submission.id}/peer-review" not in \
        rita.get("/practice").get_data(as_text=True)
    response = rita.post(f"/practice/submissions/{submission.id}/peer-review",
                         data={"csrf_token": csrf_token(rita, "/practice"), **FULL_MARKS})
    assert response.status_code == 404 and reviews() == []


def test_a_second_peer_review_by_the_same_peer_is_refused(cohort):
    _rita, pat, _coach, submission = cohort
    peer_review(pat, submission.id, **FULL_MARKS, summary="First.")
    response = peer_review(pat, submission.id, **FULL_MARKS, summary="Second.")
    assert response.status_code == 400
    assert "You have reviewed this recording already." in response.get_data(as_text=True)
    assert [r.summary for r in reviews()] == ["First."]


def test_a_bad_comment_is_named_and_nothing_is_stored(cohort):
    _rita, pat, _coach, submission = cohort
    response = peer_review(pat, submission.id, **FULL_MARKS, comments="0:40 Too late")
    assert response.status_code == 400
    assert "0:40 is past the end of the recording (0:03)" in response.get_data(as_text=True)
    assert reviews() == []


def test_a_rep_who_left_the_cohort_reviews_it_no_more(cohort, signed_in):
    rita, pat, _coach, submission = cohort
    make_cohort(reps=[pat.user])  # moved to another cohort
    assert pat.get(f"/practice/submissions/{submission.id}/peer-review").status_code == 404


def test_erasing_a_reps_recordings_removes_the_peer_reviews_of_them_and_by_them(app, cohort):
    rita, pat, _coach, submission = cohort
    pats = make_submission(pat.user, slug="peer-pitch")
    peer_review(pat, submission.id, **FULL_MARKS, summary="Pat on Rita.")
    peer_review(rita, pats.id, **FULL_MARKS, summary="Rita on Pat.")
    with app.app_context():
        erased = erase_recordings(db.session.merge(pat.user), recording_store())
        db.session.commit()
    assert erased == 1
    assert reviews() == []  # Rita's review of Pat's recording, and Pat's review of Rita's
    assert db.session.scalar(select(Submission.id)) == submission.id
