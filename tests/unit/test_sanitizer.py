"""Hostile input against the one sanitizer and the markdown renderer built on it.

Every payload goes through `sanitize_html` directly and through `render_markdown` (body and
table of contents), and the output is judged by `assert_inert`, a checker that parses the
HTML with the standard library's `html.parser` and knows nothing about nh3's allowlist.
"""
import re
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cev_learn.content import rendering
from cev_learn.content.rendering import render_markdown
from cev_learn.platform.sanitize import sanitize_html

# --------------------------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------------------------

FORBIDDEN_TAGS = frozenset({
    "script", "style", "iframe", "object", "embed", "form", "input", "button", "textarea",
    "select", "svg", "math", "meta", "base", "link", "template", "noscript", "frame",
    "frameset", "applet", "xmp",
    # Also raw-text or legacy elements a browser parses differently from html.parser, which
    # would otherwise let `<noembed><p title="</noembed><img onerror>">` look harmless.
    "noembed", "noframes", "plaintext", "title",
})
# `name` is the other half of DOM clobbering (`<img name>`, `<form name>`) and `ping` makes a
# link report clicks to a third party; nothing the renderer legitimately emits carries either.
FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "formaction", "target", "name", "ping"})
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite",
    "data", "codebase", "dynsrc", "lowsrc", "srcset",
})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Written out here rather than imported, so the checker does not inherit a mistake in the
# production allowlist.
CLASSES_BY_TAG = {
    "div": frozenset({"admonition", "note", "tip", "warning", "danger", "important", "toc"}),
    "p": frozenset({"admonition-title"}),
}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_QUOTED_VALUE = re.compile(r'="[^"]*"')
# The shape every start tag has once html5ever has serialised it: lower-case names, values
# (if any) double-quoted. Checked after the quoted values are blanked out.
_CANONICAL_TAG = re.compile(r'<[a-z][a-z0-9]*(?:\s+[a-z][a-z0-9:-]*(?:="")?)*\s*/?>\Z')


def _squeeze(value: str) -> str:
    """The URL with every whitespace and control character removed and lower-cased:
    deliberately more generous than any browser's URL parser. (`html.parser` has already decoded character references once,
    exactly as a browser does, so `&#106;` is `j` here and `&amp;#106;` is `&#106;`.)"""
    return "".join(ch for ch in value
                   if not ch.isspace() and not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)
                   ).lower()


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text() or ""
        self.elements.append((tag, dict(attrs)))
        problem = self.problems.append
        if tag in FORBIDDEN_TAGS:
            problem(f"forbidden tag <{tag}>: {raw!r}")
        masked = _QUOTED_VALUE.sub('=""', raw)
        if not _CANONICAL_TAG.match(masked):
            problem(f"tag not in serialised form (unquoted or odd attribute): {raw!r}")
        # The literal markers must not appear in the tag's markup. A double-quoted value is
        # blanked first: html5ever escapes `"` and `&` inside it, so it cannot leave the
        # value, and URL values are judged on their own below.
        lowered = masked.lower()
        for marker in ("javascript:", "onerror="):
            if marker in lowered:
                problem(f"{marker!r} inside a tag: {raw!r}")
        names = [name for name, _ in attrs]
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                problem(f"event handler attribute {name!r}: {raw!r}")
            if name in FORBIDDEN_ATTRIBUTES:
                problem(f"forbidden attribute {name!r}: {raw!r}")
            if name in URL_ATTRIBUTES:
                scheme = _SCHEME.match(_squeeze(value))
                if scheme and scheme.group(1) not in SAFE_SCHEMES:
                    problem(f"{name} with scheme {scheme.group(1)!r}: {raw!r}")
            if name == "id" and not value.startswith("sec-"):
                problem(f"id without the sec- prefix: {raw!r}")
            if name == "class":
                stray = set(value.split()) - CLASSES_BY_TAG.get(tag, frozenset())
                if stray:
                    problem(f"class(es) {sorted(stray)} not allowed on <{tag}>: {raw!r}")
        if tag == "a" and "href" in names:
            rel = dict(attrs).get("rel") or ""
            if "noopener" not in rel.lower().split():
                problem(f"link without rel=noopener: {raw!r}")

    def handle_endtag(self, tag):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"forbidden end tag </{tag}>")

    def handle_comment(self, data):
        self.problems.append(f"comment survived: <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration survived: <!{decl}>")

    def unknown_decl(self, data):
        self.problems.append(f"marked section survived: <![{data}]>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction survived: <?{data}>")


