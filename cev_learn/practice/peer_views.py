"""Peer reviews: a rep plays a cohort mate's recording of an exercise that takes peer reviews
and scores it against the rubric, once. Anyone else gets the same 404 as for a recording that
does not exist."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status, show_error
from cev_learn.platform.recordings import KINDS
from cev_learn.practice import queries, services
from cev_learn.practice.forms import review_form
from cev_learn.practice.models import Submission

ALREADY = "You have reviewed this recording already."


@role_required(Role.REP)
def peer_review(submission_id: int):
    found = queries.peer_submission(current_user, submission_id) or abort(404)
    return page(found)


def page(found: Submission):
    """The peer's page of a recording: the player and the rubric to score it with, or the
    review they left (a GET of the submission's page by a peer shows it too)."""
    rubric = queries.rubric_of(found.exercise) or abort(404)
    form = review_form(rubric.criteria, peer=True)()
    if form.validate_on_submit():
        saved = (f"Your review of {found.user.name}'s recording is saved; they see it beside "
                 "their coach's.")  # built before the commit: nothing is read again after it
        try:
            services.peer_review_submission(
                submission=found, rubric=rubric, peer=current_user,
                scores=[int(form[f"score_{i}"].data) for i in range(len(rubric.criteria))],
                summary=form.summary.data, comments_text=form.comments.data or "", now=utcnow())
            db.session.commit()
        except services.PracticeError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        except IntegrityError:  # the same peer's review, saved meanwhile
            db.session.rollback()
            show_error(form, None, ALREADY)
        else:
            flash(saved, "success")
            return redirect(url_for("practice.index"))
    mine = next((r for r in found.reviews if r.reviewer_id == current_user.id), None)
    return render_template(
        "practice/peer_review.html", submission=found, rubric=rubric, form=form, mine=mine,
        kind=KINDS[found.kind],
        fields=[(form[f"score_{i}"], rubric.level_texts(i)) for i in range(len(rubric.criteria))]
    ), form_status(form)
