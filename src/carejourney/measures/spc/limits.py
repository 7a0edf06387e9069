"""The centre line and control limits of one part (phase) of an SPC chart.

`limits(chart, series, baseline)` gives, for every point of the part, the plotted value,
the centre line and the 3-sigma and 2-sigma limits; the centre and sigma come from the
baseline points only and are extended over the others. `subgroups` turns raw subgroups
into the means, standard deviations and sizes that xbar and s charts take; `check` says in
plain words why a series cannot be drawn as a chart.

Where each formula is from:

- Every chart follows qicharts2 (Anhøj; `qic.run`, `qic.i`, `qic.mr`, ... `qic.g`, `c4`,
  `a3`, `b3`, `b4` in helper.functions.R), which takes them from Montgomery, *Introduction
  to Statistical Quality Control*: i (sigma = mean moving range / 1.128, 6.33); xbar and s
  (s-bar, c4, A3, B3, B4: 6.29 for equal subgroups, the pooled sd of 6.31 for unequal);
  c (7.17); u (7.19); g (p. 319: sigma = sqrt(g-bar (g-bar + 1)), limits from the mean).
- Moving ranges of 3.267 x their mean or more are left out and the mean taken again
  (Nelson 1982), as qicharts2 (option `qic.screenedmr`, set when the package is attached),
  NHSRplotthedots and PowerBI-SPC do by default; `screen=False` keeps them.
- p' and u': Laney 2002 ("Improved control charts for attributes", Quality Engineering
  14): the p or u chart's sigma times sigma_z, the mean moving range of the points'
  z-scores / 1.128.
- t: Montgomery's Example 7.6 and Provost & Murray, *The Health Care Data Guide* (2011):
  an i chart of y^(1/3.6) (Nelson 1994's transformation of exponential times), its lines
  raised back to the power 3.6 and a lower limit below 0 set to 0.
- g: the centre line is the baseline's median, as qicharts2 draws it and counts runs from
  (Provost & Murray 2011, p. 228, use 0.693 x the mean, its theoretical median).
- 2-sigma limits (`lcl_2sigma`, `ucl_2sigma`): the same formulas with 2 for 3 and the
  same floors and caps, as qicharts2's `lcl.95`/`ucl.95` and PowerBI-SPC's `ll95`/`ul95`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from carejourney.measures.spc.types import ChartType, Flags, Floats, Limits, Series

D2 = 1.128  # expected range of two normal values, in sigma (Montgomery, Appendix VI)
D4 = 3.267  # a moving range above D4 x the mean moving range is screened out (n = 2)
T_POWER = 3.6  # Nelson's transformation of times between events (Provost & Murray)
SIGMAS = 3.0  # control limits
WARNING_SIGMAS = 2.0  # Making Data Count's 2 of 3 rule; PowerBI-SPC's 95% lines

NEEDS_N = frozenset(
    {ChartType.P, ChartType.P_PRIME, ChartType.U, ChartType.U_PRIME, ChartType.XBAR, ChartType.S}
)
NEEDS_SD = frozenset({ChartType.XBAR, ChartType.S})
PROPORTIONS = frozenset({ChartType.P, ChartType.P_PRIME})
COUNTS = frozenset(
    {ChartType.P, ChartType.P_PRIME, ChartType.C, ChartType.U, ChartType.U_PRIME, ChartType.G}
)

_NAMES = {
    ChartType.RUN: "A run chart",
    ChartType.I: "An i chart",
    ChartType.MR: "An mr chart",
    ChartType.XBAR: "An xbar chart",
    ChartType.S: "An s chart",
    ChartType.T: "A t chart",
    ChartType.P: "A p chart",
    ChartType.P_PRIME: "A p' chart",
    ChartType.C: "A c chart",
    ChartType.U: "A u chart",
    ChartType.U_PRIME: "A u' chart",
    ChartType.G: "A g chart",
}
_NAN = float("nan")


def limits(
    chart: ChartType,
    series: Series,
    baseline: Flags,
    *,
    screen: bool = True,
    multiply: float = 1.0,
) -> Limits:
    """One part's plotted values, centre line and limits.

    `baseline` marks the points the centre and limits come from (False for excluded points
    and for points after a frozen baseline); moving ranges are taken between consecutive
    baseline points, so one spans an excluded point. Limits a chart cannot have (a run
    chart's, or any chart's with too few baseline points) are NaN."""
    check(chart, series)
    base = np.asarray(baseline, dtype=np.bool_)
    if base.shape != series.y.shape:
        raise ValueError(f"The baseline marks {base.size} points but the series has {len(series)}.")
    if not (math.isfinite(multiply) and multiply > 0):
        raise ValueError(f"multiply must be a positive number, not {multiply}.")
    return _scaled(_CHARTS[chart](series, base, screen), multiply)


def check(chart: ChartType, series: Series) -> None:
    """Raise ValueError, in plain words, if `series` cannot be drawn as `chart`. Points are
    counted from 1 within `series`: call this on the whole series before splitting it into
    parts for the numbers to match what the user sees."""
    name = _NAMES[chart]
    y = np.asarray(series.y, dtype=np.float64)
    given = np.isfinite(y)  # a NaN y is a missing point, drawn as a gap
    if chart is ChartType.S and series.sd is not None:
        given = given | np.isfinite(series.sd)  # an s chart plots sd: y may be left out
    if series.n is not None:
        _check_denominators(name, chart, _same_length(series.n, y, "denominators"), given)
    elif chart in NEEDS_N:
        raise ValueError(f"{name} needs {_n_words(chart)} for every point: none were given.")
    if chart in NEEDS_SD:
        _check_sds(name, series, given)
    if chart in COUNTS:
        _first_bad(name, given & (y < 0), "needs counts of zero or more", y)
    if chart in PROPORTIONS and series.n is not None:
        n = np.asarray(series.n, dtype=np.float64)
        over = given & (y > n)
        if over.any():
            i = int(np.argmax(over))
            raise ValueError(
                f"{name} needs counts no larger than their denominators: "
                f"point {i + 1} has {y[i]:g} of {n[i]:g}."
            )
    if chart is ChartType.T:
        _first_bad(name, given & (y <= 0), "needs times between events above zero", y)


def subgroups(values: Sequence[Sequence[float]]) -> Series:
    """Raw subgroups (the measurements at each time) as a Series of their means (`y`),
    standard deviations (`sd`, n - 1 in the divisor; NaN for a subgroup of one) and sizes
    (`n`), for xbar and s charts. Missing values (NaN) are left out, as qicharts2 does."""
    groups = [np.asarray(g, dtype=np.float64) for g in values]
    groups = [g[np.isfinite(g)] for g in groups]
    empty = [i for i, g in enumerate(groups, start=1) if g.size == 0]
    if not groups or empty:
        where = f"subgroup {empty[0]} has none" if empty else "none were given"
        raise ValueError(f"Every subgroup needs at least one value: {where}.")
    n = np.array([g.size for g in groups], dtype=np.float64)
    flat = np.concatenate(groups)
    starts = np.concatenate(([0], np.cumsum(n[:-1]))).astype(np.intp)
    mean = np.add.reduceat(flat, starts) / n
    squares = np.add.reduceat((flat - np.repeat(mean, n.astype(np.intp))) ** 2, starts)
    sd = np.full(n.shape, _NAN)
    several = n > 1
    sd[several] = np.sqrt(squares[several] / (n[several] - 1))
    return Series(y=mean, n=n, sd=sd)


# --- checks -------------------------------------------------------------------------------


def _same_length(values: Floats, y: Floats, what: str) -> Floats:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != y.shape:
        raise ValueError(f"The series has {y.size} points but {array.size} {what}.")
    return array


def _n_words(chart: ChartType) -> str:
    return "the subgroup size" if chart in NEEDS_SD else "a denominator"


def _check_denominators(name: str, chart: ChartType, n: Floats, given: Flags) -> None:
    words = _n_words(chart)
    if chart in NEEDS_N:
        _first_bad(name, given & ~np.isfinite(n), f"needs {words} for every point", n, "none")
    _first_bad(name, np.isfinite(n) & (n <= 0), f"needs {words} above zero for every point", n)


def _check_sds(name: str, series: Series, given: Flags) -> None:
    words = "the subgroup standard deviation"
    if series.sd is None:
        raise ValueError(f"{name} needs {words} for every point: none were given.")
    sd = _same_length(series.sd, series.y, "standard deviations")
    # A subgroup of one has no standard deviation; its limits are NaN.
    several = given & (np.asarray(series.n) > 1)
    _first_bad(name, several & ~np.isfinite(sd), f"needs {words} for every point", sd, "none")
    _first_bad(name, np.isfinite(sd) & (sd < 0), f"needs {words} of zero or more", sd)


def _first_bad(name: str, bad: Flags, need: str, values: Floats, shown: str | None = None) -> None:
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name} {need}: point {i + 1} has {shown or f'{values[i]:g}'}.")


# --- charts -------------------------------------------------------------------------------
# Each returns the part's lines before `multiply`.


def _run(series: Series, base: Flags, screen: bool) -> Limits:
    value = _plotted(series)
    centre = _median(value[base])
    return _band(value, centre, _NAN)


def _individuals(series: Series, base: Flags, screen: bool) -> Limits:
    value = _plotted(series)
    centre = _mean(value[base])
    return _band(value, centre, _mean_moving_range(value[base], screen) / D2)


def _moving_range(series: Series, base: Flags, screen: bool) -> Limits:
    # The centre is the i chart's mean moving range (between consecutive baseline points);
    # the plotted ranges are between consecutive points of the part.
    points = _plotted(series)
    value = np.concatenate(([_NAN], np.abs(np.diff(points))))
    amr = _mean_moving_range(points[base], screen)
    size = value.size
    floor = 0.0 if math.isfinite(amr) else _NAN
    return Limits(
        value=value,
        cl=np.full(size, amr),
        lcl=np.full(size, floor),
        ucl=np.full(size, D4 * amr),
        lcl_2sigma=np.full(size, floor),
        ucl_2sigma=np.full(size, D4 / SIGMAS * WARNING_SIGMAS * amr),
        centre_for_runs=amr,
    )


def _xbar(series: Series, base: Flags, screen: bool) -> Limits:
    n, sd = _sizes(series)
    use = base & np.isfinite(series.y)
    centre = _ratio(np.sum(n[use] * series.y[use]), np.sum(n[use]))
    # sigma per point is s̄ / (c4 √n): A3 = 3 / (c4 √n) (Montgomery 6.29, 6.31).
    return _band(series.y, centre, _pooled_sd(n, sd, base) / (_c4(n) * np.sqrt(n)))


def _s(series: Series, base: Flags, screen: bool) -> Limits:
    n, sd = _sizes(series)
    centre = _pooled_sd(n, sd, base)
    # B3, B4 = 1 ∓ 3 c5 / c4, so sigma per point is s̄ c5 / c4; B3 is floored at 0.
    c4 = _c4(n)
    return _band(sd, centre, centre * np.sqrt(1 - c4**2) / c4, floor=0.0)


def _times(series: Series, base: Flags, screen: bool) -> Limits:
    value = _plotted(series)
    inner = _individuals(Series(y=value ** (1 / T_POWER)), base, screen)
    # A lower limit below 0 on the transformed scale means none: floor it at 0.
    cl, lcl, ucl, lcl_2sigma, ucl_2sigma = (
        np.maximum(line, 0.0) ** T_POWER
        for line in (inner.cl, inner.lcl, inner.ucl, inner.lcl_2sigma, inner.ucl_2sigma)
    )
    centre = inner.centre_for_runs**T_POWER
    return Limits(value, cl, lcl, ucl, lcl_2sigma, ucl_2sigma, centre)


def _proportions(series: Series, base: Flags, screen: bool) -> Limits:
    value, centre, n = _rates(series, base)
    sigma = np.sqrt(centre * (1 - centre) / n)
    return _band(value, centre, sigma, floor=0.0, cap=1.0)


def _proportions_laney(series: Series, base: Flags, screen: bool) -> Limits:
    value, centre, n = _rates(series, base)
    sigma = np.sqrt(centre * (1 - centre) / n)
    sigma = sigma * _sigma_z(value, centre, sigma, base, screen)
    return _band(value, centre, sigma, floor=0.0, cap=1.0)


def _counts(series: Series, base: Flags, screen: bool) -> Limits:
    value = np.asarray(series.y, dtype=np.float64)
    centre = _mean(value[base])
    return _band(value, centre, math.sqrt(centre), floor=0.0)


def _rates_chart(series: Series, base: Flags, screen: bool) -> Limits:
    value, centre, n = _rates(series, base)
    return _band(value, centre, np.sqrt(centre / n), floor=0.0)


def _rates_laney(series: Series, base: Flags, screen: bool) -> Limits:
    value, centre, n = _rates(series, base)
    sigma = np.sqrt(centre / n)
    sigma = sigma * _sigma_z(value, centre, sigma, base, screen)
    return _band(value, centre, sigma, floor=0.0)


def _geometric(series: Series, base: Flags, screen: bool) -> Limits:
    value = _plotted(series)
    mean = _mean(value[base])
    lines = _band(value, mean, math.sqrt(mean * (mean + 1)), floor=0.0)
    # Cases between events are skewed: the centre drawn and counted from is the median.
    median = _median(value[base])
    return Limits(
        value=value,
        cl=np.full(value.size, median),
        lcl=lines.lcl,
        ucl=lines.ucl,
        lcl_2sigma=lines.lcl_2sigma,
        ucl_2sigma=lines.ucl_2sigma,
        centre_for_runs=median,
    )


_CHARTS: dict[ChartType, Callable[[Series, Flags, bool], Limits]] = {
    ChartType.RUN: _run,
    ChartType.I: _individuals,
    ChartType.MR: _moving_range,
    ChartType.XBAR: _xbar,
    ChartType.S: _s,
    ChartType.T: _times,
    ChartType.P: _proportions,
    ChartType.P_PRIME: _proportions_laney,
    ChartType.C: _counts,
    ChartType.U: _rates_chart,
    ChartType.U_PRIME: _rates_laney,
    ChartType.G: _geometric,
}


# --- arithmetic ---------------------------------------------------------------------------


def _band(
    value: Floats,
    centre: float,
    sigma: Floats | float,
    *,
    floor: float | None = None,
    cap: float | None = None,
) -> Limits:
    """Centre ± 3 and ± 2 sigma, floored and capped where the measure cannot go
    (np.maximum and np.minimum keep NaN limits NaN)."""
    size = value.size
    spread = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (size,))

    def line(k: float) -> Floats:
        bound = centre + k * spread
        if floor is not None:
            bound = np.maximum(bound, floor)
        if cap is not None:
            bound = np.minimum(bound, cap)
        return bound

    return Limits(
        value=value,
        cl=np.full(size, centre),
        lcl=line(-SIGMAS),
        ucl=line(SIGMAS),
        lcl_2sigma=line(-WARNING_SIGMAS),
        ucl_2sigma=line(WARNING_SIGMAS),
        centre_for_runs=centre,
    )


def _scaled(lines: Limits, k: float) -> Limits:
    return Limits(
        value=lines.value * k,
        cl=lines.cl * k,
        lcl=lines.lcl * k,
        ucl=lines.ucl * k,
        lcl_2sigma=lines.lcl_2sigma * k,
        ucl_2sigma=lines.ucl_2sigma * k,
        centre_for_runs=lines.centre_for_runs * k,
    )


def _plotted(series: Series) -> Floats:
    """y, or y / n when a denominator is given: qicharts2 plots Σy / Σn for run, i, mr, t
    and g charts alike."""
    y = np.asarray(series.y, dtype=np.float64)
    return y if series.n is None else y / np.asarray(series.n, dtype=np.float64)


def _rates(series: Series, base: Flags) -> tuple[Floats, float, Floats]:
    """Each point's y / n and the baseline's Σy / Σn (not the mean of the ratios)."""
    y = np.asarray(series.y, dtype=np.float64)
    n = np.asarray(series.n, dtype=np.float64)
    use = base & np.isfinite(y) & np.isfinite(n)
    return y / n, _ratio(float(np.sum(y[use])), float(np.sum(n[use]))), n


def _sizes(series: Series) -> tuple[Floats, Floats]:
    return np.asarray(series.n, dtype=np.float64), np.asarray(series.sd, dtype=np.float64)


def _mean(values: Floats) -> float:
    kept = values[np.isfinite(values)]
    return float(np.mean(kept)) if kept.size else _NAN


def _median(values: Floats) -> float:
    kept = values[np.isfinite(values)]
    return float(np.median(kept)) if kept.size else _NAN


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else _NAN


def _mean_moving_range(values: Floats, screen: bool) -> float:
    """Mean of the moving ranges between consecutive values; with `screen`, those of
    D4 x that mean or more are left out and the mean taken again (Nelson 1982). A range
    next to a missing value is dropped. If screening would leave none (every range 0),
    the mean stays 0 rather than becoming NaN."""
    ranges = np.abs(np.diff(values))
    ranges = ranges[np.isfinite(ranges)]
    if ranges.size == 0:
        return _NAN
    amr = float(np.mean(ranges))
    if screen:
        kept = ranges[ranges < D4 * amr]
        if kept.size:
            amr = float(np.mean(kept))
    return amr


def _sigma_z(value: Floats, centre: float, sigma: Floats, base: Flags, screen: bool) -> float:
    """Laney's sigma_z: the mean moving range of the baseline z-scores / d2. Where sigma
    is 0 (a centre of 0 or 1) a point's z-score is 0 rather than 0/0."""
    known = np.where(np.isfinite(value), 0.0, _NAN)
    z = np.divide(value - centre, sigma, out=known, where=sigma != 0)
    return _mean_moving_range(z[base], screen) / D2


def _pooled_sd(n: Floats, sd: Floats, base: Flags) -> float:
    """s̄ over the baseline as qicharts2 takes it: the mean of the subgroup standard
    deviations when every subgroup of the part has the same size (Montgomery 6.29), else
    √(Σ(nᵢ - 1)sᵢ² / Σ(nᵢ - 1)) (6.31)."""
    if np.unique(n[np.isfinite(n)]).size <= 1:
        return _mean(sd[base])
    use = base & np.isfinite(sd)
    weights = n[use] - 1
    return math.sqrt(_ratio(float(np.sum(weights * sd[use] ** 2)), float(np.sum(weights))))


def _c4(n: Floats) -> Floats:
    """c4(n) = √(2 / (n - 1)) Γ(n / 2) / Γ((n - 1) / 2), NaN for n ≤ 1; computed once per
    distinct subgroup size (math.lgamma has no numpy form)."""
    sizes, where = np.unique(n, return_inverse=True)
    per_size = np.array(
        [
            math.sqrt(2 / (m - 1)) * math.exp(math.lgamma(m / 2) - math.lgamma((m - 1) / 2))
            if m > 1
            else _NAN
            for m in sizes
        ],
        dtype=np.float64,
    )
    return per_size[where.reshape(n.shape)]
