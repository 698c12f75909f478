"""content sync: in place by slug, unchanged files skipped, nothing deleted, atomic."""
from pathlib import Path

import pytest
from sqlalchemy import event, select

from cev_learn.accounts.models import Role
from cev_learn.content.models import (Asset, Milestone, Module, ModuleProgress, QuizVersion,
                                      Rubric, ScheduleItem, Track)
from cev_learn.platform.db import db
from tests.helpers import make_user
from tests.content.trees import DISCOVERY, INTRO, TRACK_YAML, good_track, write_tree

ROOT = Path(__file__).resolve().parents[2]


def sync(app, path):
    # Run as the app under test (not the tests' own context), like `cev-learn content sync`.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["content", "sync", str(path)])


def snapshot():
    """Every row of every content table, to compare the database before and after."""
    db.session.expire_all()
    tables = (Track, Module, ScheduleItem, Asset, Milestone, ModuleProgress)
    return {model.__name__: sorted(
        tuple(sorted((k, repr(v)) for k, v in vars(row).items() if not k.startswith("_")))
        for row in db.session.scalars(select(model))) for model in tables}


def test_sync_creates_everything_and_reports_counts(app, tmp_path):
    result = sync(app, good_track(tmp_path))
    assert result.exit_code == 0, result.output
    assert "tracks     1 created, 0 updated, 0 retired, 0 unchanged" in result.output
    assert "modules    2 created, 0 updated, 0 retired, 0 unchanged" in result.output
    assert "milestones 1 created" in result.output and "assets     1 created" in result.output
    track = db.session.scalar(select(Track))
    assert [(i.kind.value, i.slug, i.due_day) for i in track.schedule] == [
        ("module", "intro", 1), ("module", "discovery", 5), ("milestone", "first-meeting", 21)]


def test_links_become_app_urls(app, tmp_path):
    sync(app, good_track(tmp_path))
    intro = db.session.scalar(select(Module).where(Module.slug == "intro"))
    assert 'href="/tracks/test-track/modules/discovery#sec-questions"' in intro.body_html
    assert 'src="/tracks/test-track/assets/chart.png"' in intro.body_html
    assert 'id="sec-why"' in intro.body_html


def test_second_sync_of_an_unchanged_tree_writes_nothing(app, tmp_path):
    sync(app, good_track(tmp_path))
    writes = []

    def spy(_conn, _cursor, statement, *_args):
        if statement.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        result = sync(app, tmp_path)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert result.exit_code == 0
    assert "modules    0 created, 0 updated, 0 retired, 2 unchanged" in result.output
    assert "nothing written" in result.output
    assert writes == []


def test_the_starter_track_syncs_twice(app):
    first = sync(app, ROOT / "courses")
    assert first.exit_code == 0, first.output
    second = sync(app, ROOT / "courses")
    assert "0 created, 0 updated, 0 retired" in second.output
    assert "Everything was already up to date" in second.output


def test_a_changed_module_is_updated_in_place(app, tmp_path):
    sync(app, good_track(tmp_path))
    before = db.session.scalar(select(Module).where(Module.slug == "discovery"))
    module_id, old_hash = before.id, before.content_hash
    (tmp_path / "test-track/modules/02-discovery.md").write_text(
        DISCOVERY.replace("Ask about cost.", "Ask what the problem costs per quarter."))
    result = sync(app, tmp_path)
    assert "modules    0 created, 1 updated, 0 retired, 1 unchanged" in result.output
    db.session.expire_all()
    after = db.session.get(Module, module_id)
    assert after.content_hash != old_hash
    assert "costs per quarter" in after.body_html


def test_a_removed_module_is_retired_never_deleted(app, tmp_path):
    sync(app, good_track(tmp_path))
    rep = make_user(Role.REP)
    discovery = db.session.scalar(select(Module).where(Module.slug == "discovery"))
    db.session.add(ModuleProgress(user_id=rep.id, module_id=discovery.id))
    db.session.commit()
    (tmp_path / "test-track/modules/02-discovery.md").unlink()
    (tmp_path / "test-track/track.yaml").write_text(
        (tmp_path / "test-track/track.yaml").read_text().replace(
            "  - {module: discovery, due_day: 5}\n", ""))
    (tmp_path / "test-track/modules/01-intro.md").write_text(
        INTRO.replace("Read [discovery](02-discovery.md#questions) next.", ""))
    result = sync(app, tmp_path)
    assert result.exit_code == 0, result.output
    assert "modules    0 created, 1 updated, 1 retired, 0 unchanged" in result.output
    db.session.expire_all()
    retired = db.session.get(Module, discovery.id)
    assert retired.retired_at is not None
    assert db.session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == retired.id))
    # Bringing it back revives the same row, history and all.
    write_tree(tmp_path, {"test-track/modules/02-discovery.md": DISCOVERY})
    result = sync(app, tmp_path)
    assert "modules    0 created, 1 updated, 0 retired, 1 unchanged" in result.output
    db.session.expire_all()
    assert db.session.get(Module, discovery.id).retired_at is None


