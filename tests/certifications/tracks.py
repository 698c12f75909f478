"""A small track with a certification: a one-question quiz and a rubric required."""
from tests.content.trees import TRACK_YAML, good_track

QUIZ = "::Discovery::Discovery comes before the demo. {T}\n"
CERTIFIED_YAML = TRACK_YAML + """\
quizzes:
  check: {title: Check yourself, file: quizzes/check.gift, pass_mark: 1.0}
rubrics:
  pitch: {title: Value pitch, pass_mark: 0.7, criteria: [Discovery questions, Next step]}
certifications:
  pitch-ready:
    title: Pitch ready
    requires:
      - {quiz: check}
      - {signoff: pitch}
    valid_for_days: 365
    remind_days_before: 30
"""


def certified_track(root):
    return good_track(root, **{"track.yaml": CERTIFIED_YAML, "quizzes/check.gift": QUIZ})
