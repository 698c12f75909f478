"""Managers and admins create cohorts, pick coaches, and add, move or remove reps."""
import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from cev_learn.accounts import sign_in_links
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.forms import ConfirmForm
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import managed_territory
from cev_learn.cohorts import queries, services
from cev_learn.cohorts.access import visible_cohorts
from cev_learn.cohorts.forms import CohortForm, MemberForm
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.cohorts.queries import cohort_coaches, current_memberships
from cev_learn.content.models import Track
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status, show_error

managers = role_required(Role.MANAGER, Role.ADMIN)


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.scalar(visible_cohorts(current_user).where(Cohort.id == cohort_id))
    return cohort or abort(404)


def _fill_choices(form: CohortForm) -> None:
    """Offer the active tracks and coaches, kept on the form (`tracks`, `coaches_by_id`) for
    the chosen ones: a submitted form reads none of them again."""
    if (territory := managed_territory(current_user)) is not None:
        form.territory.description = f"Your cohorts are in {territory}."
        form.territory.data = form.territory.data or territory
    form.tracks = {t.slug: t for t in db.session.scalars(
        select(Track).where(Track.retired_at.is_(None)).order_by(Track.title))}
    form.track.choices = [SelectChoice(slug, t.title) for slug, t in form.tracks.items()]
    form.coaches_by_id = {u.id: u for u in db.session.scalars(select(User).where(
        User.role.in_([Role.COACH, Role.MANAGER]), User.active.is_(True)).order_by(User.name))}
    form.coaches.choices = [SelectChoice(uid, f"{u.name} ({u.email})")
                            for uid, u in form.coaches_by_id.items()]


def _chosen(form: CohortForm) -> dict:
    """The track and coaches a valid submitted form names (among those it offered)."""
    return {"track": form.tracks[form.track.data],
            "coaches": [form.coaches_by_id[uid] for uid in form.coaches.data]}


@managers
def index():
    cohorts = list(db.session.scalars(visible_cohorts(current_user).order_by(
        Cohort.start_on.desc())))
    ids = [c.id for c in cohorts]
    return render_template("cohorts/manage_index.html", cohorts=cohorts,
                           counts=queries.rep_counts(ids),
                           coaches=cohort_coaches(ids))


@managers
def create():
    form = CohortForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(
                name=form.name.data, start_on=form.start_on.data,
                territory=form.territory.data, actor=current_user, **_chosen(form))
        except services.CohortError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            flash(f"Cohort {cohort.name} created. Now add its reps.", "success")
            return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
    return render_template("cohorts/cohort_form.html", form=form, cohort=None), form_status(form)


@managers
def detail(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = _cohort_form(cohort, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            services.update_cohort(cohort, name=form.name.data, start_on=form.start_on.data,
                                   territory=form.territory.data, actor=current_user,
                                   today=dt.date.today(), **_chosen(form))
        except services.CohortError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            flash("Cohort saved.", "success")
            return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
    return _detail_page(cohort, form, MemberForm(formdata=None), form_status(form))


def _cohort_form(cohort: Cohort, formdata=None) -> CohortForm:
    """The edit form: the submitted data, or the cohort as it is."""
    form = CohortForm(formdata=formdata, obj=None if formdata else cohort)
    _fill_choices(form)
    if not formdata:
        form.track.data = cohort.track.slug
        form.coaches.data = [link.coach_id for link in cohort.coach_links]
    return form


def _detail_page(cohort, form, member_form, status):
    members = sorted(current_memberships(cohort_ids=[cohort.id]), key=lambda m: m.user.name)
    return render_template("cohorts/cohort_form.html", form=form, cohort=cohort,
                           members=members, member_form=member_form,
                           unplaced_reps=queries.unplaced_reps(current_user), remove_form=ConfirmForm()), status


@managers
def add_member(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            rep, membership = services.rep_for(current_user, form.rep.data)
            services.place_rep(rep, cohort, start_on=form.start_on.data, end_on=form.end_on.data,
                               now=utcnow(), current={rep.id: membership} if membership else {})
        except services.CohortError as exc:  # raised before anything changed: no rollback,
            show_error(form, exc.field, str(exc))  # so the page reads nothing again
        else:
            now = utcnow()
            queued = sign_in_links.invite([rep], by=current_user, now=now) \
                if form.invite.data else []
            message, email = f"{rep.name} is in {cohort.name}.", rep.email
            done = redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
            report = sign_in_links.deliver(queued, current_app.config, now)  # commits
            if queued:
                message += (f" Invitation sent to {email}." if report.sent else
                            f" The invitation to {email} could not be sent "
                            f"({report.failed[0][1]}); send it again from their user page.")
            flash(message, "success")
            return done
    return _detail_page(cohort, _cohort_form(cohort), form, 400)


@managers
def remove_member(cohort_id: int, membership_id: int):
    cohort = _cohort(cohort_id)
    membership = db.session.scalar(select(Membership).options(joinedload(Membership.user))
                                   .where(Membership.id == membership_id))
    if membership is None or membership.cohort_id != cohort.id or membership.moved_out_at:
        abort(404)
    back = redirect(url_for("cohorts.cohort_detail", cohort_id=cohort_id))
    if ConfirmForm().validate_on_submit():
        left = f"{membership.user.name} left {cohort.name}; their history stays."
        services.remove_rep(membership, utcnow())
        db.session.commit()
        flash(left, "success")
    return back
