"""Cross-site scripting end to end: hostile text planted wherever cev_learn shows text, through
the real content sync, forms and CSV imports, and every page showing it read by a parser.

tests/unit/test_sanitizer.py tests the sanitizer on its own; this module asks whether any
page, template, chart, flash message, form or import report lets planted text run. Data is
set up once for the module and each page is fetched once with every payload in it.
"""
import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from cev_learn import create_app
from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role, User
from cev_learn.content.models import Quiz
from cev_learn.platform.db import db
from cev_learn.ramp.reminders import compose, load_plan
from tests.api.helpers import token_for
from tests.helpers import empty_tables, app_config, csrf_token, login, make_user
from tests.content.trees import INTRO, TRACK_YAML, good_track, write_tree
from tests.factories import make_cohort
from tests.security.html_checks import (Inspection, Page, as_page, assert_inert, assert_shown,
                                        fetch)
from tests.security.xss_payloads import ALL, EMAILS, EVALUATED, PAYLOADS

TRACK = "xss-track"
TODAY = dt.date.today()
DAYS_FROM_TODAY = ()  # TODAY moves to the day each test runs (conftest)


def packed(limit: int, items=ALL) -> list[str]:
    """Whole payloads joined by spaces into texts of at most `limit` characters."""
    texts, current = [], ""
    for item in items:
        joined = f"{current} {item}" if current else item
        if len(joined) <= limit:
            current = joined
        else:
            texts.append(current)
            current = item
    return texts + [current]


EVERYTHING = "\n\n".join(ALL)  # for plain text: a note, an essay answer
# Closes whatever a payload may leave open, raw-text elements included, so that in one
# markup document each payload is parsed from a clean state; the marker after it shows it was.
RESET = ("</style></script></textarea></title></xmp></noscript></iframe></noembed></noframes>"
         "</template></select></table></details></svg></math></a></div></p>-->")
# Links the course loader refuses outright in module files (a quiz's markdown keeps them, for
# the sanitizer to deal with): a module holding one is not loaded at all.
REFUSED_LINKS = ("md-link-javascript", "md-link-upper", "md-link-entity", "md-link-angle",
                 "md-image-javascript", "md-image-data-svg")
# Template payloads the loader refuses in module text as unknown placeholders (the module is
# not loaded; tests/content/test_module_flow.py): module text names the reader's people only
# through the four placeholders, which the body below uses so that hostile names of coaches,
# managers and cohorts are put into a module page too.
REFUSED_PLACEHOLDERS = ("jinja-product", "jinja-7x7", "jinja-config", "jinja-globals")
MODULE_PAYLOADS = [name for name in PAYLOADS
                   if name not in REFUSED_LINKS and name not in REFUSED_PLACEHOLDERS]
PLACEHOLDERS = ("Placeholders: {{ coach }}, {{ Manager }}, {{ cohort }}, {{ start_date }}.\n\n"
                + "\n".join(f"- [ ] {{{{ coach }}}} {PAYLOADS[name]}"  # checklist items
                             for name in ("img-onerror", "script", "double-quote-tag")))


def marker(name: str) -> str:
    return f"payload {name} ends here"


def markup_document(names) -> str:
    """The payloads as one markdown or HTML text, each followed by RESET and its marker."""
    return "\n\n".join(f"{PAYLOADS[name]}\n\n{RESET}\n\n{marker(name)}" for name in names)


MODULE_BODY = PLACEHOLDERS + "\n\n" + markup_document(MODULE_PAYLOADS)  # before <plaintext>
MARKUP = markup_document(PAYLOADS)
TITLES, NAMES, TERRITORIES = packed(200), packed(120), packed(80)
MILESTONE_NOTES, ASSIGNMENT_NOTES, GRADE_COMMENTS = packed(500), packed(1000), packed(2000)
# Browsers send a file name with `"` in it percent-encoded, so the one reflected has `'`.
FILENAME = PAYLOADS["single-quote-tag"] + ".csv"
# Typed into search boxes, query strings, sign-in and form fields, and shown back.
REFLECTED = PAYLOADS["double-quote-tag"] + " " + PAYLOADS["jinja-product"]

