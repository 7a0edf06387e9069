"""Indicators beside audits: placement stability and re-referrals over time, each against
the LA's benchmarks, flagged when its trend signals in the worse direction.

Coventry's QA framework (section 5): "the trend of an indicator is often the first sign that
there may be problems relating to the quality of practice" — a rising re-referral rate, more
children with 3 or more placements — and an audit then tests the hypothesis. This module
gives each indicator's series, its latest value against the benchmarks the LA keeps in
`config/indicators.toml`, and a p chart of the series (Anhøj's rules) whose current signal,
if any, is put in words with the audit to consider.

The series (`IndicatorSeries.points`: period_end, numerator, denominator, percent):

- Placement stability (`measures.stability.stability`, the DfE's three measures) at each
  month-end or quarter-end (31 March, 30 June, 30 September, 31 December) up to `as_at`,
  for the year (two years, two and a half) ending that day. A point is charted only when
  the whole window it looks back over lies inside the data loaded (returns say nothing
  about placements before their first collection year), as in the report's stability
  section. Neighbouring points share most of their children, so runs signal more easily
  than on independent points: `caution` says so.
- Re-referrals within 12 months: referrals in each month or quarter, and how many were
  within 12 months of an earlier referral of the same child (the DfE CIN census
  definition), from the demand measures (`measures.demand.referrals`, imported only when
  demand data are given); with no demand data loaded the indicator is "not available".

The latest value is the last point. "Current" signals are those that reach the latest point
(a run, trend or point outside the limits that includes it, or too few crossings with the
latest point on one side): an old signal that has ended is listed in the chart's words but
does not flag the indicator.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from carejourney.config.indicators import (
    INDICATOR_TITLES,
    Benchmark,
    BenchmarkKind,
    IndicatorKey,
    IndicatorSetting,
    IndicatorSettings,
)
from carejourney.journeys.stored import Journeys
from carejourney.measures.spc.analysis import as_dict as spc_as_dict
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
from carejourney.measures.spc.words import (
    MIN_USEFUL_POINTS,
    explain,
    format_number,
    point_name,
)
from carejourney.measures.stability import stability_children, stability_on
from carejourney.sources.years import year_start

if TYPE_CHECKING:  # the demand measures themselves are imported only when used
    from carejourney.measures.demand.data import DemandData

Every = Literal["month", "quarter"]
LOOK_BACK_MONTHS = 12  # re-referrals: within 12 months of an earlier referral (DfE)
MIN_POINTS = 2  # a chart needs at least two points; the words say when runs cannot judge yet

POINT_SCHEMA = {
    "period_end": pl.Date,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "percent": pl.Float64,
}

# The stability measures behind each indicator, how far back each looks (months) and which
# way is better. (Re-referrals: lower is better.)
STABILITY: dict[IndicatorKey, tuple[str, int, Improvement]] = {
    IndicatorKey.THREE_OR_MORE_PLACEMENTS: ("three_or_more_in_year", 12, Improvement.DOWN),
    IndicatorKey.THREE_OR_MORE_IN_2_YEARS: ("three_or_more_in_2_years", 24, Improvement.DOWN),
    IndicatorKey.LONG_TERM_STABILITY: ("long_term_stability", 30, Improvement.UP),
}
BETTER: dict[IndicatorKey, Improvement] = {
    **{key: better for key, (_, _, better) in STABILITY.items()},
    IndicatorKey.RE_REFERRALS: Improvement.DOWN,
}
OVERLAP_CAUTION = (
    "Each point looks back over a year or more, so neighbouring points share most of their "
    "children: runs signal more easily than on independent points. Read a signal as a "
    "reason to look closer, not as proof of a change."
)


class Flag(StrEnum):
    """What the latest points of an indicator's chart say."""

    CONCERN = "concern"  # a current signal in the worse direction
    IMPROVEMENT = "improvement"  # a current signal in the better direction
    CHANGED = "changed"  # a current signal with no direction (too few crossings, on the line)


@dataclass(frozen=True)
class IndicatorSeries:
    """One indicator over time. `points` has POINT_SCHEMA's columns, in date order;
    `not_available` says why there are none (no returns, no demand data, too little)."""

    key: IndicatorKey
    every: Every
    points: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=POINT_SCHEMA))
    not_available: str | None = None
    caution: str | None = None  # how to read its chart
    source: str | None = None  # where its counts come from, when there is a choice

    @property
    def title(self) -> str:
        return INDICATOR_TITLES[self.key]

    @property
    def better(self) -> Improvement:
        return BETTER[self.key]


