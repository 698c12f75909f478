"""Symbolic links in course trees: refused by check and sync, whatever they point at."""
import shutil

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.content.loader import check_tree
from cev_learn.content.models import Asset
from cev_learn.platform.db import db
from tests.helpers import login, make_user
from tests.content.test_sync import snapshot, sync
from tests.content.trees import DISCOVERY, PNG, TRACK_YAML, good_track, write_tree

MESSAGE = ("is a symbolic link; a track holds only real files and folders "
           "(copy the file or folder in instead)")
SECRET = "outside the track: must never reach a rep"
QUIZ = "::Sum:: What is 2 + 2? {=4 ~5 ~22}\n"
QUIZ_YAML = TRACK_YAML + "quizzes:\n  basics: {title: Basics, file: quizzes/basics.gift}\n"


def tree_with_quiz(root):
    return good_track(root / "courses", **{"track.yaml": QUIZ_YAML, "quizzes/basics.gift": QUIZ})


def outside(root):
    """A folder beside courses/ holding files a rep must never see."""
    return write_tree(root / "outside", {
        "assets/chart.png": PNG,
        "assets/secret.txt": SECRET,
        "modules/01-intro.md": "---\ntitle: Secret\n---\n" + SECRET + "\n",
        "modules/02-discovery.md": DISCOVERY,
        "secret.md": "---\ntitle: Secret\n---\n" + SECRET + "\n",
        "basics.gift": "::Secret:: " + SECRET + " {=yes ~no}\n",
        "quizzes/basics.gift": "::Secret:: " + SECRET + " {=yes ~no}\n",
        "track.yaml": QUIZ_YAML,
    })


def replace_with_link(path, target):
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(target)


# (case, path in courses/ made a link, what it points at: "outside/…" or relative inside)
LINKS = [
    ("assets folder", "test-track/assets", "outside/assets"),
    ("modules folder", "test-track/modules", "outside/modules"),
    ("module file", "test-track/modules/02-discovery.md", "outside/secret.md"),
    ("quiz file", "test-track/quizzes/basics.gift", "outside/basics.gift"),
    ("track.yaml", "test-track/track.yaml", "outside/track.yaml"),
    ("track folder", "test-track", "outside"),
    ("link inside the track", "test-track/modules/03-recap.md", "01-intro.md"),
    ("folder link inside the track", "test-track/assets/again", "."),
    ("dangling link", "test-track/assets/gone.png", "nowhere.png"),
]


def make_link(tmp_path, rel, target):
    tree_with_quiz(tmp_path)
    outside(tmp_path)
    link = tmp_path / "courses" / rel
    pointed = tmp_path / target if target.startswith("outside") else target
    replace_with_link(link, pointed)
    return link


@pytest.mark.parametrize("rel,target", [c[1:] for c in LINKS], ids=[c[0] for c in LINKS])
def test_check_names_every_symbolic_link_in_a_track(tmp_path, rel, target):
    link = make_link(tmp_path, rel, target)
    found = [str(p) for p in check_tree(tmp_path / "courses")]
    assert found == [f"{link}:1: {MESSAGE}"]


def test_a_track_with_a_link_is_not_read_at_all(tmp_path):
    # A link's target could be any file on the server: no problem message may quote it.
    make_link(tmp_path, "test-track/modules/02-discovery.md", "outside/secret.md")
    (tmp_path / "outside/secret.md").write_text("no front matter: " + SECRET)
    assert not any(SECRET in str(p) for p in check_tree(tmp_path / "courses"))


def test_every_link_is_listed_at_once(tmp_path):
    tree_with_quiz(tmp_path)
    outside(tmp_path)
    track = tmp_path / "courses/test-track"
    replace_with_link(track / "assets", tmp_path / "outside/assets")
    replace_with_link(track / "quizzes/basics.gift", tmp_path / "outside/basics.gift")
    assert sorted(str(p) for p in check_tree(tmp_path / "courses")) == [
        f"{track / 'assets'}:1: {MESSAGE}", f"{track / 'quizzes/basics.gift'}:1: {MESSAGE}"]


def test_a_courses_folder_reached_through_a_link_is_still_read(tmp_path):
    # The operator chooses where courses/ lives; only links inside a track are refused.
    tree_with_quiz(tmp_path)
    (tmp_path / "deployed").symlink_to(tmp_path / "courses")
    assert check_tree(tmp_path / "deployed") == []
    assert check_tree(tmp_path / "deployed/test-track") == []


@pytest.mark.parametrize("rel,target", [
    ("test-track/assets", "outside/assets"),
    ("test-track/modules/02-discovery.md", "outside/secret.md"),
], ids=["assets folder", "module file"])
def test_sync_refuses_a_link_and_changes_nothing(app, tmp_path, rel, target):
    tree_with_quiz(tmp_path)
    assert sync(app, tmp_path / "courses").exit_code == 0
    before = snapshot()
    link = make_link(tmp_path, rel, target)
    result = sync(app, tmp_path / "courses")
    assert result.exit_code == 1
    assert f"{link}:1: {MESSAGE}" in result.output.splitlines()
    assert "nothing loaded" in result.output
    assert SECRET not in result.output
    assert snapshot() == before


def test_content_check_names_the_link(app, tmp_path):
    link = make_link(tmp_path, "test-track/assets", "outside/assets")
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path / "courses")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"{link}:1: {MESSAGE}",
                                          "Error: 1 problem found; nothing loaded"]


def test_assets_are_served_from_the_database_never_from_the_folder(app, tmp_path):
    # Defence in depth: even if the folder on disk later becomes a link, a rep gets only the
    # assets that were synced, and nothing from where the link points.
    tree_with_quiz(tmp_path)
    assert sync(app, tmp_path / "courses").exit_code == 0
    outside(tmp_path)
    replace_with_link(tmp_path / "courses/test-track/assets", tmp_path / "outside/assets")
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    assert client.get("/tracks/test-track/assets/chart.png").status_code == 200
    for path in ("secret.txt", "../../outside/assets/secret.txt", "%2e%2e/track.yaml"):
        assert client.get(f"/tracks/test-track/assets/{path}").status_code == 404
    assert db.session.scalars(select(Asset.path)).all() == ["assets/chart.png"]
