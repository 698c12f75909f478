"""Delivery against a real receiver on localhost: signed messages that the Standard Webhooks
library verifies, retries with backoff, every event once and in order per rep, disabling and
the admins' email, "Send again", and what is refused at delivery time."""
import datetime as dt
import json
import threading
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook

from bench.receiver import Receiver
from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.platform.rate_limits import RateLimitWindow
from cev_learn.webhooks import endpoints
from cev_learn.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from cev_learn.webhooks.sending import Sender
from cev_learn.webhooks.worker import Worker
from tests.helpers import make_user, reload
from tests.webhooks.helpers import (allow_private_addresses, emit_events, register,
                                    run_worker)


def reps(count: int) -> list[int]:
    return [make_user(Role.REP).id for _ in range(count)]


def deliveries() -> list[WebhookDelivery]:
    db.session.rollback()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.event_id)))


def in_order_per_rep(received, events_of: dict[str, int]) -> dict[int, list[str]]:
    """Each rep's message ids in the order they were first accepted."""
    seen, order = set(), defaultdict(list)
    for request in received:
        if request.message_id not in seen:
            seen.add(request.message_id)
            order[events_of[request.message_id]].append(request.message_id)
    return order


def rep_of_each(ids: list[str]) -> dict[str, int]:
    return dict(db.session.execute(select(OutboxEvent.public_id, OutboxEvent.rep_id).where(
        OutboxEvent.public_id.in_(ids))).all())


