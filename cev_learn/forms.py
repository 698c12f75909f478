"""Helpers shared by every domain's forms."""
from flask import request
from flask_wtf import FlaskForm


def form_status(form: FlaskForm) -> int:
    """400 for a submitted form that was rejected, 200 otherwise."""
    if request.method == "POST" and (form.errors or form.form_errors):
        return 400
    return 200
