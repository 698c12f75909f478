"""Home pages of reps ("This week") and coaches ("My reps")."""
from flask import Blueprint, render_template

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role

bp = Blueprint("cohorts", __name__)


@bp.route("/week")
@role_required(Role.REP)
def rep_home():
    return render_template("cohorts/rep_home.html")


@bp.route("/coach")
@role_required(Role.COACH)
def coach_home():
    return render_template("cohorts/coach_home.html")
