"""JSON read strictly, for request bodies and anything else a client sends: one UTF-8
document as RFC 8259 defines it, nested at most MAX_DEPTH deep, numbers a database can hold,
valid Unicode, no key twice. Pure: no Flask.

Python's json module is lenient where a client gains from it (NaN and Infinity, lone
surrogates that no database encodes, the last of two equal keys silently winning) and its C
decoder recurses once per level, so 100,000 nested arrays end in a RecursionError. The depth is
therefore measured on the text before decoding, and one walk over the decoded value finds what
the decoder let through.
"""
import codecs
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import partial

MAX_DEPTH = 32  # arrays and objects inside each other; the API's bodies need 3
MAX_INTEGER = 2**63 - 1  # a BIGINT column; JSON integers beyond it are refused
MAX_FAULTS = 100  # listed in one refusal, so a body of a million bad strings answers briefly
SHOWN_CHARS = 24  # of a number quoted in a message
# A string literal, or an unterminated one up to the end: every match attempt succeeds, so a
# body of escaped quotes is scanned once, not once per quote.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_INNERMOST = re.compile(r"\[\]|\{\}")  # one pass over the text: one level, not two
_TOO_DEEP = re.compile(r"[\[{]{%d}" % (MAX_DEPTH + 1))
_SURROGATE = re.compile("[\ud800-\udfff]")
# The only ways a NUL or a lone surrogate gets into valid UTF-8 JSON: as an escape
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


@dataclass(frozen=True)
class Fault:
    """What is wrong (`detail`) at a JSON pointer into the document ("/" for all of it)."""

    pointer: str
    detail: str
    nul: bool = False  # a NUL character: valid JSON, but no database stores it


class RefusedJson(ValueError):
    """A document refused: `detail` says what is wrong, `faults` (if known) where."""

    def __init__(self, detail: str, faults: list[Fault] | None = None):
        super().__init__(detail)
        self.detail, self.faults = detail, faults or []


class NotJson(RefusedJson):
    """Not one JSON document within the rules above."""


class NulCharacter(RefusedJson):
    """Valid JSON whose text holds NUL characters, which no database stores."""


def loads(data: bytes) -> object:
    """The JSON document in `data`; NotJson or NulCharacter say what is wrong and where."""
    text = _utf8(data)
    _refuse_deep_nesting(text)
    refused: list = []  # what the decoder's hooks let through, for the walk to place
    try:
        value = json.loads(text, parse_constant=partial(_not_a_number, refused),
                           parse_float=partial(_float, refused), parse_int=partial(_int, refused),
                           object_pairs_hook=partial(_object, refused))
    except json.JSONDecodeError as exc:
        raise NotJson(f"the body is not valid JSON: {exc}") from None
    if refused or _SUSPECT_ESCAPE.search(text):  # else a large body skips the walk
        _refuse_faults(value)
    return value


