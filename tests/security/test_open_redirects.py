"""Open redirects: no address a visitor is sent to can take them off this site.

The parameters that choose where a response redirects are found in the code, so a new one
fails here until it is covered. Each payload goes through the views as a browser sends it
(percent-encoded, and as typed), and every redirect is followed to its end.
tests/unit/test_redirects.py checks safe_next_path on its own.
"""
import ast
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from tests.helpers import PASSWORD, csrf_token, login, make_user
from tests.notifications.helpers import give

SOURCE = Path(__file__).resolve().parents[2] / "cev_learn"
SITE = ("http", "localhost")
# The next-style parameters, and the redirects not built by url_for, in the code: all of
# them go through the views below.
# accounts/sso_views.py: test_next_never_leads_off_the_site_after_single_sign_on, in
# accounts/test_sso.py beside the real OpenID provider it needs.
COVERED_PARAMETERS = {("accounts/views.py", "next"), ("accounts/sso_views.py", "next")}
COVERED_REDIRECTS = {("accounts/views.py", 'next_path or url_for("core.home")'),
                     ("accounts/sso_views.py", 'safe_next_path(next_path) or url_for("core.home")'),
                     ("notifications/views.py", "page_of(notification)")}
REDIRECT_WORDS = re.compile(r"next|return|redirect|url|continue|back|came_from|goto|target|"
                            r"dest|referr?er|origin|callback|success|forward", re.I)

PAYLOADS = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http:/\\/evil.example",
    "https://evil.example",
    "http://evil.example/login",
    "HTTPS://EVIL.EXAMPLE",
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "  javascript:alert(1)",
    "   //evil.example",
    "\x01//evil.example",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "https://localhost@evil.example",
    "//localhost@evil.example",
    "//evil.example%00",
    "//evil.example\x00",
    "/\r\nSet-Cookie: planted=1",
    "\uff0f\uff0fevil.example",
    "/\uff0f/evil.example",
    "evil.example",
    "@evil.example",
    "/login?next=//evil.example",
    "/login?next=/login?next=https://evil.example",
    "/login?next=%2F%2Fevil.example",
    "/" + "a" * 3000,
]


def browser_target(location: str) -> tuple[str, str]:
    """(scheme, host) a browser on http://localhost/login goes to for this Location: it
    drops tabs and newlines, strips leading spaces and controls, and reads \\ as /."""
    cleaned = re.sub(r"[\t\n\r]", "", location).lstrip("".join(map(chr, range(0x21))))
    landed = urlsplit(urljoin("http://localhost/login", cleaned.replace("\\", "/")))
    return landed.scheme, landed.netloc


def on_site(location: str) -> bool:
    """A path on this site ("/x", never "//x" or "/\\x"), or an absolute URL of this site."""
    if location.startswith(("http://localhost/", "https://localhost/")):
        return browser_target(location) in (SITE, ("https", "localhost"))
    return (location.startswith("/") and not location.startswith(("//", "/\\"))
            and browser_target(location) == SITE)


def follow(client, response, problems: list[str], label: str, hops: int = 6):
    """Follow redirects as a browser would, noting any that leaves the site."""
    for _ in range(hops):
        if response.status_code not in (301, 302, 303, 307, 308):
            assert response.status_code < 500, f"{label}: {response.status_code}"
            return response
        location = response.headers["Location"]
        if not on_site(location):
            problems.append(f"{label}: redirected to {location!r}")
            return response
        response = client.get(location)
    problems.append(f"{label}: more than {hops} redirects")
    return response


def sent_ways(payload: str) -> dict[str, str]:
    """The query string value as a browser sends it: percent-encoded, and as typed."""
    ways = {"encoded": quote(payload, safe="")}
    typed = quote(payload, safe="/:@\\?=.%")
    if typed != ways["encoded"]:
        ways["typed"] = typed
    return ways


def test_every_redirect_parameter_in_the_code_is_covered():
    parameters, redirects = set(), set()
    for path in SOURCE.rglob("*.py"):
        source = path.read_text()
        module = path.relative_to(SOURCE).as_posix()
        nodes = list(ast.walk(ast.parse(source)))
        redirecting = any(_is_redirect_call(node) for node in nodes)
        for node in nodes:
            if _reads_request(node):
                name = _parameter_name(node)
                # A name chosen at run time matters where the module redirects.
                if REDIRECT_WORDS.search(name or "") or (name is None and redirecting):
                    parameters.add((module, name or ast.get_source_segment(source, node)))
            elif _is_redirect_call(node) and node.args and not _built_by_url_for(node.args[0]):
                redirects.add((module, ast.get_source_segment(source, node.args[0])))
    assert parameters == COVERED_PARAMETERS, (
        "a request value may choose where a response redirects: test it in this module")
    assert redirects == COVERED_REDIRECTS, (
        "a redirect to an address not built by url_for: test it in this module")