def test_the_checker_catches_what_it_looks_for():
    bad = ["<script>alert(1)</script>", '<script src="//evil.example/x.js"></script>',
           "<img src=x onerror=alert(1)>", '<a href="java&#x09;script:alert(1)">x</a>',
           '<a href="data:text/html,x">x</a>', "<iframe></iframe>", '<base href="/">',
           '<meta http-equiv="refresh" content="0">', '<p style="color:red">x</p>',
           "<style>p{}</style>", '<form action="https://evil.example/"></form>',
           '<svg><a xlink:href="vbscript:x">x</a></svg>', '<a href="/" target="_blank">x</a>',
           '<img src="/x.png" name="getElementById">']
    assert all(Inspection(html).problems for html in bad)
    good = ('<script src="/static/js/quiz.js" defer></script><details class="menu"><summary>'
            'M</summary></details><form method="post" action="/logout"><button formaction='
            '"/x">b</button></form><a href="https://example.com/a?b=1">&lt;script&gt;</a>'
            '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>')
    assert Inspection(good).problems == []
    assert Inspection(good).shows("<script>") and not Inspection(good).shows("<script>alert")


def test_there_are_enough_distinct_payloads():
    assert len(set(ALL)) == len(ALL) >= 60
    assert all(len(p) <= 80 and "\0" not in p and "\r" not in p for p in ALL)
    assert len(EVERYTHING) <= 5000  # a coaching note holds them all
    first = [PAYLOADS[k] for k in ("jinja-product", "double-quote-tag", "single-quote-tag")]
    assert all(p in TERRITORIES[0] and p in NAMES[0] for p in first)


def content_check(root) -> str:
    """What `cev-learn content check` says about a course tree (no database needed)."""
    app = create_app({"SECRET_KEY": "check", "DATABASE_URL": "sqlite://", "REQUEST_LOG": False})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1, result.output
    return result.output


def test_module_links_to_script_urls_stop_the_whole_sync(tmp_path):
    """Before the sanitizer, the loader: a module linking to javascript: or data: is refused,
    line by line, and nothing of the track is loaded."""
    body = "\n\n".join(PAYLOADS[name] for name in REFUSED_LINKS)
    output = content_check(good_track(tmp_path, **{"modules/01-intro.md": INTRO + body}))
    reported = [line for line in output.splitlines() if "01-intro.md:" in line]
    assert len(reported) == len(REFUSED_LINKS), output


def test_titles_longer_than_stored_are_refused_before_sync(tmp_path):
    """A milestone or rubric title the database cannot hold is a content error, not a crash
    of the sync (PostgreSQL refuses the row; SQLite would store it whole)."""
    long_title = "T" * 201
    yaml_text = TRACK_YAML.replace("title: First meeting", f"title: {long_title}") + (
        f"rubrics:\n  pitch: {{title: {long_title}, pass_mark: 0.7, criteria: [a]}}\n")
    output = content_check(good_track(tmp_path, **{"track.yaml": yaml_text}))
    assert "milestone 'first-meeting' needs a title of at most 200 characters" in output
    assert "a rubric needs a title of at most 200 characters" in output


# --------------------------------------------------------------------------------------------
# Planting: content files, people, cohorts, imports, coaching, a quiz attempt
# --------------------------------------------------------------------------------------------

def course_tree(root):
    """A track whose every shown text is hostile: titles, bodies, quiz text, rubric, milestones."""
    modules = {f"{TRACK}/modules/{n:02d}-m{n}.md": "---\n" + yaml.safe_dump(
        {"title": title, "minutes": 5}) + "---\n" + (MODULE_BODY if n == 1 else "Plain text.\n")
        for n, title in enumerate(TITLES, start=1)}
    milestones = [{"slug": f"hand-{n}", "title": TITLES[n % len(TITLES)], "due_day": 20 + n,
                   "measure": {"activity": "demo", "at_least": 1000}}
                  for n in range(1, len(MILESTONE_NOTES) + 1)]
    track = {"title": TITLES[0], "summary": " ".join(ALL[:20]),
             "schedule": [{"module": f"m{n}", "due_day": n} for n in range(1, len(TITLES) + 1)]
             + [{"quiz": "xss", "due_day": 3}],
             "quizzes": {"xss": {"title": TITLES[1], "file": "quizzes/xss.quiz.yaml",
                                 "pass_mark": 0.5, "shuffle": False}},
             "rubrics": {"pitch": {"title": TITLES[2], "pass_mark": 0.5, "criteria": TITLES}},
             "milestones": milestones, "productivity_milestone": "hand-1",
             "activity_targets": {"meeting": [1, 2]}}
    write_tree(root, {**modules, f"{TRACK}/track.yaml": yaml.safe_dump(track),
                      f"{TRACK}/quizzes/xss.quiz.yaml": yaml.safe_dump({"questions": questions()})})
    return root


