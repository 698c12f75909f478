"""A coach reviews a practice recording: the queue, scores against the rubric with no level
chosen beforehand, comments pinned to times, and a passing review completing the sign-off."""
import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.cohorts.models import Signoff
from cev_learn.platform.db import db
from cev_learn.practice.comments import BadComment, parse_pinned_comments
from cev_learn.practice.models import Review, Submission, SubmissionState
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user
from tests.practice.recordings import make_submission


@pytest.fixture
def practice(app, data_context, synced_track, signed_in, monkeypatch, tmp_path):
    for each in (app, data_context):
        monkeypatch.setitem(each.config, "RECORDINGS_DIR", str(tmp_path / "recordings"))
    rep, coach = make_user(Role.REP, name="Rita Rep"), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    return signed_in(rep), signed_in(coach)


def state_of(submission) -> SubmissionState:
    return db.session.scalar(select(Submission.state).where(Submission.id == submission.id))


def review(client, submission_id, **fields):
    url = f"/practice/submissions/{submission_id}/review"
    data = {"csrf_token": csrf_token(client, url), **fields}
    return client.post(url, data=data)


def test_the_queue_lists_waiting_recordings_of_the_coachs_reps_oldest_first(practice, signed_in):
    rep_client, coach_client = practice
    first = make_submission(rep_client.user)
    second = make_submission(rep_client.user)
    stranger = make_user(Role.REP, name="Sam Stranger")
    make_cohort(reps=[stranger])
    make_submission(stranger)
    page = coach_client.get("/practice/reviews").get_data(as_text=True)
    assert "Sam Stranger" not in page
    assert page.index(f"/practice/submissions/{first.id}/review") < \
        page.index(f"/practice/submissions/{second.id}/review")


def test_no_score_is_chosen_beforehand_and_a_missing_one_is_named(practice):
    rep_client, coach_client = practice
    submission = make_submission(rep_client.user)
    page = coach_client.get(f"/practice/submissions/{submission.id}/review").get_data(
        as_text=True)
    assert "checked" not in page
    response = review(coach_client, submission.id, score_0="4", score_1="4")
    assert response.status_code == 400
    assert "Choose a level from 1 to 5 for Next step." in response.get_data(as_text=True)
    assert db.session.scalar(select(Review.id)) is None


def test_a_passing_review_records_the_signoff_and_the_rep_sees_pinned_comments(practice):
    rep_client, coach_client = practice
    submission = make_submission(rep_client.user)
    response = review(coach_client, submission.id, score_0="5", score_1="4", score_2="4",
                      summary="Strong discovery.", comments="0:02 Great opening question\n"
                                                            "0:01 Slow down here")
    assert response.status_code == 302
    (signoff,) = db.session.scalars(select(Signoff))
    assert signoff.user_id == rep_client.user.id and signoff.passed
    assert state_of(submission) is SubmissionState.REVIEWED
    page = rep_client.get(f"/practice/submissions/{submission.id}").get_data(as_text=True)
    assert "Strong discovery." in page
    assert page.index('data-seek="1"') < page.index('data-seek="2"')
    assert "Great opening question" in page


def test_asking_for_another_take_records_no_signoff(practice):
    rep_client, coach_client = practice
    submission = make_submission(rep_client.user)
    review(coach_client, submission.id, score_0="5", score_1="5", score_2="5", resubmit="y",
           summary="Again, with a dated next step.")
    assert db.session.scalar(select(Signoff.id)) is None
    assert state_of(submission) is SubmissionState.RESUBMIT
    page = rep_client.get(f"/practice/submissions/{submission.id}").get_data(as_text=True)
    assert "Record it again" in page


def test_a_comment_past_the_end_is_refused_and_nothing_is_saved(practice):
    rep_client, coach_client = practice
    submission = make_submission(rep_client.user)  # three seconds
    response = review(coach_client, submission.id, score_0="3", score_1="3", score_2="3",
                      comments="0:40 Too late")
    assert response.status_code == 400
    assert "0:40 is past the end of the recording (0:03)" in response.get_data(as_text=True)
    assert db.session.scalar(select(Review.id)) is None


def test_a_coach_of_another_cohort_cannot_review(practice, signed_in):
    rep_client, _ = practice
    submission = make_submission(rep_client.user)
    other = make_user(Role.COACH)
    make_cohort(coaches=[other])
    assert signed_in(other).get(f"/practice/submissions/{submission.id}/review").status_code \
        == 404


@pytest.mark.parametrize("text,expected", [
    ("1:05 Ask why\n\n0:10 Good", [{"at": 10, "text": "Good"}, {"at": 65, "text": "Ask why"}]),
    ("1:00:01 Late", [{"at": 3601, "text": "Late"}]),
])
def test_pinned_comments_are_read_in_time_order(text, expected):
    assert parse_pinned_comments(text, None) == expected


@pytest.mark.parametrize("text,message", [
    ("Ask why", "Comment line 1: start with the time"),
    ("0:75 Odd", "Comment line 1: 0:75 is not a time"),
])
def test_unreadable_comment_lines_are_named(text, message):
    with pytest.raises(BadComment, match=message):
        parse_pinned_comments(text, None)
