"""Import a CRM export as it comes (docs/imports.md): detect its encoding, delimiter, header
row and mapping (a preset, a saved mapping or the native format), match the people it names to
accounts, then store its rows through the import service with the rules of a native file.

Flush only: the caller commits once (or rolls back). Nothing is stored when a row is bad,
unless `skip_invalid`.
"""
import csv
import datetime as dt
import io
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, literal, select, union_all

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.access import visible_rep_filter
from cev_learn.platform.activity_types import ACTIVITY_TYPES
from cev_learn.platform.csv_files import DELIMITERS, ImportFileError, decode_any, sniff_delimiter
from cev_learn.platform.db import db, utcnow
from cev_learn.ramp import crm_mappings as maps
from cev_learn.ramp.crm_mappings import ACTIVITIES, QUOTAS, CrmMapping, NoMatch
from cev_learn.ramp.csv_imports import (ACTIVITY_COLUMNS, MAX_ACTIVITY_ROWS, MAX_QUOTA_ROWS,
                                        QUOTA_COLUMNS, CellError, check_activity_cells,
                                        check_quota_cells, parse_activities_csv,
                                        parse_quotas_csv)
from cev_learn.ramp.import_service import (Progress, RampImportReport, import_activity_rows,
                                           import_quota_rows)
from cev_learn.ramp.models import CrmPerson, ImportMapping

NATIVE = "native"
PREVIEW_ROWS = 10
MAX_PEOPLE_SHOWN = 50  # unmatched names the check page offers to match at once
MATCH_IT = "match it to a rep on the check page or with `cev-learn import match`"


class NoFormatError(ImportFileError):
    """The file's columns match no format: a mapping can describe them."""


@dataclass(frozen=True)
class FileShape:
    """What was detected about a file, as the check page shows it."""

    encoding: str
    delimiter: str             # comma | semicolon | tab
    header_line: int
    mapping: str               # the mapping's title, or "cev_learn CSV"
    mapping_name: str          # its name (NATIVE for the native format)
    dates: str | None = None   # the date format read, for a mapping with dates
    footer_lines: int = 0      # lines after the data that are a report's footer


@dataclass
class CrmImport:
    """An import's report, with what the check page shows about the file."""

    report: RampImportReport
    shape: FileShape
    preview: list[list[str]] = field(default_factory=list)  # native cells, first rows
    skipped: dict[str, int] = field(default_factory=dict)   # reason -> rows left out
    unmatched: list[str] = field(default_factory=list)      # rep cells to match to accounts
    source: str | None = None


# --- Mappings: presets and saved ones ----------------------------------------------------

class MappingDefinition(BaseModel):
    """A saved mapping as stored and as the mapping form sends it."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    columns: dict[str, str]
    person: str = maps.AUTO
    dates: str = maps.AUTO
    decimal: str = maps.AUTO
    types: dict[str, str] = Field(default_factory=dict)
    deals: bool = False
    won_stages: list[str] = Field(default_factory=lambda: ["closed won"])

    @field_validator("person")
    @classmethod
    def _person(cls, value: str) -> str:
        if value not in maps.PEOPLE:
            raise ValueError(f"must be one of {', '.join(maps.PEOPLE)}")
        return value

    @field_validator("dates")
    @classmethod
    def _dates(cls, value: str) -> str:
        if value != maps.AUTO and value not in maps.DATE_FORMATS:
            raise ValueError(f"must be auto or one of {', '.join(maps.DATE_FORMATS)}")
        return value

    @field_validator("decimal")
    @classmethod
    def _decimal(cls, value: str) -> str:
        if value not in maps.DECIMALS:
            raise ValueError("must be auto, '.' or ','")
        return value

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        known = set(maps.FIELD_LABELS)
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}")
        if any(not column.strip() or len(column) > 200 for column in value.values()):
            raise ValueError("a column name must have 1 to 200 characters")
        return {name: column.strip() for name, column in value.items()}


def mapping_from(name: str, kind: str, definition: dict, types: Sequence[str]) -> CrmMapping:
    """A saved mapping's CrmMapping; raises ValueError naming what is wrong with it."""
    try:
        checked = MappingDefinition.model_validate(definition)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "mapping"
        raise ValueError(f"{where}: {problem['msg']}") from None
    shape = "deals" if checked.deals else kind
    missing = [maps.FIELD_LABELS[f] for f in maps.REQUIRED[shape] if f not in checked.columns]
    if missing:
        raise ValueError(f"choose the column of {', '.join(missing)}")
    bad_types = sorted(t for t in checked.types.values() if t != maps.SKIP and t not in types)
    if bad_types:
        raise ValueError(f"{bad_types[0]!r} is not an activity type")
    return CrmMapping(
        name, name, kind, checked.source,
        {f: (column,) for f, column in checked.columns.items()},
        checked.person, checked.dates, checked.decimal,
        {crm.strip().lower(): ours for crm, ours in checked.types.items()},
        checked.deals, tuple(s.strip().lower() for s in checked.won_stages))


