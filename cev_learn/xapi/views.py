"""Users → Learning record store (an admin's page): where statements are pushed and how that
goes — sent, due, the last error and the next try — or how to configure an LRS."""
from flask import current_app, render_template

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.platform.db import utcnow
from cev_learn.xapi import push


@role_required(Role.ADMIN)
def lrs_status():
    try:
        settings = push.PushSettings.from_config(current_app.config)
    except ValueError as exc:  # configured, but not so that it can work
        return render_template("xapi/lrs.html", problem=str(exc), state=None, warning=None)
    if settings is None:
        return render_template("xapi/lrs.html", problem=None, state=None, warning=None)
    return render_template("xapi/lrs.html", problem=None, state=push.status(settings, utcnow()),
                           warning=push.loopback_warning(settings.base_url))
