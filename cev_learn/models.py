"""Index of every model, so Alembic and readers see them all in one place."""
from cev_learn.accounts.api_tokens import ApiToken
from cev_learn.accounts.models import LinkPurpose, LoginFailure, Role, SignInLink, User
from cev_learn.api.scim_models import ScimGroup, ScimUser
from cev_learn.certifications.models import Certificate
from cev_learn.cohorts.models import (Assignment, AssignmentKind, CoachingNote, Cohort,
                                      CohortCoach, Membership, ReminderLog, Signoff)
from cev_learn.content.models import (Asset, Certification, ChecklistTick, Exercise, ItemKind,
                                      Milestone, Module,
                                      ModuleProgress, Quiz, QuizVersion, Rubric, ScheduleItem,
                                      Track)
from cev_learn.notifications.models import Notification, NotificationSettings
from cev_learn.practice.models import Review, Submission, SubmissionState
from cev_learn.platform.caching import DataVersion, ScopeVersion
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.platform.rate_limits import RateLimitWindow
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState, Booster, BoosterAnswer
from cev_learn.ramp.models import (Achievement, AchievementChange, ActivityRecord, CrmPerson,
                                   ImportMapping, Quota, RepEarlyActivity, RepMonthActivity,
                                   RepWeekActivity)
from cev_learn.ramp.pending_imports import PendingImport
from cev_learn.webhooks.models import (WebhookDelivery, WebhookEndpoint, WebhookRepStanding,
                                       WebhookSettings)
from cev_learn.xapi.models import LrsCursor

__all__ = ["Achievement", "AchievementChange", "ActivityRecord", "ApiToken", "Asset",
           "Assignment", "AssignmentKind", "Attempt", "AttemptAnswer", "AttemptState",
           "ChecklistTick", "CoachingNote", "Cohort", "CohortCoach", "CrmPerson", "DataVersion", "ImportMapping",
           "ItemKind", "LinkPurpose", "LoginFailure", "Membership", "Milestone", "Module",
           "ModuleProgress", "PendingImport", "Quiz", "Quota", "QuizVersion", "RateLimitWindow",
           "ReminderLog", "RepEarlyActivity", "RepMonthActivity", "RepWeekActivity", "Role",
           "Rubric", "ScheduleItem", "ScimGroup", "ScimUser", "ScopeVersion", "SignInLink",
           "Signoff", "Track", "User"]
__all__ += ["OutboxEvent", "WebhookDelivery", "WebhookEndpoint", "WebhookRepStanding",
            "WebhookSettings"]
__all__ += ["LrsCursor"]
__all__ += ["Certificate", "Certification"]
__all__ += ["Notification", "NotificationSettings"]
__all__ += ["Booster", "BoosterAnswer"]
__all__ += ["Exercise", "Review", "Submission", "SubmissionState"]
