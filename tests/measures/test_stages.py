"""Timeliness by stage on hand-worked journeys, as at 31/03/2023.

Day counts are worked out month by month in the comments (no leap day falls in them).
"""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from carejourney import imports
from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.journeys.stored import Journeys
from carejourney.measures.adopters import adopter_stage_times, adopters_journey, adopters_waiting
from carejourney.measures.scorecard import thresholds_from_rule_set
from carejourney.measures.stage_routes import ROUTES
from carejourney.measures.stages import (
    shortest_and_longest,
    stage_summary,
    stage_times,
    where_drift_concentrates,
)
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import history, rows
from tests.returns import minimal_return, write_table
from tests.sources.test_annex_a import LIST_11_TEXT

AS_AT = dt.date(2023, 3, 31)

# A, B, C: adopted, every stage dated. D: placement order on 01/09/2021, still waiting for
# a match. E: placed with parental consent (LS V2 throughout): no placement order.
# S: left care on a special guardianship order (REC E45).
JOURNEYS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
A     | 01/04/2021 | S   | C1 | U3    | 01/09/2021 | X1
A     | 01/09/2021 | L   | E1 | U3    | 01/12/2021 | X1
A     | 01/12/2021 | P   | E1 | A6    | 01/06/2022 | E11
B     | 01/01/2021 | S   | C1 | U3    | 01/08/2021 | X1
B     | 01/08/2021 | L   | E1 | U3    | 01/04/2022 | X1
B     | 01/04/2022 | P   | E1 | A6    | 01/10/2022 | E11
C     | 01/02/2021 | S   | C1 | U3    | 01/06/2021 | X1
C     | 01/06/2021 | L   | E1 | U3    | 15/12/2021 | X1
C     | 15/12/2021 | P   | E1 | A6    | 15/06/2022 | E11
D     | 01/03/2021 | S   | C1 | U3    | 01/09/2021 | X1
D     | 01/09/2021 | L   | E1 | U3    |            |
E     | 01/05/2021 | S   | V2 | U3    | 01/10/2021 | X1
E     | 01/10/2021 | P   | V2 | A4    | 01/04/2022 | E12
S     | 01/06/2021 | S   | C1 | U3    | 01/12/2021 | E45
"""
AD1 = """
CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
A     | 01/07/2021 | 01/11/2021 | 0
B     | 01/05/2021 | 01/03/2022 | 0
C     | 01/04/2021 | 01/12/2021 | 0
D     | 01/06/2021 |            | 0
E     | 01/07/2021 | 01/09/2021 | 0
"""


def journeys() -> Journeys:
    h = history(JOURNEYS)
    return Journeys(
        la="999",
        history=h,
        periods=periods_of_care(h),
        placements=placements(h),
        milestones=return_milestones(h, table("AD1", AD1)),
        children=pl.DataFrame(schema={"CHILD": pl.String, "DOB": pl.Date}),
        workers=pl.DataFrame(schema={"CHILD": pl.String}),
        allocations=pl.DataFrame(schema={"CHILD": pl.String}),
        data_ends=AS_AT,
    )


def adoption() -> pl.DataFrame:
    return stage_times(journeys(), "adoption", AS_AT)


def test_each_stage_of_an_adoption_is_timed_from_milestone_to_milestone() -> None:
    times = adoption().filter(pl.col("CHILD") == "A")
    assert rows(times, "stage", "from_date", "to_date", "days", "status") == [
        # 01/04 -> 01/07/2021: 30 + 31 + 30
        ("entry_to_decision", "01/04/2021", "01/07/2021", 91, "completed"),
        # 01/07 -> 01/09/2021: 31 + 31
        ("decision_to_placement_order", "01/07/2021", "01/09/2021", 62, "completed"),
        # 01/09 -> 01/11/2021: 30 + 31
        ("placement_order_to_match", "01/09/2021", "01/11/2021", 61, "completed"),
        ("match_to_placed", "01/11/2021", "01/12/2021", 30, "completed"),
        # 01/12/2021 -> 01/06/2022: 31 + 31 + 28 + 31 + 30 + 31
        ("placed_to_adoption_order", "01/12/2021", "01/06/2022", 182, "completed"),
        ("entry_to_placed", "01/04/2021", "01/12/2021", 244, "completed"),
        ("entry_to_adoption_order", "01/04/2021", "01/06/2022", 426, "completed"),
    ]


def test_a_child_still_waiting_is_counted_with_their_wait_so_far() -> None:
    times = adoption().filter(pl.col("CHILD") == "D")
    # Only the stages D has reached: nothing after the match they are waiting for.
    assert rows(times, "stage", "days", "status", "over_threshold") == [
        ("entry_to_decision", 92, "completed", None),  # 01/03 -> 01/06/2021
        ("decision_to_placement_order", 92, "completed", None),  # 01/06 -> 01/09/2021
        # 01/09/2021 -> 01/09/2022 365, -> 01/03/2023 181, -> 31/03/2023 30: past 121 days
        ("placement_order_to_match", 576, "waiting", True),
        ("entry_to_placed", 760, "waiting", True),  # 01/03/2021 -> 31/03/2023
        ("entry_to_adoption_order", 760, "waiting", None),
    ]


def test_a_child_placed_with_consent_skips_the_placement_order_stages() -> None:
    times = adoption().filter(pl.col("CHILD") == "E")
    assert rows(times, "stage", "days", "status") == [
        ("entry_to_decision", 61, "completed"),  # 01/05 -> 01/07/2021
        ("decision_to_placement_order", None, "skipped"),  # not 0 days
        ("placement_order_to_match", None, "skipped"),
        ("match_to_placed", 30, "completed"),  # 01/09 -> 01/10/2021
        ("placed_to_adoption_order", 182, "completed"),  # 01/10/2021 -> 01/04/2022
        ("entry_to_placed", 153, "completed"),
        ("entry_to_adoption_order", 335, "completed"),
    ]


def test_the_summary_gives_medians_and_spread_of_completed_and_the_waits_so_far() -> None:
    summary = stage_summary(adoption())
    assert summary["stage"].to_list() == [s.name for s in ROUTES["adoption"]]
    order_to_match = summary.filter(pl.col("stage") == "placement_order_to_match")
    # Completed: A 61, C 183 (01/06 -> 01/12/2021), B 212 (01/08/2021 -> 01/03/2022).
    # Linear quartiles of 61, 183, 212: 61 + (183 - 61) / 2 = 122 and 183 + 29 / 2.
    # Over 121 days: B and C, 2 of 3. D is waiting (576 so far); E skipped it.
    assert rows(
        order_to_match,
        "completed",
        "median_days",
        "q1_days",
        "q3_days",
        "p10_days",
        "p90_days",
        "percent_over_threshold",
        "waiting",
        "waiting_median_days",
        "skipped",
        "threshold_days",
    ) == [(3, 183.0, 122.0, 197.5, 85.4, 206.2, 66.7, 1, 576.0, 1, 121)]
    # Kaplan-Meier, D censored at 576: S = 3/4 after 61, 3/4 * 2/3 = 1/2 after 183.
    assert order_to_match["km_median_days"].item() == 183
    decision_to_order = summary.filter(pl.col("stage") == "decision_to_placement_order")
    # A 62, B 92 (01/05 -> 01/08), C 61 (01/04 -> 01/06), D 92: median (62 + 92) / 2.
    assert rows(decision_to_order, "completed", "median_days", "skipped", "waiting") == [
        (4, 77.0, 1, 0)
    ]
    # A threshold-less stage has no % over.
    assert decision_to_order["percent_over_threshold"].item() is None


def test_the_sentence_names_the_stage_most_over_its_threshold() -> None:
    summary = stage_summary(adoption())
    assert where_drift_concentrates(summary, "adoption") == (
        "Most of the delay is between the placement order and the match: a median of "
        "183 days, against 121 days expected (A2)."
    )


def test_the_sentence_also_names_a_longer_stage_without_a_threshold() -> None:
    summary = stage_summary(adoption()).with_columns(
        median_days=pl.when(pl.col("stage") == "entry_to_decision")
        .then(300.0)
        .otherwise("median_days")
    )
    assert where_drift_concentrates(summary, "adoption") == (
        "Most of the delay is between the placement order and the match: a median of 183 "
        "days, against 121 days expected (A2); the longest stage, with no national "
        "timescale, is between entering care and the decision that the child should be "
        "placed for adoption (a median of 300 days)."
    )


def test_with_no_stage_over_its_threshold_the_longest_stage_is_named() -> None:
    summary = stage_times(journeys(), "special_guardianship", AS_AT)
    # S: 01/06 -> 01/12/2021: 30 + 31 + 31 + 30 + 31 + 30.
    assert rows(summary, "CHILD", "days", "status") == [("S", 183, "completed")]
    assert where_drift_concentrates(stage_summary(summary), "special_guardianship") == (
        "The longest stage is between entering care and the special guardianship order: "
        "a median of 183 days, 100% of the sum of the stages' medians."
    )
    empty = stage_summary(stage_times(journeys(), "return_home", AS_AT), "return_home")
    assert empty["completed"].to_list() == [0]
    assert "cannot be said" in where_drift_concentrates(empty, "return_home")


def test_shortest_and_longest_rank_completed_journeys_stage_by_stage() -> None:
    shortest, longest = shortest_and_longest(adoption(), "adoption", n=2)
    # Entry to adoption order: E 335, A 426, C 499 (59 + 61 + 183 + 14 + 182), B 638.
    # D has not been adopted, so is in neither.
    assert rows(shortest) == [
        ("E", 1, 335, 61, None, None, 30, 182),
        ("A", 1, 426, 91, 62, 61, 30, 182),
    ]
    assert rows(longest) == [
        ("B", 1, 638, 120, 92, 212, 31, 183),
        ("C", 1, 499, 59, 61, 183, 14, 182),
    ]
    assert shortest.columns[3:] == [s.name for s in ROUTES["adoption"] if not s.overall]


def test_entered_from_keeps_only_periods_starting_on_or_after_it() -> None:
    times = stage_times(journeys(), "adoption", AS_AT, entered_from=dt.date(2021, 3, 1))
    assert sorted(set(times["CHILD"])) == ["A", "D", "E"]


def test_an_earlier_as_at_sees_only_what_was_known_then() -> None:
    times = stage_times(journeys(), "adoption", dt.date(2021, 10, 1))
    a = times.filter(pl.col("CHILD") == "A")
    # A was waiting for a match: 01/09 -> 01/10/2021.
    assert rows(a.filter(pl.col("status") == "waiting"), "stage", "days") == [
        ("placement_order_to_match", 30),
        ("entry_to_placed", 183),
        ("entry_to_adoption_order", 183),
    ]


def test_the_thresholds_match_the_scorecard_rule_set() -> None:
    by_name = {s.threshold_name: s.threshold_days for s in ROUTES["adoption"]}
    limits = thresholds_from_rule_set()
    assert (by_name["A1"], by_name["A2"]) == (limits["A1"], limits["A2"])


def test_an_unknown_route_is_an_error_naming_the_routes() -> None:
    with pytest.raises(ValueError, match="adoption"):
        stage_times(journeys(), "fostering", AS_AT)
    with pytest.raises(ValueError, match="adopters_journey"):
        stage_times(journeys(), "adopters", AS_AT)


# X: stage 1 inside 2 months, stage 2 (to approval) over 4 months; matched and placed.
# Y: stage 1 one day over 2 months; approved on the day 4 months ends (on time); waiting.
# Z: an enquiry only.
ADOPTERS = """
ADOPTER | adopter_enquiry | adopter_registration | adopter_stage_one_completed | adopter_stage_two_started | adopter_approved | adopter_matched | adopter_child_placed
X       | 01/02/2021      | 15/02/2021           | 10/04/2021                  | 12/04/2021                | 20/09/2021       | 20/06/2022      | 18/07/2022
Y       | 05/05/2022      | 24/05/2022           | 25/07/2022                  | 01/08/2022                | 01/12/2022       |                 |
Z       | 01/03/2023      |                      |                             |                           |                  |                 |
"""


def adopter_milestones() -> pl.DataFrame:
    lines = [[c.strip() for c in line.split("|")] for line in ADOPTERS.strip().splitlines()]
    return pl.DataFrame(
        [
            (row[0], name, dt.datetime.strptime(value, "%d/%m/%Y").date())
            for row in lines[1:]
            for name, value in zip(lines[0][1:], row[1:], strict=True)
            if value
        ],
        schema={"ADOPTER": pl.String, "milestone": pl.String, "date": pl.Date},
        orient="row",
    )


def test_adopters_stages_are_checked_against_2_and_4_months() -> None:
    times = adopter_stage_times(adopter_milestones(), AS_AT)
    checks = times.filter(pl.col("stage").is_in(["stage_one", "stage_two"]))
    assert rows(checks, "ADOPTER", "stage", "days", "over_threshold") == [
        ("X", "stage_one", 54, False),  # 15/02 -> 10/04/2021; due by 15/04
        ("X", "stage_two", 161, True),  # 12/04 -> 20/09/2021; due by 12/08
        ("Y", "stage_one", 62, True),  # 24/05 -> 25/07/2022; due by 24/07
        ("Y", "stage_two", 122, False),  # 01/08 -> 01/12/2022: exactly 4 months
    ]
    summary = stage_summary(times)
    assert rows(
        summary.filter(pl.col("stage").is_in(["stage_one", "stage_two"])),
        "stage",
        "threshold",
        "completed",
        "percent_over_threshold",
    ) == [("stage_one", "2 months", 2, 50.0), ("stage_two", "4 months", 2, 50.0)]


def test_adopters_approved_and_not_matched_are_waiting() -> None:
    times = adopter_stage_times(adopter_milestones(), AS_AT)
    # Y: 01/12/2022 -> 31/03/2023: 30 + 31 + 28 + 31.
    assert rows(adopters_waiting(times)) == [("Y", "01/12/2022", 120)]
    z = times.filter(pl.col("ADOPTER") == "Z")
    assert rows(z, "stage", "days", "status") == [
        ("enquiry_to_registration", 30, "waiting"),
        ("enquiry_to_approval", 30, "waiting"),
    ]
    summary = stage_summary(times)
    waiting = summary.filter(pl.col("stage") == "approval_to_match")
    assert rows(waiting, "completed", "median_days", "waiting", "waiting_median_days") == [
        (1, 273.0, 1, 120.0)  # X: 20/09/2021 -> 20/06/2022
    ]


def test_adopters_are_read_from_the_stored_annex_a_list_11(engine: Engine, tmp_path: Path) -> None:
    returns = minimal_return(tmp_path / "returns")
    write_table(returns / "annex-a-list-11.csv", LIST_11_TEXT)
    outcome = imports.import_returns(engine, [returns], la="931")
    assert outcome.stored, outcome.problems
    with engine.connect() as conn:
        times = adopters_journey(conn, "931", AS_AT)
    # ZZ-A-0002 registered on 24/05/2022 (Excel day 44705) and is waiting for stage 1.
    assert rows(times.filter(pl.col("status") == "waiting"), "ADOPTER", "stage", "days") == [
        ("ZZ-A-0002", "stage_one", 311),
        ("ZZ-A-0002", "enquiry_to_approval", 330),
    ]
    assert rows(adopters_waiting(times)) == []
