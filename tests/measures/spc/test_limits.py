"""Centre lines and control limits against the published figures of qicharts2 (Montgomery's
tables), PowerBI-SPC, NHSRplotthedots and pbcharts (/work/shared/conformance), and their
properties under scaling and shifting.

Expected figures are compared to half a unit in their last printed decimal (for a whole
number in a list, in the list's usual last decimal) unless the vector states a tolerance;
0 (a floor) and whole numbers among whole numbers (medians and moving ranges of counts)
must be exact."""

import json
import math
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.measures.spc.limits import D2, limits, subgroups
from carejourney.measures.spc.types import ChartType, Limits, Series

VECTORS_PATH = Path(__file__).parents[3].parent / "shared" / "conformance" / "spc_vectors.json"
VECTORS: dict[str, dict[str, Any]] = {
    v["id"]: v for v in json.loads(VECTORS_PATH.read_text())["vectors"]
}

CDI_C = "cdi_c_part24 (= PowerBI-SPC test/Chart Types/c.test.ts)"
LANEY = "laney_pprime_nhs_accidents (PowerBI-SPC test/Chart Types/pprime.test.ts, values in %)"
POWERBI = {  # id: chart, multiply
    "powerbi_spc_i": (ChartType.I, 1.0),
    "powerbi_spc_u": (ChartType.U, 10000.0),
    "powerbi_spc_uprime": (ChartType.U_PRIME, 1.0),
    "powerbi_spc_p": (ChartType.P, 100.0),
    "powerbi_spc_g": (ChartType.G, 1.0),
    "powerbi_spc_t": (ChartType.T, 1.0),
    "powerbi_spc_s": (ChartType.S, 1.0),
    "powerbi_spc_xbar": (ChartType.XBAR, 1.0),
    "powerbi_spc_mr": (ChartType.MR, 1.0),
}
SUBGROUPED = [
    "qicharts2_montgomery_ex_6.3_1_xbar",
    "qicharts2_montgomery_ex_6.3_2_s",
    "qicharts2_montgomery_ex_6.4_1_xbar",
    "qicharts2_montgomery_ex_6.4_2_s",
]
TESTED = frozenset(
    {
        "qicharts2_montgomery_ex6.5_i",
        "qicharts2_montgomery_ex6.5_mr",
        "qicharts2_montgomery_ex7.3_c",
        "qicharts2_montgomery_ex7.1_p_parts",
        "qicharts2_montgomery_tbl7.4_p_varn",
        "qicharts2_montgomery_ex7.4_u",
        "qicharts2_montgomery_ex7.5_u_varn_x50",
        "qicharts2_montgomery_ex7.6_t",
        *SUBGROUPED,
        "qicharts2_cdi_run_freeze24",
        "qicharts2_cdi_run_all",
        CDI_C,
        LANEY,
        "pbcharts_hba1c_i_and_iprime",
        "pbcharts_simple",
        "nhsrplotthedots_deviations_vignette",
        "nhsrplotthedots_spc_standard_snapshot",
        *POWERBI,
    }
)
NOT_COVERED = {
    "pbcharts_hba1c_i_and_iprime": "its I' half (iprime_avg_ucl 65.15, iprime_sigma_signals 0): "
    "pbcharts' I' chart (weighted centre 60.3103, limits from numerator avg x n) is not one "
    "of our chart types; the plain I chart half (ucl 65.66, 1 sigma signal) is tested here",
}
RULE_VECTORS = frozenset(
    {
        # seven points on one side, trends, two in three: tested with the rules
        "nhsrplotthedots_rule_unit_tests",
    }
)

# NHSRplotthedots (as Making Data Count's Excel tool) puts its limits at mean ± 2.66 x the
# mean moving range; qicharts2, PowerBI-SPC and we use 3 / 1.128 = 2.6596.
NHSR_WIDTH = 2.66 * D2 / 3


