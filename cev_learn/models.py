"""Index of every model, so Alembic and readers see them all in one place."""
from cev_learn.accounts.models import LoginFailure, Role, User
from cev_learn.content.models import Asset, ItemKind, Module, ModuleProgress, ScheduleItem, Track
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState, Quiz, QuizVersion
from cev_learn.ramp.models import Milestone, Rubric

__all__ = ["Asset", "Attempt", "AttemptAnswer", "AttemptState", "ItemKind", "LoginFailure",
           "Milestone", "Module", "ModuleProgress", "Quiz", "QuizVersion", "Role", "Rubric",
           "ScheduleItem", "Track", "User"]