def _inspect(html: str) -> _Inspector:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def assert_inert(html: str) -> None:
    """Fail unless `html` holds no executable or page-altering markup (see module constants)."""
    problems = _inspect(html).problems
    assert not problems, "markup is not inert:\n  " + "\n  ".join(problems) + f"\nin: {html!r}"


def _elements(html: str, tag: str) -> list[dict[str, str | None]]:
    return [attrs for name, attrs in _inspect(html).elements if name == tag]


# --------------------------------------------------------------------------------------------
# The checker itself must be able to fail
# --------------------------------------------------------------------------------------------

KNOWN_BAD = {
    "script": "<script>alert(1)</script>",
    "script-upper": "<SCRIPT>alert(1)</SCRIPT>",
    "svg": "<svg></svg>",
    "math": "<math></math>",
    "iframe": '<iframe src="https://e.example"></iframe>',
    "style-tag": "<style>p{}</style>",
    "meta": '<meta http-equiv="refresh" content="0">',
    "xmp": "<xmp>x</xmp>",
    "onerror": '<img src="x" onerror="alert(1)">',
    "onclick-upper": '<p ONCLICK="alert(1)">x</p>',
    "style-attr": '<p style="color:red">x</p>',
    "srcdoc": '<div srcdoc="x">x</div>',
    "target": '<a href="https://e.example" rel="noopener" target="_blank">x</a>',
    "name": '<img src="x" name="cookie">',
    "javascript-href": '<a href="javascript:alert(1)" rel="noopener">x</a>',
    "javascript-entity": '<a href="&#106;avascript:alert(1)" rel="noopener">x</a>',
    "javascript-tab-entity": '<a href="jav&#x09;ascript:alert(1)" rel="noopener">x</a>',
    "javascript-space": '<a href=" JAVA SCRIPT:alert(1)" rel="noopener">x</a>',
    "javascript-control": '<a href="\x01java\x00script:alert(1)" rel="noopener">x</a>',
    "vbscript-src": '<img src="vbscript:x">',
    "data-src": '<img src="data:image/svg+xml,x">',
    "ftp-href": '<a href="ftp://e.example" rel="noopener">x</a>',
    "form-action": '<p action="javascript:x">x</p>',
    "id-unprefixed": '<h2 id="main">x</h2>',
    "link-without-rel": '<a href="https://e.example">x</a>',
    "link-rel-noreferrer-only": '<a href="https://e.example" rel="noreferrer">x</a>',
    "class-unknown": '<div class="modal">x</div>',
    "class-on-wrong-tag": '<span class="admonition">x</span>',
    "unquoted-value": "<img src=x>",
    "javascript-in-markup": '<p javascript:x="">x</p>',
    "comment": "<!-- hidden -->",
    "doctype": "<!DOCTYPE html>",
    "cdata": "<![CDATA[x]]>",
    "processing-instruction": "<?php echo 1 ?>",
}

KNOWN_GOOD = {
    "escaped-text": "<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript: onerror=</p>",
    "safe-link": '<a href="https://e.example/a?b=1&amp;c=2" rel="noopener noreferrer">x</a>',
    "mailto": '<a href="MAILTO:a@e.example" rel="noopener noreferrer">x</a>',
    "relative": '<a href="/tracks/t" rel="noopener noreferrer">x</a><img src="img/a.png" alt="a">',
    "anchor": '<h2 id="sec-a">A</h2><a href="#sec-a" rel="noopener noreferrer">A</a>',
    "anchorless-a": '<a rel="noopener noreferrer">x</a>',
    "double-encoded": '<a href="&amp;#106;avascript:x" rel="noopener noreferrer">x</a>',
    "quoted-title": '<a href="/a" title="javascript: onerror=&quot;x" rel="noopener noreferrer">x</a>',
    "admonition": '<div class="admonition tip"><p class="admonition-title">T</p></div>',
    "aligned-cell": '<table><tbody><tr><td align="left">a</td></tr></tbody></table>',
}


