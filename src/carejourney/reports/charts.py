"""SPC charts as Vega-Lite specifications, rendered to standalone SVG on the server.

`render` builds the specification with Altair and renders it with vl-convert, offline: no
browser, no JavaScript on the page, no fonts or scripts fetched. Checking the specification
against the Vega-Lite schema is switched by `VALIDATE`: off in use, on in the test suite.
The SVG carries its own text alternative (`words.summary`) as its accessible name, and a
`<title>`; the signals in words come with it, so the picture is never the only way to learn
what the chart shows.

What is drawn, bottom to top:
- the centre line (solid) and the limits (dashed), one path per part, so they step where a
  new part starts; the latest part's are labelled at the right with their values. Where a
  part's runs signal as a whole (too few crossings or runs, too many runs) its centre line
  is red and dashed, as qicharts2 draws it, rather than every point being highlighted;
- the target, when set, as a dotted green line, labelled at the right;
- PDSA cycles and other changes (`Marker`) as purple vertical lines, labelled up the line;
- the values as a line, with a symbol per point: points a rule flags (outside the limits,
  in a long run, shift or trend, 2 of 3 near a limit, astronomical) are orange-red
  diamonds (colour AND shape, so colour is never the only cue: WCAG 1.4.1), points left out
  of the calculations are hollow. A legend explains the symbols when there is more than
  one kind.

The x axis is the points' order (an ordinal scale over the 1-based `index`), labelled with
the points' names (`words.point_name`, short form): labels can repeat or be missing, so they
cannot be the scale's values themselves. When there are many points only every 2nd, 3rd,
6th, 12th, ... is labelled.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import altair as alt
import polars as pl
import vl_convert
from altair.utils.schemapi import debug_mode

from carejourney.measures.spc import words
from carejourney.measures.spc.types import SignalKind, SpcResult

# Colours on white, each with a contrast ratio of at least 4.5:1 (WCAG 1.4.11 asks 3:1 for
# graphics, 1.4.3 asks 4.5:1 for the text labels drawn in them): dark blue 8.6:1,
# orange-red 6.5:1, greys 7:1 and 11:1, green 6.1:1, purple 7.4:1.
LINE_COLOUR = "#1d4f91"
SIGNAL_COLOUR = "#b3261e"
LIMIT_COLOUR = "#595959"
CENTRE_COLOUR = "#3b3b3b"
TARGET_COLOUR = "#00703c"
MARKER_COLOUR = "#6a3d9a"
TEXT_COLOUR = "#1a1a1a"

# Whether each specification is checked against the Vega-Lite schema as it is built. Off in
# use: the specifications come from this module's code alone, in the few shapes it builds,
# so checking every one again found nothing new and took about a third of a chart's time
# (jsonschema walking Vega-Lite's schema, ~0.1 s a chart; a report has four, 150 LAs' 600).
# The test suite switches it on (tests/conftest.py), so every chart a test renders, in
# every shape the tests ask for, is still checked; a report's worker processes are given
# the parent's setting (`reports.making`).
VALIDATE = False

# Above this many points, only the points that signal or are left out get a symbol; the
# line still shows every value. At 720 pixels wide, a thousand symbols already overlap
# into a band that hides the line, and 10,000 of them make a multi-megabyte SVG. When more
# than this many points signal as well, the signalling stretches of the line are drawn
# over it, red and thicker, as one path, instead of a symbol each (`_signal_stretches`):
# 11,269 signalling cases of a large LA's front door made a 3 MB SVG that took WeasyPrint
# about 5 seconds to draw in the report's PDF.
MANY_POINTS = 1000

# About how many pixels one x axis label needs ("5 Mar 2019" at 10 px is about 50, and a gap).
LABEL_SPACE = 70
# Steps between labelled points that read naturally for monthly and weekly data.
NICE_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120, 240, 360, 600, 1200, 2400, 6000)
# Line labels closer than this many pixels would overlap (10 px text and a gap).
LABEL_GAP = 12.0

# Signals about a part as a whole, shown by its centre line (red and dashed), not its points.
PART_SIGNALS = (SignalKind.FEW_CROSSINGS, SignalKind.FEW_RUNS, SignalKind.MANY_RUNS)
# The points frame's columns for the rules that flag particular points.
POINT_FLAGS = tuple(kind.value.replace(" ", "_") for kind in SignalKind if kind not in PART_SIGNALS)

# How each point is drawn, by its state (a white fill is a hollow symbol).
STATES = ("point", "signal", "excluded", "excluded signal")
STATE_NAMES = {
    "point": "Point",
    "signal": "Signal: unlikely to be chance",
    "excluded": "Left out of the calculations",
    "excluded signal": "Left out, and a signal",
}
SIGNAL_STATES = (STATE_NAMES["signal"], STATE_NAMES["excluded signal"])
STATE_SHAPES = {
    "point": "circle",
    "signal": "diamond",
    "excluded": "circle",
    "excluded signal": "diamond",
}
STATE_STROKES = {
    "point": LINE_COLOUR,
    "signal": SIGNAL_COLOUR,
    "excluded": LINE_COLOUR,
    "excluded signal": SIGNAL_COLOUR,
}
STATE_FILLS = {
    "point": LINE_COLOUR,
    "signal": SIGNAL_COLOUR,
    "excluded": "white",
    "excluded signal": "white",
}


@dataclass(frozen=True)
class Marker:
    """A PDSA cycle, or any change, drawn on the chart."""

    at: int  # the 1-based index of the point the marker sits at
    label: str  # e.g. "PDSA 2: referral form"


@dataclass(frozen=True)
class RenderedChart:
    """A chart ready to put on a page: the picture and the words that stand in for it."""

    svg: str  # standalone SVG, no external resources
    spec: dict[str, Any]  # the Vega-Lite specification
    text_alternative: str  # words.summary(result)
    result: SpcResult = field(repr=False)

    @cached_property
    def signals_in_words(self) -> tuple[str, ...]:
        """`words.explain(result)`, written the first time it is asked for: a chart of
        thousands of cases can have hundreds of signals, which took 0.45 s to put into
        words for a report section that writes only the first ten."""
        return tuple(words.explain(self.result))


def render(
    result: SpcResult,
    *,
    title: str,
    value_title: str = "Value",
    markers: Sequence[Marker] = (),
    width: int = 720,
    height: int = 300,
) -> RenderedChart:
    """The chart of `result` as standalone, accessible SVG, with its words."""
    text_alternative = words.summary(result)
    spec = _spec(
        result,
        title=title,
        value_title=value_title,
        markers=markers,
        width=width,
        height=height,
        description=text_alternative,
    )
    svg = vl_convert.vegalite_to_svg(
        spec,
        vl_version=vega_lite_version(),
        # No data from anywhere: the specification holds all of it, and a server must not
        # fetch what a chart names (DESIGN.md: no call to any outside service).
        allowed_base_urls=[],
    )
    svg = accessible(svg, title, text_alternative)
    return RenderedChart(
        svg=svg,
        spec=spec,
        text_alternative=text_alternative,
        result=result,
    )


def vega_lite(
    result: SpcResult,
    *,
    title: str,
    value_title: str = "Value",
    markers: Sequence[Marker] = (),
    width: int = 720,
    height: int = 300,
) -> dict[str, Any]:
    """The Vega-Lite specification of the chart, data included (checked against the
    Vega-Lite schema when `VALIDATE` is on)."""
    return _spec(
        result,
        title=title,
        value_title=value_title,
        markers=markers,
        width=width,
        height=height,
        description=words.summary(result),
    )


def _spec(
    result: SpcResult,
    *,
    title: str,
    value_title: str,
    markers: Sequence[Marker],
    width: int,
    height: int,
    description: str,
) -> dict[str, Any]:
    if VALIDATE:
        return _layered(result, title, value_title, markers, width, height, description)
    # Altair also checks each object against the schema as it is made ("debug mode", on by
    # default): the same check as VALIDATE, piecemeal, and as slow.
    with debug_mode(False):
        return _layered(result, title, value_title, markers, width, height, description)


def _layered(
    result: SpcResult,
    title: str,
    value_title: str,
    markers: Sequence[Marker],
    width: int,
    height: int,
    description: str,
) -> dict[str, Any]:
    if not title.strip():
        raise ValueError("A chart needs a title: say what it measures.")
    size = result.points.height
    if size == 0:
        raise ValueError("There are no points to chart.")
    for marker in markers:
        if not 1 <= marker.at <= size:
            raise ValueError(
                f"The marker {marker.label!r} is at point {marker.at}, but the points are "
                f"numbered 1 to {size}."
            )
    rows = _rows(result)
    x = alt.X("index:O", axis=_x_axis(result, width), title=None)
    target = result.options.target
    if target is not None and not math.isfinite(target):
        target = None
    low, high = _y_domain(rows, target)
    # One explicit scale on every layer, its domain fixed here rather than left to Vega,
    # so that `_line_labels` knows where each label will fall and can keep them apart.
    y_scale = alt.Scale(domain=[low, high], nice=False, zero=False)

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", scale=y_scale, title=value_title)

    points = alt.NamedData(name="points")
    steps = alt.NamedData(name="steps")
    layers: list[alt.Chart] = []
    if _has(rows, "cl"):
        centre = _line(steps, x, y("cl"), CENTRE_COLOUR, dash=None, width=1.5)
        if any(row["runs_signal"] for row in rows):
            # A part whose runs signal as a whole has its centre line red AND dashed.
            layers.append(centre.transform_filter("!datum.runs_signal"))
            signal = _line(steps, x, y("cl"), SIGNAL_COLOUR, dash=[8, 4], width=2.0)
            layers.append(signal.transform_filter("datum.runs_signal"))
        else:
            layers.append(centre)
    for column in ("lcl", "ucl"):
        if _has(rows, column):
            layers.append(_line(steps, x, y(column), LIMIT_COLOUR, dash=[6, 4], width=1.2))
    if target is not None:
        layers.append(
            alt.Chart(alt.NamedData(name="target"))
            .mark_rule(color=TARGET_COLOUR, strokeWidth=1.5, strokeDash=[2, 3])
            .encode(y=y("target"))
        )
    line_labels = _line_labels(result, rows, target, (low, high), height)
    for kind, colour in (
        ("line", LIMIT_COLOUR),
        ("signal", SIGNAL_COLOUR),
        ("target", TARGET_COLOUR),
    ):
        if any(label["kind"] == kind for label in line_labels):
            layers.append(
                alt.Chart(alt.NamedData(name="line_labels"))
                .transform_filter(f"datum.kind == {json.dumps(kind)}")
                .mark_text(align="left", baseline="middle", dx=6, fontSize=10, color=colour)
                # In the margin right of the plot, clear of the lines and the grid.
                .encode(x=_x_at(width), y=y("y"), text=alt.Text("text:N"))
            )
    if markers:
        layers.extend(_markers(x, height))
    layers.append(
        alt.Chart(points).mark_line(color=LINE_COLOUR, strokeWidth=1.5).encode(x=x, y=y("value"))
    )
    crowded = _crowded(rows)
    if crowded:
        layers.append(_signal_stretches(points, x, y("signal_value")))
    symbols = _symbols(points, rows, x, y("value"), crowded)
    if symbols is not None:
        layers.append(symbols)

    datasets: dict[str, list[dict[str, Any]]] = {
        "points": rows,
        "steps": _steps(rows),
        "line_labels": line_labels,
        "markers": [{"index": m.at, "label": m.label} for m in markers],
        "target": [{"target": target}] if target is not None else [],
    }
    chart = alt.LayerChart(
        layer=layers,
        # Named datasets at the top: each layer refers to its data by name, so the points
        # are written into the specification once, not once per layer. They are filled in
        # after `to_dict` (below).
        datasets={name: [] for name in datasets},
        title=alt.TitleParams(
            text=title,
            subtitle=_capitalised(words.CHART_NAMES.get(result.options.chart, "chart")),
            anchor="start",
            fontSize=15,
            color=TEXT_COLOUR,
            subtitleFontSize=11,
            subtitleColor=LIMIT_COLOUR,
        ),
        description=description,
        width=width,
        height=height,
        # The configuration given here at once, not by `.configure_*()` calls: each of those
        # copies the whole chart, and Altair deep-copies every layer on each copy.
        config=_config(),
    )
    spec: dict[str, Any] = chart.to_dict(validate=VALIDATE)
    # The records go in after Altair has made (and, in tests, validated) the rest: they are
    # flat records of numbers and strings, which the schema accepts whatever they hold, and
    # validating (and copying) 10,000 of them took Altair 7 seconds; this way, milliseconds.
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def _config() -> alt.Config:
    return alt.Config(
        # The whole SVG is one image named by its text alternative (`accessible`): Vega's own
        # label for every mark ("index: 1; value: 3") would only add noise, and 10,000 of
        # them would double the file.
        # The top-level switch leaves marks, axes and legends with roles but no names, which
        # accessibility checkers flag (axe's svg-img-alt): each is switched off too.
        aria=False,
        mark=alt.MarkConfig(aria=False),
        background="white",
        axis=alt.AxisConfig(
            labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=10, aria=False
        ),
        legend=alt.LegendConfig(labelColor=TEXT_COLOUR, labelFontSize=11, aria=False),
        view=alt.ViewConfig(stroke=None),
    )


def vega_lite_version() -> str | None:
    """The Vega-Lite version Altair validated against ("v6.4"), so the specification is
    compiled by the version it was checked with; vl-convert's latest when it lacks it."""
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return f"v{wanted}" if wanted in vl_convert.get_vegalite_versions() else None


