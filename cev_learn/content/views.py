"""The reader: tracks, modules, assets and search."""
import datetime as dt

from flask import (abort, flash, jsonify, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from markupsafe import Markup

from cev_learn.accounts.decorators import role_required, signed_in
from cev_learn.accounts.forms import ConfirmForm
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts import access, outstanding, queries as cohort_queries
from cev_learn.content import checklists, placeholders, queries, services
from cev_learn.content.models import Asset, Module, ModuleProgress, Track
from cev_learn.content.progress import Reading, module_status
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes import queries as quiz_queries

CHECKLIST_FORM = "checklist"
NAMED_ITEMS = 3  # unticked items a refusal names; the rest it counts

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
               "form": ConfirmForm(), "checklist_form": CHECKLIST_FORM,
               "checklist_size": len(checklists.checklist_items(module.body_html))}
    if current_user.role is Role.REP:
        reading = queries.readings(current_user, [module.id]).get(module.id)
        if reading is None or reading.opened_at is None:
            services.record_opened(current_user, module, utcnow())
            reading = Reading(utcnow(), None, None)
        context["status"] = module_status(reading, module.content_hash, None, dt.date.today())
        ticked = queries.ticked_items(current_user, module)
        context["body_html"], context["toc_html"] = _personal_html(module, current_user, ticked)
        context["unticked"] = checklists.unticked_items(module.body_html, ticked,
                                                        track.checklists_required)
    else:
        # Staff read the rep's words with neutral wording: "your coach", never a name.
        context["body_html"], context["toc_html"] = (
            placeholders.personalised(html, {}) for html in (module.body_html, module.toc_html))
        context["completions_total"], context["completions"] = queries.module_completions(
            module, access.visible_rep_filter(current_user, ModuleProgress.user_id))
        context["not_completed"] = outstanding.module_outstanding(module, current_user,
                                                                  dt.date.today())
    return render_template("content/module.html", **context)


def _personal_html(module: Module, rep: User, ticked: frozenset[str]) -> tuple[Markup, Markup]:
    """The module's stored (shared, sanitised) HTML made the rep's: their checklist ticks as
    checkboxes, then their coach, manager, cohort and start date in place of placeholders."""
    values = cohort_queries.placeholder_values(rep)
    body = checklists.with_checkboxes(module.body_html, ticked, CHECKLIST_FORM)
    return (placeholders.personalised(body, values),
            placeholders.personalised(module.toc_html, values))


@role_required(Role.REP)
def complete_module(track_slug: str, module_slug: str):
    track = queries.get_active_track(track_slug) or abort(404)
    module = queries.get_active_module(track, module_slug) or abort(404)
    back = redirect(url_for("content.module", track_slug=track.slug, module_slug=module.slug))
    if not ConfirmForm().validate_on_submit():
        return back
    try:
        completed = services.complete_module(current_user, module, utcnow())
    except services.ChecklistUnticked as refused:
        db.session.rollback()
        values = cohort_queries.placeholder_values(current_user)
        flash(_unticked_message(module, [placeholders.in_words(item.text, values)
                                         for item in refused.items]), "error")
        # No anchor: the message naming what is unticked is at the top of the page.
        return redirect(url_for("content.module", track_slug=track.slug, module_slug=module.slug))
    if completed:
        flash(f"“{module.title}” marked as complete.", "success")
    db.session.commit()
    # Where to go next is a request of its own: completing already writes the completion, the
    # milestones it reaches and the boosters it schedules. The slugs are the address's (found
    # above), not the committed track's and module's, which would be read again.
    return redirect(url_for("content.next_after_module", track_slug=track_slug,
                            module_slug=module_slug))


@role_required(Role.REP)
def next_after_module(track_slug: str, module_slug: str):
    """Send the rep on from a module: to the next item of the schedule they have not done,
    else to This week (`_after_completing`)."""
    track = queries.get_active_track(track_slug) or abort(404)
    module = queries.get_active_module(track, module_slug) or abort(404)
    endpoint, arguments = _after_completing(track, module)
    return redirect(url_for(endpoint, **arguments))  # a page of this site, never a request's


def _unticked_message(module: Module, items: list[str]) -> str:
    named = ", ".join(f"“{item}”" for item in items[:NAMED_ITEMS])
    more = f" and {len(items) - NAMED_ITEMS} more" if len(items) > NAMED_ITEMS else ""
    return (f"“{module.title}” is not complete yet: on this track a module is complete when "
            f"every item of its checklist is ticked. Still to tick: {named}{more}.")


def _after_completing(track: Track, module: Module) -> tuple[str, dict]:
    """Where a rep goes once a module is complete (endpoint and arguments): the next module or
    quiz of the track's schedule they have not done (completed, or passed), else This week."""
    entry = quiz_queries.next_unfinished_work(current_user, track, ("module", module.id))
    if entry is None:
        return "cohorts.rep_home", {}
    link = entry[4]
    if entry[0] == "module":
        return "content.module", {"track_slug": link["track"], "module_slug": link["module"]}
    return "quizzes.quiz", {"track_slug": link["track"], "quiz_slug": link["quiz"]}


@role_required(Role.REP)
def tick_checklist(track_slug: str, module_slug: str):
    """Tick and untick a rep's own checklist items of a module: the whole form without
    JavaScript (then back to the module), one item at a time from the page's script (JSON)."""
    track = queries.get_active_track(track_slug) or abort(404)
    module = queries.get_active_module(track, module_slug) or abort(404)
    wants_json = request.accept_mimetypes.best == "application/json"
    back = redirect(url_for("content.module", track_slug=track.slug, module_slug=module.slug,
                            _anchor=CHECKLIST_FORM), 303)
    if not ConfirmForm().validate_on_submit():
        return _checklist_refused("The form expired; reload the page and tick again.",
                                  wants_json, back)
    ticked = set(request.form.getlist("ticked"))
    try:
        services.set_ticks(current_user, module, request.form.getlist("item"), ticked, utcnow())
    except services.UnknownChecklistItem:
        db.session.rollback()
        return _checklist_refused(f"That item is not on the checklist of “{module.title}” "
                                  "(the module may have changed): reload the page and tick "
                                  "again. Nothing was saved.", wants_json, back)
    db.session.commit()
    if wants_json:
        return jsonify({"ticked": sorted(ticked)})
    flash("Checklist saved.", "success")
    return back


def _checklist_refused(message: str, wants_json: bool, back):
    if wants_json:
        return jsonify({"error": message}), 400
    flash(message, "error")
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