@pytest.mark.parametrize("html", KNOWN_BAD.values(), ids=KNOWN_BAD.keys())
def test_checker_rejects_known_bad_markup(html):
    with pytest.raises(AssertionError):
        assert_inert(html)


@pytest.mark.parametrize("html", KNOWN_GOOD.values(), ids=KNOWN_GOOD.keys())
def test_checker_accepts_safe_markup(html):
    assert_inert(html)


# --------------------------------------------------------------------------------------------
# Hostile input
# --------------------------------------------------------------------------------------------

PAYLOADS = {
    # <script> in many spellings
    "script-plain": "<script>alert(1)</script>",
    "script-mixed-case": "<ScRiPt>alert(1)</sCrIpT>",
    "script-nested-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-unclosed": "<script>alert(1)",
    "script-src": '<script src="https://evil.example/x.js"></script>',
    "script-slash-attribute": "<script/xss src=//evil.example/x.js></script>",
    "script-inline-in-paragraph": "Hello <script>alert(1)</script> world",
    "script-malformed-quote": '<img """><script>alert(1)</script>">',
    # event handlers
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-mixed-case": '<IMG SRC="x" OnErRoR="alert(1)">',
    "img-onerror-slash-separated": "<img/src=x/onerror=alert(1)>",
    "img-onerror-backtick": "<img src=`x`onerror=alert(1)>",
    "body-onload": "<body onload=alert(1)>",
    "div-onmouseover": '<div onmouseover="alert(1)">hover</div>',
    "input-onfocus-autofocus": "<input onfocus=alert(1) autofocus>",
    "svg-onload": "<svg onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>s</summary>x</details>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "table-cell-onclick": '<table><tr><td align="left" onclick="alert(1)" style="x">a</td>'
                          '<td align="javascript:alert(1)">b</td></tr></table>',
    # javascript: and friends in href/src
    "href-javascript": '<a href="javascript:alert(1)">x</a>',
    "href-javascript-mixed-case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "href-javascript-tab": '<a href="java\tscript:alert(1)">x</a>',
    "href-javascript-newline": '<a href="java\nscript:alert(1)">x</a>',
    "href-javascript-space": '<a href="java script:alert(1)">x</a>',
    "href-javascript-leading-control": '<a href=" \x01javascript:alert(1)">x</a>',
    "href-javascript-control-inside": '<a href="java\x01script:alert(1)">x</a>',
    "href-javascript-nul": '<a href="java\x00script:alert(1)">x</a>',
    "href-entity-decimal": '<a href="&#106;avascript:alert(1)">x</a>',
    "href-entity-hex": '<a href="&#x6A;avascript:alert(1)">x</a>',
    "href-entity-tab": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "href-entity-newline": '<a href="java&#x0A;script:alert(1)">x</a>',
    "href-entity-space": '<a href="java&#32;script:alert(1)">x</a>',
    "href-entity-colon": '<a href="javascript&colon;alert(1)">x</a>',
    "href-entity-double-encoded": '<a href="&amp;#106;avascript:alert(1)">x</a>',
    "href-vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "href-data-text-html": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "href-data-base64": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "href-xlink": '<a xlink:href="javascript:alert(1)">x</a>',
    "src-javascript": '<img src="javascript:alert(1)">',
    "src-data-svg": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "srcset-javascript": '<img src="x.png" srcset="javascript:alert(1) 1x">',
    "lowsrc-dynsrc": '<img lowsrc="javascript:alert(1)" dynsrc="javascript:alert(1)" src=x>',
    # markdown links and images
    "md-link-javascript": "[x](javascript:alert(1))",
    "md-link-javascript-upper": "[x](JAVASCRIPT:alert(1))",
    "md-link-entity": "[x](&#106;avascript:alert(1))",
    "md-link-entity-tab": "[x](java&#x09;script:alert(1))",
    "md-link-angle-javascript": "[x](<javascript:alert(1)>)",
    "md-link-angle-tab": "[x](<java\tscript:alert(1)>)",
    "md-link-leading-control": "[x](\x01javascript:alert(1))",
    "md-link-vbscript": "[x](vbscript:msgbox(1))",
    "md-link-data": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-image-data-svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md-image-javascript": "![x](javascript:alert(1))",
    "md-reference-link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "md-reference-link-titled": '[x][evil]\n\n[evil]: javascript:alert(1) "t"',
    "md-reference-image-data": "![x][evil]\n\n[evil]: data:image/svg+xml,<svg/onload=alert(1)>",
    "md-autolink-javascript": "<javascript:alert(1)>",
    "md-autolink-vbscript": "<vbscript:msgbox(1)>",
    "md-autolink-data": "<data:text/html,<script>alert(1)</script>>",
    "md-link-title-double-quote": '[x](/a "a\\" onmouseover=\\"alert(1)")',
    "md-link-title-single-quote": "[x](/a 'a\\' onmouseover=alert(1) x=\\'')",
    "md-image-title-breakout": '![x](/i.png "t\\" onerror=\\"alert(1)")',
    "md-link-text-html": "[<img src=x onerror=alert(1)>](https://e.example)",
    "md-html-block-markdown-attr": '<div markdown="1">[x](javascript:alert(1))</div>',
    # frames, plugins, forms
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "iframe-javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "embed-data-svg": '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    "frameset": '<frameset><frame src="javascript:alert(1)"></frameset>',
    "applet": '<applet code="x.class" codebase="javascript:alert(1)"></applet>',
    "form-action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "input-formaction": '<form><input type=submit formaction="javascript:alert(1)"></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">x</button>',
    "textarea-select": "<textarea>x</textarea><select><option>a</option></select>",
    # CSS
    "style-tag-expression": "<style>body{width:expression(alert(1))}</style>",
    "style-tag-import": "<style>@import 'javascript:alert(1)';</style>",
    "style-attr-expression": '<p style="width:expression(alert(1))">x</p>',
    "style-attr-url-javascript": '<div style="background:url(javascript:alert(1))">x</div>',
    "class-injection": '<div class="admonition hidden fixed-top login-overlay">x</div>'
                       '<span class="btn">y</span><p class="admonition-title modal">z</p>',
    # svg / math mutation XSS
    "mxss-svg-p-style": "<svg><p><style><img src=x onerror=alert(1)>",
    "mxss-math-mglyph-style": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "mxss-math-xlink": '<math><mtext></mtext><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "mxss-svg-use-data": '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "mxss-svg-animate-href": "<svg><a><animate attributeName=href values=javascript:alert(1) />"
                             "<text>x</text></a></svg>",
    "mxss-svg-foreignobject": "<svg><foreignObject><iframe src=javascript:alert(1)></iframe>"
                              "</foreignObject></svg>",
    "mxss-svg-cdata": "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    # raw-text element tricks
    "noscript-breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "template-content": "<template><img src=x onerror=alert(1)></template>",
    "xmp-breakout": '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    "noembed-breakout": '<noembed><p title="</noembed><img src=x onerror=alert(1)>">',
    "title-breakout": '<title><p title="</title><img src=x onerror=alert(1)>"></title>',
    "textarea-breakout": '<textarea><p title="</textarea><img src=x onerror=alert(1)>">',
    # document-level tags
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="https://evil.example/">',
    "link-import": '<link rel="import" href="https://evil.example/x.html">',
    "link-stylesheet": '<link rel="stylesheet" href="javascript:alert(1)">',
    "processing-instruction": "<?xml-stylesheet href=javascript:alert(1)?><p>x</p>",
    # tabnabbing
    "a-target-blank": '<a href="https://evil.example" target="_blank">x</a>',
    "a-rel-opener": '<a href="https://evil.example" rel="opener" target="_blank">x</a>',
    "a-ping": '<a href="https://e.example" ping="https://evil.example">x</a>',
    # comments hiding payloads
    "comment-img": "<!--<img src=x onerror=alert(1)>-->",
    "comment-early-close": "<!--><img src=x onerror=alert(1)>-->",
    "comment-dash-early-close": "<!---><img src=x onerror=alert(1)>-->",
    "comment-bang-close": "<!-- x --!><img src=x onerror=alert(1)>",
    "comment-in-attribute": '<p title="<!--"><img src=x onerror=alert(1)>--></p>',
    "comment-conditional": "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    # headings, toc, admonitions, tables, code
    "heading-toc-breakout": '## x"><img src=x onerror=alert(1)>\n\n'
                            "### y' onmouseover=alert(1) '\n",
    "heading-script": "## <script>alert(1)</script>Title\n",
    "heading-attr-list-lookalike": "## Title {#main onclick=alert(1)}\n",
    "heading-javascript-link": "## javascript:alert(1)\n\n### [x](javascript:alert(1))\n",
    "heading-id-clobber": '<h2 id="main">x</h2>\n\n## main\n',
    "heading-setext-html": '<svg onload=alert(1)>\n---\n\nTitle<img src=x onerror=alert(1)>\n===\n',
    "admonition-title-quote": '!!! note "x\\"><img src=x onerror=alert(1)>"\n    body\n',
    "admonition-title-html": '!!! warning "<script>alert(1)</script>"\n    body\n',
    "admonition-type-injection": '!!! note" onmouseover="alert(1) "t"\n    body\n',
    "admonition-body-html": '!!! danger\n    <img src=x onerror=alert(1)>\n',
    "table-cell-html": "| a | b |\n|---|---|\n"
                       "| <img src=x onerror=alert(1)> | <a href=javascript:alert(1)>x</a> |\n",
    "fence-info-breakout": '```"><script>alert(1)</script>\ncode\n```\n',
    "fence-info-onerror": "```x onerror=alert(1)\ncode\n```\n",
    "code-span-and-code-tag": "`<script>alert(1)</script>` and <code><img src=x onerror=alert(1)></code>",
    # DOM clobbering
    "img-name-clobber": '<img name="getElementById" src="x"><form name="cookie"></form>',
    "a-id-name-clobber": '<a id="defaultView" name="location" href="x">x</a>',
    "h2-id-main": '<h2 id="main">x</h2>',
    # content inside <select>: the sanitizer must not hand back a tree that reparses differently
    "select-nested-paragraphs": "<p><select><p>x</p></select></p>",
    "select-nested-links": '<a href="/x"><select><a href="/y">z</a></select></a>',
    "unknown-element-nested-headings": "<h2><x-widget><h2>x</h2></x-widget></h2>",
}
HEADING_PAYLOADS = {name for name in PAYLOADS if name.startswith("heading-")}