def _reads_request(node) -> bool:
    """request.args.get(...), request.values[...], request.referrer, request.headers..."""
    if isinstance(node, ast.Attribute) and node.attr in ("referrer", "url_root", "host_url") \
            and isinstance(node.value, ast.Name) and node.value.id == "request":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("get", "getlist"):
        node = node.func.value
    elif isinstance(node, ast.Subscript):
        node = node.value
    else:
        return False
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "request"
            and node.attr in ("args", "form", "values", "headers", "cookies"))


def _parameter_name(node) -> str | None:
    key = node.args[0] if isinstance(node, ast.Call) and node.args else getattr(node, "slice",
                                                                               None)
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _is_redirect_call(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "redirect"


def _built_by_url_for(node) -> bool:
    """url_for(...), or url_for(...) + "#fragment" (a fragment cannot change the host)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _built_by_url_for(node.left) and isinstance(node.right,
                                                           (ast.Constant, ast.JoinedStr))
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "url_for"


def test_next_never_leads_off_the_site_when_signing_in_or_signed_in(app):
    user = make_user(Role.REP)
    problems: list[str] = []
    signed_in = app.test_client()
    assert signed_in.post("/login", data={"email": user.email, "password": PASSWORD,
                                          "csrf_token": csrf_token(signed_in)}).status_code == 302
    for payload in PAYLOADS:
        for way, value in sent_ways(payload).items():
            label = f"{payload!r} ({way})"
            # Anonymous: the form must not carry a foreign target into its action.
            visitor = app.test_client()
            page = visitor.get(f"/login?next={value}")
            if page.status_code == 200:
                action = re.search(r'<form method="post" action="([^"]*)"',
                                   page.get_data(as_text=True)).group(1).replace("&amp;", "&")
                target = parse_qs(urlsplit(action).query).get("next", ["/"])[0]
                if not on_site(action) or not on_site(target):
                    problems.append(f"{label}: the sign-in form posts to {action!r}")
            else:
                assert page.status_code == 400, f"{label}: {page.status_code}"
            # Signing in with the payload as next, then following every redirect.
            response = visitor.post(f"/login?next={value}", data={
                "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(visitor)})
            assert "planted" not in response.headers.get("Set-Cookie", ""), label
            follow(visitor, response, problems, f"sign in, next={label}")
            # Already signed in: /login sends the user straight on.
            follow(signed_in, signed_in.get(f"/login?next={value}"), problems,
                   f"signed in, next={label}")
    assert not problems, "\n".join(problems)


def test_a_notification_leads_only_to_a_page_of_this_site(app):
    """Notifications store the path of the page they are about, and opening one goes there:
    a stored address that is not a path of this site leads to the list instead."""
    user = make_user(Role.REP)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    problems: list[str] = []
    for payload in PAYLOADS:
        if "\x00" in payload and db.engine.dialect.name == "postgresql":
            continue  # PostgreSQL stores no NUL in text, so no stored link can hold one
        notification = give(user, "Look", payload[:500])
        follow(client, client.get(f"/notifications/{notification.id}"), problems,
               f"notification link {payload!r}")
    assert not problems, "\n".join(problems)


def test_the_sign_in_detour_brings_users_back_to_this_site_only(app):
    """Flask-Login sends visitors of a protected page to /login?next=<that page>: the page's
    own address is the payload here, odd paths and query strings included."""
    admin = make_user(Role.ADMIN)
    problems, detours = [], 0
    paths = ["//admin/users", "//evil.example//admin/users", "/admin//users",
             "/admin/users?q=//evil.example", "/admin/users?q=%2F%2Fevil.example&next=//evil",
             "/admin/users?next=https://evil.example", "/admin/users/..%2F..%2F%2Fevil.example"]
    for path in paths:
        client = app.test_client()
        response = client.get("/", environ_overrides={"PATH_INFO": path.split("?")[0]},
                              query_string=path.partition("?")[2])
        while response.status_code in (301, 308):  # slashes merged, still on this site
            if not on_site(response.headers["Location"]):
                problems.append(f"{path}: redirected to {response.headers['Location']!r}")
                break
            response = client.get(response.headers["Location"])
        if response.status_code != 302:
            assert response.status_code in (200, 404), f"{path}: {response.status_code}"
            continue
        detour = response.headers["Location"]
        assert detour.startswith("/login?next="), f"{path}: {detour}"
        detours += 1
        signed = client.post(detour, data={"email": admin.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
        follow(client, signed, problems, f"{path} after sign-in")
    assert not problems, "\n".join(problems)
    assert detours == len(paths) - 2  # "//evil.example//admin/users" and "..%2F" name no page
