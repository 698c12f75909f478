"""Server-side SVG charts over plain data. Pure: no Flask, no database.

Each chart returns one complete `<svg>` as Markup for `{{ chart }}` in a template. The CSP allows
no inline styles or scripts, so the markup uses only presentation attributes and classes; fonts
and sizing come from the "Charts" section of app.css. Every plotted value is an element with
class "point", raw `data-x`/`data-y` values and a `<title>` tooltip. All text is escaped.

Phones: `for_screens` draws a chart twice, at WIDTH and at NARROW, and app.css shows the one that
fits the screen, so the words of a chart stay at their drawn size (12 px) on a 390 px phone
without a sideways scroll. The narrow drawing thins out crowded tick labels, shortens long labels
(the full text in a `<title>`), wraps the title, puts the legend under the plot and bar labels
above their bars. Its marks are plain dots without tooltips (a phone has no hover; the data table
under each chart has the values), which keeps a page's weight down.
"""
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup, escape

from cev_learn.platform.text_direction import isolate

WIDTH, HEIGHT = 640, 320
NARROW = 320      # a phone's chart: the 324 px a panel leaves on a 390 px screen draws it 1:1
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # Okabe–Ito
GRID, AXIS, EMPTY_CELL = "#e3e6eb", "#8a94a3", "#d5dae1"
WARM, WARM_LIGHT, COOL, COOL_LIGHT = "#D55E00", "#F9D3B8", "#0072B2", "#CFE3F3"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
CHAR_PX = 6.5     # rough width of one 12 px character, to fit labels
TITLE_CHAR_PX = 8  # rough width of one character of the 14 px bold title
LINE_PX = 18      # a line of text: legend rows, a wrapped title
ROW_PX = 18       # heat-map row height
SHORT_LABEL = 12  # characters kept of a crowded or rotated category label
NO_DATA = "No data yet"
# The span an axis may have. Below SMALLEST_TOP ticks rounded to 10 places would all be 0; above
# LARGEST_TOP five steps could pass the largest float. Values outside are drawn at the axis end:
# a page shows whatever is stored, even amounts written before they were bounded.
SMALLEST_TOP, LARGEST_TOP = 1e-6, 1e300

Points = Sequence[tuple[float, float]]


# --- Values and ticks -----------------------------------------------------------------------

def format_value(value: float, fmt: str) -> str:
    """Format a tick or tooltip value: "percent" 58%, "number" 48 or 1.5, "days" 48 days."""
    if fmt == "percent":
        return f"{value * 100:.0f}%"
    number = f"{value:,.1f}".removesuffix(".0")
    if fmt == "number":
        return number
    if fmt == "days":
        return "1 day" if number == "1" else f"{number} days"
    raise ValueError(f"unknown value format {fmt!r}")


def nice_ticks(high: float, *, whole: bool = False) -> list[float]:
    """Ticks from 0 to at least `high` (kept from SMALLEST_TOP to LARGEST_TOP; 1 when it is not
    above 0 or not a number), 1, 2, 2.5 or 5 × 10^k apart (whole numbers if asked)."""
    high = min(max(high, SMALLEST_TOP), LARGEST_TOP) if high > 0 else 1
    raw = max(high / 5, 1) if whole else high / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    multipliers = (1, 2, 5, 10) if whole and magnitude < 10 else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in multipliers if m * magnitude >= raw * (1 - 1e-9))
    count = math.ceil(high / step - 1e-9)
    if isinstance(step, int) and count * step < high:  # 10^k is exact; the float 1e300 is
        count += 1                                       # a little above it
    return [round(i * step, 10) for i in range(count + 1)]


def _axis(top: float | None, data_top: float, *, whole: bool = False) -> tuple[float, list[float]]:
    """The axis maximum and its ticks: the caller's maximum, else the data's, up to a tick."""
    if top is not None and top > 0:
        return top, [t for t in nice_ticks(top, whole=whole) if t <= top * (1 + 1e-9)]
    ticks = nice_ticks(data_top, whole=whole)
    return ticks[-1], ticks


# --- SVG building blocks --------------------------------------------------------------------