def fixed_resolver(target):
    return "/tracks/t/modules/x"


def trusting_resolver(target):
    """Hands the author's target straight back: the sanitizer has to hold even then."""
    return target


RESOLVERS = {"fixed-resolver": fixed_resolver, "trusting-resolver": trusting_resolver}


# Payloads that are inert even without the sanitizer, because Python-Markdown escapes them or
# does not recognise the syntax (attr_list and md_in_html are not enabled). They stay in the
# list as guards: if Python-Markdown or the extension list changes, the sanitizer still holds.
INERT_WITHOUT_SANITIZER = {
    "href-entity-double-encoded",   # decodes once, to the relative URL "&#106;avascript:..."
    "md-link-title-double-quote", "md-link-title-single-quote", "md-image-title-breakout",
    "md-html-block-markdown-attr", "heading-attr-list-lookalike", "admonition-type-injection",
    "fence-info-onerror",
}


def _problems_without_sanitizer(payload, monkeypatch) -> list[str]:
    with monkeypatch.context() as patch:
        patch.setattr(rendering, "sanitize_html", lambda html: html)
        outputs = [payload]
        for resolver in RESOLVERS.values():
            raw = render_markdown(payload, resolver)
            outputs += [raw.html, raw.toc_html]
    ignored = "link without rel=noopener"   # would flag every link, hostile or not
    return [p for html in outputs for p in _inspect(html).problems if not p.startswith(ignored)]


