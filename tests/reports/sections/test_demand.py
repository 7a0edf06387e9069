"""The report's demand section on a small front door worked out by hand, as at 31 March
2025 (the year from 1 April 2024; the year before from 1 April 2023): the tables, the
figures and their change on the year before, disclosure control, and what to import when
there is no demand data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from carejourney import imports
from carejourney.config.demand import DemandRules
from carejourney.journeys.stored import load
from carejourney.measures.demand.data import DemandData
from carejourney.measures.demand.summary import summarise
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Section
from carejourney.reports.sections import demand
from carejourney.reports.sections.demand_tables import tables
from tests.measures.demand.tables import contacts, frame
from tests.reports.sections.context import all_text, context_for
from tests.returns import write_table

AS_AT = dt.date(2025, 3, 31)
NATION = "england-and-wales"

# A1 1 March 2024: before the period (the year before's only contact); no further action.
# A1 1 June 2024 (a Saturday): back 92 days after no further action: failure, suggested.
# B1 3 June: recorded value. B1 10 June: the same need 7 days later: a repeat (suggested),
# never decided: overdue. C1: recorded failure, wrong service. D1 20 July (a Saturday),
# decided Monday 22 July: 1 working day, on time: value, suggested.
CONTACTS = """
CHILD | CONTACT_DATE | DECISION_DATE | OUTCOME    | NEED    | SOURCE | TEAM  | DEMAND  | FAILURE_TYPE  | WHAT_MATTERS
A1    | 01/03/2024   | 01/03/2024    | NFA        | Neglect | Police | North |         |               |
A1    | 01/06/2024   | 01/06/2024    | ASSESSMENT | Neglect | Police | North |         |               | Be heard
B1    | 03/06/2024   | 04/06/2024    | EARLY_HELP | Abuse   | School | South | VALUE   |               | Be heard; No paperwork
B1    | 10/06/2024   |               |            | Abuse   | School | South |         |               |
C1    | 15/07/2024   | 15/07/2024    | NFA        |         | Police | North | FAILURE | WRONG_SERVICE |
D1    | 20/07/2024   | 22/07/2024    | CIN        |         | Family | North |         |               |
"""
# A1's assessment follows its referral of 1 June: 21 working days to 1 July, on time.
ASSESSMENTS = """
CHILD | START      | AUTHORISED
A1    | 05/06/2024 | 01/07/2024
"""
# A1's case began 1 March 2024: 111 days to help on 20 June, 96 to the assessment.
# D1's began 20 July 2024: 12 days to help. Median 61.5 days.
HELP = """
CHILD | HELP               | START
A1    | Family support     | 20/06/2024
D1    | Child in need plan | 01/08/2024
"""


def data() -> DemandData:
    return DemandData(
        "931",
        contacts=contacts(CONTACTS),
        assessments=frame("assessments", ASSESSMENTS),
        help=frame("help", HELP),
    )


def section(rules: DisclosureRules) -> Section:
    return demand.section_for(data(), as_at=AS_AT, disclosure=rules, nation=NATION)


def rows(found: Section, key: str) -> list[tuple[object, ...]]:
    [table] = [t for t in found.tables if t.key == key]
    return list(table.frame.iter_rows())


def test_the_tables_match_a_hand_count() -> None:
    found = section(DisclosureRules(internal=True))
    assert found.not_available is None
    months = rows(found, "Demand by month")
    assert len(months) == 13  # April 2024 to March 2025, and the total
    assert months[2] == ("June 2024", "3", "1", "2", "66.7%")
    assert months[3] == ("July 2024", "2", "1", "1", "50.0%")
    assert months[0] == ("April 2024", "0", "0", "0", "–")
    assert months[-1] == ("All months", "5", "2", "3", "60.0%")
    assert rows(found, "Failure demand by kind") == [
        ("Progress chasing", "0", "0", "0", "0.0%", "0.0%"),
        ("Back after no further action", "0", "1", "1", "33.3%", "20.0%"),
        ("Not right first time", "0", "0", "0", "0.0%", "0.0%"),
        ("Repeat contact about the same need", "0", "1", "1", "33.3%", "20.0%"),
        ("Came to the wrong service", "1", "0", "1", "33.3%", "20.0%"),
        ("All failure demand", "1", "2", "3", "100.0%", "60.0%"),
    ]
    assert rows(found, "Demand by source") == [
        ("Police", "2", "0", "2", "100.0%"),
        ("School", "2", "1", "1", "50.0%"),
        ("Family", "1", "1", "0", "0.0%"),
        ("All sources", "5", "2", "3", "60.0%"),
    ]
    # Contacts, on time, late, overdue, not yet due, dates to check, % on time.
    assert rows(found, "Decisions on time by month")[-1] == (
        "All months",
        "5",
        "4",
        "0",
        "1",
        "0",
        "0",
        "80.0%",
    )
    assert rows(found, "Assessments on time by month")[-1] == (
        "All months",
        "1",
        "1",
        "0",
        "0",
        "100.0%",
    )
    # Referrals are the contacts passed to social care: A1 1 June and D1; neither a
    # re-referral (A1's contact of March ended with no further action).
    assert rows(found, "Re-referrals by month")[-1] == ("All months", "2", "0", "2", "0.0%")
    assert rows(found, "What matters") == [
        ("Be heard", "2", "100.0%"),
        ("No paperwork", "1", "50.0%"),
    ]
    # Right first time from April 2023: A1's March 2024 contact came back in June.
    march = [r for r in rows(found, "Right first time by month") if r[0] == "March 2024"]
    assert march == [("March 2024", "1", "0", "1", "0", "0.0%")]
    assert rows(found, "Rules and teams agree") == [
        ("failure demand: came to the wrong service", "value demand", "no", "1"),
        ("value demand", "value demand", "yes", "1"),
        ("All contacts classed by teams", "", "", "2"),
    ]


def test_the_figures_and_their_change_on_the_year_before() -> None:
    found = section(DisclosureRules(internal=True))
    figures = {f.label: (f.value, f.change) for f in found.figures}
    assert figures == {
        # The year before: A1's contact of 1 March 2024 alone, value demand.
        "Contacts, 1 April 2024 to 31 March 2025": ("5", "up 4 on a year before"),
        "Failure demand: % of contacts": ("60.0%", "0.0% a year before"),
        # Contacts made 1 April 2023 to 31 March 2024: A1's, back within 12 months. The
        # year before has no contact to know yet.
        "Right first time: % of contacts made 01/04/2023 to 31/03/2024": ("0.0%", None),
        "Median days from first contact to the right help": ("61.5 days", None),
        "Re-referrals within 12 months: % of referrals": ("0.0%", None),
        "Decisions within 1 working day of the contact": ("80.0%", "100.0% a year before"),
        "Assessments authorised within 45 working days of the referral": ("100.0%", None),
    }
    text = "\n".join(found.paragraphs)
    assert "5 contacts came in from 1 April 2024 to 31 March 2025, and 3 of them (60.0%)" in text
    assert "Half of them took 61.5 days or fewer" in text
    assert "Of the 1 that had an assessment, half reached the right assessment within 96" in text
    assert (
        "2 cases had not reached the right help on 31 March 2025; the longest had waited 301"
        in (text)
    )
    assert "on 31 March 2025, 1 contact was still undecided past that" in text
    # Both charts are drawn for the LA's own staff, with their signals in words.
    assert [c.title for c in found.charts] == [
        "Failure demand: % of contacts, by month",
        "Days from first contact to the right help, case by case",
    ]
    assert all(c.svg.startswith("<svg") and c.signals for c in found.charts)


def test_published_figures_hide_small_counts_and_the_charts_that_would_show_them() -> None:
    found = section(DisclosureRules())
    for table in found.tables:
        for row in table.frame.iter_rows():
            for cell in row[1:]:
                assert not re.fullmatch(r"[1-4]", str(cell)), (table.key, row)
    assert rows(found, "Demand by month")[-1] == ("All months", "5", "[c]", "[c]", "[c]")
    figures = {f.label: f.value for f in found.figures}
    assert figures["Failure demand: % of contacts"] == "[c]"
    assert figures["Median days from first contact to the right help"] == "–"
    assert found.charts == ()
    text = all_text(found)
    assert "fewer than 5 of them ([c]) were failure demand" in text
    assert "No chart of the failure share by month" in text
    assert "No chart of end-to-end time: fewer than 5 cases" in text
    assert "the longest had waited" not in text  # one family's wait, of too few cases
    for child in ("A1", "B1", "C1", "D1"):
        assert child not in text


def test_a_count_whose_rest_is_too_few_is_not_given_either() -> None:
    # Threshold 3: 3 failure contacts of 5 may be shown, but not with the total, as the 2
    # value contacts could then be worked out.
    text = all_text(section(DisclosureRules(threshold=3)))
    assert "5 contacts came in from 1 April 2024 to 31 March 2025, and all but fewer than 3 " in (
        text
    )
    assert "of them ([c]) were failure demand" in text


def test_rounded_counts_draw_the_chart_from_the_rounded_figures() -> None:
    found = summarise(data(), as_at=AS_AT, rules=DemandRules(), nation=NATION)
    by_month = pl.DataFrame(
        {
            "month": [dt.date(2024, 4, 1), dt.date(2024, 5, 1), dt.date(2024, 6, 1)],
            "contacts": [12, 18, 0],
            "failure": [7, 11, 0],
        }
    )
    larger = dataclasses.replace(found, shares_by_month=by_month)
    rules = DisclosureRules(round_to=5)
    chart, why = demand.published_failure_chart(larger, rules)
    assert why is None and chart is not None and chart.result is not None
    # 7 of 12 drawn as 5 of 10, 11 of 18 as 10 of 20; June, with none, is left out.
    assert chart.result.points.select("y", "n").rows() == [(5.0, 10.0), (10.0, 20.0)]
    # With 2 of 12 in a month, the share would give the 2 away: no chart.
    small = dataclasses.replace(
        found, shares_by_month=by_month.with_columns(failure=pl.Series([2, 11, 0]))
    )
    chart, why = demand.published_failure_chart(small, rules)
    assert chart is None and why is not None and "in 1 of the 2 months" in why


def test_no_contacts_says_what_to_import() -> None:
    found = demand.section_for(
        DemandData("931"), as_at=AS_AT, disclosure=DisclosureRules(), nation=NATION
    )
    assert found.title == "Demand as families experience it"
    assert found.not_available is not None
    assert "No contacts are stored for LA 931" in found.not_available
    assert "`carejourney demand import contacts.csv assessments.csv help.csv --la 931`" in (
        found.not_available
    )


@pytest.mark.parametrize("with_demand", [True, False])
def test_the_report_reads_the_stored_demand_data(
    engine: Engine, tmp_path: Path, with_demand: bool
) -> None:
    if with_demand:
        write_table(tmp_path / "contacts.csv", CONTACTS)
        write_table(tmp_path / "assessments.csv", ASSESSMENTS)
        write_table(tmp_path / "help.csv", HELP)
        assert imports.import_returns(engine, [tmp_path], la="931").stored
    with engine.connect() as conn:
        context = context_for(load(conn, "931"), conn, AS_AT)
        built = demand.build(context)
    if with_demand:
        expected = section(DisclosureRules())
        assert all_text(built) == all_text(expected)
        assert built.figures == expected.figures
    else:
        assert built.not_available == demand.no_demand("931")


def test_the_cli_and_web_tables_are_the_reports() -> None:
    found = summarise(data(), as_at=AS_AT, rules=DemandRules(), nation=NATION)
    shown = tables(found, DisclosureRules())
    assert [shown[k].key for k in demand.ORDER] == [
        t.key for t in section(DisclosureRules()).tables
    ]
