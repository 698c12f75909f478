"""Checklists in modules: the `- [ ] item` lines of a module, as boxes a rep can tick.

The renderer writes a task-list item as a list item starting with "☐ " (stored in the module's
sanitised HTML). Here, at view time, each such item becomes a real checkbox with its label: the
only markup added to a module after sanitising, built from escaped values. An item is known by
a key made from its words (a hash of its visible text, placeholders as written), so a tick
survives a re-sync that leaves the item's words alone, whatever moves around it; two items with
the same words in one module are one item. An item that holds a nested list stays a plain box.

What ticks count toward is the track's choice (track.yaml `checklists_required`): nothing, or
the module's completion — `unticked_items` is that one rule. Pure functions.
"""
import hashlib
import re
from dataclasses import dataclass

from markupsafe import escape

from cev_learn.platform.sanitize import plain_text

BOXES = ("☐ ", "☑ ")
KEY_LENGTH = 16
_ITEM = re.compile(r"<li>\s*(<p>)?[☐☑] ((?:(?!<li|</li>|<ul|<ol|<p>|</p>).)*?)(</p>)?\s*</li>",
                   re.S)
KEY = re.compile(rf"^[0-9a-f]{{{KEY_LENGTH}}}$")


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: str  # the item's visible words, placeholders as written


def item_key(text: str) -> str:
    """The stable key of an item with these visible words."""
    words = " ".join(text.split())
    return hashlib.sha256(words.encode()).hexdigest()[:KEY_LENGTH]


def checklist_items(html: str) -> list[ChecklistItem]:
    """The checklist items of a module's stored HTML, in order, each key once."""
    items, seen = [], set()
    for match in _ITEM.finditer(html):
        text = plain_text(match.group(2))
        key = item_key(text)
        if key not in seen:
            seen.add(key)
            items.append(ChecklistItem(key, text))
    return items


def unticked_items(html: str, ticked: frozenset[str] | set[str],
                   required: bool) -> list[ChecklistItem]:
    """What stands between a rep and completing a module: the items of its checklist (as it is
    now) they have not ticked, when the track requires checklists; nothing when it does not."""
    if not required:
        return []
    return [item for item in checklist_items(html) if item.key not in ticked]


def with_checkboxes(html: str, ticked: frozenset[str] | set[str], form_id: str) -> str:
    """The module's HTML with each checklist item as a checkbox (ticked when its key is in
    `ticked`) that belongs to the form `form_id`, labelled by the item's own words."""
    count = 0

    def checkbox(match: re.Match) -> str:
        nonlocal count
        count += 1
        content = match.group(2)
        key = item_key(plain_text(content))
        box_id = f"check-{key}-{count}"
        state = " checked" if key in ticked else ""
        return (f'<li class="checklist-item">'
                f'<input type="hidden" form="{escape(form_id)}" name="item" value="{key}">'
                f'<input type="checkbox" form="{escape(form_id)}" name="ticked" value="{key}" '
                f'id="{box_id}"{state}> <label for="{box_id}">{content}</label></li>')

    return _ITEM.sub(checkbox, html)
