"""Import users.csv: check rows against the database, then apply them. Flush only; the
caller commits once (or rolls back). Never deactivates anyone and never touches passwords.
The API's user upsert goes through `upsert_user`: one row, the same checks and changes.

Who imports decides what a file may change (`actor`): admins (and the command line, with no
actor) anyone; managers reps only — new ones, and those they manage (`policy.can_coach_rep`),
in cohorts they work with, in their own territory."""
import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, insert, select
from sqlalchemy.orm import joinedload

from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import can_manage_users, managed_territory
from cev_learn.cohorts.access import coachable_rep_ids, visible_cohorts
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.cohorts.services import place_reps
from cev_learn.cohorts.user_import import Problem, RowError, UserRow, parse_users_csv
from cev_learn.platform.db import db

COACH_ROLES = frozenset({Role.COACH, Role.MANAGER, Role.ADMIN})
_CHUNK = 500  # keeps IN (...) lists well under every database's parameter limit


@dataclass
class UserImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    memberships_changed: int = 0
    coaches_linked: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False  # False: a row was bad and nothing was applied
    new_users: list[User] = field(default_factory=list)  # created, without a password yet

    @property
    def bad_rows(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.memberships_changed
                    or self.coaches_linked)

    def summary(self) -> str:
        no_password = (f"{self.created} new user has no password yet" if self.created == 1
                       else f"{self.created} new users have no password yet")
        return (f"users: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged; memberships: {self.memberships_changed} changed; "
                f"coaches: {self.coaches_linked} linked; {no_password}")


@dataclass
class _Known:
    users: dict[str, User]     # by email: the users the file names that exist
    cohorts: dict[str, Cohort]  # by name: the cohorts the file names that the actor works with
    memberships: dict[int, Membership]  # user id → current membership, of those users
    changeable: set[str] | None = None  # emails of those users the actor may change; None: all


def import_users(text: str, *, skip_invalid: bool, now: dt.datetime,
                 actor: User | None = None) -> UserImportReport:
    """Create or update the users of a users.csv text and place reps in their cohorts.

    Any bad row stops the whole import unless `skip_invalid`; then the good rows go in.
    `actor` is the admin or manager uploading the file, who may not change their own role.
    Raises ImportFileError when the file as a whole cannot be read.
    """
    rows, errors = parse_users_csv(text)
    known = _load_known(rows, actor)
    good, db_errors = _check_rows(rows, known, actor)
    report = UserImportReport(errors=sorted(errors + db_errors))
    if report.errors and not skip_invalid:
        return report
    _apply(good, known, report, now)
    return report


def upsert_user(row: UserRow, *, now: dt.datetime, actor: User | None = None
                ) -> tuple[UserImportReport, list[Problem], User | None]:
    """Create or update one user as a one-row users.csv would: the report, the problems (by
    column; with any, nothing is applied) and the user saved (None when not)."""
    known = _load_known([row], actor)
    row = _with_default_territory(row, known, actor)
    problems = _row_problems(row, known, _roles(known), actor)
    report = UserImportReport()
    if problems:
        return report, problems, None
    _apply([row], known, report, now)
    return report, problems, known.users[row.email]


def _apply(rows: list[UserRow], known: _Known, report: UserImportReport,
           now: dt.datetime) -> None:
    _apply_users(rows, known, report)
    _apply_memberships(rows, known, report, now)
    report.imported = True


def _load_known(rows: list[UserRow], actor: User | None) -> _Known:
    emails = sorted({r.email for r in rows} | {r.coach_email for r in rows if r.coach_email})
    users, memberships = {}, {}
    for start in range(0, len(emails), _CHUNK):  # with their current memberships
        chunk = emails[start:start + _CHUNK]
        for user, membership in db.session.execute(
                select(User, Membership).outerjoin(Membership, and_(
                    Membership.user_id == User.id, Membership.moved_out_at.is_(None)))
                .where(User.email.in_(chunk))):
            users[user.email] = user
            if membership is not None:
                memberships[user.id] = membership
    names = sorted({r.cohort for r in rows if r.cohort})
    # A cohort the actor does not work with reads as one that does not exist; its coaches
    # are read with it, for the rows that name one.
    cohorts = select(Cohort) if _changes_anyone(actor) else visible_cohorts(actor)
    cohorts = {c.name: c for c in db.session.scalars(
        cohorts.options(joinedload(Cohort.coach_links)).where(Cohort.name.in_(names))).unique()}
    return _Known(users=users, cohorts=cohorts, memberships=memberships,
                  changeable=_changeable(actor, [users[r.email] for r in rows if r.email in users]))


def _changes_anyone(actor: User | None) -> bool:
    """The command line (no actor) and those who manage users change anyone."""
    return actor is None or can_manage_users(actor)


def _changeable(actor: User | None, existing: list[User]) -> set[str] | None:
    """The emails of these users a manager may change: the reps they manage."""
    if _changes_anyone(actor):
        return None
    ids = [user.id for user in existing]
    managed = set()
    for start in range(0, len(ids), _CHUNK):
        managed |= coachable_rep_ids(actor, ids[start:start + _CHUNK])
    return {user.email for user in existing if user.id in managed}


