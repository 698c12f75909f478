"""Every page type, as each role sees it, at 1280 and 390 px: axe-core finds no violation of
WCAG 2.1 A or AA (the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TRACK = "/tracks/sales-foundations"
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""

# Pages by who opens them: a path, or (a page, a link on it to follow) for pages whose
# address holds an id of the demo data.
PAGES = {
    None: ["/login", "/password/forgot", "/no-such-page"],
    "rep09@example.com": [
        "/week", "/tracks", TRACK, f"{TRACK}/modules/discovery-calls",
        (TRACK, r"/quizzes/"), "/search?q=objection", "/account/password",
        "/account/time-zone"],
    "coach.rita@example.com": [
        "/coach", ("/coach", r"^/reps/\d+$"), "/quizzes", ("/quizzes", r"/results$"),
        ("/quizzes", r"/analysis$"), f"{TRACK}/modules/discovery-calls"],
    "manager@example.com": [
        "/ramp", ("/ramp", r"^/ramp/cohorts/\d+"), ("/ramp", r"^/ramp/reps/\d+"), "/cohorts",
        "/cohorts/new", ("/cohorts", r"^/cohorts/\d+$"), "/ramp/import",
        "/ramp/import/mappings", "/ramp/import/mappings/new"],
    "admin@example.com": [
        "/admin/users", "/admin/users/new", ("/admin/users", r"^/admin/users/\d+$"),
        "/admin/import/users", "/admin/tokens", "/admin/webhooks",
        ("/admin/webhooks", r"^/admin/webhooks/\d+$"), "/admin/lrs", "/api/v1/docs"],
}


def address(page, live_server: str, entry) -> str:
    if isinstance(entry, str):
        return entry
    listing, pattern = entry
    page.goto(live_server + listing)
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    found = [href for href in hrefs if re.search(pattern, href.split("?")[0])]
    assert found, f"no link matching {pattern} on {listing}"
    return found[0]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("who", PAGES, ids=lambda who: (who or "signed-out").split("@")[0])
def test_no_page_has_an_accessibility_violation(browser, live_server, who, width):
    assert AXE.exists(), "axe-core is missing: run `make e2e` (it installs it from npm)"
    # The app's Content-Security-Policy would refuse the injected checker; pages are the same.
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True,
                                  is_mobile=width == "phone", has_touch=width == "phone")
    page = context.new_page()
    if who:
        sign_in(page, live_server, who)
    found = {}
    for entry in PAGES[who]:
        path = address(page, live_server, entry)
        page.goto(live_server + path)
        expect(page.locator("main")).to_be_visible()
        if problems := violations(page):
            found[path] = problems
    context.close()
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(problems)
                                for path, problems in found.items())