def _rows(result: SpcResult) -> list[dict[str, Any]]:
    """One plain record per point: numbers as floats or None (never NaN, which is not
    JSON), the state that decides how the point is drawn (in the legend's words), and
    whether its part's runs signal as a whole (`runs_signal`)."""
    frame = result.points
    size = frame.height
    # Points highlighted: those a point-level pattern flags. Too few crossings or runs,
    # or too many runs, flag every useful point of a part, which would paint the whole
    # part as a signal and hide what is special; qicharts2 shows those by the centre
    # line instead, and so do we (`runs_signal`), while the words say what happened.
    flagged = [c for c in POINT_FLAGS if c in frame.columns]
    special = (
        frame.select(pl.any_horizontal(flagged).fill_null(False)).to_series().to_list()
        if flagged
        else [False] * size
    )
    whole_part = {s.part for s in result.signals if s.kind in PART_SIGNALS}
    out: list[dict[str, Any]] = []
    columns = ("index", "value", "part", "cl", "lcl", "ucl", "excluded")
    for row, signal in zip(frame.select(columns).iter_rows(named=True), special, strict=True):
        state = ("excluded " if row["excluded"] else "") + ("signal" if signal else "")
        part = int(row["part"])
        out.append(
            {
                "index": int(row["index"]),
                "value": _number(row["value"]),
                "part": part,
                "cl": _number(row["cl"]),
                "lcl": _number(row["lcl"]),
                "ucl": _number(row["ucl"]),
                "state": STATE_NAMES[state.strip() or "point"],
                "runs_signal": part in whole_part,
            }
        )
    return out


