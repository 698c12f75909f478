"""Demo boosters: the questions that came back to the current reps after the modules they
read, answered at the Leitner intervals up to a few days ago (so some are due this week), as
the rep would have through the booster page. Deterministic for a seed; only for the demo."""
import datetime as dt
import random

from sqlalchemy import insert

from cev_learn.content.models import Module
from cev_learn.content.questions import Question
from cev_learn.platform.db import db
from cev_learn.quizzes.boosters import module_pool
from cev_learn.quizzes.grading import Response, grade
from cev_learn.quizzes.leitner import after_answer, first_due, is_right, pick_questions
from cev_learn.quizzes.models import Booster, BoosterAnswer

LEFT_DUE_DAYS = 4  # boosters due in the last few days are left for the rep to answer


def seed_boosters(readings: list[dict], modules: dict[int, Module], today: dt.date,
                  rng: random.Random, answer) -> None:
    """Boosters for these module completions (rows of module progress), and their answers:
    `answer(question, skill, rng)` answers a question as a rep of that skill would."""
    pools: dict[int, dict[tuple[int, str], Question]] = {}
    taken: set[tuple[int, int, str]] = set()
    boosters, histories = [], []
    for reading in sorted(readings, key=lambda r: (r["completed_at"], r["user_id"])):
        module, rep_id = modules[reading["module_id"]], reading["user_id"]
        pool = pools.setdefault(module.id, module_pool(module))
        free = {f"{q}:{k}": (q, k) for q, k in pool if (rep_id, q, k) not in taken}
        for pick in pick_questions(free, rep_id):
            quiz_id, key = free[pick]
            taken.add((rep_id, quiz_id, key))
            row, history = _lived(rep_id, module, quiz_id, key, pool[(quiz_id, key)],
                                  reading["completed_at"], today, rng, answer)
            boosters.append(row)
            histories.append(history)
    if not boosters:
        return
    ids = db.session.scalars(insert(Booster).returning(Booster.id, sort_by_parameter_order=True),
                             boosters).all()
    answers = [{**a, "booster_id": booster_id} for booster_id, history in zip(ids, histories,
                                                                              strict=True)
               for a in history]
    if answers:
        db.session.execute(insert(BoosterAnswer), answers)


def _lived(rep_id: int, module: Module, quiz_id: int, key: str, question: Question,
           completed_at: dt.datetime, today: dt.date, rng: random.Random, answer):
    """A booster's row as it stands today, and its answers so far."""
    box, due, history = 1, first_due(completed_at.date()), []
    retired_at = None
    skill = rng.choice([0.6, 0.75, 0.85, 0.95])
    while due <= today - dt.timedelta(days=LEFT_DUE_DAYS):
        day = due + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2]))
        response: Response = answer(question, min(1.0, skill + 0.04 * box), rng)
        fraction = grade(question, response).fraction or 0.0
        when = dt.datetime.combine(day, dt.time(8, 30), tzinfo=dt.UTC)
        history.append({"seq": len(history), "user_id": rep_id, "box": box, "answered_at": when,
                        "response": response.to_json(), "fraction": fraction,
                        "correct": is_right(fraction)})
        step = after_answer(box, is_right(fraction), day)
        if step.retired:
            retired_at = when
            break
        box, due = step.box, step.due_on
    row = {"user_id": rep_id, "module_id": module.id, "quiz_id": quiz_id, "question_key": key,
           "box": box, "due_on": due, "answer_count": len(history), "created_at": completed_at,
           "retired_at": retired_at, "notified_on": None}
    return row, history
