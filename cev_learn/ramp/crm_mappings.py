"""CRM exports as they come: how the columns of a Salesforce or HubSpot export, or of a file a
manager described once (a saved mapping), turn into cev_learn's activity and quota rows
(docs/imports.md). Pure: no Flask and no database.

A mapping names, for each field, the columns that may hold it (compared without case or
surrounding spaces), how dates and amounts are written, and what each CRM activity type
counts as. `find_header` picks the mapping and the header row of a file; `Reader` turns its
data rows into the cells of the native format (activities.csv, quotas.csv), which then get
exactly the checks a native file gets. People are named as the CRM names them (an email, a
CRM user id or a full name); the import service matches them to accounts and hands the
reader an email for each.
"""
import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

ACTIVITIES, QUOTAS = "activities", "quotas"
SKIP = ""  # a type mapped to nothing: rows of that type are left out, and counted as such
HEADER_LINES = 10  # how far down a header row is looked for (exports may start with a title)

# Fields of each kind of mapping; the required ones come first.
FIELDS = {
    ACTIVITIES: ("rep", "occurred_on", "type", "external_id", "quantity", "amount", "subject"),
    "deals": ("rep", "stage", "closed_on", "amount", "created_on", "external_id", "name",
              "account"),
    QUOTAS: ("rep", "month", "amount"),
}
REQUIRED = {ACTIVITIES: ("rep", "occurred_on", "type"),
            "deals": ("rep", "stage", "closed_on", "amount"),
            QUOTAS: ("rep", "month", "amount")}
FIELD_LABELS = {
    "rep": "Rep (email, CRM user id or full name)", "occurred_on": "Date",
    "type": "Activity type", "external_id": "Record id", "quantity": "Quantity",
    "amount": "Amount", "subject": "Subject", "stage": "Stage", "closed_on": "Close date",
    "created_on": "Created date", "name": "Deal name", "account": "Account", "month": "Month",
}
PEOPLE = {"auto": "an email if the cell has one, else a full name",
          "email": "an email", "crm_id": "the CRM's user id", "name": "a full name"}


class DateFormat(NamedTuple):
    label: str
    pattern: re.Pattern  # groups: year, month, day


_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-][0-9:]+)?)?"
DATE_FORMATS = {
    "YYYY-MM-DD": DateFormat("YYYY-MM-DD (2026-11-20)",
                             re.compile(rf"(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}}){_TIME}")),
    "MM/DD/YYYY": DateFormat("MM/DD/YYYY (11/20/2026)",
                             re.compile(rf"(?P<m>[0-9]{{1,2}})/(?P<d>[0-9]{{1,2}})/(?P<y>[0-9]{{4}}){_TIME}")),
    "DD/MM/YYYY": DateFormat("DD/MM/YYYY (20/11/2026)",
                             re.compile(rf"(?P<d>[0-9]{{1,2}})/(?P<m>[0-9]{{1,2}})/(?P<y>[0-9]{{4}}){_TIME}")),
    "DD.MM.YYYY": DateFormat("DD.MM.YYYY (20.11.2026)",
                             re.compile(rf"(?P<d>[0-9]{{1,2}})\.(?P<m>[0-9]{{1,2}})\.(?P<y>[0-9]{{4}}){_TIME}")),
}
AUTO = "auto"
DECIMALS = {AUTO: "either: the last of '.' or ',' before one or two digits",
            ".": "a point (12,500.00)", ",": "a comma (12.500,00)"}
_CURRENCY = re.compile(r"^[A-Z]{3}(?=[\s0-9])|(?<=[\s0-9])[A-Z]{3}$|[$€£¥₹\u00a0\u202f\s']")
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), 1) for name in names}
_MONTH_NAMED = re.compile(r"(?P<name>[A-Za-z]+)\.?[ -](?P<y>[0-9]{4})")
_MONTH_NUMBERED = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})|(?P<m2>[0-9]{1,2})/(?P<y2>[0-9]{4})")
_EMAIL = re.compile(r"[^\s<>()\"',;]+@[^\s<>()\"',;]+\.[^\s<>()\"',;]+")


