"""The course loader: good trees load, every defect is named with its file and line."""
from pathlib import Path

import pytest

from cev_learn.content.loader import check_tree, load_tree
from cev_learn.content.problems import ContentError
from tests.content.trees import DISCOVERY, INTRO, TRACK_YAML, good_track

ROOT = Path(__file__).resolve().parents[2]


def problems(root):
    return [str(p) for p in check_tree(root)]


def test_the_starter_track_passes():
    assert problems(ROOT / "courses") == []
    (track,) = load_tree(ROOT / "courses")
    assert track.slug == "sales-foundations"
    assert len(track.modules) >= 12
    assert track.productivity_milestone == "first-deal"
    assert {m.slug for m in track.milestones} >= {"first-meeting", "first-deal", "quota-streak"}


def test_starter_modules_are_substantial():
    (track,) = load_tree(ROOT / "courses")
    for module in track.modules:
        words = len(module.body.split())
        assert 600 <= words <= 1500, f"{module.file_name} has {words} words"


def test_a_good_tree_loads_into_plain_data(tmp_path):
    (track,) = load_tree(good_track(tmp_path))
    assert track.title == "Test Track"
    assert [m.slug for m in track.modules] == ["intro", "discovery"]
    assert [(e.kind, e.slug, e.due_day) for e in track.schedule] == [
        ("module", "intro", 1), ("module", "discovery", 5), ("milestone", "first-meeting", 21)]
    assert track.activity_targets == {"call": [10, 20]}
    assert track.assets[0].path == "assets/chart.png"
    assert track.assets[0].content_type == "image/png"
    intro = track.modules[0]
    assert intro.title == "Introduction" and intro.minutes == 5
    assert [(link.target, link.line) for link in intro.links] == [
        ("02-discovery.md#questions", 8), ("../assets/chart.png", 8)]


def test_a_single_track_folder_can_be_checked(tmp_path):
    good_track(tmp_path)
    assert problems(tmp_path / "test-track") == []


def test_hash_changes_only_with_content(tmp_path):
    (first,) = load_tree(good_track(tmp_path))
    (again,) = load_tree(tmp_path)
    assert first.content_hash == again.content_hash
    (tmp_path / "test-track/modules/02-discovery.md").write_text(DISCOVERY + "\nMore.\n")
    (changed,) = load_tree(tmp_path)
    assert changed.content_hash != first.content_hash
    assert changed.modules[0].content_hash == first.modules[0].content_hash
    assert changed.modules[1].content_hash != first.modules[1].content_hash


