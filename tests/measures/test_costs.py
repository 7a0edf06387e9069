"""The cost of delay from small cases, every figure worked out by hand.

Due rows are what `measures.drift.due_dates` gives (only the columns costs use); placements
are stays of one type (`measures.costs.stays`). Dates are dd/mm/yyyy. The unit costs are
round numbers so that the sums can be checked by eye: £700 a week is £100 a day.
"""

import datetime as dt

import polars as pl
import pytest

from carejourney.config.costs import parse_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care
from carejourney.measures.costs import (
    NOT_PLACED,
    ROWS_SCHEMA,
    cost_of_delay,
    cost_summary,
    price_years,
    round_money,
    stays,
    unpriced_days,
    what_if,
)
from carejourney.measures.drift import due_dates
from tests.journeys.test_periods import history, rows
from tests.measures.test_drift import children
from tests.measures.test_routes import day, tracked

COSTS = parse_unit_costs(
    b"""
name = "test"
title = "Round numbers"
price_year = "2017"
source = "hand-made"
currency = "GBP"

[[costs]]
label = "LA foster care"
places = ["U4", "U6"]
providers = ["PR1"]
weekly = 700            # 100 a day
source = "hand-made"
verified = true

[[costs]]
label = "Independent fostering"
places = ["U4", "U6"]
providers = ["PR4"]
weekly = 1400           # 200 a day
price_year = "2021"
source = "hand-made"
verified = true

[[costs]]
label = "Children's home"
places = ["K2"]
weekly = 3500           # 500 a day
price_year = "2021"
source = "hand-made"
verified = true
""",
    "test.toml",
)
AS_AT = day("31/03/2026")  # the last 12 months: 01/04/2025 to 31/03/2026

# A: 10 days late in LA foster care: 10 x £100 = £1,000.
# B: 20 days late (02/01 to 21/01), moved on 11/01 from foster care to a private children's
#    home: 9 days x £100 (02/01-10/01) + 11 days x £500 (11/01-21/01) = £6,400.
# D: 5 days late in a secure children's home (K1), which has no cost: 5 days unpriced.
# E: 10 days late (02/01-11/01), left care on 05/01: 3 days x £100 (02/01-04/01),
#    7 days in no placement, unpriced.
# C: overdue since 01/03/2026, priced to the as-at date: 30 days x £200 = £6,000.
# F: overdue since 20/03/2025: 376 days x £100 = £37,600; 365 of them (£36,500) in the
#    last 12 months.
DUE = """
CHILD | period | rule   | status   | due_date   | met_date   | days_late
A     | 1      | rule-a | met late | 01/01/2025 | 11/01/2025 | 10
B     | 1      | rule-a | met late | 01/01/2025 | 21/01/2025 | 20
D     | 1      | rule-a | met late | 01/01/2025 | 06/01/2025 | 5
E     | 1      | rule-a | met late | 01/01/2025 | 11/01/2025 | 10
A     | 1      | rule-b | on track | 01/05/2026 |            |
B     | 1      | rule-b | met on time | 01/01/2025 | 01/12/2024 |
C     | 1      | rule-b | overdue  | 01/03/2026 |            | 30
F     | 1      | rule-b | overdue  | 20/03/2025 |            | 376
"""
PLACEMENTS = """
CHILD | period | start      | end        | PLACE | PLACE_PROVIDER
A     | 1      | 01/06/2024 |            | U6    | PR1
B     | 1      | 01/06/2024 | 11/01/2025 | U6    | PR1
B     | 1      | 11/01/2025 |            | K2    | PR4
C     | 1      | 01/06/2024 |            | U4    | PR4
D     | 1      | 01/06/2024 |            | K1    | PR1
E     | 1      | 01/06/2024 | 05/01/2025 | U6    | PR1
F     | 1      | 01/06/2024 |            | U6    | PR1
"""


