"""Coaches and managers: results per quiz, grading, CSV export and item analysis."""
import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DecimalField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from cev_learn.accounts import policy
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.cohorts import access, outstanding
from cev_learn.content.models import Quiz
from cev_learn.platform import caching
from cev_learn.platform.csv_safety import csv_text
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.errors import render_error
from cev_learn.quizzes import booster_queries, queries, services
from cev_learn.quizzes.leitner import INTERVALS
from cev_learn.quizzes.layout import InvalidAnswer
from cev_learn.quizzes.models import Attempt, Booster
from flask_wtf import FlaskForm

staff_only = role_required(Role.COACH, Role.MANAGER, Role.ADMIN)


class GradeForm(FlaskForm):
    points = DecimalField("Points awarded", places=2,
                          validators=[InputRequired(), NumberRange(min=0)])
    comment = TextAreaField("Comment for the rep", validators=[Optional(), Length(max=2000)])


@staff_only
def index():
    return render_template(
        "quizzes/coach_index.html",
        rows=queries.quiz_rows(access.visible_rep_filter(current_user, Attempt.user_id)),
        not_done=outstanding.quiz_outstanding_counts(current_user, dt.date.today()))


def _quiz(quiz_id: int) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    return quiz


@staff_only
def results(quiz_id: int):
    quiz = _quiz(quiz_id)
    waiting = request.args.get("waiting") == "1"
    page = queries.results_page(quiz, request.args.get("page", 1, type=int), waiting,
                                access.visible_rep_filter(current_user, Attempt.user_id))
    return render_template("quizzes/results.html", quiz=quiz, page=page, waiting=waiting,
                           not_passed=outstanding.quiz_outstanding(quiz, current_user,
                                                                   dt.date.today()))


@staff_only
def results_csv(quiz_id: int):
    quiz = _quiz(quiz_id)
    rows = [(name, email, territory, no, started, submitted,
             "" if score is None else f"{score:.4f}",
             "" if passed is None else ("yes" if passed else "no"), state.value)
            for name, email, territory, no, started, submitted, score, passed, state
            in queries.results_for_export(
                quiz, access.visible_rep_filter(current_user, Attempt.user_id))]
    body = csv_text(["rep", "email", "territory", "attempt", "started_at", "submitted_at",
                     "score", "passed", "state"], rows)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{quiz.slug}-results.csv"'})


@staff_only
def analysis(quiz_id: int):
    quiz = _quiz(quiz_id)
    count, reports = queries.item_analysis(
        quiz, access.visible_rep_filter(current_user, Attempt.user_id))
    return render_template("quizzes/analysis.html", quiz=quiz, count=count, reports=reports)


@staff_only
def retention():
    """Retention per module and question: first try in the quiz against boosters, by box."""
    today = dt.date.today()
    value = request.args.get("as_of", "").strip()
    try:
        as_of = dt.date.fromisoformat(value) if value else today
    except ValueError:
        return render_error(400, f"as_of {value[:40]!r} is not a date like {today.isoformat()}.")
    visible = access.visible_rep_filter(current_user, Booster.user_id)
    report = caching.cached("booster-retention", (*access.viewer_scope(current_user), as_of),
                            lambda: booster_queries.retention(visible, as_of), today=today)
    return render_template("quizzes/retention.html", report=report, as_of=as_of, today=today,
                           intervals=INTERVALS)


@staff_only
def grade(attempt_id: int, key: str):
    attempt = queries.attempt_with_context(attempt_id) or abort(404)
    if not access.allows(policy.can_coach_rep, current_user, attempt.user):
        abort(404)
    form = GradeForm()
    back = redirect(url_for("quizzes.attempt", attempt_id=attempt.id) + f"#question-{key}")
    questions = services.version_questions(attempt.version)
    question = questions.get(key) or abort(404)
    if form.validate_on_submit():
        points = float(form.points.data)
        if points > question.points:
            flash(f"At most {question.points:g} points for this question.", "error")
        else:
            try:
                services.grade_answer(attempt.id, key, points / question.points,
                                      form.comment.data or None, current_user, utcnow())
            except (InvalidAnswer, services.AttemptClosed) as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash("Grade saved; the attempt's score is updated.", "success")
    else:
        flash("Enter the points awarded, from 0 up to the question's points.", "error")
    return back
