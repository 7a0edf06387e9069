"""Under-fives who entered care two years ago, on hand-worked journeys as at 31/03/2023:
the cohort entered care from 01/04/2020 to 31/03/2021."""

import datetime as dt

import polars as pl

from carejourney.reports.disclosure import pseudonym
from carejourney.reports.document import Section
from carejourney.reports.sections import under_fives
from tests.reports.sections.context import (
    SALT,
    SyntheticLA,
    all_text,
    cells,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2023, 3, 31)

# U1: aged 1 on entering, two moves, in the U4 placement since 01/02/2022.
# U5: entered at birth, placement order, no move, plan reversed (PlacedAdoption).
# Not in the cohort: U2 (6 on entering), U3 (entered after the window), U4 (went home),
# U6 (entered before the window).
EPISODES = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
U1    | 01/06/2020 | S   | C1 | U6    | 01/09/2020 | X1
U1    | 01/09/2020 | P   | C2 | U6    | 01/02/2022 | X1
U1    | 01/02/2022 | P   | C2 | U4    |            |
U2    | 01/10/2020 | S   | V2 | U6    |            |
U3    | 01/05/2021 | S   | C2 | U6    |            |
U4    | 01/07/2020 | S   | C2 | U6    | 01/07/2022 | E4A
U5    | 01/03/2021 | S   | C1 | U6    | 01/06/2021 | X1
U5    | 01/06/2021 | L   | E1 | U6    |            |
U6    | 31/03/2020 | S   | C2 | U6    |            |
"""
CHILDREN = """
CHILD | SEX | DOB        | ETHNIC
U1    | F   | 01/01/2019 | WBRI
U2    | M   | 01/01/2014 | WBRI
U3    | M   | 01/01/2020 | WBRI
U4    | M   | 01/01/2020 | WBRI
U5    | F   | 01/03/2021 | WBRI
U6    | F   | 01/01/2020 | WBRI
"""
PLACED = """
CHILD | DATE_PLACED | DATE_PLACED_CEASED | REASON_PLACED_CEASED
U5    | 01/07/2021  | 01/12/2022         | RD1
"""


def build(internal: bool) -> Section:
    journeys = small_journeys(EPISODES, placed=PLACED, children=CHILDREN, data_ends=AS_AT)
    return under_fives.build(context_for(journeys, None, AS_AT, internal=internal))


def test_each_child_by_hand() -> None:
    section = build(internal=True)
    assert cells(section) == [
        # 01/02/2022 -> 31/03/2023: 365 + 28 + 30 = 423 days
        ("U1", "01/06/2020", 1, 2, "Full care order", 0, 423),
        # 01/03/2021 -> 31/03/2023: 365 + 365 + 30 = 760 days
        ("U5", "01/03/2021", 0, 0, "Placement order granted", 1, 760),
    ]
    # Median of 423 and 760: 591.5, shown to the nearest day.
    assert "current placement for 592 days" in section.paragraphs[0]
    assert section.paragraphs[0].startswith("2 children who were under 5")


def test_a_published_report_shows_pseudonyms_and_hides_the_small_count() -> None:
    section = build(internal=False)
    children = [row[0] for row in cells(section)]
    assert children == [pseudonym("U1", SALT), pseudonym("U5", SALT)]
    assert [row[1] for row in cells(section)] == ["June 2020", "March 2021"]  # months only
    paragraph = section.paragraphs[0]
    assert paragraph.startswith("Fewer than 5 children") and "592" not in paragraph
    text = all_text(section)
    assert "U1" not in text and "U5" not in text


def test_on_a_synthetic_la(synthetic_la: SyntheticLA) -> None:
    context = synthetic_la.context()
    frame = under_fives.under_fives(context)
    assert (frame["age_entered"] < 5).all()
    section = under_fives.build(context)
    assert section.tables[0].frame.height == frame.height
    assert section.tables[0].frame["Days in current placement"].to_list() == (
        frame["days_in_placement"].to_list()
    )
    ids = synthetic_la.journeys.children["CHILD"].to_list()
    assert not set(section.tables[0].frame["Child"].to_list()) & set(ids)
    internal = under_fives.build(synthetic_la.context(internal=True))
    assert internal.tables[0].frame["Child"].to_list() == frame["CHILD"].to_list()
    assert frame.filter(pl.col("days_in_placement") < 0).is_empty()