def _el(tag: str, *children: object, **attrs: object) -> Markup:
    """One element; text and attribute values escaped and isolated, coordinates to 0.1 px."""
    attributes = "".join(f' {key.rstrip("_").replace("_", "-")}="{_attr(value)}"'
                         for key, value in attrs.items() if value is not None)
    # Safe markup: the tag comes from this module, attribute values are escaped by _attr and
    # Markup('').join escapes every child that is not already markup.
    if not children:
        return Markup(f"<{tag}{attributes}/>")  # nosec B704
    inner = Markup("").join(isolate(child) if type(child) is str else child for child in children)
    return Markup(f"<{tag}{attributes}>{inner}</{tag}>")  # nosec B704


def _attr(value: object) -> str:
    """An attribute value: numbers as they are (floats to 0.1), anything else escaped."""
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value) if isinstance(value, int) else escape(isolate(str(value)))


def _text(x: float, y: float, content: object, anchor: str | None = None,
          **attrs: object) -> Markup:
    return _el("text", content, x=x, y=y, text_anchor=anchor, **attrs)


def _label(x: float, y: float, content: str, anchor: str = "middle", **attrs: object) -> Markup:
    return _text(x, y, content, anchor, class_="chart__label", **attrs)


def _tick(x: float, y: float, content: object, anchor: str = "middle", **attrs: object) -> Markup:
    return _text(x, y, content, anchor, class_="chart__tick", **attrs)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID,
          **attrs: object) -> Markup:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, **attrs)


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _svg(id: str, title: str, desc: str, *body: Markup, height: float = HEIGHT,
         width: float = WIDTH) -> Markup:
    """The outer element: accessible name and description, a visible title, then the body.

    A narrow chart wraps its title over as many lines as it needs and moves the body down."""
    lines = _wrap(title, int((width - 16) / TITLE_CHAR_PX)) if width < WIDTH else [title]
    drop = (len(lines) - 1) * LINE_PX
    heading = [_text(8, 20 + i * LINE_PX, line, class_="chart__title")
               for i, line in enumerate(lines)]
    if drop:
        body = (_el("g", *body, transform=f"translate(0 {drop})"),)
    size = "chart__svg" if width >= WIDTH else "chart__svg chart__svg--narrow"
    return _el("svg", _el("title", title, id=f"{id}-title"), _el("desc", desc, id=f"{id}-desc"),
               *heading, *body,
               xmlns="http://www.w3.org/2000/svg",
               viewBox=f"0 0 {_attr(float(width))} {_attr(float(height + drop))}",
               role="img", aria_labelledby=f"{id}-title {id}-desc", class_=size,
               font_family=FONT, font_size=12)


