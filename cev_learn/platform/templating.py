"""Template globals and filters: what every page may ask, computed in Python."""
from flask import Flask
from markupsafe import Markup, escape

from cev_learn.platform.text_direction import isolate


def init_app(app: Flask) -> None:
    # Every {{ value }} passes here: names typed before direction controls were refused, and
    # titles from content, still cannot reorder the page around them.
    app.jinja_env.finalize = isolated
    app.add_template_global(field_attrs)
    app.add_template_filter(table_cell, "cell")
    app.add_template_filter(as_typed)

    @app.template_filter("date")
    def format_date(value, fmt: str = "%d %b %Y") -> str:
        return value.strftime(fmt) if value else "—"

    @app.template_filter("datetime")
    def format_datetime(value) -> str:
        return value.strftime("%d %b %Y %H:%M UTC") if value else "—"


def isolated(value):
    """Show plain text isolated if it holds direction controls; markup and the rest as given."""
    return isolate(value) if type(value) is str else value


def as_typed(value: str) -> Markup:
    """Put text back into a form field exactly as typed (escaped, never isolated)."""
    return escape(value)


def field_attrs(field, **attrs) -> dict:
    """HTML attributes for a form field: ARIA links to its help and errors, no empty values."""
    described = [f"{field.id}-help" if field.description else None,
                 f"{field.id}-error" if field.errors else None]
    attrs["aria-describedby"] = " ".join(d for d in described if d) or None
    attrs["aria-invalid"] = "true" if field.errors else None
    return {key: value for key, value in attrs.items() if value not in (None, False)}


def table_cell(value, kind: str = "text") -> str:
    """A report table cell as people read it (CSV downloads keep the raw value)."""
    if value is None or value == "":
        return "—"
    if kind == "pct":
        return f"{value:.0%}"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "num":
        return f"{value:,.1f}".removesuffix(".0")
    if kind == "rho":
        return f"{value:+.2f}"
    if kind == "date":
        return f"{value:%d %b %Y}"
    return str(value)
