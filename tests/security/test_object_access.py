"""Object-level access: every URL naming an object refuses whoever the object's rules leave
out, for the object's id, its neighbours and ids that exist nowhere, and a refused write
changes no row.

The routes come from app.url_map: a new route with an `<int:…>` id fails here until CASES
says whose its objects are. The expectations come from the cast below (who coaches which
cohort, which territory a manager has), not from the application's own policy functions.
"""
import datetime as dt
import html
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from cev_learn import create_app
from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role, User
from cev_learn.certifications.models import Certificate
from cev_learn.cohorts import coaching
from cev_learn.cohorts.models import Membership
from cev_learn.content.models import Certification, Module, Quiz, Track
from cev_learn.content.questions import QuestionType
from cev_learn.notifications.models import Notification
from cev_learn.platform.db import MAX_ID, db, utcnow
from cev_learn.quizzes import services
from cev_learn.quizzes.models import Attempt, Booster
from cev_learn.ramp.models import ImportMapping
from tests.api.helpers import token_for
from tests.helpers import csrf_token, login, make_user
from tests.factories import make_cohort
from tests.practice.recordings import make_submission
from tests.security.module_data import module_data, snapshot
from tests.webhooks.helpers import stored_delivery

_APP = create_app({"SECRET_KEY": "routes", "DATABASE_URL": "sqlite://", "REQUEST_LOG": False})
OBJECT_ROUTES = sorted({rule.endpoint for rule in _APP.url_map.iter_rules()
                        if "<int:" in rule.rule})
ATTACKERS = ("ben", "cy", "kim", "lou", "mae", "max", "ada")
# Nothing of Ana's (a North rep) may reach a refused response or another cohort's lists.
SECRETS = ("Ana ZEBRA", "ana.zebra@", "NOTE-PRIVATE", "NOTE-SHARED")
TODAY = dt.date.today()
DAYS_FROM_TODAY = ('YESTERDAY',)  # moved with TODAY (conftest)
GRACE = dt.timedelta(seconds=30)


@dataclass
class Actor:
    user: User
    client: object
    csrf: str
    bearer: str


@dataclass
class World:
    """North (EMEA, coached by Kim): Ann, Ana, Ben. South (DACH, coached by Lou): Cy.
    Mae manages EMEA, Max DACH; Ada is an admin; Una is a rep in no cohort."""

    app: Flask
    users: dict[str, User]
    actors: dict[str, Actor]
    rep_cohort: dict[int, str | None]  # every rep's id -> their cohort's name
    cohorts: dict[str, int]
    territory: dict[str, str]
    coaches: dict[str, set[int]]
    attempts: dict[int, tuple[int, bool]]  # attempt id -> owner id, submitted
    memberships: dict[int, tuple[str, int]]  # membership id -> cohort name, rep id
    targets: dict[str, int]  # the objects attacked: attempt, open_attempt, token, quiz...
    token_ids: set[int]
    essay_key: str


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("object-access")
    with module_data(database_url, root, XAPI_SETTLE_SECONDS=0) as app:
        yield _build(app)


CAST = {"ann": ("Ann ZEBRA", Role.REP), "ana": ("Ana ZEBRA", Role.REP),
        "ben": ("Ben North", Role.REP), "cy": ("Cy OKAPI", Role.REP),
        "kim": ("Kim Coach", Role.COACH), "lou": ("Lou Coach", Role.COACH),
        "mae": ("Mae Manager", Role.MANAGER), "max": ("Max Manager", Role.MANAGER),
        "ada": ("Ada Admin", Role.ADMIN), "una": ("Una Unplaced", Role.REP)}
PLACES = {"ann": "North", "ana": "North", "ben": "North", "cy": "South", "una": None}


