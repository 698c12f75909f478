"""A rep's practice recordings and their reviews, for the staff who may see the rep's page."""
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.api import practice_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import respond
from cev_learn.api.rep_views import rep_for
from cev_learn.api.spec import operation
from cev_learn.practice import queries
from cev_learn.practice.models import Review, Submission


@api_access(*STAFF_ROLES)
@operation("A rep's practice recordings, newest first, with their reviews", tag="Reps",
           response=schemas.SubmissionList, problems=(404,),
           description="Every recording the rep submitted for a practice exercise, with the "
                       "coach's review and the peer reviews of it (`peer`), as on the "
                       "recording's page. The recording itself is not served here.")
def rep_submissions(user_id: int):
    rep = rep_for(user_id)
    return respond(schemas.SubmissionList, {"items": [
        _submission(s) for s in queries.all_submissions_of(rep)]})


def _submission(submission: Submission) -> dict:
    return {"id": submission.id, "exercise": submission.exercise.slug,
            "exercise_title": submission.exercise.title, "state": submission.state.value,
            "submitted_at": submission.submitted_at, "review_due_on": submission.review_due_on,
            "reviewed_at": submission.reviewed_at,
            "duration_seconds": submission.duration_seconds,
            "reviews": [_review(r) for r in submission.reviews]}


def _review(review: Review) -> dict:
    return {"id": review.id, "peer": review.peer, "reviewer": review.reviewer.name,
            "scores": review.scores, "score": review.score, "passed": review.passed,
            "resubmit": review.resubmit, "summary": review.summary,
            "comments": review.comments, "created_at": review.created_at}
