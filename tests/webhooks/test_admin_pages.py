"""Admin → Webhooks: registering endpoints (bad input named, nothing stored, never a 500), the
secret shown once, the private-address setting, changing, disabling, removing, and the delivery
log with "Send again"; every page within the statement budget."""
import html
import json
import logging
import re

import pytest
from sqlalchemy import func, select

from bench.receiver import Receiver
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.platform.outbox import EVENT_TYPES
from cev_learn.webhooks.models import (DeliveryStatus, WebhookDelivery, WebhookEndpoint,
                                       WebhookSettings)
from tests.helpers import csrf_token, login, make_user
from tests.webhooks.helpers import allow_private_addresses, emit_events, register, run_worker

INDEX = "/admin/webhooks"


def stored_endpoints() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(WebhookEndpoint))


def submit(client, path: str, data: dict, token_from: str = INDEX):
    form = {"csrf_token": csrf_token(client, token_from), **data}
    return client.post(path, data=form)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def admin(signed_in):
    return signed_in(Role.ADMIN)


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(admin):
    allow_private_addresses()
    with Receiver() as receiver:
        page = submit(admin, INDEX, {"url": receiver.url, "description": "CRM",
                                     "event_types": ["module.completed", "quiz.passed"]})
    assert page.status_code == 200
    body = text_of(page)
    secret = re.search(r'id="endpoint-secret">(whsec_[A-Za-z0-9+/=]+)<', body).group(1)
    assert "it is not shown again" in body and f"Endpoint {receiver.url} registered" in body
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert (endpoint.url, endpoint.description, endpoint.event_types, endpoint.enabled) == (
        receiver.url, "CRM", ["module.completed", "quiz.passed"], True)
    assert endpoint.secret == secret and endpoint.created_by_id == admin.user.id
    again = admin.get(f"{INDEX}/{endpoint.id}").get_data(as_text=True)
    assert secret not in again and secret[:10] in again  # only its start, to recognise it
    listing = admin.get(INDEX).get_data(as_text=True)
    assert receiver.url in listing and f"2 of {len(EVENT_TYPES)}" in listing


BAD_INPUT = [
    ({"url": "crm.example.com/hooks"}, "must start with https:// or http:// (it has no scheme)"),
    ({"url": "ftp://crm.example.com/hooks"}, "must start with https:// or http://"),
    ({"url": "https://user:secret@crm.example.com/"}, "must not hold a user name or password"),
    ({"url": "https://crm.example.com:70000/"}, "cannot be read"),
    ({"url": "http://127.0.0.1:8080/hooks"}, "127.0.0.1 is a loopback address"),
    ({"url": "http://[::1]/hooks"}, "::1 is a loopback address"),
    ({"url": "http://169.254.169.254/latest/meta-data"}, "is a link-local address"),
    ({"url": "http://10.0.0.8/hooks"}, "10.0.0.8 is a private address"),
    ({"url": "http://[::ffff:192.168.1.1]/"}, "is a private address"),
    ({"url": "https://localhost/hooks"}, "localhost resolves to 127.0.0.1, which is a loopback"),
    ({"url": "https://crm.nowhere.invalid/hooks"}, "Cannot find the host crm.nowhere.invalid"),
    ({"url": "https://" + "a" * 2001 + ".example/"}, "Field cannot be longer than 2000"),
    ({"url": ""}, "Enter the URL that receives the events."),
    ({"event_types": []}, "Choose at least one event to send."),
    ({"event_types": ["module.completed", "user.deleted"]}, "Unknown event type: user.deleted."),
    ({"secret": "not-a-secret"}, "A secret is whsec_ followed by base64"),
    ({"secret": "whsec_c2hvcnQ="}, "The secret holds 5 bytes; it needs 24 to 64."),
    ({"description": "d" * 201}, "Field cannot be longer than 200 characters."),
]


@pytest.mark.parametrize("change,message", BAD_INPUT,
                         ids=[message[:40] for _, message in BAD_INPUT])
