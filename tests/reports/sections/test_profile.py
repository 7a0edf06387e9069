"""Who the children are, on hand-worked journeys as at 31/03/2023."""

import dataclasses
import datetime as dt

import polars as pl

from carejourney.journeys.stored import Journeys
from carejourney.reports.sections import profile
from tests.reports.sections.context import (
    SyntheticLA,
    all_text,
    cells,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2023, 3, 31)

# D: adoption decision, placement order: an adoption plan. B: long-term foster placement (U4):
# another permanence plan. F: a tracker plan of special guardianship. G: no plan known.
# A: adopted before the as-at date, so not looked after.
EPISODES = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
A     | 01/04/2021 | S   | C1 | A6    | 01/06/2022 | E11
B     | 01/06/2022 | S   | C2 | U4    |            |
D     | 01/03/2021 | S   | C1 | U3    | 01/09/2021 | X1
D     | 01/09/2021 | L   | E1 | U3    |            |
F     | 01/02/2022 | S   | C2 | U6    |            |
G     | 01/02/2022 | S   | V2 | U6    |            |
"""
AD1 = """
CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
D     | 01/06/2021 |            | 0
"""
CHILDREN = """
CHILD | SEX | DOB        | ETHNIC
B     | F   | 01/01/2020 | MWBC
D     | 1   | 15/05/2010 | WBRI
F     | 2   | 01/04/2022 |
G     | M   | 01/01/2015 | BAFR
"""


def journeys() -> Journeys:
    found = small_journeys(
        EPISODES,
        ad1=AD1,
        children=CHILDREN,
        tracker="""
        CHILD | period | milestone              | date
        F     | 1      | permanence_plan_agreed | 01/06/2022
        """,
        data_ends=AS_AT,
    )
    # The tracker's plan words are its NOTE, the milestone's detail.
    return dataclasses.replace(
        found,
        milestones=found.milestones.with_columns(
            detail=pl.when(pl.col("milestone") == "permanence_plan_agreed")
            .then(pl.lit("plan: special guardianship"))
            .otherwise(pl.col("detail"))
        ),
    )


def test_each_breakdown_counts_the_plans_by_hand() -> None:
    section = profile.build(context_for(journeys(), None, AS_AT, internal=True))
    by_age, by_sex, by_ethnicity, by_status, by_place = (cells(section, i) for i in range(5))
    # D 12 years old (adoption); B 3 and F under 1 (other plans). G has no plan: not counted.
    assert by_age == [
        ("Under 1", "0", "1", "1"),
        ("1 to 4", "0", "1", "1"),
        ("5 to 9", "0", "0", "0"),
        ("10 to 15", "1", "0", "1"),
        ("16 and over", "0", "0", "0"),
        ("Total", "1", "2", "3"),
    ]
    assert by_sex == [
        ("Male", "1", "0", "1"),
        ("Female", "0", "2", "2"),
        ("Total", "1", "2", "3"),
    ]
    assert by_ethnicity == [
        ("White", "1", "0", "1"),
        ("Mixed", "0", "1", "1"),
        ("Asian", "0", "0", "0"),
        ("Black", "0", "0", "0"),
        ("Other", "0", "0", "0"),
        ("Not known", "0", "1", "1"),
        ("Total", "1", "2", "3"),
    ]
    assert by_status == [
        ("C2 Full care order", "0", "2", "2"),
        ("E1 Placement order granted", "1", "0", "1"),
        ("Total", "1", "2", "3"),
    ]
    assert [row[0][:2] for row in by_place] == ["U3", "U4", "U6", "To"]
    assert "not recorded in SSDA903" in section.paragraphs[0]


def test_small_counts_are_hidden_in_a_published_report() -> None:
    section = profile.build(context_for(journeys(), None, AS_AT))
    for table in section.tables:
        assert set(table.frame.drop(table.frame.columns[0]).rows()[-1]) <= {"[c]", "0"}
        assert "[c]" in str(table.frame.rows())
    text = all_text(section)
    assert not any(f"{child} " in text or text.endswith(child) for child in "BDFG")


def test_on_a_synthetic_la_totals_match_the_children_with_plans(
    synthetic_la: SyntheticLA,
) -> None:
    context = synthetic_la.context(internal=True)
    section = profile.build(context)
    plans = profile.plans(context)
    for table in section.tables:
        assert table.frame.row(-1)[-1] == str(plans.height)
    published = all_text(profile.build(synthetic_la.context()))
    assert not any(c in published for c in synthetic_la.journeys.children["CHILD"].to_list())