def _with_default_territory(row: UserRow, known: _Known, actor: User | None) -> UserRow:
    """A new rep a territory manager adds without a territory joins the manager's."""
    territory = managed_territory(actor) if actor is not None else None
    if territory and row.territory is None and row.email not in known.users:
        return dataclasses.replace(row, territory=territory)
    return row


def _check_rows(rows: list[UserRow], known: _Known,
                actor: User | None) -> tuple[list[UserRow], list[RowError]]:
    """Rows whose cohort and coach exist; the roles of earlier good rows count for coaches."""
    roles = _roles(known)
    good, errors = [], []
    for row in rows:
        row = _with_default_territory(row, known, actor)
        problems = _row_problems(row, known, roles, actor)
        if problems:
            errors.extend(RowError(row.line, message) for _, message in problems)
        else:
            good.append(row)
            roles[row.email] = row.role
    return good, errors


def _roles(known: _Known) -> dict[str, Role]:
    return {email: user.role for email, user in known.users.items()}


def _row_problems(row: UserRow, known: _Known, roles: dict[str, Role],
                  actor: User | None) -> list[Problem]:
    problems = _scope_problems(row, known, actor)
    if actor is not None and row.email == actor.email and row.role is not actor.role:
        problems.append(("role", "you cannot change your own role; ask another admin"))
    cohort = known.cohorts.get(row.cohort) if row.cohort else None
    if row.cohort and cohort is None:
        problems.append(("cohort", f"no cohort named {row.cohort!r}"))
    elif cohort and row.start_on is None and row.end_on and row.end_on < cohort.start_on:
        problems.append(("end_date",
                         f"end_date is before the cohort's start date {cohort.start_on}"))
    if row.coach_email:
        role = roles.get(row.coach_email)
        if role is None:
            problems.append(("coach_email", f"unknown coach {row.coach_email}"))
        elif role not in COACH_ROLES:
            problems.append(("coach_email", f"{row.coach_email} is a {role.value}, "
                                            "not a coach, manager or admin"))
    return problems


def _scope_problems(row: UserRow, known: _Known, actor: User | None) -> list[Problem]:
    """What a manager's row may not change: anyone but reps, a rep they do not manage (the
    same answer for every such account, whoever it is), another territory."""
    if known.changeable is None:
        return []
    problems = []
    if row.role is not Role.REP:
        problems.append(("role", "managers add and change reps only; an admin adds coaches, "
                                 "managers and admins"))
    if row.email in known.users and row.email not in known.changeable:
        problems.append(("email", f"{row.email} is someone you do not manage; their manager "
                                  "or an admin can change them"))
    territory = managed_territory(actor)
    if territory and row.territory not in (None, territory):
        problems.append(("territory", f"you manage {territory}; reps of {row.territory} are "
                                      "added by their manager or an admin"))
    return problems


def _apply_users(rows: list[UserRow], known: _Known, report: UserImportReport) -> None:
    new = []
    for row in rows:
        user = known.users.get(row.email)
        if user is None:
            # No password: the user signs in once they follow an invitation (or an admin
            # sets one).
            new.append({"email": row.email, "name": row.name, "role": row.role,
                        "territory": row.territory, "active": True, "session_generation": 0})
        elif _update_user(user, row):
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    report.new_users = _insert_users(new)
    report.created = len(new)
    known.users.update((user.email, user) for user in report.new_users)


def _insert_users(new: list[dict]) -> list[User]:
    """Create these users, in the order given: one INSERT … RETURNING per _CHUNK of them,
    however many (an ORM flush would insert them one by one)."""
    created = []
    for start in range(0, len(new), _CHUNK):
        chunk = new[start:start + _CHUNK]
        by_email = {user.email: user for user in db.session.scalars(
            insert(User).returning(User).execution_options(render_nulls=True), chunk)}
        created += [by_email[row["email"]] for row in chunk]
    return created


def _update_user(user: User, row: UserRow) -> bool:
    """Set name, role and territory (a blank territory keeps the old one); True if changed."""
    wanted = {"name": row.name, "role": row.role}
    if row.territory is not None:
        wanted["territory"] = row.territory
    changed = {name: value for name, value in wanted.items() if getattr(user, name) != value}
    for name, value in changed.items():
        setattr(user, name, value)
    return bool(changed)


def _apply_memberships(rows: list[UserRow], known: _Known, report: UserImportReport,
                       now: dt.datetime) -> None:
    placed = [row for row in rows if row.cohort]
    current = known.memberships  # the new users are in none
    moves = []
    for row in placed:
        rep, cohort = known.users[row.email], known.cohorts[row.cohort]
        membership = current.get(rep.id)
        if membership is None or (membership.cohort_id, membership.start_on,
                                  membership.end_on) != (cohort.id, row.start_on, row.end_on):
            moves.append((rep, cohort, row.start_on, row.end_on))
        if row.coach_email:
            _link_coach(cohort, known.users[row.coach_email], report)
    db.session.flush()
    if moves:  # one refresh of the placed reps' achievements
        report.memberships_changed += len(place_reps(moves, now=now, current=current))


def _link_coach(cohort: Cohort, coach: User, report: UserImportReport) -> None:
    """Add the coach to the cohort, keeping the coaches it has."""
    if all(link.coach_id != coach.id for link in cohort.coach_links):
        cohort.coach_links.append(CohortCoach(coach_id=coach.id))
        report.coaches_linked += 1
