"""Ofsted Annex A lists 10 and 11 read into child and adopter milestones (synthetic data)."""

import datetime as dt
from pathlib import Path

import polars as pl

from carejourney.schema.annex_a import (
    ALIASES,
    LIST_10,
    LIST_10_MILESTONES,
    LIST_11,
    LIST_11_MILESTONES,
    heading_key,
)
from carejourney.schema.milestones import MILESTONES_BY_NAME, Subject
from carejourney.sources.annex_a import AnnexA, read_annex_a
from carejourney.sources.problems import HIDDEN
from carejourney.sources.returns import read_returns
from tests.returns import csv_text, write_table

FIXTURES = Path(__file__).parent / "annex_a"

# Headings as LAs' exports write them: other cases, the accepted variants, a column
# carejourney does not know, and dates as dd/mm/yyyy, ISO and Excel day numbers.
LIST_10_VARIANTS = """
CHILD ID | date of birth | DATE THE CHILD ENTERED CARE | date of decision that the child should be placed for adoption | Placement Order Date | date_matched | Date placed for adoption | adoption order date | Allocated Worker
ZZ-C-0101.0 | 01/01/2020 | 44000     | 15/06/2021 | 2021-09-01 | 44562      |            |            | Worker A
ZZ-C-0102   | 02/02/2018 | 03/03/2019 | 44409     |            |            | 01/12/2021 | 01/06/2022 | Worker B
"""

LIST_11_TEXT = """
Individual adopter identifier | Family identifier | Gender | Date enquiry received | Date Stage 1 started | Date Stage 1 ended | Date Stage 2 started | Date Stage 2 ended | Date application submitted | Date application approved | Date adopter matched with child(ren) | Date child/children placed with adopter(s) | No. of children placed | Date of Adoption Order
ZZ-A-0001 | ZZ-F-0091 | b) Female | 01/02/2021 | 15/02/2021 | 10/04/2021 | 12/04/2021 | 01/08/2021 | 01/08/2021 | 20/09/2021 | 20/06/2022 | 18/07/2022 | 1 | 15/02/2023
ZZ-A-0002 | ZZ-F-0093 | a) Male   | 05/05/2022 | 44705      |            |            |            |            |            |            |            |   |
"""


def read_text(table: str, name: str = "list.csv") -> AnnexA:
    return read_annex_a(csv_text(table).encode("utf-8"), name=name)


def test_the_ofsted_template_is_read_below_its_title_row() -> None:
    result = read_annex_a(FIXTURES / "list_10_template.csv")
    assert result.problems == []
    assert result.adopters is None
    assert result.children is not None
    assert result.children.drop("_file").rows() == [
        (3, "ZZ-C-0001", "entered_care", dt.date(2021, 5, 2), None),
        (3, "ZZ-C-0001", "adoption_decision", dt.date(2022, 1, 10), None),
        (3, "ZZ-C-0001", "placement_order", dt.date(2022, 4, 1), None),
        (3, "ZZ-C-0001", "matched", dt.date(2022, 6, 20), None),
        (3, "ZZ-C-0001", "placed_for_adoption", dt.date(2022, 7, 18), None),
        (3, "ZZ-C-0001", "adoption_order", dt.date(2023, 2, 15), None),
        (4, "ZZ-C-0002", "entered_care", dt.date(2020, 11, 11), None),
        (4, "ZZ-C-0002", "adoption_decision", dt.date(2021, 3, 5), None),
        (
            4,
            "ZZ-C-0002",
            "adoption_plan_reversed",
            dt.date(2021, 9, 30),
            "RD1 - The child's needs changed subsequent to the decision",
        ),
        # Row 5 is blank; the second decision's entry to care is the same milestone again.
        (6, "ZZ-C-0002", "adoption_decision", dt.date(2022, 1, 12), None),
    ]
    assert set(result.children["_file"]) == {str(FIXTURES / "list_10_template.csv")}


def test_list_10_has_the_tracker_shape_so_it_is_stored_like_tracker_milestones(
    tmp_path: Path,
) -> None:
    write_table(
        tmp_path / "tracker.csv", "CHILD | MILESTONE | DATE | NOTE\n1 | Panel | 01/02/2023 |"
    )
    tracker = read_returns([tmp_path]).tracker
    children = read_annex_a(FIXTURES / "list_10_template.csv").children
    assert tracker is not None and children is not None
    assert children.schema == tracker.schema


