"""Read quotas.csv and activities.csv (docs/formats.md) into checked rows: pure, no Flask and no
database. Whether a rep_email names a rep is the service's job (`import_service`).

The checks work on rows of cell texts, so API records (turned into cells) get exactly the
rules a CSV line gets. An activities file can hold millions of rows, so rows are plain named
tuples, repeated cell values (dates, types, quantities, emails) are parsed once, and the full
list of a row's problems is only worked out for rows that fail the quick check.
"""
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cev_learn.content.schema import MAX_AMOUNT
from cev_learn.platform.activity_types import ACTIVITY_TYPES
from cev_learn.platform.csv_files import ImportFileError, RowError, open_csv

QUOTA_COLUMNS = ("rep_email", "month", "amount")
ACTIVITY_COLUMNS = ("external_id", "rep_email", "occurred_on", "type", "quantity", "amount")
ACTIVITY_REQUIRED = ("external_id", "rep_email", "occurred_on", "type")
MAX_QUOTA_ROWS = 200_000
MAX_ACTIVITY_ROWS = 5_000_000
MAX_EXTERNAL_ID = 200
MAX_QUANTITY = 2_147_483_647  # a 32-bit INTEGER column
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")

NumberedCells = Iterable[tuple[int, Sequence[str]]]  # (line or index, cells)
Place = Callable[[int], str]  # where an earlier row is, for duplicate messages
ON_LINE: Place = "on line {}".format


@dataclass(frozen=True, order=True)
class CellError(RowError):
    """A bad row's problem with one field (column), or with the row as a whole (None)."""

    field: str | None = None


class QuotaRow(NamedTuple):
    line: int
    rep_email: str  # normalised: lower case
    month: dt.date  # the first day of the month
    amount: float


class ActivityRow(NamedTuple):
    line: int
    external_id: str
    rep_email: str  # normalised: lower case
    occurred_on: dt.date
    type: str
    quantity: int
    amount: float


class _Memo(dict):
    """parse(cell) for each distinct cell, computed once: a file repeats the same few values."""

    def __init__(self, parse: Callable[[str], object]):
        super().__init__()
        self.parse = parse

    def __missing__(self, cell: str):
        value = self[cell] = self.parse(cell)
        return value


def parse_quotas_csv(text: str, delimiter: str = ",") -> tuple[list[QuotaRow], list[CellError]]:
    """Check every row of a quotas.csv text; raise ImportFileError if the file is unreadable."""
    reader, header = open_csv(text, QUOTA_COLUMNS, QUOTA_COLUMNS, delimiter)
    errors: list[CellError] = []
    rows = check_quota_cells(_data_rows(reader, len(header), MAX_QUOTA_ROWS, errors),
                             errors, _positions(header, QUOTA_COLUMNS))
    return rows, errors


def parse_activities_csv(text: str, types: Sequence[str] = ACTIVITY_TYPES, delimiter: str = ",",
                         ) -> tuple[list[ActivityRow], list[CellError]]:
    """Check every row of an activities.csv text; raise ImportFileError if it is unreadable."""
    reader, header = open_csv(text, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED, delimiter)
    errors: list[CellError] = []
    rows = check_activity_cells(_data_rows(reader, len(header), MAX_ACTIVITY_ROWS, errors),
                                errors, _positions(header, ACTIVITY_COLUMNS), types=types)
    return rows, errors


def check_quota_cells(numbered: NumberedCells, errors: list[CellError],
                      positions: Sequence[int] = (0, 1, 2),
                      place: Place = ON_LINE) -> list[QuotaRow]:
    """The good rows of quota cells (at `positions`); every problem of the others to `errors`."""
    i_email, i_month, i_amount = positions
    emails, months = _Memo(_email), _Memo(_month)
    rows, first_line_of = [], {}
    for line, cells in numbered:
        email, month = emails[cells[i_email]], months[cells[i_month]]
        amount = _amount(cells[i_amount], default=None)
        key = (email, month)
        if not email or not month or amount is None or key in first_line_of:
            problems = _quota_problems(cells[i_email], cells[i_month], cells[i_amount])
            if key in first_line_of:
                problems.append((None, f"duplicate quota for {email} in {month:%Y-%m}, "
                                       f"already {place(first_line_of[key])}"))
            elif email and month:
                first_line_of[key] = line
            errors.extend(CellError(line, message, field) for field, message in problems)
            continue
        first_line_of[key] = line
        rows.append(QuotaRow(line, email, month, amount))
    return rows


def check_activity_cells(numbered: NumberedCells, errors: list[CellError],
                         positions: Sequence[int] = (0, 1, 2, 3, 4, 5),
                         place: Place = ON_LINE,
                         types: Sequence[str] = ACTIVITY_TYPES) -> list[ActivityRow]:
    """The good rows of activity cells (at `positions`); every problem of the others to
    `errors`. A blank quantity means 1, a blank amount 0. `types` are the activity types."""
    i_id, i_email, i_on, i_type, i_quantity, i_amount = positions
    known = frozenset(types)
    emails, dates = _Memo(_email), _Memo(_date)
    kinds = _Memo(lambda cell: _type(cell, known))
    quantities = _Memo(_quantity)
    rows, first_line_of = [], {}
    for line, cells in numbered:
        external_id = cells[i_id].strip()
        email, occurred_on = emails[cells[i_email]], dates[cells[i_on]]
        kind, quantity = kinds[cells[i_type]], quantities[cells[i_quantity]]
        amount = _amount(cells[i_amount], default=0.0)
        if (not external_id or len(external_id) > MAX_EXTERNAL_ID or external_id in first_line_of
                or "\0" in external_id or not email or not occurred_on or not kind
                or quantity is None or amount is None):
            problems = _activity_problems([cells[i] for i in positions], types)
            if external_id in first_line_of:
                problems.insert(0, ("external_id", f"duplicate external_id {external_id!r}, "
                                                   f"already {place(first_line_of[external_id])}"))
            elif external_id:
                first_line_of[external_id] = line
            errors.extend(CellError(line, message, field) for field, message in problems)
            continue
        first_line_of[external_id] = line
        rows.append(ActivityRow(line, external_id, email, occurred_on, kind, quantity, amount))
    return rows


