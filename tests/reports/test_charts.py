"""SPC charts rendered to SVG: well-formed, titled, accessible, self-contained, marked up as
asked (signals, targets, PDSA cycles, parts) and the same every time."""

from __future__ import annotations

import json
import math
import re

import altair as alt
import numpy as np
import pytest
from altair.utils import schemapi
from lxml import etree

from carejourney.measures.spc import words
from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import (
    ChartType,
    Improvement,
    Series,
    Side,
    Signal,
    SignalKind,
    SpcOptions,
    SpcResult,
)
from carejourney.reports import charts
from carejourney.reports.charts import (
    CENTRE_COLOUR,
    LINE_COLOUR,
    MANY_POINTS,
    MARKER_COLOUR,
    SIGNAL_COLOUR,
    TARGET_COLOUR,
    Marker,
    RenderedChart,
    render,
    vega_lite,
)
from tests.measures.spc.test_words import make_points, months, part

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
VALUES = [52, 48, 55, 50, 47, 53, 49, 51, 46, 54, 50, 48, 58, 60, 57, 62, 59, 61, 63, 58, 64, 80]
VALUES += [60, 62, 66, 65, 68, 64, 67, 69]


def control_chart(**options: object) -> SpcResult:
    """30 months on an I chart in two parts: a long run above the mean in part 1, one point
    above the upper limit (left out of the calculations), and a quiet part 2."""
    size = len(VALUES)
    points = make_points(
        VALUES,
        labels=months(size),
        parts=[1] * 24 + [2] * 6,
        cl=[51.0] * 24 + [66.5] * 6,
        lcl=[40.0] * 24 + [60.0] * 6,
        ucl=[62.0] * 24 + [73.0] * 6,
        flags={"long_run": range(13, 25), "outside_limits": [22]},
        excluded=[22],
    )
    return SpcResult(
        options=SpcOptions(chart=ChartType.I, parts=(24,), **options),  # type: ignore[arg-type]
        points=points,
        parts=(part(1, 1, 24, cl=51.0), part(2, 25, 30, cl=66.5)),
        signals=(
            Signal(SignalKind.LONG_RUN, 1, 13, 24, Side.ABOVE, 12),
            Signal(SignalKind.OUTSIDE_LIMITS, 1, 22, 22, Side.ABOVE),
        ),
    )


def run_chart(size: int = 24, *, signals: tuple[int, ...] = ()) -> SpcResult:
    values = [10.0 + (i % 5) for i in range(size)]
    points = make_points(
        values, labels=months(size), cl=12.0, flags={"long_run": signals} if signals else None
    )
    return SpcResult(options=SpcOptions(), points=points, parts=(part(last=size, cl=12.0),))


@pytest.fixture(scope="module")
def chart() -> RenderedChart:
    return render(
        control_chart(target=65.0, improvement=Improvement.UP),
        title="Permanence recommendation within 30 weeks (%)",
        value_title="Per cent",
        markers=[Marker(13, "PDSA 1: tracker meeting"), Marker(20, "PDSA 2: referral form")],
    )


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in parse(svg).iter(f"{SVG}text")]


def lines(svg: str, colour: str) -> list[etree._Element]:
    """Rules (target, markers) drawn in `colour`."""
    return [e for e in parse(svg).iter(f"{SVG}line") if e.get("stroke") == colour]


def symbols(svg: str) -> list[etree._Element]:
    """The points' symbols (not the legend's)."""
    root = parse(svg)
    return [
        path
        for group in root.iter(f"{SVG}g")
        if "mark-symbol role-mark" in (group.get("class") or "")
        for path in group.iter(f"{SVG}path")
    ]


def test_the_svg_is_well_formed_and_titled(chart: RenderedChart) -> None:
    root = parse(chart.svg)
    assert root.tag == f"{SVG}svg"
    first = root[0]
    assert first.tag == f"{SVG}title"
    assert first.text == "Permanence recommendation within 30 weeks (%)"
    assert "Permanence recommendation within 30 weeks (%)" in texts(chart.svg)


