"""Reads for the readiness score: what the competencies of the reps' tracks measure, for any
number of reps in one statement (graded answers to tagged questions, in quizzes and in
boosters, module completions, sign-offs and the weekly activity facts), as `readiness.Evidence`."""
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Date, Float, Integer, String, cast, literal, select, union_all

from cev_learn.cohorts.models import Signoff
from cev_learn.content.models import ModuleProgress
from cev_learn.content.track_data import TrackData
from cev_learn.platform.db import UTCDateTime, column_rows
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState, Booster, BoosterAnswer
from cev_learn.ramp import facts
from cev_learn.analytics.readiness import Evidence, Readiness, readiness


def measures(shared: Iterable[TrackData]) -> list[dict]:
    return [m for data in shared for c in data.track.competencies or [] for m in c["measures"]]


def load_evidence(starts: Mapping[int, dt.date], rep_ids, shared: Sequence[TrackData],
                  as_of: dt.date, until_week: int | None = None) -> dict[int, Evidence]:
    """Each rep's evidence up to as_of, in one statement; `starts` maps every rep to their
    start date, `rep_ids` is a list or a subquery of the same reps, `shared` their tracks;
    `until_week` leaves out the weekly activity of later tenure weeks."""
    wanted = measures(shared)
    answers, completed, signoffs = defaultdict(list), defaultdict(dict), defaultdict(list)
    weekly = defaultdict(lambda: defaultdict(dict))
    modules = {i: s for data in shared for i, s in data.module_slugs.items()}
    rubrics = {r.id: r for data in shared for r in data.rubrics.values()}
    parts = _parts(wanted, rep_ids, as_of, until_week)
    for kind, user_id, name, day, moment, number, value, text in (
            column_rows(union_all(*parts)) if parts else ()):
        if kind == _ANSWER:
            answers[user_id].append((name, value, moment.date()))
        elif kind == _MODULE and number in modules:
            completed[user_id][modules[number]] = moment.date()
        elif kind == _SIGNOFF and number in rubrics:
            rubric = rubrics[number]
            signoffs[user_id].append((rubric.slug, day,
                                      dict(zip(rubric.criteria, json.loads(text)))))
        elif kind == _WEEK:
            weekly[user_id][name][int(number)] = int(value or 0)
    return {user_id: Evidence(start_on, tuple(answers[user_id]), tuple(signoffs[user_id]),
                              completed[user_id], weekly[user_id])
            for user_id, start_on in starts.items()}


_ANSWER, _MODULE, _SIGNOFF, _WEEK = "answer", "module", "signoff", "week"


def _parts(wanted: list[dict], rep_ids, as_of: dt.date, until_week: int | None) -> list:
    """One SELECT per kind of evidence the measures need, all of one shape for a UNION ALL:
    (kind, rep, name, day, moment, number, value, text), the columns a kind has no use for
    NULL."""
    def row(kind, owner, *, name=None, day=None, moment=None, number=None, value=None,
            text=None):
        return select(literal(kind, String), owner,
                      cast(name, String) if name is None else name,
                      cast(day, Date) if day is None else day,
                      cast(moment, UTCDateTime()) if moment is None else moment,
                      cast(number, Integer) if number is None else number,
                      cast(value, Float) if value is None else value,
                      cast(text, String) if text is None else text)

    kinds = {m["kind"] for m in wanted}
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    keys = sorted({k for m in wanted if m["kind"] == "quiz_tag" for k in m["question_keys"]})
    paced = sorted({m["target"] for m in wanted if m["kind"] == "pace"})
    parts = []
    if keys:
        parts.append(row(_ANSWER, Attempt.user_id, name=AttemptAnswer.question_key,
                         moment=Attempt.submitted_at, value=AttemptAnswer.fraction)
                     .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
                     .where(Attempt.user_id.in_(rep_ids), Attempt.state == AttemptState.GRADED,
                            Attempt.submitted_at < until, AttemptAnswer.fraction.is_not(None),
                            AttemptAnswer.question_key.in_(keys)))
        # Boosters ask the same questions again later: their answers are the latest results.
        parts.append(row(_ANSWER, BoosterAnswer.user_id, name=Booster.question_key,
                         moment=BoosterAnswer.answered_at, value=BoosterAnswer.fraction)
                     .join(Booster, Booster.id == BoosterAnswer.booster_id)
                     .where(BoosterAnswer.user_id.in_(rep_ids), BoosterAnswer.answered_at < until,
                            Booster.question_key.in_(keys)))
    if "modules" in kinds:
        parts.append(row(_MODULE, ModuleProgress.user_id, number=ModuleProgress.module_id,
                         moment=ModuleProgress.completed_at)
                     .where(ModuleProgress.user_id.in_(rep_ids),
                            ModuleProgress.completed_at < until))
    if "signoff" in kinds:
        parts.append(row(_SIGNOFF, Signoff.user_id, number=Signoff.rubric_id,
                         day=Signoff.signed_on, text=cast(Signoff.scores, String))
                     .where(Signoff.user_id.in_(rep_ids), Signoff.signed_on <= as_of))
    if paced:
        weeks = facts.weekly(rep_ids, as_of, until_week=until_week, kinds=paced).subquery()
        parts.append(row(_WEEK, weeks.c.user_id, name=weeks.c.type, number=weeks.c.week,
                         value=cast(weeks.c.quantity, Float)))
    return parts


def scores(members: Sequence, shared: Mapping[int, TrackData], as_of: dt.date,
           weights: Mapping[int, Sequence[float]] | None = None) -> dict[int, Readiness]:
    """The readiness of some current memberships (each with `user_id`, `cohort` and
    `effective_start_on`) as of a day, for the reps whose track has competencies; `weights`
    (per track id) replace the competencies' own."""
    members = [m for m in members if shared[m.cohort.track_id].track.competencies
               and m.effective_start_on <= as_of]
    if not members:
        return {}
    tracks = {m.cohort.track_id: shared[m.cohort.track_id] for m in members}
    evidence = load_evidence({m.user_id: m.effective_start_on for m in members},
                             [m.user_id for m in members], list(tracks.values()), as_of)
    return {m.user_id: readiness(
        tracks[m.cohort.track_id].track.competencies, evidence[m.user_id],
        tracks[m.cohort.track_id].track.activity_targets or {}, as_of,
        (weights or {}).get(m.cohort.track_id)) for m in members}
