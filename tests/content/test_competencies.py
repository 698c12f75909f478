"""track.yaml's competencies: what a good one loads into, and every wrong name refused with
the file, line and what is wrong."""
import textwrap

import pytest

from cev_learn.content.loader import check_tree, load_tree
from cev_learn.content.quiz_formats.gift import export_gift, parse_gift
from cev_learn.content.quiz_formats.native import parse_native
from tests.content.trees import TRACK_YAML, good_track

QUIZ = """\
// [tag:discovery] [tag:cost]
::Cost::Ask about cost first?{T}

// A comment without tags
::Budget::Ask about budget first?{F}

// [tag:discovery]
::Pain::Who feels the pain?{=the buyer ~the seller}
"""
EXTRA = """\
quizzes:
  basics: {file: quizzes/basics.gift}
rubrics:
  pitch: {title: Pitch, pass_mark: 0.6, criteria: [Questions, Story]}
"""


def _track(tmp_path, competencies: str):
    yaml = TRACK_YAML + EXTRA + "competencies:\n" + textwrap.indent(
        textwrap.dedent(competencies), "  ")
    return good_track(tmp_path, **{"track.yaml": yaml, "quizzes/basics.gift": QUIZ})


def test_gift_comments_tag_the_question_they_stand_above():
    cost, budget, pain = parse_gift(QUIZ)
    assert (cost.tags, budget.tags, pain.tags) == (("discovery", "cost"), (), ("discovery",))


def test_tags_leave_a_question_s_identity_alone():
    """Tagging a question keeps its key, so the answers given before still count."""
    tagged, = parse_gift("// [tag:discovery]\n::Cost::Ask about cost first?{T}\n")
    plain, = parse_gift("::Cost::Ask about cost first?{T}\n")
    assert tagged == plain and tagged.to_json() == plain.to_json()


def test_yaml_questions_take_a_list_of_tags():
    question, = parse_native("questions:\n  - {type: true_false, prompt: 'Cost?', answer: true,"
                             " tags: [discovery, cost]}\n")
    assert question.tags == ("discovery", "cost")


def test_a_good_competency_loads_with_its_question_keys(tmp_path):
    _track(tmp_path, """\
        - slug: discovery
          title: Discovery
          weight: 2
          measures:
            - {quiz_tag: discovery, weight: 3}
            - {signoff: pitch, criteria: [Questions]}
            - {modules: [intro]}
            - {pace: call}
        """)
    track, = load_tree(tmp_path)
    competency, = track.competencies
    assert (competency.slug, competency.weight) == ("discovery", 2.0)
    tag, signoff, modules, pace = competency.measures
    quiz, = track.quizzes
    keys = dict((question.title, key) for key, question in quiz.questions)
    assert tag.question_keys == (keys["Cost"], keys["Pain"]) and tag.weight == 3.0
    assert (signoff.target, signoff.items) == ("pitch", ("Questions",))
    assert modules.items == ("intro",) and pace.target == "call"


def test_a_sign_off_measure_without_criteria_takes_them_all(tmp_path):
    _track(tmp_path, "- {slug: pitch, title: Pitch, measures: [{signoff: pitch}]}\n")
    track, = load_tree(tmp_path)
    assert track.competencies[0].measures[0].items == ("Questions", "Story")


@pytest.mark.parametrize("measure, expected", [
    ("{quiz_tag: pricing}", "no quiz question is tagged 'pricing' (cost, discovery)"),
    ("{signoff: demo}", "unknown rubric 'demo' (not under rubrics:)"),
    ("{signoff: pitch, criteria: [Closing]}",
     "'Closing' is not a criterion of rubric 'pitch' (Questions, Story)"),
    ("{modules: [negotiation]}", "unknown module 'negotiation' (no modules/NN-negotiation.md)"),
    ("{pace: meeting}", "pace 'meeting' has no weekly target under activity_targets: "
                        "(targets: call)"),
    ("{pace: call, weight: 0}", "weight must be a number above 0 and at most 100"),
    ("{pace: call, quiz_tag: cost}", "a measure of 'skills' names one of quiz_tag, signoff, "
                                     "modules, pace, with an optional weight"),
    ("{modules: [intro], due: 3}", "unknown key 'due' in a modules measure"),
])
def test_a_wrong_measure_is_refused_naming_where(tmp_path, measure, expected):
    _track(tmp_path, f"- {{slug: skills, title: Skills, measures: [{measure}]}}\n")
    problems = check_tree(tmp_path)
    assert [(p.path.endswith("track.yaml"), p.message) for p in problems] == [(True, expected)]
    line = TRACK_YAML.count("\n") + EXTRA.count("\n") + 2
    assert problems[0].line == line


def test_two_competencies_with_one_slug_are_refused(tmp_path):
    _track(tmp_path, """\
        - {slug: skills, title: Skills, measures: [{pace: call}]}
        - {slug: skills, title: More skills, measures: [{pace: call}]}
        """)
    assert [p.message for p in check_tree(tmp_path)] == [
        "each competency needs its own slug (lower-case letters, digits, hyphens)"]


def test_a_competency_without_measures_is_refused(tmp_path):
    _track(tmp_path, "- {slug: skills, title: Skills, measures: []}\n")
    assert [p.message for p in check_tree(tmp_path)] == [
        "competency 'skills' needs at least one measure"]


def test_gift_export_keeps_the_tags():
    questions = parse_gift(QUIZ)
    assert [q.tags for q in parse_gift(export_gift(questions))] == [q.tags for q in questions]
