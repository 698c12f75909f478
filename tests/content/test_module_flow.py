"""What follows "Mark as complete", the rep's own names in module text, and checklists a rep
ticks: as reps, coaches and managers use them."""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.content.checklists import item_key
from cev_learn.content.models import ChecklistTick, Module
from cev_learn.platform.db import db
from tests.content.trees import good_track
from tests.factories import make_cohort
from tests.helpers import login, make_user, post_form
from tests.quizzes.fixtures import quiz_track

INTRO = "/tracks/test-track/modules/intro"
DISCOVERY = "/tracks/test-track/modules/discovery"
PERSONAL_INTRO = """\
---
title: Introduction
minutes: 5
---
## Your first week

Book a 1:1 with {{ coach }} and meet {{ manager }}. You start with {{ cohort }} on
{{ start_date }}. {{ Coach }} will <b>review</b> your plan.

## Checklist

- [ ] Book a call with {{ coach }}
- [ ] Read the [discovery module](02-discovery.md)
"""
CALL, READ = item_key("Book a call with {{ coach }}"), item_key("Read the discovery module")


def sync(app, root):
    result = app.test_cli_runner().invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output


def signed_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def complete(client, module_url):
    """Mark a module complete as its page does, and follow the step to what comes next (its
    answer: where the rep is sent)."""
    client.get(module_url)
    response = post_form(client, module_url + "/complete", token_from=module_url)
    if response.headers.get("Location") == module_url + "/next":
        return client.get(module_url + "/next")
    return response


@pytest.fixture
def plain_track(app, tmp_path):
    sync(app, good_track(tmp_path))


@pytest.fixture
def personal_track(app, tmp_path):
    sync(app, good_track(tmp_path, **{"modules/01-intro.md": PERSONAL_INTRO}))
    return tmp_path


@pytest.fixture
def placed_rep(app, personal_track):
    """A rep in a cohort coached by Rita, in a territory managed by Max."""
    rep = make_user(Role.REP, name="Robin Rep")
    rita = make_user(Role.COACH, name="Rita Alvarez")
    make_user(Role.MANAGER, name="Max Manager", territory="Nordics")
    make_cohort(reps=[rep], coaches=[rita], name="Spring cohort", territory="Nordics",
                start_on=dt.date(2026, 3, 2))
    return rep, rita


# What comes after "Mark as complete"

def test_completing_a_module_leads_to_the_next_module_of_the_schedule(app, plain_track):
    client = signed_in(app, make_user(Role.REP))
    client.get(INTRO)
    completing = post_form(client, INTRO + "/complete", token_from=INTRO)
    assert completing.status_code == 302 and completing.headers["Location"] == INTRO + "/next"
    response = client.get(INTRO + "/next")
    assert response.status_code == 302 and response.headers["Location"] == DISCOVERY
    page = client.get(DISCOVERY).get_data(as_text=True)
    assert "“Introduction” marked as complete." in page and "<h1>Discovery</h1>" in page


def test_the_next_item_can_be_a_quiz(app, tmp_path):
    sync(app, quiz_track(tmp_path))
    client = signed_in(app, make_user(Role.REP))
    complete(client, INTRO)
    response = complete(client, DISCOVERY)
    assert response.headers["Location"] == "/tracks/test-track/quizzes/check"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Discovery” marked as complete." in page and "Check yourself" in page


def test_an_earlier_module_left_undone_comes_next_once_the_rest_is_done(app, plain_track):
    client = signed_in(app, make_user(Role.REP))
    assert complete(client, DISCOVERY).headers["Location"] == INTRO


def test_with_nothing_left_the_rep_goes_to_this_week(app, plain_track):
    client = signed_in(app, make_user(Role.REP))
    complete(client, INTRO)
    response = complete(client, DISCOVERY)
    assert response.headers["Location"] == "/week"
    page = client.get("/week").get_data(as_text=True)
    assert "“Discovery” marked as complete." in page


# The rep's own names in module text

def test_a_rep_reads_their_own_coach_manager_cohort_and_start_date(app, placed_rep):
    rep, _ = placed_rep
    page = signed_in(app, rep).get(INTRO).get_data(as_text=True)
    assert "Book a 1:1 with Rita Alvarez and meet Max Manager." in page
    assert "You start with Spring cohort on\n2 March 2026." in page
    assert "Rita Alvarez will <b>review</b>" in page
    assert "{{" not in page


def test_a_rep_with_no_cohort_and_staff_read_neutral_wording(app, placed_rep):
    _, rita = placed_rep
    for reader in (make_user(Role.REP), rita, make_user(Role.MANAGER)):
        page = signed_in(app, reader).get(INTRO).get_data(as_text=True)
        assert "Book a 1:1 with your coach and meet your manager." in page
        assert "You start with your cohort on\nyour start date. Your coach will" in page
        assert "Rita Alvarez" not in prose(page)


def test_names_are_escaped_where_they_are_put(app, personal_track):
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[make_user(Role.COACH, name='<img src=x onerror="1">')],
                name="A & B <cohort>")
    page = signed_in(app, rep).get(INTRO).get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;1&#34;&gt;" in page and "A &amp; B &lt;cohort&gt;" in page


