"""Text-direction controls: refused in the names people type, isolated wherever text is shown.

U+202E (right-to-left override) and its kin are invisible and reorder the text after them, so
a user named "Evil\u202egnp.exe" reads as "Evilexe.png", and the override runs on into whatever
the page shows next. Pure code: no Flask.
"""
import re

DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ISOLATE_INITIATORS = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def direction_controls(text: str) -> list[str]:
    """The direction controls in text as code points (e.g. ["U+202E"]), each named once."""
    found = dict.fromkeys(DIRECTION_CONTROLS.findall(text))
    return [f"U+{ord(char):04X}" for char in found]


def direction_control_problem(label: str, text: str) -> str | None:
    """Why text may not be stored as a name (`label` names the field), or None."""
    found = direction_controls(text)
    if not found:
        return None
    return (f"{label} contains an invisible text-direction character ({', '.join(found)}) "
            "that can make it read as something else; type it again without it")


def isolate(text: str) -> str:
    """Text with direction controls wrapped so they cannot reorder anything around it.

    Text without any is returned as it is. The wrapping is FIRST STRONG ISOLATE … POP
    DIRECTIONAL ISOLATE, what `<bdi>` does, but it also works in attributes, `<title>`, SVG
    and plain-text email. Each line is wrapped on its own: a line break ends any isolate.
    """
    if DIRECTION_CONTROLS.search(text) is None:
        return text
    return "".join(_isolate_line(line) for line in text.splitlines(keepends=True))


def _isolate_line(line: str) -> str:
    body = line.splitlines()[0]
    if DIRECTION_CONTROLS.search(body) is None:
        return line
    kept, still_open = [], 0
    for char in body:
        if char in ISOLATE_INITIATORS:
            still_open += 1
        elif char == POP_DIRECTIONAL_ISOLATE:
            if not still_open:
                continue  # it would close the wrapping isolate and let what follows out
            still_open -= 1
        kept.append(char)
    # Close the text's own isolates first, so the last PDI closes the wrapping one.
    return (FIRST_STRONG_ISOLATE + "".join(kept) + POP_DIRECTIONAL_ISOLATE * still_open
            + POP_DIRECTIONAL_ISOLATE + line[len(body):])