def test_the_svg_is_one_image_named_by_its_text_alternative(chart: RenderedChart) -> None:
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == chart.text_alternative
    assert root.find(f"{SVG}desc") is not None
    assert root.find(f"{SVG}desc").text == chart.text_alternative  # type: ignore[union-attr]
    result = control_chart(target=65.0, improvement=Improvement.UP)
    assert chart.text_alternative == words.summary(result)
    assert chart.signals_in_words == tuple(words.explain(result))
    assert chart.spec["description"] == chart.text_alternative


def test_the_svg_refers_to_nothing_outside_itself(chart: RenderedChart) -> None:
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", chart.svg))
    assert urls <= NAMESPACES
    assert "href" not in chart.svg
    assert "<image" not in chart.svg
    assert "@import" not in chart.svg
    assert "<script" not in chart.svg


def test_markers_are_drawn_with_their_labels(chart: RenderedChart) -> None:
    drawn = texts(chart.svg)
    assert "PDSA 1: tracker meeting" in drawn
    assert "PDSA 2: referral form" in drawn
    assert len(lines(chart.svg, MARKER_COLOUR)) == 2


def test_the_target_is_drawn_and_labelled_when_set(chart: RenderedChart) -> None:
    assert "Target 65" in texts(chart.svg)
    assert len(lines(chart.svg, TARGET_COLOUR)) == 1
    without = render(control_chart(), title="No target")
    assert not any(t.startswith("Target") for t in texts(without.svg))
    assert lines(without.svg, TARGET_COLOUR) == []


def test_the_centre_and_limits_are_labelled_for_the_latest_part(chart: RenderedChart) -> None:
    drawn = texts(chart.svg)
    assert {"Mean 66.5", "Lower limit 60", "Upper limit 73"} <= set(drawn)


def test_signals_are_drawn_in_the_signal_colour_and_another_shape(
    chart: RenderedChart,
) -> None:
    drawn = symbols(chart.svg)
    assert len(drawn) == len(VALUES)
    signalling = [p for p in drawn if p.get("stroke") == SIGNAL_COLOUR]
    plain = [p for p in drawn if p.get("stroke") == LINE_COLOUR]
    assert len(signalling) == 12  # the long run, including the point above the limit
    assert len(plain) == len(VALUES) - 12
    # Not colour alone: signals are a different shape (path) from plain points.
    assert {p.get("d") for p in signalling}.isdisjoint({p.get("d") for p in plain})


def test_points_left_out_are_hollow(chart: RenderedChart) -> None:
    hollow = [p for p in symbols(chart.svg) if p.get("fill") == "white"]
    assert len(hollow) == 1
    assert hollow[0].get("stroke") == SIGNAL_COLOUR  # point 22 is left out and signals
    assert "Left out, and a signal" in texts(chart.svg)  # and the legend says so


def test_the_centre_line_steps_between_parts(chart: RenderedChart) -> None:
    centre_paths = [
        p for p in parse(chart.svg).iter(f"{SVG}path") if p.get("stroke") == CENTRE_COLOUR
    ]
    assert len(centre_paths) == 2  # one per part


def test_the_spec_is_valid_vega_lite(chart: RenderedChart) -> None:
    alt.LayerChart.from_dict(chart.spec, validate=True)  # raises if it is not
    json.dumps(chart.spec, allow_nan=False)  # and it is plain JSON, with no NaN


def test_rendering_is_deterministic() -> None:
    result = control_chart(target=65.0)
    markers = [Marker(13, "PDSA 1")]
    first = render(result, title="Same", markers=markers)
    second = render(result, title="Same", markers=markers)
    assert first.svg == second.svg
    assert first.spec == second.spec


def test_a_run_chart_has_a_median_and_no_limits() -> None:
    rendered = render(run_chart(), title="Run chart", value_title="Days")
    drawn = texts(rendered.svg)
    assert "Median 12" in drawn
    assert not any("limit" in t for t in drawn)
    assert "Days" in drawn  # the value axis's title
    # Every point plain: no legend to explain one kind of symbol.
    assert "Point" not in drawn


