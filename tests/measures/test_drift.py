"""Due dates and drift from small journeys, every expected row worked out by hand.

Journeys are episode tables as in tests/journeys; reviews are the SSDA903 Reviews table and
the milestones no return holds are a tracker table (CHILD | period | milestone | date).
Hand counts are written beside the rows; dates are dd/mm/yyyy.
"""

import polars as pl
import pytest

from carejourney.config.rules import RuleSet, load_rule_set, parse_rule_set
from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.measures.drift import SCHEMA, caseload, due_dates
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import (
    JOURNEYS,
    RE_ENTRY_STILL_IN_CARE,
    REVERSED_THEN_SGO,
    SHORT_BREAKS,
    history,
    rows,
)
from tests.measures.test_routes import REVERSED, day, tracked


def expect(found: pl.DataFrame, text: str) -> None:
    """`found` has exactly the rows of a text table whose header names the columns to
    compare; a blank cell is null, a whole number an integer, dates dd/mm/yyyy."""
    lines = [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]

    def cell(value: str) -> object:
        return None if not value else int(value) if value.lstrip("-").isdigit() else value

    assert rows(found, *lines[0]) == [tuple(cell(v) for v in line) for line in lines[1:]]


def due(
    rule_set: RuleSet | str,
    episodes: str | tuple[str, ...],
    as_at: str,
    tracker: str = "",
    reviews: str = "",
    dobs: str = "",
    placed: str = "",
) -> pl.DataFrame:
    """due_dates for one set of journeys; `dobs` is CHILD | DOB (children not in it have
    no date of birth)."""
    rules = load_rule_set(rule_set) if isinstance(rule_set, str) else rule_set
    h = history(*((episodes,) if isinstance(episodes, str) else episodes))
    found = return_milestones(
        h,
        reviews=table("Reviews", reviews) if reviews else None,
        placed_adoption=table("PlacedAdoption", placed) if placed else None,
    )
    milestones = pl.concat([found, tracked(tracker)])
    return due_dates(rules, milestones, periods_of_care(h), children(dobs), day(as_at))


def children(dobs: str = "") -> pl.DataFrame:
    """CHILD | DOB, a blank DOB null."""
    lines = [[c.strip() for c in line.split("|")] for line in dobs.strip().splitlines()[1:]]
    return pl.DataFrame(
        [{"CHILD": c, "DOB": day(d) if d else None} for c, d in lines],
        schema={"CHILD": pl.String, "DOB": pl.Date},
    )


def rule_set(nation: str, rules: str) -> RuleSet:
    head = f'name = "test"\ntitle = "Test"\nnation = "{nation}"\nsource = "hand-made"\n'
    return parse_rule_set((head + rules).encode(), "test.toml")


# Moray Aim 2: recommendation within 30 weeks of being accommodated, reminder at 15 weeks,
# for children accommodated on or after 01/02/2019. 30 weeks = 210 days, 15 weeks = 105.
MORAY = """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
M1    | 21/08/2023 | S   | C2 | U3    |     |
M2    | 21/08/2023 | S   | C2 | U3    |     |
M3    | 21/08/2023 | S   | C2 | U3    |     |
M4    | 01/12/2023 | S   | C2 | U3    |     |
M5    | 01/03/2024 | S   | C2 | U3    |     |
M6    | 31/01/2019 | S   | C2 | U3    |     |
M7    | 01/09/2023 | S   | C2 | U3    |     |
"""
MORAY_TRACKER = """
CHILD | period | milestone                 | date
M1    | 1      | permanence_recommendation | 18/03/2024
M2    | 1      | permanence_recommendation | 19/03/2024
"""


