"""cev_learn reads GIFT and Aiken as Moodle does, case by case (tests/content/moodle_cases.py),
and the README quotes the counts those cases give."""
import re
from pathlib import Path

import pytest

from cev_learn.content.quiz_formats.aiken import read_aiken
from cev_learn.content.quiz_formats.gift import export_gift, parse_gift, read_gift
from tests.content.moodle_cases import AIKEN_CASES, GIFT_CASES, outcome, tallies

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("case", GIFT_CASES, ids=[case.name for case in GIFT_CASES])
def test_gift_case(case):
    outcome(case, read_gift)


@pytest.mark.parametrize("case", AIKEN_CASES, ids=[case.name for case in AIKEN_CASES])
def test_aiken_case(case):
    outcome(case, read_aiken)


@pytest.mark.parametrize("case", [case for case in GIFT_CASES if isinstance(case.expected, list)],
                         ids=lambda case: case.name)
def test_what_cev_learn_writes_reads_back_the_same(case):
    assert parse_gift(export_gift(case.expected)) == case.expected


def test_the_readme_states_the_counts_the_cases_give():
    stated = dict(re.findall(r"^\| (GIFT|Aiken) \| (\d+ \| \d+ \| \d+) \|$",
                             README.read_text(), re.MULTILINE))
    assert stated == {name: f"{counts['tried']} | {counts['agree']} | {counts['refused']}"
                      for name, counts in tallies().items()}
