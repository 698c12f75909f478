"""SECURITY.md names the tests that prove each requirement: every name must be a real test."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`(?:([\w/]+\.py))?::(test_\w+)`")


def test_every_test_named_in_security_md_exists():
    current, named, missing = None, 0, []
    for path, name in REFERENCE.findall((ROOT / "SECURITY.md").read_text()):
        current = path or current
        source = (ROOT / "tests" / current).read_text() if (ROOT / "tests" / current).exists() else ""
        named += 1
        if not re.search(rf"^def {name}\(", source, re.MULTILINE):
            missing.append(f"{current}::{name}")
    assert named > 100
    assert missing == [], f"SECURITY.md names tests that do not exist: {missing}"
