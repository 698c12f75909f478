"""Browser tests: the real app under gunicorn, driven by Playwright in Debian's Chromium."""
import os
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from bench.servers import Server
from tests.e2e.helpers import BIN, CHROMIUM, DESKTOP, NEW_REP, NEW_REP_PASSWORD, PHONE
from tests.mail import Mailbox, free_port
from tests.oidc.server import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="session")
def live_instance(tmp_path_factory) -> Path:
    """The served app's instance folder; its database is `e2e.sqlite` there."""
    return tmp_path_factory.mktemp("e2e-instance")


@pytest.fixture(scope="session")
def live_mailbox():
    """The SMTP server the served app sends its emails to (what it received)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture(scope="session")
def live_env(live_instance, live_mailbox) -> dict[str, str]:
    """The environment the served app (and a webhook worker beside it) runs with."""
    instance = live_instance
    return {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(instance),
            "CEV_LEARN_DATABASE_URL": f"sqlite:///{instance}/e2e.sqlite",
            "CEV_LEARN_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "CEV_LEARN_SMTP_HOST": "127.0.0.1", "CEV_LEARN_SMTP_PORT": str(live_mailbox[1])}


@pytest.fixture(scope="session")
def live_server(live_instance, live_env):
    """Migrate, seed the demo organisation and serve it with gunicorn on a free port, sending
    email to `live_mailbox`."""
    instance, env = live_instance, live_env
    for args in (["db", "upgrade"], ["content", "sync"], ["demo", "seed"]):
        subprocess.run([str(BIN / "cev-learn"), *args], env=env, check=True,
                       capture_output=True, timeout=120)
    # A rep with no cohort and no history yet, for journeys that start from zero.
    subprocess.run([str(BIN / "cev-learn"), "users", "create", NEW_REP, "--name", "Kai Fresh",
                    "--role", "rep", "--password-stdin"], env=env, check=True,
                   input=NEW_REP_PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    server = Server(env, 2, instance / "server.log")
    server.env["CEV_LEARN_BASE_URL"] = server.url  # links in emails lead back to it
    # Single sign-on through a real OpenID provider that sends people back to this server.
    provider = Provider([server.url + "/login/sso/callback"], {})
    server.env.update({"CEV_LEARN_OIDC_ISSUER": provider.issuer,
                       "CEV_LEARN_OIDC_CLIENT_ID": CLIENT_ID,
                       "CEV_LEARN_OIDC_CLIENT_SECRET": CLIENT_SECRET})
    try:
        with server:
            yield server.url
    finally:
        provider.stop()


@pytest.fixture(scope="session")
def playwright_driver():
    """The one Playwright of the run: its sync API cannot be started twice in one thread, so
    every browser the tests launch (the plain one, one with fake media devices) comes from it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make chromium`")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run"])
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