def questions() -> list[dict]:
    every = [{"type": "single", "format": fmt, "prompt": MARKUP, "general_feedback": MARKUP,
              "choices": [{"text": p, "feedback": p, "correct": i == 0} for i, p in enumerate(ALL)]}
             for fmt in ("markdown", "html", "moodle", "plain")]
    return every + [
        {"type": "true_false", "format": "plain", "prompt": EVERYTHING, "answer": True,
         "true_feedback": EVERYTHING, "false_feedback": EVERYTHING},
        {"type": "short", "prompt": EVERYTHING, "answers": [{"text": t} for t in TITLES]},
        {"type": "numeric", "prompt": EVERYTHING,
         "numeric": [{"value": 12, "feedback": EVERYTHING}]},
        {"type": "matching", "prompt": EVERYTHING,
         "pairs": [{"left": t, "right": t} for t in TITLES]},
        {"type": "essay", "format": "html", "prompt": MARKUP},
        {"type": "description", "format": "moodle", "prompt": MARKUP},
    ]


@dataclass
class Site:
    app: Flask
    clients: dict
    ids: dict
    pages: dict


def users_csv(coach_email: str, cohorts: list[str]) -> bytes:
    rows = [["email", "name", "role", "cohort", "territory", "coach_email"]]
    for n, territory in enumerate(TERRITORIES):
        email = EMAILS[0] if n == 0 else f"rep{n}@example.com"
        rows.append([email, NAMES[n % len(NAMES)], "rep", cohorts[n % len(cohorts)], territory,
                     coach_email])
    rows += [[email, NAMES[n], "rep", "", "", ""] for n, email in enumerate(EMAILS[1:])]
    rows.append([ALL[0], PAYLOADS["double-quote-tag"], PAYLOADS["script"], "", "", ""])
    return _csv(rows)


def activities_csv(rep_email: str) -> bytes:
    start = (TODAY - dt.timedelta(days=9)).isoformat()
    rows = [["external_id", "rep_email", "occurred_on", "type", "quantity", "amount"]]
    rows += [[p, rep_email, start, "meeting", "1", ""] for p in ALL]
    rows.append(["bad-1", PAYLOADS["img-onerror"], PAYLOADS["svg-onload"], PAYLOADS["script"],
                 PAYLOADS["jinja-product"], PAYLOADS["double-quote-tag"]])
    return _csv(rows)


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def signed_in(app, user: User):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    client.token = csrf_token(client, "/")
    return client


def post(client, url: str, data: dict, **kwargs):
    return client.post(url, data={"csrf_token": client.token, **data}, **kwargs)


def options_of(page: Page, select: str) -> list[str]:
    return [a.get("value") for tag, a, name in page.inspection.elements
            if tag == "option" and name == select and a.get("value")]


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("xss")
    data_app = create_app(app_config(database_url, instance, SQLITE_BEGIN="autocommit"))
    app = create_app(app_config(database_url, instance))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["content", "sync", str(course_tree(instance))])
    assert result.exit_code == 0, result.output
    try:
        with data_app.app_context():
            yield plant(app)
    finally:
        for each in (app, data_app):
            with each.app_context():
                db.session.remove()
                if each is data_app:
                    empty_tables()
                db.engine.dispose()


