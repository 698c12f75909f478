"""On a phone (390 px): tables keep what matters in view, charts keep readable words, and a box
that scrolls sideways says so and can be reached with the keyboard."""
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_accessibility import address
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

WIDTH = 390
READABLE_PX = 11  # the smallest text a chart may show, as drawn on the screen


def on_screen(locator) -> bool:
    """Wholly inside the phone's width, and not cut by a box that scrolls or clips."""
    return locator.evaluate(f"""cell => {{
      const box = cell.getBoundingClientRect();
      if (box.left < 0 || box.right > {WIDTH} + 0.5) return false;
      for (let up = cell.parentElement; up; up = up.parentElement) {{
        const frame = up.getBoundingClientRect(), style = getComputedStyle(up);
        if (style.overflowX !== "visible" && (box.left < frame.left - 0.5 || box.right > frame.right + 0.5))
          return false;
      }}
      return true;
    }}""")


def test_a_reps_milestones_keep_due_day_and_status(phone_page, live_server):
    sign_in(phone_page, live_server, "rep09@example.com")  # reads only
    section = phone_page.locator("section", has=phone_page.get_by_role("heading", name="Milestones"))
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(7)
    for row in rows.all():
        for label in ("Due", "Status"):
            cell = row.locator(f"td[data-label='{label}']")
            expect(cell).to_be_visible()
            assert on_screen(cell), (label, row.inner_text())
    screenshot(phone_page, "phone-rep-milestones")


def test_a_coachs_reps_keep_every_column(phone_page, live_server):
    sign_in(phone_page, live_server, "coach.rita@example.com")
    row = phone_page.locator("tbody tr").first
    for label in ("Status", "Day", "Overdue", "Next milestone", "To grade", "Sign-offs",
                  "Last sign-in"):
        cell = row.locator(f"td[data-label='{label}']")
        expect(cell).to_be_visible()
        named = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert label in named, (label, named)  # named on the line itself
        assert on_screen(cell), label
    screenshot(phone_page, "phone-coach-reps")


# The manager's Ramp page, a cohort's and a rep's, reached by their links as in the axe test.
RAMP_PAGES = {"dashboard": "/ramp", "cohort": ("/ramp", r"^/ramp/cohorts/\d+"),
              "rep": ("/ramp", r"^/ramp/reps/\d+")}
SHOWN_CHARTS = """() => [...document.querySelectorAll(".chart svg")]
  .filter(svg => svg.getBoundingClientRect().width > 0)"""
SMALLEST_TEXT = """svgs => Math.min(...svgs.flatMap(svg => [...svg.querySelectorAll("text")])
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map(t => { const m = t.getScreenCTM();  // its scale on screen, turned or not
              return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))"""


@pytest.mark.parametrize("ramp_page", RAMP_PAGES)
def test_ramp_charts_fit_the_phone_with_readable_words(phone_page, live_server, ramp_page):
    """Line, bar, step and band charts are drawn for the phone: inside its width with no
    sideways scroll; a heat map keeps its size in a box that says it scrolls."""
    sign_in(phone_page, live_server, "manager@example.com")
    phone_page.goto(live_server + address(phone_page, live_server, RAMP_PAGES[ramp_page]))
    expect(phone_page.locator(".chart").first).to_be_visible()
    shown = phone_page.evaluate_handle(SHOWN_CHARTS)
    smallest = shown.evaluate(SMALLEST_TEXT)
    assert smallest >= READABLE_PX, f"chart text drawn at {smallest:.1f} px"
    fitted = phone_page.locator(".chart:has(svg.chart__svg--narrow)")
    assert fitted.count() >= 2, "no chart drawn for the phone"
    for chart in fitted.all():
        svg = chart.locator("svg.chart__svg--narrow")
        expect(svg).to_be_visible()
        expect(chart.locator("svg.chart__svg").first).to_be_hidden()  # the wide drawing
        assert on_screen(svg), svg.get_attribute("aria-labelledby")
        assert chart.evaluate("box => box.scrollWidth <= box.clientWidth + 1")
        assert chart.get_attribute("tabindex") is None  # nothing to scroll, no tab stop
    for chart in phone_page.locator(".chart").all():
        if chart.evaluate("box => box.scrollWidth > box.clientWidth + 1"):
            assert chart.locator("svg.chart__svg--narrow").count() == 0, "a fitted chart scrolls"
            assert chart.get_attribute("tabindex") == "0"  # reachable by keyboard
            assert "scrolls sideways" in chart.get_attribute("aria-label")
            cue = chart.evaluate("box => getComputedStyle(box, '::before').content")
            assert "Scroll sideways" in cue
            chart.focus()
            phone_page.keyboard.press("ArrowRight")
            expect(chart).to_be_focused()
    screenshot(phone_page, f"phone-ramp-charts-{ramp_page}")


def test_ramp_charts_on_a_desktop_keep_their_wide_drawing(page, live_server):
    sign_in(page, live_server, "manager@example.com")
    page.goto(live_server + "/ramp")
    wide = page.locator(".chart svg.chart__svg:not(.chart__svg--narrow)")
    expect(wide.first).to_be_visible()
    assert wide.count() == page.locator(".chart").count()
    expect(page.locator(".chart svg.chart__svg--narrow").first).to_be_hidden()
    widths = wide.evaluate_all("svgs => svgs.map(svg => svg.viewBox.baseVal.width)")
    assert set(widths) == {640}


@pytest.mark.parametrize("module", ["discovery-calls", "objection-handling", "qualification"])
def test_module_tables_cut_no_word(phone_page, live_server, module):
    sign_in(phone_page, live_server, "rep05@example.com")  # reads only
    phone_page.goto(f"{live_server}/tracks/sales-foundations/modules/{module}")
    tables = phone_page.locator(".prose table")
    expect(tables.first).to_be_visible()
    cut = phone_page.evaluate("""() => [...document.querySelectorAll(".prose td, .prose th")]
      .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent)""")
    assert not cut, f"words cut in {cut}"
    for table in tables.all():
        if table.evaluate("box => box.scrollWidth > box.clientWidth + 1"):
            assert table.get_attribute("tabindex") == "0"  # a sideways scroll, by keyboard too
    screenshot(phone_page, f"phone-module-{module}")
