"""Charts drawn for a phone: inside NARROW px with every word whole, long words shortened with
their full text kept, and the wide drawing beside it unchanged."""
import math
import re

import pytest

from cev_learn.analytics.charts import (CHAR_PX, NARROW, TITLE_CHAR_PX, WIDTH, band_chart,
                                        bar_chart, for_screens, line_chart, step_chart)
from tests.unit.test_charts import SVG, parse, points, ramp, texts

LONG = "Qualification call with the economic buyer booked and held"  # 58 characters
TURN = math.cos(math.radians(40))  # how much of a label turned by 40° runs sideways


def narrow_step(names, ys=(0.0, 0.3, 0.6)):
    series = [(name, [(40 * i, y) for i, y in enumerate(ys)]) for name in names]
    return step_chart(series, id="km", title="% of reps productive by day of tenure",
                      x_label="Days since start", y_label="Reps productive", width=NARROW)


def narrow_bars(labels, ys, **options):
    return bar_chart(list(zip(labels, ys)), id="bars", title="Reps who reached each milestone",
                     x_label="Milestone", value_label="Reps", width=NARROW, **options)


def narrow_line(labels, ys):
    return line_chart(list(zip(labels, ys)), id="trend", title="Median days, by cohort start",
                      x_label="Cohort start", y_label="Median days", width=NARROW)


def narrow_band(ys):
    return band_chart([ramp(i + 1, y) for i, y in enumerate(ys)], id="curve",
                      title="Quota attainment by month of tenure (median, p25–p75)",
                      x_label="Month of tenure", y_label="Attainment", width=NARROW)


NARROW_CHARTS = {
    "step": lambda: narrow_step([f"{LONG} {i}" for i in range(6)]),
    "band": lambda: narrow_band([0.2, 0.6, 0.9, 1.1]),
    "line": lambda: narrow_line([f"{LONG} {i}" for i in range(12)], [30.0 + i for i in range(12)]),
    "bar": lambda: narrow_bars([f"{LONG} {i}" for i in range(7)], [5, 4, 3, 0, 2, 1, 0]),
    "vertical bar": lambda: narrow_bars([f"{LONG} {i}" for i in range(7)], [5, 4, 3, 0, 2, 1, 0],
                                        horizontal=False),
    "days far apart": lambda: narrow_bars(["A", "B"], [1_000_000, 10], value_format="days"),
}


def extent(text) -> tuple[float, float]:
    """Where a line of text starts and ends across the chart, at the widths labels are fit by."""
    per_char = TITLE_CHAR_PX if text.get("class") == "chart__title" else CHAR_PX
    width, x = len(text.text or "") * per_char, float(text.get("x"))
    if "rotate(-40" in (text.get("transform") or ""):  # anchored at its end, turned
        return x - width * TURN, x
    anchor = text.get("text-anchor", "start")
    start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return start, start + width


def upright(root):
    return [t for t in root.iter(f"{SVG}text") if "rotate(-90" not in (t.get("transform") or "")]


@pytest.mark.parametrize("kind", NARROW_CHARTS)
def test_every_word_of_a_narrow_chart_fits_its_width(kind):
    root = parse(NARROW_CHARTS[kind]())
    assert root.get("viewBox").startswith(f"0 0 {NARROW} ")
    assert "chart__svg--narrow" in root.get("class").split()
    outside = [(t.text, extent(t)) for t in upright(root)
               if extent(t)[0] < 0 or extent(t)[1] > NARROW]
    assert not outside


@pytest.mark.parametrize("kind", NARROW_CHARTS)
def test_a_shortened_word_keeps_its_full_text_as_a_title(kind):
    root = parse(NARROW_CHARTS[kind]())
    for text in root.iter(f"{SVG}text"):
        if (text.text or "").endswith("…"):
            full = text.find(f"{SVG}title").text
            assert full.startswith(text.text[:-1]) and len(full) > len(text.text)