STEP_FIELDS = ("index", "part", "cl", "lcl", "ucl", "runs_signal")


def _steps(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the centre line and limits are drawn through: the first and last point of each
    run of points with the same centre, limits and part. A step line through the ends of a
    run draws what it drew through every point of it, and a chart of 11,778 cases' days
    with fixed limits drew three paths of 370 KB each."""
    same = STEP_FIELDS[1:]
    kept = []
    for k, row in enumerate(rows):
        before = rows[k - 1] if k else None
        after = rows[k + 1] if k + 1 < len(rows) else None
        inside = all(
            other is not None and all(other[name] == row[name] for name in same)
            for other in (before, after)
        )
        if not inside:
            kept.append({name: row[name] for name in STEP_FIELDS})
    return kept


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]  # polars gives int or float here
    return number if math.isfinite(number) else None


def _has(rows: Sequence[dict[str, Any]], column: str) -> bool:
    return any(row[column] is not None for row in rows)


def _x_axis(result: SpcResult, width: int) -> alt.Axis:
    """Labels at a natural step (every 1, 2, 3, 6, 12, ... points) so they do not overlap,
    named by `words.point_name`; a lookup expression maps each labelled index to its name."""
    labels = result.points.get_column("label").to_list()
    indices = [int(i) for i in result.points.get_column("index").to_list()]
    most = max(2, width // LABEL_SPACE)
    raw = math.ceil(len(indices) / most)
    step = next((s for s in NICE_STEPS if s >= raw), raw)
    shown = list(range(0, len(indices), step))
    names = [words.point_name(labels[i], indices[i], short=True) for i in shown]
    values = [indices[i] for i in shown]
    return alt.Axis(
        values=values,
        labelExpr=f"{_expression_array(names)}[indexof({_expression_array(values)}, datum.value)]",
        labelAngle=0,
        labelOverlap=True,  # a last guard for unusually long labels
        tickColor=LIMIT_COLOUR,
        domainColor=LIMIT_COLOUR,
        grid=False,
    )


def _expression_array(values: Sequence[str | int]) -> str:
    """A Vega expression array literal: JSON's quoting is valid in Vega expressions."""
    return "[" + ",".join(json.dumps(v) for v in values) + "]"


def _y_domain(rows: Sequence[dict[str, Any]], target: float | None) -> tuple[float, float]:
    """The value axis's range: every value, centre, limit and the target, rounded out to a
    step of 1, 2 or 5 times a power of ten (as Vega's "nice" would: 0 to 100 for
    percentages, not 0 to 120)."""
    found = [r[c] for r in rows for c in ("value", "cl", "lcl", "ucl") if r[c] is not None]
    if target is not None:
        found.append(target)
    if not found:
        return 0.0, 1.0
    low, high = min(found), max(found)
    if high == low:  # one value: a range around it
        spread = abs(high) or 1.0
        low, high = low - spread / 2, high + spread / 2
    step = _nice_step((high - low) / 5)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _nice_step(raw: float) -> float:
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


def _line(
    data: alt.NamedData, x: alt.X, y: alt.Y, colour: str, *, dash: list[int] | None, width: float
) -> alt.Chart:
    """A centre or limit line: one path per part (`detail`), so it steps between parts;
    a step path, so limits that vary with each point's size read as qicharts2 draws them."""
    # Altair types its mark_* methods as returning Any; the annotation keeps the type.
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_line(
            color=colour,
            strokeWidth=width,
            interpolate="step",
            strokeDash=dash if dash is not None else alt.Undefined,
        )
        .encode(x=x, y=y, detail=alt.Detail("part:N"))
    )
    return chart


