"""Placeholders in module text: `{{ coach }}`, `{{ manager }}`, `{{ cohort }}` and
`{{ start_date }}` name the reader's own coach, manager, cohort and start date.

Plain substitution of a fixed set of names into HTML that has already been rendered and
sanitised: nothing is evaluated, every value is HTML-escaped, and a missing value (a rep with no
coach, a staff member reading) reads as neutral words ("your coach"). A capitalised name
(`{{ Coach }}`) capitalises the first letter of what it becomes, for the start of a sentence.
Anything else between double braces is refused when the content is checked. Pure functions.
"""
import html as html_text
import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

NEUTRAL = {
    "coach": "your coach",
    "manager": "your manager",
    "cohort": "your cohort",
    "start_date": "your start date",
}
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_NAME = re.compile(r"^\s*([A-Za-z_]+)\s*$")


@dataclass(frozen=True)
class UnknownPlaceholder:
    line: int
    text: str  # as written, braces included


def placeholder_name(inner: str) -> str | None:
    """The known name written between the braces (case kept), or None."""
    match = _NAME.match(inner)
    if match is None:
        return None
    name = match.group(1)
    return name if name.lower() in NEUTRAL and name[1:] == name[1:].lower() else None


def unknown_placeholders(text: str, first_line: int = 1) -> list[UnknownPlaceholder]:
    """Every `{{ … }}` in the text that is not one of the known names, with its line."""
    found = []
    for offset, line in enumerate(text.split("\n")):
        for match in PLACEHOLDER.finditer(line):
            if placeholder_name(match.group(1)) is None:
                found.append(UnknownPlaceholder(first_line + offset, match.group(0)))
    return found


def substitute(html: str, values: Mapping[str, str | None]) -> str:
    """Put the reader's values (escaped; neutral words where missing) in place of the
    placeholders of sanitised HTML. Unknown ones are left as written."""

    def replace(match: re.Match) -> str:
        name = placeholder_name(match.group(1))
        if name is None:
            return match.group(0)
        value = values.get(name.lower()) or NEUTRAL[name.lower()]
        if name[0].isupper():
            value = value[:1].upper() + value[1:]
        return str(escape(value))

    return PLACEHOLDER.sub(replace, html)


def in_words(text: str, values: Mapping[str, str | None]) -> str:
    """`substitute` for plain text (a checklist item named in a message): the same words,
    without escaping, for a template that escapes what it shows."""
    return html_text.unescape(substitute(str(escape(text)), values))


def personalised(html: str, values: Mapping[str, str | None]) -> Markup:
    """`substitute` as markup for a page: the HTML is the module's, sanitised by the one
    sanitizer when the content was synced (with checkboxes this app writes, at most), and
    every value put into it is escaped."""
    return Markup(substitute(html, values))  # nosec B704