def _build(app: Flask) -> World:
    users = {key: make_user(role, name=name, email=f"{key}.{name.split()[1].lower()}@example.com",
                            territory={"mae": "EMEA", "max": "DACH"}.get(key))
             for key, (name, role) in CAST.items()}
    north = make_cohort(name="North-ZEBRA-cohort", territory="EMEA", coaches=[users["kim"]],
                        reps=[users["ann"], users["ana"], users["ben"]])
    south = make_cohort(name="South-OKAPI-cohort", territory="DACH", coaches=[users["lou"]],
                        reps=[users["cy"]])
    attempts = _attempts(users)
    ana_attempt, open_attempt = list(attempts)[1:3]
    for body, shared in (("NOTE-PRIVATE", False), ("NOTE-SHARED", True)):
        coaching.add_note(rep=users["ana"], author=users["kim"], body=body, shared=shared)
    db.session.commit()
    webhook = stored_delivery(users["ana"].id)
    booster = _booster_of(users["ana"])
    submission = make_submission(users["ana"], app=app).id
    peer_submission = make_submission(users["ana"], slug="peer-pitch", app=app).id
    certificate = _certificate_of(users["ana"])
    actors = {key: _sign_in(app, users[key]) for key in ATTACKERS}
    cohort_names = {north.id: "North", south.id: "South"}
    memberships = {m.id: (cohort_names[m.cohort_id], m.user_id)
                   for m in db.session.scalars(select(Membership))}
    membership_of = {rep: m for m, (_, rep) in memberships.items()}
    return World(
        app=app, users=users, actors=actors, attempts=attempts, memberships=memberships,
        rep_cohort={users[key].id: cohort for key, cohort in PLACES.items()},
        cohorts={"North": north.id, "South": south.id},
        territory={"North": "EMEA", "South": "DACH"},
        coaches={"North": {users["kim"].id}, "South": {users["lou"].id}},
        token_ids=set(db.session.scalars(select(ApiToken.id))),
        essay_key=_essay_key(ana_attempt),
        targets={"attempt": ana_attempt, "open_attempt": open_attempt,
                 "quiz": db.session.scalar(select(Quiz.id)),
                 "token": db.session.scalar(select(ApiToken.id).where(
                     ApiToken.user_id == users["kim"].id)),
                 "module": db.session.scalar(select(Module.id).where(Module.slug == "intro")),
                 "membership": membership_of[users["ana"].id],
                 "south_membership": membership_of[users["cy"].id],
                 "webhook_delivery": webhook.id, "webhook_endpoint": webhook.endpoint_id,
                 "mapping": _mapping_of(users["mae"]),
                 "notification": db.session.scalar(select(Notification.id).where(
                     Notification.recipient_id == users["ana"].id)),
                 "booster": booster, "submission": submission,
                 "peer_submission": peer_submission, "certificate": certificate})


def _booster_of(rep: User) -> int:
    """A booster question due for the rep: theirs alone to answer and to read back."""
    quiz = db.session.scalar(select(Quiz))
    booster = Booster(user_id=rep.id, module_id=db.session.scalar(select(Module.id)),
                      quiz_id=quiz.id, question_key="k" * 16, box=1, due_on=TODAY,
                      answer_count=0, created_at=utcnow())
    db.session.add(booster)
    db.session.commit()
    return booster.id


def _certificate_of(rep: User) -> int:
    """A certificate Ana holds: hers, and seen by the staff who see her."""
    certification = Certification(track_id=db.session.scalar(select(Track.id)), slug="sample",
                                  title="Sample certification", requires=[["quiz", "check"]],
                                  valid_for_days=365, remind_days_before=30)
    certificate = Certificate(user_id=rep.id, certification=certification, earned_on=TODAY,
                              expires_on=TODAY + dt.timedelta(days=365),
                              code=secrets.token_urlsafe(32))
    db.session.add(certificate)
    db.session.commit()
    return certificate.id


def _mapping_of(manager: User) -> int:
    """A mapping Mae saved: she and the admins may change it, Max may not."""
    mapping = ImportMapping(name="Mae's CRM", kind="activities", created_by_id=manager.id,
                            definition={"source": "maes-crm", "columns": {
                                "rep": "Owner", "occurred_on": "Day", "type": "Kind"}})
    db.session.add(mapping)
    db.session.commit()
    return mapping.id


