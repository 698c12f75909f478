"""Certifications in track.yaml: what earns them and how long they last, every mistake named
with its file and line."""
from pathlib import Path

import pytest

from cev_learn.content.loader import check_tree, load_tree
from tests.content.trees import TRACK_YAML, good_track

ROOT = Path(__file__).resolve().parents[2]
GIFT = "::q1:: Is discovery first? {T}\n"
BASE = TRACK_YAML + """\
quizzes:
  icp: {file: quizzes/icp.gift}
rubrics:
  pitch: {title: Pitch, pass_mark: 0.7, criteria: [Discovery questions]}
"""
CERTIFIED = BASE + """\
certifications:
  pitch-ready:
    title: Pitch ready
    requires:
      - {quiz: icp}
      - {signoff: pitch}
    valid_for_days: 365
"""


def tree(tmp_path, track_yaml):
    return good_track(tmp_path, **{"track.yaml": track_yaml, "quizzes/icp.gift": GIFT})


def problems(root):
    return [str(p).split("test-track/")[1] for p in check_tree(root)]


def test_a_certification_lists_its_requirements_in_order(tmp_path):
    (track,) = load_tree(tree(tmp_path, CERTIFIED))
    (certification,) = track.certifications
    assert certification.slug == "pitch-ready"
    assert certification.title == "Pitch ready"
    assert certification.requires == (("quiz", "icp"), ("signoff", "pitch"))
    assert certification.valid_for_days == 365


def test_reminders_come_thirty_days_before_by_default_or_halfway_through_short_ones(tmp_path):
    (track,) = load_tree(tree(tmp_path, CERTIFIED))
    assert track.certifications[0].remind_days_before == 30
    short = CERTIFIED.replace("valid_for_days: 365", "valid_for_days: 20")
    (track,) = load_tree(tree(tmp_path / "short", short))
    assert track.certifications[0].remind_days_before == 10


@pytest.mark.parametrize("change,message", [
    (("{quiz: icp}", "{quiz: icq}"),
     "track.yaml:21: certification 'pitch-ready': unknown quiz 'icq' (not under quizzes:)"),
    (("{signoff: pitch}", "{signoff: demo}"),
     "track.yaml:22: certification 'pitch-ready': unknown signoff 'demo' (not under rubrics:)"),
    (("{signoff: pitch}", "{quiz: icp}"),
     "track.yaml:22: certification 'pitch-ready': quiz 'icp' is required twice"),
    (("{signoff: pitch}", "{exercise: cold-call}"),
     "track.yaml:22: certification 'pitch-ready': unknown exercise 'cold-call' "
     "(not under exercises:)"),
    (("{signoff: pitch}", "{module: intro}"),
     "track.yaml:22: certification 'pitch-ready': each requirement is {quiz: SLUG}, "
     "{signoff: RUBRIC} or {exercise: SLUG}"),
    (("valid_for_days: 365", "valid_for_days: 0"),
     "track.yaml:23: certification 'pitch-ready': valid_for_days must be a whole number of "
     "days from 1 to 3650"),
    (("valid_for_days: 365", "valid_for_days: 365\n    remind_days_before: 365"),
     "track.yaml:24: certification 'pitch-ready': remind_days_before must be a whole number "
     "of days from 0 to 364 (less than valid_for_days)"),
    (("valid_for_days: 365", "valid_for_days: 365\n    renew: yes"),
     "track.yaml:24: certification 'pitch-ready': unknown key 'renew' (expected one of title, "
     "requires, valid_for_days, remind_days_before)"),
    (("    title: Pitch ready\n", ""),
     "track.yaml:19: certification 'pitch-ready' needs a title of at most 200 characters"),
])
def test_bad_certifications_are_named_with_their_line(tmp_path, change, message):
    assert problems(tree(tmp_path, CERTIFIED.replace(*change))) == [message]


def test_a_certification_without_requirements_is_refused(tmp_path):
    bad = CERTIFIED[:CERTIFIED.index("    requires:")] + "    requires: []\n    valid_for_days: 9\n"
    assert problems(tree(tmp_path, bad)) == [
        "track.yaml:20: certification 'pitch-ready': requires must be a non-empty list of "
        "{quiz: SLUG}, {signoff: RUBRIC} or {exercise: SLUG}"]


EXERCISE = """\
exercises:
  cold-call: {title: Cold call, prompt: Open a cold call., rubric: pitch}
"""


def test_a_certification_may_require_an_exercise_of_the_track(tmp_path):
    required = CERTIFIED.replace("{signoff: pitch}", "{exercise: cold-call}") + EXERCISE
    (track,) = load_tree(tree(tmp_path, required))
    assert track.certifications[0].requires == (("quiz", "icp"), ("exercise", "cold-call"))


def test_an_exercise_of_another_name_is_named_with_where_exercises_are(tmp_path):
    required = CERTIFIED.replace("{signoff: pitch}", "{exercise: cold-cal}") + EXERCISE
    assert problems(tree(tmp_path, required)) == [
        "track.yaml:22: certification 'pitch-ready': unknown exercise 'cold-cal' "
        "(not under exercises:)"]


def test_the_starter_track_declares_certifications():
    (track,) = load_tree(ROOT / "courses")
    certified, practised = track.certifications
    assert certified.requires == (("quiz", "demo-and-objections"), ("signoff", "pitch"))
    assert certified.valid_for_days == 365
    assert practised.requires == (("exercise", "value-pitch"),)
