"""Ramp facts kept current as data arrives: what the ramp pages read instead of raw records.

Two tables sum the activity records that count for ramp (those of a rep in a cohort, from
their start date): per rep × type × tenure week (`RepWeekActivity`) and per rep × type ×
calendar month (`RepMonthActivity`); a third holds each rep's first weeks by type side by
side (`RepEarlyActivity`: the weekly facts of the first weeks, pivoted, by the database as
they are written). With the stored
achievements they are everything a ramp page needs, and a page reads a few rows per rep
whatever the number of records.

Every service that changes what a rep's ramp is measured from (CRM activities and quotas,
quiz results, module completions, sign-offs, memberships, milestone definitions) calls
`refresh_reps` for the reps it changed, naming the kinds of records that changed (through
`events.records_changed`), in its own transaction, before the caller commits: the activity
facts are summed again only when activities (or what they count from) changed, and only the
milestones measured from those records are judged again.
Views and commands never call it themselves. It also tells the page cache which reps and
cohorts changed, so only their pages and the organisation's summary are built again. `rebuild` recomputes every fact from the raw
records (`cev-learn ramp rebuild`).

Reading as of a day: a week or month that is over by `as_of` comes straight from its fact.
The week or month `as_of` falls in comes from its fact too unless a record in it is dated
after `as_of` (the fact's `last_on` says so); only then are that period's records up to
`as_of` summed from the records themselves, an index range of a few days per such rep.
"""
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (Date, Float, Integer, String, and_, case, column, delete, exists, func,
                        insert, literal, not_, select, text, union_all)

from cev_learn.accounts.models import User
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.schema import MAX_AMOUNT
from cev_learn.platform import events
from cev_learn.platform.db import db, one_writer_at_a_time, upsert
from cev_learn.ramp.achievements import judge_again, recompute_for
from cev_learn.ramp.models import (ActivityRecord, RepEarlyActivity,
                                   RepMonthActivity, RepWeekActivity)
from cev_learn.ramp.sql import days_after, first_of_month, tenure_week

CHUNK = 500
COUNT_IN_AT_MOST = 1_000  # records a write changes counted into the facts; more: summed again


# --- Keeping them current -------------------------------------------------------------------

@dataclass(frozen=True)
class ActivityChanges:
    """The activity records a write created or changed, when they are all that changed of
    the reps' activity: what the facts need to count them in as they are."""

    external_ids: Sequence[str]  # created or changed (their new values are stored)
    before: Sequence[tuple[int, str, dt.date, int, float]] = ()  # (rep, type, day, quantity,
    # amount) of the changed ones before the change

    def __len__(self) -> int:
        return len(self.external_ids) + len(self.before)


def refresh_reps(rep_ids: Iterable[int], today: dt.date,
                 records: Iterable[str] = events.ALL_RECORDS, *,
                 changes: ActivityChanges | None = None, locked: bool = False) -> int:
    """Bring the facts and achievements of these reps up to date with their records of these
    kinds (events.ACTIVITIES, …; all of them by default: a membership or start date changes
    what every record counts for); returns how many achievements changed. Flushes only: the
    caller's transaction commits.

    `changes` names the only activity records that changed: when they are few
    (COUNT_IN_AT_MOST), what they add and what the changed ones took away is counted into the
    facts (two statements) rather than the reps' facts summed again from every record.
    What changed records held before is what the writer replaced: it changed each only while
    it still held that (import_service).

    On PostgreSQL the reps' rows are locked first, so two transactions writing for the same
    rep refresh one after the other and the second sees the first's records: no fact is lost
    or counted twice. The lock is FOR NO KEY UPDATE: the records a transaction has just
    written hold a key-share lock on their rep's row (the foreign key), which a plain FOR
    UPDATE would wait on, in a circle. SQLite needs no statement for it: it runs one writing
    transaction at a time, and the caller's has written already. `locked`: the caller has
    locked these reps in this transaction already, the same way (`lock_reps_where`).
    """
    ids, records = sorted(set(rep_ids)), frozenset(records)
    if not ids:
        return 0
    if not one_writer_at_a_time() and not locked:
        for chunk in _chunks(ids):
            db.session.execute(_lock(chunk))
    counting = changes is not None and len(changes) <= COUNT_IN_AT_MOST
    if events.ACTIVITIES in records and counting:
        _count_in(changes)
    # Summed again: the activity facts of these reps (the only records they sum changed);
    # the milestones are judged from the records, so they need no facts first.
    summing = events.ACTIVITIES in records and not counting
    done = judge_again(ids, today, records, activity_held=summing)
    if summing:
        _replace_facts(ids, done.activity)
    return done.changed


