"""Build small course trees on disk for tests."""
from pathlib import Path

TRACK_YAML = """\
title: Test Track
summary: A track for tests.
schedule:
  - {module: intro, due_day: 1}
  - {module: discovery, due_day: 5}
  - {milestone: first-meeting}
milestones:
  - {slug: first-meeting, title: First meeting, due_day: 21,
     measure: {activity: meeting, at_least: 1}}
productivity_milestone: first-meeting
activity_targets:
  call: [10, 20]
"""

INTRO = """\
---
title: Introduction
minutes: 5
summary: Where to start.
---
## Why

Read [discovery](02-discovery.md#questions) next. See ![chart](../assets/chart.png).
"""

DISCOVERY = """\
---
title: Discovery
minutes: 8
---
## Questions

Ask about cost. Back to [the intro](01-intro.md).
"""

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def good_track(root: Path, slug: str = "test-track", **overrides) -> Path:
    files = {
        f"{slug}/track.yaml": TRACK_YAML,
        f"{slug}/modules/01-intro.md": INTRO,
        f"{slug}/modules/02-discovery.md": DISCOVERY,
        f"{slug}/assets/chart.png": PNG,
    }
    files.update({f"{slug}/{k}": v for k, v in overrides.items()})
    write_tree(root, {k: v for k, v in files.items() if v is not None})
    for rel, value in overrides.items():
        if value is None:
            (root / slug / rel).unlink(missing_ok=True)
    return root