@dataclass(frozen=True)
class Comparison:
    """The latest value against one benchmark, in percentage points (value - benchmark)."""

    benchmark: Benchmark
    difference: float
    worse: bool | None  # None when equal

    @property
    def words(self) -> str:
        """ "10% nationally (England, 2024)", "11% for Our statistical neighbours (2024)"."""
        b = self.benchmark
        figure = f"{format_number(b.value)}%"
        if b.kind is BenchmarkKind.NATIONAL:
            return f"{figure} nationally ({b.name}, {b.year})"
        return f"{figure} for {b.name} ({b.year})"


@dataclass(frozen=True)
class IndicatorStatus:
    """An indicator's latest value, its benchmarks, its chart and what they say."""

    series: IndicatorSeries
    setting: IndicatorSetting
    comparisons: tuple[Comparison, ...] = ()
    trend: SpcResult | None = None
    trend_words: tuple[str, ...] = ()  # every signal of the chart, in sentences
    flag: Flag | None = None
    signal: str | None = None  # the current signal in a few words
    sentence: str = ""  # everything in one sentence, as the brief's example

    @property
    def key(self) -> IndicatorKey:
        return self.series.key

    @property
    def latest(self) -> dict[str, Any] | None:
        """The last point (period_end, numerator, denominator, percent), if any."""
        points = self.series.points
        return points.row(points.height - 1, named=True) if points.height else None

    @property
    def suggestion(self) -> str | None:
        """The audit to consider: only when the indicator signals in the worse direction."""
        return self.setting.suggestion if self.flag is Flag.CONCERN else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text)."""
        latest = self.latest
        return {
            "key": self.key.value,
            "title": self.series.title,
            "better": "lower" if self.series.better is Improvement.DOWN else "higher",
            "every": self.series.every,
            "not_available": self.series.not_available,
            "latest": None if latest is None else _plain_row(latest),
            "benchmarks": [
                {
                    "kind": c.benchmark.kind.value,
                    "name": c.benchmark.name,
                    "value": c.benchmark.value,
                    "year": c.benchmark.year,
                    "source": c.benchmark.source,
                    "difference": round(c.difference, 1),
                    "worse": c.worse,
                }
                for c in self.comparisons
            ],
            "flag": None if self.flag is None else self.flag.value,
            "signal": self.signal,
            "suggestion": self.suggestion,
            "sentence": self.sentence,
            "trend_words": list(self.trend_words),
            "caution": self.series.caution,
            "source": self.series.source,
            "points": [_plain_row(r) for r in self.series.points.to_dicts()],
            "chart": None if self.trend is None else _plain(spc_as_dict(self.trend)),
        }


# --- the series ----------------------------------------------------------------------------


def period_ends(first: dt.date, last: dt.date, every: Every) -> list[dt.date]:
    """The month-ends (or quarter-ends: March, June, September, December) from `first` to
    `last`, both included."""
    step = 1 if every == "month" else 3
    month0 = first.year * 12 + first.month - 1
    month0 += (step - 1 - month0 % step) % step  # quarters end in months 2, 5, 8, 11 (0-based)
    out: list[dt.date] = []
    while (day := _month_end(month0)) <= last:
        if day >= first:
            out.append(day)
        month0 += step
    return out


def stability_series(
    journeys: Journeys,
    *,
    as_at: dt.date,
    every: Every = "quarter",
    data_start: dt.date | None = None,
) -> dict[IndicatorKey, IndicatorSeries]:
    """The three placement stability indicators at each period-end up to `as_at` (and the
    end of the data). `data_start`: the first day the returns cover (default: 1 April of
    the first collection year in the history)."""
    start = data_start or _data_start(journeys)
    if start is None or journeys.periods.is_empty():
        none = "no periods of care: load SSDA903 returns (Header and Episodes)"
        return {k: IndicatorSeries(k, every, not_available=none) for k in STABILITY}
    last = min(as_at, journeys.data_ends or as_at)
    shortest = min(months for _, months, _ in STABILITY.values())
    dates = period_ends(_covered_from(start, shortest), last, every)
    # One pass for every period-end (`stability_on`), not one call per date.
    measured = (
        stability_on(journeys.periods, journeys.placements, journeys.children, dates)
        if dates
        else pl.DataFrame(schema={"measure": pl.String, "year_end": pl.Date})
    ).rename({"year_end": "period_end"})
    out: dict[IndicatorKey, IndicatorSeries] = {}
    for key, (measure, months, _) in STABILITY.items():
        covered = _covered_from(start, months)
        points = (
            measured.filter((pl.col("measure") == measure) & (pl.col("period_end") >= covered))
            .select(
                pl.col("period_end").cast(pl.Date),
                numerator=pl.col("count").cast(pl.Int64),
                denominator=pl.col("children").cast(pl.Int64),
                percent=pl.col("percent").cast(pl.Float64),
            )
            .filter(pl.col("denominator") > 0)
        )  # a day with no children has no percentage
        why: str | None = None
        if points.is_empty():
            why = (
                f"the data begin on {start:%d/%m/%Y} and this indicator needs the {months} "
                f"months before each {every}-end"
            )
        out[key] = IndicatorSeries(key, every, points, not_available=why, caution=OVERLAP_CAUTION)
    return out


def re_referral_series(
    demand: DemandData | None, *, as_at: dt.date, every: Every = "quarter"
) -> IndicatorSeries:
    """Re-referrals within 12 months per month or quarter, from the demand measures, or "not
    available" when no demand data are loaded (or the demand measures are not installed)."""
    key = IndicatorKey.RE_REFERRALS
    found = _re_referrals_by_month(demand, as_at)
    if isinstance(found, str):
        return IndicatorSeries(key, every, not_available=found)
    by_month, source, first = found
    points = grouped_points(by_month, every=every, as_at=as_at, first=first)
    return IndicatorSeries(key, every, points, source=f"Referrals: {source}.")


