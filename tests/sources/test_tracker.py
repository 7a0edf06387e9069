"""Tracker files: milestones the LA records that no national return holds."""

import datetime as dt
from pathlib import Path

from carejourney.sources.returns import read_returns
from tests.returns import minimal_return, write_table

TRACKER = """
CHILD | MILESTONE                  | DATE       | NOTE
1     | permanence_recommendation  | 01/02/2023 |
1     | Permanence recommendation  | 01/02/2023 | the same again by its label
1.0   | Legal advice requested     | 2022-12-01 | Excel made the ID a number
2     | PANEL                      | 44958      |
"""


def test_a_tracker_is_recognised_by_its_columns_and_read_with_labels(tmp_path: Path) -> None:
    write_table(tmp_path / "PACE tracker.csv", TRACKER)
    result = read_returns([tmp_path])
    assert [(p.code, p.row) for p in result.problems] == [
        ("milestone-repeated", 2),
        ("milestone-repeated", 3),
    ]
    assert result.returns == []
    assert result.tracker is not None
    assert result.tracker.select("CHILD", "MILESTONE", "DATE").rows() == [
        ("1", "permanence_recommendation", dt.date(2023, 2, 1)),
        ("1", "legal_advice_requested", dt.date(2022, 12, 1)),
        ("2", "panel", dt.date(2023, 2, 1)),
    ]


def test_an_unknown_milestone_is_an_error_listing_the_known_ones(tmp_path: Path) -> None:
    write_table(
        tmp_path / "tracker.csv",
        """
        CHILD | MILESTONE               | DATE       | NOTE
        1     | permanance recomendation | 01/02/2023 |
        """,
    )
    [problem] = read_returns([tmp_path]).problems
    assert (problem.code, problem.row, problem.severity) == ("milestone-unknown", 2, "error")
    assert "permanence_recommendation" in problem.message


def test_a_tracker_beside_returns_belongs_to_no_year(tmp_path: Path) -> None:
    minimal_return(tmp_path / "903_2022-23")
    write_table(tmp_path / "tracker.csv", TRACKER)
    result = read_returns([tmp_path])
    assert [r.year for r in result.returns] == [2022]
    assert result.rows["Tracker"] == 3


def test_a_tracker_and_an_allocation_list_can_be_sheets_of_a_workbook(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "PACE tracker.xlsx")
    book.add_worksheet("Read me").write_row(0, 0, ["How to fill this in"])
    tracker = book.add_worksheet("Milestones")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    tracker.write_row(0, 0, ["CHILD", "MILESTONE", "DATE", "NOTE"])
    tracker.write_number(1, 0, 1)  # Excel keeps the ID as a number
    tracker.write_string(1, 1, "Permanence recommendation")
    tracker.write_datetime(1, 2, dt.datetime(2023, 2, 1), day)
    teams = book.add_worksheet("Teams")
    teams.write_row(0, 0, ["CHILD", "TEAM", "WORKER"])
    teams.write_row(1, 0, ["1", "Permanence North", "SW0001"])
    book.close()
    result = read_returns([tmp_path])
    assert [(p.code, p.severity) for p in result.problems] == []
    assert result.tracker is not None
    assert result.tracker.select("CHILD", "MILESTONE", "DATE").rows() == [
        ("1", "permanence_recommendation", dt.date(2023, 2, 1))
    ]
    assert result.rows == {"Tracker": 1, "Allocation": 1}
    assert result.tracker["_file"].to_list() == [f"{tmp_path / 'PACE tracker.xlsx'}!Milestones"]