def plant(app) -> Site:
    staff = {role: make_user(role, name=NAMES[-1 - i]) for i, role in
             enumerate((Role.ADMIN, Role.COACH, Role.MANAGER))}
    victim = make_user(Role.REP, email=EMAILS[0])
    clients = {role.value: signed_in(app, user) for role, user in staff.items()}
    clients["rep"] = signed_in(app, victim)
    admin, coach, manager = clients["admin"], clients["coach"], clients["manager"]
    pages = {}
    # The first cohort through the form (its name comes back in a flash), the rest directly.
    created = post(manager, "/cohorts/new", {"name": NAMES[0], "track": TRACK,
                                             "start_on": TODAY - dt.timedelta(days=10),
                                             "territory": TERRITORIES[0],
                                             "coaches": staff[Role.COACH].id})
    assert created.status_code == 302, created.get_data(as_text=True)
    pages["cohort-created"] = fetch(manager, "cohort-created", created.headers["Location"])
    pages["cohort-duplicate"] = as_page("cohort-duplicate", post(manager, "/cohorts/new", {
        "name": NAMES[0], "track": TRACK, "start_on": TODAY}))
    for name, territory in zip(NAMES[1:], TERRITORIES[1:]):
        make_cohort(name=name, territory=territory, track=TRACK, coaches=[staff[Role.COACH]])
    imported = post(admin, "/admin/import/users", {"skip_invalid": "y", "file": (
        io.BytesIO(users_csv(staff[Role.COACH].email, NAMES)), "users.csv")})
    pages["user-import"] = as_page("user-import", imported)
    main_cohort = int(created.headers["Location"].rsplit("/", 1)[1])
    joined = post(manager, f"/cohorts/{main_cohort}/members", {"rep": EMAILS[1]})
    pages["member-added"] = fetch(manager, "member-added", joined.headers["Location"])
    ids = {"victim": victim.id, "cohort": main_cohort,
           "quiz": db.session.scalar(select(Quiz.id).where(Quiz.slug == "xss"))}
    done = post(clients["rep"], f"/tracks/{TRACK}/modules/m1/complete", {})
    onward = clients["rep"].get(done.headers["Location"])  # the step to what comes next
    pages["module-completed"] = fetch(clients["rep"], "module-completed", onward.headers["Location"])
    _crm_import(manager, pages)
    _coach(coach, victim.id, pages)
    _quiz(clients["rep"], coach, pages, ids)
    _tokens(admin, pages)
    return Site(app, clients, ids, pages)


def _crm_import(manager, pages):
    preview = post(manager, "/ramp/import", {"kind": "activities", "skip_invalid": "y", "file": (
        io.BytesIO(activities_csv(EMAILS[0])), FILENAME)})
    pages["crm-preview"] = as_page("crm-preview", preview)
    assert "is ready to import" in pages["crm-preview"].text, pages["crm-preview"].text
    token = next(a["value"] for tag, a, _ in pages["crm-preview"].inspection.elements
                 if tag == "input" and a.get("name") == "token")
    assert post(manager, "/ramp/import/confirm", {"token": token}).status_code == 302


def _coach(coach, rep_id: int, pages):
    rep_url = f"/reps/{rep_id}"
    assert post(coach, rep_url + "/notes", {"body": EVERYTHING, "shared": "y"}).status_code == 302
    item = options_of(fetch(coach, "rep", rep_url), "item")[0]
    for note in ASSIGNMENT_NOTES:
        assert post(coach, rep_url + "/assignments", {
            "item": item, "due_on": TODAY + dt.timedelta(days=2), "note": note}).status_code == 302
    for n, note in enumerate(MILESTONE_NOTES, start=1):
        assert post(coach, f"{rep_url}/milestones/hand-{n}",
                    {"achieved_on": TODAY, "note": note}).status_code == 302
    pages["signoff-form"] = fetch(coach, "signoff-form", rep_url + "/signoffs/pitch")
    scores = {f"score_{i}": "4" for i in range(len(TITLES))}
    comments = {f"comment_{i}": c for i, c in enumerate(ASSIGNMENT_NOTES)}
    assert post(coach, rep_url + "/signoffs/pitch", {**scores, **comments}).status_code == 302