def _line_labels(
    result: SpcResult,
    rows: Sequence[dict[str, Any]],
    target: float | None,
    domain: tuple[float, float],
    height: int,
) -> list[dict[str, Any]]:
    """Names and values of the latest part's centre and limits, and of the target, for the
    margin right of the chart. Labels that would overlap are moved apart, keeping their order, so
    each sits as near its line as there is room for."""
    last_part = rows[-1]["part"]
    own = [r for r in rows if r["part"] == last_part]
    centre = words.centre_name(result.options.chart).removeprefix("the ")
    labels: list[dict[str, Any]] = []
    for column, name in (("cl", centre), ("lcl", "lower limit"), ("ucl", "upper limit")):
        values = [r[column] for r in own if r[column] is not None]
        last = own[-1][column]
        if not values or last is None:
            continue
        # Limits that vary with each point's size are named without a value.
        same = words.format_number(min(values)) == words.format_number(max(values))
        text = f"{name} {words.format_number(last)}" if same else name
        kind = "signal" if column == "cl" and own[-1]["runs_signal"] else "line"
        labels.append({"kind": kind, "y": last, "text": _capitalised(text)})
    if target is not None:
        text = f"Target {words.format_number(target)}"
        labels.append({"kind": "target", "y": target, "text": text})
    low, high = domain
    gap = LABEL_GAP * (high - low) / height  # in the values' units
    labels.sort(key=lambda label: (label["y"], label["text"]))
    placed = [float(label["y"]) for label in labels]
    for i in range(1, len(placed)):  # push labels up from the lowest...
        placed[i] = max(placed[i], placed[i - 1] + gap)
    ceiling = high
    for i in reversed(range(len(placed))):  # ...then down from the top, to stay on the chart
        placed[i] = min(placed[i], ceiling)
        ceiling = placed[i] - gap
    return [{**label, "y": y} for label, y in zip(labels, placed, strict=True)]