def mappings_for(kind: str, types: Sequence[str] = ACTIVITY_TYPES) -> list[CrmMapping]:
    """The presets of a kind, then the saved mappings that still read (one statement)."""
    return all_mappings((kind,), types)[kind]


def all_mappings(kinds: Sequence[str] = (ACTIVITIES, QUOTAS),
                 types: Sequence[str] = ACTIVITY_TYPES) -> dict[str, list[CrmMapping]]:
    """`mappings_for` of each of these kinds, in one statement."""
    found = {kind: [m for m in maps.PRESETS.values() if m.kind == kind] for kind in kinds}
    for saved in db.session.scalars(select(ImportMapping).where(ImportMapping.kind.in_(kinds))
                                    .order_by(ImportMapping.name)):
        try:
            found[saved.kind].append(mapping_from(saved.name, saved.kind, saved.definition,
                                                  types))
        except ValueError:
            continue  # a saved mapping that no longer reads is shown, and fixed, on its page
    return found


def save_mapping(*, name: str, kind: str, definition: dict, actor: User,
                 types: Sequence[str]) -> ImportMapping:
    """Create or replace a saved mapping; raises ValueError naming what is wrong. Flush only."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise ValueError("name: give the mapping a name of 1 to 80 characters")
    if name in maps.PRESETS or name == NATIVE:
        raise ValueError(f"name: {name!r} is a built-in format; choose another name")
    if kind not in (ACTIVITIES, QUOTAS):
        raise ValueError("kind: must be activities or quotas")
    mapping_from(name, kind, definition, types)
    stored = db.session.scalar(select(ImportMapping).where(ImportMapping.name == name))
    if stored is None:
        stored = ImportMapping(name=name, kind=kind, created_by_id=actor.id)
        db.session.add(stored)
    stored.kind, stored.definition, stored.updated_at = kind, definition, utcnow()
    db.session.flush()
    return stored


# --- People ------------------------------------------------------------------------------

def match_people(mapping: CrmMapping, keys: set[str],
                 uploader: User | None) -> dict[str, str | NoMatch]:
    """For each person key of a file: the email of the account it names, or why none (one
    statement). Emails are taken as they are (the import checks them); CRM ids and names go
    through the source's table, then a name is matched to the one account of that full name.
    A scoped uploader's names are matched among the reps they may see, so a name outside
    their scope reads as unknown, whether or not it exists."""
    result: dict[str, str | NoMatch] = {key: key for key in keys if maps.is_email_key(key)}
    others = sorted(keys - result.keys())
    if not others:
        return result
    allowed = True if uploader is None else visible_rep_filter(uploader, User.id)
    matched = select(literal(True), CrmPerson.crm_key, User.email).join(
        User, User.id == CrmPerson.user_id).where(
        CrmPerson.source == mapping.source, CrmPerson.crm_key.in_(others), allowed)
    by_name = defaultdict(list)  # the reps' names, read with the table when names are matched
    if mapping.person != "crm_id":
        matched = union_all(matched, select(literal(False), User.name, User.email).where(
            User.role == Role.REP, User.active.is_(True), allowed))
    for in_table, key, email in db.session.execute(matched):
        if in_table:
            result[key] = email
        else:
            by_name[maps.name_key(key)].append(email)
    left = [key for key in others if key not in result]
    if mapping.person == "crm_id":
        for key in left:
            result[key] = NoMatch(f"no account is matched to this {mapping.source} user id; "
                                  f"{MATCH_IT}")
        return result
    for key in left:
        found = by_name.get(key, [])
        if len(found) == 1:
            result[key] = found[0]
        elif found:
            result[key] = NoMatch(f"{len(found)} people have this name; {MATCH_IT}")
        else:
            result[key] = NoMatch(f"no account has this name; {MATCH_IT}")
    return result


def save_matches(source: str, matches: dict[str, int], actor: User | None) -> int:
    """Record which account each CRM name or id (as the export writes it) stands for; returns
    how many were saved. Every account must be a rep the actor may see (None: the command
    line, any rep), and a name already matched may be changed only if its account is one too;
    raises ValueError otherwise (one message whatever the reason). Flush only."""
    keys = {maps.person_key(label, maps.AUTO): label for label in matches}
    ids = {user_id for user_id in matches.values()}
    allowed = True if actor is None else visible_rep_filter(actor, User.id)
    reps = set(db.session.scalars(select(User.id).where(
        User.id.in_(ids), User.role == Role.REP, User.active.is_(True), allowed)))
    stored = {person.crm_key: person for person in db.session.scalars(
        select(CrmPerson).where(CrmPerson.source == source, CrmPerson.crm_key.in_(keys)))}
    others = {p.user_id for p in stored.values()} - reps
    visible_others = set(db.session.scalars(select(User.id).where(
        User.id.in_(others), allowed))) if others else set()
    for key, label in keys.items():
        user_id = matches[label]
        old = stored.get(key)
        if user_id not in reps or (old is not None and old.user_id not in reps | visible_others):
            raise ValueError(f"{label!r} can only be matched to a rep you manage")
        if old is None:
            db.session.add(CrmPerson(source=source, crm_key=key, label=label[:200],
                                     user_id=user_id))
        else:
            old.user_id, old.label = user_id, label[:200]
    db.session.flush()
    return len(keys)


class MatchProblems(ValueError):
    """Names that cannot be matched as asked, one line each; nothing was saved."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def match_by_email(source: str, emails: dict[str, str], actor: User | None) -> int:
    """Record which rep each CRM name or id stands for, given the rep's email (case does not
    matter); returns how many were saved, or raises MatchProblems and saves nothing. Only
    reps the actor may see are found (None: the command line, any rep): another's is
    answered as no one. Flush only."""
    wanted = {label.strip(): email.strip().lower() for label, email in emails.items()
              if label.strip() and email.strip()}
    if not wanted:
        raise MatchProblems(["Give the email of at least one rep."])
    allowed = True if actor is None else visible_rep_filter(actor, User.id)
    ids = dict(db.session.execute(select(func.lower(User.email), User.id).where(
        func.lower(User.email).in_(set(wanted.values())), User.role == Role.REP,
        allowed)).all())
    problems = [f"{label}: {email} is not a rep you manage"
                for label, email in wanted.items() if email not in ids]
    if problems:
        raise MatchProblems(problems)
    try:
        return save_matches(source, {label: ids[email] for label, email in wanted.items()},
                            actor)
    except ValueError as exc:
        raise MatchProblems([str(exc)]) from None


