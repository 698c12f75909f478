"""Demo progress: cohorts at different stages, with reading, quiz attempts, sign-offs and notes.

Deterministic for a seed. Only for `cev-learn demo seed`.

Reading and quiz attempts are collected as rows and written in bulk at the end; attempts are
worked out with the quizzes' own pure parts (drawing the layout, grading, scoring). Through the
attempt services each one cost a dozen statements, which made a demo of thousands of reps take
minutes; the rows are the same.
"""
import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import insert, select

from cev_learn.accounts.models import User
from cev_learn.cohorts import coaching, services as cohort_services
from cev_learn.cohorts.models import AssignmentKind
from cev_learn.cohorts.schedule import Standing
from cev_learn.content.checklists import checklist_items
from cev_learn.content.models import (ChecklistTick, ItemKind, Module, ModuleProgress, Quiz,
                                      Rubric, Track)
from cev_learn.content.questions import Question, QuestionType
from cev_learn.demo.boosters import seed_boosters
from cev_learn.notifications import services as notifications
from cev_learn.platform.db import db
from cev_learn.quizzes import services as quiz_services
from cev_learn.quizzes.grading import Response, grade, total_score
from cev_learn.quizzes.layout import draw_layout
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState

GRACE = dt.timedelta(seconds=30)
ESSAY_FEEDBACK = "Good playback; add the cost in their words."


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@dataclass
class _QuizForm:
    """A quiz as its current version asks it."""

    quiz: Quiz
    version_id: int
    entries: list[tuple[str, Question]]  # (key, question) in the version's order
    questions: dict[str, Question]


@dataclass
class TrackWork:
    """What the reps of one track can do, and their reading and attempts waiting to be written."""

    track: Track
    modules: dict[str, Module]
    quizzes: dict[str, _QuizForm]
    rubric: Rubric | None
    readings: list[dict] = field(default_factory=list)  # module progress rows
    ticks: list[dict] = field(default_factory=list)  # checklist ticks
    attempts: list[dict] = field(default_factory=list)
    answers: list[list[dict]] = field(default_factory=list)  # one list per attempt

    @classmethod
    def load(cls, track: Track) -> "TrackWork":
        modules = {m.slug: m for m in db.session.scalars(
            select(Module).where(Module.track_id == track.id, Module.retired_at.is_(None)))}
        quizzes = {}
        for quiz in db.session.scalars(
                select(Quiz).where(Quiz.track_id == track.id, Quiz.retired_at.is_(None))):
            version = quiz_services.current_version(quiz)
            questions = quiz_services.version_questions(version)
            quizzes[quiz.slug] = _QuizForm(quiz, version.id, [
                (q["key"], questions[q["key"]]) for q in version.questions], questions)
        rubric = db.session.scalar(select(Rubric).where(Rubric.track_id == track.id))
        return cls(track, modules, quizzes, rubric)

    def write(self) -> None:
        """Insert the reading, the attempts and their answers, in the order they happened."""
        _insert_in_chunks(ModuleProgress, self.readings)
        _insert_in_chunks(ChecklistTick, self.ticks)
        if self.attempts:
            ids = db.session.scalars(insert(Attempt).returning(
                Attempt.id, sort_by_parameter_order=True), self.attempts).all()
            _insert_in_chunks(AttemptAnswer, [
                {**answer, "attempt_id": attempt_id}
                for attempt_id, answers in zip(ids, self.answers, strict=True)
                for answer in answers])
        self.readings, self.attempts, self.answers, self.ticks = [], [], [], []

    @cached_property
    def checklists(self) -> dict[int, list[str]]:
        """The checklist item keys of each module."""
        return {m.id: [i.key for i in checklist_items(m.body_html)] for m in self.modules.values()}

    def tick(self, rep: User, module: Module, when: dt.datetime) -> None:
        """Tick a completed module's checklist: all of it on a track that requires checklists
        (its completion needs them), else most of it, all but the last one or two (which,
        follows from the ids, so the seed's random draws stay as they were)."""
        keys = self.checklists[module.id]
        left = 0 if self.track.checklists_required else (rep.id + module.id) % 3
        self.ticks.extend({"user_id": rep.id, "module_id": module.id, "item_key": key,
                           "ticked_at": when}
                          for key in keys[:len(keys) - left])