def grouped_points(
    by_month: pl.DataFrame,
    *,
    every: Every,
    as_at: dt.date | None = None,
    first: dt.date | None = None,
) -> pl.DataFrame:
    """Monthly counts (month, numerator, denominator) added up by month or quarter into
    POINT_SCHEMA's columns, each dated by its period's last day. Left out: a period with no
    denominator, one not over by `as_at`, and one starting before `first` (a quarter only
    partly covered by the data)."""
    step = "1mo" if every == "month" else "3mo"
    points = (
        by_month.filter(pl.col("denominator") > 0)
        .with_columns(
            period_end=pl.col("month").dt.truncate(step).dt.offset_by(step).dt.offset_by("-1d")
        )
        .group_by("period_end")
        .agg(pl.col("numerator").sum().cast(pl.Int64), pl.col("denominator").sum().cast(pl.Int64))
        .with_columns(percent=100.0 * pl.col("numerator") / pl.col("denominator"))
        .sort("period_end")
        .select(list(POINT_SCHEMA))
    )
    if as_at is not None:
        points = points.filter(pl.col("period_end") <= as_at)
    if first is not None:
        points = points.filter(pl.col("period_end").dt.truncate(step) >= first)
    return points


# --- judging the series ---------------------------------------------------------------------


def assess(series: IndicatorSeries, setting: IndicatorSetting) -> IndicatorStatus:
    """The latest value against the benchmarks, the series' p chart (Anhøj's rules) and its
    current signal, in words."""
    points = series.points
    if series.not_available is not None or points.is_empty():
        why = series.not_available or "no data"
        return IndicatorStatus(series, setting, sentence=f"{series.title}: not available ({why}).")
    latest = points.row(points.height - 1, named=True)
    percent = float(latest["percent"])
    comparisons = tuple(_compare(percent, b, series.better) for b in setting.benchmarks)
    trend = _chart(series) if points.height >= MIN_POINTS else None
    flag, signal = _current(trend, series) if trend is not None else (None, None)
    status = IndicatorStatus(
        series=series,
        setting=setting,
        comparisons=comparisons,
        trend=trend,
        trend_words=tuple(explain(trend)) if trend is not None else (),
        flag=flag,
        signal=signal,
    )
    return _with_sentence(status, latest)


def indicator_statuses(
    journeys: Journeys | None,
    settings: IndicatorSettings,
    *,
    as_at: dt.date,
    demand: DemandData | None = None,
    every: Every = "quarter",
    data_start: dt.date | None = None,
) -> tuple[IndicatorStatus, ...]:
    """Every indicator, in IndicatorKey's order, assessed against `settings`' benchmarks.
    `demand` is the LA's `measures.demand.data.DemandData`, or None when none is loaded."""
    if journeys is None:
        why = "no SSDA903 returns loaded"
        series = {k: IndicatorSeries(k, every, not_available=why) for k in STABILITY}
    else:
        series = stability_series(journeys, as_at=as_at, every=every, data_start=data_start)
    series[IndicatorKey.RE_REFERRALS] = re_referral_series(demand, as_at=as_at, every=every)
    return tuple(assess(series[key], settings.get(key)) for key in IndicatorKey)