def test_tick_labels_that_would_touch_are_thinned_out():
    root = parse(NARROW_CHARTS["days far apart"]())
    ticks = sorted((t for t in root.iter(f"{SVG}text") if t.get("class") == "chart__tick"),
                   key=lambda t: float(t.get("x")))
    gridlines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "chart__grid"]
    assert 2 <= len(ticks) < len(gridlines)  # every gridline stays, not every label
    assert all(extent(a)[1] + 4 <= extent(b)[0] for a, b in zip(ticks, ticks[1:]))


def test_a_long_title_wraps_and_moves_the_chart_down():
    root = parse(NARROW_CHARTS["band"]())
    lines = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__title"]
    assert lines == ["Quota attainment by month of tenure", "(median, p25–p75)"]
    assert root.find(f"{SVG}title").text == " ".join(lines)  # the accessible name is whole
    body = root.find(f"{SVG}g")
    assert body.get("transform") == "translate(0 18)"
    one_line = parse(band_chart([ramp(1, 0.5)], id="c", title="Short", x_label="Month",
                                y_label="Attainment", width=NARROW))
    assert float(root.get("viewBox").split()[3]) == float(one_line.get("viewBox").split()[3]) + 18


def test_a_narrow_legend_lists_one_series_a_line_under_the_plot():
    root = parse(narrow_step(["Spring", "Autumn", LONG]))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart__legend")
    names = [t for t in legend.iter(f"{SVG}text")]
    assert [t.text for t in names[:2]] == ["Spring", "Autumn"]
    assert names[2].find(f"{SVG}title").text == LONG
    axis_title = next(t for t in root.iter(f"{SVG}text") if t.text == "Days since start")
    rows = [float(t.get("y")) for t in names]
    assert rows[0] > float(axis_title.get("y")) and rows == sorted(set(rows))
    assert len({float(t.get("x")) for t in names}) == 1
    assert float(root.get("viewBox").split()[3]) > rows[-1]


def test_a_narrow_bar_has_its_label_above_it_and_its_value_beside_it():
    root = parse(narrow_bars(["First call", "First deal"], [6, 2]))
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart__category"]
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart__bar"]
    values = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart__value"]
    assert [t.text for t in labels] == ["First call", "First deal"]
    assert [t.text for t in values] == ["6", "2"]
    for label, bar, value in zip(labels, bars, values):
        assert float(label.get("y")) < float(bar.get("y"))
        assert float(label.get("x")) == float(bar.get("x"))
        assert float(value.get("x")) > float(bar.get("x")) + float(bar.get("width"))
    assert float(bars[0].get("width")) == pytest.approx(3 * float(bars[1].get("width")), abs=0.2)


def test_narrow_marks_are_plain_dots_one_per_value():
    """No tooltips or raw values: a phone cannot hover, and the data table has them."""
    root = parse(narrow_line(["Jan", "Feb", "Mar", "Apr"], [40.0, None, 35.0, 30.0]))
    dots = [c for c in root.iter(f"{SVG}circle")]
    assert len(dots) == 3 and points(root) == []
    assert all(c.find(f"{SVG}title") is None and c.get("data-y") is None for c in dots)
    xs = [float(c.get("cx")) for c in dots]
    assert xs == sorted(xs) and max(xs) <= NARROW


def test_for_screens_draws_the_wide_chart_then_the_narrow_one_with_ids_of_its_own():
    series = [("Spring", [(0, 0.0), (30, 0.5)]), ("Autumn", [(0, 0.0), (45, 0.4)])]
    markup = str(for_screens(step_chart, series, id="km", title="Productive", x_label="Day",
                             y_label="Share"))
    wide, narrow = (parse(svg) for svg in re.findall(r"<svg.*?</svg>", markup, re.S))
    assert wide.get("viewBox").startswith(f"0 0 {WIDTH} ") and wide.get("class") == "chart__svg"
    assert wide.get("aria-labelledby") == "km-title km-desc"
    assert narrow.get("aria-labelledby") == "km-narrow-title km-narrow-desc"
    assert "chart__svg--narrow" in narrow.get("class")
    ids = [{el.get("id") for el in root.iter() if el.get("id")} for root in (wide, narrow)]
    assert not ids[0] & ids[1]
    assert wide.find(f"{SVG}desc").text == narrow.find(f"{SVG}desc").text
    assert len(points(wide)) == 4 and "Spring" in texts(narrow)