def test_moray_recommendation_within_30_weeks_with_its_15_week_reminder() -> None:
    found = due("pace-moray", MORAY, "15/04/2024", MORAY_TRACKER)
    # 21/08/2023 + 210 days = 18/03/2024 (2024 a leap year); + 105 days = 04/12/2023.
    # 01/12/2023: due 28/06/2024, reminder 15/03/2024. 01/03/2024: 27/09/2024, 14/06/2024.
    # 01/09/2023: due 29/03/2024, reminder 15/12/2023. M6 came in before 01/02/2019: no rows.
    # Aim 3: the panel 15 weeks (105 days) after the recommendation.
    expect(
        found,
        """
        CHILD | period | rule                 | from_date  | due_date   | reminder_date | met_date   | status       | days_left | days_late
        M1    | 1      | aim-2-recommendation | 21/08/2023 | 18/03/2024 | 04/12/2023    | 18/03/2024 | met on time  |           |
        M1    | 1      | aim-3-panel          | 18/03/2024 | 01/07/2024 |               |            | on track     | 77        |
        M2    | 1      | aim-2-recommendation | 21/08/2023 | 18/03/2024 | 04/12/2023    | 19/03/2024 | met late     |           | 1
        M2    | 1      | aim-3-panel          | 19/03/2024 | 02/07/2024 |               |            | on track     | 78        |
        M3    | 1      | aim-2-recommendation | 21/08/2023 | 18/03/2024 | 04/12/2023    |            | overdue      | -28       | 28
        M4    | 1      | aim-2-recommendation | 01/12/2023 | 28/06/2024 | 15/03/2024    |            | reminder due | 74        |
        M5    | 1      | aim-2-recommendation | 01/03/2024 | 27/09/2024 | 14/06/2024    |            | on track     | 165       |
        M7    | 1      | aim-2-recommendation | 01/09/2023 | 29/03/2024 | 15/12/2023    |            | overdue      | -17       | 17
        """,
    )
    aim2, aim3 = "aim-2-recommendation", "aim-3-panel"
    why = dict(zip(found["CHILD"] + found["rule"], found["why"], strict=True))
    assert why["M4" + aim2] == (
        "Permanence recommendation due by 28/06/2024 (30 weeks after entering care on "
        "01/12/2023); reminder from 15/03/2024; not yet recorded (74 days left)."
    )
    assert why["M3" + aim2] == (
        "Permanence recommendation due by 18/03/2024 (30 weeks after entering care on "
        "21/08/2023); reminder from 04/12/2023; not yet recorded, 28 days overdue."
    )
    assert why["M1" + aim2] == (
        "Permanence recommendation due by 18/03/2024 (30 weeks after entering care on "
        "21/08/2023); recorded on 18/03/2024, on time."
    )
    assert why["M2" + aim2].endswith("; recorded on 19/03/2024, 1 day late.")
    assert why["M1" + aim3] == (
        "Panel due by 01/07/2024 (15 weeks after the permanence recommendation on "
        "18/03/2024); not yet recorded (77 days left)."
    )


@pytest.mark.parametrize(
    ("as_at", "status", "days_left", "met"),
    [
        ("03/12/2023", "on track", 106, None),
        ("04/12/2023", "reminder due", 105, None),  # the 15-week point
        ("17/03/2024", "reminder due", 1, None),  # the recommendation not yet known
        ("18/03/2024", "met on time", None, "18/03/2024"),
    ],
)
def test_as_at_a_past_date_ignores_what_came_later(
    as_at: str, status: str, days_left: int | None, met: str | None
) -> None:
    found = due("pace-moray", MORAY, as_at, MORAY_TRACKER).filter(pl.col("CHILD") == "M1")
    assert rows(found, "rule", "status", "days_left", "met_date")[0] == (
        "aim-2-recommendation",
        status,
        days_left,
        met,
    )
    assert found.height == (2 if met else 1)  # the panel clock starts at the recommendation


