"""Every page type, as each role sees it, at 1280 and 390 px: axe-core finds no violation of
WCAG 2.1 A or AA (the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_quiz_flow_journeys import PASSWORD, QUIZ_URL, new_rep
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

# Pages by who opens them: a path, or (a page, links to follow from it, one on each page
# reached) for pages whose address holds an id of the demo data.
PAGES = {
    None: ["/login", "/password/forgot", "/no-such-page"],
    "rep09@example.com": [
        "/week", "/tracks", TRACK, f"{TRACK}/modules/discovery-calls",
        (TRACK, r"/quizzes/"), "/search?q=objection", "/account/password",
        "/account/time-zone", "/boosters"],
    "coach.rita@example.com": [
        "/coach", ("/coach", r"^/reps/\d+$"), ("/coach", r"^/reps/\d+$", r"/signoffs/"),
        "/quizzes", ("/quizzes", r"/results$"), ("/quizzes", r"/results$", r"^/attempts/\d+$"),
        ("/quizzes", r"/analysis$"), "/quizzes/retention", f"{TRACK}/modules/discovery-calls"],
    "manager@example.com": [
        "/ramp", ("/ramp", r"^/ramp/cohorts/\d+"), ("/ramp", r"^/ramp/reps/\d+"), "/cohorts",
        "/cohorts/new", ("/cohorts", r"^/cohorts/\d+$"), "/ramp/import",
        "/ramp/import/mappings", "/ramp/import/mappings/new", "/ramp/forecasts"],
    "admin@example.com": [
        "/admin/users", "/admin/users/new", ("/admin/users", r"^/admin/users/\d+$"),
        "/admin/import/users", "/admin/tokens", "/admin/webhooks",
        ("/admin/webhooks", r"^/admin/webhooks/\d+$"), "/admin/lrs", "/api/v1/docs"],
}


def address(page, live_server: str, entry) -> str:
    if isinstance(entry, str):
        return entry
    path, *patterns = entry
    for pattern in patterns:
        page.goto(live_server + path)
        hrefs = page.locator("main a[href]").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")
        found = [href for href in hrefs if re.search(pattern, href.split("?")[0])]
        assert found, f"no link matching {pattern} on {path}"
        path = found[0]
    return path


def checked_context(browser, width: str):
    # The app's Content-Security-Policy would refuse the injected checker; pages are the same.
    return browser.new_context(viewport=WIDTHS[width], bypass_csp=True,
                               is_mobile=width == "phone", has_touch=width == "phone")


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("who", PAGES, ids=lambda who: (who or "signed-out").split("@")[0])
def test_no_page_has_an_accessibility_violation(browser, live_server, who, width):
    assert AXE.exists(), "axe-core is missing: run `make e2e` (it installs it from npm)"
    context = checked_context(browser, width)
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


@pytest.mark.parametrize("width", WIDTHS)
def test_taking_a_quiz_has_no_accessibility_violation(browser, live_server, live_env, width):
    """The attempt, its summary before submitting and the result, for a rep of their own."""
    context = checked_context(browser, width)
    page = context.new_page()
    sign_in(page, live_server, new_rep(live_env, f"axe.{width}@example.com"), PASSWORD)
    page.goto(live_server + QUIZ_URL)
    found = {"quiz": violations(page)}
    page.get_by_role("button", name=re.compile("Start")).click()
    expect(page.get_by_role("navigation", name="Questions")).to_be_visible()
    found["attempt"] = violations(page)
    page.get_by_role("button", name="Review and submit").click()
    confirm = page.get_by_role("button", name=re.compile(r"^Submit \d+ of \d+ answers"))
    found["summary"] = violations(page)
    confirm.click()
    expect(page.get_by_role("navigation", name="Where to go next")).to_be_visible()
    found["result"] = violations(page)
    context.close()
    found = {name: problems for name, problems in found.items() if problems}
    assert not found, found