DEFECTS = [
    ("missing front matter", {"modules/01-intro.md": "## No front matter\n"},
     "test-track/modules/01-intro.md:1: missing front matter"),
    ("unclosed front matter", {"modules/01-intro.md": "---\ntitle: X\n## body\n"},
     "test-track/modules/01-intro.md:1: front matter is not closed"),
    ("invalid front matter", {"modules/01-intro.md": "---\ntitle: [unclosed\n---\nbody\n"},
     "test-track/modules/01-intro.md:2: invalid YAML"),
    ("missing title", {"modules/01-intro.md": "---\nminutes: 3\n---\nbody\n"},
     "test-track/modules/01-intro.md:2: title is required"),
    ("bad minutes", {"modules/01-intro.md": "---\ntitle: X\nminutes: soon\n---\nbody\n"},
     "test-track/modules/01-intro.md:3: minutes must be a whole number"),
    ("unknown front matter key", {"modules/01-intro.md": "---\ntitle: X\ntitel: Y\n---\nbody\n"},
     "test-track/modules/01-intro.md:3: unknown front matter key 'titel'"),
    ("duplicate slug", {"modules/03-intro.md": INTRO},
     "test-track/modules/03-intro.md:1: duplicate module slug 'intro' (also modules/01-intro.md)"),
    ("bad module file name", {"modules/intro-two.md": INTRO},
     "test-track/modules/intro-two.md:1: module files are named NN-slug.md"),
    ("unknown module in schedule",
     {"track.yaml": TRACK_YAML.replace("{module: discovery,", "{module: discovry,")},
     "test-track/track.yaml:5: unknown module 'discovry' (no modules/NN-discovry.md)"),
    ("unknown milestone in schedule",
     {"track.yaml": TRACK_YAML.replace("{milestone: first-meeting}", "{milestone: first-call}")},
     "test-track/track.yaml:6: unknown milestone 'first-call'"),
    ("unknown quiz in schedule",
     {"track.yaml": TRACK_YAML.replace("  - {milestone: first-meeting}\n",
                                       "  - {milestone: first-meeting}\n  - {quiz: icp, due_day: 3}\n")},
     "test-track/track.yaml:7: unknown quiz 'icp' (not listed under quizzes:)"),
    ("missing quiz file",
     {"track.yaml": TRACK_YAML + "quizzes:\n  icp: {file: quizzes/icp.gift}\n"},
     "test-track/track.yaml:14: file 'quizzes/icp.gift' does not exist"),
    ("quiz file escaping the track",
     {"track.yaml": TRACK_YAML + "quizzes:\n  icp: {file: ../other/icp.gift}\n"},
     "test-track/track.yaml:14: '../other/icp.gift' points outside the track folder"),
    ("link to a missing module",
     {"modules/02-discovery.md": DISCOVERY.replace("01-intro.md", "01-intro-old.md")},
     "test-track/modules/02-discovery.md:7: link '01-intro-old.md': no such module file"),
    ("link to a missing asset",
     {"modules/01-intro.md": INTRO.replace("chart.png", "graph.png")},
     "test-track/modules/01-intro.md:8: link '../assets/graph.png': no such file in assets/"),
    ("link escaping the track",
     {"modules/02-discovery.md": DISCOVERY + "\n![x](../../secrets/key.png)\n"},
     "test-track/modules/02-discovery.md:9: link '../../secrets/key.png' points outside the track folder"),
    ("javascript link",
     {"modules/02-discovery.md": DISCOVERY + "\n[x](javascript:alert(1))\n"},
     "test-track/modules/02-discovery.md:9: link 'javascript:alert(1)' uses 'javascript'"),
    ("file over the size limit",
     {"modules/02-discovery.md": DISCOVERY + "x" * (1024 * 1024)},
     "test-track/modules/02-discovery.md:1: file is 1,048,6"),
    ("non-UTF-8 file",
     {"modules/02-discovery.md": DISCOVERY.encode() + b"\nna\xefve caf\xe9\n"},
     "test-track/modules/02-discovery.md:9: not valid UTF-8 (byte 0xef)"),
    ("invalid track.yaml", {"track.yaml": "title: [oops\n"},
     "test-track/track.yaml:2: invalid YAML"),
    ("unknown track key", {"track.yaml": TRACK_YAML + "colour: blue\n"},
     "test-track/track.yaml:13: unknown key 'colour'"),
    ("bad measure",
     {"track.yaml": TRACK_YAML.replace("{activity: meeting, at_least: 1}", "{activity: lunch, at_least: 1}")},
     "test-track/track.yaml:9: unknown activity type 'lunch'"),
    ("infinite bookings",
     {"track.yaml": TRACK_YAML.replace("{activity: meeting, at_least: 1}", "{bookings: .inf}")},
     "test-track/track.yaml:9: bookings must be an amount above 0 and at most 1,000,000,000,000"),
    ("not-a-number bookings",
     {"track.yaml": TRACK_YAML.replace("{activity: meeting, at_least: 1}", "{bookings: .nan}")},
     "test-track/track.yaml:9: bookings must be an amount above 0"),
    ("bookings above the maximum amount",
     {"track.yaml": TRACK_YAML.replace("{activity: meeting, at_least: 1}", "{bookings: 1.0e+13}")},
     "test-track/track.yaml:9: bookings must be an amount above 0 and at most"),
    ("not-a-number attainment",
     {"track.yaml": TRACK_YAML.replace("{activity: meeting, at_least: 1}",
                                       "{attainment: .nan, consecutive_months: 2}")},
     "test-track/track.yaml:9: attainment must be a fraction above 0"),
    ("productivity milestone unknown",
     {"track.yaml": TRACK_YAML.replace("productivity_milestone: first-meeting",
                                       "productivity_milestone: first-deal")},
     "test-track/track.yaml:10: productivity_milestone 'first-deal' is not a milestone"),
    ("unsupported asset", {"assets/run.exe": b"MZ"},
     "test-track/assets/run.exe:1: unsupported asset type '.exe'"),
]


