"""Who may see whom: the pure rule (`policy.can_view_rep` on the `RepScope` that
`cohorts.access` loads) and its SQL form (`visible_rep_filter`), which lists and counts use,
agree for every viewer and every rep of small random organisations: users of every role,
active or not; managers with and without a territory; reps with and without a territory of
their own, in a cohort, moved out of one or several, or never placed; cohorts with and without
a territory and with any number of coaches. So do the coaching rule and `coachable_rep_ids`,
and the cohort rule (`policy.can_view_cohort`) and `visible_cohorts`.

The scopes the loader builds are checked against the drawn organisation too: a rep's
territory now is their current cohort's, or their own while in no cohort.
"""
import datetime as dt
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from cev_learn.accounts import policy
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import RepScope
from cev_learn.cohorts import access
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.content.models import Track
from cev_learn.platform.db import db

TERRITORIES = ("EMEA", "DACH", None)
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
territories = st.sampled_from(TERRITORIES)


@dataclass(frozen=True)
class Person:
    role: Role
    territory: str | None
    active: bool
    cohorts: tuple[int, ...] = ()  # a rep's cohorts, oldest first (indexes)
    placed: bool = False           # whether a rep is still in the last of them


@dataclass(frozen=True)
class Org:
    people: tuple[Person, ...]
    cohorts: tuple[tuple[str | None, frozenset[int]], ...]  # territory, coaches (indexes)


@st.composite
def people(draw, cohorts: int):
    role = draw(st.sampled_from(Role))
    person = Person(role, draw(territories), draw(st.booleans()))
    if role is not Role.REP or not cohorts:
        return person
    history = tuple(draw(st.lists(st.integers(0, cohorts - 1), max_size=3)))
    return Person(role, person.territory, person.active, history,
                  bool(history) and draw(st.booleans()))


@st.composite
def organisations(draw):
    cohorts = draw(st.integers(0, 3))
    # Every role at least once, then more of any.
    everyone = [Person(role, draw(territories), draw(st.booleans())) for role in Role]
    everyone += draw(st.lists(people(cohorts), min_size=1, max_size=7))
    # Coaches are usually coaches; anyone may be listed (a coach who became a rep stays on).
    coaches = st.frozensets(st.integers(0, len(everyone) - 1), max_size=3)
    return Org(tuple(everyone), tuple((draw(territories), draw(coaches)) for _ in range(cohorts)))


def store(org: Org) -> tuple[list[User], list[Cohort]]:
    track = db.session.scalar(select(Track))
    if track is None:
        track = Track(slug="visibility", title="Visibility", content_hash="0" * 64)
    users = [User(email=f"user{n}@example.com", name=f"User {n}", role=p.role,
                  territory=p.territory, active=p.active)
             for n, p in enumerate(org.people)]
    cohorts = [Cohort(name=f"Cohort {n}", track=track, start_on=NOW.date(), territory=territory)
               for n, (territory, _) in enumerate(org.cohorts)]
    db.session.add_all(users + cohorts)
    db.session.flush()
    for cohort, (_, coaches) in zip(cohorts, org.cohorts):
        db.session.add_all(CohortCoach(cohort_id=cohort.id, coach_id=users[i].id)
                           for i in coaches)
    for user, person in zip(users, org.people):
        for n, index in enumerate(person.cohorts):
            current = person.placed and n == len(person.cohorts) - 1
            db.session.add(Membership(cohort_id=cohorts[index].id, user_id=user.id,
                                      moved_out_at=None if current else NOW))
    db.session.commit()
    return users, cohorts


def forget() -> None:
    for model in (Membership, CohortCoach, Cohort, User):
        db.session.execute(delete(model))
    db.session.commit()


def expected_scope(org: Org, person: Person, user: User, users: list[User]) -> RepScope:
    """The rep's scope from the drawn organisation, not from the loader."""
    if not person.placed:
        return RepScope(user.id, person.territory, frozenset())
    territory, coaches = org.cohorts[person.cohorts[-1]]
    return RepScope(user.id, territory, frozenset(users[i].id for i in coaches))


def check(org: Org) -> None:
    users, cohorts = store(org)
    reps = [(user, person) for user, person in zip(users, org.people) if person.role is Role.REP]
    rep_ids = [user.id for user, _ in reps]
    scopes = {user.id: access.rep_scope(user) for user, _ in reps}
    for user, person in reps:
        assert scopes[user.id] == expected_scope(org, person, user, users), person
        assert access.find_rep(user.id) == (user, scopes[user.id])
    cohort_coaches = [frozenset(users[i].id for i in coaches) for _, coaches in org.cohorts]
    for viewer in users:
        who = f"{viewer.role.value} {viewer.id} of {viewer.territory}"
        by_sql = set(db.session.scalars(select(User.id).where(
            User.id.in_(rep_ids), access.visible_rep_filter(viewer, User.id))))
        by_rule = {rep_id for rep_id in rep_ids
                   if policy.can_view_rep(viewer, scopes[rep_id])}
        assert by_sql == by_rule, who
        coachable = {rep_id for rep_id in rep_ids
                     if policy.can_coach_rep(viewer, scopes[rep_id])}
        assert access.coachable_rep_ids(viewer, rep_ids) == coachable, who
        for rep, _ in reps:
            # Loading the scope only when the answer turns on it changes no answer.
            assert access.allows(policy.can_view_rep, viewer, rep) == (rep.id in by_rule), who
            assert access.allows(policy.can_coach_rep, viewer, rep) == (rep.id in coachable), who
            assert (access.visible_rep(viewer, rep.id) is rep) == (rep.id in by_rule), who
        seen_cohorts = set(db.session.scalars(
            access.visible_cohorts(viewer).with_only_columns(Cohort.id)))
        assert seen_cohorts == {
            cohort.id for cohort, (territory, _), coaches
            in zip(cohorts, org.cohorts, cohort_coaches)
            if policy.can_view_cohort(viewer, territory, coaches)}, who


# No shrinking: each example writes a small organisation to the database; the failure names
# the organisation drawn and the viewer.
@settings(max_examples=100, deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(org=organisations())
def test_the_rule_and_its_sql_filter_agree_on_every_viewer_and_rep(app, org):
    note(repr(org))
    try:
        check(org)
    finally:
        db.session.rollback()
        forget()