def test_messages_are_signed_as_standard_webhooks_say_and_verify_with_the_library(app):
    rep = make_user(Role.REP, name="Nia Berg", email="nia@example.com")
    with Receiver() as receiver:
        endpoint = register(receiver.url)
        [sent] = emit_events([rep.id], 1)
        run_worker(app)
    [request] = receiver.requests
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert request.message_id == sent
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert abs(int(request.headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
    assert payload["type"] == "module.completed"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {"n": 0, "rep": {
        "id": rep.id, "email": "nia@example.com", "name": "Nia Berg", "territory": None,
        "cohort": None, "start_on": rep.created_at.date().isoformat()}}
    with pytest.raises(Exception, match="No matching signature"):  # another secret: refused
        Webhook(endpoints.generate_secret()).verify(request.body, request.headers)
    tampered = request.body.replace(b"Nia", b"Ian")
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(endpoint.secret).verify(tampered, request.headers)


def test_a_pasted_secret_signs_and_a_replaced_one_still_signs_for_a_day(app):
    pasted = endpoints.generate_secret()
    rep = reps(1)
    with Receiver() as receiver:
        endpoint = register(receiver.url, secret=pasted)
        assert endpoint.secret == pasted
        emit_events(rep, 1)
        run_worker(app)
        new = endpoints.replace_secret(reload(endpoint), utcnow())
        db.session.commit()
        emit_events(rep, 1)
        run_worker(app)
    first, second = receiver.requests
    Webhook(pasted).verify(first.body, first.headers)
    assert len(first.headers["webhook-signature"].split()) == 1
    for secret in (pasted, new):  # both verify during the overlap
        Webhook(secret).verify(second.body, second.headers)


def test_an_endpoint_failing_five_times_then_recovering_gets_every_event_once_in_order(app):
    """Five 503s, then it works: every event arrives exactly once (by webhook-id) and each
    rep's events arrive in the order they happened, failures included."""
    rep_ids = reps(3)
    with Receiver(fail_first=5) as receiver:
        register(receiver.url)
        sent = emit_events(rep_ids, 12)
        counts = run_worker(app)
    accepted = Counter(r.message_id for r in receiver.accepted)
    assert sorted(accepted) == sorted(sent) and set(accepted.values()) == {1}
    assert sum(r.status == 503 for r in receiver.requests) == 5
    events_of = rep_of_each(sent)
    for rep_id, order in in_order_per_rep(receiver.accepted, events_of).items():
        assert order == [i for i in sent if events_of[i] == rep_id]
    # ... and in the order of the attempts too: no rep's later event before an earlier one
    for rep_id, order in in_order_per_rep(receiver.requests, events_of).items():
        assert order == [i for i in sent if events_of[i] == rep_id]
    assert counts["delivered"] == 36 and counts["failed, will retry"] == 5
    log = deliveries()
    assert {d.status for d in log} == {DeliveryStatus.DELIVERED}
    assert sorted(d.attempts for d in log)[-5:] != [1] * 5  # the failed ones took retries
    assert sum(d.attempts for d in log) == 36 + 5


def test_failures_back_off_for_about_a_day_then_the_endpoint_is_disabled_and_admins_told(
        make_app, mail_server):
    mailbox, port = mail_server()
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://learn.example")
    admin = make_user(Role.ADMIN, email="ada@example.com")
    make_user(Role.ADMIN, email="gone@example.com", active=False)
    clock = {"now": utcnow()}
    with Receiver(fail_first=100, fail_status=500) as receiver:
        endpoint = register(receiver.url)
        rep_id = reps(1)
        emit_events(rep_id, 2)
        waits = []
        for _ in range(8):
            run_worker(app, schedule=Worker(app).schedule, clock=lambda: clock["now"])
            first = deliveries()[0]
            if first.status is DeliveryStatus.PENDING:
                waits.append((first.next_attempt_at - clock["now"]).total_seconds())
                clock["now"] = first.next_attempt_at
    assert waits == [5, 300, 1800, 7200, 18000, 36000, 36000]  # about 27.6 hours in all
    first, second = deliveries()
    assert (first.status, first.attempts, first.last_status_code, first.last_error) == (
        DeliveryStatus.FAILED, 8, 500, "HTTP 500")
    assert (second.status, second.attempts) == (DeliveryStatus.PENDING, 0)  # kept, in order
    assert len(receiver.requests) == 8  # the second event never overtook the first
    endpoint = reload(endpoint)
    assert not endpoint.enabled
    assert "failed 8 times over 27.6 hours (last: HTTP 500)" in endpoint.disabled_reason
    active_admins = sorted(db.session.scalars(select(User.email).where(
        User.role == Role.ADMIN, User.active.is_(True))))
    assert "ada@example.com" in active_admins and mailbox.recipients == active_admins
    message = mailbox.to(admin.email)
    assert message["Subject"] == "cev_learn: a webhook endpoint was disabled"
    text = message.get_body(("plain",)).get_content()
    assert receiver.url in text and f"https://learn.example/admin/webhooks/{endpoint.id}" in text
    # enabled again, what waited goes out, in order; the failed one only when sent again
    with Receiver() as working:
        endpoint.url = working.url
        endpoints.enable(endpoint, utcnow())
        db.session.commit()
        run_worker(app)
        endpoints.send_again(deliveries()[0], utcnow())
        db.session.commit()
        run_worker(app)
    assert [r.message_id for r in working.requests] == [second.event.public_id,
                                                         first.event.public_id]


def test_send_again_sends_the_same_message_with_the_same_id(app):
    with Receiver() as receiver:
        register(receiver.url)
        emit_events(reps(1), 1)
        run_worker(app)
        [delivery] = deliveries()
        endpoints.send_again(delivery, utcnow())
        db.session.commit()
        assert deliveries()[0].status is DeliveryStatus.PENDING
        run_worker(app)
    first, again = receiver.requests
    assert first.message_id == again.message_id and first.body == again.body
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert delivery.requeued_at is not None


def test_events_go_only_to_endpoints_that_want_them_and_existed_when_they_happened(app):
    rep_ids = reps(1)
    with Receiver() as everything, Receiver() as quizzes, Receiver() as later, \
            Receiver() as paused:
        register(everything.url)
        register(quizzes.url, event_types=["quiz.passed", "quiz.failed"])
        stopped = register(paused.url)
        endpoints.disable(stopped, utcnow(), "paused")
        db.session.commit()
        emit_events(rep_ids, 1, "module.completed")
        emit_events(rep_ids, 1, "quiz.failed")
        register(later.url)
        run_worker(app)
    assert [r.payload["type"] for r in everything.requests] == ["module.completed",
                                                                "quiz.failed"]
    assert [r.payload["type"] for r in quizzes.requests] == ["quiz.failed"]
    assert later.requests == [] and paused.requests == []


def test_a_redirect_is_a_failure_and_is_not_followed(app):
    with Receiver(answer=lambda n: 302, headers={"Location": "http://127.0.0.1:1/inside"}) as r:
        register(r.url)
        emit_events(reps(1), 1)
        run_worker(app, schedule=[3600])
    [delivery] = deliveries()
    assert delivery.last_status_code == 302
    assert delivery.last_error == ("HTTP 302: redirects are not followed "
                                   "(to http://127.0.0.1:1/inside)")
    assert len(r.requests) == 1


def test_a_slow_endpoint_times_out_and_a_long_answer_is_cut_in_the_log(app):
    with Receiver(delay=1.5) as slow, Receiver(
            answer=lambda n: 200, response_body=b"x" * 5000) as chatty:
        register(slow.url)
        register(chatty.url)
        emit_events(reps(1), 1)
        run_worker(app, schedule=[3600], sender=Sender(timeout=0.5))
    by_url = {d.endpoint.url: d for d in deliveries()}
    timed_out = by_url[slow.url]
    assert timed_out.status is DeliveryStatus.PENDING
    assert timed_out.last_error == f"No answer from 127.0.0.1:{slow.port} within 0.5 s"
    answered = by_url[chatty.url]
    assert answered.status is DeliveryStatus.DELIVERED and answered.last_response == "x" * 1000


def test_private_addresses_are_refused_at_delivery_once_the_setting_is_off(app):
    """Registered while allowed; turned off later: nothing reaches the receiver."""
    with Receiver() as receiver:
        register(receiver.url)
        emit_events(reps(1), 1)
        allow_private_addresses(False)
        run_worker(app, schedule=[3600])
    assert receiver.requests == []
    [delivery] = deliveries()
    assert delivery.last_error.startswith("Refused: 127.0.0.1 is a loopback address")


def test_an_unreachable_host_at_delivery_is_retried_with_the_reason(app):
    with Receiver() as receiver:
        register(receiver.url)
    # the receiver has stopped: nothing listens there now
    emit_events(reps(1), 1)
    run_worker(app, schedule=[3600])
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error == f"Cannot connect to 127.0.0.1:{receiver.port}: connection refused"


def test_two_workers_at_once_send_every_event_once_and_each_reps_in_order(make_app):
    """Claims are serialised (PostgreSQL: an advisory lock; SQLite: one writer), leases keep
    a delivery with one worker, and a rep's next event waits while the earlier one is in
    flight elsewhere."""
    rep_ids = reps(6)
    apps = [make_app(), make_app()]
    with Receiver(delay=0.002) as receiver:
        register(receiver.url)
        sent = emit_events(rep_ids, 25)
        counts = []
        workers = [threading.Thread(target=lambda a=a: counts.append(run_worker(
            a, concurrency=4))) for a in apps]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
    seen = Counter(r.message_id for r in receiver.requests)
    assert sorted(seen) == sorted(sent) and set(seen.values()) == {1}
    assert sum(c["delivered"] for c in counts) == len(sent)
    events_of = rep_of_each(sent)
    for rep_id, order in in_order_per_rep(receiver.requests, events_of).items():
        assert order == [i for i in sent if events_of[i] == rep_id]


def test_delivered_and_failed_deliveries_are_forgotten_after_the_keep_days(app):
    with Receiver() as receiver:
        register(receiver.url)
        emit_events(reps(1), 3)
        run_worker(app)
    endpoints.send_again(deliveries()[2], utcnow())  # waiting: kept whatever its age
    db.session.commit()
    with app.app_context():
        Worker(app, clock=lambda: utcnow() + dt.timedelta(days=31)).purge()
    assert [d.status for d in deliveries()] == [DeliveryStatus.PENDING]
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1


def test_the_purge_forgets_rate_limit_windows_that_have_ended(app):
    now = utcnow()
    db.session.add_all([RateLimitWindow(key="ended", hits=3, ends_at=now),
                        RateLimitWindow(key="running", hits=1,
                                        ends_at=now + dt.timedelta(minutes=5))])
    db.session.commit()
    with app.app_context():
        Worker(app, clock=lambda: now + dt.timedelta(seconds=1)).purge()
    assert db.session.scalars(select(RateLimitWindow.key)).all() == ["running"]


def test_message_bodies_are_the_same_bytes_on_every_attempt(app):
    with Receiver(fail_first=2) as receiver:
        register(receiver.url)
        emit_events(reps(1), 1)
        run_worker(app)
    bodies = {r.body for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1
    assert json.loads(bodies.pop())["data"]["n"] == 0


def test_a_failing_standing_check_does_not_stop_deliveries(app, monkeypatch, caplog):
    from cev_learn.webhooks import worker as worker_module

    def broken(today, now):
        raise RuntimeError("a rep nobody expected")

    monkeypatch.setattr(worker_module, "check_standings", broken)
    with Receiver() as receiver:
        register(receiver.url)
        emit_events(reps(1), 2)
        counts = run_worker(app)
    assert counts["delivered"] == 2 and len(receiver.accepted) == 2
    assert "check_standings failed" in caplog.text