def _attempts(users: dict[str, User]) -> dict[int, tuple[int, bool]]:
    """Cy's submitted attempt, Ana's submitted and open ones, Ben's open one (in that order)."""
    quiz, attempts = db.session.scalar(select(Quiz)), {}
    for key, submitted in (("cy", True), ("ana", True), ("ana", False), ("ben", False)):
        attempt = services.start_attempt(users[key], quiz, utcnow(), GRACE)
        if submitted:
            services.submit_attempt(attempt.id, None, utcnow(), GRACE)
        db.session.commit()
        attempts[attempt.id] = (users[key].id, submitted)
    return attempts


def _essay_key(attempt_id: int) -> str:
    questions = services.version_questions(db.session.get(Attempt, attempt_id).version)
    return next(key for key, q in questions.items() if q.type is QuestionType.ESSAY)


def _sign_in(app: Flask, user: User) -> Actor:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return Actor(user, client, csrf_token(client, "/"), token_for(user, Scope.WRITE))


# --- Who may reach what (the cast's rules, written out) ------------------------------------

def sees_rep(w: World, actor: User, rep_id: int) -> bool:
    if rep_id not in w.rep_cohort:
        return False
    if actor.role is Role.ADMIN or actor.id == rep_id:
        return True
    cohort = w.rep_cohort[rep_id]
    if actor.role is Role.MANAGER:
        return cohort is not None and w.territory[cohort] == actor.territory
    return actor.role is Role.COACH and cohort is not None and actor.id in w.coaches[cohort]


def coaches_rep(w: World, actor: User, rep_id: int) -> bool:
    return actor.role is not Role.REP and actor.id != rep_id and sees_rep(w, actor, rep_id)


def sees_cohort(w: World, actor: User, cohort_id: int) -> bool:
    name = next((n for n, i in w.cohorts.items() if i == cohort_id), None)
    if name is None or actor.role is Role.REP:
        return False
    if actor.role is Role.MANAGER:
        return w.territory[name] == actor.territory
    return actor.role is Role.ADMIN or actor.id in w.coaches[name]


def sees_attempt(w: World, actor: User, attempt_id: int) -> bool:
    owner, submitted = w.attempts.get(attempt_id, (None, False))
    return owner == actor.id or (owner is not None and submitted and sees_rep(w, actor, owner))


def sees_user(w: World, actor: User, user_id: int) -> bool:
    exists = user_id in {u.id for u in w.users.values()}
    return (exists and actor.role is Role.ADMIN) or sees_rep(w, actor, user_id)


def admin_changes_status(w: World, actor: User, user_id: int) -> bool:
    return sees_user(w, actor, user_id) and actor.id != user_id


def removes_membership(w: World, actor: User, args: dict) -> bool:
    cohort, _ = w.memberships.get(args["membership_id"], (None, None))
    return (sees_cohort(w, actor, args["cohort_id"]) and cohort is not None
            and w.cohorts[cohort] == args["cohort_id"])


# --- One case per object route ---------------------------------------------------------------

def around(object_id: int) -> list[int]:
    """The object, its neighbours, the largest id a database holds, and one past it."""
    return [object_id, object_id - 1, object_id + 1, MAX_ID, MAX_ID + 1]


@dataclass(frozen=True)
class Case:
    probes: Callable[[World], list[dict]]  # URL arguments; the attacked object's come first
    reachable: Callable[[World, User, dict], bool]
    data: Callable[[World], dict] = lambda w: {}
    refusal: Callable[[User, dict], int] = lambda actor, args: 404


def by_id(arg: str, target: Callable[[World], int], rule, **fixed) -> dict:
    """Probes around the target's id in URL argument `arg`; `rule(w, actor, id)` says who
    may reach an id."""
    return {"probes": lambda w: [{arg: i, **fixed} for i in around(target(w))],
            "reachable": lambda w, actor, args: rule(w, actor, args[arg])}