@dataclass(frozen=True)
class CrmMapping:
    """How one kind of export reads: for each field the columns that may hold it."""

    name: str                            # a preset's slug or a saved mapping's name
    title: str
    kind: str                            # activities | quotas
    source: str                          # whose people table names its reps (salesforce…)
    columns: Mapping[str, tuple[str, ...]]  # field -> accepted column names, as vendors write them
    person: str = AUTO                   # how the rep column names people (PEOPLE)
    dates: str = AUTO                    # a DATE_FORMATS key, or auto (found per file)
    decimal: str = AUTO                  # DECIMALS
    types: Mapping[str, str] = field(default_factory=dict)  # CRM type (lower) -> type | SKIP
    deals: bool = False                  # won deals → deal_won, the others → opportunity
    won_stages: tuple[str, ...] = ("closed won",)
    preset: bool = False
    id_prefix: str = ""                  # before each record id (default: the source)

    @property
    def shape(self) -> str:
        return "deals" if self.deals else self.kind

    def required(self) -> tuple[str, ...]:
        return REQUIRED[self.shape]

    def positions(self, header: Sequence[str]) -> dict[str, int]:
        """field -> column index of the fields this header has."""
        cells = [cell.strip().lower() for cell in header]
        found = {}
        for name in FIELDS[self.shape]:
            for column in self.columns.get(name, ()):
                if column.lower() in cells:
                    found[name] = cells.index(column.lower())
                    break
        return found

    def missing(self, header: Sequence[str]) -> list[str]:
        """The required fields this header lacks, by the first column name each may have."""
        found = self.positions(header)
        return [self.columns[name][0] for name in self.required() if name not in found]


