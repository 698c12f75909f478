"""The rep's week, the coach's reps, and one rep's page with coaching actions."""
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from cev_learn.accounts import policy
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.analytics import forecasts, readiness_data
from cev_learn.analytics.pages import this_week
from cev_learn.cohorts import access, coaching, queries
from cev_learn.cohorts.forms import AssignmentForm, MilestoneForm, NoteForm, signoff_form
from cev_learn.cohorts.models import AssignmentKind, Membership
from cev_learn.cohorts.schedule import week_view
from cev_learn.content.models import Rubric
from cev_learn.content.track_data import TrackData, track_data
from cev_learn.platform import caching
from cev_learn.platform.db import db
from cev_learn.platform.forms import form_status
from cev_learn.quizzes import booster_queries
from cev_learn.ramp import achievements, standing
from cev_learn.ramp import queries as ramp_queries



@role_required(Role.REP)
def rep_home():
    today = dt.date.today()
    body = caching.cached_html("rep-week", (current_user.id,),
                               lambda: _rep_week(current_user, today), today=today,
                               time_zone=current_user.shown_time_zone,
                               scopes=[caching.rep_scope(current_user.id)])
    return render_template("cohorts/rep_home.html", body=body)


def _rep_week(rep: User, today: dt.date) -> str:
    summary = standing.rep_summary(rep, today)
    week = week_view(summary.items, today) if summary else None
    notes = queries.notes_for(rep, include_private=False) if summary else []
    pace_week, pace = this_week(summary.membership, today) if summary else (0, [])
    return render_template("cohorts/_week_body.html", summary=summary, week=week, today=today,
                           notes=notes, pace_week=pace_week, pace=pace,
                           boosters=booster_queries.due_summary(rep.id, today))


@role_required(*STAFF_ROLES)
def coach_home():
    today = dt.date.today()
    body = caching.cached_html(
        "coach-home", access.viewer_scope(current_user), lambda: _coach_body(today),
        today=today, time_zone=current_user.shown_time_zone)
    return render_template("cohorts/coach_home.html", body=body)


def _coach_body(today: dt.date) -> str:
    groups = standing.coach_groups(current_user, today)
    shown = [summary for group in groups.onboarding for summary in group.reps]
    readiness = readiness_data.scores(
        [s.membership for s in shown], {s.membership.cohort.track_id: s.track_data for s in shown},
        today)
    return render_template("cohorts/_coach_body.html", cohorts=groups, readiness=readiness)


def _visible_rep(user_id: int) -> User:
    return access.visible_rep(current_user, user_id) or abort(404)


def _coachable_rep(user_id: int) -> User:
    """The rep if the viewer may coach them: 404 when they may not see them, 403 when they
    see but may not coach them (the rep and their scope: one statement)."""
    rep, scope = access.find_rep(user_id) or abort(404)
    if not policy.can_view_rep(current_user, scope):
        abort(404)
    if not policy.can_coach_rep(current_user, scope):
        abort(403)
    return rep


@role_required(*STAFF_ROLES)
def rep_page(user_id: int):
    rep, membership = access.visible_placed_rep(current_user, user_id) or abort(404)
    memberships = [membership] if membership else []
    today = dt.date.today()
    scopes = [caching.rep_scope(rep.id)]
    known = caching.read_versions([caching.ORGANISATION, *scopes])
    forecast = _forecast(rep, memberships, today, known)
    # The forecast reads the whole track's history: its fingerprint is part of the key.
    body = caching.cached_html(
        "rep-page", (*access.viewer_scope(current_user), rep.id,
                     forecast.key if forecast else ""),
        lambda: _rep_page_body(rep, today, forecast, memberships), today=today,
        secret=generate_csrf(),
        time_zone=current_user.shown_time_zone, scopes=scopes, known=known)
    return render_template("cohorts/rep_page.html", rep=rep, body=body)


def _forecast(rep: User, memberships: list[Membership], today: dt.date,
              known: dict) -> forecasts.RepForecastView | None:
    """The rep's projected productivity date today; None for a rep in no cohort."""
    if not memberships:
        return None
    return forecasts.rep_view(memberships[0].cohort.track, rep.id, today, today, known)


def _rep_page_body(rep: User, today: dt.date, forecast=None, memberships=None) -> str:
    summary = standing.rep_summary(rep, today, memberships)
    readiness = readiness_data.scores(
        [summary.membership], {summary.membership.cohort.track_id: summary.track_data},
        today).get(rep.id) if summary else None
    return render_template(
        "cohorts/_rep_page_body.html", rep=rep, summary=summary, today=today,
        forecast=forecast, readiness=readiness,
        attempts=queries.quiz_history(rep), signoffs=queries.signoffs_for(rep),
        notes=queries.notes_for(rep, include_private=True),
        assignment_form=_assignment_form(summary.track_data if summary else None,
                                         done=queries.done_items(summary.track_data,
                                                                 summary.items)
                                         if summary else frozenset()),
        note_form=NoteForm(formdata=None),
        milestone_form=MilestoneForm(formdata=None),
        rubrics=sorted(summary.track_data.rubrics.values(), key=lambda r: r.title)
        if summary else [])


def _membership(rep: User) -> Membership:
    """The rep's current membership, with its cohort and track (404 for a rep in no cohort):
    one statement."""
    return next(iter(queries.current_memberships([rep.id])), None) or abort(404)


