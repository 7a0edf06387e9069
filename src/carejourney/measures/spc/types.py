"""What an SPC analysis takes and gives: chart types, rule sets, options and results.

Indices that users see (freeze, parts, exclude, a signal's first and last point) count
from 1, as in qicharts2 and as a person counts points on a chart. Arrays inside the engine
count from 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import polars as pl
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Flags = NDArray[np.bool_]


class ChartType(StrEnum):
    """The charts, named as qicharts2 names them."""

    RUN = "run"  # values around their median; no limits
    I = "i"  # noqa: E741  individuals (XmR): mean ± 2.66 × mean moving range
    MR = "mr"  # the moving ranges of an I chart
    XBAR = "xbar"  # subgroup means
    S = "s"  # subgroup standard deviations
    T = "t"  # time between rare events (an I chart of y^(1/3.6), back-transformed)
    P = "p"  # proportions (numerator / denominator)
    P_PRIME = "pp"  # Laney p′: p with limits widened by the z-scores' own variation
    C = "c"  # counts
    U = "u"  # rates (count / exposure)
    U_PRIME = "up"  # Laney u′
    G = "g"  # cases between rare events (geometric)


class RuleSetName(StrEnum):
    """Which rules decide that a pattern is unlikely to be chance."""

    ANHOEJ = "anhoej"  # longest run and number of crossings (Anhøj & Olesen 2014)
    IHI = "ihi"  # shift 6, trend 5, too few/many runs, astronomical point (Provost & Murray)
    MDC = "mdc"  # NHS Making Data Count: outside limits, trend 7, 7 on one side, 2 of 3 beyond 2σ


class Improvement(StrEnum):
    """Which way is better, for Making Data Count's icons and for words about signals."""

    UP = "up"
    DOWN = "down"


class SignalKind(StrEnum):
    OUTSIDE_LIMITS = "outside limits"  # a point above the upper or below the lower 3σ limit
    LONG_RUN = "long run"  # Anhøj: longest run on one side longer than expected
    FEW_CROSSINGS = "few crossings"  # Anhøj: the line crosses the centre too rarely
    SHIFT = "shift"  # IHI 6 / MDC 7 points in a row on one side of the centre
    TREND = "trend"  # IHI 5 / MDC 7 points in a row each higher (or lower) than the last
    FEW_RUNS = "too few runs"  # IHI, Swed–Eisenhart
    MANY_RUNS = "too many runs"  # IHI, Swed–Eisenhart
    TWO_OF_THREE = "two of three"  # MDC: 2 of 3 points beyond 2σ on the same side
    ASTRONOMICAL = "astronomical point"  # IHI: a point the user judges obviously different


class Side(StrEnum):
    ABOVE = "above"  # of the centre line, or rising for a trend
    BELOW = "below"


@dataclass(frozen=True)
class SpcOptions:
    """How to analyse a series. Defaults follow qicharts2."""

    chart: ChartType = ChartType.RUN
    rules: RuleSetName = RuleSetName.ANHOEJ
    # The first `freeze` points are the baseline: the centre and limits come from them and
    # are extended over the later points of the first part.
    freeze: int | None = None
    # A new part (phase) starts after each of these points: part=(30,) gives 1..30 and 31..
    # Each part has its own centre, limits and runs analysis.
    parts: tuple[int, ...] = ()
    # Points left out of the centre, limits and runs analysis; still drawn, and still
    # flagged if outside the limits.
    exclude: tuple[int, ...] = ()
    # Leave moving ranges above 3.267 × their mean out of the mean moving range (Nelson
    # 1982; qicharts2 and NHSRplotthedots do by default) for i, mr, t, pp and up charts.
    screen_moving_ranges: bool = True
    multiply: float = 1.0  # e.g. 100 for percentages
    target: float | None = None  # on the chart's scale (after multiply)
    improvement: Improvement | None = None
    astronomical: tuple[int, ...] = ()  # IHI: points the user flags as astronomical


@dataclass(frozen=True)
class Series:
    """The points to chart, in time order.

    `y` is the value of each point: the count (numerator) for p, pp, c, u and up charts;
    the subgroup mean for xbar and s (with `sd` and `n`); otherwise the value itself. For
    run and i charts with `n`, the point is y / n. `labels` name the points (dates as text)."""

    y: Floats
    n: Floats | None = None
    sd: Floats | None = None
    labels: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Limits:
    """One part's centre and limits, one value per point (constant where the chart's limits
    are). `value` is the plotted value of each point (after multiply); `centre_for_runs`
    the line the runs analysis counts from (the median for run and g charts, else `cl`).
    Limits a chart does not have are NaN (a run chart has none)."""

    value: Floats
    cl: Floats
    lcl: Floats
    ucl: Floats
    lcl_2sigma: Floats
    ucl_2sigma: Floats
    centre_for_runs: float


@dataclass(frozen=True)
class Signal:
    """A pattern unlikely to be chance, from `first` to `last` (1-based, inclusive)."""

    kind: SignalKind
    part: int
    first: int
    last: int
    side: Side | None = None
    length: int | None = None  # points in the run or trend; crossings or runs counted
    expected: int | None = None  # the critical value the count was judged against


@dataclass(frozen=True)
class PartSummary:
    """One part's runs analysis and limits, as qicharts2's summary gives them."""

    part: int
    first: int  # 1-based index of its first and last point
    last: int
    cl: float  # centre line (for charts with varying limits, the weighted centre)
    n_obs: int  # points not excluded
    n_useful: int  # of those, points not on the centre line
    longest_run: int
    longest_run_max: int  # Anhøj: a run longer than this is a signal
    n_crossings: int
    n_crossings_min: int  # Anhøj: fewer crossings than this is a signal
    runs_signal: bool  # the rule set's runs rules signalled in this part
    n_runs: int = 0  # IHI: runs (n_crossings + 1 over useful points)
    runs_min: int | None = None  # IHI: fewer runs than this is a signal (None: too few points)
    runs_max: int | None = None  # IHI: more runs than this is a signal
    sigma_signals: int = 0  # points outside the 3σ limits


class VariationIcon(StrEnum):
    """Making Data Count's variation icon, from the latest point."""

    COMMON = "common cause"
    IMPROVEMENT = "special cause improvement"
    CONCERN = "special cause concern"
    HIGHER = "special cause, higher"  # no improvement direction given
    LOWER = "special cause, lower"


class AssuranceIcon(StrEnum):
    """Making Data Count's assurance icon: where the target sits against the latest limits."""

    PASS = "consistently passes the target"
    FAIL = "consistently fails the target"
    HIT_AND_MISS = "hits and misses the target at random"


@dataclass(frozen=True)
class SpcResult:
    """An analysed series. `points` has one row per point: index (1-based), label, y (as
    given), n, value (plotted), part, baseline (used for the centre and limits), excluded,
    cl, lcl, ucl, lcl_2sigma, ucl_2sigma, one boolean column per SignalKind (its value with
    spaces as underscores: outside_limits, long_run, …) and `signal`: the point itself
    signals (the part-wide judgements, few crossings and too few or many runs, flag every
    useful point of their part but do not count here)."""

    options: SpcOptions
    points: pl.DataFrame
    parts: tuple[PartSummary, ...]
    signals: tuple[Signal, ...] = field(default_factory=tuple)
    variation: VariationIcon | None = None
    assurance: AssuranceIcon | None = None
