"""The reader as reps, coaches and managers use it."""
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.content.models import Module, ModuleProgress
from cev_learn.platform.db import db
from tests.helpers import login, make_user, post_form
from tests.content.trees import DISCOVERY, good_track
from tests.factories import make_cohort

ROOT = Path(__file__).resolve().parents[2]
MODULE = "/tracks/test-track/modules/intro"


@pytest.fixture
def tree(app, tmp_path):
    good_track(tmp_path)
    result = app.test_cli_runner().invoke(args=["content", "sync", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path


def rep_client(app, start_days_ago=10):
    rep = make_user(Role.REP)
    rep.start_on = dt.date.today() - dt.timedelta(days=start_days_ago)
    db.session.commit()
    client = app.test_client()
    login(client, rep.email)
    return rep, client


def test_track_overview_shows_schedule_due_dates_and_status(app, tree):
    rep, client = rep_client(app, start_days_ago=3)
    page = client.get("/tracks/test-track").get_data(as_text=True)
    start = rep.start_on
    assert (start + dt.timedelta(days=1)).strftime("%d %b %Y") in page
    assert (start + dt.timedelta(days=21)).strftime("%d %b %Y") in page
    assert "Overdue" in page  # intro was due on day 1
    assert "Not started" in page  # discovery is due on day 5
    assert "Milestone" in page and "First meeting" in page
    assert "0%" in page


def test_due_dates_count_from_account_creation_without_a_start_date(app, tree):
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    page = client.get("/tracks/test-track").get_data(as_text=True)
    assert (rep.created_at.date() + dt.timedelta(days=5)).strftime("%d %b %Y") in page


def test_reading_and_completing_a_module(app, tree):
    rep, client = rep_client(app)
    page = client.get(MODULE).get_data(as_text=True)
    assert "<h1>Introduction</h1>" in page and "5 min read" in page
    assert 'href="/tracks/test-track/modules/discovery#sec-questions"' in page
    assert "Mark as complete" in page
    progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == rep.id))
    assert progress.opened_at is not None and progress.completed_at is None

    response = post_form(client, MODULE + "/complete", token_from=MODULE)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "marked as complete" in page and "<h1>Discovery</h1>" in page  # the next module
    assert "✓ Completed" in client.get(MODULE).get_data(as_text=True)
    overview = client.get("/tracks/test-track").get_data(as_text=True)
    assert "50%" in overview and "Completed" in overview


def test_changed_module_asks_for_re_acknowledgement(app, tree):
    rep, client = rep_client(app)
    client.get(MODULE)
    post_form(client, MODULE + "/complete", token_from=MODULE)
    intro = tree / "test-track/modules/01-intro.md"
    intro.write_text(intro.read_text() + "\nA new paragraph.\n")
    app.test_cli_runner().invoke(args=["content", "sync", str(tree)])
    page = client.get(MODULE).get_data(as_text=True)
    assert "Updated since you read it" in page
    assert "I have read the new version" in page
    post_form(client, MODULE + "/complete", token_from=MODULE)
    page = client.get(MODULE).get_data(as_text=True)
    assert "Updated since you read it" not in page and "✓ Completed" in page


def test_coach_reads_modules_and_sees_who_completed_them(app, tree):
    rep, rep_web = rep_client(app)
    rep_web.get(MODULE)
    post_form(rep_web, MODULE + "/complete", token_from=MODULE)
    coach, stranger = make_user(Role.COACH), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    outside = app.test_client()
    login(outside, stranger.email)
    assert rep.name not in outside.get(MODULE).get_data(as_text=True)  # not their cohort
    client = app.test_client()
    login(client, coach.email)
    page = client.get(MODULE).get_data(as_text=True)
    assert "Who has completed it" in page
    assert rep.name in page and "1 rep completed this module" in page
    assert "Mark as complete" not in page
    assert post_form(client, MODULE + "/complete", token_from=MODULE).status_code == 403
    assert db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.user_id == coach.id)) is None


def test_manager_sees_the_schedule_without_personal_status(app, tree):
    manager = make_user(Role.MANAGER)
    client = app.test_client()
    login(client, manager.email)
    page = client.get("/tracks/test-track").get_data(as_text=True)
    assert "Introduction" in page and "Day 21" in page
    assert "Not started" not in page


def test_previous_and_next_follow_the_schedule(app, tree):
    _rep, client = rep_client(app)
    first = client.get(MODULE).get_data(as_text=True)
    assert 'rel="next" href="/tracks/test-track/modules/discovery"' in first
    assert 'rel="prev"' not in first
    second = client.get("/tracks/test-track/modules/discovery").get_data(as_text=True)
    assert 'rel="prev" href="/tracks/test-track/modules/intro"' in second


def test_assets_are_served_with_their_content_type(app, tree):
    _rep, client = rep_client(app)
    response = client.get("/tracks/test-track/assets/chart.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.data.startswith(b"\x89PNG")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/tracks/test-track/assets/missing.png").status_code == 404
    assert client.get("/tracks/test-track/assets/../track.yaml").status_code == 404


