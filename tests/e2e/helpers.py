"""Browser test helpers: where Chromium is, page sizes, the new rep of the journeys, and
screenshots."""
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


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
