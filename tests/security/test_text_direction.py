"""Names stored with direction controls (from before they were refused) cannot reorder pages."""
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from markupsafe import Markup

from cev_learn.accounts.models import Role
from tests.helpers import login, make_user
from tests.content.trees import good_track
from tests.factories import make_cohort
from tests.unit.test_text_direction import leaking_controls

REP_NAME = "Evil\u202egnp.exe"
COACH_NAME = "\u2069\u202eKim Coach"  # a stray PDI first, to close an isolate opened before it
COHORT_NAME = "Spring\u202b 2026"
TERRITORY = "EMEA\u200f"
# A form control shows its text as a paragraph of its own, apart from the page around it: the
# edit form shows the name as stored, and a select its options as the form built them.
OWN_PARAGRAPH_ATTRIBUTES = frozenset({"value"})
OWN_PARAGRAPH_ELEMENTS = frozenset({"option", "textarea"})


class _Leaks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.inside: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in OWN_PARAGRAPH_ELEMENTS:
            self.inside = tag
        for name, value in attrs:
            if value and name not in OWN_PARAGRAPH_ATTRIBUTES:
                self.found += [f"<{tag} {name}>: {leak}" for leak in leaking_controls(value)]

    def handle_endtag(self, tag):
        if tag == self.inside:
            self.inside = None

    def handle_data(self, data):
        if self.inside is None:
            self.found += [f"{data.strip()[:40]!r}: {leak}" for leak in leaking_controls(data)]


def leaks(page: str) -> list[str]:
    """Direction controls in a page's text or attributes that can reorder what is around them."""
    parser = _Leaks()
    parser.feed(page)
    parser.close()
    return parser.found


@pytest.fixture
def people(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "sync", str(good_track(tmp_path))])
    assert result.exit_code == 0, result.output
    coach = make_user(Role.COACH, name=COACH_NAME, territory=TERRITORY)
    rep = make_user(Role.REP, name=REP_NAME, territory=TERRITORY)
    cohort = make_cohort(reps=[rep], coaches=[coach], name=COHORT_NAME, territory=TERRITORY)
    return {"rep": rep, "coach": coach, "cohort": cohort,
            "admin": make_user(Role.ADMIN), "manager": make_user(Role.MANAGER)}


def pages_seen_by(app, user, urls: list[str]) -> dict[str, str]:
    client = app.test_client()
    login(client, user.email)
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.get_data(as_text=True)
    return seen


def test_stored_names_are_isolated_on_every_page_that_shows_them(app, people):
    rep, cohort = people["rep"].id, people["cohort"].id
    pages = {
        **pages_seen_by(app, people["admin"], [
            "/admin/users", f"/admin/users/{rep}", "/cohorts", f"/cohorts/{cohort}"]),
        **pages_seen_by(app, people["manager"], [
            "/ramp", f"/ramp/cohorts/{cohort}", f"/ramp/reps/{rep}"]),
        **pages_seen_by(app, people["coach"], ["/coach", f"/reps/{rep}"]),
        **pages_seen_by(app, people["rep"], ["/week"]),
    }
    for url, page in pages.items():
        assert leaks(page) == [], url
    assert "\u2068Evil\u202egnp.exe\u2069" in pages["/admin/users"]
    assert "\u2068\u202eKim Coach\u2069" in pages[f"/reps/{rep}"]
    assert "\u2068Spring\u202b 2026\u2069" in pages[f"/ramp/cohorts/{cohort}"]


def test_the_checker_finds_a_name_shown_without_isolation():
    assert leaks(f"<td>{REP_NAME}</td><td>Next</td>") == ["'Evil\\u202egnp.exe': U+202E"]
    assert leaks(f'<svg><title>{REP_NAME}</title><circle aria-label="{REP_NAME}"/></svg>') \
        == ["'Evil\\u202egnp.exe': U+202E", "<circle aria-label>: U+202E"]
    assert leaks(f'<input value="{REP_NAME}"><select><option>{REP_NAME}</select>') == []


def test_templates_isolate_plain_text_but_not_markup_or_what_goes_back_into_a_field(app):
    with app.test_request_context():
        shown = render_template_string(
            "{{ name }}|{{ markup }}|{{ name|as_typed }}|{{ 5 }}",
            name=REP_NAME, markup=Markup("<b>\u202e</b>"))
    assert shown == "\u2068Evil\u202egnp.exe\u2069|<b>\u202e</b>|Evil\u202egnp.exe|5"