def _lock(rep_ids: list[int]):
    """Lock these reps' rows (PostgreSQL), in one order everywhere."""
    return lock_reps_where(User.id.in_(rep_ids))


def lock_reps_where(condition):
    """Lock the rows of the users this condition picks as `refresh_reps` does (PostgreSQL),
    in the same order: a SELECT of its own, or a part of another statement (`locking`)."""
    return (select(User.id).where(condition).order_by(User.id)
            .with_for_update(of=User, key_share=True))


def locking(lock):
    """A condition that holds, once the rows `lock` (`lock_reps_where`) picks are locked:
    put in another statement's WHERE, that statement locks them first and costs no statement
    more. Every row is locked (a count reads them all), before the rest of the statement is
    read, from what the database held when the statement began."""
    locked = lock.cte("locked_reps").prefix_with("MATERIALIZED")
    return select(func.count()).select_from(locked).scalar_subquery() >= 0


def listen() -> None:
    """Keep the facts current whenever a service announces that reps' records changed
    (events.records_changed), in the same transaction."""
    events.rep_records_changed.connect(_on_records_changed)


def _on_records_changed(_sender, *, rep_ids: list[int], today: dt.date,
                        records: frozenset[str]) -> int:
    if records and not records & RAMP_RECORDS:  # practice reviews alone: nothing to judge
        return 0
    return refresh_reps(rep_ids, today, records)


# The kinds of records milestones and activity facts are built from.
RAMP_RECORDS = events.ALL_RECORDS - {events.EXERCISES}


def rebuild(today: dt.date) -> tuple[int, int]:
    """Recompute every fact and every rep's achievements from the raw records; returns
    (reps in a cohort, achievements changed). Flushes only."""
    sum_activity()
    rep_ids = list(db.session.scalars(
        select(Membership.user_id).where(Membership.moved_out_at.is_(None))))
    return len(rep_ids), recompute_for(rep_ids, today)


def sum_activity() -> None:
    """Sum every counted record into the activity facts, replacing what they held (a
    rebuild, or a bulk load such as the large demo organisation, which stores achievements
    itself)."""
    for table in FACT_TABLES:
        db.session.execute(delete(table))
    _insert_facts(None)


FACT_TABLES = (RepWeekActivity, RepMonthActivity, RepEarlyActivity)


def _replace_facts(rep_ids: list[int], held: dict[int, tuple[bool, bool]]) -> None:
    """Sum the facts of these reps again: delete those they have, insert those their records
    make. `held` says, for each of them in a cohort, whether they hold activity records and
    facts: a rep with neither (just created) costs nothing, a rep placed in their first cohort
    has no facts to delete; a rep in no cohort has no records that count, but may have the
    facts of one they left."""
    with_records = [rep for rep, (records, _) in held.items() if records]
    with_facts = [rep for rep in rep_ids if held.get(rep, (False, True))[1]]
    for chunk in _chunks(with_facts):
        for table in FACT_TABLES:
            db.session.execute(delete(table).where(table.user_id.in_(chunk)))
    for chunk in _chunks(sorted(with_records)):
        _insert_facts(chunk)


def _count_in(changes: ActivityChanges) -> None:
    """Count changed records into their reps' weekly and monthly facts (and so their early
    weeks: see RepEarlyActivity): what the records created or changed hold now is added,
    what the changed ones held before is taken away. An UPSERT each. A fact whose records
    all moved away stays, empty (records 0); its `last_on` may stay later than its records,
    which only makes a report as of a day before it sum that period from the records."""
    stored = ActivityRecord.__table__
    parts = [select(stored.c.user_id, stored.c.type, stored.c.occurred_on, stored.c.quantity,
                    counted_amount(stored.c.amount).label("amount"), literal(1).label("records"))
             .where(stored.c.external_id.in_(sorted(changes.external_ids)))]
    if changes.before:
        before = _rows(changes.before)
        parts.append(select(before.c.user_id, before.c.type, before.c.occurred_on,
                            -before.c.quantity, -counted_amount(before.c.amount), literal(-1)))
    record = union_all(*parts).subquery("record")
    counted = counted_activity(record)
    week = tenure_week(record.c.occurred_on, counted_start())
    _upsert_sums(RepWeekActivity, ["user_id", "type", "week", "quantity", "records", "last_on"],
                 counted.with_only_columns(
                     record.c.user_id, record.c.type, week, func.sum(record.c.quantity),
                     func.sum(record.c.records), func.max(record.c.occurred_on))
                 .group_by(record.c.user_id, record.c.type, week))
    month = first_of_month(record.c.occurred_on)
    _upsert_sums(RepMonthActivity,
                 ["user_id", "type", "month", "quantity", "amount", "records", "last_on"],
                 counted.with_only_columns(
                     record.c.user_id, record.c.type, month, func.sum(record.c.quantity),
                     func.sum(record.c.amount), func.sum(record.c.records),
                     func.max(record.c.occurred_on))
                 .group_by(record.c.user_id, record.c.type, month))


