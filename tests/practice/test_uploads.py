"""Uploading a practice recording: what is stored, what is refused (with a message, and
nothing kept), and who may fetch the file back."""
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.practice.models import Submission
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user
from tests.practice.recordings import fetch, make_submission, wav_bytes, webm_bytes

URL = "/practice/cold-pitch/submissions"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 4000


@pytest.fixture
def rep_client(app, data_context, synced_track, signed_in, monkeypatch, tmp_path):
    for each in (app, data_context):  # the app serving requests, and the tests' twin
        monkeypatch.setitem(each.config, "RECORDINGS_DIR",
                            str(tmp_path / "instance" / "recordings"))
    rep = make_user(Role.REP)
    coach = make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(rep)
    client.coach = coach
    return client


def upload(client, content: bytes, name="take.webm", mimetype="video/webm", token=True):
    data = {"recording": (io.BytesIO(content), name, mimetype)}
    if token:
        data["csrf_token"] = csrf_token(client, "/practice/cold-pitch")
    return client.post(URL, data=data, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    root = Path(app.config["RECORDINGS_DIR"])
    return sorted(root.iterdir()) if root.exists() else []


def nothing_stored(app) -> bool:
    return stored_files(app) == [] and db.session.scalar(select(func.count(Submission.id))) == 0


def test_a_recording_is_stored_under_a_random_name_and_listed(app, rep_client):
    response = upload(rep_client, webm_bytes(), name="my pitch.webm")
    assert response.status_code == 302
    (submission,) = db.session.scalars(select(Submission))
    assert submission.kind == "weba" and submission.storage_key != "my pitch.webm"
    assert [p.name for p in stored_files(app)] == [submission.storage_key]
    page = rep_client.get("/practice/cold-pitch").get_data(as_text=True)
    assert "Waiting for review" in page


def test_a_webm_with_a_video_track_plays_as_video(app, rep_client):
    video_track = b"\xae\x83\x83\x81\x01"  # a TrackEntry holding TrackType 1
    content = webm_bytes()
    content = content[:24] + video_track + content[24:]
    assert upload(rep_client, content).status_code == 302
    submission = db.session.scalar(select(Submission))
    assert submission.kind == "webm"
    assert fetch(rep_client, f"/practice/submissions/{submission.id}/recording").mimetype == \
        "video/webm"


def test_a_wav_longer_than_the_exercise_allows_is_refused(app, rep_client):
    response = upload(rep_client, wav_bytes(75, rate=4000), name="long.wav", mimetype="audio/wav")
    assert response.status_code == 400
    assert "lasts 1:15; Cold pitch allows at most 1:00" in response.get_data(as_text=True)
    assert nothing_stored(app)


def test_an_oversized_recording_is_refused_before_it_is_read(app, rep_client, monkeypatch):
    monkeypatch.setitem(app.config, "RECORDING_MAX_BYTES", 100 * 1024)
    response = upload(rep_client, webm_bytes(payload=300 * 1024))
    assert response.status_code == 413
    assert "larger than the limit of 100 KB" in response.get_data(as_text=True)
    assert nothing_stored(app)


def test_an_oversized_recording_is_refused_while_it_is_copied(app, rep_client, monkeypatch):
    """Within the request's allowance for the form around it, past the recording's limit."""
    monkeypatch.setitem(app.config, "RECORDING_MAX_BYTES", 8000)
    response = upload(rep_client, webm_bytes(payload=9000))
    assert response.status_code == 400
    assert "larger than the limit" in response.get_data(as_text=True)
    assert nothing_stored(app)


@pytest.mark.parametrize("content,name,mimetype", [
    (PNG, "pitch.webm", "video/webm"),                  # disguised by its extension
    (b"just some text " * 300, "pitch.txt", "audio/wav"),  # disguised by its header
    (b"<script>alert(1)</script>" * 100, "pitch.mp3", "audio/mpeg"),
])
def test_a_file_that_is_not_a_recording_is_refused_whatever_it_claims(
        app, rep_client, content, name, mimetype):
    response = upload(rep_client, content, name=name, mimetype=mimetype)
    assert response.status_code == 400
    assert "This file is not a recording: its content is not WebM, Ogg, MP4, MP3 or WAV" in \
        response.get_data(as_text=True)
    assert nothing_stored(app)


@pytest.mark.parametrize("content,kind", [
    (wav_bytes(3)[:3000], "WAV"),
    (webm_bytes()[:26], "WebM"),
])
def test_a_truncated_recording_is_refused(app, rep_client, content, kind):
    response = upload(rep_client, content, name="cut.bin", mimetype="application/octet-stream")
    assert response.status_code == 400
    assert f"This {kind} recording is cut short" in response.get_data(as_text=True)
    assert nothing_stored(app)


@pytest.mark.parametrize("name", ["../../escape.webm", "..\\..\\escape.webm",
                                  "/etc/cron.d/escape"])
def test_a_name_that_tries_to_leave_the_storage_folder_is_refused(app, rep_client, name,
                                                                   tmp_path):
    response = upload(rep_client, webm_bytes(), name=name)
    assert response.status_code == 400
    assert "is not a plain file name" in response.get_data(as_text=True)
    assert nothing_stored(app)
    root = Path(app.config["RECORDINGS_DIR"])
    assert not (root.parent / "escape.webm").exists()
    assert not (root.parent.parent / "escape.webm").exists()


def test_an_upload_without_the_form_token_is_refused(app, rep_client):
    response = upload(rep_client, webm_bytes(), token=False)
    assert response.status_code == 400
    assert nothing_stored(app)


def test_a_range_request_returns_the_bytes_asked_for(app, rep_client):
    content = wav_bytes(2)
    submission = make_submission(rep_client.user, content)
    url = f"/practice/submissions/{submission.id}/recording"
    whole = fetch(rep_client, url)
    assert whole.status_code == 200 and whole.mimetype == "audio/wav"
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = fetch(rep_client, url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(content)}"
    assert part.data == content[1000:2000]
    tail = fetch(rep_client, url, headers={"Range": f"bytes={len(content) - 10}-"})
    assert tail.data == content[-10:]


def test_only_the_rep_and_those_who_see_them_fetch_the_recording(app, rep_client, signed_in):
    submission = make_submission(rep_client.user)
    url = f"/practice/submissions/{submission.id}/recording"
    other_rep = make_user(Role.REP)
    other_coach = make_user(Role.COACH)
    make_cohort(reps=[other_rep], coaches=[other_coach])
    assert fetch(signed_in(other_rep), url).status_code == 404
    assert fetch(signed_in(other_coach), url).status_code == 404
    page = f"/practice/submissions/{submission.id}"
    assert fetch(signed_in(other_coach), page).status_code == 404
    assert fetch(signed_in(rep_client.coach), url).status_code == 200
    assert fetch(rep_client, url).status_code == 200


def test_erasing_a_reps_recordings_removes_their_files(app, rep_client):
    kept = make_submission(make_cohort_rep())
    make_submission(rep_client.user)
    make_submission(rep_client.user)
    result = app.test_cli_runner().invoke(
        args=["practice", "erase-recordings", rep_client.user.email.upper()])
    assert result.exit_code == 0, result.output
    assert f"Erased 2 recordings of {rep_client.user.email}" in result.output
    assert [p.name for p in stored_files(app)] == [kept.storage_key]
    assert db.session.scalar(select(func.count(Submission.id))) == 1


def make_cohort_rep():
    rep = make_user(Role.REP)
    make_cohort(reps=[rep])
    return rep
