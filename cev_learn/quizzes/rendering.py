"""Question and option text to safe HTML, according to the question's format."""
import re
from functools import lru_cache

from markupsafe import Markup, escape

from cev_learn.content.rendering import render_markdown
from cev_learn.platform.sanitize import sanitize_html

_SINGLE_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


@lru_cache(maxsize=4096)
def render_text(text: str | None, fmt: str, inline: bool = False) -> Markup:
    """Render text written in GIFT's markdown/html/moodle/plain formats, always sanitized."""
    if not text:
        return Markup("")
    if fmt == "markdown":
        html = render_markdown(text, lambda _target: None).html.strip()
        if inline and (match := _SINGLE_PARAGRAPH.match(html)) and "<p>" not in match.group(1):
            html = match.group(1)
    elif fmt in ("html", "moodle"):
        html = sanitize_html(text.replace("\n", "<br>") if fmt == "moodle" else text)
    else:
        html = str(escape(text)).replace("\n", "<br>")
    # Safe markup: every branch above sanitizes (nh3) or escapes the text.
    return Markup(html)  # nosec B704
