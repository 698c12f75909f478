"""Bodies of the practice endpoint: a rep's recordings and the reviews of them (conventions as
in schemas.py). Never the recording itself, its storage name or a link to it."""
import datetime as dt
from typing import Literal

from pydantic import Field

from cev_learn.api.schemas import Out


class PinnedCommentOut(Out):
    at: int = Field(description="Seconds from the start of the recording")
    text: str


class ReviewOut(Out):
    id: int
    peer: bool = Field(description="true: a review by a rep of the submitter's cohort, which "
                                   "counts for nothing; false: the coach's review")
    reviewer: str = Field(description="The reviewer's name")
    scores: list[int] = Field(description="One level (1-5) per rubric criterion, in the "
                                          "rubric's order")
    score: float = Field(description="The share of the maximum, 0 to 1")
    passed: bool = Field(description="The score reaches the rubric's pass mark (a peer's "
                                     "score passes nothing)")
    resubmit: bool = Field(description="The coach asked for another take")
    summary: str
    comments: list[PinnedCommentOut] = Field(description="By time in the recording")
    created_at: dt.datetime


class SubmissionOut(Out):
    id: int
    exercise: str = Field(description="The exercise's slug (track.yaml)")
    exercise_title: str
    state: Literal["waiting", "reviewed", "resubmit"] = Field(
        description="waiting: for the coach's review; resubmit: the coach asked for another "
                    "take")
    submitted_at: dt.datetime
    review_due_on: dt.date
    reviewed_at: dt.datetime | None
    duration_seconds: float | None = Field(
        description="null where the recording's format does not say (a browser's WebM)")
    reviews: list[ReviewOut] = Field(description="Oldest first, the coach's and peers'")


class SubmissionList(Out):
    items: list[SubmissionOut]
