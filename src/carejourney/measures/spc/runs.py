"""Runs analysis: the patterns of points about a centre line, and the counts that say a
pattern is unlikely to be chance.

Sources and conventions:

- Anhøj's rules (Anhøj & Olesen 2014, "Run charts revisited", PLoS ONE 9(11): e113825), as
  qicharts2 implements them (`runs.analysis` in R/helper.functions.R): points exactly on
  the centre line and excluded points are left out; the rest are the *useful*
  observations. The longest run is the longest sequence of useful points on the same side;
  crossings are the times two consecutive useful points lie on different sides. Critical
  values for n useful points: a run longer than round(log2(n)) + 3 (Schilling 2012), or
  fewer crossings than qbinom(0.05, n - 1, 0.5) (Chen 2010), is a signal. R's round()
  rounds half to even, but log2(n) is never exactly k + 0.5 for a whole n, so the rounding
  rule never matters here; `binomial_quantile` is R's qbinom (the smallest k with
  P(X <= k) >= p), worked out exactly with integers.
- The IHI rules (Provost & Murray, *The Health Care Data Guide*, 2011; Perla, Provost &
  Murray 2011, "The run chart: a simple analytical tool for learning from variation in
  healthcare processes", BMJ Qual Saf 20:46-51): a shift is 6 or more consecutive useful
  points on one side (points on the centre neither make nor break it); a trend is 5 or
  more points all going up or all going down, where "if the value of two or more
  successive points is the same, ignore one of the points when counting" (like values
  neither make nor break a trend, and count once); too few or too many runs are judged
  against the exact Swed & Eisenhart (1943) distribution of the number of runs
  (`swed_eisenhart_limits`); an astronomical point is one the user names.

The per-point helpers work on whole arrays and are usable on their own: `sides` codes each
point +1 (above), -1 (below) or 0 (on the line, excluded or missing); `runs` and `trends`
give the patterns as `Segments` (positions into the array they were given).
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from functools import lru_cache
from statistics import NormalDist
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from carejourney.measures.spc.types import Flags, Floats

Signs = NDArray[np.int8]
Positions = NDArray[np.int64]

IHI_SHIFT = 6  # points in a row on one side (Perla et al. 2011)
IHI_TREND = 5  # points in a row all going up or all going down (Perla et al. 2011)
# Swed-Eisenhart limits are worked out with exact integers up to this many useful points
# and in log space beyond (where a tail probability exactly equal to alpha/2 cannot be told
# apart from one a hair either side, and no table goes anyway).
EXACT_RUNS_MAX = 2000
# The binomial quantile is decided with integers up to this size, and beyond it too when
# floating point cannot tell which side of p the tail falls (it almost always can).
EXACT_BINOMIAL_MAX = 5000


class Segments(NamedTuple):
    """Patterns found in an array: each from position `first` to `last` (0-based,
    inclusive), `length` points counted in it and its `side` (+1 above or rising, -1 below
    or falling)."""

    first: Positions
    last: Positions
    length: Positions
    side: Signs


def sides(values: Floats, centre: float | Floats, include: Flags | None = None) -> Signs:
    """+1 for a point above `centre`, -1 below it, 0 on it, excluded or missing (NaN)."""
    values = np.asarray(values, dtype=np.float64)
    centre_arr = np.broadcast_to(np.asarray(centre, dtype=np.float64), values.shape)
    # Comparisons with NaN are False both ways, so a missing value or centre codes 0.
    signs = (values > centre_arr).astype(np.int8) - (values < centre_arr).astype(np.int8)
    if include is not None:
        signs[~np.asarray(include, dtype=np.bool_)] = 0
    return signs


def stretches(codes: Signs) -> Segments:
    """Maximal stretches of equal non-zero codes in consecutive positions (a 0 breaks)."""
    n = codes.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Segments(empty, empty, empty, np.zeros(0, dtype=np.int8))
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    ends = np.concatenate((starts[1:] - 1, [n - 1])).astype(np.int64)
    keep = codes[starts] != 0
    starts, ends = starts[keep].astype(np.int64), ends[keep]
    return Segments(starts, ends, ends - starts + 1, codes[starts].astype(np.int8))


def runs(signs: Signs) -> Segments:
    """The runs among the non-zero entries of `signs` (zeros skipped: they neither make
    nor break a run). `length` counts the non-zero points; `first`/`last` are positions in
    `signs`."""
    signs = np.asarray(signs, dtype=np.int8)
    useful = np.flatnonzero(signs != 0)
    found = stretches(signs[useful])
    return Segments(useful[found.first], useful[found.last], found.length, found.side)


def longest_run(signs: Signs) -> int:
    """The most useful points in a row on one side (0 when there are none)."""
    lengths = runs(signs).length
    return int(lengths.max()) if lengths.size else 0


def crossings(signs: Signs) -> int:
    """The times consecutive useful points lie on different sides of the centre."""
    useful = signs[signs != 0]
    return int(np.count_nonzero(useful[1:] != useful[:-1]))


def segment_flags(size: int, first: Positions, last: Positions) -> Flags:
    """True at every position from each `first` to its `last` (inclusive)."""
    marks = np.zeros(size + 1, dtype=np.int64)
    np.add.at(marks, first, 1)
    np.add.at(marks, last + 1, -1)
    return np.cumsum(marks[:size]) > 0


def run_flags(signs: Signs, min_length: int) -> Flags:
    """True at the useful points of every run of `min_length` points or more."""
    found = runs(signs)
    long = found.length >= min_length
    flags: Flags = segment_flags(signs.size, found.first[long], found.last[long]) & (signs != 0)
    return flags


def trends(values: Floats, *, ties: Literal["ignore", "break"] = "ignore") -> Segments:
    """Maximal stretches of values each higher (side +1) or each lower (-1) than the last.

    `ties="ignore"` is the IHI rule (Perla et al. 2011): successive equal values count as
    one point and neither make nor break a trend; `length` counts them once, while
    `first`/`last` span every repeat. `ties="break"` is Making Data Count's (and
    NHSRplotthedots'): a value equal to the one before ends the trend. NaN values should
    be left out first; a NaN breaks a trend either way."""
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    if n < 2:
        return stretches(np.zeros(0, dtype=np.int8))
    if ties == "ignore":
        # Collapse each block of equal successive values to one point, remembering where
        # each block starts and ends in `values`.
        new_block = np.concatenate(([True], values[1:] != values[:-1]))
        block_first = np.flatnonzero(new_block).astype(np.int64)
        block_last = np.concatenate((block_first[1:] - 1, [n - 1])).astype(np.int64)
        compressed = values[block_first]
    else:
        block_first = block_last = np.arange(n, dtype=np.int64)
        compressed = values
    step = np.diff(compressed)
    direction = (step > 0).astype(np.int8) - (step < 0).astype(np.int8)
    # A stretch of k equal directions among the steps is a trend of k + 1 points.
    found = stretches(direction)
    return Segments(
        block_first[found.first], block_last[found.last + 1], found.length + 1, found.side
    )


def trend_flags(
    values: Floats, min_length: int, *, ties: Literal["ignore", "break"] = "ignore"
) -> Flags:
    """True at every point of every trend of `min_length` points or more."""
    found = trends(values, ties=ties)
    long = found.length >= min_length
    return segment_flags(np.asarray(values).size, found.first[long], found.last[long])


def outside_limits(values: Floats, lcl: Floats, ucl: Floats) -> Signs:
    """+1 above the upper limit, -1 below the lower, else 0 (as qicharts2: strictly
    beyond; a missing limit flags nothing)."""
    values = np.asarray(values, dtype=np.float64)
    return (values > ucl).astype(np.int8) - (values < lcl).astype(np.int8)


def longest_run_max(n_useful: int) -> int:
    """Anhøj: a run longer than this is a signal (round(log2(n)) + 3; 0 for no points)."""
    if n_useful <= 0:
        return 0
    # R rounds half to even, Python too; log2 of a whole number is never exactly k + 0.5.
    return round(math.log2(n_useful)) + 3


def crossings_min(n_useful: int) -> int:
    """Anhøj: fewer crossings than this is a signal (qbinom(0.05, n - 1, 0.5); 0 for no
    points)."""
    if n_useful <= 0:
        return 0
    return binomial_quantile(0.05, n_useful - 1)


def _tail_float(size: int, k: int) -> tuple[float, float]:
    """P(X <= k) for X ~ Binomial(size, 1/2) in floating point, and a bound on its
    relative error: the pmf at k from log-gamma, times the sum of the ratios of the terms
    below it to it (which fall geometrically, so a few hundred terms reach 1e-17)."""
    log_pmf = (
        math.lgamma(size + 1) - math.lgamma(k + 1) - math.lgamma(size - k + 1)
    ) - size * math.log(2)
    term, total, i = 1.0, 1.0, k
    while i > 0 and term > 1e-17 * total:
        term *= i / (size - i + 1)
        total += term
        i -= 1
    # The log-gamma values carry an absolute error of a few ulps of their size.
    error = 64 * sys.float_info.epsilon * (math.lgamma(size + 1) + 1) + 1e-12
    return math.exp(log_pmf) * total, error


def _tail_reaches(size: int, k: int, num: int, den: int) -> bool:
    """Whether P(X <= k) >= num/den for X ~ Binomial(size, 1/2), exactly.

    Decided in floating point when that is clearly enough (the tail is nowhere near
    num/den); otherwise, and always for small sizes, with integers: C(size, i) summed
    from i = k downwards, stopping as soon as the partial sum is enough or a geometric
    bound on what is left cannot make it enough (C(n, i-1)/C(n, i) = i/(n-i+1) only falls
    as i falls)."""
    if size > EXACT_BINOMIAL_MAX:
        tail, error = _tail_float(size, k)
        p = num / den
        if abs(tail - p) > error * p:
            return tail >= p
    target = num << size  # den * S >= num * 2^size, with S the sum of the C(size, i)
    term = math.comb(size, k)
    partial = 0
    i = k
    while True:
        partial += term
        if den * partial >= target:
            return True
        if i == 0:
            return False
        term = term * i // (size - i + 1)  # C(size, i - 1), exact
        i -= 1
        # What is left is term * (1 + r + r^2 + ...), r = i / (size - i + 1) at most.
        if 2 * i < size + 1:
            rest = term * (size - i + 1) // (size - 2 * i + 1) + 1
            if den * (partial + rest) < target:
                return False


@lru_cache(maxsize=4096)
def binomial_quantile(p: float, size: int) -> int:
    """R's qbinom(p, size, 0.5): the smallest k with P(X <= k) >= p, X ~ Binomial(size, 1/2).

    Exact: `p` is read as the nearest fraction with a denominator up to 10^9 (0.05 is 1/20)
    and the tail compared with it exactly (`_tail_reaches`). Cached; a few milliseconds
    for 100,000 points."""
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, not {p}")
    if size < 0:
        raise ValueError(f"size must not be negative, not {size}")
    frac = Fraction(p).limit_denominator(10**9)
    num, den = frac.numerator, frac.denominator
    # Start from the normal approximation and step to the exact answer.
    guess = size / 2 + NormalDist().inv_cdf(p) * math.sqrt(size) / 2
    k = min(max(int(guess), 0), size)
    if _tail_reaches(size, k, num, den):
        while k > 0 and _tail_reaches(size, k - 1, num, den):
            k -= 1
    else:
        while not _tail_reaches(size, k + 1, num, den):
            k += 1
        k += 1
    return k


def _runs_counts_exact(n1: int, n2: int) -> list[int]:
    """How many of the C(n1 + n2, n1) orderings of n1 above and n2 below give r runs, for
    r = 0, 1, ..., n1 + n2 (Swed & Eisenhart 1943)."""
    counts = [0] * (n1 + n2 + 1)
    for r in range(2, n1 + n2 + 1):
        k = r // 2
        if r % 2 == 0:
            counts[r] = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        else:
            counts[r] = math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k) + math.comb(
                n1 - 1, k
            ) * math.comb(n2 - 1, k - 1)
    return counts


def _runs_probabilities_log(n1: int, n2: int) -> Floats:
    """P(R = r) for r = 0 .. n1 + n2 from log-space combinations (for large n)."""
    n = n1 + n2
    log_fact = np.array([math.lgamma(i + 1) for i in range(n + 1)])

    def log_comb(top: int, k: NDArray[np.int64]) -> Floats:
        ok = (k >= 0) & (k <= top)
        kk = np.clip(k, 0, top)
        out = log_fact[top] - log_fact[kk] - log_fact[top - kk]
        return np.where(ok, out, -np.inf)

    r = np.arange(n + 1, dtype=np.int64)
    k = r // 2
    even = 2 * k == r
    with np.errstate(invalid="ignore"):
        log_even = math.log(2) + log_comb(n1 - 1, k - 1) + log_comb(n2 - 1, k - 1)
        log_odd = np.logaddexp(
            log_comb(n1 - 1, k - 1) + log_comb(n2 - 1, k),
            log_comb(n1 - 1, k) + log_comb(n2 - 1, k - 1),
        )
    log_p = np.where(even, log_even, log_odd) - (log_fact[n] - log_fact[n1] - log_fact[n2])
    log_p[:2] = -np.inf  # fewer than two runs is impossible with points on both sides
    probabilities: Floats = np.exp(log_p)
    return probabilities


@lru_cache(maxsize=4096)
def swed_eisenhart_limits(
    n_above: int, n_below: int, alpha: float = 0.05
) -> tuple[int | None, int | None]:
    """The fewest and most runs that are not a signal, given the useful points above and
    below the centre, from the exact distribution of the number of runs (Swed & Eisenhart
    1943, "Tables for testing randomness of grouping in a sequence of alternatives", Ann.
    Math. Stat. 14:66-87).

    Tail convention: two-sided, alpha/2 in each tail. `runs_min` is the largest r with
    P(R < r) <= alpha/2, so *fewer* runs than `runs_min` is a signal; `runs_max` is the smallest
    r with P(R > r) <= alpha/2, so *more* runs than `runs_max` is a signal. It reproduces the
    classic two-sided 5% table (Swed & Eisenhart; Siegel 1956, Table F; e.g. 10 above and
    10 below: 6 runs or fewer, or 16 or more, are signals -> (7, 15)) and matches Perla et
    al. 2011 Table 1's headings as usually quoted (fewer than the lower limit is too few,
    more than the upper too many) and its first rows (10 points: 3 and 9; 16: 5 and 13).
    REVIEW: the table itself was not at hand to check row by row.

    None where no count could signal: every possible count of runs is inside (too few
    points), or all points are on one side. Exact with integers up to `EXACT_RUNS_MAX`
    points, in log space beyond."""
    if n_above < 0 or n_below < 0:
        raise ValueError("counts of points must not be negative")
    if n_above == 0 or n_below == 0:
        return None, None
    fewest = 2
    most = 2 * min(n_above, n_below) + (n_above != n_below)
    lower: int
    upper: int
    if n_above + n_below <= EXACT_RUNS_MAX:
        frac = Fraction(alpha).limit_denominator(10**9)
        num, den = frac.numerator, 2 * frac.denominator  # alpha/2
        counts = _runs_counts_exact(n_above, n_below)
        total = math.comb(n_above + n_below, n_above)
        lower, below = fewest, 0
        while den * (below + counts[lower]) <= num * total:
            below += counts[lower]
            lower += 1
        upper, above = most, 0
        while den * (above + counts[upper]) <= num * total:
            above += counts[upper]
            upper -= 1
    else:
        half = alpha / 2
        probs = _runs_probabilities_log(n_above, n_below)
        # P(R < r) for each r, and P(R > r).
        below_r = np.concatenate(([0.0], np.cumsum(probs)[:-1]))
        above_r = np.concatenate((np.cumsum(probs[::-1])[::-1][1:], [0.0]))
        lower = int(np.flatnonzero(below_r <= half).max())
        upper = int(np.flatnonzero(above_r <= half).min())
    return (lower if lower > fewest else None), (upper if upper < most else None)


class RunsSummary(NamedTuple):
    """Anhøj's runs analysis of one part."""

    n_useful: int
    longest_run: int
    longest_run_max: int
    n_crossings: int
    n_crossings_min: int

    @property
    def signal(self) -> bool:
        return self.n_useful > 0 and (
            self.longest_run > self.longest_run_max or self.n_crossings < self.n_crossings_min
        )


def anhoej(signs: Signs) -> RunsSummary:
    """Anhøj's counts and critical values for `signs` (see `sides`)."""
    n_useful = int(np.count_nonzero(signs))
    return RunsSummary(
        n_useful=n_useful,
        longest_run=longest_run(signs),
        longest_run_max=longest_run_max(n_useful),
        n_crossings=crossings(signs),
        n_crossings_min=crossings_min(n_useful),
    )
