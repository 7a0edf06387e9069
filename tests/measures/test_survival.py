"""Kaplan-Meier against a published example, a brute-force product limit, and journeys.

The textbook example is the 6-MP arm of Freireich et al. (1963), the remission times in
weeks of 21 leukaemia patients (+ = censored), as in Kleinbaum & Klein, "Survival
Analysis", and R's survival package (`survfit(..., conf.type = "log-log")`):
6, 6, 6, 6+, 7, 9+, 10, 10+, 11+, 13, 16, 17+, 19+, 20+, 22, 23, 25+, 32+, 32+, 34+, 35+.
"""

import datetime as dt
import math
import random
from fractions import Fraction

import polars as pl
import pytest

from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care
from carejourney.measures.survival import (
    kaplan_meier,
    median_time,
    reached_by,
    time_to_milestone,
)
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import MATCHED_BEFORE_ORDER, history, rows

WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
CENSORED = {3, 5, 7, 8, 11, 12, 13, 16, 17, 18, 19, 20}  # positions of the + times
SIX_MP = pl.DataFrame({"days": WEEKS, "observed": [i not in CENSORED for i in range(len(WEEKS))]})


def test_the_6mp_arm_gives_the_published_product_limit_and_log_log_interval() -> None:
    km = kaplan_meier(SIX_MP)
    events = km.filter(pl.col("events") > 0)
    # S(t) = product of (1 - d/n) over event times, worked by hand:
    s6 = Fraction(18, 21)  # n 21, d 3
    s7 = s6 * Fraction(16, 17)  # n 17, d 1 (the 6+ and nothing else left before 7)
    s10 = s7 * Fraction(14, 15)  # n 15, d 1 (7 and 9+ gone)
    s13 = s10 * Fraction(11, 12)  # n 12, d 1 (10, 10+, 11+ gone)
    s16 = s13 * Fraction(10, 11)  # n 11
    s22 = s16 * Fraction(6, 7)  # n 7 (16, 17+, 19+, 20+ gone)
    s23 = s22 * Fraction(5, 6)  # n 6
    assert rows(events, "time", "at_risk", "events") == [
        (6, 21, 3),
        (7, 17, 1),
        (10, 15, 1),
        (13, 12, 1),
        (16, 11, 1),
        (22, 7, 1),
        (23, 6, 1),
    ]
    expected = [float(s) for s in (s6, s7, s10, s13, s16, s22, s23)]
    assert events["survival"].to_list() == pytest.approx(expected, abs=1e-12)
    # 95% interval as R prints it (conf.type = "log-log"), to 3 places. At t = 6 by hand:
    # V = 3 / (21 * 18) = 0.0079365; se = sqrt(V) / -log(6/7) = 0.089087 / 0.154151 = 0.57792;
    # lower = (6/7) ** exp(1.96 * 0.57792) = 0.620, upper = (6/7) ** exp(-1.96 * 0.57792) = 0.952.
    assert [round(x, 3) for x in events["lower"]] == [
        0.620,
        0.563,
        0.503,
        0.432,
        0.368,
        0.268,
        0.188,
    ]
    assert [round(x, 3) for x in events["upper"]] == [
        0.952,
        0.923,
        0.889,
        0.849,
        0.805,
        0.747,
        0.680,
    ]
    # Censored-only times keep the step: 32+ (two of them) leaves S at s23, with 4 at risk.
    assert rows(km.filter(pl.col("time") == 32), "at_risk", "events", "censored") == [(4, 0, 2)]
    assert km.filter(pl.col("time") == 32)["survival"].item() == pytest.approx(float(s23))


def test_median_and_share_reached_read_off_the_step_function() -> None:
    km = kaplan_meier(SIX_MP)
    # S(22) = 0.538 > 0.5, S(23) = 0.448 <= 0.5: the median is 23. The interval's lower end
    # is where the lower bound first drops to 0.5 (0.432 at 13); the upper bound never does.
    assert rows(median_time(km)) == [(23, 13, None)]
    reached = reached_by(km, [5, 6, 8, 35, 36])
    # Before the first time nothing is reached; 8 reads S(7); 35 is the longest follow-up
    # (censored), so beyond it S is unknown and the share is null.
    assert reached["time"].to_list() == [5, 6, 8, 35, 36]
    assert reached["reached"].to_list()[:3] == pytest.approx([0.0, 3 / 21, 1 - 18 / 21 * 16 / 17])
    assert reached["reached"][3] == pytest.approx(1 - 0.448179, abs=1e-6)
    assert reached["reached"][4] is None
    assert reached.row(1)[2:] == pytest.approx((1 - 0.951552, 1 - 0.619718), abs=1e-6)


def brute_force(times: list[int], seen: list[bool]) -> dict[int, tuple[int, int, float, float]]:
    """Product limit straight from the definition: (at risk, events, S, Greenwood sum)."""
    out, s, v = {}, 1.0, 0.0
    for t in sorted(set(times)):
        n = sum(1 for u in times if u >= t)
        d = sum(1 for u, o in zip(times, seen, strict=True) if u == t and o)
        s *= 1 - d / n
        v += d / (n * (n - d)) if 0 < d < n else 0.0
        out[t] = (n, d, s, v)
    return out


