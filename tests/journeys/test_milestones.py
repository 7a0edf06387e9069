"""SSDA903 milestones from the journeys of test_periods.py, checked row by row."""

import datetime as dt

import polars as pl

from carejourney.journeys.milestones import return_milestones
from carejourney.schema.milestones import MILESTONES
from carejourney.schema.ssda903 import TABLES_BY_NAME
from carejourney.schema.types import Kind
from tests.journeys.test_periods import (
    FIRST_LOADED_NOT_S,
    FOSTER_CARER_ADOPTION,
    JOURNEYS,
    MATCHED_BEFORE_ORDER,
    RE_ENTRY_STILL_IN_CARE,
    REVERSED_THEN_SGO,
    SHORT_BREAKS,
    SIMPLE_ADOPTION,
    history,
    rows,
)


def table(name: str, text: str) -> pl.DataFrame:
    """A declared SSDA903 table from a text table; columns left out are blank."""
    declared = TABLES_BY_NAME[name]
    lines = [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]
    given = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    kinds = {c.name: c.kind for c in declared.columns}

    def value(column: str, text: str | None) -> object:
        if not text:
            return None
        return dt.datetime.strptime(text, "%d/%m/%Y").date() if kinds[column] is Kind.DATE else text

    return pl.DataFrame(
        [{c: value(c, row.get(c)) for c in kinds} for row in given],
        schema={c: pl.Date if k is Kind.DATE else pl.String for c, k in kinds.items()},
    )


AD1 = "AD1"
PLACED = "PlacedAdoption"
REVIEWS = "Reviews"


def milestones(journey: str, **tables: str) -> list[tuple[object, ...]]:
    """(period, milestone, date, detail, source) of one child's milestones."""
    frames = {
        key: table(name, tables[key]) if key in tables else None
        for key, name in (("ad1", AD1), ("placed_adoption", PLACED), ("reviews", REVIEWS))
    }
    found = return_milestones(history(journey), **frames)
    return rows(found, "period", "milestone", "date", "detail", "source")


def test_a_simple_adoption_with_its_ad1_repeated_in_two_years() -> None:
    ad1 = """
    CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
    A     | 01/07/2021 | 10/01/2022 | 0
    A     | 01/07/2021 | 10/01/2022 | 0
    """
    placed = """
    CHILD | DATE_PLACED
    A     | 01/07/2021
    """
    reviews = """
    CHILD | REVIEW     | REVIEW_CODE
    A     | 20/04/2021 | PN0
    A     | 15/10/2021 | PN0
    """
    assert milestones(SIMPLE_ADOPTION, ad1=ad1, placed_adoption=placed, reviews=reviews) == [
        (1, "entered_care", "01/04/2021", "C1", "SSDA903 Episodes DECOM (RNE S)"),
        (1, "looked_after_review", "20/04/2021", "PN0", "SSDA903 Reviews REVIEW"),
        (1, "adoption_decision", "01/07/2021", None, "SSDA903 AD1 DATE_INT"),
        (1, "placement_order", "10/09/2021", "E1", "SSDA903 Episodes DECOM (first LS E1)"),
        (1, "looked_after_review", "15/10/2021", "PN0", "SSDA903 Reviews REVIEW"),
        (1, "matched", "10/01/2022", "FOSTER_CARE 0", "SSDA903 AD1 DATE_MATCH"),
        (
            1,
            "placed_for_adoption",
            "01/02/2022",
            "A6",
            "SSDA903 Episodes DECOM (first PLACE A3-A6)",
        ),
        (1, "adoption_order", "15/12/2022", "E11", "SSDA903 Episodes DEC (REC)"),
        (1, "left_care", "15/12/2022", "E11", "SSDA903 Episodes DEC (end of period)"),
    ]


def test_re_entry_gives_each_date_the_period_it_falls_in_or_follows() -> None:
    reviews = """
    CHILD | REVIEW     | REVIEW_CODE
    B     | 01/01/2020 | PN1
    B     | 10/08/2020 | PN1
    B     | 15/03/2021 | PN1
    """
    found = milestones(RE_ENTRY_STILL_IN_CARE, reviews=reviews)
    assert [row[:4] for row in found] == [
        (None, "looked_after_review", "01/01/2020", "PN1"),  # before any period
        (1, "entered_care", "01/05/2020", "V2"),
        (1, "returned_home", "01/08/2020", "E4A"),
        (1, "left_care", "01/08/2020", "E4A"),
        (1, "looked_after_review", "10/08/2020", "PN1"),  # after period 1, before period 2
        (2, "entered_care", "01/03/2021", "C1"),
        (2, "looked_after_review", "15/03/2021", "PN1"),
    ]  # still in care: period 2 has no left_care


