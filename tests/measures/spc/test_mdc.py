"""Making Data Count: NHSRplotthedots' rule helpers (its own unit tests, from the shared
conformance vectors), point types, the rules through `apply_rules`, and the icons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from carejourney.measures.spc import mdc
from carejourney.measures.spc.mdc import PointType
from carejourney.measures.spc.rules import RuleOutcome, apply_rules
from carejourney.measures.spc.types import (
    AssuranceIcon,
    Improvement,
    Limits,
    RuleSetName,
    Side,
    SignalKind,
    VariationIcon,
)
from tests.measures.spc.test_runs import NAN, conformance, flagged, vector

UP, DOWN = Improvement.UP, Improvement.DOWN
COMMON, IMPROVEMENT, CONCERN = PointType.COMMON, PointType.IMPROVEMENT, PointType.CONCERN
HIGH, LOW = PointType.NEITHER_HIGH, PointType.NEITHER_LOW


def codes(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int8)


# --- NHSRplotthedots' unit tests ---------------------------------------------------------


def run_case(fn: str, given: Any) -> list[int]:
    """One case of `nhsrplotthedots_rule_unit_tests`, named as in the R tests."""
    if fn.startswith("seven_point_one_side_mean"):
        out = mdc.seven_point_one_side_mean(codes(given))
    elif fn.startswith("seven_point_trend"):
        out = mdc.seven_point_trend(np.array(given, dtype=np.float64))
    elif fn.startswith("part_of_seven_trend"):
        out = mdc.part_of_seven_trend(codes(given))
    elif fn.startswith("two_in_three"):
        out = mdc.two_in_three(codes(given[0]), codes(given[1]))
    elif fn.startswith("part_of_two_in_three"):
        close = codes(given)  # all on the same side of the mean
        out = mdc.part_of_two_in_three(mdc.two_in_three(close, np.ones_like(close)), close)
    else:
        raise AssertionError(fn)
    return [int(x) for x in out]


UNIT_CASES = [
    case
    for case in vector("nhsrplotthedots_rule_unit_tests")["cases"]
    if "input" in case  # the symmetric 16-point case has its own test below
]


@pytest.mark.parametrize("case", UNIT_CASES, ids=lambda c: f"{c['fn'].split('(')[0]}{c['input']}")
def test_nhsrplotthedots_unit_cases(case: dict[str, Any]) -> None:
    assert run_case(case["fn"], case["input"]) == case["expected"]


# More of test-ptd_calculate_point_type.R, as a table.
#  helper                        input                                       expected
MORE_CASES = [
    ("seven_point_one_side_mean", [],                                         []),
    ("seven_point_one_side_mean", [1] * 6,                                    [0] * 6),
    ("seven_point_one_side_mean", [-1] * 8 + [1],                             [0] * 6 + [1, 1, 0]),
    ("seven_point_one_side_mean", [1, 1, 1, 0, 1, 1, 1, 1],                   [0] * 8),
    ("part_of_seven_trend",       [0] * 6,                                    [0] * 6),
    ("part_of_seven_trend",       [0] * 7 + [1, 0],                           [0] + [1] * 7 + [0]),
    ("part_of_seven_trend",       [0] * 6 + [-1, 0],                          [1] * 7 + [0]),
    ("seven_point_trend",         [1, 2, 3, 4, 5, 6],                         [0] * 6),
    ("seven_point_trend",         [2, 7, 6, 5, 4, 3, 2, 1, 3],                [0] * 7 + [-1, 0]),
    ("seven_point_trend",         [1, 2, 3, 4, 5, 6, 7, 8],                   [0] * 6 + [1, 1]),
    ("two_in_three",              [[1, 0, 1], [1, 1, 1]],                     [1, 1, 1]),
    ("two_in_three",              [[0, 1, 1], [1, 1, 1]],                     [1, 1, 1]),
    ("two_in_three",              [[1, 1, 0], [1, 1, 1]],                     [1, 1, 1]),
    ("two_in_three",              [[0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]], [0] * 7),
    ("two_in_three",              [[1, 1], [1, 1]],                           [0, 0]),
    ("part_of_two_in_three",      [1, 0, 0, 1],                               [0, 0, 0, 0]),
    ("part_of_two_in_three",      [0, 1, 1],                                  [0, 1, 1]),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "given", "expected"), MORE_CASES)
def test_more_nhsrplotthedots_cases(fn: str, given: Any, expected: list[int]) -> None:
    assert run_case(fn, given) == expected


# --- limits as NHSRplotthedots works them out (ptd_spc_standard) -------------------------


def ptd_limits(values: list[float], *, screen: bool = True) -> Limits:
    """Mean ± 2.66 x mean moving range (moving ranges of 3.267 x their mean or more left
    out when screening), 2-sigma lines at two thirds of the way."""
    y = np.asarray(values, dtype=np.float64)
    mean = float(y.mean())
    mr = np.abs(np.diff(y))
    amr = float(mr.mean())
    if screen:
        amr = float(mr[mr < 3.267 * amr].mean())

    def flat(x: float) -> np.ndarray:
        return np.full(y.size, x)

    return Limits(
        value=y,
        cl=flat(mean),
        lcl=flat(mean - 2.66 * amr),
        ucl=flat(mean + 2.66 * amr),
        lcl_2sigma=flat(mean - 2 / 3 * 2.66 * amr),
        ucl_2sigma=flat(mean + 2 / 3 * 2.66 * amr),
        centre_for_runs=mean,
    )


def making_data_count(
    lim: Limits, improvement: Improvement | None = UP, *, exclude: tuple[int, ...] = ()
) -> RuleOutcome:
    include = np.ones(lim.value.size, dtype=np.bool_)
    include[[i - 1 for i in exclude]] = False
    return apply_rules(RuleSetName.MDC, lim, include, part=1, offset=0, improvement=improvement)


def test_symmetric_sixteen_points_are_common_cause() -> None:
    """c(1, -1) x 8 with points 15 and 16 at 5.5 and -5.5: both close to the limits, but on
    opposite sides of the mean, so not 2 of 3."""
    (case,) = [c for c in vector("nhsrplotthedots_rule_unit_tests")["cases"] if "input" not in c]
    values = [1.0, -1.0] * 7 + [5.5, -5.5]
    for screen in (True, False):
        lim = ptd_limits(values, screen=screen)
        outside = np.zeros(16, dtype=np.int8)
        assert mdc.near_limits(lim.value, lim, outside)[-2:].tolist() == [True, True]
        outcome = making_data_count(lim)
        assert [t.value for t in outcome.point_types[-2:]] == case["expected_last_two"]
        assert outcome.signals == ()


@pytest.mark.parametrize("screen", [True, False], ids=["screened", "unscreened (Excel)"])
def test_deviations_vignette_point_5_is_improvement(screen: bool) -> None:
    v = vector("nhsrplotthedots_deviations_vignette")
    lim = ptd_limits(v["y"], screen=screen)
    expected = v["expected"]["screened" if screen else "unscreened_excel"]
    assert (lim.cl[0], lim.lcl[0], lim.ucl[0]) == pytest.approx(
        (expected["mean"], expected["lpl"], expected["upl"]), abs=1e-6
    )
    outcome = making_data_count(lim)
    assert outcome.point_types[4] is IMPROVEMENT
    assert flagged(outcome, SignalKind.OUTSIDE_LIMITS) == [5]
    assert [p for p, t in enumerate(outcome.point_types, start=1) if t is not COMMON] == [5]


# --- the rules through apply_rules, by hand ----------------------------------------------


def flat_limits(values: list[float], mean: float = 0.0, sigma: float = 10.0) -> Limits:
    """Limits at mean ± 3 sigma and 2-sigma lines at mean ± 2 sigma."""
    y = np.asarray(values, dtype=np.float64)

    def flat(x: float) -> np.ndarray:
        return np.full(y.size, x)

    return Limits(
        value=y,
        cl=flat(mean),
        lcl=flat(mean - 3 * sigma),
        ucl=flat(mean + 3 * sigma),
        lcl_2sigma=flat(mean - 2 * sigma),
        ucl_2sigma=flat(mean + 2 * sigma),
        centre_for_runs=mean,
    )


def signals_of(outcome: RuleOutcome) -> list[tuple[str, int, int, str | None, int | None]]:
    return [
        (s.kind.value, s.first, s.last, s.side.value if s.side else None, s.length)
        for s in outcome.signals
    ]


# Values around a mean of 0 (limits ±30, 2-sigma lines ±20), the points MDC flags and its
# signals. Points that alternate up and down make no trend.
MDC_CASES = [
    ("7 above the mean",            [-1, 1, 2, 1, 2, 1, 2, 1, -1],        "shift", [2, 3, 4, 5, 6, 7, 8],
     [("shift", 2, 8, "above", 7)]),
    ("6 above is not enough",       [-1, 1, 2, 1, 2, 1, 2, -1, -2],       "shift", [], []),
    ("a point on the mean breaks",  [1, 2, 1, 2, 0, 1, 2, 1, 2],          "shift", [], []),
    ("7 rising",                    [-3, -2, -1, 1, 2, 3, 4, 1],          "trend", [1, 2, 3, 4, 5, 6, 7],
     [("trend", 1, 7, "above", 7)]),
    ("6 rising is not enough",      [-3, -2, -1, 1, 2, 3, -5],            "trend", [], []),
    ("a tie breaks a trend",        [-3, -2, -1, -1, 1, 2, 3, 4, -5],     "trend", [], []),
    ("7 falling",                   [9, 8, 7, 6, 5, 4, 3],                "trend", [1, 2, 3, 4, 5, 6, 7],
     [("shift", 1, 7, "above", 7), ("trend", 1, 7, "below", 7)]),
    ("2 of 3 beyond 2 sigma",       [1, 25, 5, 22, -1],                   "two of three", [2, 4],
     [("two of three", 2, 4, "above", 2)]),
    ("2 of 3, opposite sides",      [1, 25, -5, 22, -1],                  "two of three", [], []),
    ("all 3 must be on one side",   [1, -25, -22, 5],                     "two of three", [], []),
    ("2 of 3 below, adjacent",      [-1, -25, -22, 5],                    "two of three", [2, 3],
     [("two of three", 2, 3, "below", 2)]),
    ("3 of 5 beyond, one pattern",  [25, 1, 22, 1, 24, -1],               "two of three", [1, 3, 5],
     [("two of three", 1, 5, "above", 3)]),
    ("outside does not count to 2 of 3", [1, 35, 1, 22, -1],              "two of three", [],
     [("outside limits", 2, 2, "above", 1)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "kind", "points", "signals"),
    [case[1:] for case in MDC_CASES],
    ids=[case[0] for case in MDC_CASES],
)
def test_mdc_rules(
    values: list[float], kind: str, points: list[int], signals: list[tuple[Any, ...]]
) -> None:
    outcome = making_data_count(flat_limits(values))
    assert flagged(outcome, SignalKind(kind)) == points
    assert signals_of(outcome) == signals
    assert outcome.runs_signal == any(s[0] in ("shift", "trend") for s in signals)


def test_mdc_counts_seven_from_the_mean_not_the_centre_for_runs() -> None:
    lim = flat_limits([1, 2, 1, 2, 1, 2, 1], mean=0.0)
    lim = Limits(**{**vars(lim), "centre_for_runs": 1.5})  # e.g. a median elsewhere
    outcome = making_data_count(lim)
    assert flagged(outcome, SignalKind.SHIFT) == [1, 2, 3, 4, 5, 6, 7]
    # ... while the Anhøj counts in the summary still use the centre for runs.
    assert (outcome.n_useful, outcome.n_crossings) == (7, 6)


def test_mdc_skips_excluded_points() -> None:
    values = [1, 2, 1, -9, 2, 1, 2, 1]
    assert flagged(making_data_count(flat_limits(values)), SignalKind.SHIFT) == []
    outcome = making_data_count(flat_limits(values), exclude=(4,))
    assert flagged(outcome, SignalKind.SHIFT) == [1, 2, 3, 5, 6, 7, 8]
    assert outcome.point_types[3] is COMMON


def test_point_types_follow_nhsrplotthedots_priority() -> None:
    # Points 2-8 fall (a falling trend) but stay above the mean (7 on one side); point 2 is
    # also above the upper limit. Outside the limits comes first, then the trend, then 7 on
    # one side.
    values = [-1, 35, 18, 17, 16, 15, 14, 13]
    up = making_data_count(flat_limits(values), UP).point_types
    assert up == (COMMON, IMPROVEMENT, *[CONCERN] * 6)
    down = making_data_count(flat_limits(values), DOWN).point_types
    assert down == (COMMON, CONCERN, *[IMPROVEMENT] * 6)
    neither = making_data_count(flat_limits(values), None).point_types
    assert neither == (COMMON, HIGH, *[LOW] * 6)


def test_a_turning_point_takes_the_later_trend() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    outcome = making_data_count(flat_limits(values, mean=10.0), UP)  # all 13 below the mean
    assert outcome.point_types[6] is CONCERN  # the peak starts the falling trend
    assert outcome.point_types[:6] == (IMPROVEMENT,) * 6
    trends = [s for s in outcome.signals if s.kind is SignalKind.TREND]
    assert [(s.first, s.last, s.side) for s in trends] == [
        (1, 7, Side.ABOVE),
        (7, 13, Side.BELOW),
    ]


def test_point_types_from_sides() -> None:
    sides = codes([1, -1, 0])
    assert mdc.point_types(sides, UP) == (IMPROVEMENT, CONCERN, COMMON)
    assert mdc.point_types(sides, DOWN) == (CONCERN, IMPROVEMENT, COMMON)
    assert mdc.point_types(sides, None) == (HIGH, LOW, COMMON)


# --- icons -------------------------------------------------------------------------------

POINT_ICONS = [
    (COMMON, VariationIcon.COMMON),
    (IMPROVEMENT, VariationIcon.IMPROVEMENT),
    (CONCERN, VariationIcon.CONCERN),
    (HIGH, VariationIcon.HIGHER),
    (LOW, VariationIcon.LOWER),
]


@pytest.mark.parametrize(("point_type", "icon"), POINT_ICONS)
def test_variation_icon_from_the_latest_point_type(
    point_type: PointType, icon: VariationIcon
) -> None:
    assert mdc.point_type_icon(point_type) is icon


#  flagged  value  centre  improvement  icon
VARIATION = [
    (False,  9.0,  5.0,  UP,    VariationIcon.COMMON),
    (True,   9.0,  5.0,  UP,    VariationIcon.IMPROVEMENT),
    (True,   1.0,  5.0,  UP,    VariationIcon.CONCERN),
    (True,   9.0,  5.0,  DOWN,  VariationIcon.CONCERN),
    (True,   1.0,  5.0,  DOWN,  VariationIcon.IMPROVEMENT),
    (True,   9.0,  5.0,  None,  VariationIcon.HIGHER),
    (True,   1.0,  5.0,  None,  VariationIcon.LOWER),
    (False,  1.0,  5.0,  None,  VariationIcon.COMMON),
]  # fmt: skip


@pytest.mark.parametrize(("signal", "value", "cl", "improvement", "icon"), VARIATION)
def test_variation_icon_from_the_latest_flag(
    signal: bool, value: float, cl: float, improvement: Improvement | None, icon: VariationIcon
) -> None:
    assert mdc.variation_icon(signal, value, cl, improvement) is icon


PASS, FAIL, HIT_AND_MISS = AssuranceIcon.PASS, AssuranceIcon.FAIL, AssuranceIcon.HIT_AND_MISS
#  target  improvement  icon   (latest limits 10 to 30)
ASSURANCE = [
    (5.0,   UP,    PASS),
    (10.0,  UP,    PASS),          # at the lower limit: passed (NHSRplotthedots: inconsistent)
    (20.0,  UP,    HIT_AND_MISS),
    (30.0,  UP,    FAIL),
    (35.0,  UP,    FAIL),
    (5.0,   DOWN,  FAIL),
    (10.0,  DOWN,  FAIL),
    (20.0,  DOWN,  HIT_AND_MISS),
    (30.0,  DOWN,  PASS),
    (35.0,  DOWN,  PASS),
    (20.0,  None,  None),
    (None,  UP,    None),
]  # fmt: skip


@pytest.mark.parametrize(("target", "improvement", "icon"), ASSURANCE)
def test_assurance_icon(
    target: float | None, improvement: Improvement | None, icon: AssuranceIcon | None
) -> None:
    lim = flat_limits([0.0, 0.0, 0.0], mean=100.0)  # earlier limits that do not count
    lim = Limits(
        **{**vars(lim), "lcl": np.array([0.0, 10.0, NAN]), "ucl": np.array([1.0, 30.0, NAN])}
    )
    assert mdc.assurance_icon(lim, target, improvement) == icon


def test_no_assurance_icon_without_limits() -> None:
    lim = flat_limits([1.0, 2.0])
    lim = Limits(**{**vars(lim), "lcl": np.full(2, NAN), "ucl": np.full(2, NAN)})
    assert mdc.assurance_icon(lim, 1.5, UP) is None


def test_conformance_file_lists_the_unit_cases() -> None:
    cases = vector("nhsrplotthedots_rule_unit_tests")["cases"]
    assert len(cases) == len(UNIT_CASES) + 1
    assert conformance()["vectors"]
