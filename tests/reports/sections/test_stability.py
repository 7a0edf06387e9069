"""The placement stability section: figures on the hand-worked journeys of
tests/measures/test_stability.py (year ending 31/03/2024, a year earlier 31/03/2023), the
quarter-ends its charts use, and a synthetic LA against the measure called directly."""

import dataclasses
import datetime as dt

import polars as pl

from carejourney.journeys.stored import Journeys
from carejourney.measures.stability import stability
from carejourney.reports.sections import stability as section
from tests.measures.test_stability import JOURNEYS
from tests.reports.sections.context import (
    SyntheticLA,
    all_text,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2024, 3, 31)
CHILDREN = """
CHILD | SEX | DOB        | ETHNIC
S1    | 1   | 01/01/2015 | WBRI
S2    | 1   | 01/01/2012 | WBRI
S3    | 1   | 01/01/2016 | WBRI
S4    | 1   | 01/01/2010 | WBRI
S5    | 1   | 01/01/2012 | WBRI
S6    | 1   | 10/10/2010 | WBRI
S7    | 1   | 01/06/2019 | WBRI
S8    | 1   | 31/03/2008 | WBRI
S9    | 1   | 01/01/2014 | WBRI
S10   | 1   | 01/01/2014 | WBRI
"""


def journeys(first_year: int | None = 2019) -> Journeys:
    """The hand-worked journeys; the data begin in `first_year` (None: the history's own
    year, 2023, as the text tables give it)."""
    found = small_journeys(JOURNEYS, children=CHILDREN, data_ends=AS_AT)
    if first_year is None:
        return found
    history = found.history.with_columns(year=pl.lit(first_year, pl.Int64))
    return dataclasses.replace(found, history=history)


def figures(internal: bool, first_year: int | None = 2019) -> dict[str, tuple[str, str | None]]:
    built = section.build(context_for(journeys(first_year), None, AS_AT, internal=internal))
    return {f.label: (f.value, f.change) for f in built.figures}


YEAR, TWO_YEARS, LONG_TERM = (m.label for m in section.MEASURES)


def test_the_three_measures_and_their_change_by_hand() -> None:
    found = figures(internal=True)
    # On 31/03/2024 (tests/measures/test_stability.py): (a) S1, S4 of S1-S8: 2 of 8;
    # (b) S6 of S5-S8: 1 of 4; (c) S5, S7 of S5, S6, S7: 2 of 3.
    # On 31/03/2023: looked after S1, S2, S5, S6, S7, S8, none with 3 placements in the
    # year (S6 has 2: U3 current on 01/04/2022, then C2 U3): 0 of 6. Looked after since
    # 01/04/2021: S5, S7, S8, none with 3 in two years (S5: U3, U1): 0 of 3. Under 16 and
    # looked after since 01/10/2020: S5 (same placement since 01/03/2022: no) and S8 (since
    # 01/09/2019: yes): 1 of 2.
    assert found[YEAR] == ("25% (2 of 8)", "up 25 percentage points on a year earlier (0%)")
    assert found[TWO_YEARS] == ("25% (1 of 4)", "up 25 percentage points on a year earlier (0%)")
    assert found[LONG_TERM] == ("67% (2 of 3)", "up 17 percentage points on a year earlier (50%)")


def test_the_figures_agree_with_the_measure_called_directly() -> None:
    j = journeys()
    for day in (AS_AT, dt.date(2023, 3, 31)):
        direct = stability(j.periods, j.placements, j.children, day)
        built = section.build(context_for(j, None, day, internal=True))
        table = built.tables[0].frame
        assert table.get_column("Children in the measure").to_list() == [
            str(n) for n in direct.get_column("children").to_list()
        ]
        assert table.get_column("Children counted").to_list() == [
            str(n) for n in direct.get_column("count").to_list()
        ]


def test_small_numbers_are_not_published() -> None:
    found = figures(internal=False)
    # Every count here is below 5: no percentage may be published.
    assert found[YEAR] == ("[c]", "too few children to publish")
    built = section.build(context_for(journeys(), None, AS_AT))
    text = all_text(built)
    assert "2 of 8" not in text and "25%" not in text and "67%" not in text
    assert "fewer than 5 children looked after on 31/03/2024" in text
    assert not built.charts


def test_a_measure_the_data_do_not_reach_back_for_is_not_available() -> None:
    # The text tables' episodes are all from 2023/24: the data begin on 01/04/2023.
    found = figures(internal=True, first_year=None)
    assert found[YEAR][0] == "25% (2 of 8)"
    assert found[YEAR][1] == (
        "no figure a year earlier: the data begin on 01/04/2023, and this measure needs the "
        "12 months before its date"
    )
    assert found[TWO_YEARS][0] == "not available"
    assert found[LONG_TERM][0] == "not available"


def test_the_charts_points_are_the_quarter_ends_the_data_cover() -> None:
    start = dt.date(2021, 4, 1)
    assert section.chart_dates(start, dt.date(2023, 3, 31), 12) == [
        dt.date(2022, 3, 31),
        dt.date(2022, 6, 30),
        dt.date(2022, 9, 30),
        dt.date(2022, 12, 31),
        dt.date(2023, 3, 31),
    ]
    # 30 months from 01/04/2021: the first point is 30/09/2023; none after the last day.
    assert section.chart_dates(start, dt.date(2024, 2, 29), 30) == [
        dt.date(2023, 9, 30),
        dt.date(2023, 12, 31),
    ]
    assert section.chart_dates(start, dt.date(2021, 12, 31), 12) == []


def test_no_periods_of_care_means_not_available() -> None:
    found = journeys()
    empty = dataclasses.replace(found, periods=found.periods.clear())
    built = section.build(context_for(empty, None, AS_AT))
    assert built.not_available is not None and "carejourney import" in built.not_available


def test_a_synthetic_la_against_the_measure_and_its_charts(
    synthetic_la: SyntheticLA,
) -> None:
    j = synthetic_la.journeys
    built = section.build(synthetic_la.context(internal=True))
    direct = stability(j.periods, j.placements, j.children, synthetic_la.as_at)
    for figure, row in zip(built.figures, direct.iter_rows(named=True), strict=True):
        assert figure.value.endswith(f"({row['count']} of {row['children']})")
    # One chart per measure with enough quarter-ends, each with its signals in words, also
    # among the section's paragraphs.
    assert built.charts
    for chart in built.charts:
        assert chart.svg.lstrip().startswith("<svg") and chart.signals
        assert any(p.endswith(" ".join(chart.signals)) for p in built.paragraphs)
    # The quarter-ends table holds each chart's points, as the measure gives them.
    points = built.tables[1].frame
    first = points.row(0, named=True)
    day = dt.datetime.strptime(first["Quarter ending"], "%d/%m/%Y").date()
    then = stability(j.periods, j.placements, j.children, day).row(0, named=True)
    assert first["Measure"] == "3 or more placements in the year"
    assert (first["Children in the measure"], first["Children counted"]) == (
        str(then["children"]),
        str(then["count"]),
    )
    assert day.month in (3, 6, 9, 12) and day == dt.date(
        int(j.history.get_column("year").min()) + 1,  # type: ignore[arg-type]
        3,
        31,
    )


def test_a_synthetic_la_published_shows_a_chart_or_says_why_not(
    synthetic_la: SyntheticLA,
) -> None:
    built = section.build(synthetic_la.context())
    for measure in section.MEASURES:
        charted = any(c.title == measure.short for c in built.charts)
        said = any(
            p.startswith(f"{measure.short}, quarter by quarter: no chart") for p in built.paragraphs
        )
        assert charted != said
