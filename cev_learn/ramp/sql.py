"""Date arithmetic that SQLite and PostgreSQL spell differently, as SQL expressions.

Ramp facts group activity records by tenure week and by calendar month inside the database,
so pages read a few aggregate rows per rep instead of every activity record.
"""
from sqlalchemy import Date, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Whole days from `earlier` to `later` (both dates): later − earlier."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({later} - {earlier})"  # PostgreSQL: date − date is an integer


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


class month_of(FunctionElement):  # noqa: N801 - reads as a SQL function
    """The calendar month of a date as text, 'YYYY-MM'."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_of_default(element, compiler, **kw):
    (day,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"to_char({day}, 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw):
    (day,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"strftime('%Y-%m', {day})"


class first_of_month(FunctionElement):  # noqa: N801 - reads as a SQL function
    """The first day of a date's calendar month, as a date."""

    type = Date()
    inherit_cache = True
    name = "first_of_month"


@compiles(first_of_month)
def _first_of_month_default(element, compiler, **kw):
    (day,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(date_trunc('month', {day}) AS DATE)"


@compiles(first_of_month, "sqlite")
def _first_of_month_sqlite(element, compiler, **kw):
    (day,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({day}, 'start of month')"


class days_after(FunctionElement):  # noqa: N801 - reads as a SQL function
    """The date `days` days after a date: days_after(day, 7)."""

    type = Date()
    inherit_cache = True
    name = "days_after"


@compiles(days_after)
def _days_after_default(element, compiler, **kw):
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({day} + CAST({days} AS INTEGER))"  # PostgreSQL: date + integer is a date


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({day}, '+' || ({days}) || ' days')"  # || binds tighter than * or +


def tenure_week(occurred_on: ColumnElement, start_on: ColumnElement) -> ColumnElement:
    """Tenure week of a record (week 1 = days 0–6), for records on or after the start."""
    return days_between(occurred_on, start_on) // 7 + 1
