"""Direction controls: named when refused, and isolated so they cannot reorder a page."""
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cev_learn.platform.text_direction import direction_control_problem, direction_controls, isolate

CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INITIATORS, PDI = "\u2066\u2067\u2068", "\u2069"
LINE_BREAKS = "\n\r\x1c\x1d\x1e\x85\u2029"


def leaking_controls(text: str) -> list[str]:
    """Direction controls that can reorder text around them: outside any isolate, or an
    isolate left open at the end of its line (line breaks end every isolate)."""
    leaks, depth = [], 0
    for char in text + "\n":
        if char in LINE_BREAKS:
            leaks += ["unclosed isolate"] * (depth > 0)
            depth = 0
        elif char in INITIATORS:
            depth += 1
        elif char == PDI:
            depth = max(depth - 1, 0)
        elif char in CONTROLS and depth == 0:
            leaks.append(f"U+{ord(char):04X}")
    return leaks


def test_the_checker_catches_what_it_looks_for():
    assert leaking_controls("Evil\u202egnp.exe") == ["U+202E"]
    assert leaking_controls("\u2068Evil\u2069\u202egnp.exe\u2069") == ["U+202E"]
    assert leaking_controls("\u2068Evil\u2067gnp.exe\u2069") == ["unclosed isolate"]
    assert leaking_controls("\u2068Evil\u202egnp.exe\u2069 and more") == []


@pytest.mark.parametrize("char", CONTROLS)
def test_every_direction_control_is_named_with_the_field(char):
    assert direction_control_problem("name", f"Ana{char} Rep") == (
        f"name contains an invisible text-direction character (U+{ord(char):04X}) that can "
        "make it read as something else; type it again without it")


def test_each_control_is_named_once_in_order_of_appearance():
    assert direction_controls("\u202eA\u200fB\u202eC") == ["U+202E", "U+200F"]


@pytest.mark.parametrize("name", [
    "Ana Rep", "Zoë Ångström-Łukasiewicz", "محمد الأحمد", "דנה כהן", "मनोज कुमार",
    "Mehr\u200cdad",  # ZERO WIDTH NON-JOINER: part of Persian spelling
    "👩\u200d💻 Kim",  # ZERO WIDTH JOINER: part of an emoji
])
def test_names_in_any_script_pass(name):
    assert direction_control_problem("name", name) is None


def test_text_without_controls_is_shown_as_it_is():
    assert isolate("Ana Rep") == "Ana Rep"
    assert isolate("محمد الأحمد") == "محمد الأحمد"


def test_a_name_with_an_override_is_wrapped_in_one_isolate():
    assert isolate("Evil\u202egnp.exe") == "\u2068Evil\u202egnp.exe\u2069"


@given(st.text(alphabet=st.sampled_from(CONTROLS + LINE_BREAKS + "ab ע1")))
@example("\u2069\u202egnp.exe")  # a stray PDI would close the wrapping isolate early
@example("\u2067\u2067abc")  # unclosed isolates would swallow the wrapping PDI
@example("a\u202e\nb\u202e")
def test_isolated_text_never_reorders_what_is_around_it(text):
    shown = isolate(text)
    assert leaking_controls(shown) == []
    assert leaking_controls("x" + shown + "\u202ey") == ["U+202E"]  # what follows is untouched
    isolates = str.maketrans("", "", INITIATORS + PDI)
    assert shown.translate(isolates) == text.translate(isolates)  # nothing else changes
