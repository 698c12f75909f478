"""Two territories and the people between them, for the territory-boundary suites.

EMEA: cohort North (coached by Kim) with Ann. DACH: cohort South (coached by Lou) with Cy
and Dax, whose own account says EMEA (he moved). Waiting in no cohort: Eve (EMEA), Dan
(DACH) and Nia (no territory). Mae manages EMEA, Max DACH, Mia every territory; Ada is an
admin. Every rep has a stored CRM record (`crm-<key>`) and a private coaching note.

Who may reach whom is written out here from the cast, not taken from the application's own
policy: a rep belongs to their current cohort's territory, or to their own while in no cohort.
"""
import datetime as dt
from dataclasses import dataclass

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts import coaching
from cev_learn.platform.db import db
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import ActivityRecord
from tests.helpers import make_user
from tests.factories import make_cohort

REPS = {  # key: (user territory, cohort)
    "ann": ("EMEA", "North"), "cy": ("DACH", "South"), "dax": ("EMEA", "South"),
    "eve": ("EMEA", None), "dan": ("DACH", None), "nia": (None, None)}
COHORT_TERRITORY = {"North": "EMEA", "South": "DACH"}
STAFF = {"kim": (Role.COACH, None), "lou": (Role.COACH, None), "mae": (Role.MANAGER, "EMEA"),
         "max": (Role.MANAGER, "DACH"), "mia": (Role.MANAGER, None), "ada": (Role.ADMIN, None)}
MANAGERS = ("mae", "max", "mia")
DEAL_DAY = dt.date.today() - dt.timedelta(days=3)


def secret(key: str) -> str:
    """A word only this rep's name and note carry, to find it wherever it leaks."""
    return f"SECRET{key.upper()}"


@dataclass
class Cast:
    users: dict[str, User]
    cohorts: dict[str, int]

    def id(self, key: str) -> int:
        return self.users[key].id

    def email(self, key: str) -> str:
        return self.users[key].email


def build_cast() -> Cast:
    """Create the cast (call inside the data context, after the test track is synced)."""
    users = {key: make_user(role, email=f"{key}@example.com", name=f"{key.title()} Staff",
                            territory=territory)
             for key, (role, territory) in STAFF.items()}
    users.update({key: make_user(Role.REP, email=f"{key}@example.com",
                                 name=f"{key.title()} {secret(key)}", territory=territory)
                  for key, (territory, _) in REPS.items()})
    cohorts = {}
    for name, coach in (("North", "kim"), ("South", "lou")):
        members = [users[key] for key, (_, cohort) in REPS.items() if cohort == name]
        cohorts[name] = make_cohort(name=name, territory=COHORT_TERRITORY[name],
                                    coaches=[users[coach]], reps=members).id
    for key in REPS:
        db.session.add(ActivityRecord(external_id=f"crm-{key}", user_id=users[key].id,
                                      occurred_on=DEAL_DAY, type="deal_won", quantity=1,
                                      amount=7500.0, source="import"))
        coaching.add_note(rep=users[key], author=users["ada"], body=f"NOTE {secret(key)}",
                          shared=False)
    refresh_reps([users[key].id for key in REPS], dt.date.today())
    db.session.commit()
    return Cast(users, cohorts)


def territory_of(rep: str) -> str | None:
    """The territory a rep belongs to now: their cohort's, or their own while in none."""
    own, cohort = REPS[rep]
    return COHORT_TERRITORY[cohort] if cohort else own


def manager_sees(manager: str, rep: str) -> bool:
    scope = STAFF[manager][1]
    return scope is None or scope == territory_of(rep)


def manager_sees_cohort(manager: str, cohort: str) -> bool:
    scope = STAFF[manager][1]
    return scope is None or scope == COHORT_TERRITORY[cohort]
