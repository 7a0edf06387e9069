"""Placement stability for the year ending 31/03/2024, on hand-worked journeys.

Key dates: the year is 01/04/2023-31/03/2024; the two years start 01/04/2022; looked after
2.5 years means since 01/10/2021 or earlier; under 16 means born after 31/03/2008.
"""

import datetime as dt

import polars as pl
import pytest

from carejourney.journeys.periods import periods_of_care, placements
from carejourney.measures.stability import (
    stability,
    stability_children,
    stability_children_on,
    stability_on,
)
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import history, rows
from tests.reports.sections.context import SyntheticLA, synthetic_la  # noqa: F401

YEAR_END = dt.date(2024, 3, 31)

# S1: a placement spanning 1 April 2023, then two moves: 1 + 2 = 3 placements in the year.
# S2: moved on 1 April 2023 itself: the placement left that day is not counted: 2.
# S3: a stay in hospital (T1) is not a placement; the return (RNE P) is counted: 2.
# S4: short breaks (not counted), went home, came back and moved: 1 + 2 = 3.
# S5: looked after since 2020, with the same carers since 01/03/2022.
# S6: looked after since 01/06/2021; 3 placements in the two years, 2 in the year.
# S7: placed for adoption 01/02/2024 after foster care since 01/02/2021.
# S8: 16 on 31/03/2024 (born 31/03/2008). S9 left care on 31/03/2024. S10: short breaks.
JOURNEYS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
S1    | 01/01/2023 | S   | C1 | U3    | 10/06/2023 | X1
S1    | 10/06/2023 | P   | C1 | U4    | 01/11/2023 | X1
S1    | 01/11/2023 | P   | C2 | K2    |            |
S2    | 01/06/2022 | S   | C1 | U3    | 01/04/2023 | X1
S2    | 01/04/2023 | P   | C1 | U4    | 01/09/2023 | X1
S2    | 01/09/2023 | P   | C2 | U4    |            |
S3    | 01/05/2023 | S   | V2 | U3    | 01/08/2023 | X1
S3    | 01/08/2023 | P   | V2 | T1    | 15/08/2023 | X1
S3    | 15/08/2023 | P   | V2 | U3    |            |
S4    | 01/04/2023 | S   | V3 | U6    | 03/04/2023 | E8
S4    | 01/05/2023 | S   | V2 | U3    | 01/07/2023 | E4A
S4    | 01/09/2023 | S   | C1 | U3    | 01/12/2023 | X1
S4    | 01/12/2023 | P   | C1 | U4    |            |
S5    | 01/01/2020 | S   | C2 | U3    | 01/03/2022 | X1
S5    | 01/03/2022 | P   | C2 | U1    |            |
S6    | 01/06/2021 | S   | C1 | U3    | 01/06/2022 | X1
S6    | 01/06/2022 | P   | C2 | U3    | 01/05/2023 | X1
S6    | 01/05/2023 | P   | C2 | U4    |            |
S7    | 01/02/2021 | S   | C2 | U3    | 01/10/2022 | X1
S7    | 01/10/2022 | L   | E1 | U3    | 01/02/2024 | X1
S7    | 01/02/2024 | P   | E1 | A6    |            |
S8    | 01/09/2019 | S   | C2 | K2    |            |
S9    | 01/06/2023 | S   | V2 | U3    | 31/03/2024 | E4A
S10   | 01/03/2024 | S   | V3 | U6    |            |
"""
# S3's date of birth differs between two returns: unknown (S3 is not in (c) anyway).
HEADER = """
CHILD | DOB
S1    | 01/01/2015
S2    | 01/01/2012
S3    | 01/01/2016
S3    | 02/01/2016
S4    | 01/01/2010
S5    | 01/01/2012
S6    | 10/10/2010
S7    | 01/06/2019
S8    | 31/03/2008
S9    | 01/01/2014
S10   | 01/01/2014
"""


def measured() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dt.date]:
    h = history(JOURNEYS)
    return periods_of_care(h), placements(h), table("Header", HEADER), YEAR_END


def test_each_child_against_a_hand_count() -> None:
    children = stability_children(*measured())
    # S9 left care on 31 March and S10 has short breaks only: not looked after at 31 March.
    assert rows(
        children,
        "CHILD",
        "placements_in_year",
        "placements_in_2_years",
        "same_placement_since",
        "under_16",
        "long_term_cohort",
    ) == [
        ("S1", 3, None, "01/11/2023", True, False),
        ("S2", 2, None, "01/09/2023", True, False),
        ("S3", 2, None, "15/08/2023", None, False),  # date of birth unknown
        ("S4", 3, None, "01/12/2023", True, False),
        # The U3 placement ended 01/03/2022, before the two years began: 1 in both.
        ("S5", 1, 1, "01/03/2022", True, True),
        # Two years: U3 (ended 01/06/2022, after 01/04/2022), C2 U3, U4 = 3.
        # Year: C2 U3 (current on 01/04/2023) and U4 = 2.
        ("S6", 2, 3, "01/05/2023", True, True),
        # The adoptive placement (01/02/2024) and the one before it (from 01/02/2021).
        ("S7", 2, 2, "01/02/2021", True, True),
        ("S8", 1, 1, "01/09/2019", False, False),  # 16 on 31/03/2024: not under 16
    ]
    assert rows(children.filter(pl.col("long_term_cohort")), "CHILD", "same_placement_2_years") == [
        ("S5", True),  # since 01/03/2022, on or before 01/04/2022
        ("S6", False),  # since 01/05/2023
        ("S7", True),  # since 01/02/2021, counting the placement before adoption
    ]


def test_the_three_measures_against_a_hand_calculation() -> None:
    result = stability(*measured())
    assert rows(result, "measure", "year_end", "children", "count", "percent") == [
        # (a) 8 looked after at 31 March (S1-S8); 3+ placements: S1 and S4. 2 / 8 = 25%.
        ("three_or_more_in_year", "31/03/2024", 8, 2, pytest.approx(25.0)),
        # (b) looked after since 01/04/2022 or earlier: S5, S6, S7, S8; 3+ in 2 years: S6.
        ("three_or_more_in_2_years", "31/03/2024", 4, 1, pytest.approx(25.0)),
        # (c) under 16 and looked after since 01/10/2021 or earlier: S5, S6, S7; same
        # placement for 2 years: S5 and S7 (with the placement before adoption). 2 / 3.
        ("long_term_stability", "31/03/2024", 3, 2, pytest.approx(200 / 3)),
    ]


def test_a_year_with_nobody_looked_after_gives_no_percent() -> None:
    periods, places, header, _ = measured()
    result = stability(periods, places, header, dt.date(2019, 3, 31))
    assert rows(result, "children", "count", "percent") == [(0, 0, None)] * 3


def test_several_year_ends_at_once_match_one_at_a_time(
    synthetic_la: SyntheticLA,  # noqa: F811  (the fixture imported above)
) -> None:
    """`stability_on` is one pass for many quarter-ends; each must be what `stability` gives
    for that quarter-end alone, child by child and in total."""
    journeys = synthetic_la.journeys
    tables = (journeys.periods, journeys.placements, journeys.children)
    days = [dt.date(2023, 3, 31), dt.date(2024, 2, 29), dt.date(2024, 12, 31), synthetic_la.as_at]
    together = stability_on(*tables, days)
    children = stability_children_on(*tables, days)
    assert together.get_column("year_end").unique().sort().to_list() == sorted(set(days))
    for day in days:
        alone = stability(*tables, day)
        assert alone.height == 3 and alone["children"].sum() > 0
        assert together.filter(pl.col("year_end") == day).equals(alone)
        per_child = children.filter(pl.col("year_end") == day).drop("year_end")
        assert per_child.equals(stability_children(*tables, day))
