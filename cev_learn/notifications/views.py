"""A person's notifications: the list behind the bell, opening one, marking all read, and how
they want to hear about them by email. Each person sees and changes only their own."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts.decorators import signed_in
from cev_learn.accounts.models import Role
from cev_learn.accounts.redirects import safe_next_path
from cev_learn.notifications import queries, services
from cev_learn.notifications.forms import EmailPreferenceForm, MarkAllReadForm
from cev_learn.notifications.models import EmailFrequency
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status


@signed_in
def index():
    page = queries.notification_page(current_user.id, request.args.get("page", 1, type=int))
    return render_template("notifications/index.html", page=page, form=MarkAllReadForm(),
                           staff=current_user.role is not Role.REP)


@signed_in
def open_notification(notification_id: int):
    """Mark it read and go to the page it is about (someone else's: 404, as for none)."""
    notification = queries.own_notification(current_user.id, notification_id) or abort(404)
    services.mark_read(notification, utcnow())
    db.session.commit()
    return redirect(page_of(notification))


def page_of(notification) -> str:
    """Where a notification leads: its page on this site (the list, should it name none)."""
    path = safe_next_path(notification.link)
    return request.script_root + path if path else url_for("notifications.index")


@signed_in
def read_all():
    if MarkAllReadForm().validate_on_submit():
        count = services.mark_all_read(current_user, utcnow())
        db.session.commit()
        flash(f"Marked {count} notification{'' if count == 1 else 's'} as read."
              if count else "Nothing was unread.", "success")
    else:
        flash("The form had expired: try again.", "error")
    return redirect(url_for("notifications.index"))


@signed_in
def email_preference():
    """How the signed-in person wants notifications by email: see it, change it."""
    user = current_user._get_current_object()
    chosen = services.email_frequency(user)
    form = EmailPreferenceForm(data={"frequency": chosen.value}
                               if request.method == "GET" else None)
    if form.validate_on_submit():
        frequency = EmailFrequency(form.frequency.data)
        services.set_email_frequency(user, frequency, utcnow())
        db.session.commit()
        flash(f"Notification emails: {frequency.label.partition(':')[0].lower()}.", "success")
        return redirect(url_for("notifications.email_preference"))
    return render_template("notifications/email.html", form=form, chosen=chosen), \
        form_status(form)
