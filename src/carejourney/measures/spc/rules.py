"""The rule sets applied to one part (phase) of a chart: which points each rule flags, one
`Signal` per pattern, and the counts a part's summary shows.

- Anhøj (qicharts2's default): points outside the 3-sigma limits, a longest run longer than
  round(log2(n)) + 3, fewer crossings than qbinom(0.05, n - 1, 0.5) (`runs`).
- IHI (Provost & Murray; Perla et al. 2011): outside the limits, a shift of 6, a trend of
  5 (like values counted once), too few or too many runs (Swed-Eisenhart), and the points
  the user names as astronomical (`runs`).
- Making Data Count (NHSRplotthedots): outside the limits, 7 on one side of the mean, a
  trend of 7, 2 of 3 beyond 2-sigma on the same side (`mdc`).

Conventions (qicharts2's unless said): excluded points and missing values take no part in
runs, shifts or trends (they neither make nor break one) but are still flagged when outside
the 3-sigma limits; `sigma_signals` counts the included points outside the limits (pbcharts). A
run, shift or trend flags its useful points (a point on the centre line inside a shift is
not part of it); too few crossings or runs flag every useful point of the part. Anhøj's
counts are always worked out, whatever the rule set, for the part's summary; the runs are
counted from `limits.centre_for_runs` (the median of a run chart), while Making Data Count
counts its 7 on one side from the mean, `limits.cl`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from carejourney.measures.spc import mdc
from carejourney.measures.spc.mdc import PointType
from carejourney.measures.spc.runs import (
    IHI_SHIFT,
    IHI_TREND,
    Positions,
    Segments,
    Signs,
    anhoej,
    outside_limits,
    runs,
    segment_flags,
    sides,
    stretches,
    swed_eisenhart_limits,
    trends,
)
from carejourney.measures.spc.types import (
    Flags,
    Improvement,
    Limits,
    RuleSetName,
    Side,
    Signal,
    SignalKind,
)

SIDES = {1: Side.ABOVE, -1: Side.BELOW}


@dataclass(frozen=True)
class RuleOutcome:
    """What the rules found in one part. `flags` has one array per rule the set applies,
    one value per point of the part; `signals` count points from 1 over the whole series.
    `point_types` (Making Data Count only) gives each point's NHSRplotthedots type, for
    the variation icon of the latest point (`mdc.point_type_icon`)."""

    flags: dict[SignalKind, Flags]
    signals: tuple[Signal, ...]
    n_obs: int
    n_useful: int
    longest_run: int
    longest_run_max: int
    n_crossings: int
    n_crossings_min: int
    runs_signal: bool
    n_runs: int
    runs_min: int | None
    runs_max: int | None
    sigma_signals: int
    point_types: tuple[PointType, ...] = field(default=())


class _Found:
    """Flags and signals gathered for one part, positions 0-based within the part."""

    def __init__(self, size: int, part: int, offset: int) -> None:
        self.size, self.part, self.offset = size, part, offset
        self.flags: dict[SignalKind, Flags] = {}
        self.signals: list[Signal] = []

    def add(
        self,
        kind: SignalKind,
        flags: Flags,
        found: Segments,
        *,
        expected: int | None = None,
        sided: bool = True,
    ) -> None:
        self.flags[kind] = flags
        for first, last, length, side in zip(*found, strict=True):
            self.signals.append(
                Signal(
                    kind=kind,
                    part=self.part,
                    first=self.offset + int(first) + 1,
                    last=self.offset + int(last) + 1,
                    side=SIDES.get(int(side)) if sided else None,
                    length=int(length),
                    expected=expected,
                )
            )

    def whole_part(self, kind: SignalKind, signs: Signs, count: int, expected: int) -> None:
        """A signal about the part as a whole (too few crossings or runs): it flags every
        useful point and spans the first to the last of them."""
        useful = np.flatnonzero(signs != 0)
        one = np.array([0], dtype=np.int64)
        self.add(
            kind,
            signs != 0,
            Segments(useful[:1], useful[-1:], one + count, np.zeros(1, dtype=np.int8)),
            expected=expected,
            sided=False,
        )


def _keep(found: Segments, keep: Flags) -> Segments:
    return Segments(found.first[keep], found.last[keep], found.length[keep], found.side[keep])


def _at(found: Segments, positions: Positions) -> Segments:
    """`found` in a subsequence, moved to the positions in the part it was taken from."""
    return Segments(positions[found.first], positions[found.last], found.length, found.side)


def _pattern_flags(size: int, found: Segments, among: Flags) -> Flags:
    return segment_flags(size, found.first, found.last) & among


def apply_rules(
    rules: RuleSetName,
    limits: Limits,
    include: Flags,
    *,
    part: int,
    offset: int,
    astronomical: Flags | None = None,
    improvement: Improvement | None = None,
) -> RuleOutcome:
    """Apply the rule set `rules` to one part whose centre and limits are `limits`.

    `include` is False for excluded points; `offset` is the 0-based index of the part's
    first point in the whole series (signals count from 1 over the whole series);
    `astronomical` marks the points the user judges astronomical (IHI only);
    `improvement` gives Making Data Count's point types their meaning."""
    value = np.asarray(limits.value, dtype=np.float64)
    size = value.size
    include = np.asarray(include, dtype=np.bool_)
    counted = include & np.isfinite(value)
    signs = sides(value, limits.centre_for_runs, counted)
    summary = anhoej(signs)
    useful = signs != 0

    found = _Found(size, part, offset)
    outside = outside_limits(value, limits.lcl, limits.ucl)
    # Every point outside, excluded or not (qicharts2); one signal per group of
    # consecutive points beyond the same limit.
    found.add(SignalKind.OUTSIDE_LIMITS, outside != 0, stretches(outside))
    n_runs = summary.n_crossings + 1 if summary.n_useful else 0
    runs_min: int | None = None
    runs_max: int | None = None
    point_types: tuple[PointType, ...] = ()

    if rules is RuleSetName.ANHOEJ:
        every = runs(signs)
        long = _keep(every, every.length > summary.longest_run_max)
        found.add(
            SignalKind.LONG_RUN,
            _pattern_flags(size, long, useful),
            long,
            expected=summary.longest_run_max,
        )
        found.flags[SignalKind.FEW_CROSSINGS] = np.zeros(size, dtype=np.bool_)
        if summary.n_useful and summary.n_crossings < summary.n_crossings_min:
            found.whole_part(
                SignalKind.FEW_CROSSINGS, signs, summary.n_crossings, summary.n_crossings_min
            )
        runs_signal = summary.signal

    elif rules is RuleSetName.IHI:
        every = runs(signs)
        shifts = _keep(every, every.length >= IHI_SHIFT)
        found.add(
            SignalKind.SHIFT, _pattern_flags(size, shifts, useful), shifts, expected=IHI_SHIFT
        )
        positions = np.flatnonzero(counted)
        in_trend = trends(value[positions], ties="ignore")
        in_trend = _at(_keep(in_trend, in_trend.length >= IHI_TREND), positions)
        found.add(
            SignalKind.TREND, _pattern_flags(size, in_trend, counted), in_trend, expected=IHI_TREND
        )
        runs_min, runs_max = swed_eisenhart_limits(
            int(np.count_nonzero(signs > 0)), int(np.count_nonzero(signs < 0))
        )
        found.flags[SignalKind.FEW_RUNS] = np.zeros(size, dtype=np.bool_)
        found.flags[SignalKind.MANY_RUNS] = np.zeros(size, dtype=np.bool_)
        if runs_min is not None and n_runs < runs_min:
            found.whole_part(SignalKind.FEW_RUNS, signs, n_runs, runs_min)
        if runs_max is not None and n_runs > runs_max:
            found.whole_part(SignalKind.MANY_RUNS, signs, n_runs, runs_max)
        named = (
            np.zeros(size, dtype=np.bool_)
            if astronomical is None
            else np.asarray(astronomical, dtype=np.bool_)
        )
        at = np.flatnonzero(named).astype(np.int64)
        side = sides(value[at], limits.centre_for_runs)
        found.add(SignalKind.ASTRONOMICAL, named, Segments(at, at, np.ones_like(at), side))
        runs_signal = any(
            kind in (SignalKind.SHIFT, SignalKind.TREND, SignalKind.FEW_RUNS, SignalKind.MANY_RUNS)
            for kind in (s.kind for s in found.signals)
        )

    else:
        runs_signal, point_types = _making_data_count(
            found, limits, value, counted, outside, improvement
        )

    signals = tuple(sorted(found.signals, key=lambda s: (s.first, s.last, s.kind)))
    return RuleOutcome(
        flags=found.flags,
        signals=signals,
        n_obs=int(np.count_nonzero(include)),
        n_useful=summary.n_useful,
        longest_run=summary.longest_run,
        longest_run_max=summary.longest_run_max,
        n_crossings=summary.n_crossings,
        n_crossings_min=summary.n_crossings_min,
        runs_signal=runs_signal,
        n_runs=n_runs,
        runs_min=runs_min,
        runs_max=runs_max,
        sigma_signals=int(np.count_nonzero((outside != 0) & include)),
        point_types=point_types,
    )


