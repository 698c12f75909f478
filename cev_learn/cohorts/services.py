"""Cohort operations: explicit inputs, flush only; the caller commits once.

What changes which records count for a rep, or against which milestones (joining, moving or
leaving a cohort, a start date, a cohort's track), brings the achievements of the reps it
concerns up to date in the same transaction.
"""
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import insert, select

from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import can_view_rep, managed_territory
from cev_learn.accounts.services import normalise_email
from cev_learn.cohorts.access import placed_user_by_email, visible_cohorts
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.content.models import Track
from cev_learn.platform import events
from cev_learn.platform.db import db

CHUNK = 500  # reps per IN (...)


class CohortError(Exception):
    """A rule about cohorts was broken; the message is fit to show. `field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_cohort(name: str) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(Cohort.name == name.strip()))


def find_track(slug: str) -> Track:
    track = db.session.scalar(select(Track).where(Track.slug == slug, Track.retired_at.is_(None)))
    if track is None:
        raise CohortError(f"no active track {slug!r}; run cev-learn content sync first", "track")
    return track


def create_cohort(*, name: str, track: Track, start_on: dt.date, territory: str | None,
                  coaches: list[User], actor: User | None = None) -> Cohort:
    """A new cohort; an `actor` (a person, not the command line) creates it in their scope."""
    name = name.strip()
    if not name:
        raise CohortError("a cohort needs a name", "name")
    if find_cohort(name) is not None:
        raise CohortError(f"a cohort named {name!r} already exists", "name")
    cohort = Cohort(name=name, track_id=track.id, start_on=start_on,
                    territory=territory_for(actor, territory))
    db.session.add(cohort)
    db.session.flush()
    set_coaches(cohort, coaches)
    return cohort


def update_cohort(cohort: Cohort, *, name: str, track: Track, start_on: dt.date,
                  territory: str | None, coaches: list[User], actor: User,
                  today: dt.date) -> Cohort:
    """Change a cohort the actor manages, keeping it in their scope; a new track or start
    date brings the achievements of its reps up to date as of `today`."""
    ensure_manages_cohort(actor, cohort)
    name = name.strip()
    other = find_cohort(name)
    if other is not None and other.id != cohort.id:
        raise CohortError(f"a cohort named {name!r} already exists", "name")
    measured_from = (cohort.track_id, cohort.start_on)
    cohort.territory = territory_for(actor, territory)
    cohort.name, cohort.track_id, cohort.start_on = name, track.id, start_on
    set_coaches(cohort, coaches)
    db.session.flush()
    if (cohort.track_id, cohort.start_on) != measured_from:
        refresh_members(today, cohort_ids=[cohort.id])
    return cohort


def listen() -> None:
    """Bring the members of tracks a content sync changed up to date in the sync's transaction
    (events.tracks_changed)."""
    events.tracks_remeasured.connect(_on_tracks_changed)


def _on_tracks_changed(_sender, *, track_ids: list[int], today: dt.date) -> int:
    return refresh_members(today, track_ids=track_ids)


def refresh_members(today: dt.date, *, cohort_ids: Iterable[int] = (),
                    track_ids: Iterable[int] = ()) -> int:
    """Bring the achievements of every rep now in these cohorts, or in the cohorts on these
    tracks, up to date as of `today`: one SELECT, one refresh. Returns how many changed."""
    cohort_ids, track_ids = list(cohort_ids), list(track_ids)
    if not cohort_ids and not track_ids:
        return 0
    rep_ids = list(db.session.scalars(
        select(Membership.user_id).join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Membership.moved_out_at.is_(None),
               Cohort.id.in_(cohort_ids) | Cohort.track_id.in_(track_ids))))
    return events.records_changed(rep_ids, today)


def territory_for(actor: User | None, territory: str | None) -> str | None:
    """The territory a cohort may get from this actor: a manager limited to a territory
    keeps their cohorts in it (a blank one means theirs); anyone else chooses freely."""
    territory = (territory or "").strip() or None
    scope = managed_territory(actor) if actor is not None else None
    if scope is None:
        return territory
    if territory not in (None, scope):
        raise CohortError(f"You manage {scope}: your cohorts stay in {scope}. An admin or a "
                          "manager of every territory can place a cohort elsewhere.", "territory")
    return scope


def ensure_manages_cohort(actor: User, cohort: Cohort) -> None:
    """Refuse a change to a cohort the actor does not manage (views answer 404 before this)."""
    if db.session.scalar(visible_cohorts(actor).with_only_columns(Cohort.id)
                         .where(Cohort.id == cohort.id)) is None:
        raise CohortError("You do not manage this cohort.")


def set_coaches(cohort: Cohort, coaches: list[User]) -> None:
    for coach in coaches:
        if coach.role not in (Role.COACH, Role.MANAGER, Role.ADMIN):
            raise CohortError(f"{coach.email} is a {coach.role.value}, not a coach", "coaches")
    wanted = {c.id for c in coaches}
    for link in list(cohort.coach_links):
        if link.coach_id not in wanted:
            cohort.coach_links.remove(link)
    have = {link.coach_id for link in cohort.coach_links}
    for coach_id in wanted - have:
        cohort.coach_links.append(CohortCoach(coach_id=coach_id))
    db.session.flush()


def current_memberships_of(rep_ids: Iterable[int]) -> dict[int, Membership]:
    """Rep id → their membership now, for those of these reps in a cohort."""
    ids = sorted(set(rep_ids))
    return {m.user_id: m for start in range(0, len(ids), CHUNK)
            for m in db.session.scalars(select(Membership).where(
                Membership.user_id.in_(ids[start:start + CHUNK]),
                Membership.moved_out_at.is_(None)))}


def current_membership(rep: User) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.user_id == rep.id, Membership.moved_out_at.is_(None)))


def rep_for(actor: User, email: str) -> tuple[User, Membership | None]:
    """The active rep with this email whom the actor may place in one of their cohorts, with
    their current membership (None: in no cohort), in one statement; a CohortError on the
    email field otherwise.

    A manager limited to a territory hears the same answer for a rep outside it (placed in
    another territory's cohort, or waiting in another territory) as for an email nobody has,
    so the form tells them nothing about people they do not manage.
    """
    found = placed_user_by_email(normalise_email(email))
    user = found[0] if found is not None else None
    if managed_territory(actor) is not None and (
            user is None or user.role is not Role.REP or not can_view_rep(actor, found[1])):
        raise CohortError(f"No rep you manage has the email {normalise_email(email)}. A rep "
                          "in another territory is placed by its manager or an admin.", "rep")
    if user is None:
        raise CohortError(f"No account has the email {normalise_email(email)}.", "rep")
    if user.role is not Role.REP:
        article = "an" if user.role is Role.ADMIN else "a"
        raise CohortError(f"{user.email} is {article} {user.role.value}, not a rep.", "rep")
    if not user.active:
        raise CohortError(f"{user.email} is deactivated.", "rep")
    return user, found[2]


def place_rep(rep: User, cohort: Cohort, *, start_on: dt.date | None, end_on: dt.date | None,
              now: dt.datetime, current: dict[int, Membership] | None = None) -> Membership:
    """Put a rep in a cohort: update the membership if already there, else move them
    (closing the old membership, so their history in it stays). Their achievements are
    brought up to date as of the day of `now`: their records count from the start date in
    this cohort, towards its track's milestones. `current` as for `place_reps`."""
    return place_reps([(rep, cohort, start_on, end_on)], now=now, current=current)[0]


Placement = tuple[User, Cohort, dt.date | None, dt.date | None]  # rep, cohort, start, end


def place_reps(placements: Iterable[Placement], *, now: dt.datetime,
               current: dict[int, Membership] | None = None) -> list[Membership]:
    """`place_rep` for many reps, with one refresh of their achievements at the end. `current`
    is each rep's membership now when the caller has read them (rep id → membership; a rep
    in none left out); else they are read, in one statement per CHUNK reps. A placement that
    cannot be made raises CohortError before anything is changed."""
    placements = list(placements)
    for rep, cohort, start_on, end_on in placements:  # every check before any change
        _check_placement(rep, cohort, start_on, end_on)
    if current is None:
        current = current_memberships_of([rep.id for rep, *_ in placements])
    kept, new = {}, {}
    for rep, cohort, start_on, end_on in placements:
        membership = current.get(rep.id)
        if rep.id in new or membership is None or membership.cohort_id != cohort.id:
            if membership is not None and rep.id not in new:
                membership.moved_out_at = now  # the old one stays, as history
            new[rep.id] = {"cohort_id": cohort.id, "user_id": rep.id, "start_on": start_on,
                           "end_on": end_on, "joined_at": now}
        else:
            membership.start_on, membership.end_on = start_on, end_on
            kept[rep.id] = membership
    db.session.flush()  # the old memberships closed before the new ones open
    placed = {**kept, **_insert_memberships(list(new.values()))}
    memberships = [placed[rep.id] for rep in dict.fromkeys(rep for rep, *_ in placements)]
    current.update(placed)
    events.records_changed([m.user_id for m in memberships], now.date())
    return memberships


def _check_placement(rep: User, cohort: Cohort, start_on: dt.date | None,
                     end_on: dt.date | None) -> None:
    if rep.role is not Role.REP:
        raise CohortError(f"{rep.email} is a {rep.role.value}; only reps join cohorts", "rep")
    if end_on is not None and end_on < (start_on or cohort.start_on):
        raise CohortError("the end date is before the start date", "end_on")


def _insert_memberships(rows: list[dict]) -> dict[int, Membership]:
    """Rep id → the membership created for them: one INSERT … RETURNING per CHUNK, however
    many (an ORM flush would insert them one by one)."""
    created = {}
    for start in range(0, len(rows), CHUNK):
        created.update((m.user_id, m) for m in db.session.scalars(
            insert(Membership).returning(Membership).execution_options(render_nulls=True),
            rows[start:start + CHUNK]))
    return created


def remove_rep(membership: Membership, now: dt.datetime) -> None:
    """Take a rep out of a cohort; the row stays as history, and the rep's ramp is brought
    up to date as of the day of `now`."""
    membership.moved_out_at = now
    db.session.flush()
    events.records_changed([membership.user_id], now.date())
