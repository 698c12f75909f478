"""No fact lost or counted twice when 8 clients write activities and quiz submissions at once
for the same reps (SQLite and PostgreSQL: tests/conftest.py picks the database).

Eight API clients, each with its own write token, POST batches of activity records for the
same three reps, all released together: records of their own, records every client sends
alike, and records the clients send with different figures (the last stored wins), each
batch in its own order. Meanwhile each rep takes the quiz twice in the browser. A 409
(another request stored the same record at the same moment: "send it again") is sent again,
as a client would; no other answer is allowed. Afterwards every record sent is stored once,
the ramp facts equal what a rebuild from the raw records makes, and the achievements equal a
recompute.
"""
import datetime as dt
import random
import re
import threading
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.analytics.queries import load_ramp, weekly_activity
from cev_learn.cohorts.models import Cohort
from cev_learn.cohorts.services import create_cohort, find_track, place_rep
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp import facts
from cev_learn.ramp.achievements import recompute_for
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import ApiClient, token_for
from tests.helpers import csrf_token, login, make_user, post_form
from tests.ramp import raw_ramp

pytestmark = pytest.mark.slow  # writes from many threads at once

CLIENTS = 8
BATCHES = 5          # per client
OWN = 6              # records of its own per batch
SHARED = 12          # records every client sends alike
CONTESTED = 6        # records every client sends with figures of its own
TRIES = 30
TYPES = ("call", "meeting", "deal_won", "email")
QUIZ_URL = "/tracks/ramp-facts/quizzes/check"


def today() -> dt.date:
    return dt.date.today()


@pytest.fixture
def org(app, tmp_path):
    """Three reps in one cohort (one with a start date of their own), eight uploaders."""
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["content", "sync", str(raw_ramp.write_track(tmp_path / "courses"))])
    assert result.exit_code == 0, result.output
    cohort = create_cohort(name="Concurrent", track=find_track("ramp-facts"),
                           start_on=today() - dt.timedelta(days=75), territory=None, coaches=[])
    reps = [make_user(Role.REP) for _ in range(3)]
    now = dt.datetime.now(dt.UTC)
    for rep, own_start in zip(reps, (None, today() - dt.timedelta(days=40), None)):
        place_rep(rep, cohort, start_on=own_start, end_on=None, now=now)
    db.session.commit()
    uploaders = [make_user(Role.ADMIN) for _ in range(CLIENTS)]
    return {"cohort": cohort, "reps": reps,
            "apis": [ApiClient(app.test_client(), token_for(u, Scope.WRITE)) for u in uploaders]}


def record(rng: random.Random, external_id: str, rep) -> dict:
    """A record on a day from before the start to after today, often the same day as others."""
    kind = rng.choice(TYPES)
    on = today() + dt.timedelta(days=rng.choice(range(-90, 4, 3)))
    return {"external_id": external_id, "rep_email": rep.email, "occurred_on": on.isoformat(),
            "type": kind, "quantity": rng.randint(0, 5),
            "amount": float(rng.randint(0, 4000)) if kind == "deal_won" else 0.0}


def stored_form(sent: dict) -> tuple:
    return (sent["rep_email"], dt.date.fromisoformat(sent["occurred_on"]), sent["type"],
            sent["quantity"], sent["amount"])


def send(api: ApiClient, batch: list[dict], answers: Counter) -> None:
    """POST one batch until it is stored, as a client would: again after a 409."""
    for _ in range(TRIES):
        response = api.post("/api/v1/activities", json={"records": batch})
        answers[response.status_code] += 1
        if response.status_code == 200:
            return
        assert response.status_code == 409, (response.status_code,
                                             response.get_data(as_text=True))
    raise AssertionError(f"a batch was still refused after {TRIES} tries")


def take_quiz(client, right: bool, answers: Counter) -> None:
    """Start an attempt, answer both questions (right or wrong), submit."""
    response = post_form(client, QUIZ_URL + "/start", token_from=QUIZ_URL)
    answers[response.status_code] += 1
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True))
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    form = {}
    for block in re.findall(r'<fieldset class="question".*?</fieldset>', page, re.S):
        name = re.search(r'name="(q-[0-9a-f]{16})"', block).group(1)
        truth = "true" if "Discovery comes" in block else "false"
        form[name] = truth if right else {"true": "false", "false": "true"}[truth]
    assert len(form) == 2, page
    form["csrf_token"] = csrf_token(client, f"/attempts/{attempt_id}")
    form["confirm"] = "yes"  # the summary page's confirmation
    response = client.post(f"/attempts/{attempt_id}/submit", data=form)
    answers[response.status_code] += 1
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True))


