"""Practice forms: shape only; the services enforce the rules."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import Length, Optional

from cev_learn.cohorts.forms import SCORE_CHOICES


class RecordingForm(FlaskForm):
    recording = FileField("Recording", validators=[FileRequired(
        "Record a take or choose a file (WebM, Ogg, MP4, MP3 or WAV) first.")],
        render_kw={"accept": "audio/*,video/*"},
        description="Recorded above, or a file of yours: WebM, Ogg, MP4, MP3 or WAV.")


def review_form(criteria: list[str], peer: bool = False):
    """One score per rubric criterion, none chosen beforehand (as a sign-off), the summary,
    the time-pinned comments and (a coach's, not a peer's) whether to ask for another take."""

    class ReviewForm(FlaskForm):
        summary = TextAreaField("Summary for your colleague" if peer else "Summary for the rep",
                                validators=[Optional(), Length(max=5000)])
        comments = TextAreaField(
            "Comments pinned to a time", validators=[Optional(), Length(max=20_000)],
            description='One a line, the time first: "1:05 Ask why now before pitching". '
                        '"Comment at current time" adds the player\'s time.')

    if not peer:
        ReviewForm.resubmit = BooleanField(
            "Ask the rep to record it again",
            description="The rep sees your review and submits a new take; no sign-off is "
                        "recorded.")
    for index, criterion in enumerate(criteria):
        setattr(ReviewForm, f"score_{index}",
                RadioField(criterion, choices=SCORE_CHOICES, default=None,
                           invalid_choice_message=f"Choose a level from 1 to 5 for {criterion}."))
    return ReviewForm
