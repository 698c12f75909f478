"""Import quotas and activities (from CSV files or API batches): check reps against the
database, upsert the rows with bulk statements, then bring the achievements of the reps whose
data changed up to date as of `today`. Flush only; the caller commits once (or rolls back).

Built for millions of activity rows: no ORM object per row. Reps are resolved in one query,
existing records are read per batch of external_ids, and only new or changed rows are
written, as executemany INSERTs and UPDATEs by primary key.
"""
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import (and_, bindparam, case, cast, insert, literal, null, or_, select,
                        union_all, update)

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.access import visible_rep_filter
from cev_learn.platform.activity_types import ACTIVITY_TYPES
from cev_learn.platform import events
from cev_learn.platform.db import db, one_writer_at_a_time, upsert
from cev_learn.ramp import facts
from cev_learn.ramp.csv_imports import (ActivityRow, CellError, QuotaRow, parse_activities_csv,
                                        parse_quotas_csv)
from cev_learn.ramp.models import ActivityRecord, Quota

UPLOADERS = (Role.MANAGER, Role.ADMIN)  # who may send CRM data: page, API and `--as`
BATCH = 20_000  # rows per INSERT/UPDATE executemany
_CHUNK = 5_000  # values per IN (...): under every database's parameter limit

Progress = Callable[[int, int], None]  # (rows done, rows to do)


