"""The Content-Security-Policy is the last line of defence: markup that reached the database
without passing the sanitizer still does not run, and the browser's report of it reaches the
server's log."""
import os
import time

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import update

from bench.servers import Server
from cev_learn import create_app
from cev_learn.accounts.models import Role
from cev_learn.content.models import Module
from cev_learn.platform.db import db
from tests.helpers import FAST_HASH, PASSWORD, make_user
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

INJECTED = "<script>alert(1)</script><img src=x onerror=alert(2)>"
TRACK, MODULE = "sales-foundations", "welcome"
REP = "csp.rep@example.com"
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push({directive: event.violatedDirective, blocked: event.blockedURI});
});
"""


@pytest.fixture(scope="module")
def tampered_server(tmp_path_factory):
    """The shipped course, with a module's stored HTML overwritten behind the sanitizer's
    back, served by gunicorn with its log in a file this test reads."""
    instance = tmp_path_factory.mktemp("csp-instance")
    database_url = f"sqlite:///{instance / 'csp.sqlite'}"
    app = create_app({"SECRET_KEY": "csp-setup", "DATABASE_URL": database_url,
                      "PASSWORD_HASH_METHOD": FAST_HASH, "REQUEST_LOG": False},
                     instance_path=str(instance))
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        result = app.test_cli_runner().invoke(args=["content", "sync"])
        assert result.exit_code == 0, result.output
        make_user(Role.REP, email=REP)
        changed = db.session.execute(update(Module).where(Module.slug == MODULE).values(
            body_html=INJECTED + Module.body_html)).rowcount
        db.session.commit()
        db.engine.dispose()
    assert changed == 1
    env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(instance),
           "CEV_LEARN_DATABASE_URL": database_url, "CEV_LEARN_PASSWORD_HASH_METHOD": FAST_HASH}
    log_path = instance / "server.log"
    with Server(env, 1, log_path) as server:
        yield server.url, log_path


def violations_seen(page, timeout: float = 10) -> list[dict]:
    """The page's securitypolicyviolation events, once at least two have fired. (Polled from
    here: page.wait_for_function would evaluate its predicate with eval, which the policy
    forbids.)"""
    deadline = time.monotonic() + timeout
    while True:
        seen = page.evaluate("window.cspViolations")
        if len(seen) >= 2 or time.monotonic() > deadline:
            return seen
        page.wait_for_timeout(100)


def logged_reports(log_path, timeout: float = 10) -> list[str]:
    """The CSP violation lines in the server's log, once at least two have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in log_path.read_text().splitlines() if "CSP violation:" in line]
        if len(lines) >= 2 or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def test_csp_stops_injected_script_and_the_report_reaches_the_server(browser, tampered_server):
    url, log_path = tampered_server
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH_VIOLATIONS)
    sign_in(page, url, REP, PASSWORD)
    path = f"/tracks/{TRACK}/modules/{MODULE}"
    page.goto(url + path)

    # The injected elements are in the page, so nothing but the policy stops them.
    expect(page.locator(".prose script")).to_have_count(1)
    expect(page.locator(".prose img[src='x']")).to_have_count(1)
    seen = violations_seen(page)
    assert dialogs == []
    assert {v["directive"] for v in seen} == {"script-src-elem", "script-src-attr"}
    assert all(v["blocked"] == "inline" for v in seen)

    lines = logged_reports(log_path)
    assert len(lines) == 2, lines
    for line in lines:
        assert "WARNING" in line and 'blocked-uri="inline"' in line
        assert f'document-uri="{url}{path}"' in line
    assert {d for d in ("script-src-elem", "script-src-attr")
            if any(f'violated-directive="{d}"' in line for line in lines)} == {
        "script-src-elem", "script-src-attr"}

    # The dialog listener does catch dialogs: one opened from outside the page's policy shows.
    page.evaluate("alert('probe')")
    assert dialogs == ["probe"]
    context.close()
