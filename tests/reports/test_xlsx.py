"""The report's workbook: contents, about, and every table a sheet with its headings."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from carejourney.reports.document import Report, ReportTable, Section
from carejourney.reports.xlsx import sheet_names, write_xlsx
from tests.reports.test_diagnostic import CHILD_IDS, sample_report


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> CalamineWorkbook:
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    assert write_xlsx(sample_report(), path) == path
    return CalamineWorkbook.from_path(str(path))


def rows(workbook: CalamineWorkbook, name: str) -> list[list[object]]:
    return workbook.get_sheet_by_name(name).to_python()


def test_every_table_is_a_sheet_with_its_title_and_headings(workbook: CalamineWorkbook) -> None:
    report = sample_report()
    tables = report.tables()
    assert workbook.sheet_names == ["Contents", "About", *[t.key for t in tables]]
    for table in tables:
        sheet = rows(workbook, table.key)
        assert sheet[0][0] == table.title
        assert sheet[2][: table.frame.width] == table.frame.columns
        assert len(sheet) == 3 + table.frame.height


def test_numbers_are_numbers_markers_are_text_dates_are_dates(workbook: CalamineWorkbook) -> None:
    stages = rows(workbook, "Timeliness adoption")
    assert stages[3] == ["Entered care to decision", 14.0, 201.5, dt.date(2021, 4, 7)]
    ages = rows(workbook, "Profile by age")
    values = [v for row in ages[3:] for v in row[1:]]
    assert "[c]" in values
    assert all(isinstance(v, float) or v == "[c]" for v in values)
    assert ages[-1][0] == "Total"
    months = rows(workbook, "Months")
    assert months[1][0] == "A note."
    assert months[3] == ["Month 1", 1.0]


def test_children_are_pseudonyms_unless_internal(
    workbook: CalamineWorkbook, tmp_path: Path
) -> None:
    shown = [row[0] for row in rows(workbook, "Longest journeys")[3:]]
    assert all(str(c).startswith("C-") for c in shown)
    path = write_xlsx(sample_report(internal=True), tmp_path / "internal.xlsx")
    internal = CalamineWorkbook.from_path(str(path))
    assert [row[0] for row in rows(internal, "Longest journeys")[3:]] == CHILD_IDS
    about = {row[0]: row[1] for row in rows(internal, "About")[2:]}
    assert about["Internal"] == "Yes" and "IDs" in str(about["Disclosure"])


def test_contents_and_about(workbook: CalamineWorkbook, tmp_path: Path) -> None:
    contents = rows(workbook, "Contents")
    assert contents[2] == ["Sheet", "Table", "Section", "Note"]
    listed = [row[0] for row in contents[3:]]
    assert listed == [t.key for t in sample_report().tables()]
    assert contents[3][2] == "Timeliness by stage"
    about = {row[0]: row[1] for row in rows(workbook, "About")[2:]}
    assert about["Local authority"] == "999"
    assert about["As at"] == dt.date(2026, 3, 31)
    assert about["Internal"] == "No"
    # The contents' names link to their sheets, and the headings have filters and freeze.
    path = write_xlsx(sample_report(), tmp_path / "links.xlsx")
    with zipfile.ZipFile(path) as archive:
        first = archive.read("xl/worksheets/sheet1.xml").decode()
        table = archive.read("xl/worksheets/sheet3.xml").decode()
    assert "location=\"'Profile by age'!A1\"" in first
    assert '<autoFilter ref="A3:' in table and 'ySplit="3"' in table


def test_sheet_names_are_valid_and_unique() -> None:
    frame = pl.DataFrame({"a": [1]})
    keys = ["Contents", "x" * 40, "x" * 40, "a/b:c?", "", "History", "Profile", "profile"]
    names = sheet_names([ReportTable(k, "t", frame) for k in keys])
    assert len({n.lower() for n in names}) == len(names)
    assert all(0 < len(n) <= 31 for n in names)
    assert not any(set(n) & set("[]:*?/\\") for n in names)
    assert names[0] != "Contents" and names[5] != "History"
    assert names[1] == "x" * 31 and names[2] == "x" * 29 + " 2"
    assert names[6:] == ["Profile", "profile 2"]


def test_published_text_that_is_a_number_is_written_as_one(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "Text": [
                "12",
                "1,234",
                "45%",
                "12.5%",
                "£27,000",
                "[c]",
                "012345",
                "2024/25",
                "1 to 4",
            ],
            "Child": ["123456", "2", "3", "4", "5", "6", "7", "8", "9"],
        }
    )
    report = Report(
        "999",
        "t",
        dt.date(2026, 3, 31),
        dt.datetime(2026, 4, 1),
        False,
        (Section("s", "S", tables=(ReportTable("Mixed", "Mixed", frame),)),),
    )
    sheet = CalamineWorkbook.from_path(str(write_xlsx(report, tmp_path / "m.xlsx")))
    values = [row[0] for row in rows(sheet, "Mixed")[3:]]
    assert values == [12.0, 1234.0, 0.45, 0.125, 27000.0, "[c]", "012345", "2024/25", "1 to 4"]
    # A column of IDs stays text, digits or not.
    assert rows(sheet, "Mixed")[3][1] == "123456"