_RECORD_COLUMNS = (column("user_id", Integer), column("type", String(32)),
                   column("occurred_on", Date), column("quantity", Integer),
                   column("amount", Float))


def _rows(rows: Sequence[tuple]):
    """Rows of activity records' shape (user_id, type, occurred_on, quantity, amount) as a
    subquery: a VALUES list, whose columns both databases name column1, column2…"""
    params, tuples = {}, []
    for n, row in enumerate(rows):
        params.update((f"v{n}_{i}", value) for i, value in enumerate(row))
        tuples.append("(" + ", ".join(f":v{n}_{i}" for i in range(len(row))) + ")")
    named = ", ".join(f"column{i} AS {c.name}" for i, c in enumerate(_RECORD_COLUMNS, 1))
    # Only placeholders and this module's column names are put in the text: every value is
    # a bound parameter.
    sql = f"SELECT {named} FROM (VALUES {', '.join(tuples)}) AS before_change"  # nosec B608
    return (text(sql).bindparams(**params).columns(*_RECORD_COLUMNS)
            .subquery("before_change"))


def _upsert_sums(fact, columns: list[str], sums) -> None:
    """Add the sums selected by `sums` to the rows of `fact` with the same key (new keys
    inserted), keeping the later `last_on`."""
    table = fact.__table__
    stmt = upsert(table).from_select(columns, sums)
    added = {name: table.c[name] + stmt.excluded[name]
             for name in columns if name in ("quantity", "amount", "records")}
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={**added, "last_on": case((stmt.excluded.last_on > table.c.last_on,
                                        stmt.excluded.last_on), else_=table.c.last_on)}))


def _insert_facts(rep_ids: list[int] | None) -> None:
    """Sum the counted records of these reps (None: everyone) into the fact tables."""
    record = ActivityRecord.__table__
    counted = counted_activity(record, rep_ids=rep_ids)
    week = tenure_week(record.c.occurred_on, counted_start())
    db.session.execute(insert(RepWeekActivity).from_select(
        ["user_id", "type", "week", "quantity", "records", "last_on"],
        counted.with_only_columns(record.c.user_id, record.c.type, week,
                                  func.sum(record.c.quantity), func.count(),
                                  func.max(record.c.occurred_on))
        .group_by(record.c.user_id, record.c.type, week)))
    month = first_of_month(record.c.occurred_on)
    db.session.execute(insert(RepMonthActivity).from_select(
        ["user_id", "type", "month", "quantity", "amount", "records", "last_on"],
        counted.with_only_columns(record.c.user_id, record.c.type, month,
                                  func.sum(record.c.quantity),
                                  func.sum(counted_amount(record.c.amount)), func.count(),
                                  func.max(record.c.occurred_on))
        .group_by(record.c.user_id, record.c.type, month)))  # and the early weeks with them


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# --- What counts ----------------------------------------------------------------------------

def counted_start():
    """A member's start date: their own, else their cohort's (needs Membership and Cohort)."""
    return func.coalesce(Membership.start_on, Cohort.start_on)


def counted_activity(record=None, *, rep_ids=None):
    """SELECT over the activity records that count for ramp, those of reps in a cohort now,
    from each one's start date (columns to choose with `with_only_columns`); `record` is the
    activity_record table (by default) or rows of its shape (user_id, type, occurred_on,
    quantity, amount); narrowed to some reps (a list or a subquery)."""
    record = ActivityRecord.__table__ if record is None else record
    stmt = _in_cohort(select(record.c.user_id).select_from(record), record.c.user_id).where(
        record.c.occurred_on >= counted_start())
    return stmt if rep_ids is None else stmt.where(record.c.user_id.in_(rep_ids))


def counted_amount(amount=None):
    """An activity's amount as sums count it, from 0 to MAX_AMOUNT. Every way in refuses other
    amounts, but a record stored before they were
    bounded must not make a sum overflow: PostgreSQL refuses the whole statement, SQLite
    answers infinity."""
    amount = ActivityRecord.amount if amount is None else amount
    return case((amount > MAX_AMOUNT, float(MAX_AMOUNT)), (amount > 0, amount), else_=0.0)


