"""Each text of a question is shown by its own format: a GIFT format tag on an answer, a
feedback, the general feedback or a matching left side is never shown to a rep as text."""
from cev_learn.content.quiz_formats.gift import parse_gift
from cev_learn.quizzes.grading import Response
from cev_learn.quizzes.presenting import _question_view


def view(gift: str, response: Response, order: list[int] | None = None):
    [question] = parse_gift(gift)
    count = len(question.choices) or len(question.pairs)
    entry = {"key": "k", "order": order or list(range(count)), "rights": list(range(count))}
    return _question_view(1, entry, question, response, None, reveal=True)


def test_choice_and_feedback_tags_pick_how_each_text_is_shown():
    shown = view("Pick{=yellow#[html]<b>right</b> ~[plain]<i>blue</i>#[markdown]*no*"
                 "####[html]<em>Because</em>}", Response(choice=1))
    assert [str(option.html) for option in shown.options] == ["yellow", "&lt;i&gt;blue&lt;/i&gt;"]
    assert str(shown.options[1].feedback) == "<em>no</em>"
    assert str(shown.explanation) == "<em>Because</em>"
    assert "[plain]" not in str(shown.options[1].html)


def test_feedback_of_the_answer_given_keeps_its_format():
    shown = view("Days?{#14:1#[html]<b>Yes</b>~#[plain]<not a tag>}", Response(number=3))
    assert [str(note) for note in shown.feedback] == ["&lt;not a tag&gt;"]
    shown = view("Days?{#14:1#[html]<b>Yes</b>~#[plain]<not a tag>}", Response(number=14))
    assert [str(note) for note in shown.feedback] == ["<b>Yes</b>"]


def test_matching_left_sides_follow_their_tags():
    shown = view("[html]Match{=[plain]<a> -> x =[markdown]**b** -> y}", Response())
    assert [str(row.left_html) for row in shown.matches] == ["&lt;a&gt;", "<strong>b</strong>"]
