"""The forms of the admin webhook pages."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, StringField
from wtforms.validators import DataRequired, Length

from cev_learn.webhooks.addresses import MAX_URL_LENGTH
from cev_learn.webhooks.endpoints import MAX_DESCRIPTION


class EventTypesField(Field):
    """The event types ticked (one checkbox per type, drawn by the template); the service
    names any it does not know."""

    def process_formdata(self, valuelist):
        self.data = [value for value in valuelist if value]


class EndpointForm(FlaskForm):
    url = StringField(
        "Endpoint URL", validators=[DataRequired("Enter the URL that receives the events."),
                                    Length(max=MAX_URL_LENGTH)],
        description="Where cev_learn posts each event, e.g. https://crm.example.com/hooks/learning "
                    "(https, or http), at a public address unless private ones are allowed in "
                    "the Webhooks settings.")
    description = StringField("Description", validators=[Length(max=MAX_DESCRIPTION)],
                              description="What it is for, e.g. 'Salesforce onboarding flow'.")
    event_types = EventTypesField("Events to send", default=list)


class NewEndpointForm(EndpointForm):
    secret = StringField(
        "Signing secret (optional)", validators=[Length(max=200)],
        description="Leave empty to have one made (shown once). To paste the receiver's own, "
                    "give it as whsec_ followed by base64.")


class SettingsForm(FlaskForm):
    allow_private = BooleanField(
        "Allow endpoints on private and loopback addresses",
        description="Off by default: webhooks then reach only public addresses, so they cannot "
                    "be used to probe the internal network. Turn it on only for receivers "
                    "inside your own network.")


class ConfirmForm(FlaskForm):
    """A button that changes something (its CSRF token is all it carries)."""


class RemoveForm(FlaskForm):
    confirm = BooleanField("Yes, remove this endpoint and its delivery log",
                           validators=[DataRequired("Tick the box to confirm.")])
