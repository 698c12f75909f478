"""Placeholders, checklists and the next item of a schedule: pure functions over module text."""
from cev_learn.content.checklists import (ChecklistItem, checklist_items, item_key, unticked_items,
                                          with_checkboxes)
from cev_learn.content.placeholders import in_words, substitute, unknown_placeholders
from cev_learn.content.progress import next_unfinished
from cev_learn.content.rendering import render_markdown

VALUES = {"coach": "Rita Alvarez", "manager": "Max", "cohort": "Spring", "start_date": "2 March 2026"}


def html(markdown: str) -> str:
    return render_markdown(markdown, lambda target: None).html


def test_known_placeholders_become_the_readers_values():
    text = "<p>{{ coach }}, {{manager}}, {{  cohort }} and {{ start_date }}.</p>"
    assert substitute(text, VALUES) == "<p>Rita Alvarez, Max, Spring and 2 March 2026.</p>"


def test_missing_values_read_as_neutral_words_and_capitals_start_a_sentence():
    text = "<p>{{ Coach }} and {{ manager }} know {{ cohort }} from {{ start_date }}.</p>"
    assert substitute(text, {"coach": None}) == (
        "<p>Your coach and your manager know your cohort from your start date.</p>")
    assert substitute("{{ Coach }}", VALUES) == "Rita Alvarez"


def test_values_are_escaped_and_never_evaluated():
    assert substitute("<p>{{ coach }}</p>", {"coach": "<b>R&D</b> {{ manager }}"}) == (
        "<p>&lt;b&gt;R&amp;D&lt;/b&gt; {{ manager }}</p>")
    assert substitute("<p>{{ 7*7 }} {{ COACH }} {{ config }}</p>", VALUES) == (
        "<p>{{ 7*7 }} {{ COACH }} {{ config }}</p>")


def test_unknown_placeholders_are_found_with_their_lines():
    text = "Hello {{ coach }}\n\nSee {{ 7*7 }} and {{ Manager }}\n{{ coach.name }}"
    found = unknown_placeholders(text, first_line=5)
    assert [(u.line, u.text) for u in found] == [(7, "{{ 7*7 }}"), (8, "{{ coach.name }}")]


def test_placeholders_survive_markdown_and_sanitising_as_written():
    rendered = html("Meet {{ coach }} and {{ start_date }}, *then* call.")
    assert "{{ coach }}" in rendered and "{{ start_date }}" in rendered


def test_task_list_items_are_the_checklist_in_order_keyed_by_their_words():
    rendered = html("- [ ] Book a call with {{ coach }}\n- [x] Read **the** plan\n- plain\n\n"
                    "1. [ ] Numbered too\n")
    assert checklist_items(rendered) == [
        ChecklistItem(item_key("Book a call with {{ coach }}"), "Book a call with {{ coach }}"),
        ChecklistItem(item_key("Read the plan"), "Read the plan"),
        ChecklistItem(item_key("Numbered too"), "Numbered too")]


def test_keys_depend_on_the_words_only():
    assert item_key("Read  the\nplan") == item_key("Read the plan") != item_key("Read a plan")
    assert len(item_key("x")) == 16


def test_loose_items_are_checklist_items_but_items_with_nested_lists_stay_plain():
    assert [i.text for i in checklist_items(html("- [ ] One\n\n- [ ] Two\n"))] == ["One", "Two"]
    nested = html("- [ ] Parent\n    - child\n- [ ] Alone\n")
    assert [i.text for i in checklist_items(nested)] == ["Alone"]
    assert "☐ Parent" in with_checkboxes(nested, set(), "f")


def test_checkboxes_carry_the_ticks_labels_and_form():
    rendered = html("- [ ] Call <em>today</em>\n- [ ] Call today\n")
    key = item_key("Call today")
    boxed = with_checkboxes(rendered, {key}, "checklist")
    assert boxed.count(f'name="ticked" value="{key}"') == 2  # same words: one item
    assert f'id="check-{key}-1" checked> <label for="check-{key}-1">Call <em>today</em></label>' \
        in boxed
    assert f'<input type="hidden" form="checklist" name="item" value="{key}">' in boxed


def test_author_html_cannot_make_a_checkbox_of_its_own():
    rendered = html('- [ ] <input type="checkbox" checked onclick="x()"> <form>Hi</form>\n')
    boxed = with_checkboxes(rendered, set(), "checklist")
    assert boxed.count("<input") == 2 and "onclick" not in boxed and "<form" not in boxed


WORK = [("module", "Intro", 1, 10, {}), ("module", "Discovery", 5, 11, {}),
        ("quiz", "Check", 7, 20, {}), ("module", "Demo", 9, 12, {})]


def test_next_unfinished_is_the_next_item_not_done_going_round():
    assert next_unfinished(WORK, {("module", 10)}, ("module", 10))[1] == "Discovery"
    assert next_unfinished(WORK, {("module", 10), ("module", 11)}, ("module", 11))[1] == "Check"
    assert next_unfinished(WORK, {("module", 12)}, ("module", 12))[1] == "Intro"
    assert next_unfinished(WORK, {("module", 99)}, ("module", 99))[1] == "Intro"  # not scheduled
    everything = {("module", 10), ("module", 11), ("quiz", 20), ("module", 12)}
    assert next_unfinished(WORK, everything, ("module", 12)) is None


# What stands between a rep and completing a module: the one rule of checklists that count

CHECKLIST = "- [ ] Book a call\n- [ ] Read the plan\n- [ ] Book a call\n\nThe end.\n"


def test_on_a_track_that_requires_checklists_the_unticked_items_stand_in_the_way():
    items = checklist_items(html(CHECKLIST))
    assert unticked_items(html(CHECKLIST), set(), required=True) == items
    call, plan = (item.key for item in items)
    assert unticked_items(html(CHECKLIST), {call}, required=True) == [
        ChecklistItem(plan, "Read the plan")]
    assert unticked_items(html(CHECKLIST), {call, plan}, required=True) == []


def test_ticks_of_items_the_module_no_longer_has_count_for_nothing():
    gone = item_key("Read the old plan")
    assert [i.text for i in unticked_items(html(CHECKLIST), {gone}, required=True)] == [
        "Book a call", "Read the plan"]


def test_without_the_requirement_or_a_checklist_nothing_stands_in_the_way():
    assert unticked_items(html(CHECKLIST), set(), required=False) == []
    assert unticked_items(html("Just text, no boxes.\n"), set(), required=True) == []


def test_in_words_puts_the_values_in_plain_text_for_a_message():
    assert in_words("Book a call with {{ coach }} & <b>", {"coach": "Ann O'Neil"}) == \
        "Book a call with Ann O'Neil & <b>"
    assert in_words("{{ Coach }} signs off", {}) == "Your coach signs off"
