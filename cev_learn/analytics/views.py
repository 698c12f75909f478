"""The manager's home page: ramp-up across cohorts."""
from flask import Blueprint, render_template

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role

bp = Blueprint("analytics", __name__)


@bp.route("/ramp")
@role_required(Role.MANAGER, Role.ADMIN)
def manager_home():
    return render_template("analytics/manager_home.html")
