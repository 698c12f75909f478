"""Template globals and filters: what every page may ask, computed in Python."""
from flask import Flask, g, has_app_context
from jinja2 import pass_context
from markupsafe import Markup, escape

from cev_learn.platform.text_direction import isolate
from cev_learn.platform.time_zones import TIME_FORMAT, format_moment

# The template variable naming the zone the reader sees times in: every page gets the signed-in
# person's (a context processor), every email its recipient's (mail.compose). Cached HTML is
# keyed by it (caching.cached_html).
ZONE_VARIABLE = "viewer_time_zone"


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

    app.add_template_filter(format_datetime, "datetime")


@pass_context
def format_datetime(context, value, fmt: str = TIME_FORMAT) -> str:
    """Every time of day shown passes here: in the reader's zone, with its abbreviation
    ("07 Dec 2026 16:45 CET"); UTC, saying so, for a reader whose zone is not known yet."""
    # A macro imported without context sees no page variables: it reads the zone the page
    # was rendered for, which `remember_zone` kept for the request.
    zone = context[ZONE_VARIABLE] if ZONE_VARIABLE in context else (
        g.get(ZONE_VARIABLE) if has_app_context() else None)
    return format_moment(value, zone, fmt)


def remember_zone(name: str | None) -> str | None:
    """Keep the zone this request's pages show times in, for macros imported without
    context; returns it."""
    setattr(g, ZONE_VARIABLE, name)
    return name


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