def _insert_in_chunks(model, rows: list[dict], size: int = 10_000) -> None:
    for start in range(0, len(rows), size):
        db.session.execute(insert(model), rows[start:start + size])


def seed_progress(*, track: Track, cohorts: list[tuple[str, int, str, User, list[User]]],
                  today: dt.date, rng: random.Random) -> None:
    """cohorts: (name, days since start, territory, coach, reps)."""
    work = TrackWork.load(track)
    rubric = work.rubric
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
            rep_work(rep, work, own_start, today, diligence, rng, coach)
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
        some_module = work.modules.get("objection-handling")
        if some_module is not None:
            coaching.assign(reps=[first], kind=AssignmentKind.MODULE, item_id=some_module.id,
                            due_on=today + dt.timedelta(days=3), coach=coach, today=today,
                            note="Read this before your call with Harbor & Pine on Thursday.")
        # The note and the assignment told the rep (notifications); the coach hears of the
        # reps who struggle, as the worker's standing check would have told them.
        notifications.reps_fell_behind([(rep.id, rep.name, standing.label) for rep, standing
                                        in zip(reps, (Standing.BEHIND, Standing.AT_RISK))],
                                       _at(today, 8))
    # Their own random draws, so the rest of the organisation stays as it was.
    seed_boosters(work.readings, {m.id: m for m in work.modules.values()}, today,
                  random.Random(f"demo-boosters:{track.slug}"), answer_like)
    work.write()
    db.session.flush()


def seed_alumni(*, track: Track,
                cohorts: list[tuple[str, dt.date, str, User, list[tuple[User, dt.date | None]]]],
                today: dt.date, rng: random.Random) -> None:
    """Earlier cohorts: (name, start, territory, coach, [(rep, day they left or None)]).

    Their reps did the onboarding work long ago; leavers' accounts are deactivated."""
    work = TrackWork.load(track)
    rubric = work.rubric
    for name, start, territory, coach, members in cohorts:
        cohort = cohort_services.create_cohort(name=name, track=track, start_on=start,
                                               territory=territory, coaches=[coach])
        for rep, end_on in members:
            cohort_services.place_rep(rep, cohort, start_on=None, end_on=end_on, now=_at(start))
            last_day = min(today, end_on or today)
            rep_work(rep, work, start, last_day, rng.choice([0.9, 1.0, 1.0]), rng, coach)
            if rubric:
                coaching.record_signoff(rep=rep, rubric=rubric, coach=coach,
                                        scores=[rng.choice([3, 4, 4, 5]) for _ in rubric.criteria],
                                        comments=["" for _ in rubric.criteria],
                                        today=start + dt.timedelta(days=rng.randint(20, 30)))
            rep.last_login_at = _at(last_day - dt.timedelta(days=rng.randint(0, 4)), 8)
            rep.active = end_on is None
    work.write()
    db.session.flush()


def rep_work(rep: User, work: TrackWork, start: dt.date, today: dt.date, diligence: float,
              rng: random.Random, coach: User) -> None:
    for item in work.track.schedule:
        due = start + dt.timedelta(days=item.due_day or 0)
        if due > today + dt.timedelta(days=2) or rng.random() > diligence:
            continue
        done_on = min(today, due + dt.timedelta(days=rng.randint(-2, 2)))
        done_on = max(done_on, start)
        if item.kind is ItemKind.MODULE and item.slug in work.modules:
            module = work.modules[item.slug]
            work.readings.append({"user_id": rep.id, "module_id": module.id,
                                  "opened_at": _at(done_on, 9), "completed_at": _at(done_on),
                                  "content_hash_read": module.content_hash})
            work.tick(rep, module, _at(done_on))
        elif item.kind is ItemKind.QUIZ and item.slug in work.quizzes:
            form = work.quizzes[item.slug]
            attempt, answers = _take_quiz(rep, form, _at(done_on, 11), diligence, rng, work)
            if attempt["passed"] is None and (today - done_on).days > 3:
                _grade_essays(attempt, answers, form, coach, _at(done_on + dt.timedelta(days=2)))