def test_missing_values_and_nan_become_null() -> None:
    result = run_chart(12)
    points = result.points.with_columns(
        value=result.points.get_column("value").scatter(3, None),
        lcl=result.points.get_column("lcl").fill_null(math.nan),
    )
    spec = vega_lite(SpcResult(result.options, points, result.parts), title="Gaps")
    rows = spec["datasets"]["points"]
    assert rows[3]["value"] is None
    assert all(row["lcl"] is None for row in rows)
    json.dumps(spec, allow_nan=False)
    alt.LayerChart.from_dict(spec, validate=True)


def test_x_axis_labels_are_thinned_and_name_months() -> None:
    rendered = render(run_chart(120), title="Ten years")
    drawn = texts(rendered.svg)
    assert "Jan 2019" in drawn and "Jan 2020" in drawn and "Jan 2028" in drawn
    assert "Feb 2019" not in drawn


def test_points_without_labels_are_numbered() -> None:
    points = make_points([1.0, 2.0, 3.0, 2.0], cl=2.0)
    result = SpcResult(SpcOptions(), points, (part(last=4, cl=2.0),))
    assert {"1", "2", "3", "4"} <= set(texts(render(result, title="Four").svg))


def test_many_points_draw_symbols_only_where_they_signal() -> None:
    size = 10_000
    values = [50.0 + 5 * math.sin(i / 7) for i in range(size)]
    points = make_points(
        values, cl=50.0, lcl=40.0, ucl=60.0, flags={"outside_limits": [100, 5000, 9999]}
    )
    result = SpcResult(SpcOptions(chart=ChartType.I), points, (part(last=size, cl=50.0),))
    rendered = render(result, title="Ten thousand points")
    assert size > MANY_POINTS
    assert len(symbols(rendered.svg)) == 3
    assert all(p.get("stroke") == SIGNAL_COLOUR for p in symbols(rendered.svg))


def test_when_thousands_of_points_signal_their_stretches_are_drawn_not_a_symbol_each() -> None:
    size = 6_000
    values = [50.0 + 5 * math.sin(i / 7) for i in range(size)]
    signalling = [*range(1, 2_001), *range(3_001, 3_501), 4_000]  # 1-based, as `index`
    points = make_points(
        values,
        cl=50.0,
        lcl=40.0,
        ucl=60.0,
        flags={"long_run": signalling},
        excluded=[5_500],
    )
    result = SpcResult(SpcOptions(chart=ChartType.I), points, (part(last=size, cl=50.0),))
    rendered = render(result, title="Six thousand points")
    alt.LayerChart.from_dict(rendered.spec, validate=True)
    # No symbol per signal: one red path over the line, broken between the stretches...
    assert [p.get("fill") for p in symbols(rendered.svg)] == ["white"]  # the point left out
    red = [
        p
        for p in parse(rendered.svg).iter(f"{SVG}path")
        if p.get("stroke") == SIGNAL_COLOUR and len(p.get("d") or "") > 1_000
    ]
    assert len(red) == 1 and red[0].get("stroke-width") == "3"  # twice the line: not colour alone
    assert (red[0].get("d") or "").count("M") == 3
    # ...and named in the legend.
    assert "Signal: unlikely to be chance" in texts(rendered.svg)
    assert len(rendered.svg) < 400_000


