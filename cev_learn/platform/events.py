"""Announcements: a service that changed some reps' records says so, inside its transaction,
and what the layers above build from those records is brought up to date there and then by the
listeners they connect (the ramp facts and achievements: `ramp.facts.listen`; the members of
tracks a content sync changed: `cohorts.services.listen`; the notifications people should get:
`notifications.services.listen`; the app factory connects them). The service still owns the side effect, yet knows nothing of who acts on it:
a quiz submission does not import the ramp."""
import datetime as dt
from collections.abc import Iterable

from blinker import Signal

rep_records_changed = Signal("the learning or CRM records of some reps changed")

# Which of a rep's records changed, so that a listener rebuilds only what is measured from
# them (a module completion leaves the activity sums alone). A change to what everything is
# measured against (a membership, a start date, a milestone) is all of them. EXERCISES: the
# coaches' reviews of practice recordings (no milestone measures them; certifications do).
ACTIVITIES, QUOTAS, QUIZZES, MODULES, SIGNOFFS, EXERCISES = (
    "activities", "quotas", "quizzes", "modules", "signoffs", "exercises")
ALL_RECORDS = frozenset({ACTIVITIES, QUOTAS, QUIZZES, MODULES, SIGNOFFS, EXERCISES})
tracks_remeasured = Signal("what some tracks' milestones measure changed (a content sync)")

# What people should hear about, sent by the service that made it happen with keyword
# arguments naming it (flushed, not committed); notifications.services.listen turns each into
# notifications in the same transaction.
work_assigned = Signal("a coach gave reps work: assignments (flushed), coach")
note_shared = Signal("a coach shared a note with a rep: note (flushed)")
attempt_graded = Signal("a coach's grading made an attempt's result final or turned it from "
                        "failed to passed or back: attempt, coach, now")
attempt_awaits_grading = Signal("a rep submitted an attempt with answers a coach must grade: "
                                "attempt, now")
certificates_renewing = Signal("certificates reached the day their holders are reminded and "
                               "given the re-certification work: certificates (flushed), now")
module_completed = Signal("a rep completed a module (flushed): rep_id, module, now; the "
                          "quizzes' boosters for it are scheduled (quizzes.boosters.listen)")
modules_revised = Signal("a content sync changed modules that reps may have completed: "
                         "module_ids, now")


def records_changed(rep_ids: Iterable[int], today: dt.date,
                    records: Iterable[str] = ALL_RECORDS) -> int:
    """Announce that these reps' records of these kinds changed (flushed, not committed) as
    of `today` (no kinds: something else shown with them changed, such as a milestone a
    coach dated by hand); returns how many things the listeners changed in turn
    (achievements, for the ramp)."""
    records = frozenset(records)
    if not records <= ALL_RECORDS:
        raise ValueError(f"unknown kinds of records: {sorted(records - ALL_RECORDS)}")
    results = rep_records_changed.send(rep_ids=list(rep_ids), today=today, records=records)
    return sum(changed or 0 for _listener, changed in results)


def tracks_changed(track_ids: Iterable[int], today: dt.date) -> int:
    """Announce that what these tracks' milestones measure changed (their milestones, or which
    modules they have), flushed, not committed; the listeners bring the achievements of the
    reps on them up to date (`cohorts.services.listen`). Returns how many changed."""
    results = tracks_remeasured.send(track_ids=list(track_ids), today=today)
    return sum(changed or 0 for _listener, changed in results)
