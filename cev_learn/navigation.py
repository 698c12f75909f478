"""Role-aware navigation: each role's home page and its top-bar items."""
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from cev_learn.accounts import policy
from cev_learn.accounts.models import Role
from cev_learn.accounts.sessions import read_with_signed_in
from cev_learn.notifications.queries import unread_count
from cev_learn.notifications.services import UNREAD
from cev_learn.platform.templating import ZONE_VARIABLE, remember_zone


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str


HOME_ENDPOINTS = {
    Role.REP: "cohorts.rep_home",
    Role.COACH: "cohorts.coach_home",
    Role.MANAGER: "analytics.manager_home",
    Role.ADMIN: "accounts.users",
}

PLAYBOOK = NavItem("Playbook", "content.tracks")
QUIZ_RESULTS = NavItem("Quiz results", "quizzes.results_overview")
COHORTS = NavItem("Cohorts", "cohorts.cohort_list")
RAMP = NavItem("Ramp", "analytics.manager_home")
NAV_ITEMS = {
    Role.REP: [NavItem("This week", "cohorts.rep_home"), PLAYBOOK,
               NavItem("Practice", "practice.index"), NavItem("Certificates", "certifications.mine")],
    Role.COACH: [NavItem("My reps", "cohorts.coach_home"), RAMP, QUIZ_RESULTS,
                 NavItem("Reviews", "practice.queue"), PLAYBOOK],
    Role.MANAGER: [RAMP, COHORTS, NavItem("Reps", "cohorts.coach_home"), QUIZ_RESULTS, PLAYBOOK],
    Role.ADMIN: [NavItem("Users", "accounts.users"), RAMP, COHORTS, QUIZ_RESULTS, PLAYBOOK],
}


def home_endpoint(role: Role) -> str:
    return HOME_ENDPOINTS[role]


def nav_items(role: Role) -> list[NavItem]:
    return NAV_ITEMS[role]


def template_context() -> dict:
    """What every page's template may use: the top bar (with the bell's count of unread
    notifications), the home page, the access rules (`can`) and the zone times are shown in,
    for whoever is signed in."""
    if has_request_context() and current_user.is_authenticated:
        return {"nav": nav_items(current_user.role), "in_section": in_section,
                "home_endpoint": home_endpoint(current_user.role), "can": policy,
                "unread_notifications": unread_notifications,
                ZONE_VARIABLE: remember_zone(current_user.shown_time_zone)}
    return {"nav": [], "home_endpoint": "accounts.login", "can": policy}


def in_section(item: NavItem) -> bool:
    """Whether the page shown belongs to the top-bar item's section without being the item's
    own page: its view is defined in the same module as the item's (a domain's pages are cut
    into sections by module: a cohort's admin pages, a coach's reps, quiz results…)."""
    views = current_app.view_functions
    shown, own = views.get(request.endpoint), views.get(item.endpoint)
    return (request.endpoint != item.endpoint and shown is not None and own is not None
            and shown.__module__ == own.__module__)


def unread_notifications() -> int:
    """The signed-in person's unread notifications, as read with them when this request
    loaded them (counted here only for someone signed in during the request). Never inside a
    cached body: the count is the top bar's, fresh on every page."""
    count = read_with_signed_in(UNREAD)
    if count is None:
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user.id)
        count = g.unread_notifications
    return count