def _quiz(rep, coach, pages, ids):
    started = post(rep, f"/tracks/{TRACK}/quizzes/xss/start", {})
    attempt_url = started.headers["Location"]
    pages["quiz-take"] = take = fetch(rep, "quiz-take", attempt_url)
    answers = {}
    for tag, attrs, owner in take.inspection.elements:
        name = attrs.get("name")
        if tag == "input" and attrs.get("type") == "radio":
            answers.setdefault(name, attrs["value"])
        elif tag == "input" and attrs.get("class", "").endswith("--short"):
            answers[name] = "12" if attrs.get("inputmode") == "decimal" else TITLES[0]
        elif tag == "textarea":
            answers[name] = EVERYTHING
        elif tag == "option" and attrs.get("value"):
            answers.setdefault(owner, attrs["value"])
    assert post(rep, attempt_url + "/submit", answers).status_code == 302  # to the summary
    pages["quiz-summary"] = fetch(rep, "quiz-summary", attempt_url + "/summary")
    assert post(rep, attempt_url + "/submit", {"confirm": "yes"}).status_code == 302
    pages["quiz-result-coach"] = graded = fetch(coach, "quiz-result-coach", attempt_url)
    actions = [a["action"] for tag, a, _ in graded.inspection.elements
               if tag == "form" and "/grade/" in a.get("action", "")]
    for action, comment in zip(actions, GRADE_COMMENTS):
        assert post(coach, action, {"points": "0.5", "comment": comment}).status_code == 302
    ids["attempt"] = int(attempt_url.rsplit("/", 1)[1])
    # A second attempt, saved with a field name that is no question: the refusal names it.
    second = post(rep, f"/tracks/{TRACK}/quizzes/xss/start", {}).headers["Location"]
    for name, accept in (("quiz-save-refused", "text/html"),
                         ("quiz-save-refused-json", "application/json")):
        pages[name] = as_page(name, post(rep, second + "/save", {"q-" + REFLECTED: "1"},
                                       headers={"Accept": accept}))


def _tokens(admin, pages):
    for name in packed(100):
        assert post(admin, "/admin/tokens", {"email": EMAILS[0], "name": name}).status_code == 200
    pages["token-unknown-user"] = as_page("token-unknown-user", post(admin, "/admin/tokens", {
        "email": PAYLOADS["double-quote-tag"] + "@x.example", "name": TITLES[0][:100]}))


# --------------------------------------------------------------------------------------------
# Every page that shows the planted text, fetched once
# --------------------------------------------------------------------------------------------


def page_urls(ids: dict) -> dict[str, tuple[str, str]]:
    rep, cohort, attempt, quiz = ids["victim"], ids["cohort"], ids["attempt"], ids["quiz"]
    module = f"/tracks/{TRACK}/modules/m1"
    q = quote(REFLECTED)
    return {
        "week": ("rep", "/week"), "tracks": ("rep", "/tracks"),
        "track": ("rep", f"/tracks/{TRACK}"), "module": ("rep", module),
        "quiz": ("rep", f"/tracks/{TRACK}/quizzes/xss"),
        "quiz-result-rep": ("rep", f"/attempts/{attempt}"),
        "search-hit": ("rep", "/search?q=hover+me"), "search-reflected": ("rep", f"/search?q={q}"),
        "coach-home": ("coach", "/coach"), "rep-page": ("coach", f"/reps/{rep}"),
        "module-coach": ("coach", module), "quiz-index": ("coach", "/quizzes"),
        "quiz-results": ("coach", f"/quizzes/{quiz}/results"),
        "quiz-analysis": ("coach", f"/quizzes/{quiz}/analysis"),
        "quiz-result-graded": ("coach", f"/attempts/{attempt}"),
        "ramp": ("manager", "/ramp"), "ramp-cohort": ("manager", f"/ramp/cohorts/{cohort}"),
        "ramp-rep": ("manager", f"/ramp/reps/{rep}"),
        "ramp-as-of": ("manager", f"/ramp?as_of={q}"),
        "ramp-activity": ("manager", f"/ramp/cohorts/{cohort}?activity={q}"),
        "cohorts": ("manager", "/cohorts"), "cohort-detail": ("manager", f"/cohorts/{cohort}"),
        "cohort-new": ("manager", "/cohorts/new"),
        "users-1": ("admin", "/admin/users"), "users-2": ("admin", "/admin/users?page=2"),
        "users-search": ("admin", f"/admin/users?q={q}&role={q}&status={q}"),
        "user-edit": ("admin", f"/admin/users/{rep}"), "tokens": ("admin", "/admin/tokens"),
        "login-next": (None, f"/login?next={q}"), "not-found": ("rep", f"/tracks/{q}"),
    }


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Page]:
    found = dict(site.pages)
    anonymous = site.app.test_client()
    for name, (role, url) in page_urls(site.ids).items():
        found[name] = fetch(site.clients[role] if role else anonymous, name, url)
    found["login-failed"] = as_page("login-failed", anonymous.post("/login", data={
        "email": REFLECTED, "password": "x", "csrf_token": csrf_token(anonymous)}))
    return found


