"""Users: list, one, and upsert by email under the rules of a users.csv row (docs/formats.md).

Admins see every user; coaches and managers the reps they may see on the web pages.
"""
from flask import current_app, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cev_learn.accounts import sign_in_links
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.api import people_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import json_body, respond
from cev_learn.api.spec import Param, operation
from cev_learn.cohorts import queries, user_import_service
from cev_learn.cohorts.user_import import Problem, UserRow, check_user_values
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.problems import ApiProblem

PER_PAGE, MAX_PER_PAGE, MAX_PAGE = 50, 200, 1_000_000
LIST_PARAMS = (
    Param("role", {"type": "string", "enum": [r.value for r in Role]}, "Only users of this role"),
    Param("email", {"type": "string"}, "Only the user with this email (any case)"),
    Param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
          "Page number"),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                       "default": PER_PAGE}, "Users per page"))


def _user_row(user: User, cohort: str | None, start_date, end_date) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value,
            "territory": user.territory, "active": user.active, "cohort": cohort,
            "start_date": start_date, "end_date": end_date}


def _query_int(name: str, default: int, highest: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= highest:
        raise ApiProblem(400, f"{name} must be a whole number from 1 to {highest}")
    return int(value)


def _query_role() -> Role | None:
    role = request.args.get("role")
    if role is not None and role not in {r.value for r in Role}:
        raise ApiProblem(400, f"role {role!r} is not one of rep, coach, manager, admin")
    return Role(role) if role else None


@api_access(*STAFF_ROLES)
@operation("List the users this token may see", tag="Users", response=schemas.UserList,
           params=LIST_PARAMS, problems=(400,),
           description="Admins see every user; coaches and managers the reps they may see.")
def users():
    page = _query_int("page", 1, MAX_PAGE)
    per_page = _query_int("per_page", PER_PAGE, MAX_PER_PAGE)
    rows, total = queries.visible_users_page(current_user, role=_query_role(),
                                      email=request.args.get("email", "").strip().lower(),
                                      page=page, per_page=per_page)
    return respond(schemas.UserList, {"items": [_user_row(*row) for row in rows],
                                      "page": page, "per_page": per_page, "total": total})


@api_access(*STAFF_ROLES)
@operation("One user", tag="Users", response=schemas.UserOut, problems=(404,))
def user(user_id: int):
    row = queries.visible_user(current_user, user_id=user_id)
    if row is None:
        raise ApiProblem(404, f"no user {user_id} that this token may see")
    return respond(schemas.UserOut, _user_row(*row))


@api_access(Role.MANAGER, Role.ADMIN, write=True)
@operation("Create or update a user by email", tag="Users", request=schemas.UserIn,
           response=schemas.UserSaved, problems=(409,), status=200, also=(201,),
           description="Checked and applied exactly like one row of users.csv: a rep is placed "
                       "in the cohort and the coach joins its coaches. Answers 201 when the "
                       "user was created, 200 when it existed (sending the same body again "
                       "changes nothing). Any problem (422) leaves everything unchanged. With "
                       "invite, a user without a password gets an invitation email. Managers "
                       "add and change reps only: new ones and those they manage, in cohorts "
                       "they work with and their own territory (blank: theirs).")
def upsert_user():
    body = json_body(schemas.UserIn)
    row = _checked_row(body)
    now = utcnow()
    try:
        report, problems, user = user_import_service.upsert_user(row, now=now,
                                                                 actor=current_user)
        if problems:
            db.session.rollback()
            raise _invalid(problems)
        queued = sign_in_links.invite([user], by=current_user, now=now) if body.invite else []
        # The answer is read before the commit, so nothing is read again after it.
        saved = _user_row(*queries.visible_user(current_user, email=row.email))
        waiting = "not_needed" if user.password_hash is not None or not user.active \
            else "already_open"
        delivered = sign_in_links.deliver(queued, current_app.config, now)  # commits
    except IntegrityError:
        db.session.rollback()
        raise ApiProblem(409, f"{row.email} was changed by another request at the same time; "
                              "send it again") from None
    invitation = None
    if body.invite:  # what became of it (see UserSaved.invitation)
        invitation = ("sent" if delivered.sent else "not_delivered") if queued else waiting
    return respond(schemas.UserSaved, {**saved, "invitation": invitation},
                   status=201 if report.created else 200)


def _checked_row(body: schemas.UserIn) -> UserRow:
    """The body as the cells of a users.csv row, through the import's own checks."""
    cells = {name: "" if value is None else str(value).strip()
             for name, value in body.model_dump(exclude={"invite"}).items()}
    row, problems = check_user_values(cells)
    if problems:
        raise _invalid(problems)
    return row


def _invalid(problems: list[Problem]) -> ApiProblem:
    return ApiProblem(422, "the user was not saved; see errors",
                      errors=[{"pointer": f"/{column}", "detail": message}
                              for column, message in problems])