def vector(vid: str) -> dict[str, Any]:
    assert vid in TESTED, f"add {vid} to TESTED"
    return VECTORS[vid]


def floats(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def baseline(size: int, freeze: int | None = None, exclude: tuple[int, ...] = ()) -> np.ndarray:
    """The mask the orchestrator builds: the first `freeze` points, less those excluded
    (both counted from 1)."""
    mask = np.arange(1, size + 1) <= (freeze or size)
    mask[[i - 1 for i in exclude]] = False
    return mask


def chart(
    kind: ChartType,
    y: Any,
    n: Any = None,
    sd: Any = None,
    base: np.ndarray | None = None,
    **options: Any,
) -> Limits:
    series = Series(
        y=floats(y),
        n=None if n is None else floats(n),
        sd=None if sd is None else floats(sd),
    )
    mask = np.ones(len(series), dtype=np.bool_) if base is None else base
    return limits(kind, series, mask, **options)


def decimals(x: float) -> int:
    return max(0, -int(Decimal(repr(float(x))).normalize().as_tuple().exponent))


def assert_printed(actual: Any, expected: Any, tolerance: float | None = None) -> None:
    """Each actual value agrees with its expected one as printed."""
    got, want = np.broadcast_arrays(floats(actual), floats(expected))
    # JSON prints 11.00 as 11.0: a whole number is as precise as most of its list.
    shown = Counter(p for p in map(decimals, want.ravel()) if p).most_common(1)
    usual = shown[0][0] if shown else 0
    for i, (a, e) in enumerate(zip(got.ravel(), want.ravel(), strict=True)):
        places = decimals(e) or usual
        allowed = 0.5 * 10**-places + 1e-12 if places and e != 0 else 1e-9
        if tolerance is not None:
            allowed = tolerance
        assert abs(a - e) <= allowed, f"point {i + 1}: {a} is not {e} (± {allowed:g})"


def outside(lines: Limits) -> list[int]:
    """1-based points beyond the 3-sigma limits, as qicharts2's sigma.signal."""
    beyond = (lines.value > lines.ucl) | (lines.value < lines.lcl)
    return [int(i) + 1 for i in np.flatnonzero(beyond)]


# --- qicharts2 (Montgomery's tables) -----------------------------------------------------


def test_i_chart_frozen_at_20_takes_centre_and_limits_from_the_first_20() -> None:
    v = vector("qicharts2_montgomery_ex6.5_i")
    lines = chart(ChartType.I, v["y"], base=baseline(40, freeze=20))
    e = v["expected"]
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])
    assert_printed((lines.ucl[0] - lines.cl[0]) * D2 / 3, e["amr_baseline"])
    assert outside(lines) == e["sigma_signal_at"]


def test_mr_chart_plots_moving_ranges_around_the_baselines_mean_range() -> None:
    v = vector("qicharts2_montgomery_ex6.5_mr")
    lines = chart(ChartType.MR, v["y"], base=baseline(40, freeze=20))
    e = v["expected"]
    assert math.isnan(lines.value[0])
    assert_printed(lines.value[1:], e["mr"][1:])
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])
    assert outside(lines) == e["sigma_signal_at"]


def test_c_chart_leaves_excluded_points_out_of_the_frozen_baseline() -> None:
    v = vector("qicharts2_montgomery_ex7.3_c")
    base = baseline(len(v["y"]), freeze=v["freeze"], exclude=tuple(v["exclude"]))
    lines = chart(ChartType.C, v["y"], base=base)
    e = v["expected"]
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])
    assert outside(lines) == e["sigma_signal_at"]  # excluded points are still flagged