def indicator_children(journeys: Journeys, key: IndicatorKey | str, as_at: dt.date) -> pl.DataFrame:
    """The children (CHILD) an indicator counts against the LA on `as_at`, for an audit
    sample triggered by it: children with 3 or more placements (in the year, or in 2 years),
    or, for long-term stability, children in its cohort not in the same placement for 2
    years. Re-referred children come from the demand data: not from here."""
    wanted = IndicatorKey(key)
    if wanted not in STABILITY:
        raise ValueError(f"{INDICATOR_TITLES[wanted]} does not come from the SSDA903 returns.")
    per_child = stability_children(journeys.periods, journeys.placements, journeys.children, as_at)
    condition = {
        IndicatorKey.THREE_OR_MORE_PLACEMENTS: pl.col("three_or_more_in_year"),
        IndicatorKey.THREE_OR_MORE_IN_2_YEARS: pl.col("three_or_more_in_2_years").fill_null(False),
        IndicatorKey.LONG_TERM_STABILITY: pl.col("long_term_cohort")
        & ~pl.col("same_placement_2_years").fill_null(True),
    }[wanted]
    return per_child.filter(condition).select("CHILD").unique().sort("CHILD")


# --- helpers --------------------------------------------------------------------------------


def _re_referrals_by_month(
    demand: DemandData | None, as_at: dt.date
) -> tuple[pl.DataFrame, str, dt.date] | str:
    """(month, numerator (re-referrals), denominator (referrals); where the referrals come
    from; the first month counted), or why the indicator is not available.

    The demand measures are imported here, not at the top: they are optional, and an LA
    with no demand data should still see its stability indicators. A month is counted only
    from 12 months after the first referral loaded: before then, earlier referrals that
    would make a referral a re-referral are not in the data, and the rate would be too low."""
    if demand is None:
        return "no demand data loaded: import contacts or CIN census referrals"
    try:
        referrals = importlib.import_module("carejourney.measures.demand.referrals")
    except ImportError:
        return "the demand measures are not available in this version"
    found, source = referrals.referrals_of(demand)
    if found.is_empty():
        return "no referrals in the demand data loaded: import contacts or CIN census referrals"
    first = found.get_column("REFERRAL_DATE").min()
    from_month = _months_after(first.replace(day=1), LOOK_BACK_MONTHS)
    monthly = referrals.by_month(referrals.rereferrals(found)).filter(
        pl.col("month").is_between(from_month, as_at)
    )
    if monthly.is_empty():
        return (
            f"the referrals loaded begin on {first:%d/%m/%Y}: re-referrals can be counted "
            f"only from 12 months later ({from_month:%d/%m/%Y})"
        )
    frame = monthly.select(
        month=pl.col("month").cast(pl.Date),
        numerator=pl.col("re_referrals").cast(pl.Int64),
        denominator=pl.col("referrals").cast(pl.Int64),
    )
    return frame, source, from_month


