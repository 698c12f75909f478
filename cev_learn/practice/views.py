"""A rep's practice exercises: record or upload a take, see earlier takes and their reviews
(their coach's and their cohort's); the recording itself, served only to those who may see
the rep and to the rep's cohort mates asked to review it (peer_views)."""
import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.extensions import csrf
from cev_learn.platform.media_storage import describe_size, file_name_problem, recording_store
from cev_learn.platform.recordings import KINDS
from cev_learn.platform.security import CONTENT_SECURITY_POLICY
from cev_learn.practice import peer_views, queries, services
from cev_learn.practice.forms import RecordingForm

FORM_OVERHEAD = 64 * 1024  # the form's other fields and multipart boundaries
# The recorder plays a take back from the browser's memory (blob:) and needs the microphone
# and camera, which every other page keeps off.
RECORDER_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY + "; media-src 'self' blob:",
    "Permissions-Policy": "camera=(self), microphone=(self), geolocation=()",
}


@role_required(Role.REP)
def index():
    exercises = queries.rep_exercises(current_user)
    return render_template("practice/index.html", exercises=exercises,
                           to_review=queries.peer_queue(current_user))


@role_required(Role.REP)
def exercise(exercise_slug: str):
    found = queries.rep_exercise(current_user, exercise_slug) or abort(404)
    return _exercise_page(found, RecordingForm(formdata=None)), 200, RECORDER_HEADERS


def _exercise_page(found, form, error: str | None = None) -> str:
    return render_template("practice/exercise.html", exercise=found, form=form, error=error,
                           submissions=queries.submissions_of(current_user, found),
                           max_bytes=current_app.config["RECORDING_MAX_BYTES"])


# The app-wide CSRF check would read the body under the app's smaller upload limit before this
# view raises it; the form checks its CSRF token itself (validate_on_submit), once raised.
@csrf.exempt
@role_required(Role.REP)
def submit(exercise_slug: str):
    found = queries.rep_exercise(current_user, exercise_slug) or abort(404)
    limit = current_app.config["RECORDING_MAX_BYTES"]
    if (request.content_length or 0) > limit + FORM_OVERHEAD:  # refused before it is read
        return _exercise_page(found, RecordingForm(formdata=None), too_large()), 413, \
            RECORDER_HEADERS
    request.max_content_length = limit + FORM_OVERHEAD
    form = RecordingForm()
    if not form.validate_on_submit():
        return _exercise_page(found, form), 400, RECORDER_HEADERS
    if problem := file_name_problem(form.recording.data.filename):
        return _exercise_page(found, RecordingForm(formdata=None), problem), 400, \
            RECORDER_HEADERS
    try:
        submission = services.submit_recording(
            rep=current_user, exercise=found, stream=form.recording.data.stream,
            store=recording_store(), max_bytes=limit,
            review_days=current_app.config["REVIEW_DAYS"], now=utcnow())
    except services.PracticeError as exc:
        db.session.rollback()
        return _exercise_page(found, RecordingForm(formdata=None), str(exc)), 400, \
            RECORDER_HEADERS
    due = submission.review_due_on
    db.session.commit()
    flash(f"Recording submitted; your coach reviews it by {due:%d %b %Y}.", "success")
    return redirect(url_for("practice.exercise", exercise_slug=exercise_slug))


def too_large(_exc=None) -> str:
    limit = current_app.config["RECORDING_MAX_BYTES"]
    return (f"This recording is larger than the limit of {describe_size(limit)}; "
            "record a shorter take or export it at a lower quality. Nothing was stored.")


def too_large_page(exc):
    """An upload that grew past the limit while it was read (no length announced)."""
    return render_template("practice/refused.html", message=too_large()), 413


@role_required(*Role)
def submission(submission_id: int):
    found = queries.visible_submission(current_user, submission_id)
    if found is None:  # a cohort mate asked to review it sees the peer's page
        return peer_views.page(queries.peer_submission(current_user, submission_id)
                               or abort(404))
    rubric = queries.rubric_of(found.exercise)
    return render_template("practice/submission.html", submission=found,
                           coach_reviews=[r for r in found.reviews if not r.peer],
                           peer_reviews=[r for r in found.reviews if r.peer],
                           kind=KINDS[found.kind], today=dt.date.today(),
                           rubric_criteria=rubric.criteria if rubric else None)


@role_required(*Role)
def recording(submission_id: int):
    """The file, with range requests so the player can seek; 404 to anyone who may neither
    see the rep nor review it as a peer (nobody learns which recordings exist)."""
    found = (queries.visible_submission(current_user, submission_id)
             or queries.peer_submission(current_user, submission_id) or abort(404))
    path = recording_store().path(found.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=KINDS[found.kind].mimetype, conditional=True,
                         etag=found.storage_key, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
