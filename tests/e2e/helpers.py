"""Browser test helpers: where Chromium is, page sizes, the new rep of the journeys,
screenshots, and ticking a module's checklist."""
import os
import sys
from pathlib import Path

CHROMIUM = os.environ.get("CEV_LEARN_CHROMIUM", "/usr/bin/chromium")
BIN = Path(sys.executable).parent
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
NEW_REP = "kai.fresh@example.com"
NEW_REP_PASSWORD = "kai's first password"
PHONE = {"width": 390, "height": 844}


def tick_the_whole_checklist(page) -> None:
    """Tick every box of the module page's checklist as a rep does, each saved by the page's
    script before the next (the starter track completes a module only once all are ticked)."""
    for box in page.locator(".prose").get_by_role("checkbox").all():
        if not box.is_checked():
            with page.expect_response(lambda r: r.url.endswith("/checklist") and r.ok):
                box.check()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