def _wrap(text: str, limit: int) -> list[str]:
    """Words in lines of at most `limit` characters (a longer word has a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _no_data(id: str, title: str, width: float = WIDTH) -> Markup:
    return _svg(id, title, NO_DATA, _text(width / 2, 72, NO_DATA, "middle", class_="chart__empty"),
                height=112, width=width)


def for_screens(draw, *args, id: str, **kwargs) -> Markup:
    """The chart drawn for wide screens, then for phones (its ids end in "-narrow")."""
    return (draw(*args, id=id, **kwargs)
            + draw(*args, id=f"{id}-narrow", width=NARROW, **kwargs))


def _marker(cx: float, cy: float, colour: str, x: object, y: object, tip: str,
            narrow: bool = False) -> Markup:
    if narrow:  # a dot to see where the value is; its value is in the data table
        return _el("circle", cx=cx, cy=cy, r=3, fill=colour, class_="chart__dot")
    return _el("circle", _el("title", tip), cx=cx, cy=cy, r=4, fill=colour, stroke="#ffffff",
               stroke_width=1, class_="point", data_x=str(x), data_y=str(y))


def _path(xy: Sequence[tuple[float, float] | None]) -> str:
    """Connect consecutive points; a None lifts the pen, leaving a gap."""
    moves, pen_down = [], False
    for point in xy:
        if point is not None:
            moves.append(f"{'L' if pen_down else 'M'}{_attr(point[0])} {_attr(point[1])}")
        pen_down = point is not None
    return " ".join(moves)


@dataclass(frozen=True)
class _Frame:
    """The plot area in px and the data maxima it shows; both axes start at 0."""
    x_max: float
    y_max: float
    top: float = 36
    bottom: float = HEIGHT - 56
    left: float = 64
    right: float = WIDTH - 24
    narrow: bool = False  # drawn for a phone

    def x(self, value: float) -> float:
        return self.left + (self.right - self.left) * _share(value, self.x_max)

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * _share(value, self.y_max)


def _plot(width: float, x_max: float, y_max: float, **edges: float) -> _Frame:
    """The plot area of a chart `width` px wide: a narrower margin on the left and right."""
    if width >= WIDTH:
        return _Frame(x_max, y_max, **edges)
    return _Frame(x_max, y_max, **{"left": 56, "right": width - 16, "narrow": True, **edges})


def _share(value: float, maximum: float) -> float:
    """How far along an axis from 0 to `maximum` a value is, from 0 to 1: beyond an end (even
    infinite) it is drawn at that end, and not-a-number at 0, so every coordinate is finite."""
    share = value / maximum
    return min(share, 1.0) if share >= 0 else 0.0


def _x_axis(frame: _Frame, ticks: Sequence[float], fmt: str) -> list[Markup]:
    """Vertical gridlines with value labels under the plot (every second or third label when
    they would touch), and the baseline."""
    labels = [format_value(tick, fmt) for tick in ticks]
    stride = _label_stride(labels, (frame.right - frame.left) / max(len(ticks) - 1, 1))
    marks = []
    for i, (tick, label) in enumerate(zip(ticks, labels)):
        x = frame.x(tick)
        marks.append(_line(x, frame.top, x, frame.bottom, class_="chart__grid"))
        if i % stride == 0:
            marks.append(_tick(x, frame.bottom + 16, label))
    return [*marks, _line(frame.left, frame.bottom, frame.right, frame.bottom, AXIS,
                          class_="chart__axis")]


def _label_stride(labels: Sequence[str], spacing: float) -> int:
    """Label every n-th tick, n the smallest that leaves 8 px between neighbouring labels."""
    widest = max((len(label) for label in labels), default=0) * CHAR_PX + 8
    return max(1, math.ceil(widest / spacing)) if spacing > 0 else 1


def _y_axis(frame: _Frame, ticks: Sequence[float], fmt: str) -> list[Markup]:
    """Horizontal gridlines with value labels left of the plot."""
    marks = []
    for tick in ticks:
        y = frame.y(tick)
        marks += [_line(frame.left, y, frame.right, y, class_="chart__grid"),
                  _tick(frame.left - 8, y + 4, format_value(tick, fmt), "end")]
    return marks


def _axis_titles(frame: _Frame, x_label: str, y_label: str,
                 x_title_y: float = HEIGHT - 10) -> list[Markup]:
    middle = (frame.top + frame.bottom) / 2
    return [_label((frame.left + frame.right) / 2, x_title_y, x_label),
            _label(16, middle, y_label, transform=f"rotate(-90 16 {_attr(float(middle))})")]


def _crowded(labels: Sequence[str], width: float) -> bool:
    return max(len(label) for label in labels) * CHAR_PX > width / len(labels) - 4


def _fitted(content: str, limit: int) -> tuple[object, ...]:
    """A label cut to `limit` characters, and then its full text as a `<title>`."""
    short = _shorten(content, limit)
    return (short,) if short == content else (short, _el("title", content))


def _category_labels(frame: _Frame, labels: Sequence[str]) -> list[Markup]:
    """Labels under evenly spaced slots; rotated, shortened and thinned out when crowded."""
    if not _crowded(labels, frame.right - frame.left):
        return [_tick(frame.x(i + 0.5), frame.bottom + 16, label) for i, label in enumerate(labels)]
    stride = math.ceil(14 / ((frame.right - frame.left) / len(labels)))
    y, ticks = frame.bottom + 14, []
    for i in range(0, len(labels), stride):
        x = frame.x(i + 0.5)
        ticks.append(_el("text", *_fitted(labels[i], SHORT_LABEL), x=x, y=y, text_anchor="end",
                         class_="chart__tick",
                         transform=f"rotate(-40 {_attr(x)} {_attr(float(y))})"))
    return ticks


def _legend(names: Sequence[str]) -> tuple[list[Markup], float]:
    """Series swatches in rows under the title and the plot top below them; none for one series."""
    if len(names) < 2:
        return [], 36
    items, x, y = [], 64.0, 40
    for name, colour in zip(names, PALETTE):
        label = _shorten(name, 28)
        width = 26 + len(label) * CHAR_PX + 16
        if x > 64 and x + width > WIDTH - 8:
            x, y = 64.0, y + 18
        items += [_line(x, y - 4, x + 20, y - 4, colour, stroke_width=3), _text(x + 26, y, label)]
        x += width
    return [_el("g", *items, class_="chart__legend")], y + 20


def _legend_below(names: Sequence[str], top: float, width: float) -> tuple[list[Markup], float]:
    """A phone's legend: one series a line from `top` down; the height it leaves the chart."""
    if len(names) < 2:
        return [], top
    limit = int((width - 16 - 26) / CHAR_PX)
    items = [_el("g", _line(8, top + i * LINE_PX - 4, 28, top + i * LINE_PX - 4, colour,
                            stroke_width=3),
                 _el("text", *_fitted(name, limit), x=34, y=top + i * LINE_PX))
             for i, (name, colour) in enumerate(zip(names, PALETTE))]
    return [_el("g", *items, class_="chart__legend")], top + (len(items) - 1) * LINE_PX + 10