def ana(w):
    return w.users["ana"].id


def north(w):
    return w.cohorts["North"]


REP, COACH = by_id("user_id", ana, sees_rep), by_id("user_id", ana, coaches_rep)
COHORT = by_id("cohort_id", north, sees_cohort)
USER = by_id("user_id", ana, sees_user)
OWN_ATTEMPT = by_id("attempt_id", lambda w: w.targets["open_attempt"],
                    lambda w, actor, i: w.attempts.get(i, (None,))[0] == actor.id)
# A quiz is content every staff member may open; its results are filtered by rep (see
# test_lists_and_exports_show_nothing_of_another_cohort).
QUIZ = by_id("quiz_id", lambda w: w.targets["quiz"], lambda w, actor, i: i == w.targets["quiz"])
# A saved import mapping: its maker and the admins change it.
MAPPING = by_id("mapping_id", lambda w: w.targets["mapping"],
                lambda w, actor, i: i == w.targets["mapping"] and (
                    actor.role is Role.ADMIN or actor.id == w.users["mae"].id))
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
COHORT_FORM = {"name": "Taken over", "track": "test-track", "start_on": "2026-01-05",
               "territory": "Elsewhere"}
# Webhook endpoints are the admins' (their pages refuse everyone else by role).
WEBHOOK_ENDPOINT = by_id("endpoint_id", lambda w: w.targets["webhook_endpoint"],
                         lambda w, actor, i: actor.role is Role.ADMIN
                         and i == w.targets["webhook_endpoint"])
# A notification is its recipient's alone, whatever the role (Ana's: the note shared with her).
NOTIFICATION = by_id("notification_id", lambda w: w.targets["notification"],
                     lambda w, actor, i: i <= MAX_ID  # beyond it no row can be looked up
                     and (n := db.session.get(Notification, i)) is not None
                     and n.recipient_id == actor.id)
# A booster is its rep's alone, whatever the role.
OWN_BOOSTER = by_id("booster_id", lambda w: w.targets["booster"],
                    lambda w, actor, i: i == w.targets["booster"] and actor.id == ana(w))
def peer_of_ana(w: World, actor: User) -> bool:
    """A rep of Ana's cohort now, not Ana."""
    return (actor.role is Role.REP and actor.id != ana(w)
            and w.rep_cohort.get(actor.id) == w.rep_cohort[ana(w)])


def sees_submission(w: World, actor: User, i: int) -> bool:
    """A recording is seen by its rep and the staff who see them; one of an exercise with peer
    reviews also by the reps of its rep's cohort."""
    if i == w.targets["peer_submission"] and peer_of_ana(w, actor):
        return True
    return i in (w.targets["submission"], w.targets["peer_submission"]) and \
        sees_rep(w, actor, ana(w))


SUBMISSION = by_id("submission_id", lambda w: w.targets["submission"], sees_submission)
# A peer review is written by the reps of Ana's cohort, of her recording of the peer exercise.
PEER_REVIEW = by_id("submission_id", lambda w: w.targets["peer_submission"],
                    lambda w, actor, i: i == w.targets["peer_submission"]
                    and peer_of_ana(w, actor))
# A certificate is seen by its holder and the staff who see them.
CERTIFICATE = by_id("certificate_id", lambda w: w.targets["certificate"],
                    lambda w, actor, i: i == w.targets["certificate"] and sees_rep(w, actor, ana(w)))
SELF_STATUS = {"probes": lambda w: [{"user_id": i} for i in around(ana(w))]
               + [{"user_id": w.users["ada"].id}],  # admins may not change their own status
               "reachable": lambda w, actor, args: admin_changes_status(w, actor, args["user_id"]),
               "refusal": lambda actor, args: 403 if args["user_id"] == actor.id else 404}

