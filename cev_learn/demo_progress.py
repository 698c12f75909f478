"""Demo progress: cohorts at different stages, with reading, quiz attempts, sign-offs and notes.

Deterministic for a seed. Only for `cev-learn demo seed`.
"""
import datetime as dt
import random

from sqlalchemy import select

from cev_learn.accounts.models import User
from cev_learn.cohorts import coaching, services as cohort_services
from cev_learn.cohorts.models import AssignmentKind
from cev_learn.content.models import ItemKind, Module, ModuleProgress, Track
from cev_learn.db import db
from cev_learn.quizzes import services as quiz_services
from cev_learn.quizzes.grading import Response
from cev_learn.quizzes.models import Quiz
from cev_learn.quizzes.questions import Question, QuestionType
from cev_learn.ramp.models import Rubric

GRACE = dt.timedelta(seconds=30)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def seed_progress(*, track: Track, cohorts: list[tuple[str, int, str, User, list[User]]],
                  today: dt.date, rng: random.Random) -> None:
    """cohorts: (name, days since start, territory, coach, reps)."""
    modules = {m.slug: m for m in db.session.scalars(
        select(Module).where(Module.track_id == track.id, Module.retired_at.is_(None)))}
    quizzes = {q.slug: q for q in db.session.scalars(
        select(Quiz).where(Quiz.track_id == track.id, Quiz.retired_at.is_(None)))}
    rubric = db.session.scalar(select(Rubric).where(Rubric.track_id == track.id))
    for name, age, territory, coach, reps in cohorts:
        start = today - dt.timedelta(days=age)
        cohort = cohort_services.create_cohort(name=name, track=track, start_on=start,
                                               territory=territory, coaches=[coach])
        for index, rep in enumerate(reps):
            own_start = start + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2]))
            cohort_services.place_rep(rep, cohort, start_on=own_start if own_start != start else None,
                                      end_on=None, now=_at(start))
            rep.start_on = own_start
            # Most reps keep up; the first struggles and the second is slipping.
            diligence = {0: 0.5, 1: 0.75, 2: 0.9}.get(index, 1.0)
            _rep_work(rep, track, modules, quizzes, own_start, today, diligence, rng, coach)
            if rubric and (today - own_start).days > 28 and diligence > 0.7:
                coaching.record_signoff(rep=rep, rubric=rubric, coach=coach,
                                        scores=[rng.choice([3, 4, 4, 5]) for _ in rubric.criteria],
                                        comments=["" for _ in rubric.criteria],
                                        today=own_start + dt.timedelta(days=rng.randint(20, 28)))
            if rng.random() < 0.75:
                rep.last_login_at = _at(today - dt.timedelta(days=rng.randint(0, 3)), 8)
        first = reps[0]
        coaching.add_note(rep=first, author=coach, shared=False,
                          body="Behind on reading; agreed two 30-minute reading blocks a week.")
        coaching.add_note(rep=first, author=coach, shared=True,
                          body="Great energy on calls. This week: finish the qualification "
                               "module before your next discovery meeting.")
        some_module = modules.get("objection-handling")
        if some_module is not None:
            coaching.assign(reps=[first], kind=AssignmentKind.MODULE, item_id=some_module.id,
                            due_on=today + dt.timedelta(days=3), coach=coach, today=today,
                            note="Read this before your call with Harbor & Pine on Thursday.")
    db.session.flush()


def _rep_work(rep, track, modules, quizzes, start, today, diligence, rng, coach) -> None:
    for item in track.schedule:
        due = start + dt.timedelta(days=item.due_day or 0)
        if due > today + dt.timedelta(days=2) or rng.random() > diligence:
            continue
        done_on = min(today, due + dt.timedelta(days=rng.randint(-2, 2)))
        done_on = max(done_on, start)
        if item.kind is ItemKind.MODULE and item.slug in modules:
            module = modules[item.slug]
            db.session.add(ModuleProgress(user_id=rep.id, module_id=module.id,
                                          opened_at=_at(done_on, 9), completed_at=_at(done_on),
                                          content_hash_read=module.content_hash))
        elif item.kind is ItemKind.QUIZ and item.slug in quizzes:
            attempt = _take_quiz(rep, quizzes[item.slug], _at(done_on, 11), diligence, rng)
            if attempt.passed is None and (today - done_on).days > 3:
                _grade_essays(attempt, coach, _at(done_on + dt.timedelta(days=2)))


def _grade_essays(attempt, coach: User, when: dt.datetime) -> None:
    """The coach has graded essays submitted more than a few days ago."""
    questions = quiz_services.version_questions(attempt.version)
    for entry in attempt.layout:
        if questions[entry["key"]].type is QuestionType.ESSAY:
            quiz_services.grade_answer(attempt.id, entry["key"], 0.8,
                                       "Good playback; add the cost in their words.", coach, when)


def _take_quiz(rep: User, quiz: Quiz, when: dt.datetime, skill: float, rng):
    for _ in range(quiz.max_attempts or 2):
        attempt = quiz_services.start_attempt(rep, quiz, when, GRACE, rng)
        questions = quiz_services.version_questions(attempt.version)
        responses = {e["key"]: _answer(questions[e["key"]], skill, rng) for e in attempt.layout}
        quiz_services.store_responses(attempt, responses, when + dt.timedelta(minutes=8))
        quiz_services.submit_attempt(attempt.id, None, when + dt.timedelta(minutes=9), GRACE)
        if attempt.passed or attempt.passed is None:
            break
        when += dt.timedelta(days=1)
        skill = min(1.0, skill + 0.15)
    return attempt


def _answer(question: Question, skill: float, rng) -> Response:
    right = rng.random() < skill
    kind = question.type
    if kind is QuestionType.SINGLE:
        best = max(range(len(question.choices)), key=lambda i: question.choices[i].weight)
        others = [i for i in range(len(question.choices)) if i != best]
        return Response(choice=best if right or not others else rng.choice(others))
    if kind is QuestionType.MULTIPLE:
        good = {i for i, c in enumerate(question.choices) if c.weight > 0}
        return Response(choices=frozenset(good if right else set(list(good)[:1]) | {
            rng.randrange(len(question.choices))}))
    if kind is QuestionType.TRUE_FALSE:
        return Response(boolean=question.answer if right else not question.answer)
    if kind is QuestionType.SHORT:
        return Response(text=max(question.answers, key=lambda a: a.weight).text.replace("*", "")
                        if right else "not sure")
    if kind is QuestionType.NUMERIC:
        best = max(question.numeric, key=lambda n: n.weight)
        return Response(number=best.value if right else best.value * 2 + 7)
    if kind is QuestionType.MATCHING:
        lefts = [i for i, p in enumerate(question.pairs) if p.left]
        if right:
            return Response(matches={i: i for i in lefts})
        shuffled = lefts[1:] + lefts[:1]
        return Response(matches=dict(zip(lefts, shuffled, strict=True)))
    if kind is QuestionType.ESSAY:
        return Response(text="Harbor & Pine loses about €140,000 a quarter to late-delivery "
                             "penalties; Relaybase catches late shipments before they cost.")
    return Response()
