"""The route to permanence of each period of care, from hand-worked journeys.

Journeys are the episode tables of tests/journeys; milestones that no return holds
(permanence orders, recommendations, ...) are written as a tracker table."""

import datetime as dt
from typing import Any

import polars as pl

from carejourney.journeys.milestones import SCHEMA, return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.measures.routes import legal_routes
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import (
    RE_ENTRY_STILL_IN_CARE,
    REVERSED_THEN_SGO,
    SAME_CARERS_THEN_NEW,
    SIMPLE_ADOPTION,
    history,
    rows,
)


def day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def tracked(text: str = "") -> pl.DataFrame:
    """Milestones from a tracker: CHILD | period | milestone | date (dd/mm/yyyy)."""
    lines = [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()[1:]]
    return pl.DataFrame(
        [
            {"CHILD": c, "period": int(p), "milestone": m, "date": day(d), "source": "tracker"}
            for c, p, m, d in lines
        ],
        schema=SCHEMA,
    )


def routes(
    episodes: str, tracker: str = "", placed: str = "", *, with_placements: bool = False
) -> list[tuple[Any, ...]]:
    """(CHILD, period, route) of every period of care."""
    h = history(episodes)
    placed_adoption = table("PlacedAdoption", placed) if placed else None
    found = pl.concat([return_milestones(h, placed_adoption=placed_adoption), tracked(tracker)])
    extra = placements(h) if with_placements else None
    return rows(legal_routes(periods_of_care(h), found, extra))


def test_a_closed_period_follows_its_exit() -> None:
    orders = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
    Q     | 01/01/2022 | S   | C2 | U3    | 01/06/2023 | E41
    """
    assert routes(SIMPLE_ADOPTION) == [("A", 1, "adoption")]  # E11
    assert routes(orders) == [("Q", 1, "child_arrangements_order")]
    # Period 1 returned home (E4A); period 2 is open with no plan yet.
    assert routes(RE_ENTRY_STILL_IN_CARE) == [("B", 1, "return_home"), ("B", 2, None)]


REVERSED = """
CHILD | DATE_PLACED | DATE_PLACED_CEASED | REASON_PLACED_CEASED
E     | 01/10/2020  | 15/02/2022         | RD1
"""


def test_a_reversed_adoption_plan_changes_the_route_and_the_exit_decides_in_the_end() -> None:
    h = history(REVERSED_THEN_SGO)
    found = return_milestones(h, placed_adoption=table("PlacedAdoption", REVERSED))
    open_period = periods_of_care(h).with_columns(
        end=pl.lit(None, pl.Date), exit_reason=pl.lit(None, pl.String)
    )

    def as_at(text: str) -> list[tuple[object, ...]]:
        known = found.filter(pl.col("date") <= day(text))
        return rows(legal_routes(open_period, known))

    assert as_at("01/09/2020") == [("E", 1, None)]  # no plan yet
    assert as_at("01/10/2020") == [("E", 1, "adoption")]  # adoption decision
    assert as_at("01/01/2022") == [("E", 1, "adoption")]  # and placement order
    assert as_at("15/02/2022") == [("E", 1, None)]  # reversed: no plan known
    # Left care with a special guardianship order (E45): the exit is the route.
    assert routes(REVERSED_THEN_SGO, placed=REVERSED) == [("E", 1, "special_guardianship")]


def test_a_plan_reversed_on_the_day_it_was_made_is_no_plan() -> None:
    tracker = """
    CHILD | period | milestone              | date
    D     | 1      | adoption_decision      | 01/03/2023
    D     | 1      | adoption_plan_reversed | 01/03/2023
    """
    assert routes(SAME_CARERS_THEN_NEW, tracker) == [("D", 1, None)]


OPEN_IN_SCOTLAND = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
P1    | 01/01/2022 | S   | C2 | U3    |            |
P2    | 01/01/2022 | S   | C2 | U3    |            |
P3    | 01/01/2022 | S   | C2 | U3    |            |
P4    | 01/01/2022 | S   | C2 | U3    | 01/06/2023 | E15
"""


def test_permanence_orders_with_and_without_authority_to_adopt() -> None:
    tracker = """
    CHILD | period | milestone                | date
    P1    | 1      | adoption_decision        | 01/06/2022
    P1    | 1      | permanence_order_lodged  | 01/09/2022
    P2    | 1      | permanence_order_granted | 01/12/2022
    P3    | 1      | adoption_decision        | 01/06/2022
    P3    | 1      | adoption_plan_reversed   | 01/08/2022
    P3    | 1      | permanence_order_lodged  | 01/09/2022
    P4    | 1      | placement_order          | 01/06/2022
    """
    assert routes(OPEN_IN_SCOTLAND, tracker) == [
        ("P1", 1, "permanence_order_with_authority_to_adopt"),
        ("P2", 1, "permanence_order"),
        ("P3", 1, "permanence_order"),  # the adoption plan was reversed first
        ("P4", 1, "adoption"),  # left care, not by a permanence exit: the plan decides
    ]


def test_long_term_fostering_only_from_the_placements_and_only_with_no_plan() -> None:
    long_term = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
    T     | 01/01/2022 | S   | C1 | U3    | 01/06/2022 | X1
    T     | 01/06/2022 | T   | C2 | U4    |            |
    U     | 01/01/2022 | S   | C1 | U1    |            |
    """
    tracker = """
    CHILD | period | milestone         | date
    U     | 1      | adoption_decision | 01/03/2022
    """
    assert routes(long_term, tracker) == [("T", 1, None), ("U", 1, "adoption")]
    assert routes(long_term, tracker, with_placements=True) == [
        ("T", 1, "long_term_fostering"),  # its placement became long-term (U4) on 01/06/2022
        ("U", 1, "adoption"),  # the plan wins over the placement type
    ]
    # Latest placement a children's home (K2): no route.
    assert routes(SAME_CARERS_THEN_NEW, with_placements=True) == [("D", 1, None)]


def test_no_periods_gives_an_empty_frame_with_the_columns() -> None:
    h = history(SIMPLE_ADOPTION).clear()
    found = legal_routes(periods_of_care(h), return_milestones(h))
    assert found.is_empty()
    assert found.schema == pl.Schema({"CHILD": pl.String, "period": pl.Int64, "route": pl.String})