def test_p_chart_parts_each_have_their_own_centre_and_limits() -> None:
    v = vector("qicharts2_montgomery_ex7.1_p_parts")
    y, n, cut = floats(v["y"]), floats(v["n"]), v["part"]
    first = chart(ChartType.P, y[:cut], n[:cut], base=baseline(cut, exclude=tuple(v["exclude"])))
    second = chart(ChartType.P, y[cut:], n[cut:])
    for lines, e in ((first, v["expected"]["part1"]), (second, v["expected"]["part2"])):
        assert_printed(lines.cl, e["cl"])
        assert_printed(lines.lcl, e["lcl"])
        assert_printed(lines.ucl, e["ucl"])
    flagged = outside(first) + [cut + i for i in outside(second)]
    assert flagged == v["expected"]["sigma_signal_at"]


def test_p_chart_limits_vary_with_the_denominator() -> None:
    v = vector("qicharts2_montgomery_tbl7.4_p_varn")
    lines = chart(ChartType.P, v["y"], v["n"])
    e = v["expected"]
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])
    assert outside(lines) == e["sigma_signal_at"]


@pytest.mark.parametrize(
    "vid", ["qicharts2_montgomery_ex7.4_u", "qicharts2_montgomery_ex7.5_u_varn_x50"]
)
def test_u_chart_is_the_pooled_rate_with_limits_per_exposure(vid: str) -> None:
    v = vector(vid)
    lines = chart(ChartType.U, v["y"], v["n"], multiply=v.get("multiply", 1.0))
    e = v["expected"]
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])


def test_t_chart_is_an_i_chart_of_transformed_times_transformed_back() -> None:
    v = vector("qicharts2_montgomery_ex7.6_t")
    lines = chart(ChartType.T, v["y"])
    e = v["expected"]
    np.testing.assert_allclose(lines.value, v["y"])
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])
    assert lines.centre_for_runs == lines.cl[0]


@pytest.mark.parametrize("vid", SUBGROUPED)
def test_xbar_and_s_charts_from_raw_subgroups(vid: str) -> None:
    v = vector(vid)
    series = subgroups(v["subgroups"])
    lines = limits(ChartType(v["chart"]), series, np.ones(len(series), dtype=np.bool_))
    e = v["expected"]
    assert_printed(lines.cl, e["cl"])
    assert_printed(lines.lcl, e["lcl"])
    assert_printed(lines.ucl, e["ucl"])


@pytest.mark.parametrize(
    ("vid", "freeze"), [("qicharts2_cdi_run_freeze24", 24), ("qicharts2_cdi_run_all", None)]
)
def test_run_chart_centre_is_the_baseline_median_and_has_no_limits(
    vid: str, freeze: int | None
) -> None:
    v = vector(vid)
    lines = chart(ChartType.RUN, v["y"], base=baseline(len(v["y"]), freeze=freeze))
    assert_printed(lines.cl, v["expected"]["cl"])
    assert lines.centre_for_runs == v["expected"]["cl"]
    for line in (lines.lcl, lines.ucl, lines.lcl_2sigma, lines.ucl_2sigma):
        assert np.isnan(line).all()


def test_c_chart_parts_with_their_2_sigma_lines() -> None:
    v = vector(CDI_C)
    y, cut = floats(v["y"]), v["part"]
    for lines, e in (
        (chart(ChartType.C, y[:cut]), v["expected"]["part1"]),
        (chart(ChartType.C, y[cut:]), v["expected"]["part2"]),
    ):
        assert_printed(lines.cl, e["cl"], v["tolerance"])
        assert_printed(lines.lcl, e["lcl"], v["tolerance"])
        assert_printed(lines.ucl, e["ucl"], v["tolerance"])
        assert_printed(lines.lcl_2sigma, e["lcl95"], v["tolerance"])
        assert_printed(lines.ucl_2sigma, e["ucl95"], v["tolerance"])


