"""Small recordings made on the spot, and practice submissions stored through the service."""
import io
import struct

from sqlalchemy import select

from cev_learn.content.models import Exercise
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.media_storage import RecordingStore, recording_store
from cev_learn.practice.models import Submission
from cev_learn.practice.queries import rubric_of as exercise_rubric
from cev_learn.practice.services import submit_recording


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    """A mono 8-bit WAV of silence lasting `seconds`."""
    data = b"\x80" * int(seconds * rate)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webm_bytes(payload: int = 2048) -> bytes:
    """The head of a WebM file as a browser's recorder writes it: the EBML header (doctype
    webm), then a Segment of unknown size holding a Cluster."""
    doctype = b"\x42\x82\x84webm"
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doctype)]) + doctype
    cluster = b"\x1f\x43\xb6\x75\x01\xff\xff\xff\xff\xff\xff\xff" + b"\0" * payload
    return header + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + cluster


def exercise(slug: str = "cold-pitch") -> Exercise:
    return db.session.scalar(select(Exercise).where(Exercise.slug == slug))


def rubric_of(submission: Submission):
    """The rubric the submission's exercise is scored against."""
    return exercise_rubric(db.session.get(Submission, submission.id).exercise)


def make_submission(rep, content: bytes | None = None, slug: str = "cold-pitch", app=None):
    """A submission of the rep, stored (where `app` keeps recordings, else the current app)
    and committed."""
    store = RecordingStore(app.config["RECORDINGS_DIR"]) if app else recording_store()
    submission = submit_recording(rep=rep, exercise=exercise(slug),
                                  stream=io.BytesIO(content or wav_bytes(3)),
                                  store=store, max_bytes=10_000_000, review_days=2,
                                  now=utcnow())
    db.session.commit()
    return submission


def fetch(client, url: str, **kwargs):
    """The response, read whole and closed (files are streamed)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response
