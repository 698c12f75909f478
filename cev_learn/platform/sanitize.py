"""The one HTML sanitizer. Every piece of user- or author-written HTML passes through here."""
import html as html_lib
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol",
    "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
ALIGNMENTS = {"left", "right", "center"}
ALLOWED_CLASSES = {
    "div": {"admonition", "note", "tip", "warning", "danger", "important", "toc"},
    "p": {"admonition-title"},
}
ID_PREFIX = "sec-"
URL_SCHEMES = {"http", "https", "mailto"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
MAX_PASSES = 4


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop URLs whose scheme, once spaces and control characters are squeezed out as some
    browsers do, is anything but http, https or mailto."""
    if attribute in ("href", "src"):
        squeezed = _INVISIBLE.sub("", html_lib.unescape(value)).lower()
        scheme = _SCHEME.match(squeezed)
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ATTRIBUTES,
    tag_attribute_values={"td": {"align": ALIGNMENTS}, "th": {"align": ALIGNMENTS}},
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES,
    attribute_filter=_filter_attribute,
    link_rel="noopener noreferrer",
    strip_comments=True,
    id_prefix=ID_PREFIX,
)


def sanitize_html(html: str) -> str:
    """Keep safe formatting only: no scripts, handlers, styles, frames, forms or odd URLs.

    Cleaning repeats until the output is stable, so what we store parses the same way in a
    browser as it did here (no mutation through re-parsing).
    """
    for _ in range(MAX_PASSES):
        cleaned = _cleaner.clean(html)
        if cleaned == html:
            break
        html = cleaned
    return html


def plain_text(html: str) -> str:
    """The visible text of sanitized HTML, whitespace collapsed (for search and snippets)."""
    import html as html_lib

    text = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}).clean(html)
    return " ".join(html_lib.unescape(text).split())
