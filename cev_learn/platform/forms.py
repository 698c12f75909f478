"""Helpers shared by every domain's forms."""
from flask import request
from flask_wtf import FlaskForm


def form_status(form: FlaskForm) -> int:
    """400 for a submitted form that was rejected, 200 otherwise."""
    if request.method == "POST" and (form.errors or form.form_errors):
        return 400
    return 200


def show_error(form: FlaskForm, field_name: str | None, message: str) -> None:
    """Put a service's error next to the field it is about, or at the top of the form."""
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