def test_bad_endpoint_input_is_named_and_stores_nothing(admin, change, message):
    form = {"url": "https://crm.example.com/hooks", "event_types": ["module.completed"],
            **change}
    response = submit(admin, INDEX, form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert stored_endpoints() == 0


def test_an_unreachable_host_is_named_when_private_addresses_are_allowed(admin):
    allow_private_addresses()
    with Receiver() as receiver:
        port = receiver.port  # then nothing listens there
    response = submit(admin, INDEX, {"url": f"http://127.0.0.1:{port}/hooks",
                                     "event_types": ["module.completed"]})
    assert response.status_code == 400
    assert (f"Nothing answers at 127.0.0.1:{port} (127.0.0.1: Connection refused). Check the "
            "host and port.") in text_of(response)
    assert stored_endpoints() == 0


def test_hostile_input_never_gives_a_500(admin):
    for url in ("http://[::1", "http://%00/", "https://\u202e.example/", "http://0x7f.1/",
                "http://2130706433/", "http://[fe80::1%25eth0]/", "https://exa mple.com/",
                "https://" + "é" * 300 + ".example/", "http://:80/", "http://a..b/"):
        response = submit(admin, INDEX, {"url": url, "event_types": ["module.completed"]})
        assert response.status_code == 400, url
    assert stored_endpoints() == 0


def test_the_private_address_setting_is_off_by_default_and_shown(admin):
    page = admin.get(INDEX).get_data(as_text=True)
    assert "Private and loopback addresses are <strong>refused</strong>" in page
    submit(admin, f"{INDEX}/settings", {"allow_private": "y"})
    assert db.session.get(WebhookSettings, 1).allow_private_addresses is True
    assert "are <strong>allowed</strong>" in admin.get(INDEX).get_data(as_text=True)
    submit(admin, f"{INDEX}/settings", {})
    db.session.rollback()
    assert db.session.get(WebhookSettings, 1).allow_private_addresses is False


def test_the_log_shows_each_delivery_and_send_again_queues_one(app, admin):
    reps = [make_user(Role.REP, name="Ana Berg").id, make_user(Role.REP).id]
    with Receiver(fail_first=1) as receiver:
        endpoint = register(receiver.url)
        emit_events(reps, 1)
        run_worker(app, schedule=[3600])
        page = admin.get(f"{INDEX}/{endpoint.id}")
        body = text_of(page)
        assert page.status_code == 200
        assert body.count("Send again</button>") == 2 and "Ana Berg" in body
        assert "HTTP 503" in body and "Delivered" in body and "Pending" in body
        assert "\"type\": \"module.completed\"" in body  # the message, in its details
        delivered = db.session.scalar(select(WebhookDelivery).where(
            WebhookDelivery.status == DeliveryStatus.DELIVERED))
        url = f"{INDEX}/{endpoint.id}/deliveries/{delivered.id}/send-again"
        response = submit(admin, url, {}, token_from=f"{INDEX}/{endpoint.id}")
        assert response.status_code == 302
        assert "queued again: the worker sends it within seconds" in text_of(
            admin.get(response.headers["Location"]))
        db.session.rollback()
        assert db.session.get(WebhookDelivery, delivered.id).status is DeliveryStatus.PENDING
        filtered = admin.get(f"{INDEX}/{endpoint.id}?status=pending").get_data(as_text=True)
        assert filtered.count("Send again</button>") == 2
        other = register(receiver.url)  # a delivery is sent again only from its own endpoint
        assert submit(admin, f"{INDEX}/{other.id}/deliveries/{delivered.id}/send-again", {},
                      token_from=INDEX).status_code == 404


def test_an_endpoint_is_changed_disabled_enabled_and_removed(app, admin):
    with Receiver() as receiver, Receiver() as moved:
        endpoint = register(receiver.url)
        emit_events([make_user(Role.REP).id], 1)
        run_worker(app)
        page = f"{INDEX}/{endpoint.id}"
        allow_private_addresses(False)
        bad = submit(admin, page, {"url": "http://10.1.1.1/", "event_types": ["quiz.passed"]},
                     token_from=page)
        assert bad.status_code == 400 and "10.1.1.1 is a private address" in text_of(bad)
        allow_private_addresses(True)
        changed = submit(admin, page, {"url": moved.url, "description": "Moved",
                                       "event_types": ["quiz.passed"]}, token_from=page)
        assert changed.status_code == 302
        db.session.rollback()
        endpoint = db.session.get(WebhookEndpoint, endpoint.id)
        assert (endpoint.url, endpoint.event_types) == (moved.url, ["quiz.passed"])
        submit(admin, page + "/disable", {}, token_from=page)
        shown = text_of(admin.get(page))
        assert "Disabled" in shown and f"Disabled by {admin.user.email}." in shown
        submit(admin, page + "/enable", {}, token_from=page)
        db.session.rollback()
        assert db.session.get(WebhookEndpoint, endpoint.id).enabled
        unconfirmed = submit(admin, page + "/remove", {}, token_from=page)
        assert unconfirmed.status_code == 302 and stored_endpoints() == 1
        submit(admin, page + "/remove", {"confirm": "y"}, token_from=page)
        assert stored_endpoints() == 0
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_replacing_the_secret_shows_the_new_one_once(admin):
    with Receiver() as receiver:
        endpoint = register(receiver.url)
    old = endpoint.secret
    page = f"{INDEX}/{endpoint.id}"
    body = text_of(submit(admin, page + "/secret", {}, token_from=page))
    db.session.rollback()
    stored = db.session.get(WebhookEndpoint, endpoint.id)
    assert stored.secret != old and stored.previous_secret == old
    assert f'id="endpoint-secret">{stored.secret}<' in body
    assert "also with the secret it replaced" in text_of(admin.get(page))


def test_names_and_urls_people_typed_are_shown_inert(admin):
    allow_private_addresses()
    with Receiver() as receiver:
        hostile = receiver.url + "?q=<script>alert(1)</script>"
        submit(admin, INDEX, {"url": hostile, "description": "<img src=x onerror=alert(1)>",
                              "event_types": ["module.completed"]})
    page = admin.get(INDEX).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_only_admins_reach_the_webhook_pages(signed_in):
    for role in (Role.REP, Role.COACH, Role.MANAGER):
        assert signed_in(role).get(INDEX).status_code == 403
    users_page = signed_in(Role.ADMIN).get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/webhooks">Webhooks</a>' in users_page  # beside API tokens


def test_a_form_without_its_csrf_token_changes_nothing(admin):
    response = admin.post(INDEX, data={"url": "https://crm.example.com/",
                                       "event_types": ["module.completed"]})
    assert response.status_code == 400 and stored_endpoints() == 0


def test_the_pages_cost_a_fixed_number_of_statements(app, admin, page_statements):
    rep_ids = [make_user(Role.REP).id for _ in range(5)]
    with Receiver() as receiver:
        endpoints = [register(receiver.url) for _ in range(3)]
        emit_events(rep_ids, 20)
        run_worker(app)
    costs = {path: page_statements(admin, path)
             for path in (INDEX, f"{INDEX}/{endpoints[0].id}",
                          f"{INDEX}/{endpoints[0].id}?status=delivered&page=2")}
    assert max(costs.values()) <= 12, costs


def test_webhook_changes_are_in_the_security_log_without_the_secret(make_app):
    app = make_app(REQUEST_LOG=True)
    entries = []

    class Lines(logging.Handler):
        def emit(self, record):
            entries.append(json.loads(record.getMessage()))

    handler, logger = Lines(), logging.getLogger("cev_learn.request")
    logger.addHandler(handler)
    try:
        admin = make_user(Role.ADMIN)
        client = app.test_client()
        login(client, admin.email)
        entries.clear()
        submit(client, f"{INDEX}/settings", {"allow_private": "y"})
        with Receiver() as receiver:
            body = text_of(submit(client, INDEX, {"url": receiver.url,
                                                  "event_types": ["quiz.passed"]}))
            endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
            page = f"{INDEX}/{endpoint_id}"
            submit(client, page, {"url": receiver.url, "event_types": ["quiz.failed"]},
                   token_from=page)
            submit(client, page + "/secret", {}, token_from=page)
            submit(client, page + "/remove", {"confirm": "y"}, token_from=page)
    finally:
        logger.removeHandler(handler)
    recorded = [(e["event"], e.get("endpoint_id"), e["user_id"]) for e in entries
                if "event" in e]
    assert recorded == [("webhook_settings_changed", None, admin.id),
                        ("webhook_endpoint_created", endpoint_id, admin.id),
                        ("webhook_endpoint_changed", endpoint_id, admin.id),
                        ("webhook_secret_replaced", endpoint_id, admin.id),
                        ("webhook_endpoint_removed", endpoint_id, admin.id)]
    secret = re.search(r'id="endpoint-secret">(whsec_[^<]+)<', body).group(1)
    assert secret not in json.dumps(entries)
