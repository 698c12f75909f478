"""Reps answer their due boosters, one question at a time, and see at once how they did."""
import dataclasses
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.forms import ConfirmForm
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.errors import render_error
from cev_learn.quizzes import booster_queries, boosters
from cev_learn.quizzes.grading import Response
from cev_learn.quizzes.layout import InvalidAnswer
from cev_learn.quizzes.leitner import INTERVALS, LAST_BOX
from cev_learn.quizzes.presenting import single_question_view


@role_required(Role.REP)
def due():
    """The first of the rep's due boosters, to answer; or that none is due."""
    waiting = booster_queries.due_boosters(current_user.id, dt.date.today())
    view = _view(waiting[0], Response(), reveal=False) if waiting else None
    return render_template("quizzes/boosters.html", current=waiting[0] if waiting else None,
                           view=view, count=len(waiting), form=ConfirmForm(),
                           intervals=INTERVALS)


@role_required(Role.REP)
def answer(booster_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    seq = request.form.get("seq", "")
    if not seq.isdigit():
        return render_error(400, "The form names no booster answer (seq); reload the page.")
    try:
        answered = boosters.answer_booster(current_user.id, booster_id, int(seq),
                                           request.form.to_dict(flat=False), utcnow())
    except boosters.AlreadyAnswered as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("quizzes.booster_result", booster_id=booster_id,
                                seq=exc.answer.seq))
    except (boosters.BoosterError, InvalidAnswer) as exc:
        db.session.rollback()
        message = str(exc)
        flash(f"Not recorded: {message}{'' if message.endswith('.') else '.'}", "error")
        return redirect(url_for("quizzes.boosters"))
    if answered is None:
        abort(404)
    db.session.commit()
    return redirect(url_for("quizzes.booster_result", booster_id=booster_id, seq=answered.seq))


@role_required(Role.REP)
def result(booster_id: int, seq: int):
    """How the rep's answer went, with the question's feedback, and what comes next."""
    booster = booster_queries.rep_booster(current_user.id, booster_id) or abort(404)
    answered = booster_queries.booster_answer(booster, seq) or abort(404)
    shown = _asked_at(booster, seq) or abort(404)
    view = _view(shown, Response.from_json(answered.response), reveal=True,
                 fraction=answered.fraction)
    left = len(booster_queries.due_boosters(current_user.id, dt.date.today()))
    return render_template("quizzes/booster_result.html", booster=booster, answer=answered,
                           view=view, left=left, last_box=LAST_BOX)


def _asked_at(booster, seq: int) -> boosters.Asked | None:
    """The booster's question laid out as it was shown at answer count `seq`."""
    found = boosters.asked(booster)
    if found is None:
        return None
    then = boosters.layout_for(booster.id, seq, booster.question_key, found.question)
    return dataclasses.replace(found, entry=then)


def _view(shown: boosters.Asked, response: Response, reveal: bool, fraction=None):
    return single_question_view(shown.entry, shown.question, response, fraction, reveal)