CASES = {
    "accounts.edit_user": Case(**USER, data=lambda w: {"email": "taken@example.com",
                                                    "name": "Taken", "role": "admin"}),
    "accounts.activate_user": Case(**SELF_STATUS),
    "accounts.deactivate_user": Case(**SELF_STATUS, data=lambda w: {"confirm": "y"}),
    "accounts.reset_password": Case(**USER, data=lambda w: {"password": "taken over entirely",
                                                         "confirm": "taken over entirely"}),
    "accounts.invite_user": Case(**USER),
    "accounts.revoke_invitation": Case(**USER),
    "accounts.revoke_token": Case(
        **by_id("token_id", lambda w: w.targets["token"],
                lambda w, actor, i: actor.role is Role.ADMIN and i in w.token_ids),
        data=lambda w: {"confirm": "y"}),
    "api.cohort": Case(**COHORT),
    "api.cohort_ramp_report": Case(**COHORT),
    "api.rep_achievements": Case(**REP),
    "api.rep_attempts": Case(**REP),
    "api.rep_progress": Case(**REP),
    "api.record_achievement": Case(**by_id("user_id", ana, coaches_rep,
                                           milestone_slug="first-meeting"),
                                   data=lambda w: {"achieved_on": YESTERDAY}),
    "api.user": Case(**USER),
    "api.rep_forecast": Case(**REP),
    "api.rep_readiness": Case(**REP),
    "api.rep_certificates": Case(**REP),
    "api.rep_submissions": Case(**REP),
    "certifications.certificate": Case(**CERTIFICATE),
    "certifications.certificate_pdf": Case(**CERTIFICATE),
    "api.cohort_forecast": Case(**COHORT),
    "quizzes.answer_booster": Case(**OWN_BOOSTER, data=lambda w: {"seq": "0"}),
    "quizzes.booster_result": Case(
        probes=lambda w: [{"booster_id": i, "seq": 0} for i in around(w.targets["booster"])],
        reachable=lambda w, actor, args: args["booster_id"] == w.targets["booster"]
        and actor.id == ana(w)),
    "practice.submission": Case(**SUBMISSION),
    "practice.recording": Case(**SUBMISSION),
    "practice.review": Case(**SUBMISSION),
    "practice.peer_review": Case(**PEER_REVIEW),
    "quizzes.attempt": Case(**by_id("attempt_id", lambda w: w.targets["attempt"], sees_attempt)),
    "quizzes.save": Case(**OWN_ATTEMPT),
    "quizzes.summary": Case(**OWN_ATTEMPT),
    "quizzes.submit": Case(**OWN_ATTEMPT),
    "cohorts.cohort_detail": Case(**COHORT, data=lambda w: COHORT_FORM),
    "cohorts.add_member": Case(**COHORT, data=lambda w: {"rep": w.users["una"].email}),
    "cohorts.remove_member": Case(
        probes=lambda w: [{"cohort_id": north(w), "membership_id": m}
                          for m in around(w.targets["membership"])]
        + [{"cohort_id": w.cohorts["South"], "membership_id": w.targets["membership"]},
           {"cohort_id": north(w), "membership_id": w.targets["south_membership"]}],
        reachable=removes_membership),
    "quizzes.quiz_analysis": Case(**QUIZ),
    "quizzes.quiz_results": Case(**QUIZ),
    "quizzes.quiz_results_csv": Case(**QUIZ),
    "quizzes.grade": Case(
        probes=lambda w: [{"attempt_id": i, "key": w.essay_key}
                          for i in around(w.targets["attempt"])],
        reachable=lambda w, actor, args: args["attempt_id"] in w.attempts and coaches_rep(
            w, actor, w.attempts[args["attempt_id"]][0]),
        data=lambda w: {"points": "1"}),
    "analytics.cohort": Case(**COHORT),
    "analytics.cohort_csv": Case(**by_id("cohort_id", north, sees_cohort, name="km")),
    "analytics.rep": Case(**REP),
    "analytics.rep_csv": Case(**by_id("user_id", ana, sees_rep, name="weekly")),
    "cohorts.rep_page": Case(**REP),
    "notifications.open": Case(**NOTIFICATION),
    "cohorts.assign": Case(**COACH, data=lambda w: {
        "item": f"module:{w.targets['module']}", "due_on": "2099-01-01"}),
    "cohorts.add_note": Case(**COACH, data=lambda w: {"body": "Taken over", "shared": "y"}),
    "cohorts.signoff": Case(**by_id("user_id", ana, coaches_rep, rubric_slug="pitch"),
                            data=lambda w: {"score_0": "5", "score_1": "5", "score_2": "5"}),
    "ramp.edit_mapping": Case(**MAPPING, data=lambda w: {
        "name": "Mae's CRM", "kind": "activities", "source": "taken-over", "person": "auto",
        "dates": "auto", "decimal": "auto", "column_rep": "Owner", "column_occurred_on": "Day",
        "column_type": "Kind"}),
    "ramp.delete_mapping": Case(**MAPPING),
    "cohorts.record_milestone": Case(**by_id("user_id", ana, coaches_rep,
                                             milestone_slug="first-meeting"),
                                     data=lambda w: {"achieved_on": YESTERDAY}),
    **{f"webhooks.{name}": Case(**WEBHOOK_ENDPOINT, data=lambda w: {"confirm": "y"})
       for name in ("endpoint", "enable_endpoint", "disable_endpoint", "replace_secret",
                    "remove_endpoint")},
    "webhooks.send_again": Case(
        probes=lambda w: [{"endpoint_id": w.targets["webhook_endpoint"], "delivery_id": i}
                          for i in around(w.targets["webhook_delivery"])]
        + [{"endpoint_id": w.targets["webhook_endpoint"] + 1,
            "delivery_id": w.targets["webhook_delivery"]}],
        reachable=lambda w, actor, args: actor.role is Role.ADMIN and (
            args["endpoint_id"], args["delivery_id"]) == (
            w.targets["webhook_endpoint"], w.targets["webhook_delivery"])),
}


