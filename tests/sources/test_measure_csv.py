"""An analyst's measure file: columns found, bad rows explained, points aggregated by date."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xlsxwriter

from carejourney.measures.spc.types import ChartType
from carejourney.sources.measure_csv import MeasureFileError, read_measure, to_series


def write(tmp_path: Path, text: str, name: str = "measure.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def test_usual_column_names_are_found_in_any_case(tmp_path: Path) -> None:
    path = write(tmp_path, "Month,Numerator,Denominator\n01/01/2024,3,10\n01/02/2024,4,12")
    rows = read_measure(path)
    assert (rows.date_column, rows.value_column, rows.n_column) == (
        "Month",
        "Numerator",
        "Denominator",
    )
    series, labels = to_series(rows, ChartType.P)
    assert labels == ("2024-01-01", "2024-02-01")
    assert series.y.tolist() == [3, 4] and series.n is not None and series.n.tolist() == [10, 12]


def test_the_one_other_column_is_the_value(tmp_path: Path) -> None:
    rows = read_measure(write(tmp_path, "date,days taken\n2024-01-05,40\n2024-01-09,50"))
    assert rows.value_column == "days taken"


def test_named_columns_win(tmp_path: Path) -> None:
    path = write(tmp_path, "when,a,b\n01/01/2024,1,2\n01/02/2024,3,4")
    rows = read_measure(path, value="B", date="when")
    assert rows.frame["value"].to_list() == [2, 4]


def test_an_unknown_column_is_named_with_the_ones_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, "date,value\n01/01/2024,1")
    with pytest.raises(
        MeasureFileError, match=r"no column 'count' \(--value\); the columns are date, value"
    ):
        read_measure(path, value="count")


def test_several_candidate_columns_ask_which(tmp_path: Path) -> None:
    with pytest.raises(MeasureFileError, match="Give --value with one of: a, b"):
        read_measure(write(tmp_path, "a,b\n1,2"))


def test_every_bad_row_is_named_with_its_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
date,value,n
01/01/2024,3,10
31/02/2024,4,12
01/03/2024,lots,12
01/04/2024,,12
01/05/2024,2,0
""",
    )
    with pytest.raises(MeasureFileError) as caught:
        read_measure(path)
    message = str(caught.value)
    assert f"{path}, row 3, column 'date': '31/02/2024' is not a date" in message
    assert f"{path}, row 4, column 'value': 'lots' is not a number." in message
    assert f"{path}, row 5, column 'value': blank: give a number, or delete the row." in message
    assert f"{path}, row 6, column 'n': '0': the denominator must be a number above 0." in message


def test_blank_lines_are_skipped_but_rows_keep_their_spreadsheet_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "date,value\n01/01/2024,1\n,\n01/03/2024,2")
    assert read_measure(path).frame["row"].to_list() == [2, 4]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(MeasureFileError, match="there is no file"):
        read_measure(tmp_path / "nothing.csv")
    with pytest.raises(MeasureFileError, match="the file is empty"):
        read_measure(write(tmp_path, ""))
    with pytest.raises(MeasureFileError, match="headings but no rows"):
        read_measure(write(tmp_path, "date,value"))


def test_observations_on_one_date_make_a_subgroup(tmp_path: Path) -> None:
    path = write(tmp_path, "date,value\n02/01/2024,1\n01/01/2024,4\n01/01/2024,6\n02/01/2024,3")
    series, labels = to_series(read_measure(path), ChartType.XBAR)
    assert labels == ("2024-01-01", "2024-01-02")
    assert series.y.tolist() == [5, 2]
    assert series.n is not None and series.n.tolist() == [2, 2]
    assert series.sd is not None and np.allclose(series.sd, [np.sqrt(2), np.sqrt(2)])


def test_counts_on_one_date_are_summed_and_values_averaged(tmp_path: Path) -> None:
    path = write(tmp_path, "date,value,n\n01/01/2024,1,4\n01/01/2024,2,6\n01/02/2024,5,10")
    p, _ = to_series(read_measure(path), ChartType.P)
    assert p.y.tolist() == [3, 5] and p.n is not None and p.n.tolist() == [10, 10]
    path = write(tmp_path, "date,value\n01/01/2024,1\n01/01/2024,2\n01/02/2024,5")
    i, _ = to_series(read_measure(path), ChartType.I)
    assert i.y.tolist() == [1.5, 5]


def test_without_dates_each_row_is_a_point(tmp_path: Path) -> None:
    series, labels = to_series(read_measure(write(tmp_path, "value\n3\n1\n2")), ChartType.I)
    assert series.y.tolist() == [3, 1, 2] and labels == ("row 2", "row 3", "row 4")
    with pytest.raises(MeasureFileError, match="needs a date"):
        to_series(read_measure(write(tmp_path, "value\n3\n1\n2")), ChartType.XBAR)


def test_a_workbook_is_read_from_its_first_sheet_with_data(tmp_path: Path) -> None:
    path = tmp_path / "measure.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, ["Month", "Value"])
    sheet.write_row(1, 0, ["01/01/2024", 3])
    sheet.write_row(2, 0, ["01/02/2024", 5])
    book.close()
    rows = read_measure(path)
    assert rows.frame["value"].to_list() == [3, 5]
