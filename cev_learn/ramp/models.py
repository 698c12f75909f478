"""Ramp records: CRM activities and quotas, the milestones each rep reached (and who changed
them), and the ramp facts summed from the activities. The milestones and rubrics themselves
are declared in track.yaml and stored with the rest of a track (content.models)."""
import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform.db import UTCDateTime, db, utcnow


class ActivityRecord(db.Model):
    """One CRM activity (call, meeting, won deal…); re-imports update it by external_id."""

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    occurred_on: Mapped[dt.date]
    type: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(default=1)
    amount: Mapped[float] = mapped_column(default=0.0)
    source: Mapped[str] = mapped_column(String(16), default="import")

    __table_args__ = (Index("ix_activity_record_user_id_type_occurred_on",
                            "user_id", "type", "occurred_on"),
                      # Ramp aggregates read a rep's days in order with every type: this
                      # index answers them without touching the table.
                      Index("ix_activity_record_user_id_occurred_on",
                            "user_id", "occurred_on", "type", "quantity", "amount"))


class Quota(db.Model):
    """A rep's full quota for one calendar month (month = its first day)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    month: Mapped[dt.date]
    amount: Mapped[float]

    __table_args__ = (UniqueConstraint("user_id", "month"),)


class Achievement(db.Model):
    """A milestone a rep reached, materialized: recomputed for the reps an event touches."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    achieved_on: Mapped[dt.date]
    source: Mapped[str] = mapped_column(String(16))  # auto | coach | import | api
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # When the date, source or note last changed: writers set it; onupdate is the backstop.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "milestone_id"),
                      Index("ix_achievement_milestone_id", "milestone_id"),
                      Index("ix_achievement_updated_at", "updated_at"))


class AchievementChange(db.Model):
    """History: every time an achievement was set, moved or cleared, and by whom, in the
    order written (`id`). An achievement inserted or updated is copied here by the database
    itself (a trigger, with its `updated_at` as `created_at`), in the statement that writes
    it, and so is a measured one deleted (cleared: its records no longer reach it; the
    database's clock as `created_at`), so no writer can forget them; a correction recorded
    by hand and cleared is written by the service that clears it, which knows who and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    achieved_on: Mapped[dt.date | None]  # None: cleared
    source: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_achievement_change_user_id", "user_id"),)


EARLY_WEEKS = 8  # the tenure weeks early pace is measured over (analytics.reports)


class RepWeekActivity(db.Model):
    """Ramp fact: a rep's counted CRM activity of one type in one tenure week (week 1 = days
    0–6 from their start date). Counted records are those of a rep in a cohort, from their
    start date; kept current by ramp.facts in the transaction that changes the records."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    week: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int]
    records: Mapped[int] = mapped_column(server_default="0")  # 0: empty (see RepMonthActivity)
    last_on: Mapped[dt.date]  # no record is later (see RepMonthActivity): after as_of, cut there

    __table_args__ = (Index("ix_rep_week_activity_last_on", "last_on"),)


class RepEarlyActivity(db.Model):
    """Ramp fact: a rep's counted CRM activity of one type in each of tenure weeks
    1..EARLY_WEEKS, side by side (None: nothing that week), exactly the RepWeekActivity rows
    of those weeks; what the correlation of early pace with time to productivity reads for
    thousands of reps at once. Kept by the database itself: a weekly fact of those weeks
    inserted or updated is copied into its column by a trigger, in the statement that writes
    it (ramp.facts deletes a rep's rows with their weekly facts)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    week_1: Mapped[int | None]
    week_2: Mapped[int | None]
    week_3: Mapped[int | None]
    week_4: Mapped[int | None]
    week_5: Mapped[int | None]
    week_6: Mapped[int | None]
    week_7: Mapped[int | None]
    week_8: Mapped[int | None]

    @classmethod
    def week_columns(cls) -> list:
        return [getattr(cls, f"week_{n}") for n in range(1, EARLY_WEEKS + 1)]


class RepMonthActivity(db.Model):
    """Ramp fact: a rep's counted CRM activity of one type in one calendar month (its first
    day): quantity and amount (each record's amount bounded as sums count it)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int]
    amount: Mapped[float]
    # How many records it sums: 0 when a correction moved every one away (the fact is then
    # empty, read as none: a record of quantity and amount 0 still counts as one)
    records: Mapped[int] = mapped_column(server_default="0")
    # No record is later than this day (after as_of, the month is cut there): the latest
    # record's day, or later after a correction moved that record away
    last_on: Mapped[dt.date]

    __table_args__ = (Index("ix_rep_month_activity_last_on", "last_on"),)


class CrmPerson(db.Model):
    """A CRM's name for a cev_learn account: its user id or a full name, as one source (a CRM:
    salesforce, hubspot, or a saved mapping's) writes it; filled in on the import check page
    for the names an export uses that match no account by themselves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    crm_key: Mapped[str] = mapped_column(String(200))  # crm_mappings.person_key of the cell
    label: Mapped[str] = mapped_column(String(200))    # the cell as the export wrote it
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("source", "crm_key"),
                      Index("ix_crm_person_user_id", "user_id"))


class ImportMapping(db.Model):
    """A custom mapping a manager saved for one source's exports (crm_mappings.CrmMapping,
    stored as its definition and checked again whenever it is read)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    definition: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
