"""Indicators beside audits: series by month and quarter, the latest value against the
benchmarks, and the flag when the trend signals, on hand-worked series and journeys."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from carejourney.config.indicators import (
    Benchmark,
    BenchmarkKind,
    IndicatorKey,
    IndicatorSetting,
    load_indicators,
)
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.journeys.stored import Journeys
from carejourney.measures import indicators as mi
from carejourney.measures.demand.data import DemandData, conform
from carejourney.measures.indicators import Flag
from carejourney.measures.spc.types import SignalKind
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import history
from tests.measures.test_stability import HEADER, JOURNEYS

SETTINGS = load_indicators()
THREE = IndicatorKey.THREE_OR_MORE_PLACEMENTS


def series(
    numerators: list[int],
    denominator: int = 250,
    key: IndicatorKey = THREE,
    last: dt.date = dt.date(2024, 3, 31),
) -> mi.IndicatorSeries:
    """Quarter-ends up to `last`, one per numerator, each of `denominator` children."""
    ends = mi.period_ends(dt.date(2000, 1, 1), last, "quarter")[-len(numerators) :]
    points = pl.DataFrame(
        {"period_end": ends, "numerator": numerators, "denominator": [denominator] * len(ends)},
        schema={"period_end": pl.Date, "numerator": pl.Int64, "denominator": pl.Int64},
    ).with_columns(percent=100.0 * pl.col("numerator") / pl.col("denominator"))
    return mi.IndicatorSeries(key, "quarter", points)


def test_month_and_quarter_ends() -> None:
    assert mi.period_ends(dt.date(2023, 11, 15), dt.date(2024, 3, 31), "month") == [
        dt.date(2023, 11, 30),
        dt.date(2023, 12, 31),
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
    ]
    assert mi.period_ends(dt.date(2023, 11, 15), dt.date(2024, 9, 29), "quarter") == [
        dt.date(2023, 12, 31),
        dt.date(2024, 3, 31),
        dt.date(2024, 6, 30),
    ]


def test_monthly_counts_are_added_up_by_quarter() -> None:
    by_month = pl.DataFrame(
        {
            "month": [dt.date(2024, m, 1) for m in (1, 2, 3, 4, 5, 7)],
            "numerator": [1, 2, 0, 3, 1, 1],
            "denominator": [10, 10, 0, 8, 12, 5],
        }
    )
    points = mi.grouped_points(by_month, every="quarter", as_at=dt.date(2024, 8, 31))
    # January to March: 3 of 20; April to June: 4 of 20; July to September is not over.
    assert points.rows() == [
        (dt.date(2024, 3, 31), 3, 20, 15.0),
        (dt.date(2024, 6, 30), 4, 20, 20.0),
    ]
    monthly = mi.grouped_points(by_month, every="month", first=dt.date(2024, 4, 1))
    assert monthly["period_end"].to_list() == [
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
        dt.date(2024, 7, 31),
    ]


# --- the flag ---------------------------------------------------------------------------------


def test_a_rising_indicator_is_flagged_with_the_audit_to_consider() -> None:
    # 5 quarters at 20 of 250 (8%), then 8 at 30 of 250 (12%): centre 340 / 3,250 = 10.5%;
    # limits 10.5 ± 3 x sqrt(0.1046 x 0.8954 / 250) = 10.5 ± 5.8, so all points inside.
    # The last 8 are above the centre: longer than Anhøj's limit round(log2 13) + 3 = 7.
    status = mi.assess(series([20] * 5 + [30] * 8), SETTINGS.get(THREE))
    assert status.flag is Flag.CONCERN
    assert status.sentence == (
        "Children with 3 or more placements in the year: 12% (30 of 250 children) on "
        "31 March 2024 against 10% nationally (England, 2024); rising — 8 quarters in a "
        "row above the centre line (a shift): consider an audit of placement stability."
    )
    assert status.suggestion == "an audit of placement stability"
    assert status.trend is not None
    assert status.trend.points["cl"][0] == pytest.approx(100 * 340 / 3250)
    (comparison,) = status.comparisons
    assert comparison.difference == pytest.approx(2.0) and comparison.worse is True
    assert any(s.kind is SignalKind.LONG_RUN for s in status.trend.signals)
    assert status.trend_words[-1].startswith("8 points in a row above the centre line")


def test_the_same_rise_is_an_improvement_when_higher_is_better() -> None:
    key = IndicatorKey.LONG_TERM_STABILITY
    status = mi.assess(series([150] * 5 + [175] * 8, key=key), SETTINGS.get(key))
    assert status.flag is Flag.IMPROVEMENT and status.suggestion is None
    assert status.comparisons[0].worse is False  # 70% against 68%: better
    assert status.sentence == (
        "Long-term placement stability: 70% (175 of 250 children) on 31 March 2024 against "
        "68% nationally (England, 2024); rising — 8 quarters in a row above the centre line "
        "(a shift)."
    )


def test_a_signal_that_has_ended_does_not_flag_the_indicator() -> None:
    # 8 quarters at 30, then 20 and 28 in turn: centre 432 / 4,000 = 10.8%, so the first 8
    # are a run above it (longer than 7), which ended; the 8 crossings since are as many
    # as chance gives (at least 4 are expected in 16 points).
    status = mi.assess(series([30] * 8 + [20, 28] * 4), SETTINGS.get(THREE))
    assert status.trend is not None
    assert [(s.kind, s.first, s.last) for s in status.trend.signals] == [
        (SignalKind.LONG_RUN, 1, 8)
    ]
    assert status.trend_words[0].startswith("8 points in a row above the centre line")
    assert status.flag is None and status.signal is None
    assert status.sentence.endswith("; no signal in the latest quarters.")
    # 5 quarters back at 20 in a row, though, and the line crosses the centre only once:
    # the process has changed, and the latest points are below it (lower is better).
    changed = mi.assess(series([30] * 8 + [20] * 5), SETTINGS.get(THREE))
    assert changed.flag is Flag.IMPROVEMENT and changed.suggestion is None
    assert changed.signal == (
        "falling — the line crosses its centre too rarely (the process has probably changed)"
    )


def test_the_latest_quarter_above_the_upper_limit_is_a_concern() -> None:
    # 11 quarters at 25 of 250 (10%) and the latest at 60 (24%): centre 335 / 3,000 =
    # 11.2%, upper limit 11.2 + 3 x sqrt(0.1117 x 0.8883 / 250) = 17.1%.
    status = mi.assess(series([25] * 11 + [60]), SETTINGS.get(THREE))
    assert status.flag is Flag.CONCERN
    assert (
        status.signal
        == "rising — the latest quarter is above the upper limit (unlikely to be chance)"
    )


def test_benchmarks_against_the_latest_value() -> None:
    setting = IndicatorSetting(
        key=THREE,
        suggestion="an audit",
        benchmarks=(
            Benchmark(
                kind=BenchmarkKind.NATIONAL, name="England", value=10, year="2024", source="s"
            ),
            Benchmark(
                kind=BenchmarkKind.STATISTICAL_NEIGHBOURS,
                name="our statistical neighbours",
                value=12.5,
                year="2024",
                source="LAIT",
            ),
            Benchmark(
                kind=BenchmarkKind.REGIONAL, name="the region", value=12, year="2024", source="s"
            ),
        ),
    )
    status = mi.assess(series([30]), setting)  # 12%
    assert [(c.difference, c.worse) for c in status.comparisons] == [
        (pytest.approx(2.0), True),
        (pytest.approx(-0.5), False),
        (0.0, None),
    ]
    # One point: no chart, so nothing said about a trend.
    assert status.trend is None and status.flag is None
    assert status.sentence == (
        "Children with 3 or more placements in the year: 12% (30 of 250 children) on 31 March "
        "2024 against 10% nationally (England, 2024), 12.5% for our statistical neighbours "
        "(2024) and 12% for the region (2024)."
    )


def test_an_indicator_without_data_says_why() -> None:
    status = mi.assess(
        mi.IndicatorSeries(IndicatorKey.RE_REFERRALS, "quarter", not_available="no demand data"),
        SETTINGS.get(IndicatorKey.RE_REFERRALS),
    )
    assert status.sentence == "Re-referrals within 12 months: not available (no demand data)."
    assert status.latest is None and status.as_dict()["not_available"] == "no demand data"


# --- placement stability from journeys --------------------------------------------------------


def journeys() -> Journeys:
    h = history(JOURNEYS)
    empty = pl.DataFrame()
    return Journeys(
        la="999",
        history=h,
        periods=periods_of_care(h),
        placements=placements(h),
        milestones=empty,
        children=table("Header", HEADER),
        workers=empty,
        allocations=empty,
        data_ends=dt.date(2024, 3, 31),
    )


def test_stability_series_from_journeys_match_the_hand_count_at_31_march_2024() -> None:
    found = mi.stability_series(
        journeys(), as_at=dt.date(2024, 5, 31), data_start=dt.date(2022, 4, 1)
    )
    three = found[THREE].points
    # The year's measure from the first quarter-end with a whole year of data (31/03/2023)
    # to the end of the data (31/03/2024, before as_at).
    assert three["period_end"].to_list() == [
        dt.date(2023, 3, 31),
        dt.date(2023, 6, 30),
        dt.date(2023, 9, 30),
        dt.date(2023, 12, 31),
        dt.date(2024, 3, 31),
    ]
    # On 31/03/2024 (tests/measures/test_stability.py): 2 of 8 (S1 and S4).
    assert three.row(-1) == (dt.date(2024, 3, 31), 2, 8, 25.0)
    two_years = found[IndicatorKey.THREE_OR_MORE_IN_2_YEARS].points
    assert two_years.rows() == [(dt.date(2024, 3, 31), 1, 4, 25.0)]  # S6 of S5-S8
    long_term = found[IndicatorKey.LONG_TERM_STABILITY]
    assert long_term.points.is_empty()
    assert long_term.not_available == (
        "the data begin on 01/04/2022 and this indicator needs the 30 months before each "
        "quarter-end"
    )


def test_the_children_an_indicator_counts_for_a_triggered_audit() -> None:
    on = dt.date(2024, 3, 31)
    assert mi.indicator_children(journeys(), THREE, on)["CHILD"].to_list() == ["S1", "S4"]
    two = IndicatorKey.THREE_OR_MORE_IN_2_YEARS
    assert mi.indicator_children(journeys(), two, on)["CHILD"].to_list() == ["S6"]
    long_term = IndicatorKey.LONG_TERM_STABILITY
    assert mi.indicator_children(journeys(), long_term, on)["CHILD"].to_list() == ["S6"]
    with pytest.raises(ValueError, match="does not come from the SSDA903 returns"):
        mi.indicator_children(journeys(), IndicatorKey.RE_REFERRALS, on)


# --- re-referrals from the demand data --------------------------------------------------------

# A: 10/01/2023, 01/06/2023 (within 12 months: a re-referral), 01/02/2024 (again).
# B: 05/03/2023, 20/03/2024: more than 12 months apart (20/03/2023 is the limit): not.
# C: twice on 15/01/2024 (once), then 02/04/2024: a re-referral. D: 01/05/2024.
REFERRALS = [
    ("A", dt.date(2023, 1, 10)),
    ("A", dt.date(2023, 6, 1)),
    ("A", dt.date(2024, 2, 1)),
    ("B", dt.date(2023, 3, 5)),
    ("B", dt.date(2024, 3, 20)),
    ("C", dt.date(2024, 1, 15)),
    ("C", dt.date(2024, 1, 15)),
    ("C", dt.date(2024, 4, 2)),
    ("D", dt.date(2024, 5, 1)),
]


def demand(referrals: list[tuple[str, dt.date]]) -> DemandData:
    frame = pl.DataFrame(
        referrals, schema={"CHILD": pl.String, "REFERRAL_DATE": pl.Date}, orient="row"
    )
    return DemandData(la="999", cin_referrals=conform("cin_referrals", frame))


def test_re_referrals_by_quarter_and_month_from_12_months_after_the_first_referral() -> None:
    # The first referral is in January 2023: months from January 2024 are counted.
    by_quarter = mi.re_referral_series(demand(REFERRALS), as_at=dt.date(2024, 6, 30))
    # January to March 2024: C, A (re-referred), B = 1 of 3; April to June: C (re), D = 1 of 2.
    assert by_quarter.points.rows() == [
        (dt.date(2024, 3, 31), 1, 3, pytest.approx(100 / 3)),
        (dt.date(2024, 6, 30), 1, 2, 50.0),
    ]
    assert by_quarter.source == "Referrals: CIN census referrals."
    by_month = mi.re_referral_series(demand(REFERRALS), as_at=dt.date(2024, 5, 31), every="month")
    assert by_month.points.select("numerator", "denominator").rows() == [
        (0, 1),
        (1, 1),
        (0, 1),
        (1, 1),
        (0, 1),
    ]


def test_re_referrals_are_not_available_without_enough_demand_data() -> None:
    as_at = dt.date(2024, 6, 30)
    assert mi.re_referral_series(None, as_at=as_at).not_available == (
        "no demand data loaded: import contacts or CIN census referrals"
    )
    assert mi.re_referral_series(demand([]), as_at=as_at).not_available == (
        "no referrals in the demand data loaded: import contacts or CIN census referrals"
    )
    recent = mi.re_referral_series(demand(REFERRALS[5:]), as_at=as_at)
    assert recent.not_available == (
        "the referrals loaded begin on 15/01/2024: re-referrals can be counted only from "
        "12 months later (01/01/2025)"
    )


def test_every_indicator_together_and_as_json() -> None:
    statuses = mi.indicator_statuses(
        journeys(),
        SETTINGS,
        as_at=dt.date(2024, 6, 30),
        demand=demand(REFERRALS),
        data_start=dt.date(2022, 4, 1),
    )
    assert [s.key for s in statuses] == list(IndicatorKey)
    assert [s.latest is not None for s in statuses] == [True, True, False, True]
    assert statuses[3].sentence == (
        "Re-referrals within 12 months: 50% (1 of 2 referrals) in the quarter to 30 June 2024; "
        "too few quarters yet to judge its trend."
    )
    data = json.loads(json.dumps([s.as_dict() for s in statuses]))
    assert data[0]["latest"] == {
        "period_end": "2024-03-31",
        "numerator": 2,
        "denominator": 8,
        "percent": 25.0,
    }
    assert data[0]["benchmarks"][0]["value"] == 10 and data[0]["chart"]["points"]
    none = mi.indicator_statuses(None, SETTINGS, as_at=dt.date(2024, 6, 30))
    assert all(s.latest is None for s in none)
    assert none[0].sentence == (
        "Children with 3 or more placements in the year: not available (no SSDA903 returns loaded)."
    )
