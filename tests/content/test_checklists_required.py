"""A track whose checklists count (track.yaml `checklists_required: true`): a module with a
checklist completes only once its every item is ticked, and what reads completion follows."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role
from cev_learn.content.models import Module, ModuleProgress
from cev_learn.platform.db import db
from cev_learn.platform.outbox import OutboxEvent
from tests.content.test_module_flow import (CALL, INTRO, PERSONAL_INTRO, READ, complete, signed_in,
                                            sync)
from tests.content.trees import TRACK_YAML, good_track
from tests.factories import make_cohort
from tests.helpers import make_user, post_form
from tests.ramp.measure_track import reached

REQUIRED = TRACK_YAML.replace("milestones:\n", """milestones:
  - {slug: all-read, title: Every module read, due_day: 30, measure: {modules: all}}
""") + "checklists_required: true\n"
DISCOVERY = "/tracks/test-track/modules/discovery"
STILL_TO_TICK = "Tick every item of the checklist to complete this module: {} of 2 still to tick."


def write_track(root, track_yaml=REQUIRED, intro=PERSONAL_INTRO):
    return good_track(root, **{"track.yaml": track_yaml, "modules/01-intro.md": intro})


@pytest.fixture
def rep(app, tmp_path):
    """A rep in a cohort of the test track, its checklists required."""
    sync(app, write_track(tmp_path))
    rep = make_user(Role.REP, name="Robin Rep")
    make_cohort(reps=[rep], coaches=[make_user(Role.COACH, name="Rita Alvarez")],
                start_on=dt.date.today() - dt.timedelta(days=3))
    return rep


def tick(client, *keys):
    post_form(client, INTRO + "/checklist", {"item": [CALL, READ], "ticked": list(keys)},
              token_from=INTRO)


def completed(rep, slug="intro") -> bool:
    db.session.expire_all()
    return db.session.scalar(
        select(ModuleProgress.completed_at).join(Module, Module.id == ModuleProgress.module_id)
        .where(ModuleProgress.user_id == rep.id, Module.slug == slug)) is not None


def outbox_size() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEvent))


def test_the_page_says_what_is_left_to_tick_before_the_rep_clicks(app, rep):
    client = signed_in(app, rep)
    page = client.get(INTRO).get_data(as_text=True)
    assert "On this track a module is complete when every item of its checklist is" in page
    assert STILL_TO_TICK.format(2) in page and "count toward nothing" not in page
    tick(client, CALL)
    assert STILL_TO_TICK.format(1) in client.get(INTRO).get_data(as_text=True)
    tick(client, CALL, READ)
    page = client.get(INTRO).get_data(as_text=True)
    assert "Every item of the checklist is ticked: you can complete this module." in page


def test_completing_with_an_item_unticked_is_refused_naming_it_and_nothing_changes(app, rep):
    client = signed_in(app, rep)
    tick(client, CALL)
    before = outbox_size()
    response = complete(client, INTRO)
    assert response.status_code == 302
    assert response.headers["Location"] == INTRO  # the message is at the top of the page
    page = client.get(INTRO).get_data(as_text=True)
    assert ("“Introduction” is not complete yet: on this track a module is complete when every "
            "item of its checklist is ticked. "
            "Still to tick: “Read the discovery module”.") in page
    assert "marked as complete" not in page and "Mark as complete" in page
    assert not completed(rep) and outbox_size() == before
    assert "0%" in client.get("/tracks").get_data(as_text=True)


def test_a_refusal_names_an_item_in_the_reps_own_words(app, rep):
    client = signed_in(app, rep)
    tick(client, READ)
    complete(client, INTRO)
    page = client.get(INTRO).get_data(as_text=True)
    assert "Still to tick: “Book a call with Rita Alvarez”." in page and "{{" not in page


def test_a_refusal_names_three_unticked_items_and_counts_the_rest(app, tmp_path):
    items = "".join(f"- [ ] Step {n}\n" for n in range(1, 6))
    sync(app, write_track(tmp_path, intro=PERSONAL_INTRO.split("## Checklist")[0] + items))
    rep = make_user(Role.REP)
    make_cohort(reps=[rep])
    client = signed_in(app, rep)
    complete(client, INTRO)
    page = client.get(INTRO).get_data(as_text=True)
    assert "Still to tick: “Step 1”, “Step 2”, “Step 3” and 2 more." in page


def test_every_item_ticked_completes_the_module_and_progress_and_milestone_follow(app, rep):
    client = signed_in(app, rep)
    tick(client, CALL, READ)
    page = client.get(complete(client, INTRO).headers["Location"]).get_data(as_text=True)
    assert "“Introduction” marked as complete." in page
    assert completed(rep)
    assert "50%" in client.get("/tracks").get_data(as_text=True)  # 1 of 2 scheduled modules
    assert "all-read" not in reached(rep)
    complete(client, DISCOVERY)  # no checklist: nothing to tick
    assert completed(rep, "discovery") and "all-read" in reached(rep)


def test_off_by_default_a_checklist_counts_toward_nothing(app, tmp_path):
    sync(app, write_track(tmp_path, track_yaml=TRACK_YAML))
    rep = make_user(Role.REP)
    make_cohort(reps=[rep])
    client = signed_in(app, rep)
    page = client.get(INTRO).get_data(as_text=True)
    assert "count toward nothing" in page and "still to tick" not in page
    assert "marked as complete" in client.get(complete(client, INTRO).headers["Location"]).get_data(
        as_text=True)
    assert completed(rep)


def test_unticking_after_completing_leaves_the_module_complete(app, rep):
    client = signed_in(app, rep)
    tick(client, CALL, READ)
    complete(client, INTRO)
    tick(client)  # every box unticked
    assert completed(rep)
    page = client.get(INTRO).get_data(as_text=True)
    assert "✓ Completed" in page and "still to tick" not in page


def test_a_new_item_after_completing_keeps_the_completion_until_the_new_version_is_confirmed(
        app, rep, tmp_path):
    client = signed_in(app, rep)
    tick(client, CALL, READ)
    complete(client, INTRO)
    sync(app, write_track(tmp_path, intro=PERSONAL_INTRO + "- [ ] Share your plan\n"))
    page = client.get(INTRO).get_data(as_text=True)
    assert "Updated since you read it" in page and "1 of 3 still to tick" in page
    assert completed(rep) and "50%" in client.get("/tracks").get_data(as_text=True)
    complete(client, INTRO)  # "I have read the new version", with the new item unticked
    page = client.get(INTRO).get_data(as_text=True)
    assert "Still to tick: “Share your plan”." in page and "Updated since you read it" in page


@pytest.mark.parametrize("value, shown", [("yes please", "'yes please'"), ("1", "1"),
                                          ("[true]", "[True]")])
def test_content_check_refuses_a_value_that_is_not_true_or_false(app, tmp_path, value, shown):
    write_track(tmp_path, track_yaml=TRACK_YAML + f"checklists_required: {value}\n")
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert (f"test-track/track.yaml:13: checklists_required must be true or false, not {shown}"
            in result.output)
    assert db.session.scalar(select(Module)) is None