Problems = list[tuple[str | None, str]]  # (field, message)


def _quota_problems(email: str, month: str, amount: str) -> Problems:
    problems = [(name, f"{name} is required") for name, cell in
                (("rep_email", email), ("month", month), ("amount", amount)) if not cell.strip()]
    problems += _nul_problems(rep_email=email)
    if month.strip() and _month(month) is None:
        problems.append(("month", f"month {month.strip()!r} is not a month; use YYYY-MM"))
    if amount.strip() and (problem := _amount_problem(amount)):
        problems.append(("amount", problem))
    return problems


def _activity_problems(cells: list[str], types: Sequence[str]) -> Problems:
    external_id, email, occurred_on, kind, quantity, amount = (c.strip() for c in cells)
    problems = [(name, f"{name} is required") for name, cell in zip(ACTIVITY_REQUIRED, cells)
                if not cell.strip()]
    problems += _nul_problems(external_id=external_id, rep_email=email)
    if len(external_id) > MAX_EXTERNAL_ID:
        problems.append(("external_id",
                         f"external_id is longer than {MAX_EXTERNAL_ID} characters"))
    if occurred_on and _date(occurred_on) is None:
        problems.append(("occurred_on",
                         f"occurred_on {occurred_on!r} is not a date; use YYYY-MM-DD"))
    if kind and _type(kind, frozenset(types)) is None:
        problems.append(("type", f"unknown type {kind!r}; use {_one_of(types)}"))
    if _quantity(quantity) is None:
        problems.append(("quantity", f"quantity {quantity!r} must be a whole number of 0 or more"))
    if problem := _amount_problem(amount):
        problems.append(("amount", problem))
    return problems


def _nul_problems(**cells: str) -> Problems:
    """Text no database can store or look up (PostgreSQL refuses NUL characters)."""
    return [(name, f"{name} contains a NUL character") for name, cell in cells.items()
            if "\0" in cell]


# --- The file around the rows ------------------------------------------------------------

def _positions(header: list[str], columns: tuple[str, ...]) -> tuple[int, ...]:
    """Where each column is; a column the file leaves out reads the blank cell at the end."""
    return tuple(header.index(name) if name in header else len(header) for name in columns)


def _data_rows(reader, width: int, max_rows: int,
               errors: list[CellError]) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells + one blank cell) of each non-blank row of the right width;
    a row with too many fields goes to `errors`, a short row is padded with blanks."""
    count = 0
    line = reader.line_num + 1
    try:
        for cells in reader:
            if cells and (cells[0].strip() or "".join(cells).strip()):
                count += 1
                if count > max_rows:
                    raise ImportFileError(f"more than {max_rows:,} rows; split the file")
                size = len(cells)
                if size == width:
                    cells.append("")
                    yield line, cells
                elif size < width:
                    yield line, cells + [""] * (width + 1 - size)
                else:
                    errors.append(CellError(line, f"{size} fields but the header has {width}"))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"line {line}: {exc}") from None


# --- Cells -------------------------------------------------------------------------------

def _email(cell: str) -> str:
    """Lower case; blank (not valid) when it holds a NUL character."""
    return "" if "\0" in cell else cell.strip().lower()


def _date(cell: str) -> dt.date | None:
    cell = cell.strip()
    if not _DATE.fullmatch(cell):
        return None
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        return None


def _month(cell: str) -> dt.date | None:
    match = _MONTH.fullmatch(cell.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def _type(cell: str, known: frozenset[str]) -> str | None:
    kind = cell.strip().lower()
    return kind if kind in known else None


def _one_of(types: Sequence[str]) -> str:
    return ", ".join(types[:-1]) + " or " + types[-1]


def _quantity(cell: str) -> int | None:
    cell = cell.strip()
    if not cell:
        return 1
    if not (cell.isascii() and cell.isdigit()) or int(cell) > MAX_QUANTITY:
        return None
    return int(cell)


def _amount(cell: str, default: float | None) -> float | None:
    """The amount from 0 to MAX_AMOUNT; None when the cell holds anything else."""
    cell = cell.strip()
    if not cell:
        return default
    try:
        value = float(cell)
    except ValueError:
        return None
    # NaN fails the comparison; abs() reads -0 as 0
    return abs(value) if 0 <= value <= MAX_AMOUNT and "_" not in cell else None


def _amount_problem(cell: str) -> str | None:
    """Why an amount cell is refused; None when it is not (a blank one is not)."""
    cell = cell.strip()
    if _amount(cell, default=0.0) is not None:
        return None
    try:
        too_large = float(cell) > MAX_AMOUNT and "_" not in cell
    except ValueError:
        too_large = False
    if too_large:
        return f"amount {cell!r} is above the maximum of {MAX_AMOUNT:,}"
    return f"amount {cell!r} must be a number of 0 or more"
