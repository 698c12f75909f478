"""Password hashing with werkzeug at a configurable (OWASP-strength by default) cost."""
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 256


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
