"""Reps take quizzes; everyone allowed sees an attempt's result."""
import datetime as dt

from flask import (abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cev_learn.accounts import policy
from cev_learn.accounts.decorators import role_required, signed_in
from cev_learn.accounts.forms import ConfirmForm
from cev_learn.accounts.models import Role
from cev_learn.cohorts import access
from cev_learn.content import queries as content_queries
from cev_learn.platform.db import db, utcnow, write_transaction
from cev_learn.platform.errors import render_error
from cev_learn.platform.time_zones import format_moment
from cev_learn.quizzes import queries, services
from cev_learn.quizzes.layout import InvalidAnswer
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.quizzes.presenting import attempt_view
from cev_learn.quizzes.review import POLICY_TEXT, may_review



def grace() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["QUIZ_GRACE_SECONDS"])


def _quiz_or_404(track_slug: str, quiz_slug: str):
    track = content_queries.get_active_track(track_slug) or abort(404)
    return track, queries.get_active_quiz(track, quiz_slug) or abort(404)


@signed_in
def quiz(track_slug: str, quiz_slug: str):
    track, quiz = _quiz_or_404(track_slug, quiz_slug)
    attempts = queries.rep_attempts(current_user, quiz) if current_user.role is Role.REP else []
    open_attempt = next((a for a in attempts if a.state is AttemptState.IN_PROGRESS
                         and services.is_open(a, utcnow(), grace())), None)
    limit_left = None if quiz.max_attempts is None else quiz.max_attempts - len(attempts)
    return render_template("quizzes/quiz.html", track=track, quiz=quiz, attempts=attempts,
                           open_attempt=open_attempt, limit_left=limit_left,
                           policy_text=POLICY_TEXT[quiz.review], form=ConfirmForm())


@role_required(Role.REP)
def start(track_slug: str, quiz_slug: str):
    track, quiz = _quiz_or_404(track_slug, quiz_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt = _start(quiz)
    except services.AttemptLimitReached as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("quizzes.quiz", track_slug=track.slug, quiz_slug=quiz.slug))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


def _start(quiz) -> Attempt:
    """Start (or resume) an attempt; if a concurrent request won the race, use its attempt."""
    rep = current_user._get_current_object()
    for _ in range(3):
        try:
            attempt = services.start_attempt(rep, quiz, utcnow(), grace())
            db.session.commit()
            return attempt
        except IntegrityError:
            db.session.rollback()
    abort(409)


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = queries.attempt_with_context(attempt_id) or abort(404)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


@signed_in
def attempt(attempt_id: int):
    attempt = queries.attempt_with_context(attempt_id) or abort(404)
    if not access.allows(policy.can_view_rep, current_user, attempt.user):
        abort(404)
    mine = attempt.user_id == current_user.id
    if mine and attempt.state is AttemptState.IN_PROGRESS:
        if not services.is_open(attempt, utcnow(), grace()):
            with write_transaction():  # a page view that writes: take the write lock first
                services.submit_attempt(attempt.id, None, utcnow(), grace())
            flash("Time ran out; your saved answers were submitted.", "warning")
            return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
        view = attempt_view(attempt, queries.answers_by_key(attempt), reveal=False)
        return render_template("quizzes/take.html", attempt=attempt, view=view,
                               now=utcnow(), form=ConfirmForm())
    if attempt.state is AttemptState.IN_PROGRESS:
        abort(404)  # staff see attempts once submitted
    passed_any = any(a.passed for a in queries.rep_attempts(attempt.user, attempt.quiz))
    reveal = not mine or may_review(attempt.quiz.review, attempt.state, passed_any)
    view = attempt_view(attempt, queries.answers_by_key(attempt), reveal=reveal)
    return render_template("quizzes/result.html", attempt=attempt, view=view, mine=mine,
                           next_step=_next_step(attempt) if mine else None, policy_text=POLICY_TEXT[attempt.quiz.review],
                           form=ConfirmForm())


def _next_step(attempt: Attempt) -> dict | None:
    """The rep's next module or quiz of the track's schedule not done yet (as after completing
    a module): its title and link; None when all of it is done."""
    entry = queries.next_unfinished_work(attempt.user, attempt.quiz.track,
                                         ("quiz", attempt.quiz_id))
    if entry is None:
        return None
    kind, title, _, _, link = entry
    if kind == "module":
        url = url_for("content.module", track_slug=link["track"], module_slug=link["module"])
    else:
        url = url_for("quizzes.quiz", track_slug=link["track"], quiz_slug=link["quiz"])
    return {"title": title, "url": url}


@role_required(Role.REP)
def summary(attempt_id: int):
    """Before submitting: what is answered, unanswered and flagged, and the confirmation."""
    attempt = _own_attempt(attempt_id)
    if not services.is_open(attempt, utcnow(), grace()):
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    view = attempt_view(attempt, queries.answers_by_key(attempt), reveal=False)
    return render_template("quizzes/summary.html", attempt=attempt, view=view, now=utcnow(),
                           form=ConfirmForm())


@role_required(Role.REP)
def save(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        services.save_answers(attempt.id, request.form.to_dict(flat=False), utcnow(), grace())
    except InvalidAnswer as exc:
        db.session.rollback()
        return _problem(str(exc), 400, wants_json, attempt)
    except services.AttemptClosed as exc:
        db.session.rollback()
        return _problem(str(exc), 409, wants_json, attempt)
    if wants_json:  # the page says when, in the rep's zone, as it says the deadline
        saved_at = utcnow()
        answer = jsonify(saved_at=saved_at.isoformat(), saved_at_shown=format_moment(
            saved_at, current_user.shown_time_zone, "%H:%M:%S"))
    else:
        flash("Answers saved. You can come back before the deadline.", "success")
        answer = redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    db.session.commit()  # the answer is built first: nothing is read again after it
    return answer


@role_required(Role.REP)
def submit(attempt_id: int):
    """Grade on the summary's confirmation (or at the deadline); otherwise save the page and
    show the summary, so a submit by mistake never uses up an attempt."""
    attempt = _own_attempt(attempt_id)
    confirmed = request.form.get("confirm") == "yes"
    try:
        submitted = services.submit_from_page(attempt, request.form.to_dict(flat=False),
                                              confirmed, utcnow(), grace())
    except InvalidAnswer as exc:
        db.session.rollback()
        return _problem(str(exc), 400, False, attempt)
    answer = redirect(url_for("quizzes.attempt" if submitted else "quizzes.summary",
                              attempt_id=attempt_id))  # built before the commit: no re-read
    db.session.commit()
    return answer


def _problem(message: str, status: int, wants_json: bool, attempt: Attempt):
    """The same refusal as JSON for the autosave script, or as a page."""
    if wants_json:
        return jsonify(error=message), status
    return render_error(status, message)