def _in_cohort(stmt, user_id):
    return (stmt.join(Membership, and_(Membership.user_id == user_id,
                                       Membership.moved_out_at.is_(None)))
            .join(Cohort, Cohort.id == Membership.cohort_id))


# --- Reading them ---------------------------------------------------------------------------

def weekly(rep_ids, as_of: dt.date, *, until_week: int | None = None,
           kinds: Iterable[str] | None = None):
    """SELECT (rep, type, tenure week, quantity) of the weeks up to the one as_of falls in,
    counting records up to as_of; `rep_ids` is a list or a subquery of rep ids; `kinds`
    narrows to some activity types."""
    fact = RepWeekActivity
    current = tenure_week(literal(as_of, Date), counted_start())
    settled = select(fact.user_id, fact.type, fact.week, fact.quantity).where(
        fact.user_id.in_(rep_ids), _settled(fact, as_of))
    record = ActivityRecord
    in_week = and_(record.user_id == fact.user_id, record.type == fact.type,
                   record.occurred_on >= days_after(counted_start(), (fact.week - 1) * 7),
                   record.occurred_on <= as_of)
    cut = _straddling(select(
        fact.user_id, fact.type, fact.week,
        select(func.sum(record.quantity)).where(in_week).scalar_subquery()),
        fact, as_of, rep_ids).where(fact.week == current, exists().where(in_week))
    if until_week is not None:
        settled, cut = settled.where(fact.week <= until_week), cut.where(fact.week <= until_week)
    if kinds is not None:
        kinds = sorted(kinds)
        settled, cut = settled.where(fact.type.in_(kinds)), cut.where(fact.type.in_(kinds))
    return union_all(settled, cut)


def monthly(rep_ids, as_of: dt.date | None = None, *, kind: str | None = None):
    """SELECT (rep, type, month's first day, quantity, amount) of the months up to the one
    as_of falls in, counting records up to as_of (None: every record); `rep_ids` is a list
    or a subquery of rep ids; `kind` narrows to one activity type."""
    fact, record = RepMonthActivity, ActivityRecord
    columns = (fact.user_id, fact.type, fact.month, fact.quantity, fact.amount)
    if as_of is None:
        stmt = select(*columns).where(fact.user_id.in_(rep_ids), fact.records > 0)
        return stmt if kind is None else stmt.where(fact.type == kind)
    month = as_of.replace(day=1)
    settled = select(*columns).where(fact.user_id.in_(rep_ids), _settled(fact, as_of))
    in_month = and_(record.user_id == fact.user_id, record.type == fact.type,
                    record.occurred_on >= month, record.occurred_on <= as_of,
                    record.occurred_on >= counted_start())
    cut = _straddling(select(
        fact.user_id, fact.type, fact.month,
        select(func.sum(record.quantity)).where(in_month).scalar_subquery(),
        select(func.sum(counted_amount())).where(in_month).scalar_subquery()),
        fact, as_of, rep_ids).where(fact.month == month, exists().where(in_month))
    if kind is not None:
        settled, cut = settled.where(fact.type == kind), cut.where(fact.type == kind)
    return union_all(settled, cut)


def _settled(fact, as_of: dt.date):
    """The facts (not empty) whose every record is dated on or before as_of, counted whole:
    they are exactly the periods before the one as_of falls in (a record on or before as_of
    lies in one of those or in as_of's own) and as_of's own when nothing after as_of is in it
    yet. `NOT >` keeps SQLite on the rep's rows rather than the `last_on` index."""
    return and_(not_(fact.last_on > as_of), fact.records > 0)


def _straddling(stmt, fact, as_of: dt.date, rep_ids):
    """`stmt` over the facts with a record dated after as_of, with the rep's membership and
    cohort. On SQLite, which keeps no statistics, the facts are read through their `last_on`
    index (`+ 0` keeps it from reading every fact of every rep in `rep_ids` instead).
    PostgreSQL plans by its statistics, and must stay free to reach each rep's facts by their
    key: with `+ 0`, a rep count it underestimates made it read one week of every rep's
    facts per rep (4.4 s for a cohort's page)."""
    rep = fact.user_id + 0 if db.session.get_bind().dialect.name == "sqlite" else fact.user_id
    return (stmt.select_from(fact)
            .join(Membership, and_(Membership.user_id == rep, Membership.moved_out_at.is_(None)))
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(fact.last_on > as_of, rep.in_(rep_ids)))