def _utf8(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        raise NotJson("the body starts with a byte order mark; send UTF-8 without one")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJson(f"the body is not UTF-8: byte 0x{data[exc.start]:02x} at offset "
                      f"{exc.start:,} {exc.reason}; send JSON as UTF-8") from None


def _refuse_deep_nesting(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH without a Python loop over the text: of the
    brackets outside strings, each round removes the innermost pairs, so a document no deeper
    than MAX_DEPTH leaves nothing after MAX_DEPTH rounds."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(MAX_DEPTH):
        shorter = _INNERMOST.sub("", brackets)
        if shorter == brackets:
            break
        brackets = shorter
    # A pair left is nested deeper than MAX_DEPTH. Brackets that do not pair up are left to
    # the decoder to name: unless MAX_DEPTH openers come in a row, it meets the error before
    # it is 2 × MAX_DEPTH deep.
    if "[]" in brackets or "{}" in brackets or _TOO_DEEP.search(brackets):
        raise NotJson(f"the body nests arrays and objects more than {MAX_DEPTH} deep")


def _refuse_faults(value) -> None:
    faults: list[Fault] = []
    _walk(value, "", "text", faults)
    faults = [Fault(f.pointer or "/", f.detail, f.nul) for f in faults[:MAX_FAULTS]]
    if invalid := [fault for fault in faults if not fault.nul]:
        first = invalid[0]
        more = f" ({len(invalid) - 1} more in errors)" if len(invalid) > 1 else ""
        raise NotJson(f"{first.detail} at {first.pointer}{more}", invalid)
    if faults:
        raise NulCharacter("text may not contain NUL characters", faults)


# --- What the decoder lets through, marked for the walk ---------------------------------

@dataclass(frozen=True)
class _Refused:
    """A number the decoder read that JSON or a database cannot hold."""

    detail: str


class _Duplicated(dict):
    """An object in which some keys came more than once (the last one's value kept)."""

    def __init__(self, pairs: list, duplicates: list[str]):
        super().__init__(pairs)
        self.duplicates = duplicates


def _not_a_number(refused: list, literal: str) -> _Refused:
    refused.append(_Refused(f"{literal} is not a JSON number"))
    return refused[-1]


def _float(refused: list, literal: str) -> float | _Refused:
    value = float(literal)  # 1e400 is inf
    if math.isfinite(value):
        return value
    refused.append(_Refused(f"number {_shown(literal)} is out of range"))
    return refused[-1]


def _int(refused: list, literal: str) -> int | _Refused:
    # The length first: int() of more than 4,300 digits raises (CVE-2020-10735)
    if len(literal.lstrip("-")) <= len(str(MAX_INTEGER)):
        value = int(literal)
        if abs(value) <= MAX_INTEGER:
            return value
    refused.append(_Refused(f"number {_shown(literal)} is out of range: integers go up to "
                            f"{MAX_INTEGER:,} either side of 0"))
    return refused[-1]


def _object(refused: list, pairs: list) -> dict:
    if len({key for key, _ in pairs}) == len(pairs):
        return dict(pairs)
    counts = Counter(key for key, _ in pairs)
    refused.append(_Duplicated(pairs, [key for key, count in counts.items() if count > 1]))
    return refused[-1]


def _shown(literal: str) -> str:
    if len(literal) <= SHOWN_CHARS:
        return literal
    return f"{literal[:SHOWN_CHARS - 4]}… ({len(literal):,} characters)"


# --- One walk over the decoded value ------------------------------------------------------

def _walk(value, pointer: str, field: str, faults: list[Fault]) -> None:
    """Add the faults in `value` at `pointer` (`field` names it in messages), in document
    order, until there are MAX_FAULTS. Recursion is safe: the depth was bounded before."""
    if isinstance(value, str):
        _check_text(value, pointer, field, faults)
    elif isinstance(value, _Refused):
        faults.append(Fault(pointer, value.detail))
    elif isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            faults.append(Fault(f"{pointer}/{_step(key)}",
                                f"key {_shown_text(key)!r} appears more than once"))
        for key, item in value.items():
            if len(faults) >= MAX_FAULTS:
                return
            if _suspect(key) or _suspect(item):
                member = f"{pointer}/{_step(key)}"
                _check_text(key, member, "a key", faults)
                _walk(item, member, key, faults)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if len(faults) >= MAX_FAULTS:
                return
            if _suspect(item):
                _walk(item, f"{pointer}/{index}", "text", faults)


def _suspect(value) -> bool:
    """Whether a value may hold a fault: containers, refused numbers, text but plain ASCII."""
    if isinstance(value, str):
        return "\0" in value or not value.isascii()  # isascii() is a flag lookup
    return isinstance(value, (dict, list, _Refused))


def _check_text(text: str, pointer: str, field: str, faults: list[Fault]) -> None:
    if not text.isascii() and (surrogate := _SURROGATE.search(text)):
        faults.append(Fault(pointer, f"{_shown_text(field)} is not valid Unicode: it holds a "
                                     f"lone surrogate U+{ord(surrogate[0]):04X}"))
    if "\0" in text:
        faults.append(Fault(pointer, f"{_shown_text(field)} contains a NUL character", nul=True))


def _step(key: str) -> str:
    """A key as a JSON pointer step (RFC 6901)."""
    return _shown_text(key.replace("~", "~0").replace("/", "~1"))


def _shown_text(text: str) -> str:
    """Text with lone surrogates as U+FFFD, so that a message quoting it is valid Unicode."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)