CHRISTMAS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
X1    | 15/12/2023 | S   | C1 | U3    |     |
X2    | 15/12/2023 | S   | C1 | U3    |     |
X3    | 15/12/2023 | S   | C1 | U3    |     |
"""
CHRISTMAS_REVIEWS = """
CHILD | REVIEW
X1    | 17/01/2024
X2    | 18/01/2024
"""


def first_reviews(rules: RuleSet | str, as_at: str) -> pl.DataFrame:
    found = due(rules, CHRISTMAS, as_at, reviews=CHRISTMAS_REVIEWS)
    return found.filter(pl.col("rule") == "review-first")


def test_england_first_review_within_20_working_days_across_christmas() -> None:
    # Entered care Friday 15/12/2023. Working days after it in England: 18-22 Dec (1-5),
    # 25 and 26 Dec bank holidays, 27-29 Dec (6-8), 1 Jan bank holiday, 2-5 Jan (9-12),
    # 8-12 Jan (13-17), 15-17 Jan (18-20): due Wednesday 17/01/2024.
    expect(
        first_reviews("england", "18/01/2024"),
        """
        CHILD | occurrence | due_date   | reminder_date | met_date   | status      | days_left | days_late
        X1    | 1          | 17/01/2024 |               | 17/01/2024 | met on time |           |
        X2    | 1          | 17/01/2024 |               | 18/01/2024 | met late    |           | 1
        X3    | 1          | 17/01/2024 |               |            | overdue     | -1        | 1
        """,
    )


def test_a_deadline_on_the_as_at_date_is_still_on_time() -> None:
    found = due("england", CHRISTMAS, "17/01/2024", reviews=CHRISTMAS_REVIEWS)
    x3 = found.filter(pl.col("CHILD") == "X3", pl.col("rule") == "review-first")
    assert rows(x3, "status", "days_left", "days_late") == [("on track", 0, None)]
    assert x3["why"].item() == (
        "1st looked-after review due by 17/01/2024 (20 working days after entering care on "
        "15/12/2023); not yet recorded (due today)."
    )


def test_working_days_follow_the_rule_sets_nation() -> None:
    # Scotland also has 2 January as a bank holiday: the 20th working day is 18/01/2024.
    scottish = rule_set(
        "scotland",
        """
        [[rules]]
        name = "review-first"
        title = "First review within 20 working days"
        from_milestone = "entered_care"
        to_milestone = "looked_after_review"
        occurrence = 1
        within = 20
        unit = "working_days"
        source = "hand-made"
        verified = false
        """,
    )
    expect(
        first_reviews(scottish, "18/01/2024"),
        """
        CHILD | due_date   | met_date   | status      | days_left
        X1    | 18/01/2024 | 17/01/2024 | met on time |
        X2    | 18/01/2024 | 18/01/2024 | met on time |
        X3    | 18/01/2024 |            | on track    | 0
        """,
    )


CELCIS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
L1    | 01/09/2023 | S   | C2 | U3    |     |
L2    | 01/09/2023 | S   | C2 | U3    |     |
L3    | 01/09/2023 | S   | C2 | U3    |     |
L4    | 01/09/2023 | S   | C2 | U3    |     |
"""
CELCIS_TRACKER = """
CHILD | period | milestone                 | date
L1    | 1      | legal_information_sent    | 18/03/2024
L1    | 1      | permanence_recommendation | 01/04/2024
L2    | 1      | legal_information_sent    | 19/03/2024
L2    | 1      | permanence_recommendation | 01/04/2024
L3    | 1      | permanence_recommendation | 01/04/2024
L4    | 1      | legal_information_sent    | 15/03/2024
"""


def test_celcis_information_8_full_working_days_before_a_review_after_a_bank_holiday() -> None:
    # The review is Monday 01/04/2024, after the Easter weekend: Good Friday 29/03 is a
    # Scottish bank holiday (Easter Monday is not). The working days before the review,
    # neither end counted: 28, 27, 26, 25, 22, 21, 20, 19 March are 8, so information sent
    # on Monday 18/03 is in time and on Tuesday 19/03 (7 full working days) is not.
    # L4's review has not happened: nothing is due yet.
    found = due("celcis-legal-advice", CELCIS, "15/04/2024", CELCIS_TRACKER)
    expect(
        found,
        """
        CHILD | period | rule                            | from_date  | due_date   | reminder_date | met_date   | status      | days_left | days_late
        L1    | 1      | legal-information-before-review | 01/04/2024 | 18/03/2024 |               | 18/03/2024 | met on time |           |
        L2    | 1      | legal-information-before-review | 01/04/2024 | 18/03/2024 |               | 19/03/2024 | met late    |           | 1
        L3    | 1      | legal-information-before-review | 01/04/2024 | 18/03/2024 |               |            | overdue     | -28       | 28
        """,
    )
    # The clock counts back from the review: it is the from_ column, the information due.
    assert rows(found, "from_milestone", "to_milestone")[0] == (
        "permanence_recommendation",
        "legal_information_sent",
    )
    assert found["why"][0] == (
        "All information sent to Legal due by 18/03/2024 (8 full working days before the "
        "permanence recommendation on 01/04/2024); recorded on 18/03/2024, on time."
    )
    # Before the reviews happen nothing is due, even with the information already sent.
    assert due("celcis-legal-advice", CELCIS, "31/03/2024", CELCIS_TRACKER).is_empty()


