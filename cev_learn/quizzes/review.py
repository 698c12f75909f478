"""What a rep may see after submitting: the review policy as a pure function."""
from cev_learn.content.models import ReviewPolicy
from cev_learn.quizzes.models import AttemptState


def may_review(policy: ReviewPolicy, attempt_state: AttemptState, passed_any: bool) -> bool:
    """Whether correct answers, feedback and explanations may be shown for an attempt."""
    if attempt_state is AttemptState.IN_PROGRESS:
        return False
    if policy is ReviewPolicy.AFTER_EACH_ATTEMPT:
        return True
    if policy is ReviewPolicy.AFTER_PASSING:
        return passed_any
    return False


POLICY_TEXT = {
    ReviewPolicy.AFTER_EACH_ATTEMPT: "You see the correct answers and explanations after each attempt.",
    ReviewPolicy.AFTER_PASSING: "You see the correct answers and explanations once you pass.",
    ReviewPolicy.NEVER: "You see your score; the answers stay private so the quiz stays fair.",
}