def test_content_check_refuses_unknown_placeholders_naming_file_and_line(app, tmp_path):
    body = PERSONAL_INTRO.replace("{{ cohort }}", "{{ config.SECRET_KEY }}")
    good_track(tmp_path, **{"modules/01-intro.md": body})
    for command in ("check", "sync"):
        result = app.test_cli_runner().invoke(args=["content", command, str(tmp_path)])
        assert result.exit_code != 0
        assert "modules/01-intro.md:7: unknown placeholder" in result.output
        assert "unknown placeholder {{ config.SECRET_KEY }}" in result.output
    assert db.session.scalar(select(Module)) is None


# Checklists

def test_checklist_items_are_labelled_checkboxes_in_a_form(app, placed_rep):
    rep, _ = placed_rep
    page = signed_in(app, rep).get(INTRO).get_data(as_text=True)
    assert (f'<input type="checkbox" form="checklist" name="ticked" value="{CALL}" '
            f'id="check-{CALL}-1"> <label for="check-{CALL}-1">Book a call with Rita Alvarez'
            '</label>') in page
    assert '<form id="checklist"' in page and "Save my checklist" in page


def test_a_rep_ticks_and_unticks_their_own_items(app, placed_rep):
    rep, _ = placed_rep
    client = signed_in(app, rep)
    response = post_form(client, INTRO + "/checklist",
                         {"item": [CALL, READ], "ticked": [CALL]}, token_from=INTRO)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checklist saved." in page
    assert f'value="{CALL}" id="check-{CALL}-1" checked>' in page
    assert f'value="{READ}" id="check-{READ}-2">' in page
    post_form(client, INTRO + "/checklist", {"item": [CALL, READ], "ticked": [READ]},
              token_from=INTRO)
    assert stored_ticks() == {(rep.id, READ)}


def test_the_page_script_ticks_one_item_and_gets_json(app, placed_rep):
    rep, _ = placed_rep
    client = signed_in(app, rep)
    response = client.post(INTRO + "/checklist", headers={"Accept": "application/json"},
                           data={"csrf_token": token(client), "item": READ, "ticked": READ})
    assert response.status_code == 200 and response.get_json() == {"ticked": [READ]}
    assert stored_ticks() == {(rep.id, READ)}


def test_an_unknown_item_is_refused_and_nothing_is_stored(app, placed_rep):
    rep, _ = placed_rep
    client = signed_in(app, rep)
    response = client.post(INTRO + "/checklist", headers={"Accept": "application/json"},
                           data={"csrf_token": token(client), "item": [READ, "0" * 16],
                                 "ticked": [READ, "0" * 16]})
    assert response.status_code == 400
    assert "not on the checklist of “Introduction”" in response.get_json()["error"]
    response = post_form(client, INTRO + "/checklist", {"item": ["<script>"],
                                                         "ticked": ["<script>"]},
                         token_from=INTRO)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was saved." in page
    assert stored_ticks() == set()


def test_coaches_and_managers_cannot_tick_for_a_rep(app, placed_rep):
    _, rita = placed_rep
    for staff in (rita, make_user(Role.MANAGER)):
        client = signed_in(app, staff)
        page = client.get(INTRO).get_data(as_text=True)
        assert 'type="checkbox"' not in page and "☐ Book a call with your coach" in page
        response = post_form(client, INTRO + "/checklist", {"item": [CALL], "ticked": [CALL]},
                             token_from=INTRO)
        assert response.status_code == 403
    assert stored_ticks() == set()


def test_a_rep_sees_only_their_own_ticks(app, placed_rep):
    rep, _ = placed_rep
    post_form(signed_in(app, rep), INTRO + "/checklist", {"item": [CALL], "ticked": [CALL]},
              token_from=INTRO)
    page = signed_in(app, make_user(Role.REP)).get(INTRO).get_data(as_text=True)
    assert f'id="check-{CALL}-1">' in page and " checked>" not in page


def test_ticks_survive_a_re_sync_that_keeps_the_item_words(app, placed_rep, personal_track):
    rep, _ = placed_rep
    client = signed_in(app, rep)
    post_form(client, INTRO + "/checklist", {"item": [CALL, READ], "ticked": [CALL, READ]},
              token_from=INTRO)
    changed = PERSONAL_INTRO.replace("## Checklist", "## Before Friday").replace(
        "Read the [discovery", "Read the whole [discovery")
    sync(app, good_track(personal_track, **{"modules/01-intro.md": changed}))
    page = client.get(INTRO).get_data(as_text=True)
    assert f'id="check-{CALL}-1" checked>' in page  # same words: still ticked
    assert "Read the whole" in page and page.count(" checked>") == 1


def prose(page: str) -> str:
    return page.split('<div class="prose">', 1)[1].split("</div>", 1)[0]


def stored_ticks() -> set:
    db.session.expire_all()
    return {(t.user_id, t.item_key) for t in db.session.scalars(select(ChecklistTick))}


def token(client) -> str:
    from tests.helpers import csrf_token
    return csrf_token(client, INTRO)


def test_placeholders_are_refused_in_titles_and_summaries(app, tmp_path):
    body = PERSONAL_INTRO.replace("minutes: 5", "summary: Meet {{ coach }}")
    good_track(tmp_path, **{"modules/01-intro.md": body})
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert "modules/01-intro.md:2: a placeholder in the summary: placeholders work in the " \
        "module's text only" in result.output


def test_search_snippets_read_the_neutral_words(app, placed_rep):
    rep, _ = placed_rep
    page = signed_in(app, rep).get("/search?q=book+a+call").get_data(as_text=True)
    assert "Book a 1:1 with your coach and meet your manager" in page and "{{" not in page
