"""The answer fields of a quiz attempt page, and answers to fill them with."""
import random
from dataclasses import dataclass, field
from html.parser import HTMLParser


# What the summary page's button sends: only this grades an attempt before its deadline.
CONFIRM = [("confirm", "yes")]


@dataclass
class AnswerField:
    name: str
    kind: str  # radio, checkbox, select, number, text or essay
    choices: list[str] = field(default_factory=list)


class _QuizFormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, AnswerField] = {}
        self.in_form = False
        self.select: AnswerField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == "quiz-form"
        if not self.in_form or not attrs.get("name") and tag != "option":
            return
        name = attrs.get("name", "")
        if tag == "input" and attrs.get("type") in ("radio", "checkbox"):
            self._field(name, attrs["type"]).choices.append(attrs.get("value", ""))
        elif tag == "input" and attrs.get("type", "text") == "text":
            self._field(name, "number" if attrs.get("inputmode") == "decimal" else "text")
        elif tag == "textarea":
            self._field(name, "essay")
        elif tag == "select":
            self.select = self._field(name, "select")
        elif tag == "option" and self.select is not None and attrs.get("value"):
            self.select.choices.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None

    def _field(self, name: str, kind: str) -> AnswerField:
        return self.fields.setdefault(name, AnswerField(name, kind))


def quiz_fields(html: str) -> list[AnswerField]:
    """The answer fields of the form with id quiz-form (the CSRF token left out)."""
    parser = _QuizFormParser()
    parser.feed(html)
    return list(parser.fields.values())


def fill_answers(fields: list[AnswerField], rng: random.Random) -> list[tuple[str, str]]:
    """A plausible answer for every field, as form pairs."""
    pairs = []
    for f in fields:
        if f.kind in ("radio", "select") and f.choices:
            pairs.append((f.name, rng.choice(f.choices)))
        elif f.kind == "checkbox" and f.choices:
            picked = rng.sample(f.choices, rng.randint(1, min(2, len(f.choices))))
            pairs.extend((f.name, value) for value in picked)
        elif f.kind == "number":
            pairs.append((f.name, str(rng.randint(1, 100))))
        elif f.kind == "text":
            pairs.append((f.name, rng.choice(["discovery", "champion", "next step"])))
        elif f.kind == "essay":
            pairs.append((f.name, "Ask what they compare the price with, then go back to the "
                                  "cost of the problem they described."))
    return pairs