# --- Charts ---------------------------------------------------------------------------------

def step_chart(series: Sequence[tuple[str, Points]], *, id: str, title: str, x_label: str,
               y_label: str, x_max: float | None = None, y_max: float | None = 1.0,
               y_format: str = "percent", desc: str | None = None,
               width: float = WIDTH) -> Markup:
    """Kaplan–Meier style curves, up to 6 series: each value holds until the next x."""
    if len(series) > len(PALETTE):
        raise ValueError(f"a chart shows at most {len(PALETTE)} series")
    plotted = [(name, points) for name, points in series if points]
    if not plotted:
        return _no_data(id, title, width)
    fx, fy = partial(format_value, fmt="number"), partial(format_value, fmt=y_format)
    x_top, x_ticks = _axis(x_max, max(x for _, points in plotted for x, _ in points), whole=True)
    y_top, y_ticks = _axis(y_max, max(y for _, points in plotted for _, y in points))
    names, height = [name for name, _ in series], HEIGHT
    if width < WIDTH:
        legend, height = _legend_below(names, HEIGHT + 8, width)
        frame = _plot(width, x_top, y_top)
    else:
        legend, top = _legend(names)
        frame = _plot(width, x_top, y_top, top=top)
    body = [*_y_axis(frame, y_ticks, y_format), *_x_axis(frame, x_ticks, "number"),
            *_axis_titles(frame, x_label, y_label), *legend]
    for (name, points), colour in zip(series, PALETTE):
        if points:
            body.append(_el("path", d=_step_path(frame, points), fill="none", stroke=colour,
                            stroke_width=2, class_="chart__line"))
        body += [_marker(frame.x(x), frame.y(y), colour, x, y,
                         f"{name}, {x_label} {fx(x)}: {fy(y)}", frame.narrow) for x, y in points]
    ends = "; ".join(f"{name} {fy(points[-1][1])} at {fx(points[-1][0])}"
                     for name, points in plotted)
    return _svg(id, title, desc or f"{y_label} by {x_label}: {ends}.", *body, height=height,
                width=width)


def _step_path(frame: _Frame, points: Points) -> str:
    """A horizontal run to each next x, then a vertical move to its value."""
    (x0, y0), *rest = points
    moves = [f"M{_attr(frame.x(x0))} {_attr(frame.y(y0))}"]
    moves += [f"H{_attr(frame.x(x))} V{_attr(frame.y(y))}" for x, y in rest]
    return " ".join(moves)