def test_retired_and_unknown_content_is_404(app, tree):
    _rep, client = rep_client(app)
    assert client.get("/tracks/nope").status_code == 404
    assert client.get("/tracks/test-track/modules/nope").status_code == 404
    module = db.session.scalar(select(Module).where(Module.slug == "discovery"))
    module.retired_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    assert client.get("/tracks/test-track/modules/discovery").status_code == 404


def test_search_ranks_title_matches_first(app, tree):
    _rep, client = rep_client(app)
    page = client.get("/search?q=discovery").get_data(as_text=True)
    assert page.index(">Discovery</a>") < page.index(">Introduction</a>")
    assert "2 modules match" in page
    empty = client.get("/search?q=zebra+unicorn").get_data(as_text=True)
    assert "No module matches" in empty


def test_search_treats_wildcards_literally(app, tree):
    _rep, client = rep_client(app)
    assert "No module matches" in client.get("/search?q=%25%25").get_data(as_text=True)


def test_tracks_page_has_an_empty_state(app):
    _rep, client = rep_client(app)
    assert "No playbook content yet" in client.get("/tracks").get_data(as_text=True)


def test_page_statement_counts_do_not_grow_with_content(app, tmp_path, count_queries):
    """Module and track pages cost the same number of statements at 2 and at 40 modules."""
    def measure(n_modules, n_readers):
        files = {f"modules/{i + 3:02d}-extra-{i}.md": DISCOVERY.replace("Discovery", f"Extra {i}")
                 for i in range(n_modules)}
        root = tmp_path / f"tree{n_modules}"
        good_track(root, **files)
        app.test_cli_runner().invoke(args=["content", "sync", str(root)])
        for _ in range(n_readers):
            rep, web = rep_client(app)
            web.get(MODULE)
            post_form(web, MODULE + "/complete", token_from=MODULE)
        _rep, client = rep_client(app)
        coach = make_user(Role.COACH)
        coach_client = app.test_client()
        login(coach_client, coach.email)
        client.get(MODULE)  # first visit records "opened"
        counts = {}
        for name, web, url in (("rep module", client, MODULE),
                               ("rep track", client, "/tracks/test-track"),
                               ("coach module", coach_client, MODULE),
                               ("tracks", client, "/tracks"),
                               ("search", client, "/search?q=ask+cost")):
            with count_queries() as counter:
                assert web.get(url).status_code == 200
            counts[name] = counter["n"]
        return counts

    small = measure(0, 1)
    large = measure(40, 5)
    assert small == large
    assert max(large.values()) <= 12, large


def test_track_due_dates_follow_the_reps_start_in_their_cohort(app, tree):
    rep, client = rep_client(app, start_days_ago=40)  # account start date, overridden below
    cohort_start = dt.date.today() - dt.timedelta(days=2)
    make_cohort(reps=[rep], track="test-track", start_on=cohort_start)
    page = client.get("/tracks/test-track").get_data(as_text=True)
    assert (cohort_start + dt.timedelta(days=5)).strftime("%d %b %Y") in page
    assert "Overdue" not in page.split("Discovery")[1].split("</tr>")[0]


def test_track_progress_is_one_number_on_this_week_the_playbook_and_the_track_page(app, tmp_path):
    """The schedule's modules and quizzes, done: not reference modules nor a coach's extra
    work; a module's page counts items as the track page numbers them."""
    from cev_learn.cohorts.coaching import assign
    from cev_learn.cohorts.models import AssignmentKind
    from cev_learn.platform.db import utcnow
    from cev_learn.quizzes import services
    from cev_learn.quizzes.models import AttemptState
    from cev_learn.content.models import Quiz
    from tests.helpers import sync_content
    from tests.quizzes.fixtures import quiz_track

    root = quiz_track(tmp_path)  # schedule: intro, discovery, quiz "check"
    (root / "test-track/modules/03-extra.md").write_text(DISCOVERY.replace("Discovery", "Extra"))
    sync_content(app, root)
    rep, client = rep_client(app)
    coach = make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    for slug in ("intro", "extra"):  # one scheduled module, one reference module
        post_form(client, f"/tracks/test-track/modules/{slug}/complete",
                  token_from=f"/tracks/test-track/modules/{slug}")
    extra = db.session.scalar(select(Module).where(Module.slug == "extra"))
    assign(reps=[rep], kind=AssignmentKind.MODULE, item_id=extra.id, due_on=dt.date.today(),
           note=None, coach=coach, today=dt.date.today())  # done: it was read
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "check"))
    attempt = services.start_attempt(rep, quiz, utcnow(), dt.timedelta(seconds=30))
    attempt.state, attempt.score, attempt.passed = AttemptState.GRADED, 0.9, True
    attempt.submitted_at = utcnow()
    db.session.commit()

    two_of_three = '<span class="progress__value">67%</span>'
    for url in ("/week", "/tracks", "/tracks/test-track"):
        assert two_of_three in client.get(url).get_data(as_text=True), url
    assert "2 of the track's 3 modules and quizzes done" in client.get("/week").get_data(
        as_text=True)
    assert "Item 2 of 3" in client.get("/tracks/test-track/modules/discovery").get_data(
        as_text=True)
    assert "Reference: not on the schedule" in client.get(
        "/tracks/test-track/modules/extra").get_data(as_text=True)