def _months_after(first: dt.date, months: int) -> dt.date:
    month0 = first.year * 12 + first.month - 1 + months
    return dt.date(month0 // 12, month0 % 12 + 1, 1)


def _data_start(journeys: Journeys) -> dt.date | None:
    """1 April of the first collection year in the history, else of its first episode."""
    history = journeys.history
    if "year" in history.columns and history.get_column("year").drop_nulls().len():
        first_year = history.get_column("year").drop_nulls().min()
        return year_start(int(first_year))  # type: ignore[arg-type]  # an Int64 column
    first = journeys.periods.get_column("start").min() if journeys.periods.height else None
    if not isinstance(first, dt.date):
        return None
    return year_start(first.year if first.month >= 4 else first.year - 1)


def _covered_from(start: dt.date, months: int) -> dt.date:
    """The first day whose `months`-month window ending that day lies inside the data."""
    month0 = start.year * 12 + start.month - 1 + months
    return dt.date(month0 // 12, month0 % 12 + 1, 1) - dt.timedelta(days=1)


def _month_end(month0: int) -> dt.date:
    following = month0 + 1
    return dt.date(following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)


def _compare(percent: float, benchmark: Benchmark, better: Improvement) -> Comparison:
    difference = percent - benchmark.value
    if difference == 0:
        return Comparison(benchmark, difference, None)
    higher = difference > 0
    return Comparison(benchmark, difference, higher == (better is Improvement.DOWN))


def _chart(series: IndicatorSeries) -> SpcResult:
    points = series.points
    return spc(
        Series(
            y=points.get_column("numerator").cast(pl.Float64).to_numpy(),
            n=points.get_column("denominator").cast(pl.Float64).to_numpy(),
            labels=tuple(d.isoformat() for d in points.get_column("period_end").to_list()),
        ),
        SpcOptions(chart=ChartType.P, multiply=100, improvement=series.better),
    )


def _current(trend: SpcResult, series: IndicatorSeries) -> tuple[Flag | None, str | None]:
    """The signal that reaches the latest point, judged by which way is better, in words."""
    last = trend.points.height
    current = [s for s in trend.signals if s.last == last and s.part == len(trend.parts)]
    if not current:
        return None, None
    # Outside the limits says most; then a run or trend; then too few crossings.
    order = (SignalKind.OUTSIDE_LIMITS, SignalKind.LONG_RUN, SignalKind.SHIFT, SignalKind.TREND)
    current.sort(key=lambda s: order.index(s.kind) if s.kind in order else len(order))
    signal = current[0]
    side = signal.side or _latest_side(trend)
    unit = series.every
    words = _signal_words(signal, side, unit)
    if side is None:
        return Flag.CHANGED, words
    worse = (side is Side.ABOVE) == (series.better is Improvement.DOWN)
    direction = "rising" if side is Side.ABOVE else "falling"
    return (Flag.CONCERN if worse else Flag.IMPROVEMENT), f"{direction} — {words}"


def _latest_side(trend: SpcResult) -> Side | None:
    value, centre = trend.points.select(pl.col("value").last(), pl.col("cl").last()).row(0)
    if value is None or centre is None or value == centre:
        return None
    return Side.ABOVE if value > centre else Side.BELOW


def _signal_words(signal: Signal, side: Side | None, unit: str) -> str:
    count = signal.length if signal.length is not None else signal.last - signal.first + 1
    units = f"{count} {unit}{'' if count == 1 else 's'}"
    where = {Side.ABOVE: "above", Side.BELOW: "below", None: "on one side of"}[side]
    if signal.kind in (SignalKind.LONG_RUN, SignalKind.SHIFT):
        return f"{units} in a row {where} the centre line (a shift)"
    if signal.kind is SignalKind.TREND:
        way = {Side.ABOVE: "going up", Side.BELOW: "going down", None: "going one way"}[side]
        return f"{units} in a row {way} (a trend)"
    if signal.kind is SignalKind.OUTSIDE_LIMITS:
        limit = {Side.ABOVE: "above the upper", Side.BELOW: "below the lower", None: "outside the"}
        return f"the latest {unit} is {limit[side]} limit (unlikely to be chance)"
    return "the line crosses its centre too rarely (the process has probably changed)"


def _with_sentence(status: IndicatorStatus, latest: dict[str, Any]) -> IndicatorStatus:
    series = status.series
    end: dt.date = latest["period_end"]
    if series.key is IndicatorKey.RE_REFERRALS:  # referrals made in the month or quarter
        of = "referrals"
        when = (
            f"in {point_name(end.replace(day=1).isoformat(), 0)}"
            if series.every == "month"
            else f"in the quarter to {point_name(end.isoformat(), 0)}"
        )
    else:  # children looked after on the day, over the year (or years) to it
        of, when = "children", f"on {point_name(end.isoformat(), 0)}"
    text = (
        f"{series.title}: {format_number(latest['percent'])}% "
        f"({latest['numerator']} of {latest['denominator']} {of}) {when}"
    )
    if status.comparisons:
        text += " against " + _and([c.words for c in status.comparisons])
    if status.signal is not None:
        text += f"; {status.signal}"
    elif status.trend is not None and status.trend.parts[-1].n_useful < MIN_USEFUL_POINTS:
        # The runs rules cannot judge so few points: "no signal" would reassure wrongly.
        text += f"; too few {series.every}s yet to judge its trend"
    elif status.trend is not None:
        text += f"; no signal in the latest {series.every}s"
    if status.suggestion is not None:
        text += f": consider {status.suggestion}"
    return replace(status, sentence=text + ".")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    """Dates as ISO text and NaN as None, all the way down (for JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    return value