def suggested_reps(actor: User, most: int) -> list[tuple[str, str]]:
    """(name, email) of the active reps the actor may match names to, by name, when there
    are at most `most` of them; else none (the email is typed)."""
    reps = db.session.execute(
        select(User.name, User.email).where(User.role == Role.REP, User.active.is_(True),
                                            visible_rep_filter(actor, User.id))
        .order_by(User.name).limit(most + 1)).all()
    return [] if len(reps) > most else [tuple(rep) for rep in reps]


# --- Files -------------------------------------------------------------------------------

def read_file(data: bytes, kind: str, *, mapping_name: str | None = None,
              uploader: User | None = None, types: Sequence[str] = ACTIVITY_TYPES
              ) -> tuple[CrmImport, list, list[CellError]]:
    """Detect a file's shape and mapping and check its rows: (what to show, good native rows,
    errors). Raises ImportFileError when the file as a whole cannot be read or matches no
    format (naming the closest and the columns it lacks)."""
    text, encoding = decode_any(data)
    if not text.strip():
        raise ImportFileError("the file is empty")
    delimiter = sniff_delimiter(text)
    first = [cells for _, cells in itertools.islice(_numbered_rows(text, delimiter),
                                                     maps.HEADER_LINES)]
    native = ACTIVITY_COLUMNS if kind == ACTIVITIES else QUOTA_COLUMNS
    candidates = None  # read when needed: the native format and presets need no statement
    if mapping_name == NATIVE:
        match = maps.find_header(first, [], native)
    elif mapping_name is None:
        candidates = mappings_for(kind, types)
        match = maps.find_header(first, candidates, native)
    else:
        preset = maps.PRESETS.get(mapping_name)
        chosen = ([preset] if preset is not None and preset.kind == kind else
                  [m for m in mappings_for(kind, types) if m.name == mapping_name])
        if not chosen:
            raise ImportFileError(f"there is no mapping called {mapping_name!r} for {kind}")
        match = maps.find_header(first, chosen, ())
        if match is None:
            near = maps.closest(first, chosen)
            raise NoFormatError(_lacks(*near) if near else _lacks(
                chosen[0], chosen[0].missing(first[0] if first else [])))
    if match is None:
        raise NoFormatError(_no_format(first, candidates if candidates is not None
                                       else mappings_for(kind, types), native))
    if match.mapping is None:
        return _read_native(text, kind, encoding, delimiter, types)
    return _read_mapped(list(_numbered_rows(text, delimiter)), match, kind, encoding, delimiter,
                        uploader, types)


