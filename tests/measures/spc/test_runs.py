"""Runs analysis (Anhøj and IHI rules) and `apply_rules`, against the shared conformance
vectors (qicharts2, crossrun, pbcharts), the exact distributions worked out by brute force,
and small hand-checked series."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.measures.spc.rules import RuleOutcome, apply_rules
from carejourney.measures.spc.runs import (
    anhoej,
    binomial_quantile,
    crossings,
    crossings_min,
    longest_run,
    longest_run_max,
    run_flags,
    runs,
    sides,
    swed_eisenhart_limits,
    trend_flags,
    trends,
)
from carejourney.measures.spc.types import Limits, RuleSetName, Side, SignalKind

VECTORS = Path(__file__).parents[3].parent / "shared" / "conformance" / "spc_vectors.json"
NAN = float("nan")


@cache
def conformance() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VECTORS.read_text())
    return data


def vector(name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(v for v in conformance()["vectors"] if v["id"] == name)
    return found


def limits_of(
    values: list[float] | np.ndarray,
    centre: float,
    lcl: float | list[float] = NAN,
    ucl: float | list[float] = NAN,
    *,
    sigma: float | None = None,
) -> Limits:
    """A part's limits built by hand: constant (or per-point) 3-sigma limits, 2-sigma lines
    two thirds of the way out when `sigma` is given, else none."""
    value = np.asarray(values, dtype=np.float64)

    def per_point(x: float | list[float]) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=np.float64), value.shape).copy()

    two = NAN if sigma is None else 2 * sigma
    return Limits(
        value=value,
        cl=per_point(centre),
        lcl=per_point(lcl),
        ucl=per_point(ucl),
        lcl_2sigma=per_point(centre - two),
        ucl_2sigma=per_point(centre + two),
        centre_for_runs=centre,
    )


def analyse(
    rules: RuleSetName,
    values: list[float] | np.ndarray,
    centre: float,
    lcl: float | list[float] = NAN,
    ucl: float | list[float] = NAN,
    *,
    exclude: tuple[int, ...] = (),
    astronomical: tuple[int, ...] = (),
    offset: int = 0,
) -> RuleOutcome:
    """`apply_rules` on one part; `exclude` and `astronomical` count from 1 in the part."""
    lim = limits_of(values, centre, lcl, ucl)
    include = np.ones(lim.value.size, dtype=np.bool_)
    include[[i - 1 for i in exclude]] = False
    named = np.zeros(lim.value.size, dtype=np.bool_)
    named[[i - 1 for i in astronomical]] = True
    return apply_rules(rules, lim, include, part=1, offset=offset, astronomical=named)


def flagged(outcome: RuleOutcome, kind: SignalKind) -> list[int]:
    """The points (from 1) that `kind` flags."""
    return [int(i) + 1 for i in np.flatnonzero(outcome.flags[kind])]


def described(outcome: RuleOutcome) -> list[tuple[str, int, int, str | None, int | None]]:
    return [
        (s.kind.value, s.first, s.last, s.side.value if s.side else None, s.length)
        for s in outcome.signals
    ]


# --- Anhøj critical values ---------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", conformance()["anhoej_critical_values_n10_100"], ids=lambda e: str(e["n_useful"])
)
def test_anhoej_critical_values_match_qicharts2(entry: dict[str, int]) -> None:
    n = entry["n_useful"]
    assert (longest_run_max(n), crossings_min(n)) == (
        entry["longest_run_max"],
        entry["n_crossings_min"],
    )


def brute_quantile(p_num: int, p_den: int, size: int) -> int:
    """The smallest k with P(X <= k) >= p for X ~ Binomial(size, 1/2), summing every term
    C(size, i) with math.comb."""
    target, cumulative = p_num * 2**size, 0
    for k in range(size + 1):
        cumulative += math.comb(size, k)
        if p_den * cumulative >= target:
            return k
    raise AssertionError("unreachable")


def brute_quantile_large(p_num: int, p_den: int, size: int) -> int:
    """As `brute_quantile`, each term from the one before (math.comb for every k is slow
    for tens of thousands of points)."""
    target, cumulative, term = p_num * 2**size, 0, 1
    for k in range(size + 1):
        cumulative += term
        if p_den * cumulative >= target:
            return k
        term = term * (size - k) // (k + 1)
    raise AssertionError("unreachable")


@given(st.integers(min_value=10, max_value=100))
def test_critical_values_follow_the_formulas(n: int) -> None:
    assert longest_run_max(n) == round(math.log2(n)) + 3
    assert crossings_min(n) == brute_quantile(1, 20, n - 1)


@given(
    st.integers(min_value=0, max_value=400),
    st.sampled_from([(1, 40), (1, 20), (1, 10), (1, 2), (19, 20), (39, 40)]),
)
@settings(max_examples=200)
def test_binomial_quantile_is_r_qbinom(size: int, p: tuple[int, int]) -> None:
    assert binomial_quantile(p[0] / p[1], size) == brute_quantile(p[0], p[1], size)


@pytest.mark.parametrize("size", [4999, 5000, 5001, 5077, 12345, 60000])
def test_binomial_quantile_beyond_the_integer_range_is_still_exact(size: int) -> None:
    assert binomial_quantile(0.05, size) == brute_quantile_large(1, 20, size)


def test_critical_values_edge_cases() -> None:
    # No useful points: nothing to judge (qicharts2 gives NA; we give 0 and no signal).
    assert (longest_run_max(0), crossings_min(0)) == (0, 0)
    assert (longest_run_max(1), crossings_min(1)) == (3, 0)  # qbinom(0.05, 0, 0.5) = 0
    assert crossings_min(100_000) == 49_739  # fast: exact, cached
    with pytest.raises(ValueError):
        binomial_quantile(0.0, 10)


# --- per-point helpers -------------------------------------------------------------------


def test_sides_leave_out_points_on_the_line_excluded_and_missing() -> None:
    values = np.array([3.0, 1.0, 2.0, NAN, 5.0, 0.0])
    include = np.array([True, True, True, True, False, True])
    assert sides(values, 2.0, include).tolist() == [1, -1, 0, 0, 0, -1]
    assert sides(values, np.array([4, 0, 2, 2, 2, NAN])).tolist() == [-1, 1, 0, 0, 1, 0]


#  signs (0 = on the line)          runs (first, last, length, side)          longest  crossings
RUN_CASES = [
    ([1, 1, 0, 1, -1, -1, 1], [(0, 3, 3, 1), (4, 5, 2, -1), (6, 6, 1, 1)], 3, 2),
    ([0, 0, -1, 0, -1, 0], [(2, 4, 2, -1)], 2, 0),
    ([0, 0], [], 0, 0),
    ([1, -1, 1, -1], [(0, 0, 1, 1), (1, 1, 1, -1), (2, 2, 1, 1), (3, 3, 1, -1)], 1, 3),
]


@pytest.mark.parametrize(("signs", "expected", "longest", "crossed"), RUN_CASES)
def test_runs_skip_points_on_the_line(
    signs: list[int], expected: list[tuple[int, ...]], longest: int, crossed: int
) -> None:
    codes = np.array(signs, dtype=np.int8)
    assert [tuple(int(x) for x in row) for row in zip(*runs(codes), strict=True)] == expected
    assert longest_run(codes) == longest
    assert crossings(codes) == crossed


def test_run_flags_flag_the_useful_points_of_long_runs_only() -> None:
    codes = np.array([1, 1, 0, 1, -1, -1], dtype=np.int8)
    assert run_flags(codes, 3).tolist() == [True, True, False, True, False, False]


#  values                          ties      trends (first, last, counted length, side)
TREND_CASES = [
    ([1, 2, 3, 3, 4, 2], "ignore", [(0, 4, 4, 1), (4, 5, 2, -1)]),
    ([1, 2, 3, 3, 4, 2], "break", [(0, 2, 3, 1), (3, 4, 2, 1), (4, 5, 2, -1)]),
    ([5, 5, 5], "ignore", []),
    ([3, 2, 1, 1, 1, 0], "ignore", [(0, 5, 4, -1)]),
    ([1, 3, 2], "ignore", [(0, 1, 2, 1), (1, 2, 2, -1)]),
]


@pytest.mark.parametrize(("values", "ties", "expected"), TREND_CASES)
def test_trends_ignore_or_break_on_ties(
    values: list[float], ties: str, expected: list[tuple[int, ...]]
) -> None:
    found = trends(np.array(values, dtype=np.float64), ties=ties)  # type: ignore[arg-type]
    assert [tuple(int(x) for x in row) for row in zip(*found, strict=True)] == expected


def test_trend_flags_include_the_repeated_values() -> None:
    values = np.array([9, 1, 2, 3, 3, 4, 5, 0], dtype=np.float64)
    assert trend_flags(values, 5).tolist() == [False, True, True, True, True, True, True, False]
    assert not trend_flags(values[:6], 5).any()  # 1, 2, 3, 3, 4: four points, tie counted once


# --- crossrun: the joint distribution of crossings and longest run -----------------------


def joint_counts(sequences: list[tuple[int, ...]]) -> Counter[tuple[int, int]]:
    out: Counter[tuple[int, int]] = Counter()
    for seq in sequences:
        codes = np.array(seq, dtype=np.int8)
        out[(crossings(codes), longest_run(codes))] += 1
    return out


def test_crossrun_joint_distribution_n14_fixed_centre() -> None:
    """A fixed centre: each point above or below with probability 1/2; the first point
    fixed above leaves 2^13 = 8192 equally likely sequences."""
    checks = conformance()["crossrun_exact_checks"]["n14_fixed_centre_times_8192"]
    sequences = [(1, *rest) for rest in itertools.product((1, -1), repeat=13)]
    counts = joint_counts(sequences)
    assert sum(counts.values()) == 8192
    for key, expected in checks.items():
        c, length = (int(part[1:]) for part in key.split("_"))
        assert counts[(c, length)] == expected, key


def test_crossrun_joint_distribution_n14_empirical_median() -> None:
    """An empirical median: 7 above and 7 below, the first above: C(14, 7) / 2 = 1716."""
    checks = conformance()["crossrun_exact_checks"]["n14_empirical_median_times_1716"]
    sequences = [
        tuple(1 if i in above else -1 for i in range(14))
        for above in map(set, itertools.combinations(range(14), 7))
        if 0 in above
    ]
    counts = joint_counts(sequences)
    assert sum(counts.values()) == 1716
    for key, expected in checks.items():
        c, length = (int(part[1:]) for part in key.split("_"))
        assert counts[(c, length)] == expected, key


# --- the qicharts2 vectors: run counts from the expected centre lines --------------------


def ratio(name: str, multiply: float = 1.0) -> list[float]:
    v = vector(name)
    return [y / n * multiply for y, n in zip(v["y"], v["n"], strict=True)]


# id, values, centre, lcl, ucl, exclude, expected counts (None: not given by the vector)
QICHARTS2 = [
    ("ex6.5 i", vector("qicharts2_montgomery_ex6.5_i")["y"], 300.5, 279.783315, 321.216685, (),
     dict(n_useful=40, longest_run=6, longest_run_max=8, n_crossings=20, n_crossings_min=14,
          runs_signal=False, sigma=[39, 40])),
    ("ex6.5 mr", [NAN, *vector("qicharts2_montgomery_ex6.5_mr")["expected"]["mr"][1:]], 7.789474, 0.0, 25.448211, (),
     dict(sigma=[39])),
    ("ex7.3 c", vector("qicharts2_montgomery_ex7.3_c")["y"], 19.666667, 6.362532, 32.970801, (6, 20),
     dict(n_obs=44, n_useful=44, longest_run=8, longest_run_max=8, n_crossings=14, n_crossings_min=16,
          runs_signal=True, sigma=[6, 20])),
    ("ex7.1 p part 1", ratio("qicharts2_montgomery_ex7.1_p_parts")[:30], 0.215, 0.040703, 0.389297, (15, 23),
     dict(n_useful=28, longest_run=5, longest_run_max=8, n_crossings=13, n_crossings_min=9,
          runs_signal=False, sigma=[15, 21, 23])),
    ("ex7.1 p part 2", ratio("qicharts2_montgomery_ex7.1_p_parts")[30:], 0.109687, 0.0, 0.24227, (),
     dict(n_useful=64, longest_run=7, longest_run_max=9, n_crossings=30, n_crossings_min=25,
          runs_signal=False, sigma=[])),
    ("tbl7.4 p varying n", ratio("qicharts2_montgomery_tbl7.4_p_varn"), 0.09551,
     vector("qicharts2_montgomery_tbl7.4_p_varn")["expected"]["lcl"],
     vector("qicharts2_montgomery_tbl7.4_p_varn")["expected"]["ucl"], (),
     dict(n_useful=25, longest_run=5, n_crossings=10, n_crossings_min=8, sigma=[11])),
    ("ex7.4 u", ratio("qicharts2_montgomery_ex7.4_u"), 0.074, 0.0, 0.189412, (),
     dict(longest_run=2, n_crossings=15, sigma=[])),
    # t chart: the transformed scale y^(1/3.6) orders the points as y does.
    ("ex7.6 t", vector("qicharts2_montgomery_ex7.6_t")["y"], 430.040952, 0.0, 6937.933488, (),
     dict(longest_run=5, n_crossings=10, sigma=[])),
    ("cdi run, median of 24", vector("qicharts2_cdi_run_freeze24")["y"], 19.0, NAN, NAN, (),
     dict(n_useful=31, longest_run=15, longest_run_max=8, n_crossings=8, n_crossings_min=11,
          runs_signal=True, sigma=[])),
    ("cdi run, median of all", vector("qicharts2_cdi_run_all")["y"], 17.0, NAN, NAN, (),
     dict(n_useful=32, longest_run=14, longest_run_max=8, n_crossings=6, n_crossings_min=11,
          runs_signal=True, sigma=[])),
]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "centre", "lcl", "ucl", "exclude", "expected"),
    [case[1:] for case in QICHARTS2],
    ids=[case[0] for case in QICHARTS2],
)
def test_qicharts2_vectors(
    values: list[float],
    centre: float,
    lcl: float | list[float],
    ucl: float | list[float],
    exclude: tuple[int, ...],
    expected: dict[str, Any],
) -> None:
    outcome = analyse(RuleSetName.ANHOEJ, values, centre, lcl, ucl, exclude=exclude)
    for field, value in expected.items():
        if field == "sigma":
            assert flagged(outcome, SignalKind.OUTSIDE_LIMITS) == value
        else:
            assert getattr(outcome, field) == value, field


def test_excluded_points_outside_the_limits_are_flagged_but_not_counted() -> None:
    """ex7.3 c: points 6 and 20 are excluded, yet flagged as outside the limits (qicharts2);
    sigma_signals counts the included points only (pbcharts)."""
    v = vector("qicharts2_montgomery_ex7.3_c")
    outcome = analyse(RuleSetName.ANHOEJ, v["y"], 19.666667, 6.362532, 32.970801, exclude=(6, 20))
    assert outcome.sigma_signals == 0
    assert [(s.first, s.side) for s in outcome.signals if s.kind is SignalKind.OUTSIDE_LIMITS] == [
        (6, Side.BELOW),
        (20, Side.ABOVE),
    ]


# --- pbcharts: i charts with limits worked out by hand (mean ± 2.66 x AMR, no screening) --


def i_chart(values: list[float], exclude: tuple[int, ...] = ()) -> tuple[float, float, float]:
    kept = np.array([y for i, y in enumerate(values, start=1) if i not in exclude], dtype=float)
    mean, amr = float(kept.mean()), float(np.abs(np.diff(kept)).mean())
    return mean, mean - 2.66 * amr, mean + 2.66 * amr


@pytest.mark.parametrize(
    "case",
    vector("pbcharts_simple")["cases"],
    ids=["1..12", "1..11", "-6..6", "-6..6 excluding 1 and 13"],
)
def test_pbcharts_simple(case: dict[str, Any]) -> None:
    exclude = tuple(case.get("exclude", ()))
    centre, lcl, ucl = i_chart(case["y"], exclude)
    outcome = analyse(RuleSetName.ANHOEJ, case["y"], centre, lcl, ucl, exclude=exclude)
    expected = case["expected"]
    if "cl" in expected:
        assert (centre, ucl) == pytest.approx((expected["cl"], expected["ucl"]))
    checks = {
        "sigma_signals": outcome.sigma_signals,
        "sigma_signals_counted_on_included": outcome.sigma_signals,
        "runs_signal": outcome.runs_signal,
        "n_obs": outcome.n_obs,
        "n_useful": outcome.n_useful,
    }
    for field, value in expected.items():
        if field in checks:
            assert checks[field] == value, field


# --- Anhøj rules by hand -----------------------------------------------------------------


def test_anhoej_long_run_and_few_crossings() -> None:
    # 12 points: 9 below then 3 above. longest_run_max(12) = 7, crossings_min(12) = 3.
    values = [1, 2, 1, 2, 1, 2, 1, 2, 1, 9, 8, 9]
    outcome = analyse(RuleSetName.ANHOEJ, values, 5.0)
    assert (outcome.longest_run, outcome.n_crossings, outcome.runs_signal) == (9, 1, True)
    assert described(outcome) == [
        ("long run", 1, 9, "below", 9),
        ("few crossings", 1, 12, None, 1),
    ]
    assert flagged(outcome, SignalKind.LONG_RUN) == list(range(1, 10))
    assert flagged(outcome, SignalKind.FEW_CROSSINGS) == list(range(1, 13))
    assert [s.expected for s in outcome.signals] == [7, 3]


def test_anhoej_points_on_the_centre_neither_make_nor_break_a_run() -> None:
    # Points 4 and 8 are on the centre line: the run below is 1-3, 5-7, 9 (7 points).
    values = [1, 1, 1, 5, 1, 1, 1, 5, 1, 9, 9, 9, 9, 1, 9, 1]
    outcome = analyse(RuleSetName.ANHOEJ, values, 5.0, offset=100)
    assert (outcome.n_obs, outcome.n_useful, outcome.longest_run) == (16, 14, 7)
    assert outcome.longest_run_max == 7
    assert not outcome.runs_signal
    assert outcome.signals == ()
    # With the part 100 points into the series, the signals would count from 101.
    longer = analyse(RuleSetName.ANHOEJ, [*values[:9], 1, *values[10:]], 5.0, offset=100)
    assert [(s.kind, s.first, s.last) for s in longer.signals] == [(SignalKind.LONG_RUN, 101, 110)]
    assert flagged(longer, SignalKind.LONG_RUN) == [1, 2, 3, 5, 6, 7, 9, 10]


def test_no_useful_points() -> None:
    outcome = analyse(RuleSetName.ANHOEJ, [5, 5, 5], 5.0)
    assert (outcome.n_obs, outcome.n_useful, outcome.longest_run, outcome.n_runs) == (3, 0, 0, 0)
    assert not outcome.runs_signal
    ihi = analyse(RuleSetName.IHI, [NAN, 5, NAN], 5.0)
    assert (ihi.runs_min, ihi.runs_max, ihi.runs_signal) == (None, None, False)


# --- IHI rules by hand -------------------------------------------------------------------

# Shift: 6 in a row above the median signals, 5 does not; a point on the median inside the
# shift neither makes nor breaks it (and is not flagged).
SHIFT_CASES = [
    ([1, 1, 9, 9, 9, 9, 9, 9, 1, 1], [3, 4, 5, 6, 7, 8]),
    ([1, 1, 9, 9, 9, 9, 9, 1, 1, 1], []),
    ([1, 1, 9, 9, 9, 5, 9, 9, 9, 1], [3, 4, 5, 7, 8, 9]),
]


@pytest.mark.parametrize(("values", "expected"), SHIFT_CASES)
def test_ihi_shift_of_six(values: list[float], expected: list[int]) -> None:
    outcome = analyse(RuleSetName.IHI, values, 5.0)
    assert flagged(outcome, SignalKind.SHIFT) == expected
    shifts = [s for s in outcome.signals if s.kind is SignalKind.SHIFT]
    assert [(s.side, s.length, s.expected) for s in shifts] == (
        [(Side.ABOVE, 6, 6)] if expected else []
    )


# Trend: 5 going up or down signals, 4 does not; equal successive values count once and
# neither make nor break it (Perla et al. 2011).
TREND_IHI = [
    ([5, 1, 2, 3, 4, 5, 3], [2, 3, 4, 5, 6], [("trend", 2, 6, "above", 5)]),
    ([5, 1, 2, 3, 4, 3, 3], [], []),
    ([5, 1, 2, 2, 3, 4, 3], [], []),  # 1, 2, 2, 3, 4: four points (the tie once)
    ([5, 1, 2, 2, 3, 4, 5], [2, 3, 4, 5, 6, 7], [("trend", 2, 7, "above", 5)]),
    ([9, 8, 8, 7, 6, 5, 9], [1, 2, 3, 4, 5, 6], [("trend", 1, 6, "below", 5)]),
]


@pytest.mark.parametrize(("values", "expected", "signals"), TREND_IHI)
def test_ihi_trend_of_five_with_ties(
    values: list[float], expected: list[int], signals: list[tuple[Any, ...]]
) -> None:
    outcome = analyse(RuleSetName.IHI, values, 100.0)  # far from the centre: no other rule
    assert flagged(outcome, SignalKind.TREND) == expected
    assert [d for d in described(outcome) if d[0] == "trend"] == signals


def test_ihi_trend_skips_excluded_points() -> None:
    values = [1, 2, 0, 3, 4, 5]
    outcome = analyse(RuleSetName.IHI, values, 100.0, exclude=(3,))
    assert flagged(outcome, SignalKind.TREND) == [1, 2, 4, 5, 6]


def test_ihi_too_few_runs() -> None:
    # 20 useful points, 10 above and 10 below, in 4 runs: fewer than 7 is too few.
    values = [1] * 5 + [9] * 5 + [1] * 5 + [9] * 5
    outcome = analyse(RuleSetName.IHI, values, 5.0)
    assert (outcome.n_runs, outcome.runs_min, outcome.runs_max) == (4, 7, 15)
    assert [d for d in described(outcome) if d[0].startswith("too")] == [
        ("too few runs", 1, 20, None, 4)
    ]
    assert flagged(outcome, SignalKind.FEW_RUNS) == list(range(1, 21))
    assert outcome.runs_signal


def test_ihi_too_many_runs_in_an_alternating_series() -> None:
    values = [1, 9] * 10  # 20 runs of one point each: more than 15 is too many
    outcome = analyse(RuleSetName.IHI, values, 5.0)
    assert (outcome.n_runs, outcome.runs_max) == (20, 15)
    assert [d for d in described(outcome) if d[0].startswith("too")] == [
        ("too many runs", 1, 20, None, 20)
    ]
    assert outcome.runs_signal
    # Anhøj's rules see nothing wrong with it: many crossings are not a signal.
    assert not analyse(RuleSetName.ANHOEJ, values, 5.0).runs_signal


def test_ihi_runs_within_limits() -> None:
    values = [1, 1, 9, 9, 9, 1, 9, 1, 1, 9, 9, 1, 1, 1, 9, 9, 1, 9, 1, 9]
    outcome = analyse(RuleSetName.IHI, values, 5.0)
    assert 7 <= outcome.n_runs <= 15
    assert not outcome.runs_signal
    assert outcome.signals == ()


def test_ihi_astronomical_point_only_when_named() -> None:
    values = [5, 6, 5, 40, 6, 5, 6, 5]
    assert analyse(RuleSetName.IHI, values, 5.5).signals == ()
    outcome = analyse(RuleSetName.IHI, values, 5.5, astronomical=(4,), offset=10)
    assert described(outcome) == [("astronomical point", 14, 14, "above", 1)]
    assert flagged(outcome, SignalKind.ASTRONOMICAL) == [4]
    assert not outcome.runs_signal  # an astronomical point is not a runs rule


def test_ihi_and_mdc_also_flag_points_outside_control_limits() -> None:
    values = [5, 6, 5, 40, 6, 5, 6, 5]
    for rules in RuleSetName:
        outcome = analyse(rules, values, 5.5, 0.0, 20.0)
        assert flagged(outcome, SignalKind.OUTSIDE_LIMITS) == [4], rules
        assert outcome.sigma_signals == 1


def test_outside_limits_groups_consecutive_points_beyond_the_same_limit() -> None:
    values = [0, 11, 12, 5, 13, -1, -2, 11]
    outcome = analyse(RuleSetName.ANHOEJ, values, 5.0, 0.0, 10.0)
    assert [d for d in described(outcome) if d[0] == "outside limits"] == [
        ("outside limits", 2, 3, "above", 2),
        ("outside limits", 5, 5, "above", 1),
        ("outside limits", 6, 7, "below", 2),
        ("outside limits", 8, 8, "above", 1),
    ]


# --- Swed–Eisenhart ----------------------------------------------------------------------


def brute_runs_distribution(n_above: int, n_below: int) -> Counter[int]:
    """The number of runs in every arrangement of n_above above and n_below below."""
    n = n_above + n_below
    out: Counter[int] = Counter()
    for above in itertools.combinations(range(n), n_above):
        seq = np.full(n, -1, dtype=np.int8)
        seq[list(above)] = 1
        out[crossings(seq) + 1] += 1
    return out


def limits_by_definition(n_above: int, n_below: int) -> tuple[int | None, int | None]:
    """Largest r with P(R < r) <= 0.025 and smallest r with P(R > r) <= 0.025, None where
    no possible count is beyond them."""
    dist = brute_runs_distribution(n_above, n_below)
    total = sum(dist.values())
    possible = sorted(dist)
    lower = max(
        r for r in range(2, max(possible) + 2) if 40 * sum(dist[s] for s in dist if s < r) <= total
    )
    upper = min(
        r
        for r in range(min(possible) - 1, max(possible) + 1)
        if 40 * sum(dist[s] for s in dist if s > r) <= total
    )
    return (lower if lower > min(possible) else None), (upper if upper < max(possible) else None)  # fmt: skip


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9))
@settings(max_examples=60, deadline=None)
def test_swed_eisenhart_limits_by_enumeration(n_above: int, n_below: int) -> None:
    assert swed_eisenhart_limits(n_above, n_below) == limits_by_definition(n_above, n_below)


# The classic two-sided 5% table (Swed & Eisenhart 1943; Siegel 1956, Table F) for equal
# numbers above and below: r or fewer runs, or R or more, is a signal. Ours gives the
# fewest and most runs that are *not* a signal: (r + 1, R - 1).
#   each side   r   R
CLASSIC = """
    5           2   10
    6           3   11
    7           3   13
    8           4   14
    9           5   15
    10          6   16
    11          7   17
    12          7   19
    13          8   20
    14          9   21
    15          10  22
    16          11  23
    17          11  25
    18          12  26
    19          13  27
    20          14  28
