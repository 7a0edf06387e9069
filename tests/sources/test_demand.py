"""Demand files: recognised by their headings, read in the LA's words, checked row by row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from carejourney.sources.problems import Problem, Severity
from carejourney.sources.raw import recognise
from carejourney.sources.returns import MilestoneList, ReadResult, read_returns
from tests.returns import EPISODES, HEADER, write_table

CONTACTS = """
CHILD | FAMILY | CONTACT_DATE | SOURCE | NEED    | DECISION     | DECISION_DATE | OUTCOME           | TEAM       | DEMAND  | FAILURE_TYPE     | WHAT_MATTERS            | CLOSED_DATE
11    | F1     | 01/04/2024   | Police | Neglect | Assess       | 02/04/2024    | Assessment        | Front door | Value   |                  | Tell my story only once |
11    |        | 15/04/2024   | Mother | Neglect | Update given | 15/04/2024    |                   | Front door | failure | progress chasing |                         | 15/04/2024
12    | F2     | 2024-04-03   | School | Housing | NFA          | 03/04/2024    | No further action | Front door |         |                  |                         | 03/04/2024
"""

CIN_REFERRALS = """
LAchildID | CINdetailsID | CINreferralDate | ReferralSource | PrimaryNeedCode | CINclosureDate | ReasonForClosure | ReferralNFA
11        | 1            | 2024-04-02      | 6              | N1              |                |                  | false
12        | 2            | 2024-04-03      | 2A             | N4              | 2024-04-03     | RC8              | 1
"""


def lists(result: ReadResult) -> dict[str, MilestoneList]:
    return {m.kind: m for m in result.lists}


def where(problems: list[Problem]) -> list[tuple[str, int | None, str | None, str, str]]:
    return [(Path(p.file).name, p.row, p.column, p.code, p.severity) for p in problems]


@pytest.mark.parametrize(
    ("headings", "table"),
    [
        (["CHILD", "CONTACT_DATE"], "Contacts"),
        (["child", "contact_date", "outcome"], "Contacts"),
        (["CHILD", "START"], "Assessments"),
        (["CHILD", "START", "AUTHORISED", "TEAM"], "Assessments"),
        (["CHILD", "HELP", "START"], "Help provided"),
        (["CHILD", "HELP", "START", "END", "RIGHT_HELP"], "Help provided"),
        (["LAchildID", "CINreferralDate"], "CIN referrals"),
        (["LACHILDID", "CINDETAILSID", "CINREFERRALDATE", "REFERRALSOURCE"], "CIN referrals"),
        (
            ["LAchildID", "CINdetailsID", "CINreferralDate", "AssessmentActualStartDate"],
            "CIN assessments",
        ),
        (
            ["LAchildID", "AssessmentActualStartDate", "AssessmentAuthorisationDate"],
            "CIN assessments",
        ),
        # The SSDA903 tables, a tracker and an allocation list are not taken for demand.
        (["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], "Header"),
        (["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC"], "Episodes"),
        (["CHILD", "DOB", "REVIEW", "REVIEW_CODE"], "Reviews"),
        (["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"], "Missing"),
        (["CHILD", "MILESTONE", "DATE", "NOTE"], "Tracker"),
        (["CHILD", "TEAM", "WORKER"], "Allocation"),
    ],
)
def test_each_kind_is_recognised_by_its_headings(headings: list[str], table: str) -> None:
    found = recognise([h.upper() for h in headings])
    assert found is not None and found.name == table


@pytest.mark.parametrize("headings", [["CHILD"], ["CHILD", "TEAM"], ["CHILD", "DATE"]])
def test_too_little_is_not_taken_for_demand(headings: list[str]) -> None:
    assert recognise(headings) is None


def test_demand_files_sit_beside_a_return_without_confusing_it(tmp_path: Path) -> None:
    write_table(tmp_path / "2022" / "header.csv", HEADER)
    write_table(tmp_path / "2022" / "episodes.csv", EPISODES)
    write_table(tmp_path / "demand" / "log.csv", CONTACTS)
    write_table(tmp_path / "demand" / "cin.csv", CIN_REFERRALS)
    result = read_returns([tmp_path])
    assert where(result.problems) == []
    assert [(r.year, sorted(r.tables)) for r in result.returns] == [(2022, ["Episodes", "Header"])]
    assert {k: m.rows.height for k, m in lists(result).items()} == {
        "Contacts": 3,
        "CIN referrals": 2,
    }


def test_contacts_are_read_in_the_las_words(tmp_path: Path) -> None:
    write_table(tmp_path / "contacts.csv", CONTACTS)
    contacts = lists(read_returns([tmp_path]))["Contacts"]
    assert contacts.noun == "contacts"
    assert contacts.rows.select(
        "_row", "CHILD", "FAMILY", "CONTACT_DATE", "OUTCOME", "DEMAND", "FAILURE_TYPE"
    ).rows() == [
        (2, "11", "F1", dt.date(2024, 4, 1), "ASSESSMENT", "VALUE", None),
        # No family ID: the child is the family.
        (3, "11", "11", dt.date(2024, 4, 15), None, "FAILURE", "CHASING"),
        (4, "12", "F2", dt.date(2024, 4, 3), "NFA", None, None),
    ]


def test_the_cin_census_items_are_renamed_and_nfa_is_yes_or_no(tmp_path: Path) -> None:
    write_table(tmp_path / "cin.csv", CIN_REFERRALS.replace("LAchildID", "lachildid"))
    referrals = lists(read_returns([tmp_path]))["CIN referrals"].rows
    assert referrals.columns == [
        "_row",
        "_file",
        "CHILD",
        "CIN_DETAILS_ID",
        "REFERRAL_DATE",
        "SOURCE",
        "NEED",
        "CLOSED_DATE",
        "CLOSURE_REASON",
        "NFA",
    ]
    assert referrals.select("CHILD", "REFERRAL_DATE", "SOURCE", "CLOSURE_REASON", "NFA").rows() == [
        ("11", dt.date(2024, 4, 2), "6", None, False),
        ("12", dt.date(2024, 4, 3), "2A", "RC8", True),
    ]


def test_right_help_takes_any_yes_or_no(tmp_path: Path) -> None:
    answers = ["Y", "n", "yes", "No", "TRUE", "false", "1", "0", "", "maybe"]
    rows = "\n".join(f"{i} | Parenting | 01/05/2024 | | {a}" for i, a in enumerate(answers))
    write_table(tmp_path / "help.csv", "CHILD | HELP | START | END | RIGHT_HELP\n" + rows)
    result = read_returns([tmp_path])
    assert lists(result)["Help provided"].rows["RIGHT_HELP"].to_list() == [
        True, False, True, False, True, False, True, False, None, None,
    ]  # fmt: skip
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value, problem.severity) == (
        11,
        "RIGHT_HELP",
        "MAYBE",
        Severity.WARNING,
    )
    assert problem.message == (
        "RIGHT_HELP 'MAYBE' is not a known code. Expected: N, Y (or one written in words, as "
        "the data dictionary lists them). It was left blank."
    )


def test_an_unknown_outcome_is_reported_and_left_blank(tmp_path: Path) -> None:
    write_table(
        tmp_path / "contacts.csv",
        """
        CHILD | CONTACT_DATE | OUTCOME
        1     | 01/04/2024   | Transferred
        2     | 01/04/2024   | early help
        """,
    )
    result = read_returns([tmp_path])
    assert where(result.problems) == [("contacts.csv", 2, "OUTCOME", "code-unknown", "warning")]
    assert lists(result)["Contacts"].rows["OUTCOME"].to_list() == [None, "EARLY_HELP"]


# Each check: a file, the rows it breaks, and the problem named (file, row, column).
CHECKS = [
    (
        "contacts.csv",
        """
        CHILD | CONTACT_DATE | DECISION_DATE | CLOSED_DATE
        1     | 02/04/2024   | 01/04/2024    |
        2     | 02/04/2024   | 02/04/2024    | 01/04/2024
        3     | 02/04/2024   | 03/04/2024    | 03/04/2024
        """,
        [
            (2, "DECISION_DATE", "decision-before-contact", "error", "01/04/2024"),
            (3, "CLOSED_DATE", "closed-before-contact", "error", "01/04/2024"),
        ],
    ),
    (
        "contacts.csv",
        """
        CHILD | CONTACT_DATE | DEMAND | FAILURE_TYPE
        1     | 02/04/2024   | Value  | Repeat
        2     | 02/04/2024   |        | Repeat
        """,
        [(2, "FAILURE_TYPE", "failure-type-on-value-demand", "warning", "REPEAT")],
    ),
    (
        "contacts.csv",
        """
        CHILD | CONTACT_DATE
              | 02/04/2024
        2     | 31/02/2024
        """,
        [
            (2, "CHILD", "value-required", "error", None),
            (3, "CONTACT_DATE", "date-not-a-date", "error", "31/02/2024"),
        ],
    ),
    (
        "assessments.csv",
        """
        CHILD | REFERRAL_DATE | START      | AUTHORISED
        1     | 01/04/2024    | 02/04/2024 | 01/04/2024
        2     | 05/04/2024    | 02/04/2024 | 30/04/2024
        3     | 01/04/2024    | 02/04/2024 |
        """,
        [
            (2, "AUTHORISED", "authorised-before-start", "error", "01/04/2024"),
            (3, "START", "assessment-before-referral", "warning", "02/04/2024"),
        ],
    ),
    (
        "help.csv",
        """
        CHILD | HELP      | START      | END
        1     | Parenting | 02/04/2024 | 01/04/2024
        2     |           | 02/04/2024 |
        """,
        [
            (2, "END", "help-end-before-start", "error", "01/04/2024"),
            (3, "HELP", "value-required", "error", None),
        ],
    ),
    (
        "cin.csv",
        """
        LAchildID | CINreferralDate | CINclosureDate | ReferralNFA
        1         | 2024-04-02      | 2024-04-01     | false
        2         | 2024-04-02      |                | false
        2         | 2024-06-02      |                | 0
        3         | 2024-04-02      |                | true
        3         | 2024-06-02      |                | false
        """,
        [
            (2, "CINclosureDate", "cin-closed-before-referral", "error", "01/04/2024"),
            (3, "CINclosureDate", "cin-open-episodes", "warning", None),
            (4, "CINclosureDate", "cin-open-episodes", "warning", None),
        ],
    ),
    (
        "cin_assessments.csv",
        """
        LAchildID | CINreferralDate | AssessmentActualStartDate | AssessmentAuthorisationDate
        1         | 2024-04-01      | 2024-04-02                | 2024-04-01
        2         | 2024-04-05      | 2024-04-02                |
        """,
        [
            (2, "AssessmentAuthorisationDate", "authorised-before-start", "error", "01/04/2024"),
            (3, "AssessmentActualStartDate", "assessment-before-referral", "warning", "02/04/2024"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "table", "expected"), CHECKS, ids=[c[0] for c in CHECKS])
def test_every_problem_names_its_file_row_and_column(
    tmp_path: Path,
    name: str,
    table: str,
    expected: list[tuple[int, str, str, str, str | None]],
) -> None:
    write_table(tmp_path / name, table)
    problems = read_returns([tmp_path]).problems
    found = [(p.row, p.column, p.code, p.severity, p.value) for p in problems]
    assert sorted(found, key=lambda p: (p[0], p[1])) == expected
    assert {Path(p.file).name for p in problems} == {name}


def test_a_value_left_blank_by_a_check_is_blank_in_the_rows(tmp_path: Path) -> None:
    write_table(tmp_path / "contacts.csv", CHECKS[1][1])
    rows = lists(read_returns([tmp_path]))["Contacts"].rows
    assert rows.select("DEMAND", "FAILURE_TYPE").rows() == [("VALUE", None), (None, "REPEAT")]


def test_a_problem_shows_the_date_and_never_the_child(tmp_path: Path) -> None:
    write_table(
        tmp_path / "contacts.csv",
        """
        CHILD   | FAMILY  | CONTACT_DATE | DECISION_DATE
        1234567 | 7654321 | 02/04/2024   | 2024-01-01
        """,
    )
    [problem] = read_returns([tmp_path]).problems
    assert (problem.row, problem.column, problem.value) == (2, "DECISION_DATE", "01/01/2024")
    assert "1234567" not in repr(problem) and "7654321" not in repr(problem)


def test_several_files_of_a_kind_are_read_together(tmp_path: Path) -> None:
    write_table(tmp_path / "contacts 2023.csv", "CHILD | CONTACT_DATE\n1 | 01/04/2023")
    write_table(
        tmp_path / "contacts 2024.csv", "CHILD | CONTACT_DATE\n2 | 01/04/2024\n3 | 02/04/2024"
    )
    contacts = lists(read_returns([tmp_path]))["Contacts"]
    assert [Path(f.name).name for f in contacts.files] == ["contacts 2023.csv", "contacts 2024.csv"]
    assert contacts.rows.select("CHILD", "_row").rows() == [("1", 2), ("2", 2), ("3", 3)]


def test_a_workbook_sheet_is_read_as_demand(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(tmp_path / "front door.xlsx")
    notes = book.add_worksheet("Notes")
    notes.write(0, 0, "Contacts exported from the case-management system")
    sheet = book.add_worksheet("Contacts")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for col, heading in enumerate(["Child", "Contact_Date", "Outcome"]):
        sheet.write(0, col, heading)
    sheet.write_number(1, 0, 1234)
    sheet.write_datetime(1, 1, dt.datetime(2024, 4, 1), dates)
    sheet.write(1, 2, "Child protection")
    book.close()
    result = read_returns([tmp_path])
    assert where(result.problems) == []
    rows = lists(result)["Contacts"].rows
    assert rows.select("CHILD", "CONTACT_DATE", "OUTCOME").rows() == [
        ("1234", dt.date(2024, 4, 1), "CP")
    ]
    assert rows["_file"].to_list() == [str(tmp_path / "front door.xlsx") + "!Contacts"]


def test_an_empty_contacts_file_is_an_empty_list(tmp_path: Path) -> None:
    write_table(tmp_path / "contacts.csv", "CHILD | CONTACT_DATE")
    result = read_returns([tmp_path])
    assert where(result.problems) == []
    assert lists(result)["Contacts"].rows.height == 0


def test_rows_keep_carejourneys_names_for_every_kind(tmp_path: Path) -> None:
    write_table(
        tmp_path / "cin assessments.csv",
        """
        LAchildID | CINdetailsID | AssessmentActualStartDate | AssessmentInternalReviewDate | AssessmentAuthorisationDate | AssessmentFactors
        1         | 7            | 02/04/2024                |                              | 30/04/2024                  | 3A
        """,
    )
    rows = lists(read_returns([tmp_path]))["CIN assessments"].rows
    assert rows.drop("_file").to_dicts() == [
        {
            "_row": 2,
            "CHILD": "1",
            "CIN_DETAILS_ID": "7",
            "REFERRAL_DATE": None,
            "START": dt.date(2024, 4, 2),
            "INTERNAL_REVIEW_DATE": None,
            "AUTHORISED": dt.date(2024, 4, 30),
            "FACTORS": "3A",
        }
    ]
    assert rows.schema["REFERRAL_DATE"] == pl.Date


def test_headings_may_be_written_in_words(tmp_path: Path) -> None:
    write_table(
        tmp_path / "log.csv",
        """
        Child | Family | Contact date | Decision date | Outcome    | What matters
        1     | F1     | 01/04/2024   | 02/04/2024    | Early help | No paperwork
        """,
    )
    result = read_returns([tmp_path])
    assert where(result.problems) == []
    assert lists(result)["Contacts"].rows.select(
        "CHILD", "CONTACT_DATE", "DECISION_DATE", "OUTCOME", "WHAT_MATTERS"
    ).rows() == [("1", dt.date(2024, 4, 1), dt.date(2024, 4, 2), "EARLY_HELP", "No paperwork")]