def frame(text: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A text table with | between cells; a blank cell is null, dates dd/mm/yyyy."""
    lines = [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]
    head = lines[0]

    def cell(column: str, value: str) -> object:
        kind = schema[column]
        if not value:
            return None
        if kind == pl.Date:
            return day(value)
        return int(value) if kind == pl.Int64 else value

    return pl.DataFrame(
        [{c: cell(c, v) for c, v in zip(head, line, strict=True)} for line in lines[1:]],
        schema={c: schema[c] for c in head},
    )


def due(text: str = DUE) -> pl.DataFrame:
    return frame(text, {**ROWS_SCHEMA, "met_date": pl.Date}).with_columns(
        title=pl.col("rule").str.to_uppercase()
    )


def placements(text: str = PLACEMENTS) -> pl.DataFrame:
    schema = {**ROWS_SCHEMA, "start": pl.Date, "end": pl.Date}
    return frame(text, schema)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def priced() -> pl.DataFrame:
    return cost_of_delay(due(), placements(), COSTS, AS_AT)


def test_each_day_of_delay_is_priced_at_the_placement_held_that_day(
    priced: pl.DataFrame,
) -> None:
    assert rows(
        priced,
        "CHILD",
        "rule",
        "piece_from",
        "piece_to",
        "PLACE",
        "days",
        "days_priced",
        "days_unpriced",
        "cost",
        "why_unpriced",
    ) == [
        ("A", "rule-a", "02/01/2025", "11/01/2025", "U6", 10, 10, 0, 1_000.0, None),
        ("B", "rule-a", "02/01/2025", "10/01/2025", "U6", 9, 9, 0, 900.0, None),
        ("B", "rule-a", "11/01/2025", "21/01/2025", "K2", 11, 11, 0, 5_500.0, None),
        (
            "D",
            "rule-a",
            "02/01/2025",
            "06/01/2025",
            "K1",
            5,
            0,
            5,
            None,
            "no unit cost for placement type K1",
        ),
        ("E", "rule-a", "02/01/2025", "04/01/2025", "U6", 3, 3, 0, 300.0, None),
        ("E", "rule-a", "05/01/2025", "11/01/2025", None, 7, 0, 7, None, NOT_PLACED),
        ("C", "rule-b", "02/03/2026", "31/03/2026", "U4", 30, 30, 0, 6_000.0, None),
        ("F", "rule-b", "21/03/2025", "31/03/2026", "U6", 376, 376, 0, 37_600.0, None),
    ]
    # The pieces of each delayed milestone add up to its days late.
    per_case = priced.group_by("case").agg(pl.col("days").sum(), pl.col("days_late").first())
    assert (per_case["days"] == per_case["days_late"]).all()


def test_the_summary_per_rule_counts_the_last_12_months(priced: pl.DataFrame) -> None:
    summary = cost_summary(priced)
    assert rows(
        summary,
        "rule",
        "cases",
        "children",
        "days_late",
        "median_days_late",
        "cost",
        "days_unpriced",
        "cases_last_12_months",
        "days_last_12_months",
        "cost_last_12_months",
        "days_unpriced_last_12_months",
    ) == [
        # 1,000 + 6,400 + 300 = 7,700; unpriced 5 (K1) + 7 (no placement); all in Jan 2025.
        ("rule-a", 4, 4, 45, 10.0, 7_700.0, 12, 0, 0, 0.0, 0),
        # C's 30 days and 365 of F's 376 fall in 01/04/2025-31/03/2026: 6,000 + 36,500.
        ("rule-b", 2, 2, 406, 203.0, 43_600.0, 0, 2, 395, 42_500.0, 0),
    ]
    assert rows(unpriced_days(priced)) == [
        (NOT_PLACED, 7, 0),  # most days first
        ("no unit cost for placement type K1", 5, 0),
    ]
    assert price_years(priced) == ["2017", "2021"]  # F (2017) and C (2021) in the window


def test_what_if_delay_fell_by_n_days(priced: pl.DataFrame) -> None:
    # C's 30 days go entirely; F's delay ends on 01/03/2026: 335 days in the window.
    w = what_if(priced, "rule-b", fewer_days=30)
    assert w.description == "If drift under 'rule-b' fell by 30 days"
    assert (w.cases, w.days_now, w.days_then) == (2, 395, 335)
    assert (w.cost_now, w.cost_then, w.avoided_per_year) == (42_500.0, 33_500.0, 9_000.0)


def test_what_if_delay_fell_by_half(priced: pl.DataFrame) -> None:
    # C: 15 of 30 days left, 02/03-16/03/2026 at £200 = 3,000. F: 376 - 188 = 188 days,
    # ending 24/09/2025; 01/04-24/09/2025 is 177 days in the window at £100 = 17,700.
    w = what_if(priced, "rule-b", fraction=0.5)
    assert w.description == "If drift under 'rule-b' fell by half"
    assert (w.days_now, w.days_then) == (395, 15 + 177)
    assert (w.cost_then, w.avoided_per_year) == (20_700.0, 42_500.0 - 20_700.0)


def test_what_if_reprices_the_shorter_delay_with_the_same_placements(
    priced: pl.DataFrame,
) -> None:
    # Over ten years' window, rule-a by half: A 5 days (500); B 10 days, 02/01-11/01: 9 in
    # foster care and 1 in the children's home (900 + 500); D 3 days unpriced; E 5 days,
    # 3 in foster care (300) and 2 in no placement.
    w = what_if(priced, "rule-a", fraction=0.5, window_days=3650)
    assert (w.days_now, w.days_then) == (45, 5 + 10 + 3 + 5)
    assert (w.cost_now, w.cost_then) == (7_700.0, 500.0 + 1_400.0 + 300.0)
    # By 15 days: A and E to 0, D to 0, B to 5 days in foster care.
    w = what_if(priced, "rule-a", fewer_days=15, window_days=3650)
    assert (w.days_then, w.cost_then) == (5, 500.0)
    assert what_if(priced, "rule-a", fraction=0.25).description.endswith("fell by 25%")


def test_what_if_needs_one_way_of_shortening(priced: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        what_if(priced, "rule-a")
    with pytest.raises(ValueError, match="exactly one"):
        what_if(priced, "rule-a", fewer_days=3, fraction=0.5)
    with pytest.raises(ValueError, match="at most 1"):
        what_if(priced, "rule-a", fraction=1.5)
    assert what_if(priced, "no-such-rule", fewer_days=3).avoided_per_year == 0.0


def test_a_provider_with_no_cost_says_so_and_placements_work_too() -> None:
    # U6 has costs for PR1 and PR4 only: PR5 is unpriced, and says which provider.
    found = cost_of_delay(
        due(
            "CHILD | period | rule | status | due_date | met_date | days_late\n"
            "G | 1 | rule-a | met late | 01/01/2025 | 08/01/2025 | 7"
        ),
        placements(
            "CHILD | period | start | end | PLACE | PLACE_PROVIDER\nG | 1 | 01/06/2024 | | U6 | PR5"
        ),
        COSTS,
        AS_AT,
    )
    assert rows(found, "days_unpriced", "why_unpriced") == [
        (7, "no unit cost for placement type U6 with provider PR5")
    ]
    # journeys.periods.placements has place_start and place_end: priced at the latest type.
    moved = placements().rename({"PLACE": "place_end"})
    again = cost_of_delay(due(), moved, COSTS, AS_AT)
    assert again["cost"].sum() == 1_000 + 6_400 + 300 + 6_000 + 37_600


def test_nothing_delayed_gives_no_rows() -> None:
    found = cost_of_delay(due().filter(pl.col("status") == "on track"), placements(), COSTS, AS_AT)
    assert found.height == 0 and found.schema == pl.Schema(ROWS_SCHEMA)
    assert cost_summary(found).height == 0


def test_from_episodes_through_due_dates() -> None:
    # The first review is due 20 working days after entering care on Mon 06/01/2025:
    # Mon 03/02/2025. Held on Thu 13/02: 10 days late, in LA foster care (U6, provider PR1).
    h = history(
        """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
K     | 06/01/2025 | S   | C2 | U6    |     |
"""
    ).with_columns(PLACE_PROVIDER=pl.lit("PR1"))
    milestones = pl.concat(
        [
            return_milestones(h),
            tracked("CHILD | period | milestone | date\nK | 1 | looked_after_review | 13/02/2025"),
        ]
    )
    rules = load_rule_set("england")
    found = due_dates(rules, milestones, periods_of_care(h), children(), dt.date(2025, 3, 31))
    priced = cost_of_delay(found, stays(h), COSTS, dt.date(2025, 3, 31))
    first = priced.filter(pl.col("rule") == "review-first")
    assert rows(first, "due_date", "days_late", "days", "cost") == [("03/02/2025", 10, 10, 1_000.0)]


def test_money_is_rounded_to_the_nearest_hundred_or_thousand() -> None:
    assert [round_money(x) for x in (0, 49.9, 50, 9_949, 9_950, 10_499, 123_456.7)] == [
        0,
        0,
        100,
        9_900,
        10_000,
        10_000,
        123_000,
    ]
