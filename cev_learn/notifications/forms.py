from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from cev_learn.notifications.models import EmailFrequency


class MarkAllReadForm(FlaskForm):
    """Only the CSRF token: marking read changes state."""


class EmailPreferenceForm(FlaskForm):
    frequency = RadioField(
        "Email me about notifications",
        choices=[SelectChoice(f.value, f.label) for f in EmailFrequency],
        description="Emails write times in your time zone.")
