"""`exercises:` in track.yaml: what the content check accepts, and what it names."""
import pytest

from cev_learn.content.loader import load_tree
from tests.content.test_loader import RUBRIC, ROOT, problems
from tests.content.trees import TRACK_YAML, good_track

EXERCISE = """\
exercises:
  cold-pitch:
    title: Cold pitch
    rubric: pitch
    max_seconds: 120
    peer_review: true
    completes_signoff: true
    prompt: |
      Pitch **Relaybase** in two minutes.
"""


def load(tmp_path, exercises: str):
    return good_track(tmp_path, **{"track.yaml": TRACK_YAML + RUBRIC + exercises})


def test_an_exercise_keeps_its_settings(tmp_path):
    (track,) = load_tree(load(tmp_path, EXERCISE))
    (exercise,) = track.exercises
    assert (exercise.slug, exercise.title, exercise.rubric, exercise.max_seconds) == (
        "cold-pitch", "Cold pitch", "pitch", 120)
    assert exercise.peer_review and exercise.completes_signoff
    assert exercise.prompt == "Pitch **Relaybase** in two minutes."


def test_an_exercise_defaults_to_three_minutes_without_peers_or_signoff(tmp_path):
    plain = "exercises:\n  cold-pitch: {title: Cold pitch, rubric: pitch, prompt: Pitch.}\n"
    (exercise,) = load_tree(load(tmp_path, plain))[0].exercises
    assert (exercise.max_seconds, exercise.peer_review, exercise.completes_signoff) == (
        180, False, False)


@pytest.mark.parametrize("change,message", [
    (("rubric: pitch", "rubric: demo"),
     "track.yaml:26: exercise 'cold-pitch': unknown rubric 'demo' (not under rubrics:)"),
    (("max_seconds: 120", "max_seconds: 5000"),
     "track.yaml:27: max_seconds must be a whole number of seconds from 10 to 1800"),
    (("peer_review: true", "peer_review: sometimes"),
     "track.yaml:28: peer_review must be true or false"),
    (("    prompt: |\n      Pitch **Relaybase** in two minutes.\n", ""),
     "track.yaml:25: exercise 'cold-pitch' needs a prompt: markdown of at most 10,000 characters"),
    (("title: Cold pitch", "titel: Cold pitch"),
     "track.yaml:25: unknown exercise setting 'titel' (expected one of title, prompt, rubric, "
     "max_seconds, peer_review, completes_signoff)"),
])
def test_bad_exercises_are_named_with_their_line(tmp_path, change, message):
    found = problems(load(tmp_path, EXERCISE.replace(*change)))
    assert f"{tmp_path / 'test-track'}/{message}" in found


def test_the_starter_track_declares_a_pitch_exercise_that_completes_the_signoff():
    (track,) = load_tree(ROOT / "courses")
    (exercise,) = track.exercises
    assert exercise.rubric == "pitch" and exercise.completes_signoff
