"""SVG charts: well-formed, accessible, escaped, and drawing each data point where it belongs."""
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cev_learn.analytics.charts import (LARGEST_TOP, SMALLEST_TOP, band_chart, bar_chart,
                                        format_value, heat_map, line_chart, nice_ticks,
                                        step_chart)

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"
# Any float a stored value or a sum of them can become: huge, infinite, not a number,
# subnormal, negative.
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
COORDINATES = ("x", "y", "cx", "cy", "width", "height", "x1", "x2", "y1", "y2")


def parse(chart):
    return ET.fromstring(str(chart))


def points(root):
    return [el for el in root.iter() if "point" in el.get("class", "").split()]


def tooltip(el):
    return el.find(f"{SVG}title").text


def texts(root):
    return [el.text for el in root.iter(f"{SVG}text")]


def ramp(month, median, n=10):
    return {"month": month, "n": n, "p25": median * 0.8, "median": median, "p75": median * 1.2}


def draw_step(label, ys):
    series = [(label, [(10 * i, y) for i, y in enumerate(ys)])]
    return step_chart(series, id="c-step", title=label, x_label="Day", y_label="Share")


def draw_band(label, ys):
    data = [ramp(i + 1, y) for i, y in enumerate(ys)]
    return band_chart(data, id="c-band", title=label, x_label="Month", y_label="Attainment")


def draw_line(label, ys):
    data = [(f"{label} {i}", y) for i, y in enumerate(ys)]
    return line_chart(data, id="c-line", title=label, x_label="Cohort", y_label="Days")


def draw_bars(label, ys, horizontal=True):
    data = [(f"{label} {i}", y) for i, y in enumerate(ys)]
    return bar_chart(data, id="c-bar", title=label, x_label="Stage", value_label="Reps",
                     horizontal=horizontal)


def draw_heat(label, ys):
    return heat_map([(label, ys)], list(range(1, len(ys) + 1)), id="c-heat", title=label,
                    x_label="Week", y_label="Rep")


# Each chart type drawn from the same input: a label (title and data label) and a list of values.
CHARTS = {"step": draw_step, "band": draw_band, "line": draw_line, "bar": draw_bars,
          "vertical bar": lambda label, ys: draw_bars(label, ys, horizontal=False),
          "heat": draw_heat}


# --- Every chart ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", CHARTS)
def test_every_value_is_one_point_with_its_raw_value(kind):
    ys = [0.0, 0.25, 0.5, 0.75]
    root = parse(CHARTS[kind]("Data", ys))
    assert [float(p.get("data-y")) for p in points(root)] == ys
    assert all(tooltip(p) for p in points(root))