def _columns(**names: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {key: (value,) if isinstance(value, str) else value for key, value in names.items()}


PRESETS = {m.name: m for m in (
    CrmMapping(
        "salesforce-activities", "Salesforce activity report", ACTIVITIES, "salesforce",
        _columns(rep=("Assigned", "Assigned To"), occurred_on=("Date", "Due Date"),
                 type=("Activity Type", "Type"), external_id=("Activity ID", "Task/Event ID"),
                 subject="Subject"),
        types={"call": "call", "logged call": "call", "email": "email", "meeting": "meeting",
               "event": "meeting", "demo": "demo", "task": SKIP, "other": SKIP},
        preset=True),
    CrmMapping(
        "salesforce-opportunities", "Salesforce opportunity report", ACTIVITIES, "salesforce",
        _columns(rep="Opportunity Owner", stage="Stage", amount="Amount",
                 closed_on="Close Date", created_on="Created Date",
                 external_id=("Opportunity ID", "Opportunity 18 Digit ID"),
                 name="Opportunity Name", account="Account Name"),
        deals=True, preset=True),
    CrmMapping(
        "hubspot-activities", "HubSpot activities export", ACTIVITIES, "hubspot",
        _columns(rep=("Activity assigned to", "Assigned to", "Activity owner"),
                 occurred_on=("Activity date", "Create date"), type="Activity type",
                 external_id="Record ID", subject=("Activity subject", "Subject")),
        types={"call": "call", "meeting": "meeting", "email": "email",
               "linkedin message": "email", "incoming email": SKIP, "forwarded email": SKIP,
               "task": SKIP, "note": SKIP},
        preset=True, id_prefix="hubspot-activity"),
    CrmMapping(
        "hubspot-deals", "HubSpot deals export", ACTIVITIES, "hubspot",
        _columns(rep="Deal owner", stage="Deal Stage", amount="Amount",
                 closed_on="Close Date", created_on="Create Date", external_id="Record ID",
                 name="Deal Name"),
        deals=True, preset=True, id_prefix="hubspot-deal"),
)}


# --- Finding the header row and the mapping ---------------------------------------------

@dataclass(frozen=True)
class HeaderMatch:
    mapping: CrmMapping | None  # None: the native format
    index: int                  # the header's row among the file's first rows (0-based)


def find_header(rows: Sequence[Sequence[str]], mappings: Iterable[CrmMapping],
                native: Sequence[str]) -> HeaderMatch | None:
    """The header among the first rows: the first row that a mapping reads (every required
    field, the mapping with the most columns winning), or a first line that names two of the
    native format's columns (then the native format's rules say what else is wrong with it;
    its header is always line 1). None when no row does."""
    mappings = list(mappings)
    for index, row in enumerate(rows[:HEADER_LINES]):
        fits = [(len(m.positions(row)), -n, m) for n, m in enumerate(mappings)
                if not m.missing(row)]
        if fits:
            return HeaderMatch(max(fits, key=lambda fit: fit[:2])[2], index)
        if index == 0 and sum(1 for cell in row if cell.strip().lower() in native) >= 2:
            return HeaderMatch(None, index)
    return None


def closest(rows: Sequence[Sequence[str]], mappings: Iterable[CrmMapping]
            ) -> tuple[CrmMapping, list[str]] | None:
    """The mapping whose required columns the first rows come closest to, and the columns it
    lacks (for the message of a file that matches none)."""
    best = None
    for row in rows[:HEADER_LINES]:
        for mapping in mappings:
            missing = mapping.missing(row)
            score = (len(mapping.required()) - len(missing), -len(missing))
            if best is None or score > best[0]:
                best = (score, mapping, missing)
    return (best[1], best[2]) if best and best[0][0] > 0 else None


# --- Cells ---------------------------------------------------------------------------------

def parse_date(cell: str, fmt: str) -> dt.date | None:
    match = DATE_FORMATS[fmt].pattern.fullmatch(cell.strip())
    if not match:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def date_format_of(values: Iterable[str], preferred: str = AUTO) -> str:
    """The date format of a column: the given one, else the first that reads every distinct
    value (ISO first, then month first as US exports write it), else the one reading most."""
    if preferred != AUTO:
        return preferred
    distinct = {value.strip() for value in values if value.strip()}
    counts = {fmt: sum(1 for value in distinct if parse_date(value, fmt)) for fmt in DATE_FORMATS}
    return max(DATE_FORMATS, key=lambda fmt: (counts[fmt], -list(DATE_FORMATS).index(fmt)))


def parse_amount(cell: str, decimal: str = AUTO) -> str | None:
    """An amount cell as the native format writes it ('12500.5'), currency symbols and codes
    and thousands separators left out; None when it does not read as a number ('' stays '')."""
    text = _CURRENCY.sub("", cell.strip())
    if not text:
        return "" if not cell.strip() else None
    sign = ""
    if text[0] in "+-":
        sign, text = text[0], text[1:]
    if decimal == AUTO:
        decimal = _decimal_of(text)
    thousands = "," if decimal == "." else "."
    whole, _, fraction = text.rpartition(decimal) if decimal in text else (text, "", "")
    groups = whole.split(thousands) if whole else [""]
    if (not all(group.isdigit() for group in groups) or
            any(len(group) != 3 for group in groups[1:]) or
            (fraction and not fraction.isdigit()) or text.count(decimal) > 1):
        return None
    return sign + "".join(groups) + ("." + fraction if fraction else "")


def _decimal_of(text: str) -> str:
    """'.' or ',': the last of them when it has one or two digits after it, or both appear."""
    last = max(text.rfind("."), text.rfind(","))
    if last < 0:
        return "."
    mark = text[last]
    other = "," if mark == "." else "."
    if other in text[:last] or len(text) - last - 1 != 3:
        return mark
    return other  # one mark before three digits: a thousands separator (12,500 or 12.500)


def parse_month(cell: str, dates: str = AUTO) -> str | None:
    """A month as the native format writes it (YYYY-MM): from 2026-11, 11/2026, Nov 2026,
    November 2026 or a date in it (written as `dates` says, or in any DATE_FORMATS order for
    auto); None otherwise."""
    text = cell.strip()
    if match := _MONTH_NAMED.fullmatch(text):
        number = _MONTHS.get(match["name"].lower())
        return f"{match['y']}-{number:02d}" if number else None
    if match := _MONTH_NUMBERED.fullmatch(text):
        year, month = (match["y"], match["m"]) if match["y"] else (match["y2"], match["m2"])
        return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else None
    for fmt in (DATE_FORMATS if dates == AUTO else (dates,)):
        if day := parse_date(text, fmt):
            return f"{day:%Y-%m}"
    return None


def person_key(cell: str, person: str) -> str:
    """How a rep cell is looked up: an email (lower case) when the mapping says so or, for
    auto, when the cell holds one ('Jane Doe <jane@x.com>' too); else the CRM id or the name
    evened out (name_key)."""
    text = cell.strip()
    if person in (AUTO, "email") and (match := _EMAIL.search(text)):
        return match[0].lower()
    if person == "email":
        return text.lower()
    return name_key(text)


def name_key(text: str) -> str:
    """A CRM user id or a person's name as it is compared: Unicode composed (as some exports
    decompose it), spacing and case evened out."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def is_email_key(key: str) -> bool:
    return "@" in key


# --- Rows ----------------------------------------------------------------------------------

class Problem(NamedTuple):
    line: int
    message: str
    field: str


class NoMatch(NamedTuple):
    """Why a rep cell names no account (the import service finds out, the reader reports)."""

    message: str


@dataclass
class Mapped:
    """What reading the data rows gave: native cells per kept row, problems, rows left out."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> rows


class Reader:
    """Turns a file's data rows into native cells by one mapping and its header."""

    def __init__(self, mapping: CrmMapping, header: Sequence[str], types: Sequence[str],
                 dates: str):
        self.mapping = mapping
        self.at = mapping.positions(header)
        self.header = [cell.strip() for cell in header]
        self.known = frozenset(types)
        self.dates = dates
        self._seen: Counter = Counter()  # derived ids: how often each has come up

    def column(self, name: str) -> str:
        """The file's own name of the column a field is read from."""
        return self.header[self.at[name]]

    def cell(self, cells: Sequence[str], name: str) -> str:
        index = self.at.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def read(self, numbered: Iterable[tuple[int, Sequence[str]]],
             people: Mapping[str, "str | NoMatch"]) -> Mapped:
        """Native cells of each data row; `people` maps each person_key to an email, or to
        why it names no account (a key missing from it is used as it is: an email)."""
        out = Mapped()
        convert = {QUOTAS: self._quota, ACTIVITIES: self._activity, "deals": self._deal}
        row_of = convert[self.mapping.shape]
        for line, cells in numbered:
            for result in row_of(line, cells, people):
                if isinstance(result, Problem):
                    out.problems.append(result)
                elif isinstance(result, str):
                    out.skipped[result] += 1
                else:
                    out.rows.append((line, result))
        return out

    def _rep(self, line: int, cells, people) -> str | Problem:
        key = person_key(self.cell(cells, "rep"), self.mapping.person)
        if not key:
            return Problem(line, f"{self.column('rep')} is blank", "rep_email")
        found = people.get(key, key)
        if isinstance(found, NoMatch):
            return Problem(line, f"{self.column('rep')} {self.cell(cells, 'rep').strip()!r}: "
                                 f"{found.message}", "rep_email")
        return found

    def _day(self, line: int, cells, name: str) -> str | Problem:
        cell = self.cell(cells, name).strip()
        if not cell:
            return Problem(line, f"{self.column(name)} is blank", "occurred_on")
        day = parse_date(cell, self.dates)
        if day is None:
            return Problem(line, f"{self.column(name)} {cell!r} is not a date written "
                                 f"{DATE_FORMATS[self.dates].label}", "occurred_on")
        return day.isoformat()

    def _amount(self, line: int, cells) -> str | Problem:
        cell = self.cell(cells, "amount")
        amount = parse_amount(cell, self.mapping.decimal)
        if amount is None:
            return Problem(line, f"{self.column('amount')} {cell.strip()!r} is not an amount",
                           "amount")
        return amount

    def _activity(self, line: int, cells, people):
        rep, day = self._rep(line, cells, people), self._day(line, cells, "occurred_on")
        written = self.cell(cells, "type").strip()
        kind = self.mapping.types.get(written.lower())
        if kind is None and written.lower() in self.known:
            kind = written.lower()
        problems = [p for p in (rep, day) if isinstance(p, Problem)]
        if kind is None:
            problems.append(Problem(
                line, f"{self.column('type')} {written!r} is not an activity type cev_learn "
                      f"counts; map it to one in a custom mapping" if written else
                      f"{self.column('type')} is blank", "type"))
        elif kind == SKIP:
            return [f"{self.column('type')}: {written} (not counted)"]
        amount = self._amount(line, cells) if "amount" in self.at else ""
        if isinstance(amount, Problem):
            problems.append(amount)
        if problems:
            return problems
        quantity = self.cell(cells, "quantity").strip()
        external_id = self._external_id(cells, ("rep", "occurred_on", "type", "subject"))
        return [[external_id, rep, day, kind, quantity, amount]]

    def _deal(self, line: int, cells, people):
        rep, amount = self._rep(line, cells, people), self._amount(line, cells)
        won = self.cell(cells, "stage").strip().lower() in self.mapping.won_stages
        closed = self._day(line, cells, "closed_on") if won else None
        created = (self._day(line, cells, "created_on") if self.cell(cells, "created_on").strip()
                   else None)
        problems = [p for p in (rep, amount, closed, created) if isinstance(p, Problem)]
        if problems:
            return problems
        external_id = self._external_id(cells, ("account", "name", "created_on"))
        records = []
        if created is not None:
            records.append([external_id, rep, created, "opportunity", "1", "0"])
        if won:
            records.append([f"{external_id}:won", rep, closed, "deal_won", "1", amount])
        if not records:
            return [f"{self.cell(cells, 'stage').strip() or 'no stage'}, no "
                    f"{FIELD_LABELS['created_on'].lower()} (not counted)"]
        return records

    def _quota(self, line: int, cells, people):
        rep, amount = self._rep(line, cells, people), self._amount(line, cells)
        cell = self.cell(cells, "month")
        month = parse_month(cell, self.mapping.dates)
        problems = [p for p in (rep, amount) if isinstance(p, Problem)]
        if month is None:
            problems.append(Problem(line, f"{self.column('month')} {cell.strip()!r} is not a "
                                          "month (e.g. 2026-11, Nov 2026 or 11/2026)", "month"))
        if problems:
            return problems
        return [[rep, month, amount]]

    def _external_id(self, cells, identity: tuple[str, ...]) -> str:
        """The record's id in the CRM, prefixed with the source; without an id column, one
        made of the row's identifying cells (and how many times they came before)."""
        source = self.mapping.id_prefix or self.mapping.source
        written = self.cell(cells, "external_id").strip()
        if written:
            return f"{source}:{written}"
        key = "\x1f".join(self.cell(cells, name).strip() for name in identity)
        self._seen[key] += 1
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        count = self._seen[key]
        return f"{source}:row-{digest}" + (f"-{count}" if count > 1 else "")