def test_there_are_enough_distinct_payloads():
    assert len(set(PAYLOADS.values())) == len(PAYLOADS) >= 45
    assert INERT_WITHOUT_SANITIZER <= PAYLOADS.keys()


@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_is_hostile_without_the_sanitizer(name, monkeypatch):
    """Guards the list: each payload trips the checker unless the sanitizer is in the way
    (and the few that do not are known and named above)."""
    problems = _problems_without_sanitizer(PAYLOADS[name], monkeypatch)
    assert bool(problems) == (name not in INERT_WITHOUT_SANITIZER), problems


@pytest.mark.parametrize("name", PAYLOADS)
def test_sanitize_html_output_is_inert(name):
    assert_inert(sanitize_html(PAYLOADS[name]))


@pytest.mark.parametrize("resolver", RESOLVERS.values(), ids=RESOLVERS.keys())
@pytest.mark.parametrize("name", PAYLOADS)
def test_rendered_markdown_is_inert(name, resolver):
    rendered = render_markdown(PAYLOADS[name], resolver)
    assert_inert(rendered.html)
    assert_inert(rendered.toc_html)
    if name in HEADING_PAYLOADS:
        assert rendered.toc_html, "a heading payload should have reached the table of contents"
        toc_targets = {a["href"] for a in _elements(rendered.toc_html, "a")}
        ids = {"#" + attrs["id"] for _, attrs in _inspect(rendered.html).elements
               if attrs.get("id")}
        assert toc_targets <= ids


