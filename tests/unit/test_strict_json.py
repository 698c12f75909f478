"""The strict JSON reader: JSON as Python writes it reads back the same; hostile documents
are refused saying what and where; nothing makes the decoder recurse past 2 × MAX_DEPTH."""
import inspect
import json
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cev_learn.platform.strict_json import (MAX_DEPTH, MAX_FAULTS, MAX_INTEGER, NotJson, NulCharacter,
                                   RefusedJson, loads)

TEXT = st.text().filter(lambda text: "\0" not in text)  # no lone surrogates by default
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_INTEGER, MAX_INTEGER) | TEXT
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@given(value=VALUES, ascii_only=st.booleans())
def test_json_as_python_writes_it_reads_back_the_same(value, ascii_only):
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    if depth(value) > MAX_DEPTH:
        with pytest.raises(NotJson):
            loads(data)
    else:
        assert loads(data) == value


@pytest.mark.parametrize("open_,close,per_step", [("[", "]", 1), ('{"a":', "}", 1),
                                                   ('[{"a":', "}]", 2)])
def test_nesting_is_read_up_to_the_limit_and_refused_past_it(open_, close, per_step):
    steps = MAX_DEPTH // per_step
    assert loads((open_ * steps + "1" + close * steps).encode()) is not None
    deeper = open_ * (steps + 1) + "1" + close * (steps + 1)
    with pytest.raises(NotJson, match=f"more than {MAX_DEPTH} deep"):
        loads(deeper.encode())


@pytest.mark.parametrize("data,refusal,detail,pointers", [
    (b'{"records": [{"name": "\\ud800"}]}', NotJson,
     "name is not valid Unicode: it holds a lone surrogate U+D800 at /records/0/name",
     ["/records/0/name"]),
    (b'{"\\udc00": 1}', NotJson, "a key is not valid Unicode: it holds a lone surrogate U+DC00 "
                                 "at /\ufffd", ["/\ufffd"]),
    (b'["\\ud83d\\ude00", "\\ude00\\ud83d"]', NotJson,
     "text is not valid Unicode: it holds a lone surrogate U+DE00 at /1", ["/1"]),
    (b'{"a": NaN, "b": [Infinity, -Infinity]}', NotJson,
     "NaN is not a JSON number at /a (2 more in errors)", ["/a", "/b/0", "/b/1"]),
    (b'{"amount": 1e400}', NotJson, "number 1e400 is out of range at /amount", ["/amount"]),
    (b"-" + b"9" * 5000, NotJson, "number -9999999999999999999… (5,001 characters) is out of "
                                  "range: integers go up to 9,223,372,036,854,775,807 either "
                                  "side of 0 at /", ["/"]),
    (b'{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}', NotJson,
     "key 'a' appears more than once at /a (1 more in errors)", ["/a", "/b/c"]),
    (b'{"a/b~c": "x\\u0000"}', NulCharacter, "text may not contain NUL characters", ["/a~1b~0c"]),
    (b'["\\u0000", {"\\u0000": 1}]', NulCharacter, "text may not contain NUL characters",
     ["/0", "/1/\0"]),
    (b'{"a": "\\u0000", "b": NaN}', NotJson, "NaN is not a JSON number at /b", ["/b"]),
    (b"\xef\xbb\xbf{}", NotJson, "the body starts with a byte order mark; send UTF-8 without one",
     []),
    (b'{"a": "\xed\xa0\x80"}', NotJson, "the body is not UTF-8: byte 0xed at offset 7 invalid "
                                       "continuation byte; send JSON as UTF-8", []),
    (b'{"a": [1}', NotJson, "the body is not valid JSON: Expecting ',' delimiter: line 1 "
                            "column 9 (char 8)", []),
    (b"[" * 100_000, NotJson, f"the body nests arrays and objects more than {MAX_DEPTH} deep",
     []),
])
def test_a_refusal_says_what_is_wrong_and_where(data, refusal, detail, pointers):
    with pytest.raises(RefusedJson) as caught:
        loads(data)
    assert type(caught.value) is refusal
    assert caught.value.detail == detail
    assert [fault.pointer for fault in caught.value.faults] == pointers


def test_a_refusal_lists_at_most_max_faults():
    with pytest.raises(NulCharacter) as caught:
        loads(json.dumps(["\0"] * 10_000).encode())
    assert len(caught.value.faults) == MAX_FAULTS


@given(text=st.text(alphabet='[]{}"\\:,1 ', max_size=300))
@example(text="[" * MAX_DEPTH * 2 + "]" * MAX_DEPTH + "}")  # 64 deep, then an error
@example(text="[" * 200)  # what the decoder would recurse into without the depth check
@example(text='"' + '\\"' * 50 + "[" * 200)
def test_no_text_makes_the_decoder_recurse_past_twice_the_limit(text):
    """Brackets that do not pair up reach the decoder, which then stops at the error."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 2 * MAX_DEPTH + 20)
    try:
        loads(text.encode())
    except RefusedJson:
        pass
    finally:
        sys.setrecursionlimit(limit)
