"""Coaches' review of practice recordings: the queue (oldest first) and the review page."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status, show_error
from cev_learn.platform.recordings import KINDS
from cev_learn.practice import queries, services
from cev_learn.practice.forms import review_form
from cev_learn.practice.models import SubmissionState


@role_required(*STAFF_ROLES)
def queue():
    return render_template("practice/queue.html", submissions=queries.review_queue(current_user),
                           today=utcnow().date())


@role_required(*STAFF_ROLES)
def review(submission_id: int):
    found = queries.visible_submission(current_user, submission_id) or abort(404)
    rubric = queries.rubric_of(found.exercise) or abort(404)
    form = review_form(rubric.criteria)()
    if found.state is not SubmissionState.WAITING:
        flash("This recording has been reviewed already.", "info")
        return redirect(url_for("practice.submission", submission_id=found.id))
    if form.validate_on_submit():
        try:
            result = services.review_submission(
                submission=found, rubric=rubric, coach=current_user,
                scores=[int(form[f"score_{i}"].data) for i in range(len(rubric.criteria))],
                summary=form.summary.data, comments_text=form.comments.data or "",
                resubmit=form.resubmit.data, now=utcnow())
        except services.PracticeError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        else:
            done = _verdict(result, found.user.name, rubric.title)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("practice.queue"))
    return render_template(
        "practice/review.html", submission=found, rubric=rubric, form=form,
        kind=KINDS[found.kind],
        fields=[(form[f"score_{i}"], rubric.level_texts(i)) for i in range(len(rubric.criteria))]
    ), form_status(form)


def _verdict(result, rep_name: str, rubric_title: str) -> str:
    if result.resubmit:
        return f"Review saved; {rep_name} is asked to record it again."
    verdict = "passed" if result.passed else "not passed yet"
    signed = f"; {rubric_title} sign-off recorded" if result.signoff_id else ""
    return f"Review of {rep_name} saved: {round(result.score * 100)}%, {verdict}{signed}."
