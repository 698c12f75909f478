"""Every route declares who may use it, and that rule holds for every role.

The routes come from app.url_map, so a new route without an access rule, or with a rule
that is not enforced, fails here without anyone writing a test for it.
"""
import datetime as dt
import secrets
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from cev_learn import create_app
from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.decorators import PUBLIC
from cev_learn.accounts.models import Role, User
from cev_learn.certifications.models import Certificate
from cev_learn.cohorts.models import Membership
from cev_learn.content.models import Certification, Module, Quiz, QuizVersion, Track
from cev_learn.notifications.models import Notification
from cev_learn.quizzes.models import Booster, BoosterAnswer
from cev_learn.ramp.models import ImportMapping
from cev_learn.platform.db import db, utcnow
from tests.api.helpers import token_for
from tests.helpers import csrf_token, login, make_user
from tests.factories import make_cohort
from tests.practice.recordings import make_submission
from tests.webhooks.helpers import stored_delivery

_APP = create_app({"SECRET_KEY": "routes", "DATABASE_URL": "sqlite://", "REQUEST_LOG": False})
ROUTES = sorted(
    (rule.endpoint, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in _APP.url_map.iter_rules() if rule.endpoint != "static"
)
ACTORS = [None, *Role]


def access_rule(endpoint):
    return getattr(_APP.view_functions[endpoint], "access_rule", None)


@pytest.mark.parametrize("endpoint", sorted({r[0] for r in ROUTES}))
def test_every_route_declares_an_access_rule(endpoint):
    rule = access_rule(endpoint)
    assert rule == PUBLIC or (isinstance(rule, frozenset) and rule <= set(Role)), (
        f"{endpoint} has no access rule: decorate it with @public or @role_required(...)")


# Report tables differ per page; each CSV route gets one of its own.
SAMPLE_TABLES = {"analytics.dashboard_csv": "cohorts", "analytics.cohort_csv": "km",
                 "analytics.rep_csv": "weekly", "analytics.forecasts_csv": "by-day"}


def sample_args(rule_args, target, attempt=None, cohort=None, endpoint=None, webhook=None,
                actor=None, submission=None):
    values = {"name": SAMPLE_TABLES.get(endpoint), "user_id": target.id,
              "path": "Users" if endpoint.startswith("scim.") else "chart.png",
              "track_slug": "test-track", "module_slug": "intro", "quiz_slug": "check", "rubric_slug": "pitch",
              "milestone_slug": "first-meeting", "token_id": 1, "secret": "no-such-link",
              "code": "no-such-code", "exercise_slug": "cold-pitch"}
    if "certificate_id" in rule_args:  # a rep's own; staff look at the target's
        values["certificate_id"] = _sample_certificate(
            actor if actor is not None and db.session.get(User, actor).role is Role.REP
            else target.id).id
    if "mapping_id" in rule_args:
        values["mapping_id"] = _sample_mapping(actor).id
    if "notification_id" in rule_args:  # one's own (others' are tests/notifications')
        values["notification_id"] = _sample_notification(actor or target.id).id
    if "booster_id" in rule_args:  # one's own, answered once (others' are tests/quizzes')
        values.update(booster_id=_sample_booster(actor or target.id).id, seq=0)
    if cohort is not None:
        values.update(cohort_id=cohort.id, membership_id=db.session.scalar(
            select(Membership.id).where(Membership.user_id == target.id)))
    if attempt is not None:
        values.update(attempt_id=attempt.id, quiz_id=attempt.quiz_id,
                      key=attempt.layout[-1]["key"])
    if webhook is not None:
        values.update(endpoint_id=webhook.endpoint_id, delivery_id=webhook.id)
    if submission is not None:
        values["submission_id"] = submission.id
    missing = set(rule_args) - set(values)
    assert not missing, f"add sample values for {missing} to the access matrix test"
    return {name: values[name] for name in rule_args}


def _sample_notification(recipient_id: int) -> Notification:
    notification = Notification(recipient_id=recipient_id, kind="note", text="A note",
                                link="/week", created_at=utcnow())
    db.session.add(notification)
    db.session.commit()
    return notification


def _sample_certificate(holder_id: int) -> Certificate:
    track = db.session.scalar(select(Track).where(Track.slug == "test-track"))
    certification = db.session.scalar(select(Certification)) or Certification(
        track_id=track.id, slug="sample", title="Sample", requires=[["quiz", "check"]],
        valid_for_days=30, remind_days_before=5)
    certificate = Certificate(user_id=holder_id, certification=certification,
                              earned_on=dt.date.today(), expires_on=dt.date.today(),
                              code=secrets.token_urlsafe(32))
    db.session.add(certificate)
    db.session.commit()
    return certificate


def _sample_booster(rep_id: int) -> Booster:
    """A booster of the rep for the first question of the quiz `check`, answered once."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "check"))
    version = db.session.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id))
    module = db.session.scalar(select(Module).where(Module.slug == "intro"))
    booster = Booster(user_id=rep_id, module_id=module.id, quiz_id=quiz.id,
                      question_key=version.questions[0]["key"], box=2, due_on=dt.date.today(),
                      answer_count=1, created_at=utcnow())
    db.session.add(booster)
    db.session.flush()
    db.session.add(BoosterAnswer(booster_id=booster.id, seq=0, user_id=rep_id, box=1,
                                 answered_at=utcnow(), response={"choice": 0}, fraction=1.0,
                                 correct=True))
    db.session.commit()
    return booster


def _sample_mapping(actor) -> ImportMapping:
    """A saved mapping the actor made (who may change whose mappings: test_object_access)."""
    mapping = ImportMapping(name="Sample", kind="activities", created_by_id=actor, definition={
        "source": "sample", "columns": {"rep": "Owner", "occurred_on": "Day", "type": "Kind"}})
    db.session.add(mapping)
    db.session.commit()
    return mapping


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.value if a else "anonymous")
@pytest.mark.parametrize("endpoint,path,methods", ROUTES, ids=[r[0] for r in ROUTES])
def test_role_matrix(app, synced_track, make_attempt, endpoint, path, methods, actor):
    target = make_user(Role.REP)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    user = make_user(actor) if actor is not None else None
    # The target rep is in a cohort the acting coach coaches (object rules are tested apart).
    # A rep practises the exercises of their own cohort's track.
    practising = [user] if actor is Role.REP and endpoint.startswith("practice.") else []
    cohort = make_cohort(reps=[target, *practising],
                         coaches=[user] if actor is Role.COACH else [])
    attempt = None
    if rule.arguments & {"attempt_id", "quiz_id"}:
        # Reps work on their own attempts; staff look at submitted ones.
        owner = user if actor is Role.REP else target
        attempt = make_attempt(owner, submitted=actor is not Role.REP)
    webhook = stored_delivery(target.id) if rule.arguments & {"endpoint_id"} else None
    # Reps see their own recordings, and review their cohort mates' as peers; staff see
    # their reps'.
    peer = endpoint == "practice.peer_review"
    submission = make_submission(user if actor is Role.REP and not peer else target, app=app,
                                 slug="peer-pitch" if peer else "cold-pitch") \
        if "submission_id" in rule.arguments else None
    url = app.url_map.bind("localhost").build(endpoint, sample_args(
        rule.arguments, target, attempt, cohort, endpoint, webhook, user.id if user else None,
        submission))
    client = app.test_client()
    api = endpoint.startswith(("api.", "scim."))
    headers = {}
    if actor is not None and api:  # the API takes bearer tokens (read+write: roles decide)
        scope = Scope.SCIM if endpoint.startswith("scim.") else Scope.WRITE
        headers["Authorization"] = f"Bearer {token_for(user, scope)}"
    elif actor is not None:
        assert login(client, user.email).status_code == 302
    method = "GET" if "GET" in methods else methods[0]
    data = {"csrf_token": csrf_token(client, "/")} if method != "GET" and not api else None
    response = client.open(url, method=method, data=data, headers=headers)
    response.close()  # files are streamed
    allowed = access_rule(endpoint)
    location = urlsplit(response.headers.get("Location", ""))
    sent_to_sign_in = location.path == "/login" and "next=" in location.query
    if allowed == PUBLIC:
        assert response.status_code != 403
    elif api and actor is None:
        assert response.status_code == 401, f"anonymous {method} {url} should get 401"
    elif actor is None:
        assert response.status_code == 302 and sent_to_sign_in, (
            f"anonymous {method} {url} should be sent to sign in")
    elif actor in allowed:
        assert response.status_code != 403 and not sent_to_sign_in, (
            f"{actor.value} may use {endpoint} but got {response.status_code}")
        if method == "GET":
            assert response.status_code < 400, f"{url} gave {response.status_code}"
    else:
        assert response.status_code == 403, (
            f"{actor.value} must not use {endpoint}, got {response.status_code}")