def test_groups_match_a_brute_force_product_limit() -> None:
    rng = random.Random(20240331)
    frame = pl.DataFrame(
        {
            "team": [rng.choice("XYZ") for _ in range(300)],
            "days": [rng.randint(0, 60) for _ in range(300)],  # many ties
            "observed": [rng.random() < 0.7 for _ in range(300)],
        }
    )
    km = kaplan_meier(frame, group="team")
    z = 1.959963984540054
    for team in "XYZ":
        mine = frame.filter(pl.col("team") == team)
        expected = brute_force(mine["days"].to_list(), mine["observed"].to_list())
        got = km.filter(pl.col("team") == team)
        assert got["time"].to_list() == sorted(expected)
        for row in got.iter_rows(named=True):
            n, d, s, v = expected[row["time"]]
            assert (row["at_risk"], row["events"]) == (n, d)
            assert row["survival"] == pytest.approx(s, abs=1e-12)
            if 0 < s < 1:
                se = math.sqrt(v) / -math.log(s)
                assert row["lower"] == pytest.approx(s ** math.exp(z * se), abs=1e-9)
                assert row["upper"] == pytest.approx(s ** math.exp(-z * se), abs=1e-9)
        for day in (10, 30, 59):
            steps = [t for t in expected if t <= day]
            s_day = expected[max(steps)][2] if steps else 1.0
            share = reached_by(km, [day]).filter(pl.col("team") == team)["reached"].item()
            assert share == pytest.approx(1 - s_day, abs=1e-12)


def test_series_input_gives_the_same_curve_and_bad_input_is_refused() -> None:
    assert kaplan_meier(SIX_MP["days"], SIX_MP["observed"]).equals(kaplan_meier(SIX_MP))
    with pytest.raises(ValueError, match="must not be null"):
        kaplan_meier(pl.DataFrame({"days": [1, None], "observed": [True, False]}))
    with pytest.raises(ValueError, match="negative"):
        kaplan_meier(pl.DataFrame({"days": [-1], "observed": [True]}))
    empty = kaplan_meier(SIX_MP.clear())
    assert empty.is_empty()
    assert rows(median_time(empty)) == [(None, None, None)]


WAITING = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
K1    | 01/01/2022 | S   | C1 | U3    | 01/04/2022 | X1
K1    | 01/04/2022 | P   | E1 | A6    |            |
K2    | 01/01/2022 | S   | C1 | U3    | 01/07/2022 | X1
K2    | 01/07/2022 | P   | E1 | A6    |            |
K3    | 01/01/2022 | S   | C1 | U3    |            |
K4    | 01/06/2022 | S   | V2 | U3    | 01/09/2022 | E4A
K5    | 01/01/2022 | S   | C1 | U3    | 01/08/2023 | X1
K5    | 01/08/2023 | P   | E1 | A6    |            |
"""
AS_AT = dt.date(2023, 3, 31)


def test_children_still_waiting_are_censored_not_dropped() -> None:
    h = history(WAITING)
    waits = time_to_milestone(
        periods_of_care(h), return_milestones(h), "entered_care", "placed_for_adoption", AS_AT
    )
    assert rows(waits) == [
        ("K1", 1, "01/01/2022", "01/04/2022", 90, True, None),
        ("K2", 1, "01/01/2022", "01/07/2022", 181, True, None),
        ("K3", 1, "01/01/2022", "31/03/2023", 454, False, "still waiting"),
        ("K4", 1, "01/06/2022", "01/09/2022", 92, False, "left care"),
        # Placed on 01/08/2023, after the as-at date: as at 31/03/2023 still waiting.
        ("K5", 1, "01/01/2022", "31/03/2023", 454, False, "still waiting"),
    ]
    # The naive average of the finished: (90 + 181) / 2 = 135.5 days, as if the typical
    # child were placed in four and a half months.
    finished = waits.filter("observed")["days"]
    assert finished.mean() == 135.5
    # Kaplan-Meier: day 90, 5 at risk, 1 placed: S = 4/5. Day 92, K4 censored (4 at risk).
    # Day 181, 3 at risk (K2, K3, K5), 1 placed: S = 4/5 * 2/3 = 8/15 = 0.533. Day 454:
    # K3 and K5 censored. S never reaches 0.5: the median wait is longer than anyone has
    # been watched, not 135.5 days.
    km = kaplan_meier(waits)
    assert km["survival"].to_list() == pytest.approx([4 / 5, 4 / 5, 8 / 15, 8 / 15])
    assert median_time(km)["median"].item() is None
    reached = reached_by(km)  # 182, 365 and 547 days
    assert reached["reached"].to_list() == pytest.approx([7 / 15, 7 / 15, None])


def test_a_match_before_the_placement_order_counts_as_day_0_unless_told_otherwise() -> None:
    h = history(MATCHED_BEFORE_ORDER)
    ad1 = table("AD1", "CHILD | DATE_MATCH | FOSTER_CARE\nF | 20/07/2021 | 0")
    found = return_milestones(h, ad1)
    args = (periods_of_care(h), found, "placement_order", "matched", AS_AT)
    assert rows(time_to_milestone(*args)) == [("F", 1, "01/08/2021", "01/08/2021", 0, True, None)]
    assert rows(time_to_milestone(*args, earlier_counts=False)) == [
        ("F", 1, "01/08/2021", "01/04/2022", 243, False, "left care")  # adopted 01/04/2022
    ]