def test_no_fact_is_lost_or_counted_twice_under_concurrent_writes(app, org):
    reps, apis = org["reps"], org["apis"]
    rng = random.Random(20260105)
    shared = [record(rng, f"shared-{i}", reps[i % len(reps)]) for i in range(SHARED)]
    contested_ids = [f"contested-{i}" for i in range(CONTESTED)]
    plans = []  # per client: its batches
    for client in range(CLIENTS):
        own = random.Random(client)
        batches = []
        for b in range(BATCHES):
            batch = [record(own, f"c{client}-b{b}-{i}", reps[(client + i) % len(reps)])
                     for i in range(OWN)]
            batch += own.sample(shared, 3)  # the same records, in another order
            batch += [record(own, ext, reps[own.randrange(len(reps))])
                      for ext in own.sample(contested_ids, 2)]
            own.shuffle(batch)
            batches.append(batch)
        plans.append(batches)
    browsers = []
    for rep in reps:
        browser = app.test_client()
        assert login(browser, rep.email).status_code == 302
        browsers.append(browser)

    start = threading.Barrier(CLIENTS + len(browsers))
    answers: Counter = Counter()
    failures: list[str] = []

    def upload(client: int):
        try:
            start.wait()
            for batch in plans[client]:
                send(apis[client], batch, answers)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(f"client {client}: {exc!r}")

    def quiz(browser):
        try:
            start.wait()
            take_quiz(browser, right=False, answers=answers)
            take_quiz(browser, right=True, answers=answers)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(f"quiz: {exc!r}")

    threads = [threading.Thread(target=upload, args=(c,)) for c in range(CLIENTS)]
    threads += [threading.Thread(target=quiz, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a client never finished"
    assert failures == [], failures

    db.session.rollback()
    raw = raw_ramp.read_raw()
    emails = {rep.id: rep.email for rep in reps}

    # Every record sent is stored exactly once: those sent alike as sent, a contested one
    # as one of the clients sent it.
    sent = defaultdict(set)
    for batches in plans:
        for batch in batches:
            for item in batch:
                sent[item["external_id"]].add(stored_form(item))
    assert db.session.scalar(select(func.count()).select_from(ActivityRecord)) == len(sent)
    stored = {r.external_id: (emails[raw.owner[r.external_id]], r.occurred_on, r.type,
                              r.quantity, r.amount) for r in raw.records}
    assert set(stored) == set(sent)
    for external_id, versions in sent.items():
        assert stored[external_id] in versions, external_id
    for item in shared:
        assert stored[item["external_id"]] == stored_form(item)

    # Each rep's two quiz attempts were graded once each.
    attempts = [(user_id, state.value, score) for user_id, state, score in db.session.execute(
        select(Attempt.user_id, Attempt.state, Attempt.score))]
    assert sorted(attempts) == sorted(
        (rep.id, AttemptState.GRADED.value, score) for rep in reps for score in (0.0, 1.0))

    # The facts hold the sums of the raw records, and a rebuild changes none of them.
    week_facts, month_facts = raw_ramp.stored_week_facts(), raw_ramp.stored_month_facts()
    assert raw_ramp.same_facts(week_facts, raw_ramp.expected_week_facts(raw))
    assert raw_ramp.same_facts(month_facts, raw_ramp.expected_month_facts(raw))
    assert recompute_for([rep.id for rep in reps], today()) == 0
    assert raw_ramp.stored_achievements(raw.members) == raw_ramp.achievements(raw, today())
    cohort = db.session.get(Cohort, org["cohort"].id)
    for as_of in (today(), today() - dt.timedelta(days=17)):
        assert raw_ramp.without_zeros(weekly_activity([cohort.id], as_of)) == \
            raw_ramp.weekly(raw, list(raw.members), as_of)
        assert {k: v for k, v in load_ramp([cohort], as_of).bookings.items() if v} == \
            raw_ramp.bookings(raw, list(raw.members), as_of)
    assert facts.rebuild(today()) == (len(reps), 0)
    db.session.commit()
    assert raw_ramp.same_facts(week_facts, raw_ramp.stored_week_facts())
    assert raw_ramp.same_facts(month_facts, raw_ramp.stored_month_facts())
    # Retries are allowed, and no other answer came back.
    assert set(answers) <= {200, 302, 409}, answers


def test_two_batches_for_the_same_rep_sent_at_once_are_both_stored(app, org, monkeypatch,
                                                                   database_url):
    """Each batch inserts its records (on PostgreSQL the foreign key to the rep takes a
    KEY SHARE lock on the rep's row) before `refresh_reps` locks the rep's row: both batches
    reach that point before either locks, as they may under load. One must wait for the
    other, not fail."""
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite runs one writer at a time: the second batch waits at BEGIN")
    both_written = threading.Barrier(2)
    refresh = facts.refresh_reps

    def refresh_once_both_are_written(rep_ids, today, records, **options):
        try:
            both_written.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass  # the other batch waits for this one before writing: no need to meet
        return refresh(rep_ids, today, records, **options)

    monkeypatch.setattr(facts, "refresh_reps", refresh_once_both_are_written)
    rep = org["reps"][0]
    rng = random.Random(7)
    batches = [[record(rng, f"at-once-{n}", rep)] for n in range(2)]
    statuses = {}

    def post(n: int):
        statuses[n] = org["apis"][n].post("/api/v1/activities", json={"records": batches[n]})

    threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {n: r.status_code for n, r in statuses.items()} == {0: 200, 1: 200}, \
        [r.get_data(as_text=True) for r in statuses.values()]
    db.session.rollback()
    raw = raw_ramp.read_raw()
    assert sorted(r.external_id for r in raw.records) == ["at-once-0", "at-once-1"]
    assert raw_ramp.stored_week_facts() == raw_ramp.expected_week_facts(raw)
    assert raw_ramp.stored_month_facts() == raw_ramp.expected_month_facts(raw)
