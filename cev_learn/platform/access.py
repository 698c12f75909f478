"""How a route declares who may call it: every view carries an `access_rule`, and a test fails
for any route without one. The public rule lives here, below every domain, so the platform's
own routes declare it too; rules by role are in accounts.decorators."""

PUBLIC = "public"


def public(view):
    """Anyone, signed in or not, may call this view."""
    view.access_rule = PUBLIC
    return view