def band_chart(points: Sequence[dict], *, id: str, title: str, x_label: str, y_label: str,
               y_format: str = "percent", desc: str | None = None,
               width: float = WIDTH) -> Markup:
    """Ramp curve: the median per month inside its p25–p75 band, with the quota line at 100%."""
    if not points:
        return _no_data(id, title, width)
    fy = partial(format_value, fmt=y_format)
    x_top, x_ticks = _axis(None, max(p["month"] for p in points), whole=True)
    y_top, y_ticks = _axis(None, max(max(p["p75"], p["median"]) for p in points))
    frame = _plot(width, x_top, y_top)
    band = [(frame.x(p["month"]), frame.y(p["p75"])) for p in points]
    band += [(frame.x(p["month"]), frame.y(p["p25"])) for p in reversed(points)]
    median = [(frame.x(p["month"]), frame.y(p["median"])) for p in points]
    body = [*_y_axis(frame, y_ticks, y_format), *_x_axis(frame, x_ticks, "number"),
            *_axis_titles(frame, x_label, y_label),
            _el("polygon", points=" ".join(f"{_attr(x)},{_attr(y)}" for x, y in band),
                fill=PALETTE[0], opacity=0.2, class_="chart__band")]
    if y_format == "percent" and y_top >= 1.0:
        body += [_line(frame.left, frame.y(1.0), frame.right, frame.y(1.0), AXIS,
                       stroke_dasharray="6 4", class_="chart__reference"),
                 _label(frame.right, frame.y(1.0) - 4, "quota", "end")]
    body.append(_el("path", d=_path(median), fill="none", stroke=PALETTE[0], stroke_width=2,
                    class_="chart__line"))
    body += [_marker(*spot, PALETTE[0], p["month"], p["median"],
                     f"Month {p['month']} (n = {p['n']}): median {fy(p['median'])}, "
                     f"p25 {fy(p['p25'])}, p75 {fy(p['p75'])}", frame.narrow)
             for spot, p in zip(median, points)]
    first, last = points[0], points[-1]
    summary = (f"{y_label}, median: {fy(first['median'])} in month {first['month']}, "
               f"{fy(last['median'])} in month {last['month']} "
               f"(middle half {fy(last['p25'])}–{fy(last['p75'])}).")
    return _svg(id, title, desc or summary, *body, width=width)


def line_chart(points: Sequence[tuple[str, float | None]], *, id: str, title: str, x_label: str,
               y_label: str, y_format: str = "number", desc: str | None = None,
               width: float = WIDTH) -> Markup:
    """A value per category in order (e.g. per cohort); None leaves a gap but keeps its label."""
    known = [(label, value) for label, value in points if value is not None]
    if not known:
        return _no_data(id, title, width)
    fy = partial(format_value, fmt=y_format)
    labels = [label for label, _ in points]
    y_top, y_ticks = _axis(None, max(value for _, value in known))
    plot = _plot(width, 1, 1)
    crowded = _crowded(labels, plot.right - plot.left)
    frame = _plot(width, len(points), y_top, bottom=HEIGHT - (104 if crowded else 56))
    xy = [None if value is None else (frame.x(i + 0.5), frame.y(value))
          for i, (_, value) in enumerate(points)]
    body = [*_y_axis(frame, y_ticks, y_format), *_category_labels(frame, labels),
            *_axis_titles(frame, x_label, y_label),
            _el("path", d=_path(xy), fill="none", stroke=PALETTE[0], stroke_width=2,
                class_="chart__line")]
    body += [_marker(*spot, PALETTE[0], label, value, f"{label} — {y_label}: {fy(value)}",
                     frame.narrow)
             for spot, (label, value) in zip(xy, points) if spot is not None]
    (first, low), (last, high) = known[0], known[-1]
    summary = (f"{y_label}: {fy(low)} for {first}, {fy(high)} for {last}; "
               f"{len(known)} of {len(points)} with data.")
    return _svg(id, title, desc or summary, *body, width=width)


def bar_chart(bars: Sequence[tuple[str, float]], *, id: str, title: str, x_label: str,
              value_label: str, value_max: float | None = None, value_format: str = "number",
              horizontal: bool = True, desc: str | None = None, width: float = WIDTH) -> Markup:
    """One bar per label (funnel stages, territories) with its value written at the bar's end."""
    if not bars:
        return _no_data(id, title, width)
    top, ticks = _axis(value_max, max(value for _, value in bars))
    if horizontal:
        draw = _horizontal_bars if width >= WIDTH else partial(_stacked_bars, width=width)
    else:
        draw = partial(_vertical_bars, width=width)
    body, height = draw(bars, top, ticks, x_label, value_label, value_format)
    summary = ", ".join(f"{label} {format_value(value, value_format)}" for label, value in bars)
    return _svg(id, title, desc or f"{value_label} by {x_label}: {summary}.", *body, height=height,
                width=width)


