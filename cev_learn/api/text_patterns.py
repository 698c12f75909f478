"""Regular expressions for the API's text values, stated in the OpenAPI document and enforced
by the request models (pydantic), so the two cannot disagree.

They are written to mean the same in the three engines that read them: ECMA-262 (the JSON
Schema validators of clients), Rust's regex (pydantic) and Python's re. Character classes list
code points as \\uXXXX escapes rather than using \\s, whose members differ between engines:
WHITESPACE is exactly what Python's str.strip() removes, which is how the server decides that
a value is blank.
"""
from cev_learn.platform.text_direction import DIRECTION_CONTROLS as _DIRECTION_CONTROLS

# The characters of str.isspace(), as ranges (tests/api/test_api_schema.py checks them).
WHITESPACE = (r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029"
              r"\u202f\u205f\u3000")
NUL = r"\u0000"  # no database stores it; JSON bodies holding it are refused
# U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: refused in names people type
DIRECTION_CONTROLS = "".join(f"\\u{ord(c):04x}" if c != "-" else c
                             for c in _DIRECTION_CONTROLS.pattern.strip("[]"))


def text(*, forbidden: str = "") -> str:
    """Any text, empty too, without NUL or the `forbidden` characters (a class body)."""
    return f"^[^{NUL}{forbidden}]*$"


def visible_text(*, forbidden: str = "") -> str:
    """Text with at least one character that is not whitespace, and without NUL or the
    `forbidden` characters (a class body)."""
    refused = NUL + forbidden
    return f"^[^{refused}]*[^{refused}{WHITESPACE}][^{refused}]*$"


def stripped(pattern: str) -> str:
    """`pattern` (unanchored) as the whole value, with any whitespace around it: for values
    the server strips before reading them, as it reads the cells of a CSV file."""
    return f"^[{WHITESPACE}]*(?:{pattern})[{WHITESPACE}]*$"


def any_case(words) -> str:
    """One of `words` in any mix of cases, whitespace around it allowed (`stripped`):
    [Cc][Aa][Ll][Ll] for call, since JSON Schema has no case-insensitive flag."""
    def letters(word: str) -> str:
        return "".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in word)

    return stripped("|".join(letters(word) for word in words))