def test_headings_in_any_case_and_their_variants_with_excel_day_numbers() -> None:
    result = read_text(LIST_10_VARIANTS)
    assert [(p.code, p.column, p.severity) for p in result.problems] == [
        ("column-extra", "Allocated Worker", "warning"),
        (
            "column-missing",
            "Date of Decision that Child Should No Longer be Placed for Adoption",
            "warning",
        ),
    ]
    assert "ignored" in result.problems[0].message
    assert result.children is not None
    assert result.children.select("_row", "CHILD", "MILESTONE", "DATE").rows() == [
        (2, "ZZ-C-0101", "entered_care", dt.date(2020, 6, 18)),
        (2, "ZZ-C-0101", "adoption_decision", dt.date(2021, 6, 15)),
        (2, "ZZ-C-0101", "placement_order", dt.date(2021, 9, 1)),
        (2, "ZZ-C-0101", "matched", dt.date(2022, 1, 1)),
        (3, "ZZ-C-0102", "entered_care", dt.date(2019, 3, 3)),
        (3, "ZZ-C-0102", "adoption_decision", dt.date(2021, 8, 1)),
        (3, "ZZ-C-0102", "placed_for_adoption", dt.date(2021, 12, 1)),
        (3, "ZZ-C-0102", "adoption_order", dt.date(2022, 6, 1)),
    ]


def test_a_missing_required_column_is_an_error() -> None:
    no_child = read_text(
        """
        Date of Birth | Date the Child Entered Care | Date of Decision that Child Should be Placed for Adoption | Date of Placement Order
        01/01/2020    | 01/06/2020                  | 01/01/2021                                                | 01/03/2021
        """
    )
    [problem] = [p for p in no_child.problems if p.severity == "error"]
    assert (problem.code, problem.column, problem.severity) == (
        "column-missing",
        "Child Unique ID",
        "error",
    )
    assert no_child.children is None

    no_decision = read_text(
        """
        Child ID | Date the Child Entered Care | Date of Placement Order | Date Placed for Adoption
        ZZ-C-1   | 01/06/2020                  | 01/03/2021              | 01/05/2021
        """
    )
    missing = [(p.code, p.column, p.severity) for p in no_decision.problems]
    assert (
        "column-missing",
        "Date of Decision that Child Should be Placed for Adoption",
        "error",
    ) in missing
    assert no_decision.children is not None  # still read, though nothing will be stored


def test_a_date_that_is_not_a_date_is_an_error_on_its_row_and_column() -> None:
    result = read_text(
        """
        Child Unique ID | Date of Decision that Child Should be Placed for Adoption | Date of Placement Order | Date Placed for Adoption
        ZZ-C-0201       | 01/02/2022                                                | 31/02/2022              | 01/06/2022
        ZZ-C-0202       | 03/03/2022                                                | soon                    |
        """
    )
    bad = [p for p in result.problems if p.code == "date-not-a-date"]
    assert [(p.row, p.column, p.value, p.severity) for p in bad] == [
        (2, "Date of Placement Order", "31/02/2022", "error"),
        (3, "Date of Placement Order", "soon", "error"),
    ]
    assert "Date of Placement Order is not a date" in bad[0].message
    assert result.children is not None
    assert "placement_order" not in result.children["MILESTONE"].to_list()


def test_list_11_becomes_adopter_milestones() -> None:
    result = read_text(LIST_11_TEXT)
    assert result.problems == []
    assert result.children is None
    assert result.adopters is not None
    assert result.adopters.columns == ["_row", "_file", "ADOPTER", "MILESTONE", "DATE", "NOTE"]
    assert result.adopters.select("_row", "ADOPTER", "MILESTONE", "DATE").rows() == [
        (2, "ZZ-A-0001", "adopter_enquiry", dt.date(2021, 2, 1)),
        (2, "ZZ-A-0001", "adopter_registration", dt.date(2021, 2, 15)),
        (2, "ZZ-A-0001", "adopter_stage_one_completed", dt.date(2021, 4, 10)),
        (2, "ZZ-A-0001", "adopter_stage_two_started", dt.date(2021, 4, 12)),
        (2, "ZZ-A-0001", "adopter_approved", dt.date(2021, 9, 20)),
        (2, "ZZ-A-0001", "adopter_matched", dt.date(2022, 6, 20)),
        (2, "ZZ-A-0001", "adopter_child_placed", dt.date(2022, 7, 18)),
        (3, "ZZ-A-0002", "adopter_enquiry", dt.date(2022, 5, 5)),
        (3, "ZZ-A-0002", "adopter_registration", dt.date(2022, 5, 24)),
    ]