# --- The attacks ----------------------------------------------------------------------------

def attack(w: World, actor: Actor, endpoint: str, method: str, args: dict, data: dict):
    url = w.app.url_map.bind("localhost").build(endpoint, args)
    if endpoint.startswith("api."):  # a bearer token on a client without a session cookie
        return w.app.test_client().open(url, method=method, json=data or None,
                                        headers={"Authorization": f"Bearer {actor.bearer}"})
    if method == "GET":
        return actor.client.get(url)
    return actor.client.open(url, method=method, data={"csrf_token": actor.csrf, **data})


def assert_refused(response, expected: int, api: bool, what: str):
    assert response.status_code == expected, f"{what}: {response.status_code}, not {expected}"
    if api:
        assert response.mimetype == "application/problem+json", what
        assert response.json["status"] == expected, what
    body = response.get_data(as_text=True)
    assert not [s for s in SECRETS if s in body], f"{what} shows {SECRETS}"


def test_every_case_names_an_object_route():
    assert sorted(CASES) == OBJECT_ROUTES


@pytest.mark.parametrize("endpoint", OBJECT_ROUTES)
def test_an_object_is_refused_to_everyone_its_rules_leave_out(world, endpoint):
    case = CASES.get(endpoint)
    assert case is not None, f"{endpoint} names an object: add a case saying whose it is"
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
    roles = world.app.view_functions[endpoint].access_rule
    before, tried = snapshot(), 0
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        data = {} if method == "GET" else case.data(world)
        for name in ATTACKERS:
            actor = world.actors[name]
            role_allowed = actor.user.role in roles
            # A refused role is answered before any object is looked up: one probe is enough.
            for args in case.probes(world) if role_allowed else case.probes(world)[:1]:
                if role_allowed and case.reachable(world, actor.user, args):
                    continue
                expected = case.refusal(actor.user, args) if role_allowed else 403
                response = attack(world, actor, endpoint, method, args, data)
                assert_refused(response, expected, endpoint.startswith("api."),
                               f"{name} ({actor.user.role.value}) {method} {endpoint} {args}")
                tried += 1
    assert tried
    assert snapshot() == before, "a refused request changed stored data"