def _making_data_count(
    found: _Found,
    limits: Limits,
    value: NDArray[np.float64],
    counted: Flags,
    outside: Signs,
    improvement: Improvement | None,
) -> tuple[bool, tuple[PointType, ...]]:
    """Making Data Count's rules over the counted points (excluded and missing ones
    skipped), mapped back onto the part; returns whether a shift or trend was found and
    each point's type."""
    size = value.size
    positions = np.flatnonzero(counted)
    sub = value[positions]
    side_sub = sides(sub, limits.cl[positions])
    close_sub = mdc.near_limits(value, limits, outside)[positions].astype(np.int8)

    def spread(sub_flags: NDArray[np.generic]) -> Flags:
        out = np.zeros(size, dtype=np.bool_)
        out[positions] = np.asarray(sub_flags, dtype=np.bool_)
        return out

    # 7 on one side of the mean: a point on the mean breaks the run here.
    same_side = stretches(side_sub)
    one_side = _keep(same_side, same_side.length >= mdc.RUN)
    shift = spread(mdc.part_of_seven_trend(mdc.seven_point_one_side_mean(side_sub)))
    found.add(SignalKind.SHIFT, shift, _at(one_side, positions), expected=mdc.RUN)

    rising_falling = trends(sub, ties="break")
    rising_falling = _keep(rising_falling, rising_falling.length >= mdc.TREND)
    direction_sub = mdc.trend_direction(sub)
    trend_direction = np.zeros(size, dtype=np.int8)
    trend_direction[positions] = direction_sub
    found.add(
        SignalKind.TREND,
        trend_direction != 0,
        _at(rising_falling, positions),
        expected=mdc.TREND,
    )

    two_sub = mdc.part_of_two_in_three(mdc.two_in_three(close_sub, side_sub), close_sub) == 1
    found.add(
        SignalKind.TWO_OF_THREE,
        spread(two_sub),
        _at(_two_in_three_patterns(close_sub, side_sub, two_sub), positions),
    )

    side = np.zeros(size, dtype=np.int8)
    side[positions] = side_sub
    point_side = mdc.point_side(
        outside, trend_direction, found.flags[SignalKind.TWO_OF_THREE], shift, side
    )
    return bool(one_side.first.size or rising_falling.first.size), mdc.point_types(
        point_side, improvement
    )


def _two_in_three_patterns(close: Signs, side: Signs, flagged: Flags) -> Segments:
    """One pattern per chain of overlapping firing windows on the same side, from its
    first to its last flagged (close) point; `length` counts the flagged points."""
    windows = mdc.two_in_three_windows(close, side)
    starts = np.flatnonzero(windows != 0).astype(np.int64)
    if starts.size == 0:
        return stretches(np.zeros(0, dtype=np.int8))
    window_side = windows[starts]
    # Windows overlap when they start at most 2 apart; a change of side starts anew.
    new = np.concatenate(([True], (np.diff(starts) > 2) | (window_side[1:] != window_side[:-1])))
    group_first = starts[new]
    # The last window of each group is the one just before the next group's first.
    last_of_group = np.concatenate((np.flatnonzero(new)[1:] - 1, [starts.size - 1]))
    group_last = starts[last_of_group] + 2
    points = np.flatnonzero(flagged).astype(np.int64)
    lo = np.searchsorted(points, group_first, side="left")
    hi = np.searchsorted(points, group_last, side="right")
    return Segments(points[lo], points[hi - 1], (hi - lo).astype(np.int64), window_side[new])
