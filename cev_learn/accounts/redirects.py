"""Safe post-login redirects: only ever to a path on this site."""
from urllib.parse import urlsplit

MAX_TARGET_LENGTH = 2000


def safe_next_path(target: str | None) -> str | None:
    """Return target if it is a local path like /a/b?c, else None.

    Browsers forgive a lot: they treat backslashes as slashes and drop tabs and newlines,
    so "/\\evil.com" and "/\\t/evil.com" both mean "//evil.com". Anything unusual is refused.
    """
    if not target or len(target) > MAX_TARGET_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
