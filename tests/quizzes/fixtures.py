"""A small track with one quiz covering every question type, for attempt tests."""
from tests.content.trees import TRACK_YAML, good_track

QUIZ_GIFT = """\
// A quiz for tests. The CANARY strings must never reach a page before submission.
$CATEGORY: tests

::Who signs::Who signs the contract at Harbor & Pine? {
  =Dana Okafor#CANARY-FEEDBACK-RIGHT
  ~Tom Becker#Tom champions the deal.
  ~Priya Raman#Priya evaluates.
  ####CANARY-EXPLANATION
}

::Demo first::You should demo before discovery. {FALSE#CANARY-TF-WRONG#Right: discovery first.}

::Framework::Name the qualification framework we use. {=CANARY-SHORT-ANSWER =%50%MEDDIC}

::Meetings::At 1 in 4, how many meetings make 3 opportunities? {#12:0}

::Roles::Match each person to their role. {
  =Dana -> economic buyer
  =Tom -> champion
  =Priya -> technical evaluator
}

::Pitch::Write the first sentence of your value pitch. {}
"""


def quiz_track(root, **settings):
    options = {"pass_mark": 0.6, "max_attempts": 3, "review": "after_each_attempt", **settings}
    rendered = ", ".join(f"{k}: {v}" for k, v in options.items() if v is not None)
    yaml = TRACK_YAML.replace(
        "  - {milestone: first-meeting}\n",
        "  - {quiz: check, due_day: 7}\n  - {milestone: first-meeting}\n")
    yaml += f"quizzes:\n  check: {{title: Check yourself, file: quizzes/check.gift, {rendered}}}\n"
    yaml += ("rubrics:\n  pitch: {title: Value pitch, pass_mark: 0.7,\n"
             "          criteria: [Discovery questions, Value story, Next step],\n"
             "          levels: {Discovery questions: {1: Pitches before asking.,\n"
             "                                         5: Uncovers the pain and its cost.}}}\n")
    yaml += ("exercises:\n  cold-pitch: {title: Cold pitch, rubric: pitch, max_seconds: 60,\n"
             "               completes_signoff: true, prompt: Pitch **Relaybase** in a minute.}\n"
             "  peer-pitch: {title: Peer pitch, rubric: pitch, max_seconds: 60,\n"
             "               completes_signoff: true, peer_review: true,\n"
             "               prompt: Pitch Relaybase to your cohort.}\n")
    return good_track(root, **{"track.yaml": yaml, "quizzes/check.gift": QUIZ_GIFT})