@pytest.mark.parametrize("files,expected", [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS])
def test_each_defect_is_reported_with_path_and_line(tmp_path, files, expected):
    found = problems(good_track(tmp_path, **files))
    assert any(p.startswith(str(tmp_path / expected.split(":", 1)[0]) + ":" +
                            expected.split(":", 1)[1]) for p in found), found


def test_a_broken_module_is_not_also_reported_as_unknown(tmp_path):
    found = problems(good_track(tmp_path, **{"modules/01-intro.md": "no front matter"}))
    assert len(found) == 1 and "missing front matter" in found[0]


def test_every_problem_is_listed_at_once(tmp_path):
    good_track(tmp_path, **{
        "modules/01-intro.md": "---\nminutes: 3\n---\nbody\n",
        "modules/02-discovery.md": DISCOVERY + "[x](09-nowhere.md)\n",
        "track.yaml": TRACK_YAML + "colour: blue\n",
    })
    found = problems(tmp_path)
    assert len(found) >= 3
    assert all(p.startswith(str(tmp_path)) and p.split(":")[1].isdigit() for p in found)


def test_load_tree_raises_with_the_problems(tmp_path):
    good_track(tmp_path, **{"modules/01-intro.md": "no front matter"})
    with pytest.raises(ContentError) as caught:
        load_tree(tmp_path)
    assert "missing front matter" in str(caught.value)


def test_a_folder_without_track_yaml_is_named(tmp_path):
    good_track(tmp_path)
    (tmp_path / "stray").mkdir()
    assert problems(tmp_path) == [f"{tmp_path / 'stray'}:1: not a track: track.yaml is missing"]


def test_links_inside_code_are_not_checked(tmp_path):
    body = DISCOVERY + "\n```\n[not a link](missing.md)\n```\nand `[inline](gone.md)`\n"
    assert problems(good_track(tmp_path, **{"modules/02-discovery.md": body})) == []


def test_windows_line_endings_and_bom_are_fine(tmp_path):
    body = "\ufeff" + INTRO.replace("\n", "\r\n")
    (track,) = load_tree(good_track(tmp_path, **{"modules/01-intro.md": body}))
    assert track.modules[0].title == "Introduction"


QUIZ_TRACK = TRACK_YAML + "quizzes:\n  icp: {file: quizzes/icp.txt}\n"
AIKEN_WITH_A_BAD_QUESTION = ("Good?\nA) a\nB) b\nANSWER: A\n\n"
                             "Bad?\nA) a\nB) b\nANSWER: Z\n")


def test_a_bad_question_refuses_the_tree_unless_skip_invalid(tmp_path):
    good_track(tmp_path, **{"track.yaml": QUIZ_TRACK, "quizzes/icp.txt": AIKEN_WITH_A_BAD_QUESTION})
    with pytest.raises(ContentError) as caught:
        load_tree(tmp_path)
    assert [p.line for p in caught.value.problems] == [9]
    [track] = load_tree(tmp_path, skip_invalid=True)
    [quiz] = track.quizzes
    assert [question.prompt for _key, question in quiz.questions] == ["Good?"]
    assert [(Path(p.path).name, p.line) for p in quiz.skipped] == [("icp.txt", 9)]


def test_skip_invalid_still_refuses_a_quiz_with_no_good_question(tmp_path):
    good_track(tmp_path, **{"track.yaml": QUIZ_TRACK, "quizzes/icp.txt": "Bad?\nA) a\nANSWER: A\n"})
    with pytest.raises(ContentError) as caught:
        load_tree(tmp_path, skip_invalid=True)
    assert [str(p).split("test-track/")[1] for p in caught.value.problems] == [
        "quizzes/icp.txt:1: a question needs at least two options, found 1 (an option is a "
        "capital letter, then ) or ., then its text: A) Yes)"]


