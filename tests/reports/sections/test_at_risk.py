"""Cases at risk of missing deadlines, by team, on hand-worked journeys as at 31/03/2023,
checked against the drift list computed directly."""

import dataclasses
import datetime as dt

import polars as pl

from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import Journeys
from carejourney.measures.summaries import drift_list
from carejourney.reports.disclosure import pseudonym
from carejourney.reports.sections import at_risk
from tests.reports.sections.context import (
    SALT,
    SyntheticLA,
    all_text,
    cells,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2023, 3, 31)

# No reviews recorded: each open period's first review is overdue (due 20 working days
# after entering care). B is allocated to Permanence North; D is on no allocation list.
EPISODES = """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
B     | 01/06/2022 | S   | C2 | U6    |     |
D     | 01/03/2021 | S   | C1 | U3    |     |
"""
ALLOCATIONS = """
CHILD | TEAM             | WORKER
B     | Permanence North | SW1
"""


def journeys() -> Journeys:
    return small_journeys(EPISODES, allocations=ALLOCATIONS, data_ends=AS_AT)


def test_counts_by_team_and_rule_match_the_drift_list() -> None:
    section = at_risk.build(context_for(journeys(), None, AS_AT, internal=True))
    due = drift_list(journeys(), [load_rule_set("england")], AS_AT)
    overdue = due.filter(pl.col("status") == "overdue")
    expected = (
        overdue.with_columns(pl.col("team").fill_null("Not allocated"))
        .group_by("team", "title")
        .len()
        .sort("team", "title")
    )
    table = cells(section, 0)
    assert [(team, rule, int(n)) for team, rule, n, _, _ in table[:-1]] == expected.rows()
    assert table[-1][:3] == ("Total", "All rules", str(overdue.height))
    assert {row[0] for row in table[:-1]} == {"Not allocated", "Permanence North"}
    # First review: B entered on Wednesday 01/06/2022; 20 working days, skipping the
    # Platinum Jubilee bank holidays of 2 and 3 June, end on Friday 01/07/2022.
    listed = section.tables[1].frame.filter(
        (pl.col("Child") == "B") & pl.col("Rule").str.starts_with("First looked-after review")
    )
    assert listed.rows() == [
        (
            "B",
            "Permanence North",
            "First looked-after review within 20 working days of entering care",
            "01/07/2022",
            273,  # 01/07/2022 -> 31/03/2023: 30 + 31 + 30 + 31 + 30 + 31 + 31 + 28 + 31
        )
    ]
    assert "with the most overdue" in section.paragraphs[0]


def test_a_child_listed_twice_in_the_allocation_list_is_counted_once() -> None:
    twice = small_journeys(
        EPISODES,
        allocations=ALLOCATIONS + "B     | Permanence South | SW2\n",
        data_ends=AS_AT,
    )
    once = drift_list(journeys(), [load_rule_set("england")], AS_AT)
    due = drift_list(twice, [load_rule_set("england")], AS_AT)
    assert due.height == once.height
    assert set(due.filter(pl.col("CHILD") == "B")["team"]) == {"Permanence South"}


def test_a_published_report_lists_pseudonyms_and_hides_small_counts() -> None:
    section = at_risk.build(context_for(journeys(), None, AS_AT))
    assert set(section.tables[1].frame["Child"].to_list()) == {
        pseudonym("B", SALT),
        pseudonym("D", SALT),
    }
    assert all(row[2] in ("[c]", "0") for row in cells(section, 0))
    text = all_text(section)
    assert "B " not in text.replace("Permanence North", "")


def test_no_allocation_list_puts_everyone_in_not_allocated(
    synthetic_la: SyntheticLA,
) -> None:
    journeys = dataclasses.replace(
        synthetic_la.journeys, allocations=synthetic_la.journeys.allocations.clear()
    )
    section = at_risk.build(context_for(journeys, None, synthetic_la.as_at, internal=True))
    assert {row[0] for row in cells(section, 0)} == {"Not allocated", "Total"}
    due = drift_list(journeys, [load_rule_set("england")], synthetic_la.as_at)
    assert section.tables[1].frame.height == due.filter(pl.col("status") == "overdue").height


def test_on_a_synthetic_la_no_child_id_is_published(synthetic_la: SyntheticLA) -> None:
    text = all_text(at_risk.build(synthetic_la.context()))
    assert not any(c in text for c in synthetic_la.journeys.children["CHILD"].to_list())
