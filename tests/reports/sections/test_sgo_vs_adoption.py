"""Special guardianship against adoption, on the hand-worked journeys of
tests/measures/test_stages.py as at 31/03/2023 (the 3 years from 01/04/2020)."""

import datetime as dt

import polars as pl

from carejourney.reports.document import Section
from carejourney.reports.sections import sgo_vs_adoption
from tests.measures.test_stages import AD1, JOURNEYS
from tests.reports.sections.context import (
    SyntheticLA,
    all_text,
    cells,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2023, 3, 31)
CHILDREN = """
CHILD | SEX | DOB        | ETHNIC
A     | F   | 01/01/2020 | WBRI
B     | M   | 01/06/2019 | WBRI
C     | F   | 01/01/2021 | WBRI
E     | M   | 01/01/2018 | WBRI
S     | F   | 01/01/2016 | WBRI
"""


def build(internal: bool) -> Section:
    journeys = small_journeys(JOURNEYS, ad1=AD1, children=CHILDREN, data_ends=AS_AT)
    return sgo_vs_adoption.build(context_for(journeys, None, AS_AT, internal=internal))


def test_both_routes_side_by_side_by_hand() -> None:
    section = build(internal=True)
    # Adopted: A 01/04/2021 -> 01/06/2022 426 days, B 01/01/2021 -> 01/10/2022 638,
    # C 01/02/2021 -> 15/06/2022 499, E 01/05/2021 -> 01/04/2022 335 (D still waiting).
    # Sorted 335, 426, 499, 638: median 462.5; quartiles by linear interpolation
    # 335 + 0.75 * 91 = 403.25 and 499 + 0.25 * 139 = 533.75.
    # Ages on leaving: A 2, B 3, C 1, E 4: median 2.5. Each had 2 placements (1 move).
    # S: SGO 01/12/2021, 01/06/2021 -> 01/12/2021 = 183 days, aged 5, 1 placement.
    assert cells(section) == [
        ("Children", "1", "4"),
        ("Median age on leaving care (years)", "5", "2.5"),
        ("Median days from entering care to the order", "183", "462.5"),
        ("Days: lower quartile (a quarter took less)", "183", "403.2"),
        ("Days: upper quartile (a quarter took more)", "183", "533.8"),
        ("Children left out of the days (care began before the loaded history)", "0", "0"),
        ("Median placement moves before the order", "0", "1"),
        ("Children with 3 or more placements before the order", "0%", "0%"),
    ]
    paragraph = section.paragraphs[0]
    assert "1 children left care on a special guardianship order and 4 were adopted" in (paragraph)
    assert "special guardianship was the quicker route" in paragraph


def test_small_groups_are_hidden_with_their_medians() -> None:
    section = build(internal=False)
    assert cells(section)[0] == ("Children", "[c]", "[c]")
    assert {row[1] for row in cells(section)[1:]} <= {"[c]", "not available"}
    assert "462.5" not in all_text(section)


def test_on_a_synthetic_la_the_counts_match_the_orders(synthetic_la: SyntheticLA) -> None:
    context = synthetic_la.context(internal=True)
    since = dt.date(synthetic_la.as_at.year - 3, synthetic_la.as_at.month, synthetic_la.as_at.day)
    orders = synthetic_la.journeys.milestones.filter(
        pl.col("date").is_between(since, synthetic_la.as_at, closed="right")
    )
    sgo = orders.filter(pl.col("milestone") == "special_guardianship_order").height
    adopted = orders.filter(pl.col("milestone") == "adoption_order").height
    assert cells(sgo_vs_adoption.build(context))[0] == ("Children", str(sgo), str(adopted))