def _markers(x: alt.X, height: int) -> list[alt.Chart]:
    """PDSA cycles and other changes: a vertical line at the point, its label written up
    the line from the top, so markers close together stay readable."""
    data = alt.NamedData(name="markers")
    rule = alt.Chart(data).mark_rule(color=MARKER_COLOUR, strokeWidth=1.2).encode(x=x)
    label = (
        alt.Chart(data)
        .mark_text(
            angle=270,
            align="right",
            baseline="bottom",
            dx=-2,
            dy=-3,
            fontSize=10,
            color=MARKER_COLOUR,
            limit=max(60, height * 2 // 3),  # a long label ends in an ellipsis
        )
        .encode(x=x, y=_y_at(0), text=alt.Text("label:N"))
    )
    return [rule, label]


def _crowded(rows: Sequence[dict[str, Any]]) -> bool:
    """Whether more than MANY_POINTS points signal: then the signalling stretches are
    drawn (`_signal_stretches`) rather than a symbol each."""
    return sum(row["state"] in SIGNAL_STATES for row in rows) > MANY_POINTS


def _signal_stretches(data: alt.NamedData, x: alt.X, y: alt.Y) -> alt.Chart:
    """The stretches of the line where points signal, drawn over it in red and twice as
    thick (so not by colour alone), broken where points do not signal (their value is
    taken as missing, `signal_value`), with a legend."""
    key = STATE_NAMES["signal"]
    signalling = f"indexof({json.dumps(list(SIGNAL_STATES))}, datum.state) >= 0"
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_line(strokeWidth=3, strokeCap="round", invalid="break-paths-show-domains")
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "signal:N",
                scale=alt.Scale(domain=[key], range=[SIGNAL_COLOUR]),
                legend=alt.Legend(orient="bottom", title=None, direction="horizontal"),
            ),
        )
        .transform_calculate(
            signal=json.dumps(key), signal_value=f"{signalling} ? datum.value : null"
        )
    )
    return chart