def _bar(x: float, y: float, width: float, height: float, label: str, value: float,
         fmt: str, narrow: bool = False) -> Markup:
    size = {"x": x, "y": y, "width": max(width, 0.0), "height": max(height, 0.0)}
    if narrow:  # its value is written beside it
        return _el("rect", **size, fill=PALETTE[0], class_="chart__bar")
    return _el("rect", _el("title", f"{label}: {format_value(value, fmt)}"), **size,
               fill=PALETTE[0], class_="point", data_x=label, data_y=str(value))


def _horizontal_bars(bars: Sequence[tuple[str, float]], top: float, ticks: Sequence[float],
                     x_label: str, value_label: str, fmt: str) -> tuple[list[Markup], float]:
    """Labels on the left, bars growing right, the value at each bar's end; 32 px per bar."""
    band = 32
    frame = _Frame(top, 1, top=48, bottom=48 + band * len(bars), left=168, right=WIDTH - 64)
    height = frame.bottom + 48
    body = [*_x_axis(frame, ticks, fmt), _label(frame.left - 8, frame.top - 12, x_label, "end"),
            _label((frame.left + frame.right) / 2, height - 10, value_label)]
    for i, (label, value) in enumerate(bars):
        y, end = frame.top + i * band, frame.x(value)
        body += [_text(frame.left - 8, y + band / 2 + 4, _shorten(label, 24), "end",
                       class_="chart__category"),
                 _bar(frame.left, y + 6, end - frame.left, band - 12, label, value, fmt),
                 _text(end + 6, y + band / 2 + 4, format_value(value, fmt), class_="chart__value")]
    return body, height


def _stacked_bars(bars: Sequence[tuple[str, float]], top: float, ticks: Sequence[float],
                  x_label: str, value_label: str, fmt: str, *,
                  width: float) -> tuple[list[Markup], float]:
    """A phone's horizontal bars: each label on a line of its own above its bar, the plot as
    wide as the chart leaves beside the widest value; 44 px per bar."""
    band, values = 44, [format_value(value, fmt) for _, value in bars]
    widest = max(len(value) for value in values) * CHAR_PX
    frame = _Frame(top, 1, top=48, bottom=48 + band * len(bars), left=24,
                   right=width - max(widest + 12, 24.0), narrow=True)
    height = frame.bottom + 48
    limit = int((width - frame.left - 8) / CHAR_PX)
    body = [*_x_axis(frame, ticks, fmt), _label(frame.left, frame.top - 12, x_label, "start"),
            _label(width / 2, height - 10, value_label)]
    for i, ((label, value), written) in enumerate(zip(bars, values)):
        y, end = frame.top + i * band, frame.x(value)
        body += [_el("text", *_fitted(label, limit), x=frame.left, y=y + 14,
                     class_="chart__category"),
                 _bar(frame.left, y + 20, end - frame.left, 18, label, value, fmt, narrow=True),
                 _text(end + 6, y + 33, written, class_="chart__value")]
    return body, height


def _vertical_bars(bars: Sequence[tuple[str, float]], top: float, ticks: Sequence[float],
                   x_label: str, value_label: str, fmt: str, *,
                   width: float = WIDTH) -> tuple[list[Markup], float]:
    """Bars rising from the baseline with the value above each and the labels under them."""
    labels = [label for label, _ in bars]
    plot = _plot(width, 1, 1)
    crowded = _crowded(labels, plot.right - plot.left)
    frame = _plot(width, len(bars), top, bottom=HEIGHT - (104 if crowded else 56))
    slot = (frame.right - frame.left) / len(bars)
    body = [*_y_axis(frame, ticks, fmt), *_category_labels(frame, labels),
            *_axis_titles(frame, x_label, value_label)]
    for i, (label, value) in enumerate(bars):
        y = frame.y(value)
        body += [_bar(frame.left + (i + 0.2) * slot, y, slot * 0.6, frame.bottom - y, label, value,
                      fmt, frame.narrow),
                 _text(frame.x(i + 0.5), y - 4, format_value(value, fmt), "middle",
                       class_="chart__value")]
    return body, HEIGHT