def test_laney_p_prime_widens_the_p_chart_by_sigma_z() -> None:
    v = vector(LANEY)
    e, tolerance = v["expected"], v["tolerance"]
    prime = chart(ChartType.P_PRIME, v["y"], v["n"], multiply=100)
    plain = chart(ChartType.P, v["y"], v["n"], multiply=100)
    assert_printed(prime.cl, e["cl_pct"], tolerance)
    assert_printed(prime.ucl[:4], e["ucl_pct_first4"], tolerance)
    assert_printed(prime.lcl[:4], e["lcl_pct_first4"], tolerance)
    assert_printed(plain.ucl[:4], e["plain_p_ucl_pct_first4"], 0.005)  # printed to 2 decimals
    sigma_z = (prime.ucl - prime.cl) / (plain.ucl - plain.cl)
    assert_printed(sigma_z, e["sigma_z"])
    unscreened = chart(ChartType.P_PRIME, v["y"], v["n"], multiply=100, screen=False)
    np.testing.assert_allclose(unscreened.ucl, prime.ucl)  # no range is screened out here


# --- pbcharts ------------------------------------------------------------------------------


def test_pbcharts_hba1c_plain_i_chart() -> None:
    v = vector("pbcharts_hba1c_i_and_iprime")
    lines = chart(ChartType.I, v["y_avg"], screen=False)  # pbcharts does not screen
    assert_printed(lines.cl, 60.5953)  # the unweighted mean, as the vector's note gives it
    assert_printed(lines.ucl, v["expected"]["i_chart_avg_ucl"], v["tolerance"])
    assert len(outside(lines)) == v["expected"]["i_chart_sigma_signals"]


def test_pbcharts_simple_i_charts() -> None:
    cases = vector("pbcharts_simple")["cases"]
    rising = chart(ChartType.I, cases[0]["y"])
    assert len(outside(rising)) == cases[0]["expected"]["sigma_signals"]
    symmetric = chart(ChartType.I, cases[2]["y"])
    assert_printed(symmetric.cl, cases[2]["expected"]["cl"])
    assert_printed(symmetric.ucl, cases[2]["expected"]["ucl"])
    assert len(outside(symmetric)) == cases[2]["expected"]["sigma_signals"]
    excluded = cases[3]["exclude"]
    base = baseline(len(cases[3]["y"]), exclude=tuple(excluded))
    counted = [
        i for i in outside(chart(ChartType.I, cases[3]["y"], base=base)) if i not in excluded
    ]
    assert len(counted) == cases[3]["expected"]["sigma_signals_counted_on_included"]


# --- NHSRplotthedots -----------------------------------------------------------------------


def assert_nhsr(lines: Limits, expected: dict[str, float]) -> None:
    centre = lines.cl[0]
    assert_printed(centre, expected["mean"])
    assert_printed(centre + (lines.ucl[0] - centre) * NHSR_WIDTH, expected["upl"])
    assert_printed(centre + (lines.lcl[0] - centre) * NHSR_WIDTH, expected["lpl"])


def test_nhsr_deviations_screened_and_unscreened_as_excel() -> None:
    v = vector("nhsrplotthedots_deviations_vignette")
    assert_nhsr(chart(ChartType.I, v["y"]), v["expected"]["screened"])
    assert_nhsr(chart(ChartType.I, v["y"], screen=False), v["expected"]["unscreened_excel"])


def test_nhsr_standard_snapshot_with_and_without_an_outlier() -> None:
    v = vector("nhsrplotthedots_spc_standard_snapshot")
    e = v["expected"]
    assert_nhsr(chart(ChartType.I, v["y"]), e["r1_screened"])
    y = floats(v["y"])
    y[14] = 10
    assert_nhsr(chart(ChartType.I, y), e["y15_set_to_10_screened"])
    assert_nhsr(chart(ChartType.I, y, screen=False), e["y15_set_to_10_unscreened"])


# --- PowerBI-SPC ----------------------------------------------------------------------------


