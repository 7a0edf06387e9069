"""The "Timeliness by stage" section, on the hand-worked journeys of
tests/measures/test_stages.py (as at 31/03/2023) and on a synthetic LA.

Hand calculations (days, month by month; no leap day falls in them):
- entered care to decision: A 91, B 120 (01/01 -> 01/05/2021), C 59 (01/02 -> 01/04/2021),
  D 92, E 61. Sorted 59, 61, 91, 92, 120: median 91, quartiles 61 and 92, 10th percentile
  59 + 0.4 x 2 = 59.8, 90th 92 + 0.6 x 28 = 108.8 (Excel's PERCENTILE.INC).
- placement order to match (A2, 121 days): A 61, C 183, B 212; D waiting 576 days so far.
  Median 183, quartiles 122 and 197.5, percentiles 85.4 and 206.2; over 121: B, C (67%).
- entered care to placed (A1, 426 days): E 153 (placed 01/10/2021), A 244 (01/12/2021),
  C 317 (15/12/2021), B 455 (01/04/2022): over 426 only B, 1 of 4 (25%).
- special guardianship: S, 183 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl
import pytest
from sqlalchemy import Connection, create_engine

from carejourney.journeys.stored import Journeys
from carejourney.measures.stage_routes import ROUTES
from carejourney.measures.stages import stage_summary, stage_times
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import ReportTable, Section
from carejourney.reports.sections import timeliness
from tests.measures.test_stages import AS_AT
from tests.measures.test_stages import journeys as small_journeys
from tests.reports.sections.context import SyntheticLA, context_for


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def section(conn: Connection, *, internal: bool = False, threshold: int = 5) -> Section:
    rules = DisclosureRules(threshold=threshold, internal=internal)
    return timeliness.build(context_for(small_journeys(), conn, AS_AT, disclosure=rules))


def table(found: Section, key: str) -> ReportTable:
    return next(t for t in found.tables if t.key == key)


def stage_row(found: Section, key: str, label: str) -> dict[str, str]:
    frame = table(found, key).frame
    rows: list[dict[str, str]] = frame.filter(pl.col("Stage") == label).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_each_stage_has_its_median_spread_threshold_and_waits(conn: Connection) -> None:
    found = section(conn, internal=True)
    assert [t.key for t in found.tables] == [
        "Timeliness adoption",
        "Timeliness special guardianship",
        "Timeliness return home",
    ]
    assert stage_row(found, "Timeliness adoption", "Placement order to match (A2)") == {
        "Stage": "Placement order to match (A2)",
        "Children completed": "3",
        "Median days": "183",
        "Quartiles (days)": "122 to 197.5",
        "10th to 90th percentile (days)": "85.4 to 206.2",
        "Threshold": "121 days (A2)",
        "Source of threshold": stage_source("placement_order_to_match"),
        "Over threshold": "67%",
        "Still waiting": "1",
        "Median wait so far (days)": "576",
    }
    a1 = stage_row(found, "Timeliness adoption", "Entered care to placed for adoption (A1/A10)")
    assert (a1["Children completed"], a1["Over threshold"], a1["Still waiting"]) == (
        "4",
        "25%",
        "1",
    )
    sgo = stage_row(
        found, "Timeliness special guardianship", "Entered care to special guardianship order"
    )
    assert (sgo["Children completed"], sgo["Median days"], sgo["Threshold"]) == ("1", "183", "none")
    home = table(found, "Timeliness return home").frame.row(0, named=True)
    assert (home["Children completed"], home["Median days"], home["Still waiting"]) == (
        "0",
        "-",
        "0",
    )


def stage_source(name: str) -> str:
    return next(s.threshold_source for s in ROUTES["adoption"] if s.name == name)


def test_small_counts_and_their_medians_are_hidden(conn: Connection) -> None:
    found = section(conn)
    row = stage_row(found, "Timeliness adoption", "Placement order to match (A2)")
    for column in (
        "Children completed",
        "Median days",
        "Quartiles (days)",
        "10th to 90th percentile (days)",
        "Over threshold",
        "Still waiting",
        "Median wait so far (days)",
    ):
        assert row[column] == "[c]", column
    # Five children completed the first stage: exactly the threshold, so shown.
    first = stage_row(
        found, "Timeliness adoption", "Entered care to decision: should be placed for adoption"
    )
    assert (
        first["Children completed"],
        first["Median days"],
        first["Quartiles (days)"],
        first["10th to 90th percentile (days)"],
        first["Still waiting"],
    ) == ("5", "91", "61 to 92", "59.8 to 108.8", "0")
    note = table(found, "Timeliness adoption").note or ""
    assert "Counts below 5 are shown as [c]" in note
    assert "a median of 1 to 4 children would disclose their times" in note


def test_a_percentage_is_hidden_when_the_children_over_are_few(conn: Connection) -> None:
    found = section(conn, threshold=2)
    row = stage_row(found, "Timeliness adoption", "Placement order to match (A2)")
    # 2 of 3 over: the 1 in time would be a hidden count, so the percentage is hidden too.
    assert (row["Children completed"], row["Median days"], row["Over threshold"]) == (
        "3",
        "183",
        "[c]",
    )
    assert row["Still waiting"] == "[c]" and row["Median wait so far (days)"] == "[c]"


def test_each_route_has_its_drift_sentence(conn: Connection) -> None:
    internal = section(conn, internal=True)
    assert (
        "Adoption: most of the delay is between the placement order and the match: a median "
        "of 183 days, against 121 days expected (A2)." in internal.paragraphs
    )
    assert (
        "Special guardianship: the longest stage is between entering care and the special "
        "guardianship order: a median of 183 days, 100% of the sum of the stages' medians."
        in internal.paragraphs
    )
    published = section(conn)
    # Only the first stage has 5 children completed: the sentence may speak only of it.
    adoption = next(p for p in published.paragraphs if p.startswith("Adoption:"))
    assert "183" not in adoption
    assert "between entering care and the decision" in adoption
    sgo = next(p for p in published.paragraphs if p.startswith("Special guardianship:"))
    assert "too few children" in sgo and "183" not in sgo


def test_scotland_is_left_out_without_permanence_orders_and_shown_with_them(
    conn: Connection,
) -> None:
    found = section(conn, internal=True)
    assert any(
        p.startswith("Scotland's permanence order route is left out") for p in found.paragraphs
    )
    journeys = small_journeys()
    lodged = pl.DataFrame(
        {
            "CHILD": ["D"],
            "period": [1],
            "milestone": ["permanence_order_lodged"],
            "date": [dt.date(2022, 6, 1)],
        }
    )
    scottish = Journeys(
        **{
            **journeys.__dict__,
            "milestones": pl.concat([journeys.milestones, lodged], how="diagonal_relaxed"),
        }
    )
    found = timeliness.build(context_for(scottish, conn, AS_AT, internal=True))
    assert "Timeliness permanence order" in [t.key for t in found.tables]
    assert not any("left out" in p for p in found.paragraphs)


def test_the_adoption_chart_is_each_childs_days_to_placement_against_426(
    conn: Connection,
) -> None:
    found = section(conn, internal=True)
    (chart,) = found.charts
    assert chart.svg.lstrip().startswith("<svg")
    assert "4 points, from 1 October 2021 to 1 April 2022" in chart.text_alternative
    assert "The target is 426" in chart.text_alternative
    # Four placed children: fewer than 5, so no chart in a published report.
    assert section(conn).charts == ()


def test_the_headline_figures(conn: Connection) -> None:
    figures = {f.label: f.value for f in section(conn, internal=True).figures}
    # Median of 153, 244, 317, 455.
    assert figures == {
        "Median days from entering care to placed for adoption (A1, threshold 426)": "280.5",
        "Children placed for adoption more than 426 days after entering care": "25%",
    }
    hidden = {f.value for f in section(conn).figures}
    assert hidden == {"[c]"}


# --- a synthetic LA ----------------------------------------------------------------------


def test_on_a_synthetic_la_the_figures_are_the_measures(
    synthetic_la: SyntheticLA,
) -> None:
    journeys, as_at = synthetic_la.journeys, synthetic_la.as_at
    found = timeliness.build(synthetic_la.context())
    summary = stage_summary(stage_times(journeys, "adoption", as_at), "adoption")
    frame = table(found, "Timeliness adoption").frame
    for got, want in zip(frame.iter_rows(named=True), summary.iter_rows(named=True), strict=True):
        assert got["Stage"] == want["label"]
        if want["completed"] >= 5:
            assert got["Children completed"] == str(want["completed"])
            assert got["Median days"] == timeliness.days_text(want["median_days"])
        elif want["completed"] > 0:
            assert got["Children completed"] == got["Median days"] == "[c]"
    assert any("left out" in p for p in found.paragraphs)  # an English LA
    assert len(found.charts) == 1
