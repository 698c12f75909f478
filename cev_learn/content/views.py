"""The reader: tracks, modules, assets and search."""
import datetime as dt

from flask import (abort, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from cev_learn.accounts.decorators import role_required, signed_in
from cev_learn.accounts.forms import ConfirmForm
from cev_learn.accounts.models import Role
from cev_learn.cohorts import access, outstanding, queries as cohort_queries
from cev_learn.content import queries, services
from cev_learn.content.models import Asset, ModuleProgress
from cev_learn.content.progress import Reading, module_status
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes import queries as quiz_queries



@signed_in
def tracks():
    tracks = queries.active_tracks()
    percents = queries.rep_percent_by_track(
        current_user, tracks, quiz_queries.passed_quizzes(current_user, tracks)) \
        if current_user.role is Role.REP else {}
    return render_template("content/tracks.html", tracks=tracks, percents=percents,
                           summaries=queries.track_summaries())


@signed_in
def track(track_slug: str):
    track = queries.get_active_track(track_slug) or abort(404)
    is_rep = current_user.role is Role.REP
    overview = queries.track_overview(
        track, current_user, dt.date.today(),
        start=cohort_queries.rep_start_on(current_user) if is_rep else None,
        quiz_results=quiz_queries.track_results(current_user, track) if is_rep else None)
    return render_template("content/track.html", overview=overview)


@signed_in
def module(track_slug: str, module_slug: str):
    track = queries.get_active_track(track_slug) or abort(404)
    place = queries.module_in_track(track, module_slug) or abort(404)
    module = place.module
    context = {"track": track, "module": module, "previous": place.previous,
               "next": place.next, "step": place.step, "steps": place.steps,
               "form": ConfirmForm()}
    if current_user.role is Role.REP:
        reading = queries.readings(current_user, [module.id]).get(module.id)
        if reading is None or reading.opened_at is None:
            services.record_opened(current_user, module, utcnow())
            reading = Reading(utcnow(), None, None)
        context["status"] = module_status(reading, module.content_hash, None, dt.date.today())
    else:
        context["completions_total"], context["completions"] = queries.module_completions(
            module, access.visible_rep_filter(current_user, ModuleProgress.user_id))
        context["not_completed"] = outstanding.module_outstanding(module, current_user,
                                                                  dt.date.today())
    return render_template("content/module.html", **context)


@role_required(Role.REP)
def complete_module(track_slug: str, module_slug: str):
    track = queries.get_active_track(track_slug) or abort(404)
    module = queries.get_active_module(track, module_slug) or abort(404)
    back = redirect(url_for("content.module", track_slug=track.slug, module_slug=module.slug))
    if ConfirmForm().validate_on_submit():
        if services.complete_module(current_user, module, utcnow()):
            flash(f"“{module.title}” marked as complete.", "success")
        db.session.commit()
    return back


@signed_in
def asset(track_slug: str, path: str):
    track = queries.get_active_track(track_slug) or abort(404)
    asset = db.session.scalar(db.select(Asset).where(
        Asset.track_id == track.id, Asset.path == f"assets/{path}", Asset.retired_at.is_(None)))
    if asset is None:
        abort(404)
    response = make_response(asset.data)
    response.headers["Content-Type"] = asset.content_type
    response.headers["Content-Disposition"] = "inline" if asset.content_type.startswith("image/") \
        else "attachment"
    response.set_etag(asset.content_hash)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response.make_conditional(request)


@signed_in
def search():
    query = request.args.get("q", "")[:200]
    results = queries.search_modules(query) if query.strip() else []
    return render_template("content/search.html", query=query, results=results)
