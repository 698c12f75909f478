"""What no page may hold, whatever was planted in it: an HTML parser's reading of a page for
anything a browser would run (scripts, handlers, script URLs, embedded documents, styles)."""
import re
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser

from tests.security.xss_payloads import EVALUATED

NEVER = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style",
                   "portal", "animate", "set", "use", "foreignobject", "handler", "math",
                   "template", "xmp", "plaintext", "noscript", "isindex", "keygen", "marquee",
                   "video", "audio"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                            "background", "srcset", "ping", "cite", "codebase", "values"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
NAMED = frozenset({"input", "select", "textarea", "button", "meta"})  # else `name` clobbers DOM
APP_SCRIPT = re.compile(r"/static/js/[\w.-]+\.js")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _squeeze(value: str) -> str:
    """Lower-case, without the whitespace and control characters browsers skip in URLs."""
    return "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()


def _same_origin_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


class Inspection(HTMLParser):
    """Problems in a page (executable or page-altering markup), and what it shows as text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.elements: list[tuple[str, dict, str | None]] = []  # tag, attributes, select name
        self._select, self._in_script = None, False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        raw, values = self.get_starttag_text(), dict(attrs)
        self.elements.append((tag, values, self._select))
        self._select = values.get("name") if tag == "select" else self._select
        problem = self.problems.append
        if tag in NEVER:
            problem(f"<{tag}> element: {raw}")
        if tag == "script":
            self._in_script = True
            if not APP_SCRIPT.fullmatch(values.get("src") or ""):
                problem(f"script that is not one of the app's files: {raw}")
        if tag == "meta" and "http-equiv" in values:
            problem(f"meta http-equiv: {raw}")
        if tag == "link" and not _same_origin_path(values.get("href") or ""):
            problem(f"link to another origin: {raw}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                problem(f"event handler {name}: {raw}")
            if name == "style":
                problem(f"style attribute: {raw}")
            if name == "name" and tag not in NAMED:
                problem(f"name on <{tag}> (DOM clobbering): {raw}")
            if name in URL_ATTRIBUTES and (scheme := _SCHEME.match(_squeeze(value))) \
                    and scheme.group(1) not in SAFE_SCHEMES:
                problem(f"{name} with a {scheme.group(1)}: URL: {raw}")
            if name in ("action", "formaction") and value and not _same_origin_path(value):
                problem(f"{name} to another origin: {raw}")
            if name == "target" and "noopener" not in (values.get("rel") or "").split():
                problem(f"target without rel=noopener: {raw}")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")
        self.texts.append(data)

    @cached_property
    def _shown(self) -> str:
        values = (v for _, attrs, _ in self.elements for v in attrs.values() if v)
        return "\0".join(" ".join(text.split()) for text in [*self.texts, *values])

    def shows(self, value: str) -> bool:
        """Whether the page shows `value` as text (or holds it as an attribute's value), as
        typed: neither dropped, nor cut, nor read as markup. Runs of whitespace count as one."""
        return " ".join(value.split()) in self._shown


@dataclass
class Page:
    name: str
    status: int
    mimetype: str
    headers: dict
    text: str

    @cached_property
    def inspection(self) -> Inspection:
        return Inspection(self.text)


def as_page(name: str, response) -> Page:
    return Page(name, response.status_code, response.mimetype, dict(response.headers),
                response.get_data(as_text=True))


def fetch(client, name: str, url: str) -> Page:
    return as_page(name, client.get(url))


def assert_inert(pages: list[Page]) -> None:
    found = [f"{page.name}: {problem}" for page in pages for problem in page.inspection.problems]
    assert not found, "executable markup on pages:\n  " + "\n  ".join(found[:40])
    for page in pages:
        assert page.mimetype == "text/html", (page.name, page.mimetype)
        assert EVALUATED not in page.text and "test-secret-key" not in page.text, page.name


def assert_shown(page: Page, values: list[str]) -> None:
    missing = [v for v in values if not page.inspection.shows(v)]
    assert not missing, f"{page.name} does not show, as typed: {missing[:5]}"