@pytest.mark.parametrize("vid", sorted(POWERBI))
def test_powerbi_spc_99_and_95_percent_limits(vid: str) -> None:
    v = vector(vid)
    kind, multiply = POWERBI[vid]
    sd = v.get("sds", v.get("xbar_sds"))
    n = v.get("denominators")
    y = v.get("numerators", np.full(len(n or ()), np.nan))  # an s chart needs only sd and n
    lines = chart(kind, y, n, sd, multiply=multiply)
    size = len(lines.value)  # g and t list one limit more than there are points
    assert_printed(lines.ucl, v["ul99"][:size])
    assert_printed(lines.ucl_2sigma, v["ul95"][:size])
    assert_printed(lines.lcl_2sigma, v["ll95"][:size])
    assert_printed(lines.lcl, v["ll99"][:size])
    if "values" in v:
        assert_printed(lines.value[1:], v["values"])


def test_powerbi_spc_t_chart_needs_the_screened_moving_range() -> None:
    v = vector("powerbi_spc_t")
    assert v["screened_mr"]
    unscreened = chart(ChartType.T, v["numerators"], screen=False)
    assert abs(unscreened.ucl[0] - v["ul99"][0]) > 1


def test_g_chart_centre_is_the_median_and_limits_come_from_the_mean() -> None:
    y = floats(vector("powerbi_spc_g")["numerators"])
    lines = chart(ChartType.G, y)
    assert lines.centre_for_runs == np.median(y) == lines.cl[0]
    mean = y.mean()
    np.testing.assert_allclose(lines.ucl, mean + 3 * math.sqrt(mean * (mean + 1)))
    assert (lines.lcl == 0).all()


def test_every_vector_is_tested_here_not_covered_or_about_rules() -> None:
    ids = set(VECTORS)
    assert ids >= TESTED
    assert set(NOT_COVERED) <= ids
    assert ids >= RULE_VECTORS
    assert ids - TESTED - set(NOT_COVERED) - RULE_VECTORS == set()


# --- conventions and guards -------------------------------------------------------------------


def test_a_moving_range_spans_an_excluded_point() -> None:
    lines = chart(ChartType.I, [1, 2, 100, 3, 4], base=baseline(5, exclude=(3,)))
    assert lines.cl[0] == 2.5
    assert lines.ucl[0] == pytest.approx(2.5 + 3 * 1 / D2)


def test_screening_leaves_out_ranges_of_3_267_mean_ranges_or_more() -> None:
    y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 30]  # ranges 1 x 10 and 30: mean 3.64, limit 11.9
    screened = chart(ChartType.I, y)
    unscreened = chart(ChartType.I, y, screen=False)
    assert screened.ucl[0] - screened.cl[0] == pytest.approx(3 / D2)
    assert unscreened.ucl[0] - unscreened.cl[0] == pytest.approx(3 * 40 / 11 / D2)


def test_constant_values_give_limits_on_the_centre_not_nan() -> None:
    lines = chart(ChartType.I, [5, 5, 5, 5])
    assert (lines.lcl == 5).all() and (lines.ucl == 5).all()


def test_fewer_than_two_baseline_points_give_nan_limits() -> None:
    base = baseline(4, freeze=1)
    for kind in (ChartType.I, ChartType.MR, ChartType.T):
        lines = chart(kind, [3, 4, 5, 6], base=base)
        assert np.isnan(lines.ucl).all() and np.isnan(lines.lcl).all(), kind
    laney = chart(ChartType.P_PRIME, [1, 2, 3, 4], [10, 10, 10, 10], base=base)
    assert np.isnan(laney.ucl).all()


def test_no_baseline_at_all_gives_nan_lines_without_warnings() -> None:
    nothing = np.zeros(4, dtype=np.bool_)
    for kind in ChartType:
        lines = chart(kind, [1, 2, 3, 4], [5, 5, 5, 5], [1, 1, 1, 1], base=nothing)
        assert np.isnan(lines.cl).all() and math.isnan(lines.centre_for_runs), kind


