"""NHS England's Making Data Count: special cause rules, point types and the variation and
assurance icons.

Follows NHSRplotthedots (nhs-r-community, MIT licence), R/ptd_calculate_point_type.R,
R/ptd_spc_standard.R, R/ptd_calculate_assurance_type.R and R/geom_ptd_icon.R; the helpers
below keep its names and its 0/1/-1 codes so that its unit tests
(tests/testthat/test-ptd_calculate_point_type.R) read across one for one:

- a point outside the 3-sigma process limits (strictly beyond, as `y > upl | y < lpl`);
- 7 points in a row on the same side of the mean (`seven_point_one_side_mean`; a point on
  the mean breaks the run, unlike the runs rules, because NHSRplotthedots codes it 0);
- a trend of 7 points each strictly higher, or each strictly lower, than the one before
  (`seven_point_trend`; an equal value breaks the trend);
- 2 of 3 points in a row beyond the 2-sigma lines, with all 3 on the same side of the mean
  (`two_in_three`). As NHSRplotthedots, "close to the limits" is between the 2-sigma line and
  the process limit: a point already outside the limits does not count towards 2 of 3, and
  only the close points themselves are flagged (`part_of_two_in_three`).

A point's type follows NHSRplotthedots' priority: outside the limits, then a trend, then 2
of 3, then 7 on one side; the side of that reason, with the improvement direction, makes it
improvement or concern (or "neither", higher or lower, with no direction). Where a point
ends one trend and starts another, the later trend's direction is used (NHSRplotthedots'
"use right side").

Assurance compares the target with the latest process limits: with improvement up, a
target at or below the lower limit is consistently passed, at or above the upper limit
consistently failed, and otherwise hit and missed at random (mirrored when down). NHSR-
plotthedots uses strict inequalities (a target exactly on a limit is "inconsistent");
we follow the brief's at-or-beyond, which differs only when the target equals a limit.
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from carejourney.measures.spc.runs import Signs, segment_flags, trends
from carejourney.measures.spc.types import (
    AssuranceIcon,
    Flags,
    Floats,
    Improvement,
    Limits,
    VariationIcon,
)

RUN = 7  # points in a row on one side of the mean
TREND = 7  # points in a row each higher (or lower) than the one before
Codes = NDArray[np.int8]


class PointType(StrEnum):
    """NHSRplotthedots' point types; "neither" when no improvement direction is given
    (NHSRplotthedots' special_cause_neutral_high/low)."""

    COMMON = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEITHER_HIGH = "special_cause_neither_high"
    NEITHER_LOW = "special_cause_neither_low"


def _codes(values: ArrayLike) -> Codes:
    return np.asarray(values, dtype=np.int8)


def _streak(codes: Codes) -> NDArray[np.int64]:
    """How many equal non-zero codes end at each position (0 where the code is 0)."""
    n = codes.size
    index = np.arange(n, dtype=np.int64)
    if n == 0:
        return index
    new = np.concatenate(([True], codes[1:] != codes[:-1]))
    start = np.maximum.accumulate(np.where(new, index, 0))
    return np.where(codes != 0, index - start + 1, 0)


def seven_point_one_side_mean(relative_to_mean: Codes) -> Codes:
    """1 at each point that is the 7th or later of a run on one side of the mean (codes
    +1/-1; 0, on the mean, breaks a run), else 0 (`ptd_seven_point_one_side_mean`)."""
    return (_streak(_codes(relative_to_mean)) >= RUN).astype(np.int8)


def seven_point_trend(y: Floats) -> Codes:
    """+1 (-1) at each point that ends 7 points each strictly higher (lower) than the one
    before, else 0 (`ptd_seven_point_trend`)."""
    y = np.asarray(y, dtype=np.float64)
    out = np.zeros(y.size, dtype=np.int8)
    if y.size < TREND:
        return out
    step = np.diff(y)
    direction = (step > 0).astype(np.int8) - (step < 0).astype(np.int8)
    ends = _streak(direction) >= TREND - 1
    out[1:][ends] = direction[ends]
    return out


def part_of_seven_trend(v: Codes) -> Codes:
    """1 at each point that is, or is one of the 6 before, a point coded ±1 by
    `seven_point_one_side_mean` or `seven_point_trend` (`ptd_part_of_seven_trend`)."""
    hit = np.abs(_codes(v)) == 1
    total = np.concatenate(([0], np.cumsum(hit)))
    n = hit.size
    ahead = np.minimum(np.arange(n) + RUN, n)
    part: Codes = (total[ahead] - total[:n] > 0).astype(np.int8)
    return part


def two_in_three_windows(close_to_limits: Codes, relative_to_mean: Codes) -> Codes:
    """For each 3 points in a row (starting at 0, 1, ..., n - 3): +1 (-1) when 2 or more
    are close to the limits and all 3 lie above (below) the mean, else 0."""
    close = _codes(close_to_limits).astype(np.int64)
    side = _codes(relative_to_mean).astype(np.int64)
    if close.size < 3:
        return np.zeros(0, dtype=np.int8)
    window_close = close[:-2] + close[1:-1] + close[2:]
    window_side = side[:-2] + side[1:-1] + side[2:]
    fires = (window_close >= 2) & (np.abs(window_side) == 3)
    return np.where(fires, np.sign(window_side), 0).astype(np.int8)


def two_in_three(close_to_limits: Codes, relative_to_mean: Codes) -> Codes:
    """1 at each point in some 3 in a row of which 2 or more are close to the limits and
    all 3 lie on the same side of the mean, else 0 (`ptd_two_in_three`)."""
    n = _codes(close_to_limits).size
    fires = two_in_three_windows(close_to_limits, relative_to_mean) != 0
    out = np.zeros(n, dtype=np.int8)
    for shift in range(3):  # the window starting at j covers j, j + 1 and j + 2
        out[shift : shift + fires.size] |= fires.astype(np.int8)
    return out


def part_of_two_in_three(v: Codes, close_to_limits: Codes) -> Codes:
    """1 at the points of a 2-in-3 pattern that are themselves close to the limits
    (`ptd_part_of_two_in_three`)."""
    part: Codes = ((_codes(v) == 1) & (np.abs(_codes(close_to_limits)) == 1)).astype(np.int8)
    return part


def near_limits(values: Floats, limits: Limits, outside: Signs) -> Flags:
    """Beyond a 2-sigma line but not outside the 3-sigma limits (NaN lines flag nothing)."""
    beyond = (values > limits.ucl_2sigma) | (values < limits.lcl_2sigma)
    return np.asarray(beyond & (outside == 0), dtype=np.bool_)


def trend_direction(y: Floats) -> Codes:
    """+1/-1 at every point of a Making Data Count trend (7 or more, ties break), 0
    elsewhere; a point shared by two trends takes the later one's direction."""
    found = trends(y, ties="break")
    size = np.asarray(y).size
    long = found.length >= TREND
    rising, falling = long & (found.side > 0), long & (found.side < 0)
    out = segment_flags(size, found.first[rising], found.last[rising]).astype(np.int8)
    out -= segment_flags(size, found.first[falling], found.last[falling]).astype(np.int8)
    # Two trends share only a turning point: the last of one, the first of the next.
    out[found.first[long]] = found.side[long]
    return out


def point_side(
    outside: Codes, trend: Codes, two_of_three: Flags, shift: Flags, relative_to_mean: Codes
) -> Codes:
    """The side (+1 higher, -1 lower, 0 common cause) of each point's special cause, by
    NHSRplotthedots' priority: outside the limits, trend, 2 of 3, 7 on one side."""
    return np.select(
        [outside != 0, trend != 0, two_of_three | shift],
        [outside, trend, relative_to_mean],
        default=0,
    ).astype(np.int8)


def point_types(side: Codes, improvement: Improvement | None) -> tuple[PointType, ...]:
    """Each point's type from its special-cause side (`point_side`) and which way is better."""
    sign = {Improvement.UP: 1, Improvement.DOWN: -1, None: 0}[improvement]
    if sign == 0:
        names = {1: PointType.NEITHER_HIGH, -1: PointType.NEITHER_LOW, 0: PointType.COMMON}
    else:
        names = {sign: PointType.IMPROVEMENT, -sign: PointType.CONCERN, 0: PointType.COMMON}
    return tuple(names[int(s)] for s in side)


ICONS = {
    PointType.COMMON: VariationIcon.COMMON,
    PointType.IMPROVEMENT: VariationIcon.IMPROVEMENT,
    PointType.CONCERN: VariationIcon.CONCERN,
    PointType.NEITHER_HIGH: VariationIcon.HIGHER,
    PointType.NEITHER_LOW: VariationIcon.LOWER,
}


def point_type_icon(point_type: PointType) -> VariationIcon:
    """The variation icon for the latest point's type (NHSRplotthedots `ptd_get_icons`)."""
    return ICONS[point_type]


def variation_icon(
    signal: bool, value: float, cl: float, improvement: Improvement | None
) -> VariationIcon:
    """The variation icon from whether the latest point is flagged and which side of the
    centre it is on. A shortcut for `point_type_icon` when only the flag is known: it
    differs only for a point in a trend on the other side of the centre from its direction
    (a falling trend still above the mean), where `point_type_icon` follows the trend."""
    side = (value > cl) - (value < cl) if signal else 0
    return point_type_icon(point_types(np.array([side], dtype=np.int8), improvement)[0])


def assurance_icon(
    limits: Limits, target: float | None, improvement: Improvement | None
) -> AssuranceIcon | None:
    """Where the target sits against the latest process limits (the last point with both
    limits); None without a target, a direction or limits."""
    if target is None or improvement is None or math.isnan(target):
        return None
    finite = np.flatnonzero(np.isfinite(limits.lcl) & np.isfinite(limits.ucl))
    if finite.size == 0:
        return None
    lcl, ucl = float(limits.lcl[finite[-1]]), float(limits.ucl[finite[-1]])
    at_or_below_lcl, at_or_above_ucl = target <= lcl, target >= ucl
    if improvement is Improvement.DOWN:
        at_or_below_lcl, at_or_above_ucl = at_or_above_ucl, at_or_below_lcl
    if at_or_below_lcl:
        return AssuranceIcon.PASS
    if at_or_above_ucl:
        return AssuranceIcon.FAIL
    return AssuranceIcon.HIT_AND_MISS
