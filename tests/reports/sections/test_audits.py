"""The quality assurance section: the hand-worked quarter of tests/test_audits_cli.py, in an
internal report (exact) and a published one (small counts hidden), and a year of synthetic
audits whose p chart is drawn with its signals in words."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine

from carejourney.quality.audits import Source, record_audits
from carejourney.reports import diagnostic
from carejourney.reports.document import ReportContext, Section
from carejourney.reports.sections import audits as section
from carejourney.synth.audits import synthetic_audits
from tests.reports.sections.context import SyntheticLA, all_text, context_for
from tests.test_audits_cli import GRADES, quarter

AS_AT = dt.date(2026, 3, 31)


def hand_context(engine: Engine, synthetic_la: SyntheticLA, *, internal: bool) -> ReportContext:
    """The hand-worked quarter (LA 931), with the synthetic LA's journeys as LA 931's."""
    quarter(engine)
    journeys = dataclasses.replace(synthetic_la.journeys, la="931")
    return context_for(journeys, engine.connect(), AS_AT, internal=internal)


def table(built: Section, key: str) -> list[tuple[object, ...]]:
    found = next(t for t in built.tables if t.key == key)
    return list(found.frame.iter_rows())


def test_no_audits_no_section_and_it_says_how_to_add_them(synthetic_la: SyntheticLA) -> None:
    built = section.build(synthetic_la.context())
    assert built.not_available is not None
    assert "carejourney audits import" in built.not_available
    no_database = context_for(synthetic_la.journeys, None, AS_AT)
    assert "without its database" in (section.build(no_database).not_available or "")


def test_the_quarter_by_hand_in_an_internal_report(
    engine: Engine, synthetic_la: SyntheticLA
) -> None:
    context = hand_context(engine, synthetic_la, internal=True)
    built = section.build(context)
    context.conn.close()
    assert built.not_available is None
    assert [(f.label, f.value, f.change) for f in built.figures] == [
        ("Case audits completed in the 12 months", "10", None),
        ("Graded good or better", "60%", "of 10 graded"),
        ("Good or better this quarter (from 01/01/2026)", "60%", None),
        ("Open management alerts", "2", None),
    ]
    # January 2 good of 4, February 3 of 4, March 1 of 2 (the moderated audit counts as
    # requires improvement).
    assert table(built, "Audits by month") == [
        ("January 2026", "4", "2", "50%"),
        ("February 2026", "4", "3", "75%"),
        ("March 2026", "2", "1", "50%"),
    ]
    assert table(built, "Audit themes") == [
        ("area for development", "drift in care planning", "4", "40%"),
        ("area for development", "chronology out of date", "2", "20%"),
        ("strength", "child seen and listened to", "3", "30%"),
    ]
    assert table(built, "Overdue actions") == [
        ("Head of Service", "1. Update every chronology", "01/03/2026", "30", "open"),
        ("Head of Service", "3. Contingency plans in every care plan", "20/03/2026", "11", "in progress"),
        ("Principal Social Worker", "5. Permanence tracker in use", "15/03/2026", "16", "open"),
    ]  # fmt: skip
    text = all_text(built)
    assert "10 audits were completed, 60% of those graded good or better." in text
    assert (
        "Moderation: 1 audit was moderated (a second opinion); the moderator gave the "
        "auditor's grade in 0%, and 1 moved across the line" in text
    )
    assert "3 actions were overdue on 31 March 2026" in text
    assert (
        "2 open on 31 March 2026, 1 of them awaiting a response. Of the alerts raised in "
        "these months and answered, half were answered within 2 days (the median)." in text
    )
    # The chart: three months, p̄ = 6 / 10; too few points for the runs rules to judge.
    (chart,) = built.charts
    assert chart.svg.startswith("<svg") and "Audits graded good or better" in chart.title
    indicators = table(built, "Indicators")
    assert [row[0] for row in indicators] == [
        "Children with 3 or more placements in the year",
        "Children looked after for 2 years with 3 or more placements in those 2 years",
        "Long-term placement stability",
        "Re-referrals within 12 months",
    ]
    assert "10% nationally (England, 2024)" in str(indicators[0][2])


def test_the_quarter_published_hides_small_counts_but_lists_the_actions(
    engine: Engine, synthetic_la: SyntheticLA
) -> None:
    context = hand_context(engine, synthetic_la, internal=False)
    built = section.build(context)
    context.conn.close()
    # 6 good of 10: the 4 not good would be given away, so the share is hidden.
    assert [(f.value, f.change) for f in built.figures] == [
        ("10", None),
        ("[c]", "of 10 graded"),
        ("[c]", None),
        ("fewer than 5", None),
    ]
    assert table(built, "Audits by month") == [
        ("January 2026", "[c]", "[c]", "[c]"),
        ("February 2026", "[c]", "[c]", "[c]"),
        ("March 2026", "[c]", "[c]", "[c]"),
    ]
    assert {row[2] for row in table(built, "Audit themes")} == {"[c]"}
    assert built.charts == ()
    text = all_text(built)
    assert "no chart, because in 3 of the 3 months the numbers are small" in text
    assert "Too few alerts were answered in these months to publish how fast." in text
    # Staff, not children: every overdue action is listed, with its owner.
    assert len(table(built, "Overdue actions")) == 3
    for child in GRADES:  # no child's ID anywhere
        assert child not in text.split()


def test_a_year_of_synthetic_audits_draws_the_chart_with_its_signal(
    engine: Engine, synthetic_la: SyntheticLA
) -> None:
    journeys = synthetic_la.journeys
    teams = journeys.allocations.select("CHILD", "TEAM").unique("CHILD").sort("CHILD").rows()
    made = synthetic_audits(
        seed=3,
        la="999",
        children=[(str(c), t) for c, t in teams],
        first_month=dt.date(2025, 4, 1),
        months=12,
        per_month=20,
        training_month=dt.date(2025, 8, 1),
    )
    with engine.begin() as conn:
        record_audits(conn, "999", made, who="tests", source=Source.SYNTHETIC)
    with engine.connect() as conn:
        built = section.build(context_for(journeys, conn, AS_AT, internal=True))
        published = section.build(context_for(journeys, conn, AS_AT))
    months = table(published, "Audits by month")
    assert len(months) == 12 and all(row[1] == "20" for row in months)
    # After the training, some months have fewer than 5 not yet good: those shares, and so
    # the published chart, are hidden; the internal report draws it.
    hidden = sum(row[3] == "[c]" for row in months)
    assert hidden and published.charts == ()
    assert f"in {hidden} of the 12 months the numbers are small" in all_text(published)
    (chart,) = built.charts
    assert chart.signals, "a year with a training rise signals"
    # Poor months before the training, good ones after: the line crosses its centre once.
    assert chart.signals == (
        "The line crosses the centre line only once in 12 points (at least 3 would be "
        "expected by chance): the process has probably changed.",
    )
    assert chart.signals[0] in all_text(built)
    assert built.figures[0].value == "240"


def test_the_section_comes_after_placement_stability() -> None:
    names = [name for name, _ in diagnostic.SECTIONS]
    assert names[names.index("placement stability") + 1] == "quality assurance"
    assert dict(diagnostic.SECTIONS)["quality assurance"] is section.build


@pytest.mark.parametrize("template", ["case-audit", "case-audit-scotland"])
def test_the_template_most_audits_use_is_summarised(template: str) -> None:
    audits = pl.DataFrame(
        {
            "template": [template, template, "case-audit-scotland", "gone"],
            "status": ["completed", "completed", "assigned", "completed"],
        }
    )
    found = section.main_template(audits)
    assert found is not None and found.name == template
