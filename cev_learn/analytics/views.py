"""Ramp pages: the dashboard across cohorts, a cohort's ramp and a rep's ramp, with a CSV
download of every chart's data. Managers see their territory's cohorts (all without one),
coaches the cohorts they coach, admins everything."""
import datetime as dt

from flask import Response, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.analytics import forecast_pages, forecasts, pages, readiness_pages
from cev_learn.cohorts import access
from cev_learn.cohorts.queries import current_memberships
from cev_learn.content.models import Track
from cev_learn.platform import caching
from cev_learn.platform.db import db
from cev_learn.platform.errors import render_error




class BadQuery(ValueError):
    """A query-string value the page cannot use; the message says which and why."""


def _as_of(today: dt.date) -> dt.date:
    value = request.args.get("as_of", "").strip()
    if not value:
        return today
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"as_of {value!r} is not a date like {today.isoformat()}.") from None


def _page_number() -> int:
    value = request.args.get("page", "1")
    if not value.isdigit() or int(value) < 1:
        raise BadQuery(f"page {value!r} is not a page number (1, 2, 3…).")
    return int(value)


def bad_query(exc: BadQuery):
    return render_error(400, str(exc))


def _csv(table: pages.Table, filename: str) -> Response:
    return Response(table.csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def _dashboard() -> pages.Dashboard:
    today = dt.date.today()
    return pages.dashboard(current_user, _as_of(today), today)


def _cached_body(name: str, template: str, build_page, today: dt.date,
                 scopes=(caching.ORGANISATION,), extra: tuple = (),
                 known: dict[str, int] | None = None) -> Markup:
    """The page's content for this viewer and query string, rendered once per version of
    the data it shows (`scopes`: the cohorts it shows; any rep's change by default; `extra`:
    what else it shows, such as the forecast's fingerprint)."""
    parts = (*access.viewer_scope(current_user), *sorted(request.args.items(multi=True)),
             *extra)
    return caching.cached_html(
        name, parts, lambda: render_template(
            template, page=build_page(),
            can_import=current_user.role in (Role.MANAGER, Role.ADMIN)), today=today,
        time_zone=current_user.shown_time_zone, scopes=scopes, known=known)


@role_required(*STAFF_ROLES)
def manager_home():
    today = dt.date.today()
    body = _cached_body("ramp-dashboard", "analytics/_dashboard_body.html", _dashboard, today)
    return render_template("analytics/manager_home.html", body=body,
                           show_certifications=current_user.role in (Role.MANAGER, Role.ADMIN))


@role_required(*STAFF_ROLES)
def dashboard_csv(name: str):
    page = _dashboard()
    if name not in page.tables:
        abort(404)
    return _csv(page.tables[name], f"ramp-{name}-{page.as_of}")


def _comparison(cohort, candidates: list | None = None) -> tuple[list, list]:
    """The cohorts the viewer may compare this one with (`candidates` when already read),
    and the ones compared."""
    if candidates is None:
        candidates = pages.comparable_cohorts(current_user, cohort)
    wanted = request.args.getlist("compare")
    if any(not value.isdigit() for value in wanted):
        raise BadQuery("compare must list cohort numbers.")
    if "compare" in request.args or request.args.get("compared") == "1":
        ids = {int(value) for value in wanted}
        return candidates, [c for c in candidates if c.id in ids][:pages.COMPARED_COHORTS - 1]
    return candidates, pages.default_compared(cohort, candidates)


def _cohort_page(cohort, comparison: tuple[list, list] | None = None,
                 forecast: forecasts.CohortForecastView | None = None) -> pages.CohortPage:
    today = dt.date.today()
    candidates, compared = comparison or _comparison(cohort)
    page = pages.cohort_page(cohort, compared, candidates, request.args.get("activity"),
                             _page_number(), _as_of(today), today)
    page.forecast = forecast
    return page


@role_required(*STAFF_ROLES)
def cohort(cohort_id: int):
    found, candidates = pages.cohort_and_comparable(current_user, cohort_id)
    if found is None:
        abort(404)
    today = dt.date.today()
    comparison = _comparison(found, candidates)
    scopes = [caching.cohort_scope(c.id) for c in [found, *comparison[1]]]
    known = caching.read_versions([caching.ORGANISATION, *scopes])
    # The forecast reads the whole track's history: its fingerprint is part of the key, so
    # the cohort's cached page follows it without being rebuilt for every rep's change.
    forecast = forecasts.cohort_view(found.track, found.id, _as_of(today), today, known)
    body = _cached_body(f"ramp-cohort-{cohort_id}", "analytics/_cohort_body.html",
                        lambda: _cohort_page(found, comparison, forecast), today, scopes,
                        extra=(forecast.key,), known=known)
    return render_template("analytics/cohort.html", body=body, cohort=found,
                           as_of=_as_of(today))


@role_required(*STAFF_ROLES)
def cohort_csv(cohort_id: int, name: str):
    page = _cohort_page(access.visible_cohort(current_user, cohort_id) or abort(404))
    if name not in page.tables:
        abort(404)
    return _csv(page.tables[name], f"ramp-cohort-{cohort_id}-{name}-{page.as_of}")


def _rep_page(user_id: int) -> pages.RepRampPage:
    rep = access.visible_rep(current_user, user_id) or abort(404)
    membership = next(iter(current_memberships(rep_ids=[rep.id])), None) or abort(404)
    today = dt.date.today()
    return pages.rep_ramp_page(membership, _as_of(today), today)


@role_required(*STAFF_ROLES)
def rep(user_id: int):
    page = _rep_page(user_id)
    forecast = forecasts.rep_view(page.membership.cohort.track, page.rep.id, page.as_of,
                                  dt.date.today())
    return render_template("analytics/rep.html", page=page, forecast=forecast)


def _backtest_page() -> forecast_pages.BacktestPage:
    today = dt.date.today()
    tracks = forecast_pages.visible_tracks(current_user)
    wanted = request.args.get("track")
    track = next((t for t in tracks if t.slug == wanted), None)
    if wanted is not None and track is None:
        raise BadQuery(f"track {wanted!r} is not a track of a cohort you may see.")
    return forecast_pages.backtest_page(current_user, tracks, track or next(iter(tracks), None),
                                        _as_of(today), today)


@role_required(*STAFF_ROLES)
def forecast_backtest():
    return render_template("analytics/forecasts.html", page=_backtest_page())


@role_required(*STAFF_ROLES)
def forecast_backtest_csv(name: str):
    page = _backtest_page()
    if name not in page.tables:
        abort(404)
    slug = page.track.slug if page.track else "none"
    return _csv(page.tables[name], f"forecast-backtest-{slug}-{name}-{page.as_of}")


@role_required(*STAFF_ROLES)
def rep_csv(user_id: int, name: str):
    page = _rep_page(user_id)
    if name not in page.tables:
        abort(404)
    return _csv(page.tables[name], f"ramp-rep-{user_id}-{name}-{page.as_of}")


@role_required(*STAFF_ROLES)
def track_readiness(track_slug: str):
    track = db.session.scalar(select(Track).where(Track.slug == track_slug,
                                                  Track.retired_at.is_(None))) or abort(404)
    today = dt.date.today()
    as_of = _as_of(today)
    body = _cached_body(f"readiness-{track.id}", "analytics/_readiness_fit_body.html",
                        lambda: readiness_pages.fit_page(current_user, track, as_of, today),
                        today)
    return render_template("analytics/readiness_fit.html", body=body, track=track, as_of=as_of)