def test_a_removed_track_is_retired_when_syncing_the_whole_tree(app, tmp_path):
    good_track(tmp_path, slug="one")
    good_track(tmp_path, slug="two")
    sync(app, tmp_path)
    import shutil

    shutil.rmtree(tmp_path / "two")
    result = sync(app, tmp_path)
    assert "tracks     0 created, 0 updated, 1 retired, 1 unchanged" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Track).where(Track.slug == "two")).retired_at is not None


def test_syncing_one_track_folder_leaves_other_tracks_alone(app, tmp_path):
    good_track(tmp_path, slug="one")
    good_track(tmp_path, slug="two")
    sync(app, tmp_path)
    result = sync(app, tmp_path / "one")
    assert "tracks     0 created, 0 updated, 0 retired, 1 unchanged" in result.output


@pytest.mark.parametrize("breakage", [
    {"modules/01-intro.md": "no front matter at all"},
    {"track.yaml": "title: [broken"},
    {"modules/02-discovery.md": DISCOVERY + "\n[x](03-missing.md)\n"},
])
def test_a_broken_tree_changes_nothing(app, tmp_path, breakage):
    sync(app, good_track(tmp_path))
    rep = make_user(Role.REP)
    intro = db.session.scalar(select(Module).where(Module.slug == "intro"))
    db.session.add(ModuleProgress(user_id=rep.id, module_id=intro.id))
    db.session.commit()
    # A broken edit next to a good one: neither may land.
    (tmp_path / "test-track/modules/02-discovery.md").write_text(DISCOVERY + "\nNew text.\n")
    write_tree(tmp_path / "test-track", breakage)
    before = snapshot()
    result = sync(app, tmp_path)
    assert result.exit_code == 1
    assert "nothing loaded" in result.output
    assert ":" in result.output.splitlines()[0]
    assert snapshot() == before


def test_content_check_lists_problems_and_exits_1(app, tmp_path):
    good_track(tmp_path, **{"modules/01-intro.md": "---\nminutes: 2\n---\n[x](07-gone.md)\n"})
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.endswith("modules/01-intro.md:2: title is required: text of at most 200 "
                             "characters") for line in lines)
    assert lines[-1] == "Error: 1 problem found; nothing loaded"


def test_content_check_of_the_starter_track_passes(app):
    result = app.test_cli_runner().invoke(args=["content", "check", str(ROOT / "courses")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 1 track, ")


def test_sync_with_skip_invalid_loads_the_good_questions_and_names_the_bad(app, tmp_path):
    good_track(tmp_path, **{
        "track.yaml": TRACK_YAML + "quizzes:\n  icp: {file: quizzes/icp.txt}\n",
        "quizzes/icp.txt": "Good?\nA) a\nB) b\nANSWER: A\n\nBad?\nA) a\nB) b\nANSWER: Z\n"})
    refused = sync(app, tmp_path)
    assert refused.exit_code == 1 and "nothing loaded" in refused.output
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["content", "sync", "--skip-invalid", str(tmp_path)])
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 1 and skipped[0].endswith(
        "quizzes/icp.txt:9: ANSWER: Z names no option (Moodle would import the question with "
        "no right answer); the options are A to B")
    version = db.session.scalar(select(QuizVersion))
    assert [question["prompt"] for question in version.questions] == ["Good?"]


def test_rubric_level_descriptions_are_stored_and_updated(app, tmp_path):
    rubric = ("rubrics:\n  pitch: {title: Pitch, pass_mark: 0.7, criteria: [Discovery, Next step],\n"
              "          levels: {Next step: {5: %s}}}\n")
    assert sync(app, good_track(tmp_path, **{"track.yaml": TRACK_YAML + rubric % "Books it."})
                ).exit_code == 0
    stored = db.session.scalar(select(Rubric))
    assert stored.level_texts(1) == [None, None, None, None, "Books it."]
    assert stored.level_texts(0) == [None] * 5
    result = sync(app, good_track(tmp_path,
                                  **{"track.yaml": TRACK_YAML + rubric % "Sends the invite."}))
    assert "rubrics    0 created, 1 updated" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Rubric)).level_texts(1)[4] == "Sends the invite."