def heat_map(rows: Sequence[tuple[str, Sequence[float | None]]], columns: Sequence[object], *,
             id: str, title: str, x_label: str, y_label: str, value_format: str = "percent",
             scale_max: float = 2.0, desc: str | None = None) -> Markup:
    """Pace per row and column (e.g. rep × week): warm below 1.0 (on target), cool at or above.

    Drawn at WIDTH only: 20 rows of up to 26 weeks cannot be told apart at a phone's width with
    readable labels, so on a phone this chart keeps its size and its box scrolls sideways."""
    if scale_max <= 1:
        raise ValueError("scale_max must be above 1.0, the target")
    if not rows or not columns:
        return _no_data(id, title)
    left, top, right = 168, 100, WIDTH - 16
    cell = (right - left) / len(columns)
    stride = math.ceil((max(len(str(c)) for c in columns) * CHAR_PX + 6) / cell)
    suffix = " of target" if value_format == "percent" else ""
    body = [*_heat_scale(scale_max, value_format), _label((left + right) / 2, top - 22, x_label),
            _label(left - 8, top - 6, y_label, "end")]
    body += [_tick(left + (c + 0.5) * cell, top - 6, column)
             for c, column in enumerate(columns) if c % stride == 0]
    for r, (label, values) in enumerate(rows):
        y = top + r * ROW_PX
        body.append(_text(left - 8, y + 13, _shorten(label, 24), "end", class_="chart__category"))
        for c, (column, value) in enumerate(zip(columns, values)):
            spot = {"x": left + c * cell + 1, "y": y + 1, "width": cell - 2, "height": ROW_PX - 2}
            if value is None or math.isnan(value):
                body.append(_el("rect", **spot, fill="none", stroke=EMPTY_CELL))
                continue
            tip = f"{label}, {x_label} {column}: {format_value(value, value_format)}{suffix}"
            body.append(_el("rect", _el("title", tip), **spot, fill=_pace_colour(value, scale_max),
                            class_="point", data_x=str(column), data_y=str(value)))
    values = [v for _, row in rows for v in row[:len(columns)]
              if v is not None and not math.isnan(v)]
    summary = (f"{y_label} by {x_label}: {sum(v < 1 for v in values)} of {len(values)} values "
               f"below {format_value(1.0, value_format)}; "
               f"{len(rows) * len(columns) - len(values)} cells without a value.")
    return _svg(id, title, desc or summary, *body, height=top + len(rows) * ROW_PX + 8)


def _pace_colour(value: float, scale_max: float) -> str:
    """Deeper the further from 1.0: warm hues below it, cool ones at or above it."""
    if value < 1:
        return _mix(WARM_LIGHT, WARM, 1 - max(value, 0.0))
    return _mix(COOL_LIGHT, COOL, min((value - 1) / (scale_max - 1), 1.0))


def _mix(start: str, end: str, share: float) -> str:
    channels = zip(bytes.fromhex(start[1:]), bytes.fromhex(end[1:]))
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in channels)


def _heat_scale(scale_max: float, fmt: str) -> list[Markup]:
    """The colour scale as swatches with ticks at 0, 1.0 and scale_max+, and the empty cell."""
    x0, width, y, steps = WIDTH - 256, 240, 30, 24
    swatches = [_el("rect", x=x0 + i * width / steps, y=y, width=width / steps, height=10,
                    fill=_pace_colour((i + 0.5) * scale_max / steps, scale_max))
                for i in range(steps)]
    ticks = [_tick(x0, y + 24, format_value(0, fmt), "start"),
             _tick(x0 + width / scale_max, y + 24, format_value(1.0, fmt)),
             _tick(x0 + width, y + 24, f"{format_value(scale_max, fmt)}+", "end")]
    empty = [_el("rect", x=x0 - 96, y=y, width=10, height=10, fill="none", stroke=EMPTY_CELL),
             _text(x0 - 80, y + 9, "No target")]
    return [_el("g", *swatches, *ticks, *empty, class_="chart__scale")]