"""


@pytest.mark.parametrize(
    "row", [line.split() for line in CLASSIC.strip().splitlines()], ids=lambda r: r[0]
)
def test_swed_eisenhart_limits_reproduce_the_classic_table(row: list[str]) -> None:
    each, fewest_signal, most_signal = (int(x) for x in row)
    assert swed_eisenhart_limits(each, each) == (fewest_signal + 1, most_signal - 1)


# Our limits for 10 to 60 useful points split evenly (the odd one above), for the record and
# to catch changes. Perla et al. 2011 Table 1 itself could not be found in the corpora
# searched; its first rows as usually quoted (10: 3-9, 14: 4-12, 16: 5-13, 18: 6-14) agree.
TABLE = {
    10: (3, 9), 11: (4, 9), 12: (4, 10), 13: (4, 11), 14: (4, 12), 15: (5, 12), 16: (5, 13),
    17: (6, 13), 18: (6, 14), 19: (6, 15), 20: (7, 15), 21: (7, 16), 22: (8, 16), 23: (8, 17),
    24: (8, 18), 25: (9, 18), 26: (9, 19), 27: (10, 19), 28: (10, 20), 29: (10, 21),
    30: (11, 21), 31: (11, 22), 32: (12, 22), 33: (12, 23), 34: (12, 24), 35: (13, 24),
    36: (13, 25), 37: (14, 25), 38: (14, 26), 39: (14, 26), 40: (15, 27), 41: (15, 28),
    42: (16, 28), 43: (16, 29), 44: (17, 29), 45: (17, 30), 46: (17, 31), 47: (18, 31),
    48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33), 52: (20, 34), 53: (20, 35),
    54: (21, 35), 55: (21, 36), 56: (22, 36), 57: (22, 37), 58: (23, 37), 59: (23, 38),
    60: (24, 38),
}  # fmt: skip


def test_swed_eisenhart_table_10_to_60() -> None:
    assert {n: swed_eisenhart_limits(n - n // 2, n // 2) for n in TABLE} == TABLE


def test_swed_eisenhart_edge_cases() -> None:
    assert swed_eisenhart_limits(0, 12) == (None, None)  # all on one side: one run
    assert swed_eisenhart_limits(3, 3) == (None, None)  # too few points to signal
    assert swed_eisenhart_limits(50_000, 50_000) == (49_691, 50_311)  # log space, fast
    with pytest.raises(ValueError):
        swed_eisenhart_limits(-1, 3)


def test_anhoej_summary() -> None:
    summary = anhoej(np.array([1, 1, 1, -1, 0, -1], dtype=np.int8))
    assert summary == (5, 3, longest_run_max(5), 1, crossings_min(5))
    assert not summary.signal


# --- invariance --------------------------------------------------------------------------

series = st.lists(st.integers(min_value=-20, max_value=20), min_size=0, max_size=40)
RULE_SETS = st.sampled_from(list(RuleSetName))


def outcome_for(
    rules: RuleSetName, values: list[float], centre: float, lcl: float, ucl: float, sigma: float
) -> RuleOutcome:
    lim = limits_of(values, centre, lcl, ucl, sigma=sigma)
    include = np.ones(len(values), dtype=np.bool_)
    include[::7] = False  # some excluded points too
    named = np.zeros(len(values), dtype=np.bool_)
    named[3:4] = True
    return apply_rules(rules, lim, include, part=2, offset=5, astronomical=named)


def fingerprint(outcome: RuleOutcome, *, swap: bool = False) -> tuple[Any, ...]:
    flip = {Side.ABOVE: Side.BELOW, Side.BELOW: Side.ABOVE, None: None}
    return (
        {kind: flags.tolist() for kind, flags in outcome.flags.items()},
        sorted(
            (s.kind, s.first, s.last, flip[s.side] if swap else s.side, s.length, s.expected)
            for s in outcome.signals
        ),
        outcome.n_useful,
        outcome.longest_run,
        outcome.n_crossings,
        outcome.runs_signal,
        outcome.n_runs,
        outcome.runs_min,
        outcome.runs_max,
        outcome.sigma_signals,
    )


@given(RULE_SETS, series, st.integers(-5, 5), st.integers(-1000, 1000), st.integers(1, 9))
@settings(max_examples=150, deadline=None)
def test_rules_are_invariant_to_shifting_and_scaling(
    rules: RuleSetName, ys: list[int], centre: int, shift: int, scale: int
) -> None:
    values = [float(y) for y in ys]
    base = outcome_for(rules, values, centre, centre - 12, centre + 12, 4)
    moved = outcome_for(
        rules,
        [(v + shift) * scale for v in values],
        (centre + shift) * scale,
        (centre - 12 + shift) * scale,
        (centre + 12 + shift) * scale,
        4 * scale,
    )
    assert fingerprint(moved) == fingerprint(base)


@given(RULE_SETS, series, st.integers(-5, 5))
@settings(max_examples=150, deadline=None)
def test_reversing_the_sign_swaps_above_and_below(
    rules: RuleSetName, ys: list[int], centre: int
) -> None:
    values = [float(y) for y in ys]
    base = outcome_for(rules, values, centre, centre - 12, centre + 12, 4)
    flipped = outcome_for(rules, [-v for v in values], -centre, -centre - 12, -centre + 12, 4)
    assert fingerprint(flipped, swap=True) == fingerprint(base)


def test_large_parts_are_fast_enough() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=100_000).round(1)
    for rules in RuleSetName:
        outcome = analyse(rules, values, 0.0, -3.0, 3.0)
        assert outcome.n_obs == 100_000
        assert outcome.n_useful == int(np.count_nonzero(values))