RUBRIC = """\
rubrics:
  pitch:
    title: Pitch
    pass_mark: 0.7
    criteria: [Discovery questions, Next step]
    levels:
      Discovery questions:
        1: Pitches before asking.
        5: Uncovers the pain
           and its cost.
"""


def test_rubric_levels_describe_each_criterion_in_order(tmp_path):
    (track,) = load_tree(good_track(tmp_path, **{"track.yaml": TRACK_YAML + RUBRIC}))
    (rubric,) = track.rubrics
    assert rubric.criteria == ("Discovery questions", "Next step")
    assert rubric.levels == (
        ("Pitches before asking.", None, None, None, "Uncovers the pain and its cost."),
        (None, None, None, None, None))


def test_a_rubric_without_levels_has_none(tmp_path):
    rubric_yaml = RUBRIC[:RUBRIC.index("    levels:")]
    (track,) = load_tree(good_track(tmp_path, **{"track.yaml": TRACK_YAML + rubric_yaml}))
    assert track.rubrics[0].levels == ()


@pytest.mark.parametrize("levels,message", [
    ("      Discovery: {1: Pitches.}\n",
     "track.yaml:19: levels names 'Discovery', which is not one of the rubric's criteria "
     "(Discovery questions, Next step)"),
    ("      Next step: {6: Books the demo.}\n",
     "track.yaml:19: levels of 'Next step': a level is a whole number from 1 to 5, not 6"),
    ("      Next step: {first: Books the demo.}\n",
     "track.yaml:19: levels of 'Next step': a level is a whole number from 1 to 5, not 'first'"),
    ("      Next step: {3: ''}\n",
     "track.yaml:19: level 3 of 'Next step' must be a description of at most 300 characters"),
    ("      Next step: {3: [a, b]}\n",
     "track.yaml:19: level 3 of 'Next step' must be a description of at most 300 characters"),
    ("      Next step: Books the demo.\n",
     "track.yaml:19: levels of 'Next step' must be a mapping"),
])
def test_bad_rubric_levels_are_named_with_their_line(tmp_path, levels, message):
    rubric_yaml = RUBRIC[:RUBRIC.index("      Discovery questions:")] + levels
    found = problems(good_track(tmp_path, **{"track.yaml": TRACK_YAML + rubric_yaml}))
    assert found == [f"{tmp_path / 'test-track'}/{message}"]


def test_the_starter_rubric_describes_its_levels():
    (track,) = load_tree(ROOT / "courses")
    (pitch,) = [r for r in track.rubrics if r.slug == "pitch"]
    assert len(pitch.levels) == len(pitch.criteria)
    assert all(texts[0] and texts[2] and texts[4] for texts in pitch.levels)


def test_a_quiz_names_the_modules_it_covers_for_boosters(tmp_path):
    yaml = TRACK_YAML + "quizzes:\n  icp: {file: quizzes/icp.txt, covers: [intro, discovery, intro]}\n"
    (track,) = load_tree(good_track(tmp_path, **{"track.yaml": yaml,
                                                 "quizzes/icp.txt": "Good?\nA) a\nB) b\nANSWER: A\n"}))
    assert track.quizzes[0].settings.covers == ("intro", "discovery")


@pytest.mark.parametrize("covers,message", [
    ("[intro, pricing]", "track.yaml:14: unknown module 'pricing' (no modules/NN-pricing.md)"),
    ("intro", "track.yaml:14: covers must be a list of module slugs"),
])
def test_covering_a_module_the_track_lacks_is_named_with_its_line(tmp_path, covers, message):
    yaml = TRACK_YAML + f"quizzes:\n  icp: {{file: quizzes/icp.txt, covers: {covers}}}\n"
    found = problems(good_track(tmp_path, **{"track.yaml": yaml,
                                             "quizzes/icp.txt": "Good?\nA) a\nB) b\nANSWER: A\n"}))
    assert found == [f"{tmp_path / 'test-track'}/{message}"]
