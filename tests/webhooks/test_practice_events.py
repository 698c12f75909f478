"""Practice events: a recording submitted (practice.submitted) and a coach's review of it
(practice.reviewed), written with the change and delivered, signed, to a real receiver. A
peer's review is not announced: it changes nothing."""
import io

import pytest
from standardwebhooks import Webhook

from bench.receiver import Receiver
from cev_learn.accounts.models import Role
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user
from tests.practice.recordings import make_submission, wav_bytes
from tests.webhooks.helpers import register, run_worker
from tests.webhooks.test_events import stored


@pytest.fixture
def practice(app, data_context, synced_track, signed_in, monkeypatch, tmp_path):
    for each in (app, data_context):
        monkeypatch.setitem(each.config, "RECORDINGS_DIR", str(tmp_path / "recordings"))
    rep, peer = make_user(Role.REP, name="Rita Rep"), make_user(Role.REP)
    coach = make_user(Role.COACH, name="Kim Coach")
    make_cohort(reps=[rep, peer], coaches=[coach])
    return signed_in(rep), signed_in(peer), signed_in(coach)


def post(client, url, form_url, data, **options):
    return client.post(url, data={"csrf_token": csrf_token(client, form_url), **data},
                       **options)


def test_a_submission_and_its_coachs_review_are_announced_and_delivered(app, practice):
    rep, peer, coach = practice
    with Receiver() as receiver:
        endpoint = register(receiver.url)
        response = post(rep, "/practice/peer-pitch/submissions", "/practice/peer-pitch",
                        {"recording": (io.BytesIO(wav_bytes(3)), "take.wav", "audio/wav")},
                        content_type="multipart/form-data")
        assert response.status_code == 302
        (submitted,) = stored("practice.submitted")
        submission_id = submitted.data["submission"]["id"]
        assert submitted.rep_id == rep.user.id
        assert submitted.data["exercise"] == {"slug": "peer-pitch", "title": "Peer pitch",
                                              "rubric": "pitch"}
        assert submitted.data["submission"]["duration_seconds"] == 3.0
        url = f"/practice/submissions/{submission_id}"
        post(peer, url + "/peer-review", url + "/peer-review",
             {"score_0": "5", "score_1": "5", "score_2": "5"})
        post(coach, url + "/review", url + "/review",
             {"score_0": "5", "score_1": "5", "score_2": "4", "summary": "Ready."})
        (reviewed,) = stored("practice.reviewed")  # the coach's; the peer's is not announced
        run_worker(app)
    payloads = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]
    by_type = {p["type"]: p["data"] for p in payloads}
    assert {"practice.submitted", "practice.reviewed"} <= set(by_type)
    review = by_type["practice.reviewed"]
    assert review["submission"] == {"id": submission_id, "state": "reviewed"}
    assert {k: review["review"][k] for k in ("score", "passed", "resubmit", "pass_mark",
                                             "signoff_recorded")} == {
        "score": 0.9167, "passed": True, "resubmit": False, "pass_mark": 0.7,
        "signoff_recorded": True}
    assert review["coach"]["name"] == "Kim Coach"
    assert review["rep"]["name"] == "Rita Rep"
    assert reviewed.data == {k: v for k, v in review.items() if k != "rep"}


def test_asking_for_another_take_is_announced_as_such(practice):
    rep, _peer, coach = practice
    submission = make_submission(rep.user)
    url = f"/practice/submissions/{submission.id}/review"
    post(coach, url, url, {"score_0": "2", "score_1": "2", "score_2": "2", "resubmit": "y"})
    (reviewed,) = stored("practice.reviewed")
    assert reviewed.data["submission"]["state"] == "resubmit"
    assert (reviewed.data["review"]["resubmit"], reviewed.data["review"]["passed"],
            reviewed.data["review"]["signoff_recorded"]) == (True, False, False)