@pytest.mark.parametrize("name", PAYLOADS)
def test_rendering_is_deterministic(name):
    first = render_markdown(PAYLOADS[name], fixed_resolver)
    second = render_markdown(PAYLOADS[name], fixed_resolver)
    assert first.html.encode() == second.html.encode()
    assert first.toc_html.encode() == second.toc_html.encode()
    assert first == second


@pytest.mark.parametrize("name", PAYLOADS)
def test_sanitizing_is_idempotent(name):
    once = sanitize_html(PAYLOADS[name])
    assert sanitize_html(once) == once
    rendered = render_markdown(PAYLOADS[name], fixed_resolver)
    assert sanitize_html(rendered.html) == rendered.html
    assert sanitize_html(rendered.toc_html) == rendered.toc_html


# --------------------------------------------------------------------------------------------
# Safe content survives
# --------------------------------------------------------------------------------------------

def test_headings_get_prefixed_ids_and_the_toc_links_to_them():
    rendered = render_markdown(
        "# Module title\n\n## First steps\n\n### Call prep\n\n## Objection handling\n",
        fixed_resolver)
    assert_inert(rendered.html)
    assert_inert(rendered.toc_html)
    heading_ids = [attrs["id"] for tag, attrs in _inspect(rendered.html).elements
                   if tag in {"h1", "h2", "h3"}]
    assert heading_ids == ["sec-module-title", "sec-first-steps", "sec-call-prep",
                           "sec-objection-handling"]
    toc_links = [a["href"] for a in _elements(rendered.toc_html, "a")]
    assert toc_links == ["#sec-first-steps", "#sec-call-prep", "#sec-objection-handling"]
    assert _elements(rendered.toc_html, "div") == [{"class": "toc"}]
    assert rendered.heading_count == 3


def test_raw_html_heading_ids_are_prefixed_not_dropped():
    assert sanitize_html('<h2 id="pricing">Pricing</h2>') == '<h2 id="sec-pricing">Pricing</h2>'
    assert sanitize_html('<h2 id="sec-pricing">P</h2>') == '<h2 id="sec-pricing">P</h2>'


def test_tables_keep_alignment():
    rendered = render_markdown(
        "| Left | Right | Centre |\n|:-----|------:|:------:|\n| a | b | c |\n", fixed_resolver)
    assert_inert(rendered.html)
    aligns = [attrs.get("align") for tag, attrs in _inspect(rendered.html).elements
              if tag in {"th", "td"}]
    assert aligns == ["left", "right", "center"] * 2


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "danger", "important"])
def test_admonitions_keep_their_classes(kind):
    rendered = render_markdown(f'!!! {kind} "Heads up"\n    Ask open questions.\n',
                               fixed_resolver)
    assert_inert(rendered.html)
    assert f'<div class="admonition {kind}">' in rendered.html
    assert '<p class="admonition-title">Heads up</p>' in rendered.html
    assert "<p>Ask open questions.</p>" in rendered.html


@pytest.mark.parametrize("url", [
    "http://example.com/a", "https://example.com/a?b=1", "mailto:coach@example.com",
])
def test_safe_absolute_links_are_kept_with_rel(url):
    for html in (sanitize_html(f'<a href="{url}">x</a>'),
                 render_markdown(f"[x]({url})", fixed_resolver).html):
        assert_inert(html)
        assert _elements(html, "a") == [{"href": url, "rel": "noopener noreferrer"}]


