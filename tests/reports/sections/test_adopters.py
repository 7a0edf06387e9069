"""The "Adopters' journey" section, on six adopters of Annex A list 11 stored in a database,
as at 31/03/2023; figures worked out by hand in the comments (no leap day falls in them).

Stage 1 (registration to the stage 1 decision; within 2 calendar months):
  P1 01/02 -> 01/04/2022 59 days, exactly 2 months: in time; P2 42; P3 60, a day over;
  P4 31; P5 01/03 -> 01/05 61, exactly 2 months: in time; P6 70, over.
  Sorted 31, 42, 59, 60, 61, 70: median 59.5; 4 of 6 in time (67%).
Stage 2 (its start to approval; within 4 calendar months):
  P1 01/05 -> 01/09 123, exactly 4 months: in time; P2 01/04 -> 01/10 183, over;
  P3 01/05 -> 01/08 92; P4 01/05 -> 01/07 61; P5 01/06 -> 01/10 122, exactly 4 months;
  P6 01/06 -> 01/11 153, over. Sorted 61, 92, 122, 123, 153, 183: median 122.5; 4 of 6.
Approved and waiting for a match at 31/03/2023 (P1 was matched on 01/12/2022):
  P4 since 01/07/2022 273 days, P3 01/08 242, P2 01/10 181, P5 01/10 181, P6 01/11 150:
  5 adopters, median 181, longest 273.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from carejourney import imports
from carejourney.journeys.stored import load
from carejourney.reports.document import Section
from carejourney.reports.sections import adopters
from carejourney.store import database
from tests.reports.sections.context import all_text, context_for
from tests.returns import minimal_return, write_table

AS_AT = dt.date(2023, 3, 31)
LIST_11 = """
Individual adopter identifier | Family identifier | Gender | Date enquiry received | Date Stage 1 started | Date Stage 1 ended | Date Stage 2 started | Date Stage 2 ended | Date application submitted | Date application approved | Date adopter matched with child(ren) | Date child/children placed with adopter(s) | No. of children placed | Date of Adoption Order
ZZ-P1 | ZZ-F1 | b) Female | 01/01/2022 | 01/02/2022 | 01/04/2022 | 01/05/2022 | | | 01/09/2022 | 01/12/2022 | 01/01/2023 | 1 |
ZZ-P2 | ZZ-F2 | a) Male   | 01/01/2022 | 01/02/2022 | 15/03/2022 | 01/04/2022 | | | 01/10/2022 | | | |
ZZ-P3 | ZZ-F3 | b) Female | 01/01/2022 | 01/02/2022 | 02/04/2022 | 01/05/2022 | | | 01/08/2022 | | | |
ZZ-P4 | ZZ-F4 | b) Female | 01/01/2022 | 01/03/2022 | 01/04/2022 | 01/05/2022 | | | 01/07/2022 | | | |
ZZ-P5 | ZZ-F5 | a) Male   | 01/01/2022 | 01/03/2022 | 01/05/2022 | 01/06/2022 | | | 01/10/2022 | | | |
ZZ-P6 | ZZ-F6 | a) Male   | 01/01/2022 | 01/03/2022 | 10/05/2022 | 01/06/2022 | | | 01/11/2022 | | | |
"""


def stored(folder: Path, *, with_list_11: bool) -> Engine:
    returns = minimal_return(folder / "returns")
    if with_list_11:
        write_table(returns / "annex-a-list-11.csv", LIST_11)
    engine = database.connect(f"sqlite:///{folder / 'cj.db'}")
    outcome = imports.import_returns(engine, [returns], la="931")
    assert outcome.stored, outcome.problems
    return engine


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    engine = stored(tmp_path_factory.mktemp("adopters"), with_list_11=True)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def build(conn: Connection, *, internal: bool = False) -> Section:
    return adopters.build(context_for(load(conn, "931"), conn, AS_AT, internal=internal))


def by_stage(found: Section) -> dict[str, dict[str, str]]:
    (table,) = found.tables
    return {row["Stage"]: row for row in table.frame.iter_rows(named=True)}


def test_each_stage_against_2_and_4_months(conn: Connection) -> None:
    rows = by_stage(build(conn, internal=True))
    assert rows["Stage 1: registration to stage 1 decision"] == {
        "Stage": "Stage 1: registration to stage 1 decision",
        "Adopters completed": "6",
        "Median days": "59.5",
        "Timescale": "2 months",
        "Within timescale": "67%",
        "Still waiting": "0",
        "Median wait so far (days)": "-",
    }
    stage_two = rows["Stage 2: start to approval"]
    assert (
        stage_two["Adopters completed"],
        stage_two["Median days"],
        stage_two["Timescale"],
        stage_two["Within timescale"],
    ) == ("6", "122.5", "4 months", "67%")
    match = rows["Approval to match"]
    # P1 matched after 01/09 -> 01/12/2022: 91 days.
    assert (match["Adopters completed"], match["Median days"], match["Still waiting"]) == (
        "1",
        "91",
        "5",
    )
    assert match["Median wait so far (days)"] == "181"
    assert rows["Approval to match"]["Within timescale"] == "-"  # no timescale


def test_adopters_waiting_for_a_match(conn: Connection) -> None:
    found = build(conn)
    assert (
        "5 approved adopters are waiting for a match: a median wait so far of 181 days, the "
        "longest 273 days." in found.paragraphs
    )
    figures = {f.label: f.value for f in found.figures}
    assert figures["Approved adopters waiting for a match"] == "5"
    assert figures["Median days approved adopters have waited for a match"] == "181"


def test_small_counts_and_revealing_percentages_are_hidden(conn: Connection) -> None:
    found = build(conn)
    rows = by_stage(found)
    stage_one = rows["Stage 1: registration to stage 1 decision"]
    # 6 completed, shown; but 2 were late, a hidden count, so the percentage is hidden.
    assert (stage_one["Adopters completed"], stage_one["Median days"]) == ("6", "59.5")
    assert stage_one["Within timescale"] == "[c]"
    match = rows["Approval to match"]
    assert (match["Adopters completed"], match["Median days"]) == ("[c]", "[c]")
    assert (
        "Stage 1 was completed by 6 adopters, in a median of 59.5 days; the share within 2 "
        "months is not shown, because fewer than 5 were in time or fewer than 5 late."
    ) in found.paragraphs
    assert "Stage 1 was completed by 6 adopters, in a median of 59.5 days; 67% of them did " in (
        " ".join(build(conn, internal=True).paragraphs)
    )
    assert rows["Enquiry to approval"]["Timescale"] == "about 6 months"
    figures = {f.label: f.value for f in found.figures}
    assert figures["Adopters completing stage 1 within 2 months"] == "[c]"
    assert "ZZ-" not in all_text(found)  # no adopter's identifier


def test_not_available_without_annex_a_list_11(tmp_path: Path) -> None:
    engine = stored(tmp_path, with_list_11=False)
    with engine.connect() as connection:
        found = build(connection)
    engine.dispose()
    assert found.not_available == (
        "No adopters' data: load Ofsted Annex A list 11 with `carejourney import` to see this "
        "section."
    )
    assert found.tables == () and found.paragraphs == ()