def test_re_entry_starts_the_clocks_afresh_and_leaving_care_first_is_not_applicable() -> None:
    reviews = """
    CHILD | REVIEW
    B     | 20/05/2020
    B     | 10/08/2020
    B     | 15/03/2021
    """
    # The review of 10/08/2020 came after B left care and before B came back: it belongs
    # to neither period, so it meets nothing.
    found = due("england", RE_ENTRY_STILL_IN_CARE, "01/06/2021", reviews=reviews)
    # Period 1 from Friday 01/05/2020: working days 4-7 May (1-4; Friday 8 May was the VE
    # Day bank holiday), 11-15 (5-9), 18-22 (10-14), 25 May bank holiday, 26-29 (15-18),
    # 1-2 June (19-20): due 02/06/2020. Left care (returned home) on 01/08/2020.
    # Period 2 from Monday 01/03/2021: 2-5 March (1-4), 8-12 (5-9), 15-19 (10-14),
    # 22-26 (15-19), 29 March (20). The 1st review of period 2 is its own 1st review.
    expect(
        found,
        """
        period | rule            | occurrence | from_date  | due_date   | met_date   | status         | days_left
        1      | review-first    | 1          | 01/05/2020 | 02/06/2020 | 20/05/2020 | met on time    |
        1      | review-second   | 2          | 20/05/2020 | 20/08/2020 |            | not applicable |
        1      | permanence-plan |            | 01/05/2020 | 01/09/2020 |            | not applicable |
        2      | review-first    | 1          | 01/03/2021 | 29/03/2021 | 15/03/2021 | met on time    |
        2      | review-second   | 2          | 15/03/2021 | 15/06/2021 |            | on track       | 14
        2      | permanence-plan |            | 01/03/2021 | 01/07/2021 |            | on track       | 30
        """,
    )
    assert found["why"][1] == (
        "2nd looked-after review due by 20/08/2020 (3 months after the 1st looked-after review "
        "on 20/05/2020); left care on 01/08/2020 before it was recorded."
    )