def header_of(data: bytes) -> list[str]:
    """The cells of a file's header as read for detection: the widest of its first rows (a
    title line above it has one cell); none when the file cannot be read."""
    try:
        text, _ = decode_any(data)
        first = [cells for _, cells in itertools.islice(
            _numbered_rows(text, sniff_delimiter(text)), maps.HEADER_LINES)]
    except ImportFileError:
        return []
    header = max(first, key=lambda row: sum(1 for cell in row if cell.strip()), default=[])
    return [cell.strip() for cell in header if cell.strip()]


def import_file(data: bytes, kind: str, *, skip_invalid: bool, today: dt.date,
                mapping_name: str | None = None, uploader: User | None = None,
                types: Sequence[str] = ACTIVITY_TYPES,
                progress: Progress | None = None, write: bool = True) -> CrmImport:
    """Read a file (read_file) and store its rows (with `write` False, only report what
    storing them would do); raises ImportFileError as read_file."""
    found, rows, errors = read_file(data, kind, mapping_name=mapping_name, uploader=uploader,
                                    types=types)
    store = import_activity_rows if kind == ACTIVITIES else import_quota_rows
    found.report = store(rows, errors, skip_invalid=skip_invalid, today=today,
                         progress=progress, uploader=uploader, write=write)
    return found


def _read_native(text: str, kind: str, encoding: str, delimiter: str, types):
    if kind == ACTIVITIES:
        rows, errors = parse_activities_csv(text, types, delimiter=delimiter)
        preview = [[r.external_id, r.rep_email, r.occurred_on.isoformat(), r.type,
                    str(r.quantity), f"{r.amount:g}"] for r in rows[:PREVIEW_ROWS]]
    else:
        rows, errors = parse_quotas_csv(text, delimiter=delimiter)
        preview = [[r.rep_email, f"{r.month:%Y-%m}", f"{r.amount:g}"]
                   for r in rows[:PREVIEW_ROWS]]
    shape = FileShape(encoding, DELIMITERS[delimiter], 1, "cev_learn CSV", NATIVE)
    return CrmImport(RampImportReport(kind), shape, preview), rows, errors