def test_laney_charts_with_no_events_have_limits_on_zero() -> None:
    for kind in (ChartType.P_PRIME, ChartType.U_PRIME):
        lines = chart(kind, [0, 0, 0], [10, 20, 30])
        assert (lines.cl == 0).all() and (lines.ucl == 0).all() and (lines.lcl == 0).all()


def test_two_sigma_limits_share_the_floors_and_caps() -> None:
    lines = chart(ChartType.P, [9, 10, 10], [10, 10, 10])
    assert (lines.ucl_2sigma <= 1).all() and (lines.ucl == 1).all()
    counts = chart(ChartType.C, [1, 0, 2])
    assert (counts.lcl == 0).all() and (counts.lcl_2sigma == 0).all()


def test_multiply_scales_values_centre_and_limits() -> None:
    plain = chart(ChartType.P, [1, 2, 3], [10, 10, 10])
    percent = chart(ChartType.P, [1, 2, 3], [10, 10, 10], multiply=100)
    for name in ("value", "cl", "lcl", "ucl", "lcl_2sigma", "ucl_2sigma"):
        np.testing.assert_allclose(getattr(percent, name), getattr(plain, name) * 100)
    assert percent.centre_for_runs == pytest.approx(20)


def test_an_i_chart_with_denominators_plots_ratios() -> None:
    lines = chart(ChartType.I, [1, 2, 3], [10, 10, 20])
    np.testing.assert_allclose(lines.value, [0.1, 0.2, 0.15])
    assert lines.cl[0] == pytest.approx(0.15)  # the mean of the ratios, as qicharts2


def test_subgroups_give_means_sds_and_sizes() -> None:
    series = subgroups([[1, 2, 3], [4], [5, 7, float("nan")]])
    np.testing.assert_allclose(series.y, [2, 4, 6])
    np.testing.assert_allclose(floats(series.n), [3, 1, 2])
    np.testing.assert_allclose(floats(series.sd), [1, np.nan, math.sqrt(2)])


def test_a_subgroup_of_one_has_no_xbar_limits() -> None:
    series = subgroups([[1, 2, 3], [4], [5, 7]])
    lines = limits(ChartType.XBAR, series, np.ones(3, dtype=np.bool_))
    assert np.isnan(lines.ucl[1]) and np.isfinite(lines.ucl[[0, 2]]).all()


def test_an_empty_subgroup_is_refused() -> None:
    with pytest.raises(ValueError, match="subgroup 2 has none"):
        subgroups([[1.0], []])


@pytest.mark.parametrize(
    ("kind", "n", "sd", "message"),
    [
        (ChartType.P, None, None, "A p chart needs a denominator for every point: none"),
        (ChartType.U_PRIME, [1, np.nan, 1], None, "needs a denominator for every point: point 2"),
        (ChartType.U, [5, 5, 0], None, "denominator above zero for every point: point 3 has 0"),
        (ChartType.I, [5, -1, 5], None, "An i chart needs a denominator above zero.*point 2"),
        (ChartType.XBAR, [3, 3, 3], None, "An xbar chart needs the subgroup standard deviation"),
        (ChartType.S, None, [1, 1, 1], "An s chart needs the subgroup size for every point"),
        (
            ChartType.S,
            [3, 3, 3],
            [1, np.nan, 1],
            "standard deviation for every point: point 2 has none",
        ),
        (
            ChartType.P,
            [5, 1, 5],
            None,
            "counts no larger than their denominators: point 2 has 2 of 1",
        ),
    ],
)
def test_missing_or_impossible_inputs_are_refused_in_plain_words(
    kind: ChartType, n: Any, sd: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        chart(kind, [1, 2, 3], n, sd)


def test_times_between_events_must_be_above_zero() -> None:
    with pytest.raises(
        ValueError, match="A t chart needs times between events above zero: point 2"
    ):
        chart(ChartType.T, [3, 0, 4])


def test_multiply_must_be_positive() -> None:
    with pytest.raises(ValueError, match="multiply must be a positive number"):
        chart(ChartType.I, [1, 2, 3], multiply=0)


def test_a_baseline_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="baseline marks 2 points but the series has 3"):
        chart(ChartType.I, [1, 2, 3], base=np.ones(2, dtype=np.bool_))


