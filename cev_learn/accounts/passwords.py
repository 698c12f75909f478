"""Password hashing with werkzeug at a configurable (OWASP-strength by default) cost."""
import re
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's scale: 3 means about 10^8 guesses or more; below it are common passwords, words
# with digits tacked on, keyboard walks, repeats and the person's own name or email.
MIN_STRENGTH = 3
# zxcvbn grows quickly with length; the first 100 characters decide any real password.
STRENGTH_PREFIX = 100


def guessable(password: str, personal: tuple[str, ...] = ()) -> str | None:
    """Why a new password is too easy to guess (common, a pattern, the person's own name or
    email), or None when it is not."""
    words = {w for text in personal for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2}
    result = zxcvbn(password[:STRENGTH_PREFIX], user_inputs=[*filter(None, personal), *words])
    if result["score"] >= MIN_STRENGTH:
        return None
    warning = result["feedback"]["warning"] or "It follows a pattern that is easy to guess."
    return f"This password is too easy to guess. {warning} A few unrelated words work well."


def hash_password(password: str, method: str) -> str:
    return generate_password_hash(password, method=method)


def verify_password(password_hash: str | None, password: str, method: str) -> bool:
    """Check a password; with no hash, still spend the same time so timing leaks nothing."""
    if not password_hash:
        check_password_hash(_dummy_hash(method), password)
        return False
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)