CHECKED = {  # the HTML pages each test below checks
    "reader": ("week", "tracks", "track", "module", "module-completed", "module-coach",
               "search-hit"),
    "quiz": ("quiz", "quiz-take", "quiz-summary", "quiz-result-rep", "quiz-result-coach", "quiz-result-graded",
             "quiz-index", "quiz-results", "quiz-analysis"),
    "coach": ("coach-home", "rep-page", "signoff-form"),
    "ramp": ("ramp", "ramp-cohort", "ramp-rep"),
    "admin": ("users-1", "users-2", "user-edit", "tokens", "cohorts", "cohort-detail",
              "cohort-new", "cohort-created", "member-added"),
    "imports": ("user-import", "crm-preview"),
    "reflected": ("search-reflected", "login-next", "login-failed", "ramp-as-of", "ramp-activity",
                  "users-search", "not-found", "cohort-duplicate", "token-unknown-user",
                  "quiz-save-refused"),
}
SINGLE_LINE = [p for p in ALL if "\n" not in p]


def checked(pages, group: str) -> list[Page]:
    return [pages[name] for name in CHECKED[group]]


def test_every_page_fetched_is_checked(pages):
    html = {name for name, page in pages.items() if page.mimetype == "text/html"}
    assert html == {name for names in CHECKED.values() for name in names}


def test_reader_pages_keep_hostile_content_inert(pages):
    assert_inert(checked(pages, "reader"))
    assert_shown(pages["track"], TITLES)
    assert_shown(pages["module"], [TITLES[0], *map(marker, MODULE_PAYLOADS)])
    assert pages["module"].text.count('type="checkbox"') == 3  # the hostile checklist items
    assert_shown(pages["week"], [EVERYTHING, *ASSIGNMENT_NOTES, NAMES[0]])
    assert_shown(pages["module-completed"], [TITLES[0]])  # in the flash
    assert_shown(pages["module-coach"], [NAMES[0]])  # among those who completed it
    assert "results__title" in pages["search-hit"].text


def test_quiz_pages_keep_questions_answers_and_feedback_inert(pages):
    assert_inert(checked(pages, "quiz"))
    assert_shown(pages["quiz-take"], [TITLES[1], *SINGLE_LINE, *map(marker, PAYLOADS)])
    assert_shown(pages["quiz-summary"], [TITLES[1]])
    result = pages["quiz-result-rep"]
    assert "option__feedback" in result.text  # feedback is revealed after submission
    assert_shown(result, [*SINGLE_LINE, *GRADE_COMMENTS])
    assert_shown(pages["quiz-result-graded"], [EVERYTHING, *GRADE_COMMENTS, NAMES[0]])
    assert_shown(pages["quiz-results"], [NAMES[0]])


def test_coach_pages_keep_people_notes_and_rubrics_inert(pages):
    assert_inert(checked(pages, "coach"))
    assert_shown(pages["rep-page"], [NAMES[0], EMAILS[0], TERRITORIES[0], EVERYTHING, NAMES[-2],
                                     TITLES[2]])
    assert_shown(pages["coach-home"], [*NAMES])
    assert_shown(pages["signoff-form"], [NAMES[0], *TITLES])


def test_ramp_pages_and_charts_keep_names_inert(pages):
    assert_inert(checked(pages, "ramp"))
    assert "<svg" in pages["ramp-cohort"].text  # the charts are on the page being checked
    assert_shown(pages["ramp"], NAMES)
    assert_shown(pages["ramp-rep"], [NAMES[0], *(TITLES[n % len(TITLES)]
                                                 for n in range(1, len(MILESTONE_NOTES) + 1))])


def test_admin_and_cohort_pages_keep_people_inert(pages):
    assert_inert(checked(pages, "admin"))
    listed = Page("users", 200, "text/html", {}, pages["users-1"].text + pages["users-2"].text)
    assert_shown(listed, [*NAMES, *TERRITORIES, *EMAILS])
    assert_shown(pages["user-edit"], [NAMES[0], EMAILS[0], TERRITORIES[0]])
    assert_shown(pages["tokens"], packed(100))
    assert_shown(pages["cohorts"], NAMES)
    assert_shown(pages["cohort-created"], [NAMES[0], TERRITORIES[0]])  # in the flash and form
    assert_shown(pages["member-added"], [NAMES[1], NAMES[0]])


