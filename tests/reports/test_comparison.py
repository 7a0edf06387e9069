"""National figures from a file the user can update, and several LAs side by side."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import lxml.html
import pytest
from python_calamine import CalamineWorkbook

from carejourney.reports.comparison import (
    NationalFiguresError,
    compare,
    load_national,
    parse_national,
)
from carejourney.reports.document import Figure, Section
from carejourney.reports.html import render_html
from carejourney.reports.xlsx import write_xlsx
from tests.reports.test_diagnostic import sample_report


def test_the_shipped_national_figures_each_carry_year_and_source() -> None:
    national = load_national()
    names = [f.name for f in national.figures]
    assert len(names) == len(set(names)) >= 10
    by_name = {f.name: f for f in national.figures}
    assert by_name["a1-threshold"].value == 426 and by_name["a2-threshold"].value == 121
    assert by_name["adopted-england"].value == 3040 and by_name["adopted-england"].year == "2024-25"
    assert by_name["looked-after-england"].text() == "81,770"
    assert by_name["three-placements-england"].text() == "10%"
    assert by_name["a1-threshold"].text() == "426 days"
    for figure in national.figures:
        assert figure.year and figure.source
        assert figure.verified or figure.note
    assert not by_name["entry-to-order-england"].verified


def test_a_national_figures_file_with_problems_says_which_figure(tmp_path: Path) -> None:
    bad = tmp_path / "national.toml"
    bad.write_text(
        '[[figures]]\nname = "a"\nlabel = "A"\nvalue = 1\nunit = "days"\nyear = 2024\nsource = "S"\n'
        '[[figures]]\nname = "B b"\nlabel = "B"\nvalue = "many"\nunit = "weeks"\nyear = "2024"\n'
        'source = "S"\nverified = false\n'
    )
    with pytest.raises(NationalFiguresError) as raised:
        load_national(bad)
    message = str(raised.value)
    assert "figure 2" in message and "name" in message and "unit" in message
    assert "figure 1" not in message  # a year given as a number is read as text
    with pytest.raises(NationalFiguresError, match="not valid TOML"):
        parse_national(b"[[figures]\n", "x.toml")
    with pytest.raises(NationalFiguresError, match="Cannot read"):
        load_national(tmp_path / "missing.toml")
    twice = (
        '[[figures]]\nname = "a"\nlabel = "A"\nvalue = 1\nunit = "%"\nyear = "1"\nsource = "S"\n'
    )
    with pytest.raises(NationalFiguresError, match="used twice"):
        parse_national((twice * 2).encode(), "x.toml")


def with_figures(la: str, values: tuple[str, str], as_at: dt.date | None = None) -> object:
    report = sample_report(la=la)
    summary = Section(
        key="summary",
        title="Summary",
        figures=(
            Figure("Children looked after on 31/03/2026", values[0]),
            Figure(
                "Average days from entering care to moving in with the adoptive family (DfE A10)",
                values[1],
                "down 20 days on a year before",
            ),
            Figure("Children adopted in the year to 31/03/2026", "12"),
        ),
    )
    return dataclasses.replace(
        report, sections=(summary, *report.sections[1:]), as_at=as_at or report.as_at
    )


def test_figures_side_by_side_with_the_national_figure() -> None:
    first = with_figures("999", ("81", "501 days"))
    second = with_figures("998", ("[c]", "not available"))
    comparison = compare([first, second], load_national())  # type: ignore[list-item]
    assert comparison.la == "999, 998" and not comparison.internal
    assert comparison.as_at == dt.date(2026, 3, 31)
    (section,) = comparison.sections
    side_by_side = section.tables[0].frame
    assert side_by_side.columns == [
        "Section",
        "Figure",
        "LA 999",
        "LA 998",
        "National",
        "National figure",
        "Year",
        "Source",
    ]
    rows = {row["Figure"]: row for row in side_by_side.iter_rows(named=True)}
    looked_after = rows["Children looked after on 31/03/2026"]
    assert looked_after["LA 999"] == "81" and looked_after["LA 998"] == "[c]"
    assert looked_after["National"] == "81,770" and looked_after["Year"] == "2025"
    a10 = rows["Average days from entering care to moving in with the adoptive family (DfE A10)"]
    assert a10["LA 999"] == "501 days"  # the change is in the LA's own report
    assert a10["National"] == "426 days" and "threshold" in a10["National figure"]
    assert rows["Children adopted in the year to 31/03/2026"]["National"] == "3,040"
    # Figures from every section appear, one row each.
    assert side_by_side.height == 3
    assert section.tables[1].frame.height == len(load_national().figures)


def test_the_comparison_is_written_by_the_same_writers(tmp_path: Path) -> None:
    reports = [with_figures("999", ("81", "501 days")), with_figures("998", ("40", "600 days"))]
    comparison = compare(reports, load_national())  # type: ignore[arg-type]
    document = lxml.html.document_fromstring(render_html(comparison))
    assert len(document.xpath("//table")) == 2
    assert "LA 998" in document.xpath("//table")[0].text_content()
    workbook = CalamineWorkbook.from_path(str(write_xlsx(comparison, tmp_path / "c.xlsx")))
    assert workbook.sheet_names == ["Contents", "About", "Figures side by side", "National figures"]


def test_dates_in_headings_when_the_las_differ_and_no_national_figures() -> None:
    first = with_figures("999", ("81", "501 days"))
    second = with_figures("998", ("40", "600 days"), as_at=dt.date(2025, 3, 31))
    internal = dataclasses.replace(second, internal=True)  # type: ignore[type-var]
    comparison = compare([first, internal], None)  # type: ignore[list-item]
    frame = comparison.sections[0].tables[0].frame
    assert "LA 998 (as at 31/03/2025)" in frame.columns
    assert frame["National"].to_list() == ["", "", ""]
    assert comparison.internal and len(comparison.sections[0].tables) == 1
    with pytest.raises(ValueError, match="no report"):
        compare([], None)
