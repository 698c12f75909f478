"""Cohort, assignment, sign-off and note forms: shape only; services enforce the rules."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from cev_learn.accounts.forms import no_direction_controls

SCORE_CHOICES = [SelectChoice("1", "1 — not yet"), SelectChoice("2", "2"),
                 SelectChoice("3", "3 — solid"), SelectChoice("4", "4"),
                 SelectChoice("5", "5 — excellent")]



class CohortForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), no_direction_controls],
                       description="For example 2026-Q1 AEs EMEA.")
    track = SelectField("Track", validators=[DataRequired()])
    start_on = DateField("Start date", validators=[InputRequired()],
                         description="Day 0 of the schedule for members without their own date.")
    territory = StringField("Territory",
                            validators=[Optional(), Length(max=80), no_direction_controls])
    # One checkbox per coach: ticking one never unticks the others, as a click in a
    # multiple select does.
    coaches = SelectMultipleField("Coaches", validators=[Optional()], coerce=int,
                                  widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(),
                                  description="Tick every coach of this cohort.")


class MemberForm(FlaskForm):
    rep = EmailField("Rep's email", validators=[DataRequired("Enter the rep's email."),
                                                Length(max=254)],
                     render_kw={"list": "unplaced-reps"},
                     description="Suggestions are reps in no cohort yet. A rep already in "
                                 "another cohort you manage moves here; history stays.")
    start_on = DateField("Individual start date", validators=[Optional()],
                         description="Leave empty to use the cohort's start date.")
    end_on = DateField("Left the company on", validators=[Optional()])
    invite = BooleanField("Invite them if they have not joined yet", default=True,
                          description="A one-time link by email to choose their password, "
                                      "valid a week. Never sent twice while one is open.")


class AssignmentForm(FlaskForm):
    item = SelectField("Module or quiz", validators=[DataRequired()])
    due_on = DateField("Due date", validators=[InputRequired()])
    note = TextAreaField("Note for the rep", validators=[Optional(), Length(max=1000)])
    whole_cohort = BooleanField("Assign to the whole cohort")


class NoteForm(FlaskForm):
    body = TextAreaField("Coaching note", validators=[DataRequired(), Length(max=5000)])
    shared = BooleanField("Share with the rep",
                          description="Unticked, only the rep's coaches and managers see it.")


def signoff_form(criteria: list[str]):
    """A form with one score and one comment per rubric criterion; no level is chosen
    beforehand, so a coach cannot record a score by leaving a criterion as it was."""

    class SignoffForm(FlaskForm):
        pass

    for index, criterion in enumerate(criteria):
        setattr(SignoffForm, f"score_{index}",
                RadioField(criterion, choices=SCORE_CHOICES, default=None,
                           invalid_choice_message=f"Choose a level from 1 to 5 for {criterion}."))
        setattr(SignoffForm, f"comment_{index}",
                TextAreaField(f"Comment on {criterion.lower()}",
                              validators=[Optional(), Length(max=1000)]))
    return SignoffForm


class MilestoneForm(FlaskForm):
    achieved_on = DateField("Reached on", validators=[Optional()],
                            description="Leave empty to clear it and let cev_learn measure it.")
    note = StringField("Note", validators=[Optional(), Length(max=500)])