def _track_id(rep: User) -> int:
    """The track of the rep's current cohort (404 for a rep in no cohort)."""
    return _membership(rep).cohort.track_id


def _assignment_form(data: TrackData | None, formdata=None, done=frozenset()):
    """The assignment form, offering the modules and quizzes of the rep's track (none for a
    rep in no cohort), those in `done` marked so; the first one not done is chosen."""
    form = AssignmentForm(formdata=formdata)
    form.item.choices = queries.assignable_items(data, done) if data is not None else []
    if formdata is None:
        form.item.data = next((c.value for c in form.item.choices[1:] if c.value not in done), "")
    return form


@role_required(*STAFF_ROLES)
def assign(user_id: int):
    rep = _coachable_rep(user_id)
    membership = _membership(rep)
    form = _assignment_form(track_data([membership.cohort.track])[membership.cohort.track_id],
                            request.form)
    back = redirect(url_for("cohorts.rep_page", user_id=user_id))
    if form.validate_on_submit():
        kind, _, item_id = form.item.data.partition(":")
        reps = queries.cohort_reps(membership.cohort_id, dt.date.today(),
                                   current_user) if form.whole_cohort.data else [rep]
        who = f"{len(reps)} reps" if len(reps) > 1 else rep.name
        try:
            coaching.assign(reps=reps, kind=AssignmentKind(kind), item_id=int(item_id),
                            due_on=form.due_on.data, note=form.note.data, coach=current_user,
                            today=dt.date.today())
        except coaching.CoachingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()  # what the message and the address need is read before
            flash(f"Assigned to {who}, due {form.due_on.data:%d %b %Y}.", "success")
    else:
        flash("Choose a module or quiz and a due date.", "error")
    return back


@role_required(*STAFF_ROLES)
def add_note(user_id: int):
    rep = _coachable_rep(user_id)
    form = NoteForm()
    if form.validate_on_submit():
        coaching.add_note(rep=rep, author=current_user, body=form.body.data,
                          shared=form.shared.data)
        db.session.commit()
        flash("Note saved" + (" and shared with the rep." if form.shared.data else "."), "success")
    else:
        flash("Write the note first (at most 5,000 characters).", "error")
    return redirect(url_for("cohorts.rep_page", user_id=rep.id) + "#notes")


@role_required(*STAFF_ROLES)
def signoff(user_id: int, rubric_slug: str):
    rep = _coachable_rep(user_id)
    rubric = db.session.scalar(select(Rubric).where(
        Rubric.track_id == _track_id(rep), Rubric.slug == rubric_slug,
        Rubric.retired_at.is_(None))) or abort(404)
    form = signoff_form(rubric.criteria)()
    if form.validate_on_submit():
        scores = [int(form[f"score_{i}"].data) for i in range(len(rubric.criteria))]
        comments = [form[f"comment_{i}"].data or "" for i in range(len(rubric.criteria))]
        result = coaching.record_signoff(rep=rep, rubric=rubric, coach=current_user,
                                         scores=scores, comments=comments, today=dt.date.today())
        verdict = "passed" if result.passed else "not passed yet"
        done = f"{rubric.title} sign-off recorded: {round(result.score * 100)}%, {verdict}."
        back = redirect(url_for("cohorts.rep_page", user_id=rep.id) + "#signoffs")
        db.session.commit()  # what the message and the address need is read before
        flash(done, "success")
        return back
    return render_template("cohorts/signoff.html", rep=rep, rubric=rubric, form=form,
                           fields=[(form[f"score_{i}"], form[f"comment_{i}"],
                                    rubric.level_texts(i))
                                   for i in range(len(rubric.criteria))]), form_status(form)


def _recorded(achieved_on: dt.date | None, before) -> str:
    """What recording this date (None: clearing) did, for the coach's message."""
    if achieved_on is not None:
        return f"recorded as reached on {achieved_on:%d %b %Y}."
    if before is None or before.source == achievements.AUTO:
        return "nothing recorded by hand to clear."
    return "correction cleared."


@role_required(*STAFF_ROLES)
def record_milestone(user_id: int, milestone_slug: str):
    """A coach records or corrects a milestone by hand; an empty date clears the correction."""
    rep = _coachable_rep(user_id)
    membership = _membership(rep)
    milestone = ramp_queries.active_milestone(membership.cohort.track_id, milestone_slug) \
        or abort(404)
    form = MilestoneForm()
    back = redirect(url_for("cohorts.rep_page", user_id=rep.id) + "#milestones")
    if not form.validate_on_submit():
        flash("Enter a valid date (or leave it empty to clear) and a note of at most 500 "
              "characters.", "error")
    elif problem := achievements.hand_date_problem(
            form.achieved_on.data, membership.effective_start_on, dt.date.today()):
        flash(problem[0].upper() + problem[1:] + ".", "error")
    else:
        current = achievements.stored_achievement(rep, milestone)
        achievements.record_milestone(
            rep=rep, milestone=milestone, achieved_on=form.achieved_on.data,
            note=form.note.data or None, actor=current_user, today=dt.date.today(),
            current=current)
        done = f"{milestone.title}: {_recorded(form.achieved_on.data, current)}"
        db.session.commit()
        flash(done, "success")
    return back
