"""Account forms: field validators check shape; services enforce the rules."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, HiddenField, PasswordField, SelectField,
                     StringField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from cev_learn.accounts.models import Role
from cev_learn.accounts.passwords import MAX_LENGTH, MIN_LENGTH, guessable
from cev_learn.platform import time_zones
from cev_learn.platform.text_direction import direction_control_problem

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


def zone_choices() -> list[SelectChoice]:
    """Every zone a person may choose, as "America/New York" for America/New_York."""
    return [SelectChoice(name, name.replace("_", " ")) for name in time_zones.zone_names()]


def known_time_zone(form, field):
    """A zone must be one cev_learn knows (a blank one is left to Optional/DataRequired)."""
    if field.data and time_zones.zone_problem(field.data):
        raise ValidationError(time_zones.zone_problem(field.data))


def browser_time_zone_field() -> HiddenField:
    """The zone the browser reports (set by static/js/time_zone.js; empty without scripts):
    kept for a person who has none yet. Never refused: an odd value is simply not kept."""
    return HiddenField(render_kw={"data-browser-time-zone": ""})


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")
    browser_time_zone = browser_time_zone_field()


def not_guessable(form, field):
    """A new password must not be common or built from the person's own name or email."""
    personal = tuple(getattr(form, name).data or "" for name in ("email", "name")
                     if hasattr(form, name))
    problem = guessable(field.data or "", personal + getattr(form, "personal", ()))
    if problem:
        raise ValidationError(problem)


def no_direction_controls(form, field):
    """A name may not hold invisible characters that make it read as something else."""
    problem = direction_control_problem(field.label.text, field.data or "")
    if problem:
        raise ValidationError(problem)


def _new_password_fields():
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH), not_guessable],
        description=f"At least {MIN_LENGTH} characters. A short sentence works well.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    return password, confirm


class _UserFieldsForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254),
                                            Email(message="Enter a valid email address.")])
    name = StringField("Full name",
                       validators=[DataRequired(), Length(max=120), no_direction_controls])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    territory = StringField("Territory",
                            validators=[Optional(), Length(max=80), no_direction_controls],
                            description="For example EMEA North. Used to compare ramp by region.")
    start_on = DateField("Start date", validators=[Optional()],
                         description="A rep's first day. Schedules count days from it.")
    time_zone = SelectField(
        "Time zone", choices=[SelectChoice("", "Their browser's, at their first sign-in"),
                              *zone_choices()],
        validate_choice=False, validators=[Optional(), known_time_zone],
        description="Every time is shown to them in it; they can change it on their account.")


NO_WAY_IN = "Set a password, or invite them to choose their own."


class UserCreateForm(_UserFieldsForm):
    invite = BooleanField("Invite them to choose their own password", default=True,
                          description="A one-time link by email that works for a week. Or "
                                      "untick it and set a password below.")
    password = PasswordField(
        "Password", validators=[Optional(), Length(min=MIN_LENGTH, max=MAX_LENGTH), not_guessable],
        description=f"Only without an invitation. At least {MIN_LENGTH} characters.")
    confirm = PasswordField("Repeat the password", validators=[
        EqualTo("password", message="The two passwords differ.")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.password.data and not self.invite.data:
            self.password.errors = [*self.password.errors, NO_WAY_IN]
            return False
        return valid


class UserEditForm(_UserFieldsForm):
    pass


class _PersonalForm(FlaskForm):
    """A password form for an existing person: their email and name make weak passwords."""

    def __init__(self, *args, personal: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.personal = personal


class PasswordResetForm(_PersonalForm):
    password, confirm = _new_password_fields()


class ChoosePasswordForm(_PersonalForm):
    """A password chosen through a one-time link (an invitation or a password reset)."""

    password, confirm = _new_password_fields()
    browser_time_zone = browser_time_zone_field()


class TimeZoneForm(FlaskForm):
    time_zone = SelectField(
        "Time zone", choices=zone_choices(), validate_choice=False,
        validators=[DataRequired(message=time_zones.zone_problem("")), known_time_zone],
        description="Deadlines, sign-in times and every other time in cev_learn are shown in "
                    "it, with its abbreviation (like CET).")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", filters=[lambda value: value.strip() if value else value],
                       validators=[DataRequired(), Length(max=254),
                                   Email(message="Enter a valid email address.")])


class PasswordChangeForm(_PersonalForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password, confirm = _new_password_fields()


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""


class DeactivateForm(FlaskForm):
    confirm = BooleanField("Yes, deactivate this account", validators=[DataRequired()])