def _read_mapped(lines, match, kind: str, encoding: str, delimiter: str,
                 uploader: User | None, types):
    mapping = match.mapping
    header_line, header = lines[match.index]
    data, footer = _data_and_footer(lines[match.index + 1:])
    limit = MAX_ACTIVITY_ROWS if kind == ACTIVITIES else MAX_QUOTA_ROWS
    if len(data) > limit:
        raise ImportFileError(f"more than {limit:,} rows; split the file")
    positions = mapping.positions(header)
    date_fields = [f for f in ("occurred_on", "closed_on", "created_on") if f in positions]
    dates = maps.date_format_of((cells[positions[f]] for _, cells in data for f in date_fields
                                 if positions[f] < len(cells)), mapping.dates)
    reader = maps.Reader(mapping, header, types, dates)
    keys = {maps.person_key(reader.cell(cells, "rep"), mapping.person) for _, cells in data}
    people = match_people(mapping, keys - {""}, uploader)
    mapped = reader.read(data, people)
    errors = [CellError(p.line, p.message, p.field) for p in mapped.problems]
    if kind == ACTIVITIES:
        rows = check_activity_cells(mapped.rows, errors, types=types)
    else:
        rows = check_quota_cells(mapped.rows, errors)
    shape = FileShape(encoding, DELIMITERS[delimiter], header_line, mapping.title,
                      mapping.name, maps.DATE_FORMATS[dates].label if date_fields else None,
                      footer)
    unmatched = sorted({reader.cell(cells, "rep").strip() for _, cells in data
                        if isinstance(people.get(maps.person_key(reader.cell(cells, "rep"),
                                                                  mapping.person)), NoMatch)})
    found = CrmImport(RampImportReport(kind), shape, [cells for _, cells in mapped.rows[:PREVIEW_ROWS]],
                      dict(mapped.skipped), unmatched[:MAX_PEOPLE_SHOWN], mapping.source)
    return found, rows, errors


def _numbered_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of each row, blank ones included (as []). Strict: a quote
    left open is an error, not the rest of the file swallowed into one cell."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""),
                        delimiter=delimiter, strict=True)
    line = 1
    try:
        for cells in reader:
            yield line, cells if "".join(cells).strip() else []
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"line {line}: {exc}") from None


def _data_and_footer(rows: list[tuple[int, list[str]]]):
    """The data rows (blank ones left out) and how many footer lines follow them: a report's
    closing lines, one cell each after a blank line (a title, a copyright, who ran it)."""
    end = len(rows)
    while end and (not rows[end - 1][1] or len([c for c in rows[end - 1][1] if c.strip()]) == 1):
        end -= 1
    footer = [row for row in rows[end:] if row[1]]
    if footer and (end == len(rows) or rows[end][1]):
        end, footer = len(rows), []  # no blank line before them: they are data
    return [row for row in rows[:end] if row[1]], len(footer)


def _no_format(first: list[list[str]], candidates: list[CrmMapping], native) -> str:
    near = maps.closest(first, candidates)
    columns = ", ".join(repr(c.strip()) for c in (first[0] if first else [])[:8])
    if near is None:
        return (f"line 1: the columns ({columns}) match no format cev_learn knows: neither "
                f"its own ({', '.join(native)}) nor a CRM export; describe them in a custom "
                "mapping")
    return _lacks(*near) + f" (the file's columns: {columns})"


def _lacks(mapping: CrmMapping, missing: list[str]) -> str:
    return (f"the columns match no format; the closest is {mapping.title}, which also needs "
            + ", ".join(repr(name) for name in missing))
