"""Read a users.csv file (docs/formats.md) into checked rows: pure, no Flask and no database.

The shape of each row is checked here (columns, emails, roles, dates, lengths, duplicates);
whether its cohort and coach exist is the service's job (`user_import_service`). The API's
user upsert sends its body through `check_user_values`, so both follow the same rules.
"""
import csv
import datetime as dt
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from cev_learn.accounts.models import Role
from cev_learn.platform.csv_files import ImportFileError, RowError, decode_csv, open_csv
from cev_learn.platform.text_direction import direction_control_problem

__all__ = ["ImportFileError", "Problem", "RowError", "UserRow", "check_user_values",
           "decode_csv", "parse_users_csv"]

COLUMNS = ("email", "name", "role", "cohort", "start_date", "end_date", "territory",
           "coach_email")
REQUIRED = ("email", "name", "role")
REP_ONLY = ("cohort", "start_date", "end_date", "coach_email")
ROLES = frozenset(role.value for role in Role)
MAX_ROWS = 50_000
MAX_NAME = 120
MAX_TERRITORY = 80
# Free text people read as typed (email_validator already refuses direction controls).
FREE_TEXT = ("name", "territory")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Problem = tuple[str, str]  # (column, message)


@dataclass(frozen=True)
class UserRow:
    line: int
    email: str           # normalised: lower case
    name: str
    role: Role
    territory: str | None = None     # None: leave an existing user's territory as it is
    cohort: str | None = None
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    coach_email: str | None = None


def parse_users_csv(text: str) -> tuple[list[UserRow], list[RowError]]:
    """Check every row of a users.csv text; raise ImportFileError if the file is unreadable."""
    reader, header = open_csv(text, COLUMNS, REQUIRED)
    rows: list[UserRow] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    for line, cells in _data_rows(reader, len(header)):
        values = dict(zip(header, (c.strip() for c in cells)))
        email = _email(values.get("email", ""))
        problems = [message for _, message in _row_problems(values, email)]
        if email in first_line_of:
            problems.append(f"duplicate email {email}, already on line {first_line_of[email]}")
        elif email:
            first_line_of[email] = line
        if problems:
            errors.extend(RowError(line, message) for message in problems)
        else:
            rows.append(_to_row(line, values, email))
    return rows, errors


def check_user_values(values: dict[str, str]) -> tuple[UserRow | None, list[Problem]]:
    """One row given as {column: text}: the checked row, or its problems by column."""
    email = _email(values.get("email", ""))
    problems = _row_problems(values, email)
    return (None if problems else _to_row(1, values, email)), problems


def _data_rows(reader, width: int) -> list[tuple[int, list[str]]]:
    """(first physical line, cells) of each non-blank row; the whole file is read first so
    a file that is too long or malformed is rejected before any row is checked."""
    rows = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == MAX_ROWS:
                    raise ImportFileError(f"more than {MAX_ROWS:,} rows; split the file")
                if len(cells) > width:
                    raise ImportFileError(
                        f"line {line}: {len(cells)} fields but the header has {width}")
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"line {line}: {exc}") from None
    return rows


def _row_problems(values: dict[str, str], email: str | None) -> list[Problem]:
    problems = [(name, f"{name} is required") for name in REQUIRED if not values.get(name)]
    # No database stores text with NUL in it (PostgreSQL refuses it).
    problems += [(name, f"{name} contains a NUL character") for name, value in values.items()
                 if "\0" in value]
    problems += [(name, problem) for name in FREE_TEXT
                 if (problem := direction_control_problem(name, values.get(name, "")))]
    role = values.get("role", "").lower()
    if values.get("email") and email is None:
        problems.append(("email", f"{values['email']!r} is not a valid email address"))
    if role and role not in ROLES:
        problems.append(("role",
                         f"unknown role {values['role']!r}; use rep, coach, manager or admin"))
    if len(values.get("name", "")) > MAX_NAME:
        problems.append(("name", f"name is longer than {MAX_NAME} characters"))
    if len(values.get("territory", "")) > MAX_TERRITORY:
        problems.append(("territory", f"territory is longer than {MAX_TERRITORY} characters"))
    problems += _membership_problems(values, role)
    return problems


def _membership_problems(values: dict[str, str], role: str) -> list[Problem]:
    problems = []
    given = [name for name in REP_ONLY if values.get(name)]
    if given and role and role != Role.REP.value and role in ROLES:
        problems.append((given[0], f"{', '.join(given)} "
                                   f"{'applies' if len(given) == 1 else 'apply'} "
                                   f"to reps only, not to a {role}"))
    elif given and not values.get("cohort"):
        problems.append(("cohort", f"{', '.join(given)} "
                                   f"{'needs' if len(given) == 1 else 'need'} a cohort"))
    dates = {}
    for name in ("start_date", "end_date"):
        if values.get(name):
            dates[name] = _date(values[name])
            if dates[name] is None:
                problems.append((name, f"{name} {values[name]!r} is not a date; use YYYY-MM-DD"))
    if dates.get("start_date") and dates.get("end_date") and \
            dates["end_date"] < dates["start_date"]:
        problems.append(("end_date", "end_date is before start_date"))
    coach = values.get("coach_email")
    if coach and _email(coach) is None:
        problems.append(("coach_email", f"coach_email {coach!r} is not a valid email address"))
    return problems


def _to_row(line: int, values: dict[str, str], email: str) -> UserRow:
    coach = values.get("coach_email")
    return UserRow(
        line=line, email=email, name=values["name"],
        role=Role(values["role"].lower()), territory=values.get("territory") or None,
        cohort=values.get("cohort") or None,
        start_on=_date(values.get("start_date", "")), end_on=_date(values.get("end_date", "")),
        coach_email=_email(coach) if coach else None)


def _email(value: str) -> str | None:
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _date(value: str) -> dt.date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None