def _symbols(
    data: alt.NamedData,
    rows: Sequence[dict[str, Any]],
    x: alt.X,
    y: alt.Y,
    crowded: bool = False,
) -> alt.Chart | None:
    """A symbol per point, by state. Only the states present are in the legend, and there
    is no legend when every point is plain. With many points, only points that signal or
    are left out get a symbol (MANY_POINTS); when they are crowded with signals too, only
    points left out that do not signal (the signals are `_signal_stretches`)."""
    many = len(rows) > MANY_POINTS
    drawn = {r["state"] for r in rows}
    hidden = {"point"} if many else set()
    if crowded:
        hidden |= {"signal", "excluded signal"}
    present = [s for s in STATES if STATE_NAMES[s] in drawn and s not in hidden]
    if not present:
        return None  # many points, none of them special: the line says it all
    domain = [STATE_NAMES[s] for s in present]
    legend = (
        alt.Legend(orient="bottom", title=None, direction="horizontal")
        if present != ["point"]
        else None
    )

    def scale(values: dict[str, str]) -> alt.Scale:
        return alt.Scale(domain=domain, range=[values[s] for s in present])

    # Colour, fill and shape share the field and legend, so Vega-Lite draws one legend.
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_point(size=36, opacity=1, strokeWidth=1.5, filled=False)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape("state:N", scale=scale(STATE_SHAPES), legend=legend),
            color=alt.Color("state:N", scale=scale(STATE_STROKES), legend=legend),
            fill=alt.Fill("state:N", scale=scale(STATE_FILLS), legend=legend),
        )
    )
    if hidden:
        shown = json.dumps(domain)
        chart = chart.transform_filter(f"indexof({shown}, datum.state) >= 0")
    return chart


# Fixed positions, in pixels. Not `alt.value(...)`: Altair makes a channel of a plain value
# by trying its schema classes one by one, which took 5 ms a chart.
def _x_at(pixels: float) -> alt.XValue:
    return alt.XValue(pixels)  # type: ignore[no-untyped-call]  # Altair leaves it unannotated


def _y_at(pixels: float) -> alt.YValue:
    return alt.YValue(pixels)  # type: ignore[no-untyped-call]  # Altair leaves it unannotated


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# The root element's start tag; an attribute value may hold '>' only inside quotes.
_SVG_START = re.compile(r"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def accessible(svg: str, title: str, text_alternative: str) -> str:
    """Make the SVG one image named by its text alternative, with a <title> first.

    vl-convert writes neither: Vega puts a specification's description on the web page's
    container element, which a standalone SVG does not have. role="img" and aria-label are
    what screen readers announce for an SVG; <title> is what they and browsers fall back to
    (and show as a tooltip); <desc> keeps the long text in the document itself."""
    match = _SVG_START.search(svg)
    if match is None:
        raise RuntimeError("vl-convert returned something that is not SVG.")
    start = match.group(0)
    label = html.escape(text_alternative, quote=True)
    opened = f'{start[:-1]} role="img" aria-label="{label}">'
    children = (
        f"<title>{html.escape(title, quote=False)}</title>"
        f"<desc>{html.escape(text_alternative, quote=False)}</desc>"
    )
    return svg[: match.start()] + opened + children + svg[match.end() :]
