"""Signals in plain words: each kind of signal, dates, the "no signals" wording, the median
on run charts, the text alternative and Making Data Count's icons.

Results are built by hand (`make_result`) so each case reads as the chart it describes."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest

from carejourney.measures.spc.types import (
    AssuranceIcon,
    ChartType,
    Improvement,
    PartSummary,
    RuleSetName,
    Side,
    Signal,
    SignalKind,
    SpcOptions,
    SpcResult,
    VariationIcon,
)
from carejourney.measures.spc.words import (
    count_sentences,
    describe_icons,
    explain,
    format_number,
    point_name,
    summary,
)

FLAGS = tuple(kind.value.replace(" ", "_") for kind in SignalKind)


def months(count: int, start_year: int = 2019, start_month: int = 1) -> list[str]:
    """ISO dates of the 1st of `count` months in a row."""
    out = []
    for i in range(count):
        year, month = divmod(start_month - 1 + i, 12)
        out.append(f"{start_year + year}-{month + 1:02d}-01")
    return out


def make_points(
    values: Sequence[float],
    *,
    labels: Sequence[str | None] | None = None,
    parts: Sequence[int] | None = None,
    cl: float | Sequence[float | None] | None = None,
    lcl: float | Sequence[float | None] | None = None,
    ucl: float | Sequence[float | None] | None = None,
    flags: dict[str, Sequence[int]] | None = None,
    excluded: Sequence[int] = (),
) -> pl.DataFrame:
    """A points frame with every column an SpcResult has; flags map a rule's column to the
    1-based indices it flags."""
    size = len(values)

    def column(value: float | Sequence[float | None] | None) -> list[float | None]:
        if value is None or isinstance(value, float | int):
            return [None if value is None else float(value)] * size
        return [None if v is None else float(v) for v in value]

    flagged = {name: [False] * size for name in FLAGS}
    for name, indices in (flags or {}).items():
        for i in indices:
            flagged[name][i - 1] = True
    frame = pl.DataFrame(
        {
            "index": list(range(1, size + 1)),
            "label": list(labels) if labels is not None else [None] * size,
            "y": [float(v) for v in values],
            "n": [None] * size,
            "value": [float(v) for v in values],
            "part": list(parts) if parts is not None else [1] * size,
            "baseline": [True] * size,
            "excluded": [i + 1 in excluded for i in range(size)],
            "cl": column(cl),
            "lcl": column(lcl),
            "ucl": column(ucl),
            "lcl_2sigma": [None] * size,
            "ucl_2sigma": [None] * size,
            **flagged,
        },
        schema_overrides={
            "index": pl.Int64,
            "label": pl.String,
            "n": pl.Float64,
            "part": pl.Int64,
            "cl": pl.Float64,
            "lcl": pl.Float64,
            "ucl": pl.Float64,
            "lcl_2sigma": pl.Float64,
            "ucl_2sigma": pl.Float64,
        },
    )
    return frame.with_columns(signal=pl.any_horizontal(FLAGS))


def part(
    number: int = 1,
    first: int = 1,
    last: int = 24,
    *,
    cl: float = 10.0,
    useful: int | None = None,
    crossings: int = 11,
    crossings_min: int = 8,
    runs_signal: bool = False,
) -> PartSummary:
    return PartSummary(
        part=number,
        first=first,
        last=last,
        cl=cl,
        n_obs=last - first + 1,
        n_useful=useful if useful is not None else last - first + 1,
        longest_run=4,
        longest_run_max=8,
        n_crossings=crossings,
        n_crossings_min=crossings_min,
        runs_signal=runs_signal,
        n_runs=crossings + 1,
    )


def make_result(
    points: pl.DataFrame,
    *signals: Signal,
    parts: Sequence[PartSummary] | None = None,
    **options: object,
) -> SpcResult:
    last = points.height
    return SpcResult(
        options=SpcOptions(**options),  # type: ignore[arg-type]
        points=points,
        parts=tuple(parts) if parts is not None else (part(last=last),),
        signals=signals,
    )


# Naming points.


@pytest.mark.parametrize(
    ("label", "index", "expected"),
    [
        ("2019-03-01", 3, "March 2019"),
        ("2019-03-05", 3, "5 March 2019"),
        ("2020-09-01T00:00:00", 1, "September 2020"),
        ("Team A", 4, "Team A"),
        (None, 7, "point 7"),
        ("", 7, "point 7"),
        ("2019-13-01", 2, "2019-13-01"),
        # Written day first, a date is always a day (a child's due date), never a month.
        ("01/03/2019", 3, "1 March 2019"),
        ("29/01/2023", 3, "29 January 2023"),
    ],
)
def test_points_are_named_by_their_labels(label: str | None, index: int, expected: str) -> None:
    assert point_name(label, index) == expected


def test_short_names_for_axis_labels() -> None:
    assert point_name("2019-03-01", 3, short=True) == "Mar 2019"
    assert point_name("2019-03-05", 3, short=True) == "5 Mar 2019"
    assert point_name(None, 7, short=True) == "7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.5, "12.5"), (12.0, "12"), (0.4251, "0.425"), (1234.4, "1,234"), (3.14159, "3.14")],
)
def test_numbers_are_written_plainly(value: float, expected: str) -> None:
    assert format_number(value) == expected


# Each kind of signal.


def test_a_long_run_on_a_run_chart_is_a_shift_above_the_median() -> None:
    points = make_points([12.0] * 24, labels=months(24), cl=10.0, flags={"long_run": range(3, 11)})
    result = make_result(
        points, Signal(SignalKind.LONG_RUN, part=1, first=3, last=10, side=Side.ABOVE, length=8)
    )
    assert explain(result) == [
        "8 points in a row above the median from March 2019 to October 2019: a shift — "
        "this is unlikely to be chance."
    ]


def test_few_crossings_names_the_count_and_what_chance_would_give() -> None:
    points = make_points([10.0] * 32, labels=months(32), cl=10.0)
    result = make_result(
        points,
        Signal(SignalKind.FEW_CROSSINGS, part=1, first=1, last=32, length=6, expected=11),
        parts=[part(last=32, crossings=6, crossings_min=11)],
    )
    assert explain(result) == [
        "The line crosses the median only 6 times in 32 points (at least 11 would be "
        "expected by chance): the process has probably changed."
    ]


def test_one_point_above_the_upper_limit() -> None:
    values = [10.0] * 24
    values[20] = 25.0
    points = make_points(
        values,
        labels=months(24),
        cl=10.0,
        lcl=4.0,
        ucl=16.0,
        flags={"outside_limits": [21]},
    )
    result = make_result(
        points,
        Signal(SignalKind.OUTSIDE_LIMITS, part=1, first=21, last=21, side=Side.ABOVE),
        chart=ChartType.I,
    )
    assert explain(result) == [
        "1 point above the upper limit (September 2020): unlikely to be chance — "
        "look for a special cause."
    ]


def test_points_outside_the_limits_find_their_side_when_the_signal_does_not_say() -> None:
    values = [10.0] * 24
    values[4] = values[9] = 1.0
    points = make_points(values, cl=10.0, lcl=4.0, ucl=16.0, flags={"outside_limits": [5, 10]})
    result = make_result(
        points, Signal(SignalKind.OUTSIDE_LIMITS, part=1, first=5, last=10), chart=ChartType.I
    )
    assert explain(result) == [
        "2 points below the lower limit (point 5 and point 10): unlikely to be chance — "
        "look for a special cause."
    ]


def test_a_trend_going_down_with_days_as_labels() -> None:
    labels = [f"2021-05-{day:02d}" for day in range(1, 25)]
    points = make_points([10.0] * 24, labels=labels, cl=10.0, flags={"trend": range(4, 9)})
    result = make_result(
        points,
        Signal(SignalKind.TREND, part=1, first=4, last=8, side=Side.BELOW, length=5),
        rules=RuleSetName.IHI,
    )
    assert explain(result) == [
        "5 points in a row going down from 4 May 2021 to 8 May 2021: a trend — "
        "this is unlikely to be chance."
    ]


def test_too_many_and_too_few_runs() -> None:
    points = make_points([10.0] * 20, labels=months(20), cl=10.0)
    many = make_result(
        points,
        Signal(SignalKind.MANY_RUNS, part=1, first=1, last=20, length=17, expected=15),
        parts=[part(last=20)],
        rules=RuleSetName.IHI,
    )
    assert explain(many) == [
        "Too many runs: 17 runs of points on one side of the median in 20 points (no more "
        "than 15 would be expected by chance): the values swap sides more often than chance "
        "would — check whether the data mix two sources or processes."
    ]
    few = make_result(
        points,
        Signal(SignalKind.FEW_RUNS, part=1, first=1, last=20, length=4, expected=6),
        parts=[part(last=20)],
        rules=RuleSetName.IHI,
    )
    assert explain(few) == [
        "Too few runs: only 4 runs of points on one side of the median in 20 points (at "
        "least 6 would be expected by chance): the process has probably changed."
    ]


def test_only_the_first_sentences_are_written_when_asked() -> None:
    points = make_points([10.0] * 20, labels=months(20), cl=10.0)
    result = make_result(
        points,
        Signal(SignalKind.MANY_RUNS, part=1, first=1, last=20, length=17, expected=15),
        Signal(SignalKind.FEW_RUNS, part=1, first=1, last=20, length=4, expected=6),
        parts=[part(last=20)],
        rules=RuleSetName.IHI,
    )
    every = explain(result)
    assert len(every) == count_sentences(result) == 2
    assert explain(result, limit=1) == every[:1]
    assert explain(result, limit=5) == every


def test_two_of_three_near_a_limit_on_a_control_chart_says_the_mean() -> None:
    points = make_points(
        [10.0] * 24, labels=months(24), cl=10.0, lcl=4.0, ucl=16.0, flags={"two_of_three": [6, 8]}
    )
    result = make_result(
        points,
        Signal(SignalKind.TWO_OF_THREE, part=1, first=6, last=8, side=Side.ABOVE),
        chart=ChartType.I,
        rules=RuleSetName.MDC,
    )
    assert explain(result) == [
        "2 of 3 points in a row close to the upper limit (more than two thirds of the way "
        "from the mean to it) from June 2019 to August 2019: an early warning — this is "
        "unlikely to be chance."
    ]


def test_an_astronomical_point() -> None:
    points = make_points([10.0] * 24, cl=10.0, flags={"astronomical_point": [7]})
    result = make_result(
        points,
        Signal(SignalKind.ASTRONOMICAL, part=1, first=7, last=7),
        rules=RuleSetName.IHI,
        astronomical=(7,),
    )
    assert explain(result) == [
        "Point 7 was marked as obviously different from the rest (an astronomical point): "
        "unlikely to be chance — look for a special cause."
    ]


def test_a_shift_on_a_p_chart_is_about_the_centre_line() -> None:
    points = make_points([0.5] * 24, labels=months(24), cl=0.4, lcl=0.1, ucl=0.7)
    result = make_result(
        points,
        Signal(SignalKind.SHIFT, part=1, first=1, last=7, side=Side.BELOW, length=7),
        chart=ChartType.P,
        rules=RuleSetName.MDC,
    )
    assert explain(result)[0].startswith(
        "7 points in a row below the centre line from January 2019 to July 2019: a shift"
    )


# Improvement and concern.


def test_a_shift_in_the_better_direction_is_an_improvement() -> None:
    points = make_points([12.0] * 24, labels=months(24), cl=10.0)
    result = make_result(
        points,
        Signal(SignalKind.LONG_RUN, part=1, first=3, last=10, side=Side.ABOVE, length=8),
        improvement=Improvement.UP,
    )
    assert explain(result) == [
        "8 points in a row above the median from March 2019 to October 2019: a shift — "
        "this is unlikely to be chance; as higher is better, this is an improvement."
    ]


def test_a_point_above_the_limit_when_lower_is_better_is_a_concern() -> None:
    points = make_points(
        [10.0] * 24, labels=months(24), cl=10.0, lcl=4.0, ucl=16.0, flags={"outside_limits": [21]}
    )
    result = make_result(
        points,
        Signal(SignalKind.OUTSIDE_LIMITS, part=1, first=21, last=21, side=Side.ABOVE),
        chart=ChartType.I,
        improvement=Improvement.DOWN,
    )
    assert explain(result)[0].endswith("; as lower is better, this is a concern.")


# No signals, and too few points to judge.


def test_no_signals_says_so_honestly() -> None:
    points = make_points([10.0] * 24, labels=months(24), cl=10.0)
    assert explain(make_result(points)) == [
        "No signals: the variation in these 24 points is what chance alone would produce "
        "(common cause variation)."
    ]


def test_each_part_is_judged_on_its_own() -> None:
    points = make_points([10.0] * 30, labels=months(30), cl=10.0, parts=[1] * 24 + [2] * 6)
    result = make_result(points, parts=[part(1, 1, 24), part(2, 25, 30)])
    assert explain(result) == [
        "No signals from January 2019 to December 2020 (part 1): the variation in these "
        "24 points is what chance alone would produce (common cause variation).",
        "No signals yet from January 2021 to June 2021 (part 2): with only 6 points the runs "
        "rules cannot judge whether anything has changed (they need at least 10).",
    ]


def test_too_few_points_on_a_control_chart_mentions_the_limits() -> None:
    points = make_points([10.0] * 8, cl=10.0, lcl=4.0, ucl=16.0)
    result = make_result(points, parts=[part(last=8)], chart=ChartType.I)
    assert explain(result) == [
        "No point is outside the limits, but with only 8 points the runs rules cannot judge "
        "yet whether anything has changed (they need at least 10)."
    ]


def test_points_on_the_median_do_not_count_as_useful() -> None:
    points = make_points([10.0] * 12, cl=10.0)
    result = make_result(points, parts=[part(last=12, useful=7)])
    assert explain(result) == [
        "No signals yet: with only 7 points off the median the runs rules cannot judge "
        "whether anything has changed (they need at least 10)."
    ]


def test_signals_are_given_part_by_part_in_time_order() -> None:
    points = make_points([10.0] * 40, labels=months(40), cl=10.0, parts=[1] * 20 + [2] * 20)
    later = Signal(SignalKind.LONG_RUN, part=2, first=25, last=33, side=Side.BELOW, length=9)
    earlier = Signal(SignalKind.LONG_RUN, part=1, first=2, last=10, side=Side.ABOVE, length=9)
    result = make_result(points, later, earlier, parts=[part(1, 1, 20), part(2, 21, 40)])
    sentences = explain(result)
    assert len(sentences) == 2
    assert "from February 2019 to October 2019" in sentences[0]
    assert "below the median from January 2021 to September 2021" in sentences[1]


# The text alternative.


def test_summary_of_a_run_chart() -> None:
    points = make_points([12.0] * 24, labels=months(24), cl=10.5)
    result = make_result(
        points,
        Signal(SignalKind.LONG_RUN, part=1, first=3, last=10, side=Side.ABOVE, length=8),
        parts=[part(last=24, cl=10.5)],
        target=15.0,
        improvement=Improvement.UP,
    )
    assert summary(result) == (
        "A run chart of 24 points, from January 2019 to December 2020. Median 10.5. "
        "The target is 15. Higher is better. "
        "1 signal: a shift above the median from March 2019 to October 2019."
    )


def test_summary_of_a_control_chart_in_two_parts() -> None:
    points = make_points(
        [10.0] * 30,
        labels=months(30),
        parts=[1] * 20 + [2] * 10,
        cl=[10.0] * 20 + [8.0] * 10,
        lcl=[4.0] * 20 + [3.0] * 10,
        ucl=[16.0] * 20 + [13.0] * 10,
    )
    result = SpcResult(
        options=SpcOptions(chart=ChartType.I, parts=(20,), freeze=12),
        points=points,
        parts=(part(1, 1, 20, cl=10.0), part(2, 21, 30, cl=8.0)),
    )
    assert summary(result) == (
        "A control chart of individual values (I chart) of 30 points, from January 2019 to "
        "June 2021. Part 1, from January 2019 to August 2020 (20 points): mean 10, lower "
        "limit 4, upper limit 16. Part 2, from September 2020 to June 2021 (10 points): "
        "mean 8, lower limit 3, upper limit 13. The centre line and limits of the first part "
        "come from the first 12 points (the baseline) and are extended over the points "
        "after them. There are no signals."
    )


def test_summary_of_a_frozen_baseline_on_a_run_chart() -> None:
    points = make_points([10.0] * 24, labels=months(24), cl=10.0)
    assert (
        "The centre line comes from the first 12 points (the baseline) and is extended over "
        "the points after them." in summary(make_result(points, freeze=12))
    )


def test_summary_lists_at_most_five_signals() -> None:
    points = make_points([10.0] * 24, cl=10.0, lcl=4.0, ucl=16.0)
    signals = [
        Signal(SignalKind.OUTSIDE_LIMITS, part=1, first=i, last=i, side=Side.ABOVE)
        for i in range(1, 8)
    ]
    text = summary(make_result(points, *signals, chart=ChartType.I))
    assert text.endswith(
        "7 signals: 1 point above the upper limit at point 1; "
        "1 point above the upper limit at point 2; 1 point above the upper limit at point 3; "
        "1 point above the upper limit at point 4; 1 point above the upper limit at point 5; "
        "and 2 more."
    )


def test_summary_of_varying_limits_and_left_out_points() -> None:
    points = make_points([0.5] * 12, cl=0.5, lcl=[0.2, 0.3] * 6, ucl=[0.8, 0.7] * 6, excluded=[4])
    result = make_result(points, parts=[part(last=12, cl=0.5)], chart=ChartType.P)
    text = summary(result)
    assert "Centre line 0.5, lower limit between 0.2 and 0.3 (it varies" in text
    assert "1 point is left out of the calculations (drawn hollow)." in text


# Making Data Count's icons.


def test_icons_in_words() -> None:
    points = make_points([10.0] * 24, cl=10.0, lcl=4.0, ucl=16.0)
    result = SpcResult(
        options=SpcOptions(chart=ChartType.I, target=20.0, improvement=Improvement.UP),
        points=points,
        parts=(part(),),
        variation=VariationIcon.COMMON,
        assurance=AssuranceIcon.FAIL,
    )
    assert describe_icons(result) == [
        "Common cause variation: the latest point shows no signal; the process is behaving "
        "as it has been.",
        "Assurance: the target (20) lies outside the limits on the wrong side, so the "
        "process will not meet it without a change to how the work is done.",
    ]


def test_no_icons_no_words() -> None:
    assert describe_icons(make_result(make_points([1.0] * 12))) == []


def test_improvement_icon_names_the_direction() -> None:
    points = make_points([10.0] * 24, cl=10.0, lcl=4.0, ucl=16.0)
    result = SpcResult(
        options=SpcOptions(chart=ChartType.I, improvement=Improvement.DOWN),
        points=points,
        parts=(part(),),
        variation=VariationIcon.IMPROVEMENT,
    )
    assert describe_icons(result) == [
        "Special cause variation — improvement: the latest point is part of a signal in "
        "the better direction (lower is better)."
    ]


def test_a_short_part_with_a_point_outside_the_limits_still_says_runs_cannot_judge() -> None:
    points = make_points([10.0] * 8, cl=10.0, lcl=4.0, ucl=16.0, flags={"outside_limits": [8]})
    result = make_result(
        points,
        Signal(SignalKind.OUTSIDE_LIMITS, part=1, first=8, last=8, side=Side.ABOVE),
        parts=[part(last=8)],
        chart=ChartType.I,
    )
    assert explain(result) == [
        "1 point above the upper limit (point 8): unlikely to be chance — look for a special "
        "cause.",
        "With only 8 points, the runs rules cannot judge yet whether anything else has "
        "changed (they need at least 10).",
    ]