@pytest.mark.parametrize(
    ("limits", "kept"),
    [
        # index: (part, cl, lcl, ucl): a run keeps its two ends
        ([(1, 5.0, 1.0, 9.0)] * 5, [1, 5]),
        ([(1, 5.0, 1.0, 9.0)] * 3 + [(2, 6.0, 2.0, 10.0)] * 3, [1, 3, 4, 6]),
        # limits that vary with each point keep every point
        ([(1, 5.0, 1.0, 9.0), (1, 5.0, 2.0, 8.0), (1, 5.0, 1.5, 8.5)], [1, 2, 3]),
        ([(1, 5.0, None, 9.0)] * 2 + [(1, 5.0, 1.0, 9.0)], [1, 2, 3]),
        ([(1, 5.0, 1.0, 9.0)], [1]),
    ],
)
def test_the_centre_and_limits_are_drawn_through_the_ends_of_each_run(
    limits: list[tuple[int, float, float | None, float]], kept: list[int]
) -> None:
    rows = [
        {"index": k, "part": p, "cl": cl, "lcl": lcl, "ucl": ucl, "runs_signal": False, "value": 1}
        for k, (p, cl, lcl, ucl) in enumerate(limits, start=1)
    ]
    steps = charts._steps(rows)
    assert [row["index"] for row in steps] == kept
    assert all(set(row) == set(charts.STEP_FIELDS) for row in steps)


def test_a_chart_needs_a_title_and_markers_on_the_chart() -> None:
    with pytest.raises(ValueError, match="needs a title"):
        render(run_chart(), title=" ")
    with pytest.raises(ValueError, match="numbered 1 to 24"):
        render(run_chart(), title="Markers", markers=[Marker(25, "PDSA 9")])


def test_titles_and_labels_are_escaped() -> None:
    rendered = render(
        run_chart(), title='Fish & chips <per> "child"', markers=[Marker(3, "A < B & C")]
    )
    root = parse(rendered.svg)
    assert root[0].text == 'Fish & chips <per> "child"'
    assert "A < B & C" in texts(rendered.svg)


def test_a_result_from_the_spc_engine_renders() -> None:
    y = np.array([50.0, 47, 52, 49, 51, 48, 50, 53, 46, 51, 49, 50, 58, 60, 57, 61, 59, 62])
    labels = tuple(f"{2019 + i // 12}-{i % 12 + 1:02d}-01" for i in range(y.size))
    result = spc(Series(y=y, labels=labels), SpcOptions(chart=ChartType.I, target=55.0))
    rendered = render(result, title="From the engine", markers=[Marker(13, "PDSA 1")])
    assert parse(rendered.svg).get("aria-label") == words.summary(result)
    assert rendered.signals_in_words == tuple(words.explain(result))
    assert rendered.text_alternative.startswith(
        "A control chart of individual values (I chart) of 18 points, from January 2019 "
        "to June 2020."
    )
    assert "Target 55" in texts(rendered.svg)


def test_a_part_whose_runs_signal_has_a_red_dashed_centre_line() -> None:
    # Too few crossings flag every useful point of the part; the chart shows it by the
    # centre line instead of painting every point as a signal.
    size = 24
    points = make_points(
        [10.0 + (i >= 12) * 4 for i in range(size)],
        labels=months(size),
        cl=12.0,
        flags={"few_crossings": range(1, size + 1)},
    )
    result = SpcResult(
        options=SpcOptions(),
        points=points,
        parts=(part(last=size, cl=12.0, crossings=1, crossings_min=8),),
        signals=(Signal(SignalKind.FEW_CROSSINGS, 1, 1, size, length=1, expected=8),),
    )
    rendered = render(result, title="Few crossings")
    centre = [p for p in parse(rendered.svg).iter(f"{SVG}path") if p.get("stroke") == SIGNAL_COLOUR]
    assert len(centre) == 1
    assert centre[0].get("stroke-dasharray")
    assert not [p for p in symbols(rendered.svg) if p.get("stroke") == SIGNAL_COLOUR]
    assert "Median 12" in texts(rendered.svg)


def test_the_schema_is_checked_in_tests_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert charts.VALIDATE  # tests/conftest.py: every chart the tests render is checked
    result = control_chart(target=65.0)
    markers = [Marker(13, "PDSA 1")]
    checked = render(result, title="Checked", markers=markers)
    monkeypatch.setattr(charts, "VALIDATE", False)
    unchecked = render(result, title="Checked", markers=markers)
    assert (unchecked.spec, unchecked.svg) == (checked.spec, checked.svg)
    # Altair's own checking as objects are made is switched back on afterwards.
    assert schemapi.DEBUG_MODE