def test_the_review_cycle_first_second_then_every_six_months() -> None:
    episodes = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
    R     | 08/01/2024 | S   | C1 | U3    |     |
    """
    reviews = """
    CHILD | REVIEW
    R     | 01/02/2024
    R     | 30/04/2024
    R     | 31/08/2024
    R     | 03/03/2025
    """
    found = due("england", episodes, "01/09/2025", reviews=reviews)
    found = found.filter(pl.col("rule").str.starts_with("review"))
    # 1st: 20 working days after Monday 08/01/2024 is Monday 05/02/2024. 2nd: 3 months
    # after the 1st. Then 6 months after each: 31/08/2024 + 6 months = 28/02/2025 (February
    # is shorter), met on 03/03/2025, 3 days late; the 5th is due 03/09/2025.
    expect(
        found,
        """
        rule              | occurrence | from_date  | due_date   | met_date   | status      | days_left | days_late
        review-first      | 1          | 08/01/2024 | 05/02/2024 | 01/02/2024 | met on time |           |
        review-second     | 2          | 01/02/2024 | 01/05/2024 | 30/04/2024 | met on time |           |
        review-subsequent | 3          | 30/04/2024 | 30/10/2024 | 31/08/2024 | met on time |           |
        review-subsequent | 4          | 31/08/2024 | 28/02/2025 | 03/03/2025 | met late    |           | 3
        review-subsequent | 5          | 03/03/2025 | 03/09/2025 |            | on track    | 2         |
        """,
    )
    assert found["why"][-1] == (
        "5th looked-after review due by 03/09/2025 (6 months after the 4th looked-after review "
        "on 03/03/2025); not yet recorded (2 days left)."
    )


def test_care_proceedings_end_date_not_inclusive() -> None:
    episodes = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
    C1    | 01/12/2023 | S   | C1 | U3    |     |
    C2    | 01/12/2023 | S   | C1 | U3    |     |
    """
    tracker = """
    CHILD | period | milestone                  | date
    C1    | 1      | care_proceedings_issued    | 08/01/2024
    C1    | 1      | care_proceedings_concluded | 07/07/2024
    C2    | 1      | care_proceedings_issued    | 08/01/2024
    C2    | 1      | care_proceedings_concluded | 08/07/2024
    """
    found = due("england", episodes, "31/07/2024", tracker)
    found = found.filter(pl.col("rule") == "care-proceedings")
    # 26 weeks beginning with Monday 08/01/2024 end on Sunday 07/07/2024.
    assert rows(found, "CHILD", "due_date", "met_date", "status", "days_late") == [
        ("C1", "07/07/2024", "07/07/2024", "met on time", None),
        ("C2", "07/07/2024", "08/07/2024", "met late", 1),
    ]
    assert found["why"][1] == (
        "Care proceedings concluded due by 07/07/2024 (the day before 26 weeks after care "
        "proceedings were issued on 08/01/2024); recorded on 08/07/2024, 1 day late."
    )


def test_a_reversed_adoption_plan_takes_the_child_out_of_the_adoption_rules() -> None:
    def statuses(as_at: str) -> list[tuple[object, ...]]:
        found = due("adoption-scorecard", REVERSED_THEN_SGO, as_at, placed=REVERSED)
        return rows(found, "rule", "due_date", "status", "days_late")

    # Entered care 01/06/2020 + 426 days = 01/08/2021; placement order 01/12/2020 + 121
    # days = 01/04/2021. The plan was reversed on 15/02/2022; the SGO made on 01/10/2022.
    assert statuses("01/02/2022") == [
        ("a2-placement-order-to-matched", "01/04/2021", "overdue", 306),
        ("a1-entered-care-to-placed", "01/08/2021", "overdue", 184),
    ]
    assert statuses("15/02/2022") == []
    assert statuses("01/11/2022") == []  # left care with a special guardianship order


UNDER_FIVES = """
[[rules]]
name = "under-fives-placed"
title = "Under fives placed for adoption within 426 days of entering care"
from_milestone = "entered_care"
to_milestone = "placed_for_adoption"
within = 426
unit = "days"
cohort = { age_at_entry_max = 4 }
source = "hand-made"
verified = false
"""