# --- properties ----------------------------------------------------------------------------

# Away from subnormal numbers, where scaling by a power of two loses digits.
value = st.floats(min_value=-1e6, max_value=1e6).filter(lambda x: x == 0 or abs(x) > 1e-9)
values = st.lists(value, min_size=2, max_size=40)
powers_of_two = st.integers(min_value=-8, max_value=8).map(lambda j: 2.0**j)


def assert_lines_scaled(scaled: Limits, plain: Limits, k: float) -> None:
    for name in ("value", "cl", "lcl", "ucl", "lcl_2sigma", "ucl_2sigma"):
        np.testing.assert_allclose(getattr(scaled, name), getattr(plain, name) * k, rtol=1e-12)


@settings(max_examples=50)
@given(y=values, k=powers_of_two, screen=st.booleans())
def test_i_and_run_chart_lines_scale_with_the_data(y: list[float], k: float, screen: bool) -> None:
    # Powers of two scale exactly, so no moving range crosses the screening limit by rounding.
    for kind in (ChartType.I, ChartType.RUN):
        assert_lines_scaled(
            chart(kind, floats(y) * k, screen=screen), chart(kind, y, screen=screen), k
        )


@settings(max_examples=50)
@given(
    groups=st.lists(
        st.lists(value, min_size=2, max_size=6),
        min_size=2,
        max_size=20,
    ),
    k=powers_of_two,
)
def test_xbar_lines_scale_with_the_data(groups: list[list[float]], k: float) -> None:
    plain = subgroups(groups)
    scaled = subgroups([[x * k for x in g] for g in groups])
    base = np.ones(len(groups), dtype=np.bool_)
    assert_lines_scaled(
        limits(ChartType.XBAR, scaled, base), limits(ChartType.XBAR, plain, base), k
    )


@settings(max_examples=50)
@given(
    y=st.lists(st.integers(min_value=-1000, max_value=1000), min_size=2, max_size=40),
    shift=st.integers(min_value=-10_000, max_value=10_000),
)
def test_shifting_an_i_chart_shifts_its_lines_and_keeps_their_width(
    y: list[int], shift: int
) -> None:
    plain = chart(ChartType.I, y)
    moved = chart(ChartType.I, [v + shift for v in y])
    for name in ("cl", "lcl", "ucl", "lcl_2sigma", "ucl_2sigma"):
        np.testing.assert_allclose(getattr(moved, name), getattr(plain, name) + shift, atol=1e-6)
    np.testing.assert_allclose(moved.ucl - moved.lcl, plain.ucl - plain.lcl, atol=1e-6)


@st.composite
def proportions(draw: st.DrawFn) -> tuple[list[int], list[int], list[bool]]:
    n = draw(st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=30))
    y = [draw(st.integers(min_value=0, max_value=size)) for size in n]
    base = draw(st.lists(st.booleans(), min_size=len(n), max_size=len(n)))
    return y, n, base


@settings(max_examples=50)
@given(data=proportions(), multiply=st.sampled_from([1.0, 100.0, 1000.0, 0.5]))
def test_p_chart_limits_stay_between_0_and_multiply(
    data: tuple[list[int], list[int], list[bool]], multiply: float
) -> None:
    y, n, base = data
    for kind in (ChartType.P, ChartType.P_PRIME):
        lines = chart(kind, y, n, base=np.array(base, dtype=np.bool_), multiply=multiply)
        for line in (lines.lcl, lines.ucl, lines.lcl_2sigma, lines.ucl_2sigma):
            known = line[np.isfinite(line)]
            assert ((known >= 0) & (known <= multiply)).all(), kind
