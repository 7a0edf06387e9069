"""Adoption scorecard A1, A2, A3 and A10 on hand-worked journeys, window ending 31/03/2023.

The window is 01/04/2020 to 31/03/2023 (both days included). Day counts are worked out
month by month in the comments; 2020 is a leap year.
"""

import datetime as dt

import polars as pl
import pytest

from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.measures.scorecard import (
    UNKNOWN_START,
    scorecard,
    scorecard_children,
    thresholds_from_rule_set,
    window,
)
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import (
    FIRST_LOADED_NOT_S,
    MATCHED_BEFORE_ORDER,
    history,
    rows,
)

YEAR_END = dt.date(2023, 3, 31)

# P: adopted on the window's last day. G: adopted by their own foster carers, who took
# them in on 01/03/2021 (RNE P), the placement becoming adoptive with RNE T.
# N: placed with parental consent, no placement order; adopted on the window's first day.
# R: came into care, went home, came back; adopted from the second period.
# O1, O2: adopted the day before and the day after the window.
JOURNEYS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
P     | 01/06/2020 | S   | C1 | U3    | 15/01/2021 | X1
P     | 15/01/2021 | L   | E1 | U3    | 01/06/2021 | X1
P     | 01/06/2021 | P   | E1 | A6    | 31/03/2023 | E11
G     | 01/01/2021 | S   | C1 | U3    | 01/03/2021 | X1
G     | 01/03/2021 | P   | C1 | U5    | 01/07/2021 | X1
G     | 01/07/2021 | L   | E1 | U5    | 01/09/2021 | X1
G     | 01/09/2021 | T   | E1 | A5    | 01/03/2022 | E11
N     | 10/05/2019 | S   | V2 | U3    | 01/08/2019 | X1
N     | 01/08/2019 | P   | V2 | A4    | 01/04/2020 | E12
R     | 01/03/2019 | S   | V2 | U6    | 01/09/2019 | E4A
R     | 01/02/2020 | S   | C1 | U3    | 01/10/2020 | X1
R     | 01/10/2020 | L   | E1 | U3    | 01/06/2021 | X1
R     | 01/06/2021 | P   | E1 | A6    | 01/03/2022 | E11
O1    | 01/01/2019 | S   | C1 | U3    | 01/05/2019 | X1
O1    | 01/05/2019 | P   | E1 | A6    | 31/03/2020 | E11
O2    | 01/01/2021 | S   | C1 | U3    | 01/05/2021 | X1
O2    | 01/05/2021 | P   | E1 | A6    | 01/04/2023 | E11
"""
# R has two matches: the first (01/02/2021) fell through; the adoption followed the second.
AD1 = """
CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
P     | 01/03/2021 | 10/05/2021 | 0
G     | 01/05/2021 | 20/08/2021 | 1
F     | 01/05/2021 | 20/07/2021 | 0
N     | 01/06/2019 | 15/07/2019 | 0
R     | 01/08/2020 | 01/02/2021 | 0
R     | 01/08/2020 | 15/05/2021 | 0
C     | 01/05/2022 | 01/07/2022 | 0
O1    | 01/03/2019 | 01/04/2019 | 0
O2    | 01/03/2021 | 01/04/2021 | 0
"""


def frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    # F (matched before the order, adopted 01/04/2022) and C (history begins mid-period,
    # adopted 01/02/2023) are the shared journeys of tests/journeys.
    h = history(JOURNEYS, MATCHED_BEFORE_ORDER, FIRST_LOADED_NOT_S)
    return periods_of_care(h), return_milestones(h, table("AD1", AD1)), placements(h)


def per_child(measure: str) -> list[tuple[object, ...]]:
    children = scorecard_children(*frames(), YEAR_END)
    return rows(
        children.filter(pl.col("measure") == measure),
        "CHILD",
        "period",
        "clock_start",
        "clock_stop",
        "days",
        "counted",
    )


def test_the_window_is_three_years_to_31_march_both_days_included() -> None:
    assert window(YEAR_END) == (dt.date(2020, 4, 1), YEAR_END)
    assert window(dt.date(2024, 2, 29), years=1) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))


def test_thresholds_come_from_the_rule_set() -> None:
    assert thresholds_from_rule_set() == {"A1": 426, "A2": 121, "A3": 426, "A10": 426}


def test_a1_counts_from_the_period_adopted_from_and_leaves_out_an_unknown_start() -> None:
    # O1 (adopted 31/03/2020) and O2 (01/04/2023) are outside the window: no rows.
    assert per_child("A1") == [
        ("C", 1, "01/04/2022", "01/09/2022", None, False),  # real start earlier: not counted
        ("F", 1, "01/02/2021", "01/09/2021", 212, True),  # Feb 28 + Mar-Aug 184 = 212
        ("G", 1, "01/01/2021", "01/09/2021", 243, True),  # Jan 31 + Feb 28 + Mar-Aug 184
        ("N", 1, "10/05/2019", "01/08/2019", 83, True),  # 10/05 -> 10/07 61, -> 01/08 22
        ("P", 1, "01/06/2020", "01/06/2021", 365, True),  # one year, no 29 February in it
        # Second period: 01/02/2020 -> 01/02/2021 366 (leap), -> 01/06/2021 120 = 486.
        # From the first entry (01/03/2019) it would be 823: the first period is not counted.
        ("R", 2, "01/02/2020", "01/06/2021", 486, True),
    ]
    reason = scorecard_children(*frames(), YEAR_END).filter(pl.col("CHILD") == "C")["reason"]
    assert reason[0] == UNKNOWN_START


def test_a10_stops_the_clock_when_a_foster_carer_adopter_took_the_child_in() -> None:
    a10 = dict((r[0], r[3:5]) for r in per_child("A10"))
    # G moved in with the carers who adopted them on 01/03/2021: 01/01 -> 01/03 = 31 + 28.
    assert a10["G"] == ("01/03/2021", 59)
    assert a10["P"] == ("01/06/2021", 365)  # not a foster-carer adoption: as A1


def test_a2_counts_a_match_before_the_order_as_0_and_leaves_out_no_order() -> None:
    assert per_child("A2") == [
        ("C", 1, "01/04/2022", "01/07/2022", None, False),  # order in force when records begin
        ("F", 1, "01/08/2021", "20/07/2021", 0, True),  # matched before the order: 0
        ("G", 1, "01/07/2021", "20/08/2021", 50, True),  # 30 (to 31/07) + 20
        ("N", 1, None, "15/07/2019", None, False),  # no placement order: not counted
        ("P", 1, "15/01/2021", "10/05/2021", 115, True),  # 16 + 28 + 31 + 30 + 10
        ("R", 2, "01/10/2020", "15/05/2021", 226, True),  # the later match: 212 + 14
    ]


def test_the_scorecard_against_a_hand_calculation() -> None:
    card = scorecard(*frames(), YEAR_END)
    assert rows(card) == [
        # A1: (212 + 243 + 83 + 365 + 486) / 5 = 1389 / 5 = 277.8; within 426: all but R.
        ("A1", "01/04/2020", "31/03/2023", 5, 1, pytest.approx(277.8), "days", 426, 4),
        # A2: (0 + 50 + 115 + 226) / 4 = 391 / 4 = 97.75; within 121: all but R.
        ("A2", "01/04/2020", "31/03/2023", 4, 2, pytest.approx(97.75), "days", 121, 3),
        # A3: 4 of the 5 in A1 moved in within 426 days: 80%.
        ("A3", "01/04/2020", "31/03/2023", 5, 1, pytest.approx(80.0), "percent", None, 4),
        # A10: as A1 with G at 59: (212 + 59 + 83 + 365 + 486) / 5 = 1205 / 5 = 241.
        ("A10", "01/04/2020", "31/03/2023", 5, 1, pytest.approx(241.0), "days", 426, 4),
    ]


def test_a_window_with_no_adoption_gives_no_value() -> None:
    card = scorecard(*frames(), dt.date(2019, 3, 31), thresholds={"A1": 1, "A2": 2, "A10": 3})
    assert rows(card, "measure", "children", "value", "threshold") == [
        ("A1", 0, None, 1),
        ("A2", 0, None, 2),
        ("A3", 0, None, None),
        ("A10", 0, None, 3),
    ]