def test_autolinks_are_kept_with_rel():
    html = render_markdown("<https://example.com/a>", fixed_resolver).html
    assert_inert(html)
    assert _elements(html, "a") == [{"href": "https://example.com/a",
                                     "rel": "noopener noreferrer"}]


def test_relative_module_links_and_images_go_through_resolve_link():
    table = {
        "02-discovery.md": "/tracks/t/modules/discovery",
        "02-discovery.md#close": "/tracks/t/modules/discovery#sec-close",
        "../assets/funnel.png": "/tracks/t/assets/funnel.png",
    }
    asked = []

    def resolve(target):
        asked.append(target)
        return table.get(target)

    rendered = render_markdown(
        "See [discovery](02-discovery.md), [closing](02-discovery.md#close), "
        "[pricing](#pricing), [outside](../../etc/passwd) and [home](/dashboard).\n\n"
        '![Funnel](../assets/funnel.png "The funnel")\n', resolve)
    assert_inert(rendered.html)
    assert sorted(asked) == sorted(["02-discovery.md", "02-discovery.md#close",
                                    "../../etc/passwd", "../assets/funnel.png"])
    assert [a.get("href") for a in _elements(rendered.html, "a")] == [
        "/tracks/t/modules/discovery", "/tracks/t/modules/discovery#sec-close",
        "#sec-pricing", None, "/dashboard"]
    assert _elements(rendered.html, "img") == [
        {"alt": "Funnel", "src": "/tracks/t/assets/funnel.png", "title": "The funnel"}]


def test_images_with_relative_src_are_kept():
    html = sanitize_html('<img src="img/funnel.png" alt="Funnel" width="40" height="30">')
    assert_inert(html)
    assert _elements(html, "img") == [
        {"src": "img/funnel.png", "alt": "Funnel", "width": "40", "height": "30"}]


def test_code_keeps_hostile_text_as_visible_text():
    rendered = render_markdown('```html\n<script>alert("hi")</script>\n```\n', fixed_resolver)
    assert_inert(rendered.html)
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in rendered.html \
        or '&lt;script&gt;alert("hi")&lt;/script&gt;' in rendered.html
    assert '<script>alert("hi")</script>' in rendered.text


# --------------------------------------------------------------------------------------------
# Property: whatever goes in, what comes out is inert and stable
# --------------------------------------------------------------------------------------------

FRAGMENTS = [
    "<", ">", "</", "/", "=", " ", "\t", "\n", '"', "'", "`", "&#", "&#106;", "&#x6A;",
    "106;", "x09;", "script", "<script>", "</script>", "onerror=", "onload=", "javascript:",
    "JaVaScRiPt:", "java&#x09;script:", "alert(1)", "<img src=x ", "<a href=", "<svg",
    "<math", "<style>", "<p", "<table>", "<td>", "<!--", "-->", "--!>", "<![CDATA[", "]]>",
    "data:text/html,", "<noscript>", "<template>", "<xmp>", "<h2 id=",
]
documents = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None, database=None)
@given(documents)
@example("<h2><i6><h2>")             # shrunk from a failure this test found
@example("<p><select><p>x</select>")
@example('<a href="m\x80JaVaScRiPt:x">x</a>')
def test_sanitize_html_output_is_always_inert_and_stable(document):
    once = sanitize_html(document)
    assert_inert(once)
    assert sanitize_html(once) == once


MARKDOWN_FRAGMENTS = FRAGMENTS + [
    "[x](", ")", "![x](", "]", "## ", "!!! note ", "\n    ", "| a |", "\n|---|\n", "```",
    "[r]: ", "[x][r]", " \"t\"", "\n\n",
]
markdown_documents = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_FRAGMENTS), st.text(max_size=8)), max_size=25,
).map("".join)


@settings(max_examples=150, deadline=None, database=None)
@given(markdown_documents)
@example("<h2><e><h2>")               # shrunk from a failure this test found
def test_rendered_markdown_is_always_inert(document):
    rendered = render_markdown(document, fixed_resolver)
    assert_inert(rendered.html)
    assert_inert(rendered.toc_html)
    assert sanitize_html(rendered.html) == rendered.html