# Lists and exports are filtered rather than refused: South's staff see South (OKAPI) only.
SOUTH_VIEWS = ("/coach", "/ramp", "/ramp/export/cohorts.csv", "/quizzes",
               "/quizzes/{quiz}/results", "/quizzes/{quiz}/results.csv",
               "/quizzes/{quiz}/analysis", "/ramp/cohorts/{south}?compare={north}",
               "/api/v1/users", "/api/v1/cohorts", "/api/v1/xapi/statements")


def test_lists_and_exports_show_nothing_of_another_cohort(world):
    ids = {"quiz": world.targets["quiz"], "south": world.cohorts["South"],
           "north": world.cohorts["North"]}
    shown = {}
    for name in ("lou", "max"):
        actor = world.actors[name]
        for path in (p.format(**ids) for p in SOUTH_VIEWS):
            if path.startswith("/api/"):
                response = world.app.test_client().get(
                    path, headers={"Authorization": f"Bearer {actor.bearer}"})
            else:
                response = actor.client.get(path)
            body = response.get_data(as_text=True)
            assert response.status_code == 200, f"{name} {path}"
            assert "ZEBRA" not in body and "NOTE-" not in body, f"{name} {path} shows North"
            shown[name, path] = "OKAPI" in body
    # the same views do list what the viewer may see
    assert [key for key, seen in shown.items() if not seen] == [
        (name, path.format(**ids)) for name in ("lou", "max")
        for path in ("/quizzes", "/quizzes/{quiz}/analysis")]


def test_reps_see_no_other_reps_work_or_notes(world):
    for name in ("ben", "cy"):  # the same cohort as Ana, another cohort
        client = world.actors[name].client
        for path in ("/week", "/tracks/test-track/quizzes/check"):
            response = client.get(path)
            assert response.status_code == 200, f"{name} {path}"
            body = response.get_data(as_text=True)
            assert not [s for s in SECRETS if s in body], f"{name} {path}"


def test_a_manager_cannot_pull_a_rep_out_of_another_territorys_cohort(world):
    mae, cy = world.actors["mae"], world.users["cy"]
    before = snapshot()
    response = mae.client.post(f"/cohorts/{world.cohorts['North']}/members",
                               data={"csrf_token": mae.csrf, "rep": cy.email})
    assert response.status_code == 400
    assert (f"No rep you manage has the email {cy.email}. A rep in another territory is "
            "placed by its manager or an admin.") in html.unescape(response.get_data(as_text=True))
    assert snapshot() == before


QUOTAS = b"rep_email,month,amount\nana.zebra@example.com,2026-01,1000\n"


def test_a_checked_upload_is_confirmed_only_by_who_checked_it(world):
    mae, max_ = world.actors["mae"], world.actors["max"]
    preview = mae.client.post("/ramp/import", data={
        "csrf_token": mae.csrf, "kind": "quotas", "file": (io.BytesIO(QUOTAS), "quotas.csv")})
    assert preview.status_code == 200
    token = re.search(r'name="token" type="hidden" value="([^"]+)"',
                      preview.get_data(as_text=True)).group(1)
    before = snapshot()
    refused = max_.client.post("/ramp/import/confirm",
                               data={"csrf_token": max_.csrf, "token": token})
    assert refused.status_code == 404
    assert snapshot() == before
    confirmed = mae.client.post("/ramp/import/confirm",
                                data={"csrf_token": mae.csrf, "token": token})
    assert confirmed.status_code == 302 and snapshot()["quota"][0] == before["quota"][0] + 1