@pytest.mark.parametrize("kind", CHARTS)
def test_charts_are_accessible_images_that_scale(kind):
    root = parse(CHARTS[kind]("Ramp so far", [0.2, 0.4]))
    assert root.get("role") == "img" and root.get("width") is None
    assert root.get("viewBox").startswith("0 0 640 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Ramp so far"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text.endswith(".")


@pytest.mark.parametrize("kind", CHARTS)
def test_charts_need_no_style_script_or_external_reference(kind):
    markup = str(CHARTS[kind]("Data", [0.3, 1.2]))
    root = parse(markup)
    assert not [el for el in root.iter() if el.tag in (f"{SVG}style", f"{SVG}script")]
    assert not [el for el in root.iter() if "style" in el.attrib or "href" in el.attrib]
    assert "url(" not in markup


@pytest.mark.parametrize("kind", CHARTS)
def test_text_from_data_is_escaped(kind):
    markup = str(CHARTS[kind](EVIL, [0.5, 1.0]))
    assert "<script" not in markup
    assert EVIL in ET.tostring(parse(markup), encoding="unicode", method="text")


@pytest.mark.parametrize("kind", CHARTS)
def test_no_data_gives_a_message_instead_of_points(kind):
    root = parse(CHARTS[kind]("Nothing", []))
    assert "No data yet" in texts(root)
    assert root.find(f"{SVG}desc").text == "No data yet"
    assert points(root) == []


@pytest.mark.parametrize("kind", CHARTS)
@pytest.mark.parametrize("ys", [[0.4], [0.0, 0.0, 0.0], [0.7, 0.7, 0.7]],
                         ids=["single", "all-zero", "all-equal"])
def test_degenerate_ranges_draw_finite_coordinates(kind, ys):
    root = parse(CHARTS[kind]("Flat", ys))
    assert len(points(root)) == len(ys)
    numbers = [float(el.get(key)) for el in root.iter()
               for key in ("x", "y", "cx", "cy", "width", "height") if el.get(key) is not None]
    assert numbers and all(math.isfinite(n) for n in numbers)


@pytest.mark.parametrize("kind", CHARTS)
@given(ys=st.lists(ANY_FLOAT, min_size=1, max_size=4))
@example(ys=[1e308, 1e308])
@example(ys=[math.inf, math.nan, -math.inf])
@example(ys=[5e-324, 1e-11])
def test_any_values_draw_a_well_formed_chart_with_finite_coordinates(kind, ys):
    root = parse(CHARTS[kind]("Extreme", ys))
    numbers = [float(el.get(key)) for el in root.iter() for key in COORDINATES
               if el.get(key) is not None]
    assert numbers and all(math.isfinite(n) for n in numbers)
    shapes = " ".join(el.get(key) for el in root.iter() for key in ("d", "points")
                      if el.get(key) is not None)
    assert "nan" not in shapes and "inf" not in shapes


def test_element_ids_differ_between_two_charts_on_a_page():
    first, second = ({el.get("id") for el in parse(chart).iter() if el.get("id")}
                     for chart in (draw_step("A", [0.1]), draw_line("B", [0.1])))
    assert first and second and not first & second


# --- Step chart -----------------------------------------------------------------------------

def pixel(point):
    return float(point.get("cx")), float(point.get("cy"))


def test_step_line_holds_the_value_until_the_next_x_then_moves_vertically():
    root = parse(step_chart([("Spring", [(0, 0.0), (30, 0.5)])], id="km", title="Productive",
                            x_label="Day", y_label="Productive"))
    start, step = (pixel(p) for p in points(root))
    path = next(root.iter(f"{SVG}path")).get("d")
    match = re.fullmatch(r"M([\d.]+) ([\d.]+) H([\d.]+) V([\d.]+)", path)
    assert match, path
    assert [float(n) for n in match.groups()] == pytest.approx([*start, *step], abs=0.1)


def test_a_larger_value_is_drawn_higher_and_a_later_x_further_right():
    root = parse(step_chart([("Spring", [(0, 0.0), (30, 0.25), (60, 0.6)])], id="km", title="T",
                            x_label="Day", y_label="Productive"))
    xs, ys = zip(*(pixel(p) for p in points(root)))
    assert list(xs) == sorted(xs) and list(ys) == sorted(ys, reverse=True)
    assert tooltip(points(root)[1]) == "Spring, Day 30: 25%"


def test_legend_only_with_several_series_each_in_its_own_colour():
    def draw(series):
        return parse(step_chart(series, id="km", title="T", x_label="Day", y_label="Share"))

    def legends(root):
        return [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart__legend"]

    one = [("Spring", [(0, 0.0), (30, 0.5)])]
    two = [*one, ("Autumn", [(0, 0.0), (45, 0.4)])]
    assert legends(draw(one)) == []
    assert len(legends(draw(two))) == 1
    assert len({p.get("fill") for p in points(draw(two))}) == 2


def test_more_series_than_colours_is_refused():
    with pytest.raises(ValueError, match="at most 6"):
        step_chart([(f"S{i}", [(0, 0.0)]) for i in range(7)], id="km", title="T", x_label="Day",
                   y_label="Share")


def test_x_max_sets_the_axis_end():
    root = parse(step_chart([("S", [(0, 0.0), (30, 0.5)])], id="km", title="T", x_label="Day",
                            y_label="Share", x_max=180))
    ticks = {el.text: float(el.get("x")) for el in root.iter(f"{SVG}text")}
    assert "150" in ticks and "200" not in ticks
    assert ticks["0"] < pixel(points(root)[1])[0] < ticks["50"]


# --- Band chart -----------------------------------------------------------------------------

def test_band_encloses_the_median_at_every_month():
    data = [ramp(1, 0.2), ramp(2, 0.5), ramp(3, 0.9, n=7)]
    root = parse(band_chart(data, id="ramp", title="Ramp", x_label="Month", y_label="Quota"))
    polygon = next(root.iter(f"{SVG}polygon")).get("points").split()
    corners = [tuple(float(n) for n in corner.split(",")) for corner in polygon]
    upper, lower = corners[:3], corners[3:][::-1]
    for p75, p25, marker in zip(upper, lower, points(root)):
        x, y = pixel(marker)
        assert p75[0] == p25[0] == pytest.approx(x, abs=0.1)
        assert p25[1] >= y >= p75[1]
    assert tooltip(points(root)[2]) == "Month 3 (n = 7): median 90%, p25 72%, p75 108%"


def test_quota_line_only_when_the_range_reaches_100_percent():
    def has_quota(data, y_format="percent"):
        return "quota" in texts(parse(band_chart(data, id="r", title="T", x_label="Month",
                                                 y_label="Quota", y_format=y_format)))
    assert has_quota([ramp(1, 0.5), ramp(2, 0.95)])
    assert not has_quota([ramp(1, 0.1), ramp(2, 0.3)])
    assert not has_quota([ramp(1, 5), ramp(2, 9)], y_format="number")


# --- Line chart -----------------------------------------------------------------------------

def test_missing_values_leave_a_gap_but_keep_their_label():
    data = [("Jan", 55.0), ("Feb", None), ("Mar", 48.0), ("Apr", 44.0)]
    root = parse(line_chart(data, id="ttp", title="Median days", x_label="Cohort",
                            y_label="Median days", y_format="days"))
    assert [p.get("data-x") for p in points(root)] == ["Jan", "Mar", "Apr"]
    assert {"Jan", "Feb", "Mar", "Apr"} <= set(texts(root))
    path = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "chart__line").get("d")
    assert path.count("M") == 2 and path.count("L") == 1
    assert tooltip(points(root)[0]) == "Jan — Median days: 55 days"


def test_crowded_categories_get_rotated_short_labels():
    data = [(f"Cohort starting {month:02d}/2026", 40.0) for month in range(1, 25)]
    root = parse(line_chart(data, id="ttp", title="T", x_label="Cohort", y_label="Days"))
    labels = [el for el in root.iter(f"{SVG}text") if el.get("class") == "chart__tick"
              and el.get("transform")]
    assert labels and all(len(el.text) <= 12 and "rotate(-40" in el.get("transform")
                          for el in labels)


# --- Bar chart ------------------------------------------------------------------------------

def test_horizontal_bars_are_as_long_as_their_values():
    root = parse(bar_chart([("Invited", 40), ("Certified", 20)], id="funnel", title="Funnel",
                           x_label="Stage", value_label="Reps"))
    invited, certified = points(root)
    assert (invited.get("data-x"), invited.get("data-y")) == ("Invited", "40")
    assert float(invited.get("width")) == pytest.approx(2 * float(certified.get("width")), abs=0.2)
    assert {"Invited", "40", "20"} <= set(texts(root))


def test_vertical_bars_grow_upwards():
    root = parse(bar_chart([("North", 48), ("South", 24)], id="terr", title="T",
                           x_label="Territory", value_label="Days", horizontal=False))
    north, south = points(root)
    assert float(north.get("height")) == pytest.approx(2 * float(south.get("height")), abs=0.2)
    assert float(north.get("y")) < float(south.get("y"))


# --- Heat map -------------------------------------------------------------------------------

def test_heat_map_draws_a_point_per_value_and_an_empty_cell_per_none():
    rows = [("Dora Costa", [0.5, None, 0.8]), ("Ravi Shah", [1.5, 1.0, None])]
    root = parse(heat_map(rows, [1, 2, 3], id="pace", title="Pace", x_label="Week",
                          y_label="Rep"))
    cells = points(root)
    assert [(c.get("data-x"), float(c.get("data-y"))) for c in cells] == [
        ("1", 0.5), ("3", 0.8), ("1", 1.5), ("2", 1.0)]
    assert tooltip(cells[1]) == "Dora Costa, Week 3: 80% of target"
    assert len([r for r in root.findall(f"{SVG}rect") if r.get("fill") == "none"]) == 2


def test_heat_map_is_warm_below_target_and_cool_above_with_a_scale():
    root = parse(heat_map([("Rep", [0.5, 1.5, 1.5])], [1, 2, 3], id="pace", title="Pace",
                          x_label="Week", y_label="Rep"))
    below, above, same = (bytes.fromhex(c.get("fill")[1:]) for c in points(root))
    assert above == same
    assert below[0] > below[2] and above[0] < above[2]  # warm (red) below target, cool (blue) above
    assert {"0%", "100%", "200%+"} <= set(texts(root))


def test_heat_map_grows_a_fixed_height_per_row():
    def height(n):
        svg = parse(heat_map([(f"Rep {i}", [1.0]) for i in range(n)], [1], id="p", title="T",
                             x_label="Week", y_label="Rep"))
        return float(svg.get("viewBox").split()[3])
    assert height(300) - height(100) == 200 * 18


# --- Values and ticks -----------------------------------------------------------------------

@pytest.mark.parametrize("value,fmt,text", [
    (0.58, "percent", "58%"), (0, "percent", "0%"), (2.0, "percent", "200%"),
    (48, "number", "48"), (1.53, "number", "1.5"), (12500, "number", "12,500"),
    (48, "days", "48 days"), (1, "days", "1 day")])
def test_format_value(value, fmt, text):
    assert format_value(value, fmt) == text


def test_format_value_refuses_an_unknown_format():
    with pytest.raises(ValueError):
        format_value(1, "euros")


@pytest.mark.parametrize("high,ticks", [
    (1.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (180, [0, 50, 100, 150, 200]),
    (0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (7, [0, 2, 4, 6, 8])])
def test_nice_ticks_cover_the_range_with_round_steps(high, ticks):
    assert nice_ticks(high) == ticks


@pytest.mark.parametrize("high", [0.07, 0.9, 1.3, 3, 12, 48, 99, 180, 365, 12500])
def test_nice_ticks_are_four_to_six_round_steps(high):
    ticks = nice_ticks(high)
    step = ticks[1]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert 4 <= len(ticks) <= 6 and ticks[-1] >= high
    assert round(mantissa, 6) in (1, 2, 2.5, 5)


@given(high=ANY_FLOAT, whole=st.booleans())
@example(high=1e308, whole=False)
@example(high=1e300, whole=False)  # 10^300 as a whole step is just below the float 1e300
@example(high=math.inf, whole=True)
@example(high=math.nan, whole=False)
@example(high=5e-324, whole=False)
@example(high=1e-11, whole=False)
@example(high=-1e308, whole=True)
def test_nice_ticks_are_finite_round_steps_for_any_float(high, whole):
    ticks = nice_ticks(high, whole=whole)
    assert ticks[0] == 0 and 2 <= len(ticks) <= 7
    assert all(math.isfinite(t) for t in ticks)
    steps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert all(step > 0 and math.isclose(step, steps[0]) for step in steps)
    if whole:
        assert all(float(t).is_integer() for t in ticks)
    if SMALLEST_TOP <= high <= LARGEST_TOP:
        assert ticks[-1] >= high


def test_whole_ticks_skip_fractions():
    assert nice_ticks(12, whole=True) == [0, 5, 10, 15]
    assert nice_ticks(2, whole=True) == [0, 1, 2]