def test_a_child_with_no_date_of_birth_is_not_in_an_age_limited_cohort() -> None:
    episodes = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
    N1    | 28/02/2025 | S   | C1 | U3    |     |
    N2    | 01/03/2025 | S   | C1 | U3    |     |
    N3    | 01/03/2025 | S   | C1 | U3    |     |
    N4    | 01/03/2025 | S   | C1 | U3    |     |
    """
    dobs = """
    CHILD | DOB
    N1    | 29/02/2020
    N2    | 29/02/2020
    N3    |
    """
    # N1 and N2 were born on 29/02/2020: 4 on 28/02/2025, 5 on 01/03/2025, so N2 is out.
    # N3 has a blank DOB and N4 no row at all: both not applicable, saying why.
    found = due(rule_set("england-and-wales", UNDER_FIVES), episodes, "01/04/2025", dobs=dobs)
    expect(
        found,
        """
        CHILD | rule               | from_date  | due_date   | met_date | status         | days_left
        N1    | under-fives-placed | 28/02/2025 | 30/04/2026 |          | on track       | 394
        N3    | under-fives-placed | 01/03/2025 | 01/05/2026 |          | not applicable |
        N4    | under-fives-placed | 01/03/2025 | 01/05/2026 |          | not applicable |
        """,
    )
    assert found["why"][1] == (
        "Placed for adoption due by 01/05/2026 (426 days after entering care on 01/03/2025); "
        "not applicable: this rule is only for children aged 4 or under on entering care, "
        "and no date of birth is recorded."
    )


def test_a_rule_whose_cohort_is_empty_gives_no_rows_and_no_error() -> None:
    nobody = UNDER_FIVES.replace("age_at_entry_max = 4", "entered_on_or_after = 2090-01-01")
    found = due(rule_set("england-and-wales", nobody), MORAY, "01/04/2025")
    assert found.is_empty()
    assert found.schema == pl.Schema(SCHEMA)
    assert caseload(found, day("01/04/2025")).is_empty()


def test_short_break_periods_have_no_due_dates() -> None:
    found = due("england", SHORT_BREAKS, "01/02/2023")
    # Only period 3 (from Thursday 01/09/2022). Monday 19/09/2022 was the bank holiday for
    # the Queen's funeral: 2 Sep (1), 5-9 (2-6), 12-16 (7-11), 20-23 (12-15), 26-30 (16-20).
    assert rows(found, "period", "rule", "due_date", "status") == [
        (3, "review-first", "30/09/2022", "not applicable"),
        (3, "permanence-plan", "01/01/2023", "not applicable"),
    ]
    assert found["why"][0].endswith(
        "; left care on 01/12/2022 before it was recorded (by then 62 days overdue)."
    )


def test_caseload_lists_the_open_rows_most_urgent_first() -> None:
    found = due("pace-moray", MORAY, "15/04/2024", MORAY_TRACKER)
    expect(
        caseload(found, day("15/04/2024")),
        """
        CHILD | rule                 | status       | days_left | days_late
        M3    | aim-2-recommendation | overdue      | -28       | 28
        M7    | aim-2-recommendation | overdue      | -17       | 17
        M4    | aim-2-recommendation | reminder due | 74        |
        M1    | aim-3-panel          | on track     | 77        |
        M2    | aim-3-panel          | on track     | 78        |
        M5    | aim-2-recommendation | on track     | 165       |
        """,
    )
    with pytest.raises(ValueError, match="not worked out as at 16/04/2024"):
        caseload(found, day("16/04/2024"))


def test_long_term_fostering_routes_come_from_the_placements_when_given() -> None:
    episodes = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
    T     | 01/01/2024 | S   | C2 | U4    |     |
    """
    fostering = rule_set(
        "england-and-wales",
        """
        [[rules]]
        name = "long-term-review"
        title = "Long-term fostering plan reviewed within 3 months"
        from_milestone = "entered_care"
        to_milestone = "looked_after_review"
        within = 3
        unit = "months"
        cohort = { legal_routes = ["long_term_fostering"] }
        source = "hand-made"
        verified = false
        """,
    )
    h = history(episodes)
    args = (fostering, return_milestones(h), periods_of_care(h), children(), day("01/02/2024"))
    assert due_dates(*args).is_empty()  # no placements given: the route is not known
    expect(
        due_dates(*args, placements=placements(h)),
        """
        CHILD | rule             | due_date   | status   | days_left
        T     | long-term-review | 01/04/2024 | on track | 60
        """,
    )


def test_all_children_together_give_the_rows_of_each_alone() -> None:
    together = due("england", JOURNEYS, "01/01/2023")
    alone = pl.concat([due("england", journey, "01/01/2023") for journey in JOURNEYS])
    assert together.equals(alone.sort("CHILD", maintain_order=True))


def test_a_match_before_the_placement_order_counts_as_on_time_for_a2() -> None:
    from tests.journeys.test_periods import MATCHED_BEFORE_ORDER

    tracker = """
    CHILD | period | milestone | date
    F     | 1      | matched   | 20/07/2021
    """
    found = due("adoption-scorecard", MATCHED_BEFORE_ORDER, "01/12/2021", tracker=tracker)
    # Placement order 01/08/2021 + 121 days = 30/11/2021; matched 20/07/2021, before it.
    a2 = found.filter(pl.col("rule") == "a2-placement-order-to-matched")
    assert rows(a2, "due_date", "met_date", "status") == [
        ("30/11/2021", "20/07/2021", "met on time")
    ]