def _take_quiz(rep: User, form: _QuizForm, when: dt.datetime, skill: float,
               rng: random.Random, work: TrackWork) -> tuple[dict, list[dict]]:
    """Attempts until one passes (or waits for a coach), as a rep would through the pages."""
    quiz = form.quiz
    for number in range(1, (quiz.max_attempts or 2) + 1):
        layout = draw_layout(form.entries, quiz.draw, quiz.shuffle, rng)
        responses = {e["key"]: answer_like(form.questions[e["key"]], skill, rng) for e in layout}
        attempt, answers = _submitted(rep, form, number, layout, responses, when)
        work.attempts.append(attempt)
        work.answers.append(answers)
        if attempt["passed"] or attempt["passed"] is None:
            break
        when += dt.timedelta(days=1)
        skill = min(1.0, skill + 0.15)
    return attempt, answers


def _submitted(rep: User, form: _QuizForm, number: int, layout: list[dict],
               responses: dict[str, Response], started: dt.datetime) -> tuple[dict, list[dict]]:
    """An attempt answered after 8 minutes and submitted after 9, graded as on submission."""
    quiz = form.quiz
    deadline = started + dt.timedelta(minutes=quiz.time_limit_minutes) \
        if quiz.time_limit_minutes else None
    saved, submitted = started + dt.timedelta(minutes=8), started + dt.timedelta(minutes=9)
    closes = deadline + GRACE if deadline else None
    answers = []
    for key, response in responses.items():
        stored = response.to_json()
        question = form.questions[key]
        counted = Response.from_json(stored) if closes is None or saved <= closes else Response()
        fraction = grade(question, counted).fraction if question.type.graded else None
        answers.append({"question_key": key, "response": stored, "saved_at": saved,
                        "fraction": fraction, "graded_by_id": None, "graded_at": None,
                        "comment": None})
    attempt = {"user_id": rep.id, "quiz_id": quiz.id, "version_id": form.version_id,
               "attempt_no": number, "started_at": started, "deadline_at": deadline,
               "submitted_at": min(submitted, closes) if closes else submitted,
               "layout": layout}
    _score(attempt, answers, form, attempt["submitted_at"])
    return attempt, answers


def _score(attempt: dict, answers: list[dict], form: _QuizForm, now: dt.datetime) -> None:
    """Score as the attempt services do; `now` is when the result, if final, was graded."""
    score = total_score([(form.questions[a["question_key"]].points, a["fraction"])
                         for a in answers if form.questions[a["question_key"]].type.graded])
    attempt["score"] = score.fraction
    if score.pending:
        attempt.update(state=AttemptState.NEEDS_GRADING, passed=None, graded_at=None)
    else:
        attempt.update(state=AttemptState.GRADED, graded_at=now,
                       passed=score.fraction >= form.quiz.pass_mark - 1e-9)


def _grade_essays(attempt: dict, answers: list[dict], form: _QuizForm, coach: User,
                  when: dt.datetime) -> None:
    """The coach has graded essays submitted more than a few days ago."""
    for answer in answers:
        if form.questions[answer["question_key"]].type is QuestionType.ESSAY:
            answer.update(fraction=0.8, comment=ESSAY_FEEDBACK, graded_by_id=coach.id,
                          graded_at=when)
    _score(attempt, answers, form, when)


def answer_like(question: Question, skill: float, rng) -> Response:
    """A response a rep of this skill (the chance of being right) might give."""
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
