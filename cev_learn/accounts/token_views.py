"""Admin pages for API tokens: create (the secret is shown once), list, revoke."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Length

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.accounts.services import find_user_by_email
from cev_learn.api.tokens import TokenError, create_token, revoke, tokens_of
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status



class TokenForm(FlaskForm):
    email = EmailField("User", validators=[DataRequired("Enter the email of the user the token "
                                                       "acts as.")],
                       description="The token acts as this user: their role and cohorts decide "
                                   "what it may see.")
    name = StringField("Name", validators=[DataRequired("Name the token."), Length(max=100)],
                       description="What it is for, e.g. 'Salesforce sync'.")
    write = BooleanField("Allow writes", description="Unticked, the token can only read.")
    scim = BooleanField("For SCIM provisioning",
                        description="A token for an identity provider at /scim/v2 (it opens "
                                    "nothing else); the user must be an admin.")


class RevokeForm(FlaskForm):
    confirm = BooleanField("Yes, revoke this token",
                           validators=[DataRequired("Tick the box to confirm.")])


@role_required(Role.ADMIN)
def index():
    form, secret, created = TokenForm(), None, None
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(f"No user has the email {form.email.data}.")
        else:
            try:
                created, secret = create_token(
                    user=user, name=form.name.data, actor=current_user, now=utcnow(),
                    scope=Scope.SCIM if form.scim.data else
                    Scope.WRITE if form.write.data else Scope.READ)
            except TokenError as exc:
                form.name.errors.append(str(exc).capitalize() + ".")
            else:
                db.session.commit()
                form = TokenForm(formdata=None)
    return render_template("admin/tokens.html", form=form, tokens=tokens_of(), secret=secret,
                           created=created, revoke_form=RevokeForm()), form_status(form)


@role_required(Role.ADMIN)
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Tick “Yes, revoke this token” to revoke it.", "error")
        return redirect(url_for("accounts.tokens"))
    revoke(token, utcnow())
    db.session.commit()
    flash(f"Token “{token.name}” revoked; it stops working at once.", "success")
    return redirect(url_for("accounts.tokens"))
