import pytest

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
