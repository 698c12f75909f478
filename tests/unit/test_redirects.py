import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.accounts.redirects import safe_next_path

OPEN_REDIRECT_PAYLOADS = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https://evil.example",
    "http://evil.example/path",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "//evil.example/%2F..",
    "evil.example",
    "@evil.example",
    "/%0d%0aLocation:%20http://evil.example\r\n",
    "ftp://evil.example",
    "/" + "a" * 2100,
]


@pytest.mark.parametrize("payload", OPEN_REDIRECT_PAYLOADS)
def test_rejects_targets_that_leave_the_site(payload):
    assert safe_next_path(payload) is None


@pytest.mark.parametrize("target", ["/", "/week", "/admin/users?q=ann&page=2", "/a/b#part",
                                    "/%2F%2Fevil.example"])
def test_keeps_local_paths(target):
    assert safe_next_path(target) == target


@pytest.mark.parametrize("empty", [None, ""])
def test_nothing_given_means_no_target(empty):
    assert safe_next_path(empty) is None


# Characters that matter to URL parsing, mixed with any text.
URL_PIECES = st.sampled_from(["/", "//", "\\", ":", "@", "?", "#", "%2F", "%5C", ".", "..", "\t",
                              "\n", "\r", " ", "evil.example", "https:", "javascript:", "\x00",
                              "\u3002", "\uff0f"])
TARGETS = st.lists(st.one_of(URL_PIECES, URL_PIECES, st.text(max_size=4)), min_size=1,
                   max_size=12).map("".join)
# Local paths start with a slash: most targets do, so the rest of them is what gets tried.
STARTING_WITH_A_SLASH = TARGETS.map(lambda rest: "/" + rest)


def as_a_browser_reads(target: str) -> str:
    """What a browser makes of a Location path: it drops tabs and newlines, strips leading
    controls and spaces, and reads backslashes as slashes (WHATWG URL parsing)."""
    return re.sub(r"[\t\n\r]", "", target).lstrip("".join(map(chr, range(0x21)))).replace(
        "\\", "/")


@settings(max_examples=1000, derandomize=True)
@given(st.one_of(TARGETS, STARTING_WITH_A_SLASH))
def test_whatever_it_keeps_stays_on_this_site(target):
    kept = safe_next_path(target)
    if kept is not None:
        assert kept == target
        landed = urlsplit(urljoin("https://learn.example/tracks/", as_a_browser_reads(kept)))
        assert (landed.scheme, landed.netloc) == ("https", "learn.example")


@settings(max_examples=200, derandomize=True)
@given(st.lists(st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                               max_codepoint=0x2FF), min_size=1, max_size=8),
                min_size=1, max_size=5))
def test_plain_paths_on_this_site_are_kept(segments):
    path = "/" + "/".join(segments)
    assert safe_next_path(path) == path