def test_child_ids_and_other_personal_values_never_appear_in_problems() -> None:
    result = read_text(
        """
        Child Unique ID | Child ID  | Date of Birth | Child Name | Date of Decision that Child Should be Placed for Adoption | Date of Placement Order
        ZZ-C-0301       | ZZ-C-0301 | 31/02/2019    | Zed Zedson | 01/02/2022                                                | not yet
                        |           | 01/01/2019    | Zoe Zedson | 01/03/2022                                                |
        """
    )
    codes = sorted((p.code, p.row) for p in result.problems if p.code != "column-missing")
    assert codes == [
        ("column-repeated", None),
        ("date-not-a-date", 2),
        ("date-not-a-date", 2),
        ("value-required", 3),
    ]
    dob = next(p for p in result.problems if p.column == "Date of Birth")
    assert dob.value == HIDDEN
    for problem in result.problems:
        text = f"{problem.value} {problem.message} {problem.column}"
        for personal in ("ZZ-C-0301", "31/02/2019", "Zedson"):
            assert personal not in text
    assert result.children is not None
    assert result.children["CHILD"].to_list() == ["ZZ-C-0301"]  # the row with no ID is left out


def test_a_workbook_or_an_unknown_csv_is_reported_not_read() -> None:
    workbook = read_annex_a(b"PK\x03\x04 not really a workbook", name="Annex A.xlsx")
    [problem] = workbook.problems
    assert (problem.code, problem.severity) == ("file-unreadable", "error")

    absent = read_annex_a(FIXTURES / "no such list.csv")
    assert [(p.code, p.severity) for p in absent.problems] == [("file-unreadable", "error")]

    other = read_text("CHILD | SEX | DOB\n1 | M | 01/01/2020")
    [problem] = other.problems
    assert (problem.code, problem.severity) == ("file-unrecognised", "warning")
    assert other.children is None and other.adopters is None


def test_every_dated_column_names_a_milestone_of_the_right_subject() -> None:
    for table, dated, subject in (
        (LIST_10, LIST_10_MILESTONES, Subject.CHILD),
        (LIST_11, LIST_11_MILESTONES, Subject.ADOPTER),
    ):
        for column, milestone in dated.items():
            assert table.column(column).kind == "date"
            assert MILESTONES_BY_NAME[milestone].subject is subject
    assert {c.name for c in LIST_10.columns if c.personal} >= {
        "Child Unique ID",
        "Date of Birth",
        "Name",
        "Forename",
        "Surname",
    }


def test_no_heading_is_accepted_for_two_columns_of_one_list() -> None:
    declared = {c.name for t in (LIST_10, LIST_11) for c in t.columns}
    assert set(ALIASES) <= declared
    for table in (LIST_10, LIST_11):
        keys = [heading_key(h) for c in table.columns for h in (c.name, *ALIASES.get(c.name, ()))]
        assert len(keys) == len(set(keys)), table.name


def test_adopters_with_only_an_enquiry_have_one_milestone() -> None:
    result = read_text(
        """
        Individual adopter identifier | Date enquiry received | Date Stage 1 started | Gender
        ZZ-A-0009                     | 01/02/2021            |                      | a) Male
        """
    )
    assert result.adopters is not None
    assert result.adopters.height == 1
    assert result.adopters.schema["DATE"] == pl.Date


def test_an_annex_a_workbook_is_read_sheet_by_sheet(tmp_path: Path) -> None:
    import datetime as dt

    import xlsxwriter

    path = tmp_path / "Annex A 2025.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Cover").write_row(0, 0, ["Annex A, synthetic"])
    sheet = book.add_worksheet("List 10")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["List 10 - Adoption"])
    sheet.write_row(
        1,
        0,
        [
            "Child Unique ID",
            "Date the Child Entered Care",
            "Date of Decision that Child Should be Placed for Adoption",
            "Date of Placement Order",
        ],
    )
    sheet.write_number(2, 0, 1234)  # Excel keeps IDs as numbers
    for column, date in enumerate((dt.date(2021, 5, 2), dt.date(2022, 1, 10)), start=1):
        sheet.write_datetime(2, column, dt.datetime.combine(date, dt.time()), day)
    sheet.write_string(2, 3, "01/04/2022")
    book.close()
    found = read_annex_a(path)
    assert found.adopters is None and found.children is not None
    assert found.children.select("CHILD", "MILESTONE", "DATE").rows() == [
        ("1234", "entered_care", dt.date(2021, 5, 2)),
        ("1234", "adoption_decision", dt.date(2022, 1, 10)),
        ("1234", "placement_order", dt.date(2022, 4, 1)),
    ]
    assert all(p.severity == "warning" for p in found.problems)