def test_a_history_beginning_mid_period_has_no_entered_care_and_says_dates_may_be_earlier() -> None:
    assert [row[:4] for row in milestones(FIRST_LOADED_NOT_S)] == [
        (
            1,
            "placement_order",
            "01/04/2022",
            "E1 (already so when this period's records begin: may be earlier)",
        ),
        (1, "placed_for_adoption", "01/09/2022", "A6"),
        (1, "adoption_order", "01/02/2023", "E11"),
        (1, "left_care", "01/02/2023", "E11"),
    ]


def test_a_reversed_adoption_plan_followed_by_an_sgo() -> None:
    placed = """
    CHILD | DATE_PLACED | DATE_PLACED_CEASED | REASON_PLACED_CEASED
    E     | 01/10/2020  | 15/02/2022         | RD1
    """
    assert milestones(REVERSED_THEN_SGO, placed_adoption=placed) == [
        (1, "entered_care", "01/06/2020", "C1", "SSDA903 Episodes DECOM (RNE S)"),
        (1, "adoption_decision", "01/10/2020", None, "SSDA903 PlacedAdoption DATE_PLACED"),
        (1, "placement_order", "01/12/2020", "E1", "SSDA903 Episodes DECOM (first LS E1)"),
        (
            1,
            "adoption_plan_reversed",
            "15/02/2022",
            "RD1",
            "SSDA903 PlacedAdoption DATE_PLACED_CEASED",
        ),
        (1, "special_guardianship_order", "01/10/2022", "E45", "SSDA903 Episodes DEC (REC)"),
        (1, "left_care", "01/10/2022", "E45", "SSDA903 Episodes DEC (end of period)"),
    ]


def test_a_child_matched_before_the_placement_order() -> None:
    ad1 = """
    CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
    F     | 01/05/2021 | 20/07/2021 | 0
    """
    assert [row[1:3] for row in milestones(MATCHED_BEFORE_ORDER, ad1=ad1)] == [
        ("entered_care", "01/02/2021"),
        ("adoption_decision", "01/05/2021"),
        ("matched", "20/07/2021"),
        ("placement_order", "01/08/2021"),
        ("placed_for_adoption", "01/09/2021"),
        ("adoption_order", "01/04/2022"),
        ("left_care", "01/04/2022"),
    ]


def test_a_foster_carer_adoption_is_placed_when_the_placement_becomes_a5() -> None:
    ad1 = """
    CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
    G     | 01/05/2021 | 20/08/2021 | 1
    """
    found = milestones(FOSTER_CARER_ADOPTION, ad1=ad1)
    assert (1, "matched", "20/08/2021", "FOSTER_CARE 1") in [row[:4] for row in found]
    assert (1, "placed_for_adoption", "01/09/2021", "A5") in [row[:4] for row in found]


def test_short_breaks_are_kept_with_their_periods() -> None:
    found = milestones(SHORT_BREAKS)
    assert [row[:4] for row in found if row[1] in ("entered_care", "left_care")] == [
        (1, "entered_care", "06/05/2022", "V3"),
        (1, "left_care", "08/05/2022", "E8"),
        (2, "entered_care", "03/06/2022", "V3"),
        (2, "left_care", "05/06/2022", "E8"),
        (3, "entered_care", "01/09/2022", "V2"),
        (3, "left_care", "01/12/2022", "E4A"),
    ]


def test_every_return_milestone_is_made_and_no_undeclared_one() -> None:
    cao = "CHILD | DECOM | RNE | DEC | REC\nX | 01/04/2022 | S | 01/10/2022 | E41"
    h = history(*JOURNEYS, cao)
    ad1 = table(AD1, "CHILD | DATE_INT | DATE_MATCH\nA | 01/07/2021 | 10/01/2022")
    placed = table(
        PLACED, "CHILD | DATE_PLACED_CEASED | REASON_PLACED_CEASED\nE | 15/02/2022 | RD1"
    )
    reviews = table(REVIEWS, "CHILD | REVIEW\nB | 10/08/2020")
    found = return_milestones(h, ad1, placed, reviews)
    declared = {m.name for m in MILESTONES if m.from_return}
    assert set(found["milestone"]) == declared
    assert found.select("CHILD", "milestone", "date").is_duplicated().sum() == 0
    assert found.filter(pl.col("CHILD") == "X")["milestone"].to_list() == [
        "entered_care",
        "child_arrangements_order",
        "left_care",
    ]


def test_no_history_and_no_tables_gives_an_empty_frame() -> None:
    found = return_milestones(history(SIMPLE_ADOPTION).clear())
    assert found.is_empty()
    assert found.columns == ["CHILD", "period", "milestone", "date", "detail", "source"]