@dataclass
class RampImportReport:
    kind: str  # quotas | activities
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    imported: bool = False  # False: a row was bad and nothing was applied
    # Reps whose quotas or activities this import changed (for a moved activity, both the
    # rep it left and the rep it joined): their achievements are brought up to date.
    touched_rep_ids: set[int] = field(default_factory=set)
    # The activities created or changed (with what the changed ones held before), while few
    # enough to be counted into the ramp facts as they are.
    changed_ids: list[str] = field(default_factory=list)
    before: list[tuple] = field(default_factory=list)
    achievements_changed: int = 0
    # The reps the import may change were locked as they were read (PostgreSQL; see _known)
    reps_locked: bool = False

    def activity_changes(self) -> facts.ActivityChanges | None:
        """What this import changed of the activities, when it is few enough to be counted
        into the facts as it is (facts.COUNT_IN_AT_MOST); else None."""
        listed = len(self.changed_ids) == self.created + self.updated
        return facts.ActivityChanges(self.changed_ids, self.before) if listed else None

    @property
    def bad_rows(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return (f"{self.kind}: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged")


def import_quotas(text: str, *, skip_invalid: bool, today: dt.date,
                  progress: Progress | None = None,
                  uploader: User | None = None) -> RampImportReport:
    """Create or update each rep's monthly quota from a quotas.csv text.

    Any bad row stops the whole import unless `skip_invalid`; then the good rows go in. An
    `uploader` (a person, not the command line) may only send data of reps they may see.
    Raises ImportFileError when the file as a whole cannot be read.
    """
    rows, errors = parse_quotas_csv(text)
    return import_quota_rows(rows, errors, skip_invalid=skip_invalid, today=today,
                             progress=progress, uploader=uploader)


def import_quota_rows(rows: list[QuotaRow], errors: list[CellError], *, skip_invalid: bool,
                      today: dt.date, progress: Progress | None = None,
                      uploader: User | None = None, write: bool = True) -> RampImportReport:
    """Create or update quotas from checked rows; `errors` are the problems of the others.
    With `write` False, only report what it would do (a check: nothing is written)."""
    report, good, _ = _checked(RampImportReport("quotas"), rows, errors, skip_invalid, uploader)
    if report.imported:
        _apply(good, _quota_batch, report, progress, today, write)
    return report


def import_activities(text: str, *, skip_invalid: bool, today: dt.date,
                      progress: Progress | None = None, types: Sequence[str] = ACTIVITY_TYPES,
                      uploader: User | None = None) -> RampImportReport:
    """Create or update activity records by external_id from an activities.csv text.

    Any bad row stops the whole import unless `skip_invalid`; then the good rows go in. An
    `uploader` (a person, not the command line) may only send data of reps they may see.
    Raises ImportFileError when the file as a whole cannot be read.
    """
    rows, errors = parse_activities_csv(text, types)
    return import_activity_rows(rows, errors, skip_invalid=skip_invalid, today=today,
                                progress=progress, uploader=uploader)


def import_activity_rows(rows: list[ActivityRow], errors: list[CellError], *,
                         skip_invalid: bool, today: dt.date, progress: Progress | None = None,
                         source: str = "import", uploader: User | None = None,
                         write: bool = True) -> RampImportReport:
    """Create or update activity records from checked rows; `errors` are the problems of the
    others. New records are marked with `source` (import | api). With `write` False, only
    report what it would do (a check: nothing is written)."""
    report, good, stored = _checked(RampImportReport("activities"), rows, errors,
                                    skip_invalid, uploader)
    if report.imported:
        _apply(good, partial(_activity_batch, source=source, stored=stored), report, progress,
               today, write)
    return report


def _checked(report: RampImportReport, rows: list, errors: list[CellError],
             skip_invalid: bool, uploader: User | None
             ) -> tuple[RampImportReport, list[tuple[int, tuple]], "_Stored | None"]:
    """(rep id, row) for the rows the uploader may write, and the stored records they name
    when they were read with the people (see `_known`); the report holds every error.

    A row may change only what is in the uploader's scope: the rep it names and, for an
    activity that is already stored, the rep it belongs to now. A scoped uploader gets one
    answer for every rep outside their scope, whether or not the email exists.
    """
    users, theirs, stored = _known(uploader, rows)
    report.reps_locked = stored is not None and not one_writer_at_a_time()
    rep_ids = {email: user_id for email, (user_id, role) in users.items() if role is Role.REP}
    owners = ({} if not _scoped(uploader) or stored is None
              else {external_id: values[0] for external_id, (_, values) in stored.items()})
    good = []
    for row in rows:
        if (problem := _row_problem(row, users, rep_ids, theirs, owners, uploader)) is None:
            good.append((rep_ids[row.rep_email], row))
        else:
            errors.append(CellError(row.line, *problem))
    report.errors = sorted(errors, key=lambda error: error.line)  # keeps a row's own order
    report.imported = not report.errors or skip_invalid
    return report, good, stored


_Stored = dict[str, tuple[int, tuple]]  # external_id → (id, (user_id, occurred_on, type, …))


def _known(uploader: User | None, rows: list
           ) -> tuple[dict[str, tuple[int, Role]], set[int], _Stored | None]:
    """What the rows are checked against: (id, role) of the users they name by email; the
    reps among those, and among the owners of the stored activities they name, whose data
    the uploader may send; and those stored activities, when read here.

    A file of activities with up to _CHUNK emails and external ids (an API batch, a CRM
    export of a day) has all of it read in one statement, which on PostgreSQL also locks
    every rep it could change first (see facts.refresh_reps). Larger files are read in
    chunks, and their stored activities batch by batch as they are written (None here)."""
    emails = sorted({row.rep_email for row in rows})
    external_ids = sorted({row.external_id for row in rows if hasattr(row, "external_id")})
    if external_ids and len(emails) <= _CHUNK and len(external_ids) <= _CHUNK:
        return _known_at_once(uploader, emails, external_ids)
    users = _users_by_email(set(emails))
    owners = _stored_owners(uploader, rows)
    reps = {user_id for user_id, role in users.values() if role is Role.REP}
    return users, _reps_of(uploader, reps | set(owners.values())), None


def _known_at_once(uploader: User | None, emails: list[str], external_ids: list[str]
                   ) -> tuple[dict[str, tuple[int, Role]], set[int], _Stored]:
    """`_known` in one statement: the users by email and the stored activities by external
    id, each with whether the uploader may send data of its rep."""
    def theirs(user_id):
        allowed = True if uploader is None else visible_rep_filter(uploader, user_id)
        return literal(True) if allowed is True else case((allowed, True), else_=False)

    record, columns = ActivityRecord, (ActivityRecord.id, ActivityRecord.occurred_on,
                                       ActivityRecord.type, ActivityRecord.quantity,
                                       ActivityRecord.amount)
    named = User.email.in_(emails)
    if not one_writer_at_a_time():  # the reps named and the reps of the stored records
        named = and_(named, facts.locking(facts.lock_reps_where(or_(named, User.id.in_(
            select(record.user_id).where(record.external_id.in_(external_ids)))))))
    users, stored, reps = {}, {}, set()
    for key, user_id, role, mine, record_id, *values in db.session.execute(union_all(
            select(User.email, User.id, User.role, theirs(User.id),
                   *(cast(null(), column.type) for column in columns))
            .where(named),
            select(record.external_id, record.user_id, cast(null(), User.role.type),
                   theirs(record.user_id), *columns)
            .where(record.external_id.in_(external_ids)))):
        if record_id is None:
            users[key] = (user_id, role)
        else:
            stored[key] = (record_id, tuple([user_id, *values]))
        if mine and (record_id is not None or role is Role.REP):
            reps.add(user_id)
    return users, reps, stored


def _row_problem(row, users: dict, rep_ids: dict[str, int], theirs: set[int],
                 owners: dict[str, int], uploader: User | None) -> tuple[str, str] | None:
    """(message, field) of what stops this row, or None."""
    rep_id = rep_ids.get(row.rep_email)
    if (rep_id is None and _scoped(uploader)) or (rep_id is not None and rep_id not in theirs):
        return (f"{row.rep_email} is not a rep in a cohort or territory you manage",
                "rep_email")
    if rep_id is None and row.rep_email in users:
        return f"{row.rep_email} is a {users[row.rep_email][1].value}, not a rep", "rep_email"
    if rep_id is None:
        return f"unknown rep {row.rep_email}", "rep_email"
    owner = owners.get(getattr(row, "external_id", None))
    if owner is not None and owner not in theirs:
        return (f"external_id {row.external_id} is a record of a rep you do not manage; "
                "their manager or an admin can change it", "external_id")
    return None


def _scoped(uploader: User | None) -> bool:
    """True when the uploader may send data of some reps only (not the command line)."""
    return uploader is not None and visible_rep_filter(uploader, User.id) is not True


def _stored_owners(uploader: User | None, rows: list) -> dict[str, int]:
    """external_id → rep of the stored activities these rows would change, for a scoped
    uploader (everyone else may change any record, so nothing is read)."""
    if not _scoped(uploader) or not rows or not hasattr(rows[0], "external_id"):
        return {}
    return {external_id: user_id
            for chunk in _chunks(sorted({row.external_id for row in rows}))
            for external_id, user_id in db.session.execute(
                select(ActivityRecord.external_id, ActivityRecord.user_id)
                .where(ActivityRecord.external_id.in_(chunk)))}


def _reps_of(uploader: User | None, rep_ids: set[int]) -> set[int]:
    """Those of these reps whose data the uploader may send (all for the command line)."""
    allowed = True if uploader is None else visible_rep_filter(uploader, User.id)
    if allowed is True:
        return rep_ids
    return {rep_id for chunk in _chunks(sorted(rep_ids)) for rep_id in db.session.scalars(
        select(User.id).where(User.id.in_(chunk), allowed))}


def _users_by_email(emails: set[str]) -> dict[str, tuple[int, Role]]:
    """(id, role) of the users with these emails: one query unless there are thousands."""
    return {email: (user_id, role) for chunk in _chunks(sorted(emails))
            for email, user_id, role in db.session.execute(
                select(User.email, User.id, User.role).where(User.email.in_(chunk)))}


def _apply(good: list, write_batch, report: RampImportReport, progress: Progress | None,
           today: dt.date, write: bool) -> None:
    for start in range(0, len(good), BATCH):
        write_batch(good[start:start + BATCH], report, write=write)
        if progress is not None:
            progress(min(start + BATCH, len(good)), len(good))
    if not write:
        return
    db.session.flush()
    if report.kind == "quotas":
        changed = facts.refresh_reps(report.touched_rep_ids, today, {events.QUOTAS})
    else:  # a few records (a CRM sync, as a rule) are counted into the sums as they are
        changed = facts.refresh_reps(report.touched_rep_ids, today, {events.ACTIVITIES},
                                     changes=report.activity_changes(),
                                     locked=report.reps_locked)
    report.achievements_changed = changed


class ChangedMeanwhile(Exception):
    """A record this import stores or changes was stored or changed by another writer after
    it was read: nothing is stored (the caller rolls back), and the same import sent again
    applies."""


def _write(model, new: list[dict], changed: list[dict], report: RampImportReport,
           write: bool) -> None:
    """Insert and update rows (when `write`; counted either way) in one order every writer
    shares (activity records by external id; quotas new by their unique key, changed by id),
    so two batches touching the same records wait for each other instead of deadlocking."""
    report.created += len(new)
    report.updated += len(changed)
    if not write:
        return
    if model is ActivityRecord:
        if new or changed:
            _write_as_read(new, changed)
        return
    if new:
        db.session.execute(insert(model), sorted(new, key=_natural_key))
    if changed:  # bulk UPDATE by primary key
        db.session.execute(update(model), sorted(changed, key=lambda row: row["id"]))


_ACTIVITY_VALUES = ("user_id", "occurred_on", "type", "quantity", "amount")
_WAS, _NOTHING = tuple(f"was_{name}" for name in _ACTIVITY_VALUES), (None,) * 5


def _write_as_read(new: list[dict], changed: list[dict]) -> None:
    """Store new activity records and correct changed ones (by external id), a changed one
    only while it still holds what was read (its `was` values): what a record held before is
    then exactly what the ramp facts take away (facts.ActivityChanges), even where writers
    run side by side (PostgreSQL). A record another writer changed meanwhile raises
    ChangedMeanwhile; one it stored meanwhile, ChangedMeanwhile or IntegrityError.

    One statement either way: new records alone are a plain INSERT (a large file's batches
    as a rule: the fastest there is), changed ones alone a guarded UPDATE, and both together
    (an API batch, a CRM sync) one guarded UPSERT, which stores a new one only while no other
    writer stored it meanwhile."""
    table = ActivityRecord.__table__
    if not changed:
        db.session.execute(insert(table), sorted(new, key=_natural_key))
        return
    rows = [{**{key: value for key, value in row.items() if key != "was"},
             **dict(zip(_WAS, row.get("was", _NOTHING)))}
            for row in sorted([*new, *changed], key=_natural_key)]
    guard = and_(*(table.c[name] == bindparam(was) for name, was in zip(_ACTIVITY_VALUES, _WAS)))
    if not new:
        stmt = (update(table).where(table.c.external_id == bindparam("key"), guard)
                .values({name: bindparam(f"new_{name}") for name in _ACTIVITY_VALUES}))
        rows = [{"key": row["external_id"], **{was: row[was] for was in _WAS},
                 **{f"new_{name}": row[name] for name in _ACTIVITY_VALUES}} for row in rows]
    else:
        stmt = upsert(table)
        stmt = stmt.on_conflict_do_update(  # a new one's `was` values are NULL: left alone
            index_elements=[table.c.external_id],
            set_={name: stmt.excluded[name] for name in _ACTIVITY_VALUES}, where=guard)
    # rowcount: the rows inserted or updated (kept for an INSERT only when asked)
    done = db.session.execute(stmt.execution_options(preserve_rowcount=True), rows)
    if done.rowcount != len(rows):
        raise ChangedMeanwhile("an activity record was stored or changed by another import "
                               "at the same time")


def _natural_key(row: dict) -> tuple:
    return (row["external_id"],) if "external_id" in row else (row["user_id"], row["month"])


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


# --- Activities --------------------------------------------------------------------------

def _activity_batch(batch: list[tuple[int, ActivityRow]], report: RampImportReport, *,
                    source: str, stored: _Stored | None, write: bool) -> None:
    """Write a batch of rows; `stored` holds the stored records they name, when read already
    (else they are read here)."""
    existing = (stored if stored is not None
                else _existing_activities([row.external_id for _, row in batch]))
    new, changed, touched = [], [], report.touched_rep_ids
    for user_id, row in batch:
        wanted = (user_id, row.occurred_on, row.type, row.quantity, row.amount)
        old = existing.get(row.external_id)
        if old is None:
            new.append({"external_id": row.external_id, "user_id": user_id,
                        "occurred_on": row.occurred_on, "type": row.type,
                        "quantity": row.quantity, "amount": row.amount, "source": source})
            _listed(report, row.external_id)
            touched.add(user_id)
        elif old[1] != wanted:
            changed.append({"external_id": row.external_id, "user_id": user_id,
                            "occurred_on": row.occurred_on, "type": row.type,
                            "quantity": row.quantity, "amount": row.amount,
                            "source": source, "was": old[1]})  # its source stays
            if _listed(report, row.external_id):
                owner, occurred_on, kind, quantity, amount = old[1]
                report.before.append((owner, kind, occurred_on, quantity, amount))
            touched.add(user_id)
            touched.add(old[1][0])
        else:
            report.unchanged += 1
    _write(ActivityRecord, new, changed, report, write)


def _listed(report: RampImportReport, external_id: str) -> bool:
    """List a record created or changed while the list stays short enough to be counted
    into the facts as it is; False once it is not."""
    if len(report.changed_ids) + len(report.before) >= facts.COUNT_IN_AT_MOST:
        return False
    report.changed_ids.append(external_id)
    return True


def _existing_activities(external_ids: list[str]) -> _Stored:
    """external_id → (id, (user_id, occurred_on, type, quantity, amount)) of stored records."""
    found = {}
    for chunk in _chunks(external_ids):
        result = db.session.execute(select(
            ActivityRecord.external_id, ActivityRecord.id, ActivityRecord.user_id,
            ActivityRecord.occurred_on, ActivityRecord.type, ActivityRecord.quantity,
            ActivityRecord.amount).where(ActivityRecord.external_id.in_(chunk)))
        found.update((external_id, (record_id, tuple(values)))
                     for external_id, record_id, *values in result)
    return found


# --- Quotas ------------------------------------------------------------------------------

def _quota_batch(batch: list[tuple[int, QuotaRow]], report: RampImportReport, *,
                 write: bool) -> None:
    existing = _existing_quotas(sorted({user_id for user_id, _ in batch}))
    new, changed = [], []
    for user_id, row in batch:
        old = existing.get((user_id, row.month))
        if old is None:
            new.append({"user_id": user_id, "month": row.month, "amount": row.amount})
        elif old[1] != row.amount:
            changed.append({"id": old[0], "amount": row.amount})
        else:
            report.unchanged += 1
            continue
        report.touched_rep_ids.add(user_id)
    _write(Quota, new, changed, report, write)


def _existing_quotas(user_ids: list[int]) -> dict[tuple, tuple[int, float]]:
    """(user_id, month) → (id, amount) of these reps' stored quotas."""
    found = {}
    for chunk in _chunks(user_ids):
        result = db.session.execute(select(Quota.user_id, Quota.month, Quota.id, Quota.amount)
                                    .where(Quota.user_id.in_(chunk)))
        found.update(((user_id, month), (quota_id, amount))
                     for user_id, month, quota_id, amount in result)
    return found
