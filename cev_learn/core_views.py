"""The front door and the probes: /, /healthz, /readyz."""
from flask import Blueprint, current_app, jsonify, redirect, url_for
from flask_login import current_user

from cev_learn.accounts.decorators import public
from cev_learn.navigation import home_endpoint
from cev_learn.platform.health import database_status

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(url_for(home_endpoint(current_user.role)))


@bp.route("/healthz")
@public
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz():
    status = database_status(current_app.config["MIGRATIONS_DIR"])
    return jsonify(status.as_dict()), 200 if status.ready else 503