def test_csv_import_reports_keep_file_contents_inert(pages):
    assert_inert(checked(pages, "imports"))
    assert pages["user-import"].status == 200 and pages["crm-preview"].status == 200
    assert_shown(pages["user-import"], [ALL[0], PAYLOADS["script"]])  # bad rows, quoted
    assert_shown(pages["crm-preview"], [FILENAME, PAYLOADS["img-onerror"], PAYLOADS["script"]])


def test_reflected_input_is_escaped(pages):
    assert_inert(checked(pages, "reflected"))
    assert pages["ramp-as-of"].status == 400 and pages["not-found"].status == 404
    for name in ("search-reflected", "login-failed", "ramp-as-of", "users-search",
                 "quiz-save-refused"):
        assert_shown(pages[name], [REFLECTED])
    refused = pages["quiz-save-refused-json"]  # what the autosave script reads
    assert (refused.status, refused.mimetype) == (400, "application/json")
    assert REFLECTED in json.loads(refused.text)["error"]
    assert_shown(pages["cohort-duplicate"], [NAMES[0]])
    assert_shown(pages["token-unknown-user"], [PAYLOADS["double-quote-tag"]])


def test_template_syntax_in_data_is_shown_as_typed(pages):
    """Text planted through a note, a name, a content title, a quiz option and a CSV import
    never reaches a template engine: it shows as typed and nothing evaluates it."""
    typed = [PAYLOADS[k] for k in ("jinja-7x7", "jinja-product", "jinja-statement",
                                   "jinja-config", "dollar-brace", "erb")]
    for name in ("rep-page", "users-1", "track", "quiz-take", "crm-preview", "coach-home",
                 "cohort-created"):
        page = pages[name]
        assert any(page.inspection.shows(t) for t in typed), name
        assert EVALUATED not in page.text and "test-secret-key" not in page.text, name
    assert_shown(pages["rep-page"], typed)
    assert_shown(pages["cohort-created"], [PAYLOADS["jinja-product"]])  # a flash message


def test_json_api_answers_json_with_the_text_as_stored(site):
    client, secret = site.app.test_client(), _token(site)
    headers = {"Authorization": f"Bearer {secret}"}
    rep = site.ids["victim"]
    urls = ["/api/v1/users?per_page=100", f"/api/v1/users/{rep}", "/api/v1/cohorts",
            f"/api/v1/reps/{rep}/achievements", f"/api/v1/reps/{rep}/attempts",
            f"/api/v1/reps/{rep}/progress", "/api/v1/xapi/statements",
            f"/api/v1/{quote(REFLECTED)}"]
    bodies = {}
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.mimetype in ("application/json", "application/problem+json"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.status_code == (404 if url == urls[-1] else 200), url
        bodies[url] = response.get_data(as_text=True)
        json.loads(bodies[url])
    assert set(NAMES) <= {u["name"] for u in json.loads(bodies[urls[0]])["items"]}
    assert set(MILESTONE_NOTES) <= {a["note"] for a in json.loads(bodies[urls[3]])["items"]}


def _token(site) -> str:
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    return token_for(admin, Scope.READ)


def test_csv_exports_are_downloads_not_pages(site):
    client, rep, cohort = site.clients["manager"], site.ids["victim"], site.ids["cohort"]
    for url in (f"/quizzes/{site.ids['quiz']}/results.csv", "/ramp/export/cohorts.csv",
                f"/ramp/cohorts/{cohort}/export/km.csv", f"/ramp/reps/{rep}/export/weekly.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/csv", url
        assert response.headers["Content-Disposition"].startswith("attachment;"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url


def test_reminder_emails_keep_names_and_titles_inert(site):
    with site.app.app_context():
        messages = [compose(r, site.app.config) for r in load_plan(TODAY).due]
    html = [m.get_body(("html",)).get_content() for m in messages]
    assert len(html) >= 2  # the rep digests and the coach's weekly summary
    for body in html:
        problems = [p for p in Inspection(body).problems if not p.startswith("style attribute")]
        assert not problems, problems
    assert any(Inspection(body).shows(TITLES[0]) for body in html)
